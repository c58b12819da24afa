#include "core/crdt/lww_string.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace cordis {
namespace {

// A tiny op factory: each op gets a unique dot and a stamp; ctx is what its origin had seen.
struct Made {
  Op op;
  VersionVector ctx;
  std::string value;
};

Made MakeAssign(ReplicaId r, uint64_t seq, uint64_t hlc, VersionVector ctx, std::string value) {
  Made m;
  m.ctx = std::move(ctx);
  m.value = std::move(value);
  m.op.dot = Dot{r, seq};
  m.op.stamp = Stamp{hlc, r};
  return m;
}

std::string Read(const StringValue& v) {
  std::string scratch;
  return std::string(v.Get(&scratch));
}

void ApplyAssign(StringValue& v, const Made& m) {
  Op op = m.op;
  op.ctx = &m.ctx;
  v.Apply(delta::StrAssign{m.value}, op);
}

void ApplyIncr(StringValue& v, ReplicaId r, uint64_t seq, uint64_t hlc, int64_t d) {
  static VersionVector empty;
  Op op;
  op.dot = Dot{r, seq};
  op.stamp = Stamp{hlc, r};
  op.ctx = &empty;
  v.Apply(delta::CounterAdd{d}, op);
}

TEST(StringValueTest, ConcurrentAssignsConvergeOnGreatestStamp) {
  Made a = MakeAssign(1, 1, 100, {}, "from-1");
  Made b = MakeAssign(2, 1, 100, {}, "from-2");  // same time: replica id breaks the tie
  StringValue x(0), y(0);
  ApplyAssign(x, a);
  ApplyAssign(x, b);
  ApplyAssign(y, b);
  ApplyAssign(y, a);
  EXPECT_EQ(Read(x), "from-2");
  EXPECT_EQ(Read(y), "from-2");
}

TEST(StringValueTest, AssignThatSawAnotherReplacesItWhateverTheClock) {
  Made first = MakeAssign(1, 1, 500, {}, "old");
  VersionVector saw;
  saw.Raise(1, 1);
  Made second = MakeAssign(2, 1, 100, saw, "new");  // lower clock, but causally later
  StringValue v(0);
  ApplyAssign(v, first);
  ApplyAssign(v, second);
  EXPECT_EQ(Read(v), "new");
}

TEST(StringValueTest, ConcurrentIncrementsAllCount) {
  StringValue a(0), b(0);
  ApplyIncr(a, 1, 1, 10, 5);
  ApplyIncr(a, 2, 1, 11, 7);
  ApplyIncr(b, 2, 1, 11, 7);
  ApplyIncr(b, 1, 1, 10, 5);
  EXPECT_EQ(Read(a), "12");
  EXPECT_EQ(Read(b), "12");
}

TEST(StringValueTest, SetKeepsIncrementsItHadNotSeen) {
  // Replica 1 increments (1:1); replica 2 increments concurrently (2:1); replica 1 then SETs 100
  // having seen only its own increment.
  StringValue v(0);
  ApplyIncr(v, 1, 1, 10, 5);
  ApplyIncr(v, 2, 1, 11, 3);
  VersionVector saw;
  saw.Raise(1, 1);
  ApplyAssign(v, MakeAssign(1, 2, 20, saw, "100"));
  EXPECT_EQ(Read(v), "103");
}

TEST(StringValueTest, CompactFoldsStableIncrementsWithoutChangingTheValue) {
  StringValue v(0);
  for (uint64_t s = 1; s <= 5; ++s) ApplyIncr(v, 1, s, s, 2);
  VersionVector stable;
  stable.Raise(1, 3);
  v.Compact(stable);
  EXPECT_EQ(Read(v), "10");
  stable.Raise(1, 5);
  v.Compact(stable);
  EXPECT_EQ(Read(v), "10");
  VersionVector all;
  all.Raise(1, 5);
  v.RemoveObserved(all);
  EXPECT_TRUE(v.Empty());
}

TEST(StringValueTest, FloatIncrementsAreOrderIndependent) {
  auto apply_float = [](StringValue& v, ReplicaId r, uint64_t seq, long double d) {
    static VersionVector empty;
    Op op;
    op.dot = Dot{r, seq};
    op.stamp = Stamp{seq, r};
    op.ctx = &empty;
    v.Apply(delta::FloatAdd{d}, op);
  };
  std::vector<std::tuple<ReplicaId, uint64_t, long double>> incs = {
      {1, 1, 0.1L}, {2, 1, 0.2L}, {3, 1, 1e-17L}, {1, 2, 1e10L}, {2, 2, -0.3L}};
  std::sort(incs.begin(), incs.end());
  std::string first;
  do {
    StringValue v(0);
    for (auto [r, s, d] : incs) apply_float(v, r, s, d);
    if (first.empty()) first = Read(v);
    EXPECT_EQ(Read(v), first);
  } while (std::next_permutation(incs.begin(), incs.end()));
}

TEST(StringValueTest, FormatsLikeRedis) {
  EXPECT_EQ(StringValue::FormatLongDouble(10.5L), "10.5");
  EXPECT_EQ(StringValue::FormatLongDouble(3.0L), "3");
  EXPECT_EQ(StringValue::FormatLongDouble(-0.0L), "0");
  EXPECT_EQ(StringValue::FormatLongDouble(5200.0L), "5200");
  EXPECT_FALSE(StringValue::ParseInt64("01"));
  EXPECT_FALSE(StringValue::ParseInt64("+1"));
  EXPECT_FALSE(StringValue::ParseInt64("-0"));
  EXPECT_FALSE(StringValue::ParseInt64(" 1"));
  EXPECT_EQ(*StringValue::ParseInt64("-9223372036854775808"), INT64_MIN);
  EXPECT_FALSE(StringValue::ParseInt64("9223372036854775808"));
  EXPECT_FALSE(StringValue::ParseLongDouble(" 1.5"));
  EXPECT_FALSE(StringValue::ParseLongDouble("nan"));
  EXPECT_TRUE(StringValue::ParseLongDouble("1e5"));
}

}  // namespace
}  // namespace cordis

