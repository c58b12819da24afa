#include "core/ttl/timing_wheel.h"

#include <algorithm>
#include <bit>

#include "core/base/check.h"

// Invariant: a node in the wheel has deadline d > now_ and sits at level L, the highest 6-bit
// digit where d and now_ differ, in slot digit_L(d). So d and now_ share every digit above L and
// digit_L(d) > digit_L(now_): slots never wrap, the lowest set occupancy bit is the earliest slot
// of its level, and every node in a slot has deadline >= SlotStart(L, slot) > now_.

namespace cordis {

TimingWheel::TimingWheel(int64_t start_ms) : now_(ToTick(start_ms)) { Clear(); }

TimingWheel::Tick TimingWheel::ToTick(int64_t ms) {
  return static_cast<uint64_t>(ms) ^ (uint64_t{1} << 63);
}

int64_t TimingWheel::ToMs(Tick t) { return static_cast<int64_t>(t ^ (uint64_t{1} << 63)); }

void TimingWheel::Schedule(std::string_view key, int64_t at_ms) {
  uint32_t index;
  if (free_.empty()) {
    CHECK_LT(nodes_.size(), size_t{kNil});
    index = static_cast<uint32_t>(nodes_.size());
    nodes_.emplace_back();
  } else {
    index = free_.back();
    free_.pop_back();
  }
  Node& node = nodes_[index];
  node.deadline = ToTick(at_ms);
  node.seq = next_seq_++;
  node.next = kNil;
  node.key.assign(key);
  if (node.deadline <= now_) {
    PushDue(index);
  } else {
    Place(index);
  }
}

size_t TimingWheel::Advance(int64_t now_ms, size_t max_items, std::vector<std::string>* due) {
  CHECK(due != nullptr);
  const Tick target = ToTick(now_ms);
  if (target < now_) return 0;

  // Visit occupied slots in time order up to target. Each visit moves time to the slot's start,
  // which keeps every digit above the slot's level, so the other nodes stay correctly placed.
  // Every node in the slot then either becomes due or drops to a lower level.
  int level, slot;
  Tick start;
  while (EarliestSlot(&level, &slot, &start) && start <= target) {
    CHECK_GT(start, now_);
    now_ = start;
    uint32_t index = heads_[level][slot];
    heads_[level][slot] = kNil;
    occupied_[level] &= ~(uint64_t{1} << slot);
    while (index != kNil) {
      const uint32_t next = nodes_[index].next;
      if (nodes_[index].deadline <= target) {
        PushDue(index);
      } else {
        Place(index);
      }
      index = next;
    }
  }
  // No slot starts at or before target, so every node is still correctly placed against it.
  now_ = target;

  size_t appended = 0;
  while (appended < max_items && !due_.empty()) {
    std::pop_heap(due_.begin(), due_.end());
    const uint32_t index = due_.back().node;
    due_.pop_back();
    due->push_back(std::move(nodes_[index].key));
    nodes_[index].key.clear();
    free_.push_back(index);
    ++appended;
  }
  return appended;
}

int64_t TimingWheel::NextDeadlineHintMs() const {
  if (!due_.empty()) return ToMs(due_.front().deadline);
  int level, slot;
  Tick start;
  if (!EarliestSlot(&level, &slot, &start)) return INT64_MAX;
  return ToMs(start);
}

void TimingWheel::Clear() {
  nodes_.clear();
  nodes_.shrink_to_fit();
  free_.clear();
  free_.shrink_to_fit();
  due_.clear();
  due_.shrink_to_fit();
  for (auto& level : heads_) level.fill(kNil);
  occupied_.fill(0);
}

TimingWheel::Tick TimingWheel::SlotStart(int level, int slot) const {
  const int shift = kBits * level;
  const int high = shift + kBits;  // Digits at and above this bit come from now_.
  const Tick prefix = high >= 64 ? 0 : (now_ >> high) << high;
  return prefix | (static_cast<Tick>(slot) << shift);
}

bool TimingWheel::EarliestSlot(int* level, int* slot, Tick* start) const {
  // A lower level's slots all start before the next slot of any higher level, but taking the
  // minimum does not rely on that.
  bool found = false;
  for (int l = 0; l < kLevels; ++l) {
    if (occupied_[l] == 0) continue;
    const int s = std::countr_zero(occupied_[l]);
    const Tick t = SlotStart(l, s);
    if (!found || t < *start) {
      found = true;
      *level = l;
      *slot = s;
      *start = t;
    }
  }
  return found;
}

void TimingWheel::Place(uint32_t index) {
  Node& node = nodes_[index];
  CHECK_GT(node.deadline, now_);
  const int level = (63 - std::countl_zero(node.deadline ^ now_)) / kBits;
  const int slot = static_cast<int>((node.deadline >> (kBits * level)) & (kSlots - 1));
  CHECK_GT(slot, static_cast<int>((now_ >> (kBits * level)) & (kSlots - 1)));
  node.next = heads_[level][slot];
  heads_[level][slot] = index;
  occupied_[level] |= uint64_t{1} << slot;
}

void TimingWheel::PushDue(uint32_t index) {
  due_.push_back({nodes_[index].deadline, nodes_[index].seq, index});
  std::push_heap(due_.begin(), due_.end());
}

}  // namespace cordis
