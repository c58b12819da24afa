#include "core/crdt/rga_list.h"

#include <algorithm>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cordis {
namespace {

using ::testing::ElementsAre;

// One op as it travels between replicas: owns everything the Op's views point into.
struct Rec {
  enum Kind { kInsert, kRemove, kSet, kDel } kind = kInsert;
  Dot dot;
  Stamp stamp;
  VersionVector ctx;
  std::optional<ElemId> after;
  std::vector<std::string> values;
  std::vector<ElemId> ids;
  ElemId set_id;
  std::string set_value;
};

void ApplyRec(ListValue& list, const Rec& r) {
  Op op;
  op.dot = r.dot;
  op.stamp = r.stamp;
  op.ctx = &r.ctx;
  switch (r.kind) {
    case Rec::kInsert: {
      delta::ListInsert d;
      d.after = r.after;
      for (const std::string& v : r.values) d.values.push_back(v);
      list.Apply(d, op);
      break;
    }
    case Rec::kRemove:
      list.Apply(delta::ListRemove{r.ids}, op);
      break;
    case Rec::kSet:
      list.Apply(delta::ListSet{r.set_id, r.set_value}, op);
      break;
    case Rec::kDel:
      list.RemoveObserved(r.ctx);
      break;
  }
}

// A replica of one list key: makes ops from its local state the way the command handlers do,
// applies them locally, and applies ops delivered from other replicas.
class Replica {
 public:
  explicit Replica(ReplicaId id) : id_(id), list_(id) {}

  const ListValue& list() const { return list_; }
  ListValue& list() { return list_; }
  const VersionVector& vv() const { return vv_; }

  Rec LPush(std::vector<std::string> values) {
    Rec r = Begin(Rec::kInsert);
    r.values = std::move(values);
    return Commit(std::move(r));
  }
  Rec RPush(std::vector<std::string> values) {
    Rec r = Begin(Rec::kInsert);
    if (list_.size() > 0) {
      r.after = list_.IdAt(list_.size() - 1);
      r.values = std::move(values);
    } else {
      r.values.assign(values.rbegin(), values.rend());
    }
    return Commit(std::move(r));
  }
  // LINSERT: value before (or after) the live element at index.
  Rec Insert(size_t index, bool before, std::string value) {
    Rec r = Begin(Rec::kInsert);
    if (!before) {
      r.after = list_.IdAt(index);
    } else if (index > 0) {
      r.after = list_.IdAt(index - 1);
    }
    r.values = {std::move(value)};
    return Commit(std::move(r));
  }
  Rec Pop(bool left, size_t count) {
    Rec r = Begin(Rec::kRemove);
    for (size_t i = 0; i < count && i < list_.size(); ++i) {
      r.ids.push_back(list_.IdAt(left ? i : list_.size() - 1 - i));
    }
    return Commit(std::move(r));
  }
  Rec RemoveAt(size_t index) {
    Rec r = Begin(Rec::kRemove);
    r.ids.push_back(list_.IdAt(index));
    return Commit(std::move(r));
  }
  Rec Set(size_t index, std::string value) {
    Rec r = Begin(Rec::kSet);
    r.set_id = list_.IdAt(index);
    r.set_value = std::move(value);
    return Commit(std::move(r));
  }
  Rec Del() { return Commit(Begin(Rec::kDel)); }
  // The physical clock jumps ahead: the next local op gets a much greater stamp.
  void Tick(uint64_t n) { hlc_ += n; }

  void Deliver(const Rec& r) {
    ASSERT_NE(r.dot.replica, id_);
    ASSERT_EQ(vv_.Get(r.dot.replica) + 1, r.dot.seq) << "delivery must be causal";
    ASSERT_TRUE(vv_.Dominates(r.ctx)) << "delivery must be causal";
    hlc_ = std::max(hlc_, r.stamp.hlc);
    ApplyRec(list_, r);
    vv_.Raise(r.dot.replica, r.dot.seq);
  }

 private:
  Rec Begin(Rec::Kind kind) {
    Rec r;
    r.kind = kind;
    r.dot = Dot{id_, vv_.Get(id_) + 1};
    r.stamp = Stamp{++hlc_, id_};
    r.ctx = vv_;
    return r;
  }
  Rec Commit(Rec r) {
    ApplyRec(list_, r);
    vv_.Raise(id_, r.dot.seq);
    return r;
  }

  ReplicaId id_;
  ListValue list_;
  VersionVector vv_;
  uint64_t hlc_ = 0;
};

std::vector<std::string> Values(const ListValue& l) { return l.Contents(); }

TEST(RgaListTest, LPushReversesLikeRedis) {
  Replica a(1);
  a.LPush({"a", "b", "c"});
  EXPECT_THAT(Values(a.list()), ElementsAre("c", "b", "a"));
  a.LPush({"d"});
  EXPECT_THAT(Values(a.list()), ElementsAre("d", "c", "b", "a"));
  EXPECT_EQ(a.list().size(), 4u);
}

TEST(RgaListTest, RPushKeepsOrder) {
  Replica a(1);
  a.RPush({"a", "b", "c"});  // empty list: head inserts of the reversed values
  EXPECT_THAT(Values(a.list()), ElementsAre("a", "b", "c"));
  a.RPush({"d", "e"});  // a chain after the tail
  EXPECT_THAT(Values(a.list()), ElementsAre("a", "b", "c", "d", "e"));
  a.LPush({"z"});
  EXPECT_THAT(Values(a.list()), ElementsAre("z", "a", "b", "c", "d", "e"));
}

TEST(RgaListTest, InsertBeforeAndAfter) {
  Replica a(1);
  a.RPush({"a", "b", "c"});
  a.Insert(1, /*before=*/true, "X");   // before b
  a.Insert(2, /*before=*/false, "Y");  // after b
  a.Insert(0, /*before=*/true, "H");   // before the head
  EXPECT_THAT(Values(a.list()), ElementsAre("H", "a", "X", "b", "Y", "c"));
}

TEST(RgaListTest, PopAndIndexWithTombstones) {
  Replica a(1);
  a.RPush({"0", "1", "2", "3", "4", "5"});
  a.Pop(/*left=*/true, 2);
  a.Pop(/*left=*/false, 1);
  a.RemoveAt(1);  // "3"
  EXPECT_THAT(Values(a.list()), ElementsAre("2", "4"));
  EXPECT_EQ(a.list().tombstone_count(), 4u);  // nothing compacted yet
  EXPECT_EQ(a.list().At(0), "2");
  EXPECT_EQ(a.list().At(1), "4");
  std::vector<std::string> rev;
  a.list().Scan(1, /*reverse=*/true, [&](size_t i, std::string_view v, const ElemId&) {
    EXPECT_EQ(a.list().At(i), v);
    rev.emplace_back(v);
    return true;
  });
  EXPECT_THAT(rev, ElementsAre("4", "2"));
  a.list().Compact(a.vv());  // single node: stable is the own vector
  EXPECT_EQ(a.list().tombstone_count(), 0u);
  EXPECT_THAT(Values(a.list()), ElementsAre("2", "4"));
}

TEST(RgaListTest, LongAndBinaryValues) {
  Replica a(1);
  std::string big(1000, 'x');
  std::string bin("a\0b\r\n", 5);
  a.RPush({"", bin, big, std::string(15, 'y'), std::string(16, 'z')});
  EXPECT_THAT(Values(a.list()),
              ElementsAre("", bin, big, std::string(15, 'y'), std::string(16, 'z')));
  size_t before = a.list().MemoryBytes();
  a.Set(2, "small");
  EXPECT_LT(a.list().MemoryBytes(), before);
  EXPECT_EQ(a.list().At(2), "small");
}

TEST(RgaListTest, ConcurrentLPushesDoNotInterleave) {
  for (int order = 0; order < 2; ++order) {
    Replica a(1), b(2);
    Rec base = a.RPush({"m"});
    b.Deliver(base);
    Rec ra = a.LPush({"a1", "a2"});
    Rec rb = b.LPush({"b1", "b2"});
    if (order == 0) {
      a.Deliver(rb);
      b.Deliver(ra);
    } else {
      b.Deliver(ra);
      a.Deliver(rb);
    }
    // Equal HLCs: the greater replica id is newer and goes first.
    EXPECT_THAT(Values(a.list()), ElementsAre("b2", "b1", "a2", "a1", "m"));
    EXPECT_EQ(a.list().Entries(), b.list().Entries());
  }
}

TEST(RgaListTest, ConcurrentRPushesThreeReplicasAllOrders) {
  std::vector<std::vector<std::string>> results;
  std::vector<int> perm = {0, 1, 2};
  do {
    Replica r1(1), r2(2), r3(3);
    Rec base = r1.RPush({"x", "y"});
    r2.Deliver(base);
    r3.Deliver(base);
    std::vector<Rec> ops = {r1.RPush({"a1", "a2"}), r2.RPush({"b1", "b2"}), r3.RPush({"c1"})};
    Replica* reps[] = {&r1, &r2, &r3};
    // Every replica receives the others' ops in the order given by perm.
    for (Replica* r : reps) {
      for (int i : perm) {
        if (!r->vv().Covers(ops[i].dot)) r->Deliver(ops[i]);
      }
    }
    EXPECT_EQ(r1.list().Entries(), r2.list().Entries());
    EXPECT_EQ(r1.list().Entries(), r3.list().Entries());
    results.push_back(Values(r1.list()));
  } while (std::next_permutation(perm.begin(), perm.end()));
  for (const auto& r : results) EXPECT_EQ(r, results[0]);
  EXPECT_THAT(results[0], ElementsAre("x", "y", "c1", "b1", "b2", "a1", "a2"));
}

TEST(RgaListTest, InsertAfterConcurrentlyRemovedElement) {
  for (int order = 0; order < 2; ++order) {
    Replica a(1), b(2);
    Rec base = a.RPush({"p", "q", "r"});
    b.Deliver(base);
    Rec rm = a.RemoveAt(1);                        // removes q
    Rec ins = b.Insert(1, /*before=*/false, "N");  // after q
    if (order == 0) {
      a.Deliver(ins);
      b.Deliver(rm);
    } else {
      b.Deliver(rm);
      a.Deliver(ins);
    }
    EXPECT_THAT(Values(a.list()), ElementsAre("p", "N", "r"));
    EXPECT_EQ(a.list().Entries(), b.list().Entries());
  }
}

TEST(RgaListTest, ConcurrentLSetGreatestStampWins) {
  for (int order = 0; order < 2; ++order) {
    Replica a(1), b(2);
    Rec base = a.RPush({"v", "w"});
    b.Deliver(base);
    Rec sa = a.Set(0, "from-a");
    Rec sb = b.Set(0, "from-b");  // same HLC, replica 2 wins
    if (order == 0) {
      a.Deliver(sb);
      b.Deliver(sa);
    } else {
      b.Deliver(sa);
      a.Deliver(sb);
    }
    EXPECT_THAT(Values(a.list()), ElementsAre("from-b", "w"));
    EXPECT_EQ(a.list().Entries(), b.list().Entries());
    EXPECT_EQ(a.list().MaxStamp(), sb.stamp);
  }
}

TEST(RgaListTest, LSetOfRemovedElementIsNoOp) {
  for (int order = 0; order < 2; ++order) {
    Replica a(1), b(2);
    Rec base = a.RPush({"v", "w"});
    b.Deliver(base);
    Rec pop = a.Pop(/*left=*/true, 1);
    Rec set = b.Set(0, "new");
    if (order == 0) {
      a.Deliver(set);
      b.Deliver(pop);
    } else {
      b.Deliver(pop);
      a.Deliver(set);
    }
    EXPECT_THAT(Values(a.list()), ElementsAre("w"));
    EXPECT_EQ(a.list().Entries(), b.list().Entries());
  }
}

TEST(RgaListTest, ConcurrentPopsRemoveOnce) {
  Replica a(1), b(2);
  Rec base = a.RPush({"1", "2", "3"});
  b.Deliver(base);
  Rec pa = a.Pop(true, 1);
  Rec pb = b.Pop(true, 2);
  a.Deliver(pb);
  b.Deliver(pa);
  EXPECT_THAT(Values(a.list()), ElementsAre("3"));  // "1" was popped at both (at least once)
  EXPECT_EQ(a.list().Entries(), b.list().Entries());
}

TEST(RgaListTest, RemoveObservedKeepsConcurrentInserts) {
  for (int order = 0; order < 2; ++order) {
    Replica a(1), b(2);
    Rec base = a.RPush({"x", "y"});
    b.Deliver(base);
    Rec del = a.Del();
    Rec push = b.RPush({"z"});  // after y, which a deletes concurrently
    EXPECT_TRUE(a.list().Empty());
    if (order == 0) {
      a.Deliver(push);
      b.Deliver(del);
    } else {
      b.Deliver(del);
      a.Deliver(push);
    }
    EXPECT_THAT(Values(a.list()), ElementsAre("z"));
    EXPECT_EQ(a.list().Entries(), b.list().Entries());
    EXPECT_EQ(a.list().MaxStamp(), push.stamp);
  }
}

TEST(RgaListTest, EmptyAndMaxStamp) {
  Replica a(1);
  EXPECT_TRUE(a.list().Empty());
  EXPECT_EQ(a.list().MaxStamp(), Stamp{});
  Rec p1 = a.RPush({"a"});
  Rec p2 = a.RPush({"b"});
  EXPECT_FALSE(a.list().Empty());
  EXPECT_EQ(a.list().MaxStamp(), p2.stamp);
  a.Pop(/*left=*/false, 1);  // removes the newest element
  EXPECT_EQ(a.list().MaxStamp(), p1.stamp);
  Rec s = a.Set(0, "A");
  EXPECT_EQ(a.list().MaxStamp(), s.stamp);
  a.Pop(/*left=*/true, 1);
  EXPECT_TRUE(a.list().Empty());
  EXPECT_EQ(a.list().MaxStamp(), Stamp{});
}

TEST(RgaListTest, CompactWaitsForStability) {
  Replica a(1), b(2);
  Rec base = a.RPush({"p", "q", "r"});
  b.Deliver(base);
  Rec rm = a.RemoveAt(1);
  // b has not seen the removal: it is not stable, the tombstone stays.
  VersionVector stable;
  stable.Raise(1, base.dot.seq);
  a.list().Compact(stable);
  EXPECT_EQ(a.list().tombstone_count(), 1u);
  // A concurrent insert after the tombstone still finds it.
  Rec ins = b.Insert(1, /*before=*/false, "N");
  a.Deliver(ins);
  b.Deliver(rm);
  stable.Raise(1, rm.dot.seq);
  stable.Raise(2, ins.dot.seq);
  a.list().Compact(stable);
  b.list().Compact(stable);
  EXPECT_EQ(a.list().tombstone_count(), 0u);
  EXPECT_EQ(b.list().tombstone_count(), 0u);
  EXPECT_THAT(Values(a.list()), ElementsAre("p", "N", "r"));
  EXPECT_EQ(a.list().Entries(), b.list().Entries());
}

// The follower rule: a tombstone whose removal is stable stays while its next element is a
// descendant that is not stable yet, because a later insert concurrent with that descendant must
// still stop at the tombstone.
TEST(RgaListTest, CompactKeepsTombstoneBeforeUnstableChild) {
  Replica x(1), y(2), z(3);
  Rec base = x.RPush({"P", "R"});
  y.Deliver(base);
  z.Deliver(base);
  y.Tick(10);                                      // y's clock runs ahead
  Rec child = y.Insert(1, /*before=*/false, "c");  // c after R, at y: newer than N below
  Rec rm = z.RemoveAt(1);                          // R removed at z, concurrently
  // x learns both; z learns the removal only; z then inserts N after P.
  x.Deliver(child);
  x.Deliver(rm);
  Rec n = z.Insert(0, /*before=*/false, "N");
  // At x, the removal of R is stable for the sake of the test, but c is not (z has not seen it).
  VersionVector stable;
  stable.Raise(1, base.dot.seq);
  stable.Raise(3, rm.dot.seq);
  x.list().Compact(stable);
  EXPECT_EQ(x.list().tombstone_count(), 1u);
  x.Deliver(n);
  z.Deliver(child);
  y.Deliver(rm);
  y.Deliver(n);
  EXPECT_EQ(x.list().Entries(), z.list().Entries());
  EXPECT_EQ(x.list().Entries(), y.list().Entries());
  EXPECT_THAT(Values(x.list()), ElementsAre("P", "N", "c"));
}

TEST(RgaListTest, RemoveObservedTombstonesCompactOnSingleNode) {
  Replica a(1);
  a.RPush({"a", "b"});
  a.Del();
  a.RPush({"c"});
  a.list().Compact(a.vv());
  EXPECT_EQ(a.list().tombstone_count(), 0u);
  EXPECT_THAT(Values(a.list()), ElementsAre("c"));
}

TEST(RgaListTest, MissingReferenceFallsBackToHead) {
  // The keyspace drops a list emptied by DEL; an insert that referenced one of its elements then
  // meets a fresh value without the reference.
  Replica a(1), b(2);
  Rec base = a.RPush({"x"});
  b.Deliver(base);
  Rec push = b.RPush({"y", "z"});
  ListValue fresh(7);
  ApplyRec(fresh, push);
  EXPECT_THAT(Values(fresh), ElementsAre("y", "z"));
}

TEST(RgaListTest, QueueWorkloadStaysCompactAndFast) {
  Replica a(1);
  for (int i = 0; i < 200000; ++i) {
    a.LPush({std::to_string(i)});
    if (i % 2 == 1) a.Pop(/*left=*/false, 1);
    a.list().Compact(a.vv());
  }
  EXPECT_EQ(a.list().size(), 100000u);
  EXPECT_EQ(a.list().tombstone_count(), 0u);
  EXPECT_EQ(a.list().At(0), "199999");
  EXPECT_EQ(a.list().At(a.list().size() - 1), "100000");
  while (a.list().size() > 0) {
    a.Pop(/*left=*/true, 1);
    a.list().Compact(a.vv());
  }
  EXPECT_LT(a.list().MemoryBytes(), 1024u);
}

}  // namespace
}  // namespace cordis
