// The Dict against a std::unordered_map model, the SCAN guarantee across resizes, tag and hash
// collisions, and probe runs when nodes arrive in another table's slot order.
#include "core/keyspace/dict.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/base/prng.h"

namespace cordis {
namespace {

struct TestNode {
  uint32_t dict_hash = 0;
  std::string key;
  std::string_view DictKey() const { return key; }
};

using TestDict = Dict<TestNode>;

// Owns the nodes of a TestDict, keyed like the model.
class Harness {
 public:
  explicit Harness(uint64_t seed) : dict(seed) {}
  ~Harness() {
    dict.Clear([](TestNode*) {});
  }

  TestNode* Insert(const std::string& key) { return Insert(key, dict.Hash(key)); }
  TestNode* Insert(const std::string& key, uint64_t hash) {
    auto node = std::make_unique<TestNode>();
    node->key = key;
    TestNode* n = node.get();
    dict.Insert(n, hash);
    nodes[key] = std::move(node);
    return n;
  }
  void Remove(const std::string& key) {
    dict.Remove(nodes.at(key).get());
    nodes.erase(key);
  }

  TestDict dict;
  std::unordered_map<std::string, std::unique_ptr<TestNode>> nodes;
};

// Every node is found under its key, ForEach and ScanStep each see exactly the model's nodes,
// and probe runs are short.
void ExpectMatches(const Harness& h) {
  ASSERT_EQ(h.dict.size(), h.nodes.size());
  for (const auto& [key, node] : h.nodes) ASSERT_EQ(h.dict.Find(key), node.get()) << key;
  std::set<const TestNode*> seen;
  h.dict.ForEach([&](const TestNode* n) { EXPECT_TRUE(seen.insert(n).second); });
  EXPECT_EQ(seen.size(), h.nodes.size());
  std::set<const TestNode*> scanned;
  uint64_t cursor = 0;
  do {
    // Without resizes a full scan visits every node exactly once.
    cursor =
        h.dict.ScanStep(cursor, [&](const TestNode* n) { EXPECT_TRUE(scanned.insert(n).second); });
  } while (cursor != 0);
  EXPECT_EQ(scanned, seen);
  if (h.dict.size() > 0) {
    EXPECT_LE(h.dict.size() * 4, h.dict.capacity() * 3);
    EXPECT_LT(h.dict.LongestRun(), 200u);
  }
}

TEST(DictTest, EmptyTable) {
  TestDict d(1);
  EXPECT_EQ(d.size(), 0u);
  EXPECT_EQ(d.Find("a"), nullptr);
  EXPECT_EQ(d.Probe(d.Hash("a")), nullptr);
  EXPECT_EQ(d.ScanStep(0, [](TestNode*) { FAIL(); }), 0u);
  Prng rng(1);
  EXPECT_EQ(d.Random(rng), nullptr);
  EXPECT_EQ(d.MemoryBytes(), 0u);
  d.Prefetch("a", 0);
  d.Prefetch("a", 1);
}

// Random inserts, removes and lookups through many grows and shrinks, checked against the model.
TEST(DictTest, MatchesUnorderedMapThroughGrowsAndShrinks) {
  Harness h(42);
  Prng rng(7);
  size_t grows = 0, shrinks = 0;
  for (int phase = 0; phase < 6; ++phase) {
    // Alternate phases that mostly insert (growing to ~18000 nodes) and mostly remove (down to a
    // few hundred), so the table passes every capacity both ways.
    const bool growing = phase % 2 == 0;
    for (int step = 0; step < 60000; ++step) {
      const std::string key = "k" + std::to_string(rng.Uniform(20000));
      const size_t before = h.dict.capacity();
      const bool insert = growing ? rng.Uniform(100) < 90 : rng.Uniform(100) < 3;
      if (insert) {
        if (h.nodes.count(key) == 0) h.Insert(key);
      } else if (h.nodes.count(key) != 0) {
        h.Remove(key);
      } else {
        ASSERT_EQ(h.dict.Find(key), nullptr);
      }
      grows += h.dict.capacity() > before;
      shrinks += h.dict.capacity() < before;
      if (step % 5000 == 0) ExpectMatches(h);
    }
    ExpectMatches(h);
  }
  EXPECT_GT(grows, 10u);
  EXPECT_GT(shrinks, 5u);
  EXPECT_EQ(h.dict.MemoryBytes(), h.dict.capacity() * sizeof(uint64_t));
}

// Redis's guarantee: a node present from the start of a scan to its end is returned at least
// once, although the table grows and shrinks and other nodes come and go between steps.
TEST(DictTest, ScanVisitsEveryStableNodeAcrossGrowAndShrink) {
  for (uint64_t seed = 1; seed <= 10; ++seed) {
    Harness h(seed);
    Prng rng(seed);
    std::vector<std::string> stable;
    for (int i = 0; i < 300; ++i) {
      stable.push_back("stable" + std::to_string(i));
      h.Insert(stable.back());
    }
    int churn = 0;
    std::vector<std::string> others;
    std::set<std::string> visited;
    uint64_t cursor = 0;
    size_t grows = 0, shrinks = 0, steps = 0;
    do {
      cursor = h.dict.ScanStep(cursor, [&](TestNode* n) { visited.insert(n->key); });
      ++steps;
      const size_t before = h.dict.capacity();
      // Grow to several thousand nodes, then remove them all again, back and forth.
      const bool growing = (steps / 40) % 2 == 0;
      for (int i = 0; i < 100; ++i) {
        if (growing) {
          others.push_back("other" + std::to_string(churn++));
          h.Insert(others.back());
        } else if (!others.empty()) {
          size_t pick = rng.Uniform(others.size());
          std::swap(others[pick], others.back());
          h.Remove(others.back());
          others.pop_back();
        }
      }
      grows += h.dict.capacity() > before;
      shrinks += h.dict.capacity() < before;
    } while (cursor != 0);
    for (const std::string& key : stable)
      EXPECT_TRUE(visited.count(key)) << key << " seed " << seed;
    EXPECT_GT(grows, 0u) << seed;
    EXPECT_GT(shrinks, 0u) << seed;
  }
}

// Nodes whose hashes share the tag (top 16 bits), the home slot, or the whole 64 bits: lookups
// still tell them apart by key, and removal keeps the rest reachable.
TEST(DictTest, TagAndHashCollisions) {
  Harness h(3);
  std::vector<std::pair<std::string, uint64_t>> entries;
  const uint64_t tag = uint64_t{0xBEEF} << 48;
  for (uint64_t i = 0; i < 40; ++i) {
    entries.emplace_back("same-tag" + std::to_string(i), tag | (i * 0x9E3779B97F4A7C15ULL >> 16));
    entries.emplace_back("same-home" + std::to_string(i), (i << 48) | 5);
    entries.emplace_back("same-hash" + std::to_string(i), tag | 5);  // collides with everything
  }
  for (const auto& [key, hash] : entries) h.Insert(key, hash);
  for (const auto& [key, hash] : entries) {
    TestNode* n = h.dict.Find(key, hash);
    ASSERT_NE(n, nullptr) << key;
    EXPECT_EQ(n->key, key);
    EXPECT_TRUE(TestDict::HashMatches(n, hash));
  }
  EXPECT_EQ(h.dict.Find("absent", tag | 5), nullptr);
  // Probe returns the first node of the run with the tag: one of the colliding ones.
  TestNode* probed = h.dict.Probe(tag | 5);
  ASSERT_NE(probed, nullptr);
  EXPECT_TRUE(probed->key.starts_with("same-"));
  // Remove every other entry; the rest stay reachable.
  for (size_t i = 0; i < entries.size(); i += 2) h.Remove(entries[i].first);
  for (size_t i = 0; i < entries.size(); ++i) {
    TestNode* n = h.dict.Find(entries[i].first, entries[i].second);
    if (i % 2 == 0) {
      EXPECT_EQ(n, nullptr) << entries[i].first;
    } else {
      ASSERT_NE(n, nullptr) << entries[i].first;
      EXPECT_EQ(n->key, entries[i].first);
    }
  }
}

// Nodes whose homes are the last slots wrap around to the front; finding, scanning and removing
// them works across the end of the array.
TEST(DictTest, RunsWrapAroundTheEnd) {
  Harness h(9);
  // 12 nodes keep the capacity at 16; all have home 15.
  for (int i = 0; i < 12; ++i)
    h.Insert("w" + std::to_string(i), (static_cast<uint64_t>(i) << 48) | 15);
  ASSERT_EQ(h.dict.capacity(), 16u);
  for (int i = 0; i < 12; ++i)
    EXPECT_NE(h.dict.Find("w" + std::to_string(i), (static_cast<uint64_t>(i) << 48) | 15), nullptr);
  size_t seen = 0;
  h.dict.ScanStep(15, [&](TestNode*) { ++seen; });
  EXPECT_EQ(seen, 12u);
  h.Remove("w0");
  h.Remove("w5");
  for (int i = 0; i < 12; ++i) {
    TestNode* n = h.dict.Find("w" + std::to_string(i), (static_cast<uint64_t>(i) << 48) | 15);
    EXPECT_EQ(n == nullptr, i == 0 || i == 5) << i;
  }
}

// Copying a table into a fresh one with the same seed in slot order (SUNIONSTORE, COPY, loading a
// snapshot) crowds homes into the front of the smaller growing copy: once the copy holds more of
// the source's slot range than it has slots, the next nodes land on homes already taken and one
// run grows by thousands of slots (25000 here without the displacement limit in Insert).
TEST(DictTest, CopyInSlotOrderKeepsRunsShort) {
  Harness source(1234);
  char key[32];
  for (int i = 0; i < 78000; ++i) {  // load 0.6 of 131072 slots
    std::snprintf(key, sizeof(key), "key:%012d", i);
    source.Insert(key);
  }
  Harness copy(1234);
  size_t worst = 0, copied = 0;
  source.dict.ForEach([&](TestNode* n) {
    copy.Insert(n->key);
    if (++copied % 1000 == 0) worst = std::max(worst, copy.dict.LongestRun());
  });
  EXPECT_LT(worst, 6000u);
  EXPECT_EQ(copy.dict.capacity(), source.dict.capacity());
  ExpectMatches(copy);
}

TEST(DictTest, ReplaceKeepsPositionAndTag) {
  Harness h(5);
  for (int i = 0; i < 50; ++i) h.Insert("r" + std::to_string(i));
  std::vector<const TestNode*> order;
  h.dict.ForEach([&](const TestNode* n) { order.push_back(n); });
  auto fresh = std::make_unique<TestNode>();
  fresh->key = "r7";
  TestNode* old = h.nodes.at("r7").get();
  fresh->dict_hash = old->dict_hash;
  h.dict.Replace(old, fresh.get());
  h.nodes["r7"] = std::move(fresh);
  EXPECT_EQ(h.dict.Find("r7"), h.nodes.at("r7").get());
  size_t i = 0;
  h.dict.ForEach([&](const TestNode* n) {
    if (n->key != "r7") {
      EXPECT_EQ(n, order[i]);
    }
    ++i;
  });
}

// Random picks every node, roughly evenly (each occupied slot holds one node).
TEST(DictTest, RandomIsFair) {
  Harness h(8);
  for (int i = 0; i < 10; ++i) h.Insert("n" + std::to_string(i));
  std::unordered_map<const TestNode*, int> counts;
  Prng rng(4);
  for (int i = 0; i < 20000; ++i) ++counts[h.dict.Random(rng)];
  EXPECT_EQ(counts.size(), 10u);
  for (const auto& [n, c] : counts) {
    EXPECT_GT(c, 1600) << n->key;
    EXPECT_LT(c, 2400) << n->key;
  }
}

// Same seed and history, same order.
TEST(DictTest, OrderIsDeterministic) {
  auto order = [] {
    Harness h(77);
    for (int i = 0; i < 1000; ++i) h.Insert("d" + std::to_string(i));
    for (int i = 0; i < 1000; i += 7) h.Remove("d" + std::to_string(i));
    std::vector<std::string> keys;
    h.dict.ForEach([&](const TestNode* n) { keys.push_back(n->key); });
    return keys;
  };
  EXPECT_EQ(order(), order());
}

}  // namespace
}  // namespace cordis
