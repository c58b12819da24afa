// Key-level conflict rows of docs/semantics.md, each as a hand-written concurrent history applied
// in every delivery order.
#include "core/keyspace/keyspace.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "core/crdt/lww_string.h"
#include "core/crdt/or_set.h"
#include "core/crdt/rga_list.h"

namespace cordis {
namespace {

struct TestOp {
  Op op;
  VersionVector ctx;
  std::string value;
};

// Builds an op from replica r with sequence seq, time hlc, having seen `seen` before it.
TestOp Make(ReplicaId r, uint64_t seq, uint64_t hlc, VersionVector seen) {
  TestOp t;
  t.ctx = std::move(seen);
  t.op.dot = Dot{r, seq};
  t.op.stamp = Stamp{hlc, r};
  t.op.key = "k";
  return t;
}

VersionVector Saw(std::initializer_list<std::pair<ReplicaId, uint64_t>> entries) {
  VersionVector vv;
  for (auto [r, s] : entries) vv.Raise(r, s);
  return vv;
}

// Applies ops in every order that respects causality (an op after everything its ctx covers)
// and returns the observations, which must all be equal.
std::vector<std::string> AllOrders(std::vector<TestOp>& ops,
                                   const std::function<std::string(Keyspace&)>& observe) {
  std::vector<size_t> order(ops.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::vector<std::string> seen;
  do {
    bool causal = true;
    for (size_t i = 0; i < order.size() && causal; ++i) {
      for (size_t j = i + 1; j < order.size(); ++j) {
        if (ops[order[i]].ctx.Covers(ops[order[j]].op.dot)) causal = false;
      }
    }
    if (!causal) continue;
    Keyspace ks(1);
    VersionVector nothing_stable;
    for (size_t i : order) {
      ops[i].op.ctx = &ops[i].ctx;
      if (auto* a = std::get_if<delta::StrAssign>(&ops[i].op.payload)) a->value = ops[i].value;
      ks.Apply(ops[i].op, nothing_stable);
    }
    seen.push_back(observe(ks));
  } while (std::next_permutation(order.begin(), order.end()));
  return seen;
}

void ExpectAllEqual(const std::vector<std::string>& v, const std::string& expected) {
  ASSERT_FALSE(v.empty());
  for (const std::string& s : v) EXPECT_EQ(s, expected);
}

std::string TypeAndValue(Keyspace& ks) {
  KeyEntry* e = ks.FindEntry("k");
  if (e == nullptr || e->value == nullptr) return "none";
  std::string out(ValueTypeName(e->value->type()));
  if (e->value->type() == ValueType::kString) {
    std::string scratch;
    out += ":" + std::string(static_cast<StringValue*>(e->value)->Get(&scratch));
  }
  return out;
}

std::string Expiry(Keyspace& ks) {
  KeyEntry* e = ks.FindEntry("k");
  if (e == nullptr || e->value == nullptr) return "none";
  auto at = ks.ExpireAtMs(e);
  return at ? std::to_string(*at) : "persist";
}

TEST(KeyspaceSemantics, ConcurrentTypesGreaterStampDecides) {
  // Replica 1 SETs k (time 10) while replica 2 SADDs to k (time 20): the set wins everywhere.
  std::vector<TestOp> ops;
  ops.push_back(Make(1, 1, 10, {}));
  ops.back().op.clear_key = true;
  ops.back().value = "v";
  ops.back().op.payload = delta::StrAssign{};
  ops.push_back(Make(2, 1, 20, {}));
  ops.back().op.payload = delta::SetAdd{{"x"}};
  ExpectAllEqual(AllOrders(ops, TypeAndValue), "set");
  // With the clocks the other way round, the string wins.
  ops[0].op.stamp.hlc = 30;
  ExpectAllEqual(AllOrders(ops, TypeAndValue), "string:v");
}

TEST(KeyspaceSemantics, DelKeepsConcurrentWrite) {
  // 1 adds x; 2 saw it and DELs; 3 concurrently adds y. Result: {y}.
  std::vector<TestOp> ops;
  ops.push_back(Make(1, 1, 10, {}));
  ops.back().op.payload = delta::SetAdd{{"x"}};
  ops.push_back(Make(2, 1, 20, Saw({{1, 1}})));
  ops.back().op.clear_key = true;
  ops.push_back(Make(3, 1, 15, {}));
  ops.back().op.payload = delta::SetAdd{{"y"}};
  auto members = [](Keyspace& ks) {
    KeyEntry* e = ks.FindEntry("k");
    if (e == nullptr || e->value == nullptr) return std::string("none");
    std::vector<std::string> m;
    static_cast<SetValue*>(e->value)->ForEach([&](std::string_view s) { m.emplace_back(s); });
    std::sort(m.begin(), m.end());
    std::string out;
    for (auto& s : m) out += s + ",";
    return out;
  };
  ExpectAllEqual(AllOrders(ops, members), "y,");
}

TEST(KeyspaceSemantics, SetOverwritesWhatItSawOnly) {
  // 1 SADDs x; 2 saw it and SETs k; 3 concurrently SADDs y with an older clock: the string is
  // visible (greater stamp) and the unseen set element stays hidden underneath.
  std::vector<TestOp> ops;
  ops.push_back(Make(1, 1, 10, {}));
  ops.back().op.payload = delta::SetAdd{{"x"}};
  ops.push_back(Make(2, 1, 20, Saw({{1, 1}})));
  ops.back().op.clear_key = true;
  ops.back().value = "s";
  ops.back().op.payload = delta::StrAssign{};
  ops.push_back(Make(3, 1, 15, {}));
  ops.back().op.payload = delta::SetAdd{{"y"}};
  ExpectAllEqual(AllOrders(ops, TypeAndValue), "string:s");
}

TestOp Expire(ReplicaId r, uint64_t seq, uint64_t hlc, VersionVector seen, int64_t at) {
  TestOp t = Make(r, seq, hlc, std::move(seen));
  t.op.payload = delta::ExpireOnly{};
  t.op.expire = at;
  return t;
}

TEST(KeyspaceSemantics, ConcurrentExpiresLongestWins) {
  std::vector<TestOp> ops;
  ops.push_back(Make(1, 1, 10, {}));
  ops.back().value = "v";
  ops.back().op.payload = delta::StrAssign{};
  ops.push_back(Expire(2, 1, 20, Saw({{1, 1}}), 5000));
  ops.push_back(Expire(3, 1, 21, Saw({{1, 1}}), 9000));
  ExpectAllEqual(AllOrders(ops, Expiry), "9000");
}

TEST(KeyspaceSemantics, PersistBeatsConcurrentExpire) {
  std::vector<TestOp> ops;
  ops.push_back(Make(1, 1, 10, {}));
  ops.back().value = "v";
  ops.back().op.payload = delta::StrAssign{};
  ops.push_back(Expire(1, 2, 11, Saw({{1, 1}}), 5000));
  ops.push_back(Expire(2, 1, 20, Saw({{1, 2}}), kPersistMs));  // PERSIST that saw the EXPIRE
  ops.push_back(Expire(3, 1, 30, Saw({{1, 2}}), 9000));        // concurrent EXPIRE
  ExpectAllEqual(AllOrders(ops, Expiry), "persist");
}

TEST(KeyspaceSemantics, ExpireThatSawAnEarlierOneReplacesIt) {
  std::vector<TestOp> ops;
  ops.push_back(Make(1, 1, 10, {}));
  ops.back().value = "v";
  ops.back().op.payload = delta::StrAssign{};
  ops.push_back(Expire(1, 2, 11, Saw({{1, 1}}), 9000));
  ops.push_back(Expire(2, 1, 20, Saw({{1, 2}}), 5000));  // shorter, but it saw the longer one
  ExpectAllEqual(AllOrders(ops, Expiry), "5000");
}

TEST(KeyspaceSemantics, ExpireConcurrentWithDeleteMeetsALaterWrite) {
  // 2 EXPIREs k while 3 DELs it (both saw 1's SET); 4 then writes k having seen only the DEL.
  // Wherever the EXPIRE lands, the new value carries its deadline.
  std::vector<TestOp> ops;
  ops.push_back(Make(1, 1, 10, {}));
  ops.back().value = "v";
  ops.back().op.payload = delta::StrAssign{};
  ops.push_back(Expire(2, 1, 20, Saw({{1, 1}}), 7000));
  ops.push_back(Make(3, 1, 21, Saw({{1, 1}})));
  ops.back().op.clear_key = true;
  ops.push_back(Make(4, 1, 30, Saw({{1, 1}, {3, 1}})));
  ops.back().value = "w";
  ops.back().op.payload = delta::StrAssign{};
  auto obs = [](Keyspace& ks) { return TypeAndValue(ks) + "@" + Expiry(ks); };
  ExpectAllEqual(AllOrders(ops, obs), "string:w@7000");
}

TEST(KeyspaceSemantics, ListTombstonesOfAReplicasFirstOpWaitUntilThatOpIsStable) {
  // Replica 1 pushed a (1:1, time 10), then wrote elsewhere (1:2); replica 3 pushed x at the head
  // (3:1, time 15). Replica 2's first op ever DELs k having seen only a; replica 1, not having
  // seen that DEL, pushes b after a (1:3, time 30). The list reads x b.
  VersionVector none, saw_a = Saw({{1, 1}}), saw_more = Saw({{1, 2}});
  Op push_a, push_x, del, push_b;
  push_a.dot = Dot{1, 1};
  push_a.stamp = Stamp{10, 1};
  push_a.ctx = &none;
  push_a.payload = delta::ListInsert{std::nullopt, {"a"}};
  push_x.dot = Dot{3, 1};
  push_x.stamp = Stamp{15, 3};
  push_x.ctx = &saw_a;
  push_x.payload = delta::ListInsert{std::nullopt, {"x"}};
  del.dot = Dot{2, 1};
  del.stamp = Stamp{20, 2};
  del.ctx = &saw_a;
  del.clear_key = true;
  push_b.dot = Dot{1, 3};
  push_b.stamp = Stamp{30, 1};
  push_b.ctx = &saw_more;
  push_b.payload = delta::ListInsert{ElemId{Dot{1, 1}, 0}, {"b"}};
  for (Op* op : {&push_a, &push_x, &del, &push_b}) op->key = "k";
  // Replica 3 applies them in this order. Replica 1's first two ops are stable (everyone has
  // them), the DEL is not (replica 1 has not seen it), so a's tombstone must stay for b.
  const VersionVector stable = Saw({{1, 2}});
  Keyspace ks(1);
  ks.Apply(push_a, none);
  ks.Apply(push_x, none);
  ks.Apply(del, stable);
  ks.CollectGarbage(stable);
  ks.Apply(push_b, stable);
  KeyEntry* e = ks.FindEntry("k");
  ASSERT_TRUE(e != nullptr && e->value != nullptr && e->value->type() == ValueType::kList);
  EXPECT_EQ(static_cast<ListValue*>(e->value)->Contents(), (std::vector<std::string>{"x", "b"}));
}

}  // namespace
}  // namespace cordis
