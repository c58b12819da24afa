// Counter increments over a string (INCRBY/INCRBYFLOAT on strings, HINCRBY/HINCRBYFLOAT on hash
// fields), replicated so that every replica computes the same bytes that Redis would.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "core/crdt/dot.h"
#include "core/crdt/version_vector.h"
#include "core/op/op.h"

namespace cordis {
namespace pb {
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
  // The value without formatting, when no increment is pending and some are folded (a counter
  // whose increments all became stable: every INCR on a single node).
  std::optional<std::string_view> FoldedOnly() const {
    if (!pending_.empty() || !folded_) return std::nullopt;
    return std::string_view(*folded_);
  }
  const std::vector<Entry>& pending() const { return pending_; }
  void PrefetchPending() const {
    if (pending_.capacity() != 0) __builtin_prefetch(pending_.data());
  }
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
  Dot folded_first_;  // the first increment folded: identifies the fold's lineage (state join)
  uint64_t folded_rank_ = 0;
  uint64_t folded_hlc_ = 0;
  ReplicaId folded_replica_ = 0;
};

}  // namespace cordis
