// Which faults a seed injects and how hard (FoundationDB's BUGGIFY: each fault point is switched
// on for a whole run with some probability, then fires at its own rate, so every run explores a
// different mix and rare paths become common).
//
// Kinds: network (latency, loss, dup, reorder, asym, partition, clog), clocks (skew, drift, jump),
// processes (crash), and sim-only fault points in the replication driver (tiny_batch, small_log,
// snapshot, storm, small_buffer).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "core/base/prng.h"

namespace cordis::sim {

enum class Fault : int {
  kLatency,      // heavy-tailed latency with spikes
  kLoss,         // messages dropped
  kDuplicate,    // messages delivered twice
  kReorder,      // wide jitter, so later messages overtake earlier ones
  kAsymmetric,   // each direction of a link has its own latency and loss
  kPartition,    // random halves, one node isolated, bridges, one-way cuts; each heals later
  kClog,         // swizzle: links stop one by one, then come back in random order
  kSkew,         // per-node clock offsets up to seconds
  kDrift,        // per-node clock rates off by up to 1%
  kJump,         // clocks jump forwards and backwards
  kCrash,        // a node crashes and restarts from its storage
  kTinyBatch,    // ReplicationOptions::max_batch_ops of 4-16
  kSmallLog,     // a short oplog, so lagging peers need snapshots
  kSnapshot,     // Node::ForceSnapshot at random moments
  kStorm,        // retransmit storms: bursts of extra ReplicationTicks
  kSmallBuffer,  // a tiny causal buffer (max_pending_ops), so early ops are dropped and resent
  kCount,
};

inline constexpr std::array<std::string_view, static_cast<int>(Fault::kCount)> kFaultNames = {
    "latency", "loss",  "dup",   "reorder",    "asym",     "partition", "clog",  "skew",
    "drift",   "jump",  "crash", "tiny_batch", "small_log", "snapshot", "storm", "small_buffer"};

// A set of fault kinds, parsed from --faults: "all" (each kind on with probability 1/2 per seed),
// "all,-kind,-kind" (the same without those kinds), "none", or a comma-separated list of names
// (exactly those on, in every seed).
class FaultSelection {
 public:
  static absl::StatusOr<FaultSelection> Parse(std::string_view spec);
  // Which kinds one seed turns on.
  std::array<bool, static_cast<int>(Fault::kCount)> Draw(Prng& rng) const;
  // Whether seeds may turn this kind on.
  bool Allows(size_t kind) const { return on_[kind]; }

 private:
  bool random_ = false;
  std::array<bool, static_cast<int>(Fault::kCount)> on_{};
};

// One seed's fault plan: the kinds turned on and their rates, plus counters of what fired.
struct FaultPlan {
  std::array<bool, static_cast<int>(Fault::kCount)> on{};
  std::array<uint64_t, static_cast<int>(Fault::kCount)> fired{};
  uint64_t lost_acked = 0;  // acknowledged ops crashes took (allowed under everysec and no)

  double loss = 0;           // per message
  double duplicate = 0;      // per message
  int64_t base_latency_us = 0;
  int64_t jitter_us = 0;     // uniform extra delay (reorder makes it wide)
  double spike_chance = 0;   // per message: a latency spike of up to spike_us
  int64_t spike_us = 0;

  bool is_on(Fault f) const { return on[static_cast<int>(f)]; }
  void Fire(Fault f, uint64_t n = 1) { fired[static_cast<int>(f)] += n; }

  // Draws rates for the kinds that are on.
  static FaultPlan Make(const std::array<bool, static_cast<int>(Fault::kCount)>& on, Prng& rng);
  // "loss=12 dup=3 partition=2 ..." for the kinds that are on.
  std::string Summary() const;
};

}  // namespace cordis::sim
