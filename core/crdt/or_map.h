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
#include "core/keyspace/dict.h"
#include "core/keyspace/value.h"
#include "core/op/op.h"

namespace cordis {
namespace pb {
class HashState;
class IncrementLogState;
}  // namespace pb

// Counter increments over a string value, evaluated exactly as Redis evaluates a sequence of
// HINCRBY/HINCRBYFLOAT (INCRBY/INCRBYFLOAT) commands: each step parses the current string, adds,
// and prints the result (integers exactly; floats as "%.17Lf" without trailing zeros). Because the
// printing rounds, steps do not associate, so every replica applies them in one canonical order:
//
//   rank(op) = sum of the entries of op's causal context, ties broken by dot.
//
// rank grows along causality (an op's context covers everything before it), so:
//  - a local increment always applies last: its reply is what Redis would answer;
//  - every op delivered after the increments in S became causally stable has seen S, so it ranks
//    above all of them. Compact() therefore folds the longest stable prefix into one string, and
//    the folded prefix stays a prefix forever: a replica that folds and one that does not compute
//    byte-identical values, whatever the delivery order.
// A step that cannot apply (the value is not a number, or the float result would be NaN or
// infinite) leaves the value unchanged; locally such increments are refused, so only concurrent
// writes get there. Integer steps that meet concurrently wrap (two's complement).
class IncrementLog {
 public:
  struct Entry {
    uint64_t rank;
    Dot dot;
    uint64_t hlc;
    bool is_float;
    int64_t i;
    long double f;
  };

  void AddInt(const Op& op, int64_t delta) { Add(op, false, delta, 0); }
  void AddFloat(const Op& op, long double delta) { Add(op, true, 0, delta); }
  // Drops the increments ctx covers; the folded prefix, which every later op has seen, always
  // goes. Returns true if anything was dropped.
  bool RemoveObserved(const VersionVector& ctx);
  // Folds the longest prefix of increments `stable` covers into the accumulated value, starting
  // from `base` if nothing is folded yet. The caller guarantees the base cannot change without
  // removing the folded increments (true of the register under causal stability).
  void Compact(const VersionVector& stable, std::string_view base);
  // The value: the folded prefix (or base) with the pending increments applied in order.
  std::string Evaluate(std::string_view base) const;

  bool empty() const { return pending_.empty() && !folded_; }
  bool has_pending() const { return !pending_.empty(); }
  bool has_folded() const { return folded_.has_value(); }
  const std::vector<Entry>& pending() const { return pending_; }
  // The greatest stamp among increments (with the writer replica: stamps never tie).
  Stamp MaxStamp() const;
  size_t MemoryBytes() const;

  // One Redis step: *value += e, as HINCRBY/HINCRBYFLOAT would compute it.
  static void Step(std::string* value, const Entry& e);

  // Snapshot state (or_map_state.cc). DecodeState fills an empty log; kDataLoss on bad input.
  void EncodeState(pb::IncrementLogState* out) const;
  absl::Status DecodeState(const pb::IncrementLogState& in);

 private:
  void Add(const Op& op, bool is_float, int64_t i, long double f);

  std::vector<Entry> pending_;  // sorted by (rank, dot)
  std::optional<std::string> folded_;
  VersionVector folded_vv_;  // the folded increments' dots
  uint64_t folded_rank_ = 0;
  uint64_t folded_hlc_ = 0;
  ReplicaId folded_replica_ = 0;
};

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
    Field* dict_next = nullptr;
    uint64_t dict_hash = 0;
    absl::InlinedVector<Reg, 1> regs;
    std::unique_ptr<Counters> counters;  // null while the field has no increments
    bool queued = false;                 // in compact_queue_
    uint32_t len = 0;
    char bytes[];  // field name (flexible array member, as KeyEntry)

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
  // One SCAN step over one bucket; returns the next cursor (0 = done).
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
