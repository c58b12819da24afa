// ListValue: the value of a Redis list, a Replicated Growable Array (RGA; Roh et al., "Replicated
// abstract data types", 2011).
//
// Model. Every element has an id, ElemId{dot of the inserting op, index within the op}, and a
// timestamp key = (op hlc, op replica, op seq, idx), totally ordered. Conceptually the elements
// form a tree: an element inserted after R is a child of R (or of a virtual root for the head),
// children are ordered by descending key, and the list is the pre-order walk of the tree. Because
// an insert made after seeing another has a greater HLC stamp, the walk is maintained on a flat
// sequence with the classic RGA rule: to insert N after R, start right after R and skip every
// element whose key is greater than N's (those are concurrent, newer siblings and their
// descendants, whose keys are all greater still), then insert. The result does not depend on the
// order concurrent inserts arrive in.
//
// One ListInsert op carries several values:
//  - after == nullopt: each value goes to the head in turn; values [a, b, c] get idx 0, 1, 2, so
//    c has the greatest key and the list reads c b a (LPUSH a b c).
//  - after == R: the values chain, a after R, b after a, c after b, and the list reads R a b c
//    (RPUSH a b c, LINSERT).
// Concurrent pushes therefore never interleave: two LPUSHes at the head (or two RPUSHes after the
// same tail) keep each op's values together, the op with the greater stamp first.
//
// Removal (ListRemove, RemoveObserved) turns an element into a tombstone: it keeps its id and key
// (not its bytes) so concurrent inserts that reference it, or that must skip past it, still find
// their place. Compact(stable) drops a tombstone R once (1) its removal is covered by `stable`, so
// no op still to arrive can reference R, and (2) the element following R is either not a descendant
// of R (its key is smaller) or its own insert is covered by `stable`. Why this is safe: `stable`
// must be causally stable, i.e. every op this replica applies later is causally after every dot it
// covers. Such a later insert N has a key greater than R's and than the stable follower F, so the
// RGA scan stops at R when R is present and stops at F (at the same place among the remaining
// elements) when R is gone; and N cannot reference R, whose removal it has seen. On a single node,
// stable is the node's own version vector and tombstones go at once. One limit of the Value
// interface: RemoveObserved (DEL) is told the DEL's context but not its dot, so its tombstones wait
// until `stable` has passed that context for every replica it names (conservative). A list whose
// live elements are gone but which still has tombstones is not Droppable: the keyspace keeps it
// out of sight (and a snapshot join keeps it) until its tombstones compact away, so concurrent
// inserts that reference them still find their place.
//
// LSET (ListSet) is last-writer-wins on the element's value; an LSET of a removed element is a
// no-op (remove wins). The winning LSET's stamp is kept per element in a side map, only for
// elements that were ever LSET.
//
// Storage. Live elements and tombstones sit in one deque of blocks (ElemDeque) of 40-byte plain
// elements whose values are packed in 16 bytes (inline up to 15 bytes): pushes and pops at either
// end are O(1) and never move other elements, index access is O(1) while there are no tombstones
// and otherwise proportional to the distance from the nearer end. Ops address elements by id; the
// lookup searches outwards from the last position touched and from both ends, so commands that work
// at the ends or on a run of neighbours (LPOP n, LTRIM, LREM) find each id in O(1), and a remote
// insert into the middle costs O(n) at worst, like LINSERT itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/status/statusor.h"
#include "core/base/check.h"
#include "core/crdt/dot.h"
#include "core/crdt/elem_deque.h"
#include "core/crdt/list_elem.h"
#include "core/crdt/version_vector.h"
#include "core/keyspace/value.h"
#include "core/op/op.h"

namespace cordis {
namespace pb {
class ListState;
}  // namespace pb

namespace list_internal {

struct ElemIdHash {
  size_t operator()(const ElemId& id) const {
    return absl::Hash<std::tuple<uint32_t, uint64_t, uint32_t>>()(
        std::make_tuple(id.dot.replica, id.dot.seq, id.idx));
  }
};

}  // namespace list_internal

class ListValue final : public Value {
 public:
  static constexpr ValueType kType = ValueType::kList;

  explicit ListValue(uint64_t seed);
  ~ListValue() override;

  void Apply(const delta::ListInsert& d, const Op& op);
  void Apply(const delta::ListRemove& d, const Op& op);
  void Apply(const delta::ListSet& d, const Op& op);

  void RemoveObserved(const VersionVector& ctx) override;
  bool Empty() const override { return live_ == 0; }
  // Tombstones position concurrent inserts until Compact drops them.
  bool Droppable() const override { return ring_.size() == 0; }
  Stamp MaxStamp() const override;
  void Compact(const VersionVector& stable) override;
  size_t MemoryBytes() const override;

  // Reads see live elements only; index 0 is the head. Indexes must be < size().
  size_t size() const { return live_; }
  size_t tombstone_count() const { return ring_.size() - live_; }
  std::string_view At(size_t index) const { return ring_[Position(index)].value.view(); }
  ElemId IdAt(size_t index) const { return ring_[Position(index)].id(); }
  // Calls f(index, value, id) -> bool for the live element at `index`, then for the following ones
  // (towards the tail, or towards the head when `reverse`), until f returns false or the list ends.
  // The list must not change meanwhile.
  template <typename F>
  void Scan(size_t index, bool reverse, F&& f) const;
  // The live values head to tail (tests, debugging).
  std::vector<std::string> Contents() const;
  // Live ids and values head to tail: the logical state compared across replicas in tests.
  std::vector<std::pair<ElemId, std::string>> Entries() const;

  // The whole internal state for snapshots (elements and tombstones in order, removals, LSET
  // marks, RemoveObserved contexts), and back; DecodeState validates and returns kDataLoss on
  // bad input (rga_list_state.cc).
  void EncodeState(pb::ListState* out) const;
  static absl::StatusOr<std::unique_ptr<ListValue>> DecodeState(const pb::ListState& in,
                                                                uint64_t seed);

 private:
  struct Removal {
    Dot by;                  // the removing op; seq 0: removed by RemoveObserved
    uint32_t ctx_index = 0;  // with seq 0: the ctx in observed_ctxs_
  };
  struct SetMark {  // the winning LSET of an element
    Stamp stamp;
    Dot dot;
  };

  // Ring position of live element `index`: O(1) without tombstones, else a walk from the nearer
  // end. Remembers the position as the next search hint.
  size_t Position(size_t index) const;
  // Ring position of the element (live or tombstone) with this id, or nullopt.
  std::optional<size_t> Find(const ElemId& id) const;
  void MakeTombstone(size_t pos, Removal removal);
  bool RemovalStable(const Removal& r, const VersionVector& stable) const;
  Stamp EffectiveStamp(const list_internal::Elem& e) const;
  void NoteStamp(Stamp s) const {
    if (max_valid_ && max_ < s) max_ = s;
  }

  list_internal::ElemDeque ring_;
  size_t live_ = 0;
  mutable size_t hint_ = 0;  // ring position last found or read
  absl::flat_hash_map<ElemId, Removal, list_internal::ElemIdHash> tombs_;
  absl::flat_hash_map<ElemId, SetMark, list_internal::ElemIdHash> marks_;
  std::vector<VersionVector> observed_ctxs_;   // contexts of RemoveObserved calls with tombstones
  std::optional<VersionVector> compacted_at_;  // `stable` of the last full compaction pass
  size_t heap_bytes_ = 0;                      // value bytes held outside the ring
  mutable Stamp max_;                          // MaxStamp cache, valid when max_valid_
  mutable bool max_valid_ = true;
};

template <typename F>
void ListValue::Scan(size_t index, bool reverse, F&& f) const {
  if (index >= live_) return;
  size_t pos = Position(index);
  for (;;) {
    const list_internal::Elem& e = ring_[pos];
    if (!e.removed()) {
      if (!f(index, e.value.view(), e.id())) return;
      if (reverse ? index == 0 : index + 1 == live_) return;
      reverse ? --index : ++index;
    }
    reverse ? --pos : ++pos;
  }
}

}  // namespace cordis
