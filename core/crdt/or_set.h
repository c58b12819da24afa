// The set type: an observed-remove set, add wins.
//
// Each member keeps the tags (dot + stamp) of the adds that put it there and that no remove has
// observed yet. An add of a present member first drops the tags its origin had seen, so a member
// normally has exactly one tag; concurrent adds leave one tag each. A remove drops the tags its
// causal context covers: an add concurrent with the remove keeps its tag, so the member survives
// (add wins). A member with no tag left is gone.
//
// No tombstones are needed: delivery is causal, so an add always arrives before any remove that
// observed it. Compact() therefore has nothing to fold.
//
// Members live in the seeded Dict, one heap node per member with the member bytes inline.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "absl/container/inlined_vector.h"
#include "absl/status/statusor.h"
#include "core/keyspace/dict.h"
#include "core/keyspace/value.h"
#include "core/op/op.h"

namespace cordis {
namespace pb {
class SetState;
}  // namespace pb

class SetValue final : public Value {
 public:
  static constexpr ValueType kType = ValueType::kSet;

  // The op that added a member.
  struct Tag {
    Dot dot;
    Stamp stamp;
  };

  struct Node {
    uint32_t dict_hash = 0;  // set by Dict::Insert
    uint32_t len = 0;
    absl::InlinedVector<Tag, 1> tags;  // never empty while the node is in the dict
    char bytes[];                      // member bytes (flexible array member, as KeyEntry)

    std::string_view DictKey() const { return {bytes, len}; }
    std::string_view member() const { return DictKey(); }
  };

  explicit SetValue(uint64_t seed) : Value(kType), dict_(seed) {}
  ~SetValue() override;

  void Apply(const delta::SetAdd& d, const Op& op);
  void Apply(const delta::SetRemove& d, const Op& op);

  void RemoveObserved(const VersionVector& ctx) override;
  bool Empty() const override { return dict_.size() == 0; }
  Stamp MaxStamp() const override;
  size_t MemoryBytes() const override;
  void PrefetchMember(std::string_view member, int stage) const override {
    dict_.Prefetch(member, stage);
  }

  size_t size() const { return dict_.size(); }
  bool Contains(std::string_view member) const { return dict_.Find(member) != nullptr; }
  const Node* Find(std::string_view member) const { return dict_.Find(member); }

  // The whole internal state for snapshots (members with their tags), and back; DecodeState
  // validates and returns kDataLoss on bad input (or_set_state.cc).
  void EncodeState(pb::SetState* out) const;
  static absl::StatusOr<std::unique_ptr<SetValue>> DecodeState(const pb::SetState& in,
                                                               uint64_t seed);

  // f(std::string_view member) for every member, in the dict's (seeded) order.
  template <typename F>
  void ForEach(F&& f) const {
    dict_.ForEach([&](const Node* n) { f(n->member()); });
  }
  // One SCAN step: f(member) for the members of one home slot; returns the next cursor (0 = done).
  template <typename F>
  uint64_t ScanStep(uint64_t cursor, F&& f) const {
    return dict_.ScanStep(cursor, [&](const Node* n) { f(n->member()); });
  }
  // A member chosen with the caller's PRNG; the set must not be empty.
  template <typename Rng>
  std::string_view RandomMember(Rng& rng) const {
    const Node* n = dict_.Random(rng);
    CHECK(n != nullptr);
    return n->member();
  }

 private:
  Node* NewNode(std::string_view member, const Tag& tag);
  void FreeNode(Node* n);
  // Drops the tags of n that ctx covers; true if n has none left.
  bool DropObserved(Node* n, const VersionVector& ctx);

  Dict<Node> dict_;
  size_t node_bytes_ = 0;
  // Greatest stamp of live tags, recomputed lazily after a removal took the greatest one.
  mutable Stamp max_stamp_;
  mutable bool max_stamp_valid_ = true;
};

}  // namespace cordis
