// A version vector: for each origin replica, the highest sequence number seen from it. Under causal
// delivery every origin's ops arrive in order, so "seen (r, s)" is exactly "s <= vv[r]". Small
// clusters keep it inline (no heap allocation up to 4 replicas).
#pragma once

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "core/crdt/dot.h"

namespace cordis {

class VersionVector {
 public:
  using Entry = std::pair<ReplicaId, uint64_t>;

  uint64_t Get(ReplicaId r) const {
    for (const auto& e : entries_)
      if (e.first == r) return e.second;
    return 0;
  }

  bool Covers(const Dot& d) const { return d.seq != 0 && d.seq <= Get(d.replica); }

  // Causal delivery: an op with this dot and context can be applied now (it is its origin's next
  // op and everything it had seen is here).
  bool CanDeliver(const Dot& dot, const VersionVector& ctx) const {
    return Get(dot.replica) + 1 == dot.seq && Dominates(ctx);
  }

  // Raises the entry for r to at least seq.
  void Raise(ReplicaId r, uint64_t seq) {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), r,
                               [](const Entry& e, ReplicaId id) { return e.first < id; });
    if (it != entries_.end() && it->first == r) {
      it->second = std::max(it->second, seq);
    } else {
      entries_.insert(it, Entry{r, seq});
    }
  }

  // Lowers the entry for r to at most seq (0 removes it).
  void Lower(ReplicaId r, uint64_t seq) {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), r,
                               [](const Entry& e, ReplicaId id) { return e.first < id; });
    if (it == entries_.end() || it->first != r || it->second <= seq) return;
    if (seq == 0) {
      entries_.erase(it);
    } else {
      it->second = seq;
    }
  }

  void Merge(const VersionVector& other) {
    for (const auto& e : other.entries_) Raise(e.first, e.second);
  }

  // True if every entry of other is <= ours.
  bool Dominates(const VersionVector& other) const {
    for (const auto& e : other.entries_)
      if (Get(e.first) < e.second) return false;
    return true;
  }

  const absl::InlinedVector<Entry, 4>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  void Clear() { entries_.clear(); }

  friend bool operator==(const VersionVector&, const VersionVector&) = default;
  friend std::ostream& operator<<(std::ostream& os, const VersionVector& vv) {
    os << "{";
    for (const auto& e : vv.entries_) os << e.first << ":" << e.second << " ";
    return os << "}";
  }

 private:
  absl::InlinedVector<Entry, 4> entries_;  // sorted by replica id
};

}  // namespace cordis
