// Tests for ZSetIndex: Redis ordering, ranks and ranges checked against a std::set reference under
// random operations, iteration in both directions, determinism, and scale.
#include "core/crdt/zset_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cordis {
namespace {

using Element = std::pair<double, std::string>;
using ScoreRange = ZSetIndex::ScoreRange;
using LexBound = ZSetIndex::LexBound;

constexpr double kInf = std::numeric_limits<double>::infinity();

// Every element in ascending order, via forward iteration from rank 0.
std::vector<Element> Contents(const ZSetIndex& index) {
  std::vector<Element> out;
  index.ForEachFromRank(0, /*reverse=*/false, [&](double score, std::string_view member) {
    out.emplace_back(score, std::string(member));
    return true;
  });
  return out;
}

bool InScoreRange(double score, const ScoreRange& r) {
  bool above_min = r.min_exclusive ? score > r.min : score >= r.min;
  bool below_max = r.max_exclusive ? score < r.max : score <= r.max;
  return above_min && below_max;
}

bool InLexRange(std::string_view member, const LexBound& min, const LexBound& max) {
  bool above_min = false;
  switch (min.kind) {
    case LexBound::kMinusInf:
      above_min = true;
      break;
    case LexBound::kPlusInf:
      above_min = false;
      break;
    case LexBound::kInclusive:
      above_min = member >= min.value;
      break;
    case LexBound::kExclusive:
      above_min = member > min.value;
      break;
  }
  bool below_max = false;
  switch (max.kind) {
    case LexBound::kMinusInf:
      below_max = false;
      break;
    case LexBound::kPlusInf:
      below_max = true;
      break;
    case LexBound::kInclusive:
      below_max = member <= max.value;
      break;
    case LexBound::kExclusive:
      below_max = member < max.value;
      break;
  }
  return above_min && below_max;
}

// Reference answers for a score range: (first rank inside or size, count inside).
std::pair<size_t, size_t> ReferenceScoreRange(const std::set<Element>& ref, const ScoreRange& r) {
  size_t first = ref.size(), count = 0, rank = 0;
  for (const Element& e : ref) {
    if (InScoreRange(e.first, r)) {
      if (count == 0) first = rank;
      ++count;
    }
    ++rank;
  }
  return {first, count};
}

// A random lex bound over `value` (the bytes must outlive the bound): -, + or, more often, an
// inclusive or exclusive end, as ZRANGEBYLEX arguments come.
// A random member: fewer than `len_bound` bytes drawn from `alphabet`.
std::string RandomMember(std::mt19937_64& rng, std::string_view alphabet, size_t len_bound) {
  std::string s;
  for (size_t len = rng() % len_bound; len > 0; --len)
    s.push_back(alphabet[rng() % alphabet.size()]);
  return s;
}

// Member alphabets with a NUL and a high byte: ordering must be by unsigned bytes.
constexpr std::string_view kBinaryAlphabet("ab\0\xff", 4);
constexpr std::string_view kLexAlphabet("abc\0\x80", 5);

LexBound RandomLexBound(std::mt19937_64& rng, const std::string& value) {
  switch (rng() % 8) {
    case 0:
      return LexBound{LexBound::kMinusInf, {}};
    case 1:
      return LexBound{LexBound::kPlusInf, {}};
    case 2:
    case 3:
    case 4:
      return LexBound{LexBound::kInclusive, value};
    default:
      return LexBound{LexBound::kExclusive, value};
  }
}

// A member made of raw byte values, for binary-safe ordering checks.
std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

TEST(ZSetIndexTest, EmptyIndex) {
  ZSetIndex index;
  EXPECT_EQ(index.size(), 0u);
  EXPECT_TRUE(index.empty());
  EXPECT_EQ(index.MemoryBytes(), 0u);
  EXPECT_EQ(index.CountInRange({-kInf, kInf}), 0u);
  EXPECT_EQ(index.FirstRankInRange({-kInf, kInf}), 0u);
  EXPECT_EQ(index.CountInLex({LexBound::kMinusInf, {}}, {LexBound::kPlusInf, {}}), 0u);
  EXPECT_EQ(index.FirstRankInLex({LexBound::kMinusInf, {}}, {LexBound::kPlusInf, {}}), 0u);
  int calls = 0;
  index.ForEachFromRank(0, false, [&](double, std::string_view) {
    ++calls;
    return true;
  });
  index.ForEachFromRank(0, true, [&](double, std::string_view) {
    ++calls;
    return true;
  });
  EXPECT_EQ(calls, 0);
  index.CheckInvariants();
}

TEST(ZSetIndexTest, OrdersByScoreThenMemberBytes) {
  // Storage for the members; the index only keeps views into it.
  const std::vector<std::string> members = {"b",
                                            "a",
                                            "ab",
                                            "",
                                            "abc",
                                            "B",
                                            Bytes({0}),
                                            Bytes({0, 0}),
                                            Bytes({0x7f}),
                                            Bytes({0x80}),
                                            Bytes({0xff}),
                                            Bytes({'a', 0}),
                                            "z"};
  ZSetIndex index;
  std::set<Element> ref;
  for (const std::string& m : members) {
    index.Insert(1.0, m);
    ref.emplace(1.0, m);
  }
  index.Insert(0.5, members.back());  // a lower score wins over any member
  ref.emplace(0.5, members.back());
  index.Insert(2.0, members[3]);  // "" with a higher score sorts last
  ref.emplace(2.0, members[3]);
  index.CheckInvariants();

  EXPECT_EQ(Contents(index), std::vector<Element>(ref.begin(), ref.end()));
  // Spot checks of Redis's order: prefixes first, bytes compared unsigned.
  EXPECT_LT(index.Rank(1.0, ""), index.Rank(1.0, Bytes({0})));
  EXPECT_LT(index.Rank(1.0, Bytes({0})), index.Rank(1.0, Bytes({0, 0})));
  EXPECT_LT(index.Rank(1.0, "a"), index.Rank(1.0, Bytes({'a', 0})));
  EXPECT_LT(index.Rank(1.0, Bytes({'a', 0})), index.Rank(1.0, "ab"));
  EXPECT_LT(index.Rank(1.0, "ab"), index.Rank(1.0, "abc"));
  EXPECT_LT(index.Rank(1.0, "B"), index.Rank(1.0, "a"));
  EXPECT_LT(index.Rank(1.0, Bytes({0x7f})), index.Rank(1.0, Bytes({0x80})));
  EXPECT_LT(index.Rank(1.0, Bytes({0x80})), index.Rank(1.0, Bytes({0xff})));
  EXPECT_EQ(index.Rank(0.5, "z"), 0u);
  EXPECT_EQ(index.Rank(2.0, ""), index.size() - 1);
}

TEST(ZSetIndexTest, NegativeZeroEqualsZero) {
  ZSetIndex index;
  index.Insert(0.0, "a");
  EXPECT_EQ(index.Rank(-0.0, "a"), 0u);
  index.Erase(-0.0, "a");
  EXPECT_EQ(index.size(), 0u);
}

TEST(ZSetIndexTest, InfiniteScores) {
  ZSetIndex index;
  index.Insert(kInf, "top");
  index.Insert(-kInf, "bottom");
  index.Insert(0, "mid");
  index.Insert(-kInf, "a");
  index.CheckInvariants();
  EXPECT_EQ(index.Rank(-kInf, "a"), 0u);
  EXPECT_EQ(index.Rank(-kInf, "bottom"), 1u);
  EXPECT_EQ(index.Rank(kInf, "top"), 3u);
  EXPECT_EQ(index.At(3), std::make_pair(kInf, std::string_view("top")));

  EXPECT_EQ(index.CountInRange({-kInf, kInf}), 4u);
  EXPECT_EQ(index.CountInRange({-kInf, kInf, true, false}), 2u);
  EXPECT_EQ(index.CountInRange({-kInf, kInf, true, true}), 1u);
  EXPECT_EQ(index.FirstRankInRange({-kInf, kInf, true, true}), 2u);
  EXPECT_EQ(index.CountInRange({kInf, kInf}), 1u);
  EXPECT_EQ(index.FirstRankInRange({kInf, kInf}), 3u);
  EXPECT_EQ(index.CountInRange({-kInf, -kInf}), 2u);

  index.UpdateScore(-kInf, "a", kInf);
  index.CheckInvariants();
  EXPECT_EQ(index.Rank(kInf, "a"), 2u);
  EXPECT_EQ(index.Rank(kInf, "top"), 3u);
}

TEST(ZSetIndexTest, RankAndAtRoundTrip) {
  std::vector<std::string> members;
  for (int i = 0; i < 300; ++i) members.push_back("m" + std::to_string(i));
  ZSetIndex index;
  std::set<Element> ref;
  for (int i = 0; i < 300; ++i) {
    double score = (i * 37) % 11;
    index.Insert(score, members[i]);
    ref.emplace(score, members[i]);
  }
  index.CheckInvariants();
  size_t rank = 0;
  for (const Element& e : ref) {
    EXPECT_EQ(index.Rank(e.first, e.second), rank);
    auto [score, member] = index.At(rank);
    EXPECT_EQ(score, e.first);
    EXPECT_EQ(member, e.second);
    ++rank;
  }
}

TEST(ZSetIndexTest, UpdateScoreInPlaceAndMoving) {
  const std::string a = "a", b = "b", c = "c";
  ZSetIndex index;
  index.Insert(1, a);
  index.Insert(2, b);
  index.Insert(3, c);
  const size_t bytes = index.MemoryBytes();

  index.UpdateScore(2, b, 2.5);  // stays between neighbours
  EXPECT_EQ(index.Rank(2.5, b), 1u);
  index.UpdateScore(2.5, b, 3);  // ties with c, still before it by member
  EXPECT_EQ(index.Rank(3, b), 1u);
  index.UpdateScore(3, b, 10);  // moves to the end
  EXPECT_EQ(index.Rank(10, b), 2u);
  EXPECT_EQ(index.Rank(3, c), 1u);
  index.UpdateScore(10, b, -1);  // moves to the front
  EXPECT_EQ(index.Rank(-1, b), 0u);
  index.UpdateScore(-1, b, -1);  // no-op
  index.CheckInvariants();
  EXPECT_EQ(index.MemoryBytes(), bytes);  // moves within one leaf allocate nothing
  EXPECT_EQ(Contents(index), (std::vector<Element>{{-1, "b"}, {1, "a"}, {3, "c"}}));
}

TEST(ZSetIndexTest, ScoreRangesWithExclusiveBounds) {
  std::vector<std::string> members = {"a", "b", "c", "d", "e", "f"};
  const double scores[] = {1, 2, 2, 3, 4, 5};
  ZSetIndex index;
  for (size_t i = 0; i < members.size(); ++i) index.Insert(scores[i], members[i]);

  EXPECT_EQ(index.CountInRange({2, 3}), 3u);
  EXPECT_EQ(index.FirstRankInRange({2, 3}), 1u);
  EXPECT_EQ(index.CountInRange({2, 3, true, false}), 1u);
  EXPECT_EQ(index.FirstRankInRange({2, 3, true, false}), 3u);
  EXPECT_EQ(index.CountInRange({2, 3, false, true}), 2u);
  EXPECT_EQ(index.CountInRange({2, 3, true, true}), 0u);
  EXPECT_EQ(index.FirstRankInRange({2, 3, true, true}), index.size());
  EXPECT_EQ(index.CountInRange({2, 2}), 2u);
  EXPECT_EQ(index.CountInRange({2, 2, true, false}), 0u);
  EXPECT_EQ(index.CountInRange({2, 2, false, true}), 0u);
  EXPECT_EQ(index.CountInRange({3, 2}), 0u);  // inverted
  EXPECT_EQ(index.FirstRankInRange({3, 2}), index.size());
  EXPECT_EQ(index.CountInRange({-kInf, 1.5}), 1u);
  EXPECT_EQ(index.CountInRange({4.5, kInf}), 1u);
  EXPECT_EQ(index.FirstRankInRange({4.5, kInf}), 5u);
  EXPECT_EQ(index.CountInRange({6, kInf}), 0u);
  EXPECT_EQ(index.FirstRankInRange({6, kInf}), index.size());
  EXPECT_EQ(index.CountInRange({-kInf, 0}), 0u);
  EXPECT_EQ(index.CountInRange({-kInf, kInf}), 6u);
}

TEST(ZSetIndexTest, LexRanges) {
  std::vector<std::string> members = {"a", "b", "c", "d", "e", "ab", "", Bytes({0xff})};
  ZSetIndex index;
  for (const std::string& m : members) index.Insert(0, m);
  // Order: "", a, ab, b, c, d, e, \xff
  const LexBound minus{LexBound::kMinusInf, {}}, plus{LexBound::kPlusInf, {}};
  auto incl = [](std::string_view v) { return LexBound{LexBound::kInclusive, v}; };
  auto excl = [](std::string_view v) { return LexBound{LexBound::kExclusive, v}; };

  EXPECT_EQ(index.CountInLex(minus, plus), 8u);
  EXPECT_EQ(index.FirstRankInLex(minus, plus), 0u);
  EXPECT_EQ(index.CountInLex(incl("a"), incl("b")), 3u);
  EXPECT_EQ(index.FirstRankInLex(incl("a"), incl("b")), 1u);
  EXPECT_EQ(index.CountInLex(excl("a"), excl("b")), 1u);
  EXPECT_EQ(index.FirstRankInLex(excl("a"), excl("b")), 2u);
  EXPECT_EQ(index.CountInLex(incl("b"), plus), 5u);
  EXPECT_EQ(index.CountInLex(minus, excl("b")), 3u);
  EXPECT_EQ(index.CountInLex(incl(""), incl("")), 1u);
  EXPECT_EQ(index.CountInLex(excl(""), plus), 7u);
  EXPECT_EQ(index.CountInLex(incl("c"), incl("c")), 1u);
  EXPECT_EQ(index.CountInLex(incl("c"), excl("c")), 0u);
  EXPECT_EQ(index.CountInLex(incl("d"), incl("b")), 0u);
  EXPECT_EQ(index.FirstRankInLex(incl("d"), incl("b")), index.size());
  EXPECT_EQ(index.CountInLex(incl("bb"), incl("bz")), 0u);
  EXPECT_EQ(index.FirstRankInLex(incl("bb"), incl("bz")), index.size());
  EXPECT_EQ(index.CountInLex(plus, plus), 0u);
  EXPECT_EQ(index.CountInLex(minus, minus), 0u);
  EXPECT_EQ(index.CountInLex(plus, minus), 0u);
  EXPECT_EQ(index.FirstRankInLex(plus, plus), index.size());
  EXPECT_EQ(index.CountInLex(incl(Bytes({0x80})), plus), 1u);  // unsigned byte order
}

TEST(ZSetIndexTest, ForwardAndReverseIteration) {
  std::vector<std::string> members;
  for (int i = 0; i < 50; ++i) members.push_back(std::to_string(100 + i));
  ZSetIndex index;
  for (int i = 0; i < 50; ++i) index.Insert(i / 5, members[i]);
  const std::vector<Element> all = Contents(index);
  ASSERT_EQ(all.size(), 50u);

  for (size_t start : {size_t{0}, size_t{17}, size_t{49}}) {
    std::vector<Element> forward, backward;
    index.ForEachFromRank(start, false, [&](double s, std::string_view m) {
      forward.emplace_back(s, std::string(m));
      return true;
    });
    index.ForEachFromRank(start, true, [&](double s, std::string_view m) {
      backward.emplace_back(s, std::string(m));
      return true;
    });
    EXPECT_EQ(forward, std::vector<Element>(all.begin() + start, all.end()));
    std::vector<Element> expected_backward(all.begin(), all.begin() + start + 1);
    std::reverse(expected_backward.begin(), expected_backward.end());
    EXPECT_EQ(backward, expected_backward);
  }

  // Early stop.
  std::vector<std::string> taken;
  index.ForEachFromRank(10, true, [&](double, std::string_view m) {
    taken.emplace_back(m);
    return taken.size() < 3;
  });
  EXPECT_EQ(taken, (std::vector<std::string>{all[10].second, all[9].second, all[8].second}));

  // Out of range: nothing.
  int calls = 0;
  index.ForEachFromRank(50, false, [&](double, std::string_view) {
    ++calls;
    return true;
  });
  index.ForEachFromRank(50, true, [&](double, std::string_view) {
    ++calls;
    return true;
  });
  EXPECT_EQ(calls, 0);
}

// Random inserts, erases and score updates, checked against a std::set after every operation.
TEST(ZSetIndexTest, RandomOperationsMatchReference) {
  std::mt19937_64 rng(20240611);
  const double score_pool[] = {-kInf, -3, -1, 0, 0, 0.5, 1, 1, 2, 1e300, kInf};
  auto random_score = [&] {
    if (rng() % 4 == 0) return static_cast<double>(static_cast<int64_t>(rng() % 2001) - 1000) / 8;
    return score_pool[rng() % std::size(score_pool)];
  };
  auto random_member = [&] { return RandomMember(rng, kBinaryAlphabet, 5); };

  std::map<std::string, double> scores;  // owns member bytes; map nodes never move
  std::set<Element> ref;
  ZSetIndex index;

  for (int op = 0; op < 20000; ++op) {
    std::string member = random_member();
    auto it = scores.find(member);
    if (it == scores.end()) {
      double score = random_score();
      it = scores.emplace(member, score).first;
      index.Insert(score, it->first);
      ref.emplace(score, member);
    } else if (rng() % 2 == 0) {
      index.Erase(it->second, member);
      ref.erase({it->second, member});
      scores.erase(it);
    } else {
      double new_score = random_score();
      index.UpdateScore(it->second, member, new_score);
      ref.erase({it->second, member});
      ref.emplace(new_score, member);
      it->second = new_score;
    }
    ASSERT_EQ(index.size(), ref.size());

    if (!ref.empty()) {  // a random element's rank, both ways
      size_t rank = rng() % ref.size();
      const Element& e = *std::next(ref.begin(), static_cast<std::ptrdiff_t>(rank));
      ASSERT_EQ(index.Rank(e.first, e.second), rank);
      auto [score, at_member] = index.At(rank);
      ASSERT_EQ(score, e.first);
      ASSERT_EQ(at_member, e.second);
    }

    ScoreRange range{random_score(), random_score(), rng() % 2 == 0, rng() % 2 == 0};
    auto [first, count] = ReferenceScoreRange(ref, range);
    ASSERT_EQ(index.CountInRange(range), count);
    ASSERT_EQ(index.FirstRankInRange(range), first);

    if (op % 100 == 0) {
      index.CheckInvariants();
      ASSERT_EQ(Contents(index), std::vector<Element>(ref.begin(), ref.end()));
    }
  }
  index.CheckInvariants();
}

// All scores equal: lex ranges against a reference over random members and bounds.
TEST(ZSetIndexTest, RandomLexRangesMatchReference) {
  std::mt19937_64 rng(7);
  auto random_string = [&] { return RandomMember(rng, kLexAlphabet, 4); };
  std::set<std::string> members;
  for (int i = 0; i < 150; ++i) members.insert(random_string());
  ZSetIndex index;
  for (const std::string& m : members) index.Insert(3.0, m);

  for (int q = 0; q < 3000; ++q) {
    std::string min_value = random_string(), max_value = random_string();
    LexBound min = RandomLexBound(rng, min_value), max = RandomLexBound(rng, max_value);
    size_t first = members.size(), count = 0, rank = 0;
    for (const std::string& m : members) {
      if (InLexRange(m, min, max)) {
        if (count == 0) first = rank;
        ++count;
      }
      ++rank;
    }
    ASSERT_EQ(index.CountInLex(min, max), count) << q;
    ASSERT_EQ(index.FirstRankInLex(min, max), first) << q;
  }
}

TEST(ZSetIndexTest, SameOperationsBuildSameStructure) {
  std::vector<std::string> members;
  for (int i = 0; i < 1000; ++i) members.push_back("k" + std::to_string(i));
  ZSetIndex a, b;
  for (int i = 0; i < 1000; ++i) {
    a.Insert(i % 7, members[i]);
    b.Insert(i % 7, members[i]);
  }
  for (int i = 0; i < 1000; i += 3) {
    a.Erase(i % 7, members[i]);
    b.Erase(i % 7, members[i]);
  }
  // No randomness: the same operations give the same nodes, so the same memory figure.
  EXPECT_EQ(a.MemoryBytes(), b.MemoryBytes());
  EXPECT_EQ(Contents(a), Contents(b));
  EXPECT_GT(a.MemoryBytes(), a.size() * (sizeof(double) + sizeof(std::string_view)));
}

TEST(ZSetIndexTest, MoveLeavesSourceEmptyAndUsable) {
  const std::string x = "x", y = "y";
  ZSetIndex a;
  a.Insert(1, x);
  ZSetIndex b(std::move(a));
  EXPECT_EQ(b.size(), 1u);
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): moved-from is specified empty
  EXPECT_EQ(a.MemoryBytes(), 0u);
  a.CheckInvariants();
  a.Insert(2, y);
  EXPECT_EQ(a.Rank(2, y), 0u);

  b = std::move(a);
  EXPECT_EQ(b.size(), 1u);
  EXPECT_EQ(b.At(0).second, "y");
  b.CheckInvariants();
  a.CheckInvariants();
  EXPECT_EQ(a.size(), 0u);
}

// 100k elements in and out; with O(log n) operations this takes well under a second.
TEST(ZSetIndexTest, HundredThousandInsertEraseIsFast) {
  constexpr int kCount = 100000;
  std::vector<std::string> members;
  members.reserve(kCount);
  for (int i = 0; i < kCount; ++i) members.push_back("member:" + std::to_string(i));
  std::vector<int> order(kCount);
  for (int i = 0; i < kCount; ++i) order[i] = i;
  std::mt19937_64 rng(42);
  auto shuffle = [&] {  // Fisher-Yates with modulo: identical on every standard library
    for (int i = kCount - 1; i > 0; --i) std::swap(order[i], order[rng() % (i + 1)]);
  };
  auto score_of = [](int i) { return static_cast<double>(i % 1000); };

  ZSetIndex index;
  shuffle();
  for (int i : order) index.Insert(score_of(i), members[i]);
  ASSERT_EQ(index.size(), static_cast<size_t>(kCount));
  index.CheckInvariants();
  // Score i % 1000 then member bytes: "member:0" < "member:1000" < ... within score 0.
  EXPECT_EQ(index.At(0).second, "member:0");
  EXPECT_EQ(index.Rank(0, "member:1000"), 1u);
  EXPECT_EQ(index.CountInRange({10, 19}), 1000u);
  EXPECT_EQ(index.FirstRankInRange({10, 19}), 1000u);

  shuffle();
  for (int n = 0; n < kCount / 2; ++n) index.Erase(score_of(order[n]), members[order[n]]);
  index.CheckInvariants();
  for (int n = kCount / 2; n < kCount; ++n) {
    index.UpdateScore(score_of(order[n]), members[order[n]], -score_of(order[n]));
  }
  index.CheckInvariants();
  for (int n = kCount / 2; n < kCount; ++n) index.Erase(-score_of(order[n]), members[order[n]]);
  EXPECT_EQ(index.size(), 0u);
  index.CheckInvariants();
  // Speed is measured by benchmarks, not asserted here (timed unit tests flake under load).
}

// The sorted model for the large tests: views into member strings owned by a std::map.
using Key = std::pair<double, std::string_view>;

// Checks every query of the index against the sorted model: contents both ways, ranks, At,
// walks from random ranks in both directions, and random score ranges. O(n) per call.
void CheckAgainstModel(const ZSetIndex& index, const std::set<Key>& model, std::mt19937_64& rng) {
  index.CheckInvariants();
  const std::vector<Key> v(model.begin(), model.end());
  ASSERT_EQ(index.size(), v.size());
  std::vector<Key> forward, backward;
  index.ForEachFromRank(0, false, [&](double s, std::string_view m) {
    forward.emplace_back(s, m);
    return true;
  });
  ASSERT_EQ(forward, v);
  if (!v.empty()) {
    index.ForEachFromRank(v.size() - 1, true, [&](double s, std::string_view m) {
      backward.emplace_back(s, m);
      return true;
    });
    ASSERT_EQ(backward, std::vector<Key>(v.rbegin(), v.rend()));
  }
  for (int q = 0; q < 40 && !v.empty(); ++q) {
    size_t rank = rng() % v.size();
    ASSERT_EQ(index.Rank(v[rank].first, v[rank].second), rank);
    ASSERT_EQ(index.At(rank), v[rank]);
    // Walks of up to 80 elements cross leaf boundaries in both directions.
    const size_t limit = 1 + rng() % 80;
    std::vector<Key> walk;
    index.ForEachFromRank(rank, false, [&](double s, std::string_view m) {
      walk.emplace_back(s, m);
      return walk.size() < limit;
    });
    const size_t forward_end = std::min(v.size(), rank + limit);
    ASSERT_EQ(walk, std::vector<Key>(v.begin() + rank, v.begin() + forward_end));
    walk.clear();
    index.ForEachFromRank(rank, true, [&](double s, std::string_view m) {
      walk.emplace_back(s, m);
      return walk.size() < limit;
    });
    const size_t reverse_end = rank + 1 >= limit ? rank + 1 - limit : 0;
    ASSERT_EQ(walk, std::vector<Key>(std::make_reverse_iterator(v.begin() + rank + 1),
                                     std::make_reverse_iterator(v.begin() + reverse_end)));
  }
  for (int q = 0; q < 40; ++q) {
    // Bounds drawn from the stored scores (ties and exact hits) or from anywhere.
    auto bound = [&] {
      if (!v.empty() && rng() % 2 == 0) return v[rng() % v.size()].first;
      return static_cast<double>(static_cast<int64_t>(rng() % 1201) - 100) / 4;
    };
    ScoreRange range{bound(), bound(), rng() % 2 == 0, rng() % 2 == 0};
    auto below_min = [&](const Key& k) {
      return range.min_exclusive ? k.first <= range.min : k.first < range.min;
    };
    auto up_to_max = [&](const Key& k) {
      return range.max_exclusive ? k.first < range.max : k.first <= range.max;
    };
    size_t first = std::partition_point(v.begin(), v.end(), below_min) - v.begin();
    size_t end = std::partition_point(v.begin(), v.end(), up_to_max) - v.begin();
    size_t count = end > first ? end - first : 0;
    ASSERT_EQ(index.CountInRange(range), count);
    ASSERT_EQ(index.FirstRankInRange(range), count > 0 ? first : v.size());
  }
}

// Grows to 40000 elements (more than 32^3, so the tree is at least four levels deep) through
// random inserts, score updates and erases, then shrinks to nothing the same way: every split,
// borrow and merge path at every level runs, checked against a sorted model along the way.
TEST(ZSetIndexTest, LargeRandomOperationsMatchSortedModel) {
  std::mt19937_64 rng(1234);
  auto random_member = [&] { return RandomMember(rng, kBinaryAlphabet, 9); };
  auto random_score = [&] {
    switch (rng() % 16) {
      case 0:
        return -kInf;
      case 1:
        return kInf;
      case 2:
        return -0.0;
      case 3:
        return 7.0;  // a crowd of ties: order decided by member bytes across many leaves
      default:       // ~20 elements per value at full size
        return static_cast<double>(static_cast<int64_t>(rng() % 2001) - 100) / 4;
    }
  };

  std::map<std::string, double> scores;  // owns member bytes; map nodes never move
  std::set<Key> model;
  ZSetIndex index;
  size_t peak = 0;
  int checks = 0;
  for (int phase = 0; phase < 2; ++phase) {
    const bool grow = phase == 0;
    for (int op = 0;; ++op) {
      if (grow ? model.size() >= 40000 : model.empty()) break;
      const uint64_t dice = rng() % 100;
      auto it = scores.end();
      if (!scores.empty() && (grow ? dice < 25 : dice < 90)) {
        it = scores.lower_bound(random_member());  // an existing member, near a random one
        if (it == scores.end()) it = scores.begin();
      }
      if (it == scores.end()) {
        std::string member = random_member();
        if (scores.count(member) != 0) continue;
        double score = random_score();
        it = scores.emplace(member, score).first;
        index.Insert(score, it->first);
        model.emplace(score, it->first);
      } else if (grow ? dice < 10 : dice < 65) {
        index.Erase(it->second, it->first);
        model.erase({it->second, it->first});
        scores.erase(it);
      } else {
        // Half the updates nudge the score (often staying in place), half move it anywhere.
        double new_score =
            rng() % 2 == 0 ? it->second + static_cast<double>(rng() % 3) / 1024 : random_score();
        if (std::isinf(it->second) && std::isinf(new_score) && it->second != new_score) {
          new_score = 0;  // inf + tiny stays inf; keep the model's arithmetic trivial
        }
        index.UpdateScore(it->second, it->first, new_score);
        model.erase({it->second, it->first});
        model.emplace(new_score, it->first);
        it->second = new_score;
      }
      peak = std::max(peak, model.size());
      if (op % 2000 == 0) {
        ASSERT_NO_FATAL_FAILURE(CheckAgainstModel(index, model, rng)) << "phase " << phase;
        ++checks;
      }
    }
    ASSERT_NO_FATAL_FAILURE(CheckAgainstModel(index, model, rng)) << "phase " << phase;
  }
  EXPECT_GE(peak, 40000u);
  EXPECT_GT(checks, 20);
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.MemoryBytes(), 0u);
}

// Ascending and descending runs split only at one end; erasing from either end or strided
// through the set drains nodes in every pattern of borrows and merges.
TEST(ZSetIndexTest, SequentialRunsAndErasePatterns) {
  constexpr int kCount = 5000;
  std::vector<std::string> members;
  for (int i = 0; i < kCount; ++i) members.push_back("m" + std::to_string(i));
  std::mt19937_64 rng(5);
  for (int pattern = 0; pattern < 4; ++pattern) {
    ZSetIndex index;
    std::set<Key> model;
    for (int n = 0; n < kCount; ++n) {
      int i = pattern % 2 == 0 ? n : kCount - 1 - n;  // ascending or descending scores
      index.Insert(i, members[i]);
      model.emplace(i, members[i]);
      if (n % 997 == 0) {
        ASSERT_NO_FATAL_FAILURE(CheckAgainstModel(index, model, rng));
      }
    }
    ASSERT_NO_FATAL_FAILURE(CheckAgainstModel(index, model, rng));
    for (int n = 0; !model.empty(); ++n) {
      Key k;
      switch (pattern) {
        case 0:
          k = *model.begin();  // from the front
          break;
        case 1:
          k = *model.rbegin();  // from the back
          break;
        default: {  // strided through the set: holes everywhere
          size_t rank = (2 * static_cast<size_t>(n)) % model.size();
          k = *std::next(model.begin(), static_cast<std::ptrdiff_t>(rank));
          break;
        }
      }
      index.Erase(k.first, k.second);
      model.erase(k);
      if (n % 997 == 0) {
        ASSERT_NO_FATAL_FAILURE(CheckAgainstModel(index, model, rng));
      }
    }
    ASSERT_NO_FATAL_FAILURE(CheckAgainstModel(index, model, rng));
    EXPECT_EQ(index.MemoryBytes(), 0u);
  }
}

// 20000 members with one score (several levels, where every key ties on score): lex
// ranges and ranks against the sorted members, before and after erasing half of them.
TEST(ZSetIndexTest, LargeLexRangesMatchSortedModel) {
  std::mt19937_64 rng(77);
  auto random_string = [&] { return RandomMember(rng, kLexAlphabet, 9); };
  std::set<std::string> members;
  while (members.size() < 20000) members.insert(random_string());
  ZSetIndex index;
  for (const std::string& m : members) index.Insert(2.5, m);
  std::set<Key> model;
  for (const std::string& m : members) model.emplace(2.5, m);

  for (int round = 0; round < 2; ++round) {
    ASSERT_NO_FATAL_FAILURE(CheckAgainstModel(index, model, rng));
    std::vector<std::string_view> sorted;
    for (const Key& k : model) sorted.push_back(k.second);
    for (int q = 0; q < 2000; ++q) {
      std::string min_value = random_string(), max_value = random_string();
      LexBound min = RandomLexBound(rng, min_value), max = RandomLexBound(rng, max_value);
      size_t first = sorted.size(), count = 0;
      auto lo = std::partition_point(sorted.begin(), sorted.end(), [&](std::string_view m) {
        return !InLexRange(m, min, {LexBound::kPlusInf, {}});
      });
      auto hi = std::partition_point(sorted.begin(), sorted.end(), [&](std::string_view m) {
        return InLexRange(m, {LexBound::kMinusInf, {}}, max);
      });
      if (lo < hi) {
        first = lo - sorted.begin();
        count = hi - lo;
      }
      ASSERT_EQ(index.CountInLex(min, max), count) << round << " " << q;
      ASSERT_EQ(index.FirstRankInLex(min, max), first) << round << " " << q;
    }
    // Erase every other member (in random order) for the second round.
    std::vector<Key> victims;
    size_t i = 0;
    for (const Key& k : model) {
      if (i++ % 2 == 0) victims.push_back(k);
    }
    for (size_t j = victims.size(); j > 1; --j) std::swap(victims[j - 1], victims[rng() % j]);
    for (const Key& k : victims) {
      index.Erase(k.first, k.second);
      model.erase(k);
    }
  }
}

TEST(ZSetIndexDeathTest, CheckedMisuse) {
  const std::string a = "a";
  ZSetIndex index;
  index.Insert(1, a);
  EXPECT_DEATH(index.Insert(1, "a"), "CHECK failed");
  EXPECT_DEATH(index.Erase(2, "a"), "CHECK failed");
  EXPECT_DEATH(index.Erase(1, "b"), "CHECK failed");
  EXPECT_DEATH(index.UpdateScore(2, "a", 3), "CHECK failed");
  EXPECT_DEATH(index.Rank(1, "b"), "CHECK failed");
  EXPECT_DEATH(index.At(1), "CHECK failed");
  EXPECT_DEATH(index.Insert(std::nan(""), "b"), "CHECK failed");
  ZSetIndex empty;
  EXPECT_DEATH(empty.Erase(1, "a"), "CHECK failed");
  EXPECT_DEATH(empty.Rank(1, "a"), "CHECK failed");
}

}  // namespace
}  // namespace cordis
