// A counter whose concurrent increments all count, with observed reset (DEL/SET keep increments
// they had not seen). Increments are kept one by one, tagged with their dot, until every replica
// has seen them (Compact with the stable vector); then they fold into one partial sum per origin.
//
// Sums are taken in a canonical order (origin replica id, then sequence number), so float counters
// give bit-identical results on every replica whatever the arrival order. Integer sums wrap (two's
// complement) identically everywhere; each replica refuses an increment that would overflow its
// own local value, so wrapping happens only when concurrent increments meet.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/base/check.h"
#include "core/crdt/dot.h"
#include "core/crdt/version_vector.h"

namespace cordis {

template <typename T>
class Counter {
 public:
  struct Increment {
    Dot dot;
    uint64_t hlc;
    T delta;
  };
  struct Folded {
    ReplicaId replica;
    uint64_t seq;  // every increment from replica with a lower or equal seq is in `sum`
    uint64_t hlc;  // greatest stamp folded
    T sum;
  };

  void Add(const Dot& dot, uint64_t hlc, T delta) {
    auto it = std::lower_bound(pending_.begin(), pending_.end(), dot,
                               [](const Increment& i, const Dot& d) { return i.dot < d; });
    CHECK(it == pending_.end() || it->dot != dot);
    pending_.insert(it, Increment{dot, hlc, delta});
  }

  // Removes the increments ctx covers.
  void RemoveObserved(const VersionVector& ctx) {
    std::erase_if(pending_, [&](const Increment& i) { return ctx.Covers(i.dot); });
    std::erase_if(folded_, [&](const Folded& f) {
      // Folded increments are stable: every concurrent reset was applied before they folded, so
      // any reset arriving now has seen them all.
      CHECK_GE(ctx.Get(f.replica), f.seq);
      return true;
    });
  }

  // Folds increments every replica has seen into per-origin sums, in sequence order.
  void Compact(const VersionVector& stable) {
    // pending_ is sorted by (replica, seq): once one increment of a replica must stay, all later
    // ones of that replica stay too, so folded sums are always built in sequence order.
    size_t kept = 0;
    bool blocked = false;
    ReplicaId blocked_replica = 0;
    for (size_t i = 0; i < pending_.size(); ++i) {
      const Increment inc = pending_[i];
      bool same_blocked = blocked && blocked_replica == inc.dot.replica;
      if (same_blocked || !stable.Covers(inc.dot)) {
        blocked = true;
        blocked_replica = inc.dot.replica;
        pending_[kept++] = inc;
        continue;
      }
      Folded& f = FoldedFor(inc.dot.replica);
      f.sum = Plus(f.sum, inc.delta);
      f.seq = inc.dot.seq;
      f.hlc = std::max(f.hlc, inc.hlc);  // same replica: the stamp order is the hlc order
    }
    pending_.resize(kept);
  }

  // Each origin's partial sum is built in sequence order from zero (folded increments were
  // added in that same order), then partials are added in replica-id order. Folding therefore
  // never changes the bits of the result.
  T Sum() const {
    T total{};
    size_t p = 0, f = 0;
    while (p < pending_.size() || f < folded_.size()) {
      ReplicaId r = f < folded_.size() ? folded_[f].replica : pending_[p].dot.replica;
      if (p < pending_.size() && pending_[p].dot.replica < r) r = pending_[p].dot.replica;
      T partial{};
      if (f < folded_.size() && folded_[f].replica == r) partial = folded_[f++].sum;
      for (; p < pending_.size() && pending_[p].dot.replica == r; ++p)
        partial = Plus(partial, pending_[p].delta);
      total = Plus(total, partial);
    }
    return total;
  }

  bool empty() const { return pending_.empty() && folded_.empty(); }
  // The greatest stamp among increments, with the writer's replica id so that values of
  // different types written at the same HLC time still order the same way everywhere.
  Stamp MaxStamp() const {
    Stamp m;
    for (const auto& i : pending_) m = std::max(m, Stamp{i.hlc, i.dot.replica});
    for (const auto& f : folded_) m = std::max(m, Stamp{f.hlc, f.replica});
    return m;
  }
  size_t MemoryBytes() const {
    return pending_.capacity() * sizeof(Increment) + folded_.capacity() * sizeof(Folded);
  }
  const std::vector<Increment>& pending() const { return pending_; }
  const std::vector<Folded>& folded() const { return folded_; }

  // Replaces the state with one read from a snapshot. Returns false, changing nothing, unless the
  // invariants hold: valid dots, pending sorted by dot without duplicates, folded sorted by
  // replica without duplicates, and each origin's pending increments after its folded ones.
  bool Restore(std::vector<Increment> pending, std::vector<Folded> folded) {
    for (size_t i = 0; i < pending.size(); ++i) {
      const Dot& d = pending[i].dot;
      if (d.replica == 0 || d.seq == 0) return false;
      if (i > 0 && !(pending[i - 1].dot < d)) return false;
    }
    for (size_t i = 0; i < folded.size(); ++i) {
      if (folded[i].replica == 0 || folded[i].seq == 0) return false;
      if (i > 0 && folded[i - 1].replica >= folded[i].replica) return false;
    }
    size_t f = 0;
    for (const Increment& inc : pending) {
      while (f < folded.size() && folded[f].replica < inc.dot.replica) ++f;
      if (f < folded.size() && folded[f].replica == inc.dot.replica && inc.dot.seq <= folded[f].seq)
        return false;
    }
    pending_ = std::move(pending);
    folded_ = std::move(folded);
    return true;
  }

 private:
  static T Plus(T a, T b) {
    if constexpr (std::is_integral_v<T>) {
      return static_cast<T>(static_cast<std::make_unsigned_t<T>>(a) +
                            static_cast<std::make_unsigned_t<T>>(b));
    } else {
      return a + b;
    }
  }

  Folded& FoldedFor(ReplicaId r) {
    auto it = std::lower_bound(folded_.begin(), folded_.end(), r,
                               [](const Folded& f, ReplicaId id) { return f.replica < id; });
    if (it == folded_.end() || it->replica != r) it = folded_.insert(it, Folded{r, 0, 0, T{}});
    return *it;
  }

  std::vector<Increment> pending_;  // sorted by dot (replica, seq)
  std::vector<Folded> folded_;      // sorted by replica
};

}  // namespace cordis
