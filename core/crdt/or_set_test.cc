#include "core/crdt/or_set.h"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "core/base/prng.h"
#include "gtest/gtest.h"

namespace cordis {
namespace {

// An op as it travels between replicas: it owns its members and its causal context.
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
  switch (r.kind) {
    case Rec::kAdd:
      s.Apply(delta::SetAdd{views}, op);
      break;
    case Rec::kRemove:
      s.Apply(delta::SetRemove{views}, op);
      break;
    case Rec::kClear:
      s.RemoveObserved(r.ctx);
      break;
  }
}

struct Replica {
  explicit Replica(ReplicaId id, uint64_t seed = 42) : id(id), set(seed) {}

  Rec Make(Rec::Kind kind, std::vector<std::string> members, uint64_t hlc) {
    Rec r{kind, Dot{id, vv.Get(id) + 1}, Stamp{hlc, id}, vv, std::move(members)};
    Deliver(r);
    return r;
  }
  void Deliver(const Rec& r) {
    ApplyRec(set, r);
    vv.Raise(r.dot.replica, r.dot.seq);
  }
  std::set<std::string> Contents() const {
    std::set<std::string> out;
    set.ForEach([&](std::string_view m) { out.emplace(m); });
    return out;
  }

  ReplicaId id;
  VersionVector vv;
  SetValue set;
};

using Members = std::set<std::string>;

TEST(OrSetTest, AddRemoveLocally) {
  Replica a(1);
  a.Make(Rec::kAdd, {"x", "y", "z"}, 10);
  EXPECT_EQ(a.set.size(), 3u);
  EXPECT_TRUE(a.set.Contains("y"));
  a.Make(Rec::kRemove, {"y", "nothere"}, 11);
  EXPECT_EQ(a.Contents(), (Members{"x", "z"}));
  a.Make(Rec::kRemove, {"x", "z"}, 12);
  EXPECT_TRUE(a.set.Empty());
}

TEST(OrSetTest, DuplicateMembersInOneOpKeepOneTag) {
  Replica a(1);
  a.Make(Rec::kAdd, {"a", "a", "a", ""}, 10);
  EXPECT_EQ(a.set.size(), 2u);
  EXPECT_EQ(a.set.Find("a")->tags.size(), 1u);
  EXPECT_TRUE(a.set.Contains(""));
}

TEST(OrSetTest, ReAddReplacesObservedTag) {
  Replica a(1);
  a.Make(Rec::kAdd, {"m"}, 10);
  a.Make(Rec::kAdd, {"m"}, 11);
  ASSERT_EQ(a.set.Find("m")->tags.size(), 1u);
  EXPECT_EQ(a.set.Find("m")->tags[0].dot, (Dot{1, 2}));
}

TEST(OrSetTest, AddWinsOverConcurrentRemove) {
  Replica a(1), b(2);
  Rec add = a.Make(Rec::kAdd, {"x"}, 10);
  b.Deliver(add);
  Rec rm = b.Make(Rec::kRemove, {"x"}, 20);  // saw the first add
  Rec readd = a.Make(Rec::kAdd, {"x"}, 15);  // concurrent with the remove
  a.Deliver(rm);
  b.Deliver(readd);
  EXPECT_EQ(a.Contents(), (Members{"x"}));
  EXPECT_EQ(b.Contents(), (Members{"x"}));
  EXPECT_EQ(a.set.Find("x")->tags[0].dot, (Dot{1, 2}));
}

TEST(OrSetTest, RemoveOnlyDropsObservedTags) {
  Replica a(1), b(2), c(3);
  Rec x1 = a.Make(Rec::kAdd, {"x"}, 10);
  Rec x2 = b.Make(Rec::kAdd, {"x"}, 11);  // concurrent add of the same member
  c.Deliver(x1);
  Rec rm = c.Make(Rec::kRemove, {"x"}, 12);  // saw only a's add
  a.Deliver(rm);
  a.Deliver(x2);
  b.Deliver(x1);
  b.Deliver(rm);
  c.Deliver(x2);
  for (Replica* r : {&a, &b, &c}) {
    EXPECT_EQ(r->Contents(), (Members{"x"})) << r->id;
    ASSERT_EQ(r->set.Find("x")->tags.size(), 1u);
    EXPECT_EQ(r->set.Find("x")->tags[0].dot, (Dot{2, 1}));
  }
}

TEST(OrSetTest, ClearKeepsConcurrentAdds) {
  Replica a(1), b(2);
  Rec base = a.Make(Rec::kAdd, {"p", "q"}, 10);
  b.Deliver(base);
  Rec clear = a.Make(Rec::kClear, {}, 20);
  Rec late = b.Make(Rec::kAdd, {"r", "p"}, 15);
  a.Deliver(late);
  b.Deliver(clear);
  EXPECT_EQ(a.Contents(), (Members{"p", "r"}));
  EXPECT_EQ(b.Contents(), (Members{"p", "r"}));
}

TEST(OrSetTest, MaxStampFollowsLiveTags) {
  Replica a(1), b(2);
  Rec x = a.Make(Rec::kAdd, {"x"}, 100);
  EXPECT_EQ(a.set.MaxStamp(), (Stamp{100, 1}));
  Rec y = b.Make(Rec::kAdd, {"y"}, 50);
  a.Deliver(y);
  EXPECT_EQ(a.set.MaxStamp(), (Stamp{100, 1}));
  a.Make(Rec::kRemove, {"x"}, 101);
  EXPECT_EQ(a.set.MaxStamp(), (Stamp{50, 2}));
  EXPECT_FALSE(a.set.Empty());
  a.Make(Rec::kRemove, {"y"}, 102);
  EXPECT_TRUE(a.set.Empty());
  (void)x;
}

TEST(OrSetTest, ThreeReplicasConvergeInEveryOrder) {
  // Concurrent ops from three replicas after a shared start, delivered in all 6 orders.
  Replica origin(9);
  Rec start = origin.Make(Rec::kAdd, {"a", "b", "c"}, 1);
  std::vector<Rec> concurrent;
  {
    Replica r1(1), r2(2), r3(3);
    for (Replica* r : {&r1, &r2, &r3}) r->Deliver(start);
    concurrent.push_back(r1.Make(Rec::kRemove, {"a", "b"}, 10));
    concurrent.push_back(r2.Make(Rec::kAdd, {"a", "d"}, 11));
    concurrent.push_back(r3.Make(Rec::kClear, {}, 12));
  }
  std::vector<int> order{0, 1, 2};
  std::optional<Members> expected;
  do {
    Replica r(7);
    r.Deliver(start);
    for (int i : order) r.Deliver(concurrent[i]);
    if (!expected) expected = r.Contents();
    EXPECT_EQ(r.Contents(), *expected);
    EXPECT_EQ(r.set.MaxStamp(), (Stamp{11, 2}));
  } while (std::next_permutation(order.begin(), order.end()));
  EXPECT_EQ(*expected, (Members{"a", "d"}));
}

TEST(OrSetTest, ScanAndRandomVisitEveryMember) {
  Replica a(1, 7);
  std::vector<std::string> members;
  for (int i = 0; i < 500; ++i) members.push_back("m" + std::to_string(i));
  a.Make(Rec::kAdd, members, 1);
  Members seen;
  uint64_t cursor = 0;
  do {
    cursor = a.set.ScanStep(cursor, [&](std::string_view m) { seen.emplace(m); });
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 500u);
  Prng rng(3);
  Members picked;
  for (int i = 0; i < 5000; ++i) picked.emplace(a.set.RandomMember(rng));
  EXPECT_GT(picked.size(), 450u);
  EXPECT_GT(a.set.MemoryBytes(), 500u * sizeof(SetValue::Node));
}

TEST(OrSetTest, SameSeedSameOrder) {
  Replica a(1, 99), b(2, 99);
  Rec r = a.Make(Rec::kAdd, {"one", "two", "three", "four", "five"}, 1);
  b.Deliver(r);
  std::vector<std::string> oa, ob;
  a.set.ForEach([&](std::string_view m) { oa.emplace_back(m); });
  b.set.ForEach([&](std::string_view m) { ob.emplace_back(m); });
  EXPECT_EQ(oa, ob);
}

}  // namespace
}  // namespace cordis
