#include "core/server/latency_monitor.h"

#include <algorithm>

namespace cordis {

void LatencyMonitor::MaybeAdd(int64_t threshold_ms, const std::string& event, int64_t ms,
                              int64_t unix_s) {
  if (threshold_ms <= 0 || ms < threshold_ms) return;
  Series& s = events_[event];
  s.max_ms = std::max(s.max_ms, ms);
  // One sample per second: a second spike in the same second keeps the larger latency.
  if (!s.samples.empty() && s.samples.back().unix_s == unix_s) {
    s.samples.back().ms = std::max(s.samples.back().ms, ms);
    return;
  }
  s.samples.push_back(Sample{unix_s, ms});
  if (s.samples.size() > kMaxSamples) s.samples.pop_front();
}

}  // namespace cordis
