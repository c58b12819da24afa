// The simulator's event loop: a priority queue of callbacks keyed by (virtual time, sequence
// number). The sequence number breaks ties in scheduling order, so two events at the same instant
// always run in the same order and one seed gives one execution (FoundationDB's sim2 does the
// same with its task queue).
#pragma once

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "core/base/check.h"

namespace cordis::sim {

class EventQueue {
 public:
  using Callback = std::function<void()>;

  // Runs `fn` at virtual time `at_us` (never in the past).
  void At(int64_t at_us, Callback fn) {
    CHECK_GE(at_us, now_us_);
    heap_.push(Event{at_us, next_seq_++, std::move(fn)});
  }
  void After(int64_t delay_us, Callback fn) { At(now_us_ + delay_us, std::move(fn)); }

  // Runs the earliest event, advancing virtual time to it; false when the queue is empty.
  bool RunOne() {
    if (heap_.empty()) return false;
    Event e = std::move(const_cast<Event&>(heap_.top()));
    heap_.pop();
    now_us_ = e.at_us;
    e.fn();
    return true;
  }

  // Runs events up to and including time `until_us` (or until `stop` says so), then sets the
  // clock to until_us.
  void RunUntil(int64_t until_us, const std::function<bool()>& stop = nullptr) {
    while (!heap_.empty() && heap_.top().at_us <= until_us) {
      RunOne();
      if (stop && stop()) return;
    }
    now_us_ = std::max(now_us_, until_us);
  }

  int64_t now_us() const { return now_us_; }
  uint64_t events_run() const { return next_seq_ - heap_.size(); }
  size_t size() const { return heap_.size(); }

 private:
  struct Event {
    int64_t at_us;
    uint64_t seq;
    Callback fn;
  };
  struct Later {
    bool operator()(const Event& a, const Event& b) const {
      return a.at_us != b.at_us ? a.at_us > b.at_us : a.seq > b.seq;
    }
  };

  std::priority_queue<Event, std::vector<Event>, Later> heap_;
  int64_t now_us_ = 0;
  uint64_t next_seq_ = 0;
};

}  // namespace cordis::sim
