#include "core/ttl/timing_wheel.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace cordis {
namespace {

using Keys = std::vector<std::string>;

Keys AdvanceAll(TimingWheel& wheel, int64_t now_ms, size_t max_items = SIZE_MAX) {
  Keys due;
  const size_t appended = wheel.Advance(now_ms, max_items, &due);
  EXPECT_EQ(appended, due.size());
  return due;
}

TEST(TimingWheelTest, FiresInDeadlineOrder) {
  TimingWheel wheel(1000);
  wheel.Schedule("c", 1000 + 5000);
  wheel.Schedule("a", 1000 + 3);
  wheel.Schedule("d", 1000 + 300000);
  wheel.Schedule("b", 1000 + 70);
  EXPECT_EQ(wheel.size(), 4u);
  EXPECT_EQ(AdvanceAll(wheel, 1002), Keys{});
  EXPECT_EQ(AdvanceAll(wheel, 1003), Keys{"a"});
  EXPECT_EQ(AdvanceAll(wheel, 1000 + 10000), (Keys{"b", "c"}));
  EXPECT_EQ(wheel.size(), 1u);
  EXPECT_EQ(AdvanceAll(wheel, 1000 + 299999), Keys{});
  EXPECT_EQ(AdvanceAll(wheel, 1000 + 300000), Keys{"d"});
  EXPECT_EQ(wheel.size(), 0u);
}

TEST(TimingWheelTest, SameMillisecondKeepsSchedulingOrder) {
  TimingWheel wheel(0);
  wheel.Schedule("x", 4096);
  wheel.Schedule("y", 100);
  wheel.Schedule("z", 4096);
  wheel.Schedule("x", 4096);  // A duplicate key is a separate entry.
  wheel.Schedule("w", 4096);
  EXPECT_EQ(AdvanceAll(wheel, 5000), (Keys{"y", "x", "z", "x", "w"}));
}

TEST(TimingWheelTest, PastDeadlinesFireOnNextAdvance) {
  TimingWheel wheel(10000);
  wheel.Schedule("later", 10001);
  wheel.Schedule("old", 5);
  wheel.Schedule("now", 10000);
  wheel.Schedule("older", -100);
  EXPECT_EQ(wheel.NextDeadlineHintMs(), -100);
  EXPECT_EQ(AdvanceAll(wheel, 10000), (Keys{"older", "old", "now"}));
  EXPECT_EQ(AdvanceAll(wheel, 10001), Keys{"later"});
}

TEST(TimingWheelTest, MaxItemsSpillsOverToNextCall) {
  TimingWheel wheel(0);
  for (int i = 0; i < 10; ++i) wheel.Schedule("k" + std::to_string(i), 10 - i);
  wheel.Schedule("late", 50);
  EXPECT_EQ(AdvanceAll(wheel, 20, 0), Keys{});
  EXPECT_EQ(AdvanceAll(wheel, 20, 4), (Keys{"k9", "k8", "k7", "k6"}));
  EXPECT_EQ(wheel.size(), 7u);
  // Spilled keys come before ones that became due later, since their deadlines are earlier.
  EXPECT_EQ(AdvanceAll(wheel, 60, 3), (Keys{"k5", "k4", "k3"}));
  EXPECT_EQ(AdvanceAll(wheel, 60, 100), (Keys{"k2", "k1", "k0", "late"}));
  EXPECT_EQ(wheel.size(), 0u);
}

TEST(TimingWheelTest, BigJumpsDoNotLoopPerMillisecond) {
  const int64_t start = 1'700'000'000'000;  // An epoch-ms clock.
  TimingWheel wheel(start);
  Keys expected;
  for (int64_t i = 0; i < 1000; ++i) {
    expected.push_back("k" + std::to_string(i));
    wheel.Schedule(expected.back(), start + i * 997'000 + 1);
  }
  wheel.Schedule("far", start + (int64_t{1} << 50));
  wheel.Schedule("end", INT64_MAX);
  EXPECT_EQ(AdvanceAll(wheel, start + 1'000'000'000), expected);
  EXPECT_EQ(AdvanceAll(wheel, start + (int64_t{1} << 50)), Keys{"far"});
  EXPECT_EQ(AdvanceAll(wheel, INT64_MAX - 1), Keys{});
  EXPECT_EQ(wheel.NextDeadlineHintMs(), INT64_MAX);  // Exact at level 0.
  EXPECT_EQ(AdvanceAll(wheel, INT64_MAX), Keys{"end"});
}

TEST(TimingWheelTest, TimeGoingBackwardsFiresNothing) {
  TimingWheel wheel(1000);
  wheel.Schedule("a", 1500);
  wheel.Schedule("b", 2500);
  EXPECT_EQ(AdvanceAll(wheel, 2000), Keys{"a"});
  EXPECT_EQ(AdvanceAll(wheel, 0), Keys{});
  wheel.Schedule("c", 1800);  // In the past relative to the wheel, not the last call.
  EXPECT_EQ(AdvanceAll(wheel, 1900), Keys{});
  EXPECT_EQ(wheel.size(), 2u);
  EXPECT_EQ(AdvanceAll(wheel, 2000), Keys{"c"});
  EXPECT_EQ(AdvanceAll(wheel, 2500), Keys{"b"});
}

TEST(TimingWheelTest, NextDeadlineHintIsALowerBound) {
  TimingWheel wheel(0);
  EXPECT_EQ(wheel.NextDeadlineHintMs(), INT64_MAX);
  wheel.Schedule("a", 50);
  EXPECT_EQ(wheel.NextDeadlineHintMs(), 50);
  wheel.Schedule("b", 1'000'000);
  EXPECT_EQ(wheel.NextDeadlineHintMs(), 50);
  AdvanceAll(wheel, 100);
  const int64_t hint = wheel.NextDeadlineHintMs();
  EXPECT_GT(hint, 100);
  EXPECT_LE(hint, 1'000'000);
  // Following the hint reaches the deadline in a few steps (one per level at most).
  int steps = 0;
  while (AdvanceAll(wheel, wheel.NextDeadlineHintMs()).empty()) ASSERT_LT(++steps, 12);
  EXPECT_EQ(wheel.NextDeadlineHintMs(), INT64_MAX);
}

TEST(TimingWheelTest, ClearDropsEverythingAndKeepsTime) {
  TimingWheel wheel(0);
  wheel.Schedule("a", 10);
  wheel.Schedule("b", 100000);
  AdvanceAll(wheel, 5);
  wheel.Clear();
  EXPECT_EQ(wheel.size(), 0u);
  EXPECT_EQ(wheel.NextDeadlineHintMs(), INT64_MAX);
  EXPECT_EQ(AdvanceAll(wheel, 200000), Keys{});
  wheel.Schedule("c", 3);  // Time stayed at 200000, so this is already due.
  EXPECT_EQ(AdvanceAll(wheel, 200000), Keys{"c"});
}

// The obvious model: every entry in one ordered map.
class ReferenceWheel {
 public:
  explicit ReferenceWheel(int64_t start_ms) : now_(start_ms) {}
  void Schedule(const std::string& key, int64_t at_ms) {
    entries_.emplace(Key{at_ms, seq_++}, key);
  }
  Keys Advance(int64_t now_ms, size_t max_items) {
    Keys due;
    if (now_ms < now_) return due;
    now_ = now_ms;
    while (due.size() < max_items && !entries_.empty() && entries_.begin()->first.first <= now_) {
      due.push_back(entries_.begin()->second);
      entries_.erase(entries_.begin());
    }
    return due;
  }
  size_t size() const { return entries_.size(); }
  int64_t MinDeadline() const {
    return entries_.empty() ? INT64_MAX : entries_.begin()->first.first;
  }
  int64_t now() const { return now_; }

 private:
  using Key = std::pair<int64_t, uint64_t>;
  int64_t now_;
  uint64_t seq_ = 0;
  std::multimap<Key, std::string> entries_;
};

void RunAgainstReference(uint64_t seed, int64_t start_ms) {
  std::mt19937_64 rng(seed);
  auto below = [&rng](uint64_t n) { return static_cast<int64_t>(rng() % n); };
  TimingWheel wheel(start_ms);
  ReferenceWheel model(start_ms);
  for (int step = 0; step < 20000; ++step) {
    const int64_t now = model.now();
    const int64_t op = below(100);
    if (op < 55) {
      int64_t at;
      const int64_t kind = below(10);
      if (kind < 4) {
        at = now + below(100);
      } else if (kind < 7) {
        at = now + below(300000);
      } else if (kind < 8) {
        at = now + below(int64_t{1} << 42);
      } else if (kind < 9) {
        at = now - below(5000);  // Already past.
      } else {
        at = now + (int64_t{1} << (6 * below(7)));  // Exactly on a level boundary.
      }
      const std::string key = "k" + std::to_string(below(500));
      wheel.Schedule(key, at);
      model.Schedule(key, at);
    } else {
      int64_t to;
      const int64_t kind = below(10);
      if (kind < 5) {
        to = now + below(64);
      } else if (kind < 7) {
        to = now + below(20000);
      } else if (kind < 8) {
        to = now + below(int64_t{1} << 40);  // A clock jump.
      } else if (kind < 9) {
        to = now - below(100000);  // Backwards.
      } else {
        to = wheel.NextDeadlineHintMs() == INT64_MAX ? now : wheel.NextDeadlineHintMs();
      }
      const size_t max_items = below(4) == 0 ? SIZE_MAX : static_cast<size_t>(below(8));
      Keys got;
      const size_t appended = wheel.Advance(to, max_items, &got);
      ASSERT_EQ(appended, got.size());
      ASSERT_EQ(got, model.Advance(to, max_items)) << "seed " << seed << " step " << step;
    }
    ASSERT_EQ(wheel.size(), model.size()) << "seed " << seed << " step " << step;
    const int64_t hint = wheel.NextDeadlineHintMs();
    ASSERT_LE(hint, model.MinDeadline()) << "seed " << seed << " step " << step;
    ASSERT_EQ(hint == INT64_MAX, model.size() == 0 || model.MinDeadline() == INT64_MAX);
  }
  // Drain everything that is left.
  Keys got;
  wheel.Advance(INT64_MAX, SIZE_MAX, &got);
  EXPECT_EQ(got, model.Advance(INT64_MAX, SIZE_MAX));
  EXPECT_EQ(wheel.size(), 0u);
}

TEST(TimingWheelTest, MatchesReferenceModel) {
  RunAgainstReference(1, 0);
  RunAgainstReference(2, 1'700'000'000'000);
  RunAgainstReference(3, -(int64_t{1} << 45));  // Crosses from negative to positive times.
  RunAgainstReference(4, 63);
}

}  // namespace
}  // namespace cordis
