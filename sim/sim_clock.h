// A node's wall clock on virtual time: an offset (skew, up to seconds), a rate error (drift, in
// parts per million) and jumps forwards and backwards (an operator or NTP stepping the clock).
// Nodes read only this; the HLC in the core must keep stamps monotonic and causal through it.
#pragma once

#include <cstdint>

namespace cordis::sim {

class SimClock {
 public:
  // The Unix time (us) at virtual time 0 on a perfect clock.
  static constexpr int64_t kEpochUs = 1'700'000'000'000'000;

  SimClock() = default;
  SimClock(int64_t offset_us, int64_t drift_ppm) : offset_us_(offset_us), drift_ppm_(drift_ppm) {}

  // The node's wall time at virtual time v.
  int64_t Now(int64_t virtual_us) const {
    return kEpochUs + virtual_us + offset_us_ + virtual_us / 1'000'000 * drift_ppm_;
  }
  void Jump(int64_t delta_us) { offset_us_ += delta_us; }
  int64_t offset_us() const { return offset_us_; }
  int64_t drift_ppm() const { return drift_ppm_; }

 private:
  int64_t offset_us_ = 0;
  int64_t drift_ppm_ = 0;
};

}  // namespace cordis::sim
