#include "core/crdt/zset.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace cordis {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// An op as a replica recorded it, owning its strings so it can be delivered later elsewhere.
struct Rec {
  enum Kind { kAdd, kIncr, kRem } kind = kAdd;
  Dot dot;
  Stamp stamp;
  VersionVector ctx;
  std::vector<std::pair<double, std::string>> items;  // kAdd
  std::string member;                                 // kIncr
  double delta = 0;                                   // kIncr
  std::vector<std::string> members;                   // kRem
};
using RecPtr = std::shared_ptr<const Rec>;

// One replica: a ZsetValue, its version vector and an HLC-like clock. Ops are applied as the
// keyspace applies them: Apply, then Compact with the stable vector (nothing stable unless the
// test says so; with `single_node` everything this replica has seen is stable).
class Replica {
 public:
  explicit Replica(ReplicaId id, bool single_node = false)
      : id_(id), single_node_(single_node), value_(1234) {}

  RecPtr Add(std::vector<std::pair<double, std::string>> items) {
    auto r = Fresh(Rec::kAdd);
    r->items = std::move(items);
    Deliver(r);
    return r;
  }
  RecPtr Incr(std::string member, double delta) {
    auto r = Fresh(Rec::kIncr);
    r->member = std::move(member);
    r->delta = delta;
    Deliver(r);
    return r;
  }
  RecPtr Rem(std::vector<std::string> members) {
    auto r = Fresh(Rec::kRem);
    r->members = std::move(members);
    Deliver(r);
    return r;
  }
  // Sets the next local stamp (to script LWW outcomes independent of causality).
  void SetClock(uint64_t hlc) { hlc_ = hlc; }

  void Deliver(const RecPtr& r) {
    Op op;
    op.dot = r->dot;
    op.stamp = r->stamp;
    op.ctx = &r->ctx;
    ASSERT_FALSE(vv_.Covers(r->dot));
    switch (r->kind) {
      case Rec::kAdd: {
        delta::ZsetAdd d;
        for (const auto& [s, m] : r->items) d.items.emplace_back(s, m);
        value_.Apply(d, op);
        break;
      }
      case Rec::kIncr:
        value_.Apply(delta::ZsetIncr{r->member, r->delta}, op);
        break;
      case Rec::kRem: {
        delta::ZsetRemove d;
        for (const auto& m : r->members) d.members.push_back(m);
        value_.Apply(d, op);
        break;
      }
    }
    vv_.Raise(r->dot.replica, r->dot.seq);
    hlc_ = std::max(hlc_, r->stamp.hlc);
    value_.Compact(single_node_ ? vv_ : stable_);
    value_.CheckInvariants();
  }
  void Compact(const VersionVector& stable) {
    stable_ = stable;
    value_.Compact(stable);
    value_.CheckInvariants();
  }

  ZsetValue& value() { return value_; }
  const VersionVector& vv() const { return vv_; }
  std::vector<std::pair<std::string, double>> Contents() const { return value_.Contents(); }

 private:
  std::shared_ptr<Rec> Fresh(Rec::Kind kind) {
    auto r = std::make_shared<Rec>();
    r->kind = kind;
    r->dot = Dot{id_, vv_.Get(id_) + 1};
    r->stamp = Stamp{++hlc_, id_};
    r->ctx = vv_;
    return r;
  }

  ReplicaId id_;
  bool single_node_;
  ZsetValue value_;
  VersionVector vv_;
  VersionVector stable_;
  uint64_t hlc_ = 0;
};

using Contents = std::vector<std::pair<std::string, double>>;

bool SameBits(const Contents& a, const Contents& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].first != b[i].first) return false;
    if (std::bit_cast<uint64_t>(a[i].second) != std::bit_cast<uint64_t>(b[i].second)) return false;
  }
  return true;
}

TEST(ZsetValueTest, LocalAddScoreRankRemove) {
  Replica r(1, true);
  EXPECT_TRUE(r.value().Empty());
  r.Add({{3, "c"}, {1, "a"}, {2, "b"}});
  EXPECT_EQ(r.value().size(), 3u);
  EXPECT_EQ(r.value().Score("b"), 2.0);
  EXPECT_EQ(r.value().Score("zz"), std::nullopt);
  EXPECT_EQ(r.value().Rank("a"), 0u);
  EXPECT_EQ(r.value().Rank("c"), 2u);
  r.Add({{0, "c"}});
  EXPECT_EQ(r.value().Rank("c"), 0u);
  EXPECT_EQ(r.Contents(), (Contents{{"c", 0}, {"a", 1}, {"b", 2}}));
  r.Rem({"a", "nosuch"});
  EXPECT_EQ(r.Contents(), (Contents{{"c", 0}, {"b", 2}}));
  r.Rem({"b", "c"});
  EXPECT_TRUE(r.value().Empty());
  EXPECT_EQ(r.value().pending_compaction(), 0u);
}

TEST(ZsetValueTest, SameMemberTwiceInOneAddKeepsTheLast) {
  Replica r(1, true);
  r.Add({{1, "a"}, {5, "a"}});
  EXPECT_EQ(r.Contents(), (Contents{{"a", 5}}));
  EXPECT_EQ(r.value().pending_compaction(), 0u);
}

TEST(ZsetValueTest, NegativeZeroScoresKeepTheirSign) {
  // The CRDT keeps the bits it is given (the ZADD handler decides, as Redis's encodings do).
  Replica r(1, true);
  r.Add({{-0.0, "a"}});
  EXPECT_TRUE(std::signbit(*r.value().Score("a")));
  // A member made by ZINCRBY scores exactly its increment: the base is -0.0, not 0.0.
  r.Incr("b", -0.0);
  EXPECT_TRUE(std::signbit(*r.value().Score("b")));
  r.Incr("c", 0.0);
  EXPECT_FALSE(std::signbit(*r.value().Score("c")));
  r.Incr("a", 0.0);
  EXPECT_FALSE(std::signbit(*r.value().Score("a")));
}

TEST(ZsetValueTest, LocalIncrementsMatchRedisBitForBit) {
  // Redis computes ((0.1 + 0.2) + 0.3); a per-origin partial sum would give 0.1 + (0.2 + 0.3).
  Replica r(1, true);
  r.Add({{0.1, "m"}});
  r.Incr("m", 0.2);
  r.Incr("m", 0.3);
  double want = (0.1 + 0.2) + 0.3;
  EXPECT_EQ(std::bit_cast<uint64_t>(*r.value().Score("m")), std::bit_cast<uint64_t>(want));
  // Single node: everything is stable at once, so increments fold into the register.
  EXPECT_EQ(r.value().pending_compaction(), 0u);
  r.Incr("new", 2.5);
  EXPECT_EQ(r.value().Score("new"), 2.5);
  r.Add({{1, "new"}});
  EXPECT_EQ(r.value().Score("new"), 1.0);
}

TEST(ZsetValueTest, ConcurrentAddsGreatestStampWins) {
  Replica a(1), b(2);
  a.SetClock(100);
  b.SetClock(200);
  auto x = a.Add({{1, "m"}});
  auto y = b.Add({{2, "m"}});
  a.Deliver(y);
  b.Deliver(x);
  EXPECT_EQ(a.Contents(), (Contents{{"m", 2}}));
  EXPECT_EQ(b.Contents(), a.Contents());
  // A later ZADD that saw both replaces both, even with a smaller clock reading on a.
  auto z = a.Add({{7, "m"}});
  b.Deliver(z);
  EXPECT_EQ(a.Contents(), (Contents{{"m", 7}}));
  EXPECT_EQ(b.Contents(), a.Contents());
}

TEST(ZsetValueTest, AddWinsOverConcurrentRemove) {
  Replica a(1), b(2);
  auto base = a.Add({{1, "m"}, {2, "n"}});
  b.Deliver(base);
  auto rem = a.Rem({"m", "n"});
  auto add = b.Add({{5, "m"}});
  a.Deliver(add);
  b.Deliver(rem);
  EXPECT_EQ(a.Contents(), (Contents{{"m", 5}}));
  EXPECT_EQ(b.Contents(), a.Contents());
}

TEST(ZsetValueTest, ConcurrentIncrementsAllCount) {
  Replica a(1), b(2), c(3);
  auto base = a.Add({{10, "m"}});
  b.Deliver(base);
  c.Deliver(base);
  auto i1 = a.Incr("m", 1);
  auto i2 = b.Incr("m", 2);
  auto i3 = c.Incr("m", 4);
  a.Deliver(i3);
  a.Deliver(i2);
  b.Deliver(i1);
  b.Deliver(i3);
  c.Deliver(i2);
  c.Deliver(i1);
  for (Replica* r : {&a, &b, &c}) EXPECT_EQ(r->Contents(), (Contents{{"m", 17}}));
}

TEST(ZsetValueTest, ConcurrentIncrementsOnNewMemberSum) {
  Replica a(1), b(2);
  auto i1 = a.Incr("m", 1.5);
  auto i2 = b.Incr("m", 2);
  a.Deliver(i2);
  b.Deliver(i1);
  EXPECT_EQ(a.Contents(), (Contents{{"m", 3.5}}));
  EXPECT_EQ(b.Contents(), a.Contents());
}

TEST(ZsetValueTest, AddResetsObservedIncrementsKeepsConcurrentOnes) {
  Replica a(1), b(2);
  auto base = a.Add({{10, "m"}});
  b.Deliver(base);
  auto seen = a.Incr("m", 1);
  b.Deliver(seen);
  auto concurrent = a.Incr("m", 100);
  auto set = b.Add({{5, "m"}});  // saw base and +1, not +100
  a.Deliver(set);
  b.Deliver(concurrent);
  EXPECT_EQ(a.Contents(), (Contents{{"m", 105}}));
  EXPECT_EQ(b.Contents(), a.Contents());
}

TEST(ZsetValueTest, RemoveKeepsOnlyUnseenIncrements) {
  Replica a(1), b(2);
  auto base = a.Add({{10, "m"}});
  b.Deliver(base);
  auto rem = a.Rem({"m"});
  auto inc = b.Incr("m", 3);
  a.Deliver(inc);
  b.Deliver(rem);
  // The register and everything the ZREM saw are gone; the member lives on with the increment.
  EXPECT_EQ(a.Contents(), (Contents{{"m", 3}}));
  EXPECT_EQ(b.Contents(), a.Contents());
}

TEST(ZsetValueTest, RemoveObservedKeepsConcurrentWrites) {
  Replica a(1), b(2);
  auto base = a.Add({{1, "x"}, {2, "y"}});
  b.Deliver(base);
  auto add = b.Add({{3, "z"}});
  auto inc = b.Incr("x", 1);
  // a deletes the key having seen only `base`.
  VersionVector del_ctx = a.vv();
  a.value().RemoveObserved(del_ctx);
  a.value().CheckInvariants();
  EXPECT_TRUE(a.value().Empty());
  a.Deliver(add);
  a.Deliver(inc);
  b.value().RemoveObserved(del_ctx);
  b.value().CheckInvariants();
  EXPECT_EQ(a.Contents(), (Contents{{"x", 1}, {"z", 3}}));
  EXPECT_EQ(b.Contents(), a.Contents());
}

TEST(ZsetValueTest, InfinitiesThatWouldMakeNanAreSkippedEverywhere) {
  Replica a(1), b(2);
  auto base = a.Add({{1, "m"}});
  b.Deliver(base);
  auto up = a.Add({{kInf, "m"}});
  auto down = b.Incr("m", -kInf);
  a.Deliver(down);
  b.Deliver(up);
  EXPECT_EQ(a.Contents(), (Contents{{"m", kInf}}));
  EXPECT_EQ(b.Contents(), a.Contents());
}

TEST(ZsetValueTest, MaxStampAndEmpty) {
  Replica a(1), b(2);
  a.SetClock(50);
  b.SetClock(90);
  auto x = a.Add({{1, "x"}});
  EXPECT_EQ(a.value().MaxStamp(), (Stamp{51, 1}));
  auto y = b.Add({{1, "y"}});
  a.Deliver(y);
  EXPECT_EQ(a.value().MaxStamp(), (Stamp{91, 2}));
  auto rem = a.Rem({"y"});
  EXPECT_EQ(a.value().MaxStamp(), (Stamp{51, 1}));
  auto rem2 = a.Rem({"x"});
  EXPECT_TRUE(a.value().Empty());
  EXPECT_EQ(a.value().MaxStamp(), Stamp{});
}

TEST(ZsetValueTest, CompactWithStableKeepsScoresBitForBit) {
  Replica a(1), b(2), c(3);
  std::vector<RecPtr> ops;
  ops.push_back(a.Add({{0.1, "m"}, {1, "n"}}));
  b.Deliver(ops[0]);
  c.Deliver(ops[0]);
  ops.push_back(a.Incr("m", 0.7));
  ops.push_back(b.Incr("m", 0.2));
  ops.push_back(c.Incr("m", 0.3));
  ops.push_back(c.Incr("n", 1e-17));
  ops.push_back(b.Add({{2, "n"}}));
  for (Replica* r : {&a, &b, &c}) {
    for (const RecPtr& op : ops)
      if (!r->vv().Covers(op->dot)) r->Deliver(op);
  }
  Contents before = a.Contents();
  EXPECT_TRUE(SameBits(b.Contents(), before));
  EXPECT_TRUE(SameBits(c.Contents(), before));
  // a compacts everything, b only part, c nothing: the logical state must not move.
  a.Compact(a.vv());
  VersionVector partial;
  partial.Raise(1, 2);
  partial.Raise(3, 1);
  b.Compact(partial);
  EXPECT_EQ(a.value().pending_compaction(), 0u);
  EXPECT_TRUE(SameBits(a.Contents(), before));
  EXPECT_TRUE(SameBits(b.Contents(), before));
  // New concurrent increments after compaction still agree everywhere.
  auto i1 = a.Incr("m", 0.11);
  auto i2 = c.Incr("m", 0.13);
  auto i3 = b.Incr("m", 0.17);
  for (Replica* r : {&a, &b, &c}) {
    for (const RecPtr& op : {i1, i2, i3})
      if (!r->vv().Covers(op->dot)) r->Deliver(op);
  }
  EXPECT_TRUE(SameBits(a.Contents(), b.Contents()));
  EXPECT_TRUE(SameBits(a.Contents(), c.Contents()));
}

TEST(ZsetValueTest, FoldedIncrementsStayBeforeLaterOnes) {
  // b's two +1 become stable and fold; a's later +1e16 (smaller origin id, greater stamp) must
  // still be added after them: 1 + 1 + 1e16, never 1e16 + 1 + 1 (which rounds to 1e16).
  Replica a(1), b(2), fresh(3);
  std::vector<RecPtr> ops = {b.Incr("m", 1), b.Incr("m", 1)};
  for (const RecPtr& op : ops) a.Deliver(op);
  ops.push_back(a.Add({{5, "other"}}));
  b.Deliver(ops[2]);
  // b now knows a saw its increments: with two replicas, 1:1 and 2:2 are causally stable at b.
  VersionVector stable_b;
  stable_b.Raise(1, 1);
  stable_b.Raise(2, 2);
  b.Compact(stable_b);
  EXPECT_EQ(b.value().pending_compaction(), 0u);
  ops.push_back(a.Incr("m", 1e16));
  b.Deliver(ops[3]);
  for (const RecPtr& op : ops) fresh.Deliver(op);
  EXPECT_EQ(fresh.Contents(), (Contents{{"other", 5}, {"m", 1e16 + 2}}));
  EXPECT_TRUE(SameBits(a.Contents(), fresh.Contents()));
  EXPECT_TRUE(SameBits(b.Contents(), fresh.Contents()));
}

// Every causal delivery order of a fixed concurrent history gives the same contents.
TEST(ZsetValueTest, AllDeliveryOrdersConverge) {
  Replica origin_a(1), origin_b(2), origin_c(3);
  auto base = origin_a.Add({{1, "x"}, {2, "y"}, {3, "z"}});
  origin_b.Deliver(base);
  origin_c.Deliver(base);
  std::vector<RecPtr> concurrent = {
      origin_a.Rem({"x", "y"}), origin_a.Incr("z", 0.5),   origin_b.Add({{9, "x"}}),
      origin_b.Incr("y", 0.25), origin_c.Incr("x", 0.125), origin_c.Add({{-1, "w"}, {4, "z"}}),
  };
  // Per-origin order must be kept (causal delivery): sort by dot, permute, skip non-causal ones.
  std::vector<size_t> perm(concurrent.size());
  for (size_t i = 0; i < perm.size(); ++i) perm[i] = i;
  std::optional<Contents> expected;
  int orders = 0;
  do {
    bool causal = true;
    for (size_t i = 0; i < perm.size() && causal; ++i)
      for (size_t j = i + 1; j < perm.size(); ++j) {
        const Dot& first = concurrent[perm[i]]->dot;
        const Dot& later = concurrent[perm[j]]->dot;
        if (first.replica == later.replica && first.seq > later.seq) causal = false;
      }
    if (!causal) continue;
    Replica r(9);
    r.Deliver(base);
    for (size_t i : perm) r.Deliver(concurrent[i]);
    if (!expected) {
      expected = r.Contents();
    } else {
      EXPECT_TRUE(SameBits(r.Contents(), *expected));
    }
    ++orders;
  } while (std::next_permutation(perm.begin(), perm.end()));
  EXPECT_EQ(orders, 90);
  EXPECT_EQ(*expected, (Contents{{"w", -1}, {"y", 0.25}, {"z", 4.5}, {"x", 9.125}}));
}

}  // namespace
}  // namespace cordis
