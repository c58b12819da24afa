// A hierarchical timing wheel that says which keys' TTLs are due, driven by the `now` the caller
// passes in (no clock of its own).
//
// Why hierarchical: a flat wheel of millisecond slots either needs one slot per millisecond of
// the longest TTL (far too many) or must rescan far-future entries on every turn. Here level L
// has 64 slots of 64^L ms each, so 11 levels cover the whole 64-bit range with 704 slots.
// An entry sits at the level of the highest 6-bit digit in which its deadline differs from now,
// and drops ("cascades") one or more levels each time time reaches its slot, as in the Linux
// kernel and Kafka timer wheels: every entry moves at most 11 times before it is due. One
// occupancy bit per slot (a 64-bit word per level) lets Advance jump straight to the next
// occupied slot, so a clock jump of days costs the entries it touches, not the milliseconds.
//
// Due entries wait in a heap ordered by (deadline, scheduling sequence), which gives deadline
// order with ties in scheduling order, and holds what max_items left for the next call.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace cordis {

class TimingWheel {
 public:
  explicit TimingWheel(int64_t start_ms);

  // Schedules key to fire at at_ms (absolute ms). The same key may be scheduled several times
  // (the caller validates on fire, so stale entries are harmless); deadlines at or before the
  // wheel's current time fire on the next Advance.
  void Schedule(std::string_view key, int64_t at_ms);

  // Moves time to now_ms and appends to *due up to max_items keys whose deadline <= now_ms, in
  // deadline order (ties in scheduling order). Keys beyond max_items stay due and come out on the
  // next call. If now_ms is below the current time, nothing fires and time does not go back.
  // Returns the number appended.
  size_t Advance(int64_t now_ms, size_t max_items, std::vector<std::string>* due);

  // Scheduled entries not yet returned.
  size_t size() const { return nodes_.size() - free_.size(); }

  // A lower bound on the earliest deadline (exact when something is already due or sits at
  // level 0), or INT64_MAX if empty.
  int64_t NextDeadlineHintMs() const;

  // Drops every entry. Time stays where it is.
  void Clear();

 private:
  static constexpr int kBits = 6;
  static constexpr int kSlots = 1 << kBits;
  static constexpr int kLevels = (64 + kBits - 1) / kBits;  // 11: the whole 64-bit range.
  static constexpr uint32_t kNil = UINT32_MAX;

  // Times are kept as int64 ^ 2^63, which orders like int64 but is unsigned, so digits compare.
  using Tick = uint64_t;

  struct Node {
    Tick deadline;
    uint64_t seq;
    uint32_t next;  // Next node in the same slot, or kNil.
    std::string key;
  };
  struct Due {
    Tick deadline;
    uint64_t seq;
    uint32_t node;
    // For std::push_heap as a min-heap on (deadline, seq).
    bool operator<(const Due& o) const {
      return deadline != o.deadline ? deadline > o.deadline : seq > o.seq;
    }
  };

  static Tick ToTick(int64_t ms);
  static int64_t ToMs(Tick t);

  // Where the slot starts: now_'s digits above `level`, `slot` at `level`, zeros below.
  Tick SlotStart(int level, int slot) const;
  // The earliest start of an occupied slot, or false if the wheel holds nothing.
  bool EarliestSlot(int* level, int* slot, Tick* start) const;

  // Puts a node with deadline > now_ into its slot.
  void Place(uint32_t node);
  void PushDue(uint32_t node);

  Tick now_;
  uint64_t next_seq_ = 0;
  std::vector<Node> nodes_;     // Pool; freed nodes are reused through free_.
  std::vector<uint32_t> free_;  // Indices of unused nodes in nodes_.
  std::array<std::array<uint32_t, kSlots>, kLevels> heads_;  // Slot lists, linked by Node::next.
  std::array<uint64_t, kLevels> occupied_;                   // Bit s: slot s is non-empty.
  std::vector<Due> due_;                                     // Heap of due nodes.
};

}  // namespace cordis
