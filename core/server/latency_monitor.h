// LATENCY: per event, the latest samples of operations that took at least
// latency-monitor-threshold milliseconds (Redis's src/latency.c: one sample per second, the
// last 160 kept, plus the all-time maximum). This server records the "command" event (any
// command over the threshold).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>

namespace cordis {

class LatencyMonitor {
 public:
  struct Sample {
    int64_t unix_s;
    int64_t ms;
  };
  struct Series {
    std::deque<Sample> samples;  // oldest first
    int64_t max_ms = 0;
  };
  static constexpr size_t kMaxSamples = 160;

  // Records `ms` for `event` when the monitor is on (threshold_ms > 0) and ms >= threshold_ms.
  void MaybeAdd(int64_t threshold_ms, const std::string& event, int64_t ms, int64_t unix_s);
  // RESET: all events (none named) or the named ones; returns how many were reset.
  size_t Reset() {
    size_t n = events_.size();
    events_.clear();
    return n;
  }
  size_t Reset(const std::string& event) { return events_.erase(event); }
  // By event name (deterministic order).
  const std::map<std::string, Series>& events() const { return events_; }

 private:
  std::map<std::string, Series> events_;
};

}  // namespace cordis
