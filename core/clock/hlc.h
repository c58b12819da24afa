// Hybrid logical clock (Kulkarni et al.): close to wall time, monotonic per node, and causal
// (a write that has seen another gets a greater stamp). `now_ms` always comes from the driver.
#pragma once

#include <algorithm>
#include <cstdint>

#include "core/crdt/dot.h"

namespace cordis {

class HybridClock {
 public:
  explicit HybridClock(ReplicaId replica) : replica_(replica) {}

  // A new stamp for a local write at physical time now_ms.
  Stamp Now(int64_t now_ms) {
    uint64_t physical = static_cast<uint64_t>(std::max<int64_t>(now_ms, 0)) << 16;
    last_ = std::max(last_ + 1, physical);
    return Stamp{last_, replica_};
  }

  // Folds in a stamp received from another replica so our next stamps are greater.
  void Observe(uint64_t remote_hlc) { last_ = std::max(last_, remote_hlc); }

  uint64_t last() const { return last_; }
  ReplicaId replica() const { return replica_; }

  static int64_t PhysicalMs(uint64_t hlc) { return static_cast<int64_t>(hlc >> 16); }

 private:
  ReplicaId replica_;
  uint64_t last_ = 0;
};

}  // namespace cordis
