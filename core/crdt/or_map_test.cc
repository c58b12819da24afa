#include "core/crdt/or_map.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/base/prng.h"
#include "core/crdt/lww_string.h"
#include "core/crdt/or_map_testing.h"
#include "gtest/gtest.h"

namespace cordis {
namespace {

using Rec = testing::HashRec;
using testing::ApplyRec;

using Contents = std::map<std::string, std::string>;

struct Replica {
  explicit Replica(ReplicaId id) : id(id), hash(42) {}

  Rec Make(Rec::Kind kind, std::vector<std::pair<std::string, std::string>> pairs, uint64_t hlc,
           int64_t delta = 0, long double fdelta = 0) {
    Rec r{kind, Dot{id, vv.Get(id) + 1}, Stamp{hlc, id}, vv, std::move(pairs), delta, fdelta};
    Deliver(r);
    return r;
  }
  Rec Set(std::string f, std::string v, uint64_t hlc) {
    return Make(Rec::kSet, {{std::move(f), std::move(v)}}, hlc);
  }
  Rec Del(std::string f, uint64_t hlc) { return Make(Rec::kRemove, {{std::move(f), ""}}, hlc); }
  Rec Incr(std::string f, int64_t d, uint64_t hlc) {
    return Make(Rec::kAdd, {{std::move(f), ""}}, hlc, d);
  }
  Rec IncrFloat(std::string f, long double d, uint64_t hlc) {
    return Make(Rec::kAddFloat, {{std::move(f), ""}}, hlc, 0, d);
  }
  void Deliver(const Rec& r) {
    ApplyRec(hash, r);
    vv.Raise(r.dot.replica, r.dot.seq);
  }
  Contents Get() const {
    Contents out;
    hash.ForEach([&](std::string_view f, std::string_view v) { out.emplace(f, v); });
    return out;
  }
  std::string Value(std::string_view f) const {
    return std::string(hash.Get(f).value_or("<none>"));
  }

  ReplicaId id;
  VersionVector vv;
  HashValue hash;
};

TEST(OrMapTest, SetGetDeleteLocally) {
  Replica a(1);
  a.Make(Rec::kSet, {{"f1", "v1"}, {"f2", "v2"}}, 10);
  EXPECT_EQ(a.Get(), (Contents{{"f1", "v1"}, {"f2", "v2"}}));
  a.Set("f1", "new", 11);
  EXPECT_EQ(a.Value("f1"), "new");
  EXPECT_EQ(a.hash.Find("f1")->regs.size(), 1u);
  a.Del("f2", 12);
  EXPECT_EQ(a.Get(), (Contents{{"f1", "new"}}));
  a.Del("f1", 13);
  EXPECT_TRUE(a.hash.Empty());
}

TEST(OrMapTest, SameFieldTwiceInOneOpLastWins) {
  Replica a(1);
  a.Make(Rec::kSet, {{"f", "a"}, {"f", "b"}}, 10);
  EXPECT_EQ(a.Value("f"), "b");
  EXPECT_EQ(a.hash.Find("f")->regs.size(), 1u);
}

TEST(OrMapTest, ConcurrentSetsGreatestStampWinsAndBothStay) {
  Replica a(1), b(2);
  Rec sa = a.Set("f", "from-a", 20);
  Rec sb = b.Set("f", "from-b", 10);
  a.Deliver(sb);
  b.Deliver(sa);
  EXPECT_EQ(a.Value("f"), "from-a");
  EXPECT_EQ(b.Value("f"), "from-a");
  EXPECT_EQ(a.hash.Find("f")->regs.size(), 2u);
  // An HDEL that saw only b's entry leaves a's: the field survives on both.
  Replica c(3);
  c.Deliver(sb);
  Rec del = c.Del("f", 30);
  a.Deliver(del);
  b.Deliver(del);
  EXPECT_EQ(a.Get(), (Contents{{"f", "from-a"}}));
  EXPECT_EQ(b.Get(), (Contents{{"f", "from-a"}}));
  // A set that saw both collapses them.
  Rec s = a.Set("f", "final", 40);
  b.Deliver(s);
  EXPECT_EQ(b.hash.Find("f")->regs.size(), 1u);
  EXPECT_EQ(b.Value("f"), "final");
}

TEST(OrMapTest, ConcurrentIncrementsAllCount) {
  Replica a(1), b(2);
  Rec base = a.Set("n", "10", 1);
  b.Deliver(base);
  Rec ia = a.Incr("n", 5, 2);
  Rec ib = b.Incr("n", -3, 3);
  EXPECT_EQ(a.Value("n"), "15");
  EXPECT_EQ(b.Value("n"), "7");
  a.Deliver(ib);
  b.Deliver(ia);
  EXPECT_EQ(a.Value("n"), "12");
  EXPECT_EQ(b.Value("n"), "12");
}

TEST(OrMapTest, SetKeepsIncrementsItHadNotSeen) {
  Replica a(1), b(2);
  Rec base = a.Set("n", "10", 1);
  b.Deliver(base);
  Rec seen = a.Incr("n", 1, 2);
  b.Deliver(seen);
  Rec set = b.Set("n", "100", 5);  // saw +1
  Rec unseen = a.Incr("n", 7, 4);  // concurrent with the set
  a.Deliver(set);
  b.Deliver(unseen);
  EXPECT_EQ(a.Value("n"), "107");
  EXPECT_EQ(b.Value("n"), "107");
}

TEST(OrMapTest, IncrementOnMissingFieldStartsAtZero) {
  Replica a(1);
  a.Incr("n", 5, 1);
  EXPECT_EQ(a.Value("n"), "5");
  a.IncrFloat("f", 0.5L, 2);
  EXPECT_EQ(a.Value("f"), "0.5");
  a.IncrFloat("n", 1.25L, 3);
  EXPECT_EQ(a.Value("n"), "6.25");
  a.Incr("z", 0, 4);
  EXPECT_EQ(a.Value("z"), "0");
}

TEST(OrMapTest, FloatIncrementsFormatLikeRedis) {
  Replica a(1);
  a.Set("f", "10.50", 1);
  a.IncrFloat("f", 0.1L, 2);
  EXPECT_EQ(a.Value("f"), "10.6");
  a.IncrFloat("f", -5, 3);
  EXPECT_EQ(a.Value("f"), "5.6");
  a.Set("e", "5.0e3", 4);
  a.IncrFloat("e", 200, 5);
  EXPECT_EQ(a.Value("e"), "5200");
  a.Set("z", "1", 6);
  a.IncrFloat("z", 0.5L, 7);
  a.IncrFloat("z", 0.5L, 8);
  EXPECT_EQ(a.Value("z"), "2");
  a.Incr("z", 3, 9);
  EXPECT_EQ(a.Value("z"), "5");
}

TEST(OrMapTest, NonNumericRegisterHidesConcurrentIncrements) {
  Replica a(1), b(2);
  Rec base = a.Set("f", "1", 1);
  b.Deliver(base);
  Rec text = a.Set("f", "abc", 5);
  Rec inc = b.Incr("f", 2, 3);
  a.Deliver(inc);
  b.Deliver(text);
  EXPECT_EQ(a.Value("f"), "abc");
  EXPECT_EQ(b.Value("f"), "abc");
  // A later set that saw everything clears the hidden increment.
  Rec s = a.Set("f", "7", 6);
  b.Deliver(s);
  EXPECT_EQ(b.Value("f"), "7");
  EXPECT_FALSE(b.hash.Find("f")->has_increments());
}

TEST(OrMapTest, DeleteKeepsUnseenIncrementsOnly) {
  Replica a(1), b(2);
  Rec i1 = a.Incr("n", 1, 1);
  b.Deliver(i1);
  Rec del = b.Del("n", 3);
  Rec i2 = a.Incr("n", 10, 2);
  a.Deliver(del);
  b.Deliver(i2);
  EXPECT_EQ(a.Get(), (Contents{{"n", "10"}}));
  EXPECT_EQ(b.Get(), (Contents{{"n", "10"}}));
}

TEST(OrMapTest, ClearKeepsConcurrentFields) {
  Replica a(1), b(2);
  Rec base = a.Make(Rec::kSet, {{"x", "1"}, {"y", "2"}}, 1);
  b.Deliver(base);
  Rec clear = a.Make(Rec::kClear, {}, 5);
  Rec late = b.Make(Rec::kSet, {{"z", "3"}}, 4);
  Rec inc = b.Incr("x", 1, 6);
  a.Deliver(late);
  a.Deliver(inc);
  b.Deliver(clear);
  EXPECT_EQ(a.Get(), (Contents{{"z", "3"}, {"x", "1"}}));
  EXPECT_EQ(b.Get(), a.Get());
}

TEST(OrMapTest, FloatStepsAreCanonicalInEveryOrder) {
  // Three origins add floats that do not associate; every delivery order gives the same bytes.
  Replica start(9);
  Rec base = start.Set("f", "0.1", 1);
  std::vector<std::vector<Rec>> per_origin(3);
  {
    Replica r1(1), r2(2), r3(3);
    Replica* rs[3] = {&r1, &r2, &r3};
    const long double deltas[3][2] = {{1e-17L, 0.3L}, {1e17L, -1e17L}, {0.7L, 1.0L / 3}};
    for (int i = 0; i < 3; ++i) {
      rs[i]->Deliver(base);
      for (int j = 0; j < 2; ++j)
        per_origin[i].push_back(rs[i]->IncrFloat("f", deltas[i][j], 10 + j));
    }
  }
  std::optional<std::string> expected;
  std::vector<int> order{0, 1, 2};
  do {
    Replica r(7);
    r.Deliver(base);
    for (int i : order)
      for (const Rec& rec : per_origin[i]) r.Deliver(rec);
    if (!expected) expected = r.Value("f");
    EXPECT_EQ(r.Value("f"), *expected);
  } while (std::next_permutation(order.begin(), order.end()));
}

TEST(OrMapTest, CompactFoldsWithoutChangingValues) {
  Replica a(1), b(2);
  Rec s = a.Set("f", "1.5", 1);
  b.Deliver(s);
  std::vector<Rec> ops;
  for (int i = 0; i < 5; ++i) ops.push_back(a.IncrFloat("f", 0.1L, 2 + i));
  for (int i = 0; i < 5; ++i) ops.push_back(b.IncrFloat("f", 1.0L / 7, 2 + i));
  for (const Rec& r : ops) (r.dot.replica == 1 ? b : a).Deliver(r);
  std::string before = a.Value("f");
  EXPECT_EQ(b.Value("f"), before);
  // a folds a prefix of each origin; b folds nothing. Values stay byte-identical.
  VersionVector stable;
  stable.Raise(1, 3);
  stable.Raise(2, 4);
  a.hash.Compact(stable);
  EXPECT_EQ(a.Value("f"), before);
  EXPECT_TRUE(a.hash.Find("f")->counters->log.has_folded());
  // More increments and a set that observed everything behave the same on both.
  Rec more = b.IncrFloat("f", 0.01L, 20);
  a.Deliver(more);
  EXPECT_EQ(a.Value("f"), b.Value("f"));
  a.hash.Compact(a.vv);
  EXPECT_EQ(a.Value("f"), b.Value("f"));
  EXPECT_FALSE(a.hash.Find("f")->counters->log.has_pending());
  Rec reset = a.Set("f", "2", 30);
  b.Deliver(reset);
  EXPECT_EQ(a.Value("f"), "2");
  EXPECT_EQ(b.Value("f"), "2");
}

TEST(OrMapTest, CompactDropsStableLosingRegisters) {
  Replica a(1), b(2);
  Rec sa = a.Set("f", "a", 10);
  Rec sb = b.Set("f", "b", 20);
  a.Deliver(sb);
  EXPECT_EQ(a.hash.Find("f")->regs.size(), 2u);
  a.hash.Compact(a.vv);
  ASSERT_EQ(a.hash.Find("f")->regs.size(), 1u);
  EXPECT_EQ(a.Value("f"), "b");
  (void)sa;
}

TEST(OrMapTest, MaxStampAndEmpty) {
  Replica a(1), b(2);
  a.Set("f", "v", 100);
  EXPECT_EQ(a.hash.MaxStamp(), (Stamp{100, 1}));
  Rec inc = b.Incr("g", 1, 200);
  a.Deliver(inc);
  EXPECT_EQ(a.hash.MaxStamp(), (Stamp{200, 2}));
  a.Del("g", 201);
  EXPECT_EQ(a.hash.MaxStamp(), (Stamp{100, 1}));
  a.Del("f", 202);
  EXPECT_TRUE(a.hash.Empty());
}

TEST(OrMapTest, ScanAndRandomSeeEveryField) {
  Replica a(1);
  std::vector<std::pair<std::string, std::string>> pairs;
  for (int i = 0; i < 300; ++i) pairs.emplace_back("f" + std::to_string(i), std::to_string(i));
  a.Make(Rec::kSet, pairs, 1);
  std::map<std::string, std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = a.hash.ScanStep(cursor,
                             [&](std::string_view f, std::string_view v) { seen.emplace(f, v); });
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 300u);
  EXPECT_EQ(seen["f7"], "7");
  Prng rng(5);
  std::map<std::string, int> picked;
  for (int i = 0; i < 3000; ++i) ++picked[std::string(a.hash.RandomField(rng)->name())];
  EXPECT_GT(picked.size(), 250u);
  EXPECT_GT(a.hash.MemoryBytes(), 300u * sizeof(HashValue::Field));
}

TEST(OrMapTest, ConcurrentIntegerStepsWrap) {
  Replica a(1), b(2);
  Rec base = a.Set("n", "9223372036854775800", 1);
  b.Deliver(base);
  Rec ia = a.Incr("n", 7, 2);
  Rec ib = b.Incr("n", 7, 3);
  a.Deliver(ib);
  b.Deliver(ia);
  EXPECT_EQ(a.Value("n"), "-9223372036854775802");
  EXPECT_EQ(b.Value("n"), a.Value("n"));
}

// What Redis computes for a chain of HINCRBYFLOATs: parse, add, print, at every step.
std::string RedisChain(std::string v, const std::vector<long double>& deltas) {
  for (long double d : deltas)
    v = StringValue::FormatLongDouble(*StringValue::ParseLongDouble(v) + d);
  return v;
}

TEST(OrMapTest, LongFloatChainsMatchRedisStepByStep) {
  // 0.1 three hundred times drifts if summed in one long double; Redis re-rounds every step.
  std::vector<long double> deltas;
  for (int i = 0; i < 300; ++i) deltas.push_back(i % 3 == 2 ? -0.3L : 0.1L * (i % 7 + 1));
  Replica plain(1), compacting(1);
  for (size_t i = 0; i < deltas.size(); ++i) {
    std::vector<long double> prefix(deltas.begin(), deltas.begin() + i + 1);
    plain.IncrFloat("f", deltas[i], i + 1);
    compacting.IncrFloat("f", deltas[i], i + 1);
    compacting.hash.Compact(compacting.vv);  // single node: stable == own vector
    ASSERT_EQ(plain.Value("f"), RedisChain("0", prefix)) << i;
    ASSERT_EQ(compacting.Value("f"), plain.Value("f")) << i;
  }
  EXPECT_FALSE(compacting.hash.Find("f")->counters->log.has_pending());
  EXPECT_EQ(plain.hash.Find("f")->counters->log.pending().size(), 300u);
}

TEST(OrMapTest, LocalIncrementAppliesLast) {
  // Replica a has seen b's increment; its own increment ranks after it, so a's reply is what
  // Redis would compute from the value a showed.
  Replica a(1), b(2);
  Rec base = a.Set("f", "1e17", 1);
  b.Deliver(base);
  Rec ib = b.IncrFloat("f", 0x1p-8L, 2);
  a.Deliver(ib);
  std::string shown = a.Value("f");
  a.IncrFloat("f", 0x1p-8L, 3);
  EXPECT_EQ(a.Value("f"), RedisChain(shown, {0x1p-8L}));
}

TEST(OrMapTest, FoldedIncrementsGoWithTheNextRemove) {
  Replica a(1);
  a.Set("f", "5", 1);
  a.Incr("f", 2, 2);
  a.hash.Compact(a.vv);
  EXPECT_TRUE(a.hash.Find("f")->counters->log.has_folded());
  EXPECT_EQ(a.Value("f"), "7");
  a.Set("f", "1", 3);
  EXPECT_EQ(a.Value("f"), "1");
  EXPECT_EQ(a.hash.Find("f")->counters, nullptr);
  a.Incr("g", 4, 4);
  a.hash.Compact(a.vv);
  a.Del("g", 5);
  EXPECT_EQ(a.hash.Find("g"), nullptr);
}

TEST(OrMapTest, CompactFoldsOnlyAStablePrefix) {
  // r3's +0.5 ranks before r1's +INT64_MAX (r3 knew less), and the two do not commute. Replica r2
  // learns that r1's increment is stable while r3's is not yet: folding it first would apply the
  // steps in another order than the replicas that fold later.
  Replica r1(1), r2(2), r3(3);
  Rec base = r1.Set("f", "1", 1);
  Rec a = r3.IncrFloat("f", 0.5L, 2);  // rank 0
  Rec s = r1.Incr("f", INT64_MAX, 3);  // rank 1
  r2.Deliver(base);
  r2.Deliver(s);
  r2.Deliver(a);
  VersionVector stable;  // r2 knows every replica has seen base and s, not yet a
  stable.Raise(1, 2);
  r2.hash.Compact(stable);
  for (Replica* r : {&r1, &r3}) {
    for (const Rec* rec : {&base, &a, &s}) {
      if (r->vv.Get(rec->dot.replica) < rec->dot.seq) r->Deliver(*rec);
    }
  }
  // One more op on the field makes every replica recompute its value from its internal state.
  Rec touch = r1.Incr("f", 0, 4);
  r2.Deliver(touch);
  r3.Deliver(touch);
  EXPECT_EQ(r1.Value("f"), "9223372036854775808");  // 1.5 + INT64_MAX in long double
  EXPECT_EQ(r2.Value("f"), r1.Value("f"));
  EXPECT_EQ(r3.Value("f"), r1.Value("f"));
}

}  // namespace
}  // namespace cordis
