// Property: random concurrent histories of the observed-remove set on three replicas, delivered
// in random causal orders, converge; a fresh replica that applies the same ops in log order
// reaches the same state (local apply == remote apply).
#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "core/crdt/or_set.h"
#include "gtest/gtest.h"
#include "tests/support/causal_delivery.h"
// rapidcheck/gtest.h needs gtest declared first.
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

namespace cordis {
namespace {

constexpr int kReplicas = 3;
const char* const kMembers[] = {"a", "b", "c", "d", "e", ""};

struct Rec {
  enum Kind { kAdd, kRemove, kClear } kind;
  Dot dot;
  Stamp stamp;
  VersionVector ctx;
  std::vector<std::string> members;
};

void ApplyRec(SetValue& s, const Rec& r) {
  Op op;
  op.dot = r.dot;
  op.stamp = r.stamp;
  op.ctx = &r.ctx;
  std::vector<std::string_view> views(r.members.begin(), r.members.end());
  if (r.kind == Rec::kAdd) s.Apply(delta::SetAdd{views}, op);
  if (r.kind == Rec::kRemove) s.Apply(delta::SetRemove{views}, op);
  if (r.kind == Rec::kClear) s.RemoveObserved(r.ctx);
}

struct Replica {
  explicit Replica(ReplicaId id) : id(id), set(1234) {}
  ReplicaId id;
  VersionVector vv;
  SetValue set;

  bool CanDeliver(const Rec& r) const { return vv.CanDeliver(r.dot, r.ctx); }
  void Deliver(const Rec& r) {
    ApplyRec(set, r);
    vv.Raise(r.dot.replica, r.dot.seq);
  }
  // Logical state: member -> the dots that keep it (what later removes can observe).
  std::map<std::string, std::set<std::pair<ReplicaId, uint64_t>>> State() const {
    std::map<std::string, std::set<std::pair<ReplicaId, uint64_t>>> out;
    set.ForEach([&](std::string_view m) {
      auto& dots = out[std::string(m)];
      for (const auto& t : set.Find(m)->tags) dots.emplace(t.dot.replica, t.dot.seq);
    });
    return out;
  }
};

struct World {
  std::vector<Rec> log;
  std::vector<std::unique_ptr<Replica>> replicas;
  uint64_t hlc = 1;

  World() {
    for (int i = 0; i < kReplicas; ++i) replicas.push_back(std::make_unique<Replica>(i + 1));
  }

  // One step of the history: (kind, replica, a, b) are small random numbers.
  void Step(int kind, int ri, int a, int b) {
    Replica& r = *replicas[ri % kReplicas];
    if (kind < 4) {
      Rec rec{Rec::kAdd, Dot{r.id, r.vv.Get(r.id) + 1}, Stamp{hlc++, r.id}, r.vv, {}};
      if (kind <= 1) {
        rec.members = {kMembers[a % 6], kMembers[b % 6]};
      } else if (kind == 2) {
        rec.kind = Rec::kRemove;  // like SREM/SPOP: members the replica sees, plus a miss
        r.set.ForEach([&](std::string_view m) {
          if ((a + m.size()) % 2 == 0) rec.members.emplace_back(m);
        });
        rec.members.push_back(kMembers[b % 6]);
      } else {
        rec.kind = Rec::kClear;
      }
      r.Deliver(rec);
      log.push_back(std::move(rec));
    } else {
      // Deliver the a-th deliverable op to the replica, if any.
      std::vector<const Rec*> ready;
      for (const Rec& rec : log)
        if (r.CanDeliver(rec)) ready.push_back(&rec);
      if (!ready.empty()) r.Deliver(*ready[a % ready.size()]);
    }
  }

  void DeliverAll(Replica& r) { testing::DeliverAllCausally(r, log); }
};

RC_GTEST_PROP(OrSetProperty, ConcurrentHistoriesConverge,
              (const std::vector<std::tuple<uint8_t, uint8_t, uint8_t, uint8_t>>& steps)) {
  World w;
  for (const auto& [k, r, a, b] : steps) w.Step(k % 7, r, a, b);
  for (auto& r : w.replicas) w.DeliverAll(*r);
  Replica fresh(99);
  w.DeliverAll(fresh);
  auto expected = fresh.State();
  for (auto& r : w.replicas) {
    RC_ASSERT(r->vv == fresh.vv);
    RC_ASSERT(r->State() == expected);
    RC_ASSERT(r->set.Empty() == fresh.set.Empty());
    if (!fresh.set.Empty()) RC_ASSERT(r->set.MaxStamp() == fresh.set.MaxStamp());
  }
}

RC_GTEST_PROP(OrSetProperty, AddWinsAgainstConcurrentRemove, (uint8_t member, bool remove_first)) {
  // A member added concurrently with a remove (or clear) of it always survives.
  World w;
  w.Step(0, 0, member, member);                // replica 1 adds
  w.Step(4, 1, 0, 0);                          // replica 2 receives it
  w.Step(remove_first ? 2 : 3, 1, 0, member);  // replica 2 removes what it saw
  w.Step(0, 0, member, member);                // replica 1 re-adds concurrently
  for (auto& r : w.replicas) w.DeliverAll(*r);
  for (auto& r : w.replicas) RC_ASSERT(r->set.Contains(kMembers[member % 6]));
}

}  // namespace
}  // namespace cordis
