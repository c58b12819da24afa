// Properties of the sorted-set CRDT (core/crdt/zset.h):
//  - random concurrent histories on three replicas, delivered in random causal orders and
//    compacted with each replica's own view of causal stability, converge bit for bit, and agree
//    with a fresh replica that applies the whole log without ever compacting (local apply ==
//    remote apply, and compaction never changes a score);
//  - on one node (everything stable at once) the scores are exactly Redis's: ZINCRBY adds to the
//    current score, ZADD sets it, ZREM forgets it.
#include <bit>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/crdt/zset.h"
#include "gtest/gtest.h"
#include "tests/support/causal_delivery.h"
// rapidcheck/gtest.h needs gtest declared first.
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

namespace cordis {
namespace {

constexpr int kReplicas = 3;
constexpr double kInf = std::numeric_limits<double>::infinity();
const char* const kMembers[] = {"a", "b", ""};
constexpr int kMemberCount = 3;
const double kScores[] = {0, 1, -1, 0.1, 0.2, 0.3, 1, 1e16, -0.0, kInf, -kInf, 1e-3};
constexpr int kScoreCount = 12;
// Increments whose sums depend on the order they are added in (1e16 + 1 + 1 != 1 + 1 + 1e16).
const double kIncrements[] = {1, 1e16, 1, -1e16, 0.1, 0.2, 0.3, 1e-3, kInf, -kInf};
constexpr int kIncrementCount = 10;

struct Rec {
  enum Kind { kAdd, kIncr, kRemove, kClear } kind;
  Dot dot;
  Stamp stamp;
  VersionVector ctx;
  std::vector<std::pair<double, std::string>> items;  // kAdd; kIncr uses items[0]
  std::vector<std::string> members;                   // kRemove
};

void ApplyRec(ZsetValue& z, const Rec& r) {
  Op op;
  op.dot = r.dot;
  op.stamp = r.stamp;
  op.ctx = &r.ctx;
  switch (r.kind) {
    case Rec::kAdd: {
      delta::ZsetAdd d;
      for (const auto& [s, m] : r.items) d.items.emplace_back(s, m);
      z.Apply(d, op);
      break;
    }
    case Rec::kIncr:
      z.Apply(delta::ZsetIncr{r.items[0].second, r.items[0].first}, op);
      break;
    case Rec::kRemove: {
      delta::ZsetRemove d;
      for (const auto& m : r.members) d.members.push_back(m);
      z.Apply(d, op);
      break;
    }
    case Rec::kClear:
      z.RemoveObserved(r.ctx);
      break;
  }
}

using Contents = std::vector<std::pair<std::string, uint64_t>>;  // member, score bits

Contents Bits(const ZsetValue& z) {
  Contents out;
  for (const auto& [m, s] : z.Contents()) out.emplace_back(m, std::bit_cast<uint64_t>(s));
  return out;
}

struct Replica {
  Replica(ReplicaId id, bool compact) : id(id), compact(compact), z(77) {}
  ReplicaId id;
  bool compact;
  VersionVector vv;
  // What this replica knows each origin had seen: the ctx (plus dot) of the last op it delivered
  // from there. Their pointwise minimum is causally stable: every op still to come from an origin
  // was made after the state we know of, so it has seen everything in the minimum.
  std::map<ReplicaId, VersionVector> known;
  uint64_t hlc = 0;
  ZsetValue z;

  bool CanDeliver(const Rec& r) const { return vv.CanDeliver(r.dot, r.ctx); }
  VersionVector Stable() const {
    VersionVector stable;
    for (ReplicaId r = 1; r <= kReplicas; ++r) {
      uint64_t m = vv.Get(r);
      for (ReplicaId o = 1; o <= kReplicas; ++o)
        if (o != id) m = std::min(m, KnownOf(o).Get(r));
      if (m > 0) stable.Raise(r, m);
    }
    return stable;
  }
  const VersionVector& KnownOf(ReplicaId origin) const {
    static const VersionVector kEmpty;
    auto it = known.find(origin);
    return it == known.end() ? kEmpty : it->second;
  }
  void Deliver(const Rec& r) {
    ApplyRec(z, r);
    vv.Raise(r.dot.replica, r.dot.seq);
    VersionVector k = r.ctx;
    k.Raise(r.dot.replica, r.dot.seq);
    known[r.dot.replica] = k;
    hlc = std::max(hlc, r.stamp.hlc);
    if (compact) z.Compact(Stable());
    z.CheckInvariants();
  }
};

struct World {
  std::vector<Rec> log;
  std::vector<std::unique_ptr<Replica>> replicas;

  World() {
    for (int i = 0; i < kReplicas; ++i) replicas.push_back(std::make_unique<Replica>(i + 1, true));
  }

  // One step: (kind, replica, a, b, skew) are small random numbers. kind: 0-1 ZADD, 2-5 ZINCRBY
  // (increments are where ordering matters), 6 ZREM, 7 DEL, 8-15 deliver one op. Clock skew makes
  // stamps disagree with real time, so LWW outcomes are not just "last applied".
  void Step(int kind, int ri, int a, int b, int skew) {
    Replica& r = *replicas[ri % kReplicas];
    if (kind >= 8) {
      std::vector<const Rec*> ready;
      for (const Rec& rec : log)
        if (r.CanDeliver(rec)) ready.push_back(&rec);
      if (!ready.empty()) r.Deliver(*ready[a % ready.size()]);
      return;
    }
    r.hlc = std::max(r.hlc + 1, static_cast<uint64_t>(skew % 16) * 3);
    Rec rec{Rec::kAdd, Dot{r.id, r.vv.Get(r.id) + 1}, Stamp{r.hlc, r.id}, r.vv, {}, {}};
    std::string m1 = kMembers[a % kMemberCount], m2 = kMembers[b % kMemberCount];
    double s1 = kScores[b % kScoreCount], s2 = kScores[(a + skew) % kScoreCount];
    if (kind <= 1) {
      rec.items = {{s1, m1}, {s2, m2}};
    } else if (kind <= 5) {
      rec.kind = Rec::kIncr;
      s1 = kIncrements[b % kIncrementCount];
      // The origin refuses an increment that makes its own score NaN.
      std::optional<double> cur = r.z.Score(m1);
      if (cur && std::isnan(*cur + s1)) return;
      rec.items = {{s1, m1}};
    } else if (kind == 6) {
      rec.kind = Rec::kRemove;  // like ZREM/ZPOP*: members it sees, plus one maybe missing
      for (const auto& [m, s] : r.z.Contents())
        if ((a + m.size()) % 2 == 0) rec.members.push_back(m);
      rec.members.push_back(m2);
    } else {
      rec.kind = Rec::kClear;
    }
    r.Deliver(rec);
    log.push_back(std::move(rec));
  }

  void DeliverAll(Replica& r) { testing::DeliverAllCausally(r, log); }
};

using Step = std::tuple<uint8_t, uint8_t, uint8_t, uint8_t, uint8_t>;

RC_GTEST_PROP(ZsetProperty, ConcurrentHistoriesConvergeBitForBit, ()) {
  // Long histories: folding needs ops to become stable, which takes many deliveries.
  // Step values are drawn at full size: at small sizes rapidcheck keeps integers near 0, which
  // would mean histories without deliveries.
  auto byte = [](int n) { return rc::gen::inRange<uint8_t>(0, static_cast<uint8_t>(n)); };
  const auto steps = *rc::gen::container<std::vector<Step>>(
      *rc::gen::inRange<size_t>(0, 600),
      rc::gen::resize(100,
                      rc::gen::tuple(byte(16), byte(kReplicas), byte(255), byte(255), byte(255))));
  World w;
  for (const auto& [k, r, a, b, skew] : steps) w.Step(k % 16, r, a, b, skew);
  for (auto& r : w.replicas) w.DeliverAll(*r);
  // Once everything is delivered everywhere, one more compaction round must fold everything
  // the replicas know to be stable, and change nothing visible.
  Replica fresh(99, false);
  w.DeliverAll(fresh);
  Contents expected = Bits(fresh.z);
  for (auto& r : w.replicas) {
    RC_ASSERT(r->vv == fresh.vv);
    RC_ASSERT(Bits(r->z) == expected);
    RC_ASSERT(r->z.Empty() == fresh.z.Empty());
    if (!fresh.z.Empty()) RC_ASSERT(r->z.MaxStamp() == fresh.z.MaxStamp());
  }
  for (auto& r : w.replicas) {
    r->z.Compact(fresh.vv);
    r->z.CheckInvariants();
    RC_ASSERT(Bits(r->z) == expected);
    RC_ASSERT(r->z.pending_compaction() == 0u);
  }
}

RC_GTEST_PROP(ZsetProperty, SingleNodeMatchesRedisArithmetic,
              (const std::vector<std::tuple<uint8_t, uint8_t, uint8_t>>& steps)) {
  // Redis's model: member -> score; ZADD sets, ZINCRBY adds (refusing NaN), ZREM erases.
  std::map<std::string, double> model;
  Replica r(1, false);
  VersionVector stable;
  uint64_t seq = 0;
  for (const auto& [kind, a, b] : steps) {
    std::string m = kMembers[a % kMemberCount];
    double s = kScores[b % kScoreCount];
    Rec rec{Rec::kAdd, Dot{1, seq + 1}, Stamp{seq + 1, 1}, r.vv, {}, {}};
    switch (kind % 3) {
      case 0:
        rec.items = {{s, m}};
        model[m] = s;
        break;
      case 1: {
        auto it = model.find(m);
        double next = (it == model.end() ? -0.0 : it->second) + s;
        if (std::isnan(next)) continue;
        rec.kind = Rec::kIncr;
        rec.items = {{s, m}};
        model[m] = next;
        break;
      }
      default:
        rec.kind = Rec::kRemove;
        rec.members = {m};
        model.erase(m);
        break;
    }
    ++seq;
    ApplyRec(r.z, rec);
    r.vv.Raise(1, seq);
    r.z.Compact(r.vv);  // one node: everything is stable at once
    r.z.CheckInvariants();
    RC_ASSERT(r.z.pending_compaction() == 0u);
  }
  RC_ASSERT(r.z.size() == model.size());
  for (const auto& [m, s] : model) {
    std::optional<double> got = r.z.Score(m);
    RC_ASSERT(got.has_value());
    RC_ASSERT(std::bit_cast<uint64_t>(*got) == std::bit_cast<uint64_t>(s));
  }
}

}  // namespace
}  // namespace cordis
