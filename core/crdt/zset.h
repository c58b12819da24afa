// The sorted-set type: an observed-remove set of members, each with a score that is a
// last-writer-wins register under ZADD plus a counter under ZINCRBY.
//
// Per member (one Entry, allocated with the member bytes inline, kept in a seeded Dict):
//   adds   membership tags (dot, stamp). Every ZADD/ZINCRBY of the member replaces the tags its
//          origin had seen with its own; ZREM/DEL remove the tags they had seen. The member is
//          live while it has a tag, so a ZADD concurrent with a ZREM survives (add wins).
//   regs   register entries (dot, stamp, score) from ZADD. A ZADD replaces the entries its origin
//          had seen; concurrent ones stay and the greatest stamp wins. None left: the base is 0.
//   incrs  ZINCRBY increments (dot, stamp, delta). A ZADD or ZREM drops the increments its origin
//          had seen (ZADD resets the score); concurrent increments all count.
//
// Effective score = winner.score (+) incrs, a left fold in stamp order where (+) is addition that
// skips an increment that would make the sum NaN (inf + -inf can only meet across replicas; every
// replica skips the same one). Stamps are a total order that extends causality (HLC), so:
//  - every replica folds the same values in the same order: scores agree bit for bit;
//  - on one node the fold is Redis's own sequence of additions, so replies match Redis exactly;
//  - Compact(stable) can fold a stable stamp-prefix of the increments into the winning register
//    without changing any bit: later increments have greater stamps (they causally follow every
//    stable op), so the prefix stays a prefix. (A per-origin partial-sum order, as in Counter,
//    would not give Redis's bits on one node: reg + (d1 + d2) != (reg + d1) + d2.)
//
// The ZSetIndex orders (effective score, member) and holds string_views into the Entries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/container/inlined_vector.h"
#include "absl/status/statusor.h"
#include "core/crdt/zset_index.h"
#include "core/keyspace/dict.h"
#include "core/keyspace/value.h"
#include "core/op/op.h"

namespace cordis {
namespace pb {
class ZsetState;
}  // namespace pb

class ZsetValue final : public Value {
 public:
  static constexpr ValueType kType = ValueType::kZset;
  explicit ZsetValue(uint64_t seed);
  ~ZsetValue() override;

  void Apply(const delta::ZsetAdd& d, const Op& op);
  void Apply(const delta::ZsetIncr& d, const Op& op);
  void Apply(const delta::ZsetRemove& d, const Op& op);

  void RemoveObserved(const VersionVector& ctx) override;
  bool Empty() const override { return members_.size() == 0; }
  Stamp MaxStamp() const override;
  void Compact(const VersionVector& stable) override;
  size_t MemoryBytes() const override;
  void PrefetchMember(std::string_view member, int stage) const override {
    members_.Prefetch(member, stage);
  }

  size_t size() const { return members_.size(); }
  std::optional<double> Score(std::string_view member) const;
  // 0-based ascending rank of member, or nullopt when absent.
  std::optional<size_t> Rank(std::string_view member) const;
  // Ordered access (ranks, score and lex ranges); scores are effective scores.
  const ZSetIndex& index() const { return index_; }

  // One SCAN step over the members' Dict: f(member, score) per member of the visited home slot.
  template <typename F>
  uint64_t ScanStep(uint64_t cursor, F&& f) const {
    return members_.ScanStep(cursor, [&](const Entry* e) { f(e->DictKey(), e->score); });
  }

  // Redis's encoding of this set if it had lived through the same history on one node: small sets
  // are listpacks until a 129th member or a member over 64 bytes arrives, then skiplists for
  // good. Replies of a few edge cases depend on it (a listpack stores a -0 score as 0, ZSCAN
  // returns a listpack whole). Local presentation only: never part of the replicated state.
  static constexpr size_t kListpackMaxEntries = 128;
  static constexpr size_t kListpackMaxValue = 64;
  bool listpack() const { return listpack_; }

  // Logical contents in index order (tests, simulator oracles).
  std::vector<std::pair<std::string, double>> Contents() const;
  // Number of members whose increments or extra tags wait for Compact (tests).
  size_t pending_compaction() const { return pending_.size(); }
  // CHECKs the invariants between the Dict, the index and the cached scores.
  void CheckInvariants() const;

  // The whole internal state for snapshots (tags, registers, increments, encoding), and back;
  // cached scores and the index are rebuilt. DecodeState validates and returns kDataLoss on bad
  // input (zset_state.cc).
  void EncodeState(pb::ZsetState* out) const;
  static absl::StatusOr<std::unique_ptr<ZsetValue>> DecodeState(const pb::ZsetState& in,
                                                                uint64_t seed);

 private:
  struct Tag {
    Dot dot;
    Stamp stamp;
  };
  struct Reg {
    Dot dot;
    Stamp stamp;
    double score;
  };
  struct Incr {
    Dot dot;
    Stamp stamp;
    double delta;
  };
  // Allocated with the member bytes directly after it (one allocation per member).
  struct Entry {
    uint32_t dict_hash = 0;  // set by Dict::Insert
    uint32_t len = 0;
    double score = 0;      // effective score, as stored in index_
    bool indexed = false;  // in index_ (false only while being created)
    absl::InlinedVector<Tag, 1> adds;
    absl::InlinedVector<Reg, 1> regs;
    std::vector<Incr> incrs;  // sorted by (stamp, dot)

    const char* bytes() const { return reinterpret_cast<const char*>(this + 1); }
    std::string_view DictKey() const { return {bytes(), len}; }
  };

  Entry* FindOrCreate(std::string_view member);
  void Destroy(Entry* e);  // unlinks from the Dict and index, frees
  // Drops the tags, register entries and increments ctx covers; destroys the entry when no
  // membership tag is left, otherwise refreshes it. Returns false if destroyed.
  bool RemoveCovered(Entry* e, const VersionVector& ctx);
  // Recomputes the effective score, moves the entry in the index and updates pending_.
  void Refresh(Entry* e);
  void AddTag(Entry* e, const Op& op);
  bool CompactEntry(Entry* e, const VersionVector& stable);  // true if still pending

  static const Reg* Winner(const Entry& e);
  static double EffectiveScore(const Entry& e);
  static bool NeedsCompaction(const Entry& e);

  Dict<Entry> members_;
  ZSetIndex index_;
  // Members with increments or several tags/registers: the only ones Compact has work on, so
  // Compact after every op costs O(changed members), not O(size).
  absl::flat_hash_set<Entry*> pending_;
  size_t entry_bytes_ = 0;
  bool listpack_ = true;
  mutable Stamp max_stamp_;
  mutable bool max_stamp_dirty_ = false;
};

}  // namespace cordis
