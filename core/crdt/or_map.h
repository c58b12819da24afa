// The hash type: an observed-remove map of fields. Each field is a last-writer-wins register with
// a log of counter increments on top:
//
//   field := regs      register entries (HSET, HSETNX, HMSET). An HSET drops the entries and
//                      increments its origin had seen and adds its own; concurrent HSETs each
//                      leave one entry and the greatest stamp is the base value.
//            incs      HINCRBY / HINCRBYFLOAT increments (IncrementLog below), applied to the base
//                      one by one as Redis applies them; an HSET keeps the increments it had not
//                      seen, so concurrent increments all count.
//
// HDEL drops the entries its origin had seen; a field with no entry left is gone.
//
// Fields live in the seeded Dict, one node per field with the field bytes inline; register bytes
// up to 15 bytes stay inside the node (std::string's inline buffer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/crdt/increment_log.h"
#include "core/keyspace/dict.h"
#include "core/keyspace/value.h"
#include "core/op/op.h"

namespace cordis {
namespace pb {
class HashState;
}  // namespace pb

class HashValue final : public Value {
 public:
  static constexpr ValueType kType = ValueType::kHash;

  struct Reg {
    Dot dot;
    Stamp stamp;
    std::string bytes;
  };
  struct Counters {
    IncrementLog log;
    std::string value;  // the field's value, recomputed after every change
  };
  struct Field {
    uint32_t dict_hash = 0;  // set by Dict::Insert
    uint32_t len = 0;
    absl::InlinedVector<Reg, 1> regs;
    std::unique_ptr<Counters> counters;  // null while the field has no increments
    bool queued = false;                 // in compact_queue_
    char bytes[];                        // field name (flexible array member, as KeyEntry)

    std::string_view DictKey() const { return {bytes, len}; }
    std::string_view name() const { return DictKey(); }
    bool has_increments() const { return counters != nullptr && !counters->log.empty(); }
    bool dead() const { return regs.empty() && !has_increments(); }
  };

  explicit HashValue(uint64_t seed) : Value(kType), dict_(seed) {}
  ~HashValue() override;

  void Apply(const delta::HashSet& d, const Op& op);
  void Apply(const delta::HashRemove& d, const Op& op);
  void Apply(const delta::HashAdd& d, const Op& op);
  void Apply(const delta::HashAddFloat& d, const Op& op);

  void RemoveObserved(const VersionVector& ctx) override;
  bool Empty() const override { return dict_.size() == 0; }
  Stamp MaxStamp() const override;
  void Compact(const VersionVector& stable) override;
  size_t MemoryBytes() const override;
  void PrefetchMember(std::string_view member, int stage) const override {
    dict_.Prefetch(member, stage);
  }

  size_t size() const { return dict_.size(); }
  const Field* Find(std::string_view field) const { return dict_.Find(field); }

  // The whole internal state for snapshots (fields with their registers and increment logs), and
  // back; DecodeState validates and returns kDataLoss on bad input (or_map_state.cc).
  void EncodeState(pb::HashState* out) const;
  static absl::StatusOr<std::unique_ptr<HashValue>> DecodeState(const pb::HashState& in,
                                                                uint64_t seed);
  // The value of a field of this hash; valid until the next change of the hash.
  static std::string_view ValueOf(const Field* f);
  // The field's value, or nullopt when the field is absent.
  std::optional<std::string_view> Get(std::string_view field) const {
    const Field* f = Find(field);
    if (f == nullptr) return std::nullopt;
    return ValueOf(f);
  }

  // f(std::string_view field, std::string_view value) for every field, in the dict's order.
  template <typename F>
  void ForEach(F&& f) const {
    dict_.ForEach([&](const Field* n) { f(n->name(), ValueOf(n)); });
  }
  // One SCAN step over one home slot; returns the next cursor (0 = done).
  template <typename F>
  uint64_t ScanStep(uint64_t cursor, F&& f) const {
    return dict_.ScanStep(cursor, [&](const Field* n) { f(n->name(), ValueOf(n)); });
  }
  // A field chosen with the caller's PRNG; the hash must not be empty.
  template <typename Rng>
  const Field* RandomField(Rng& rng) const {
    const Field* n = dict_.Random(rng);
    CHECK(n != nullptr);
    return n;
  }

 private:
  Field* FindOrCreate(std::string_view name);
  void FreeField(Field* f);
  void RemoveField(Field* f);
  // Drops the entries of f that ctx covers; true if f has none left.
  bool DropObserved(Field* f, const VersionVector& ctx);
  // Recomputes f's cached value (when it has increments) and queues it for Compact if it holds
  // foldable metadata.
  void Refresh(Field* f);
  Counters& CountersOf(Field* f);
  void RaiseMax(const Stamp& s) const;

  Dict<Field> dict_;
  size_t node_bytes_ = 0;
  // Fields that may hold foldable metadata (pending increments, several register entries).
  std::vector<Field*> compact_queue_;
  VersionVector last_stable_;
  mutable Stamp max_stamp_;
  mutable bool max_stamp_valid_ = true;
};

}  // namespace cordis
