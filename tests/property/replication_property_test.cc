// N full nodes (the real Node: RESP commands, ops, oplog, causal delivery, anti-entropy,
// snapshots) connected by a lossy, duplicating, reordering in-memory network. Random commands of
// every family run on random nodes; after the network heals and a few anti-entropy rounds, every
// node has the same keyspace digest.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/base/prng.h"
#include "core/keyspace/digest.h"
#include "core/server/node.h"
#include "tests/property/test_cluster.h"

namespace cordis {
namespace {

using cluster_testing::Cluster;

std::string RandomCommand(Prng& rng) {
  static const char* kKeys[] = {"k1", "k2", "k3", "k4"};
  static const char* kItems[] = {"a", "b", "c", "d"};
  std::string k = kKeys[rng.Uniform(4)];
  std::string m = kItems[rng.Uniform(4)];
  std::string n = std::to_string(rng.Range(-5, 5));
  switch (rng.Uniform(22)) {
    case 0:
      return "SET " + k + " " + m;
    case 1:
      return "INCRBY " + k + " " + n;
    case 2:
      return "DEL " + k;
    case 3:
      return "SADD " + k + " " + m;
    case 4:
      return "SREM " + k + " " + m;
    case 5:
      return "HSET " + k + " " + m + " " + n;
    case 6:
      return "HINCRBY " + k + " " + m + " " + n;
    case 7:
      return "HDEL " + k + " " + m;
    case 8:
      return "ZADD " + k + " " + n + " " + m;
    case 9:
      return "ZINCRBY " + k + " " + n + " " + m;
    case 10:
      return "ZREM " + k + " " + m;
    case 11:
      return "LPUSH " + k + " " + m;
    case 12:
      return "RPUSH " + k + " " + m + " " + m;
    case 13:
      return "LPOP " + k;
    case 14:
      return "LSET " + k + " 0 " + m;
    case 15:
      return "EXPIRE " + k + " " + std::to_string(rng.Range(100, 1000));
    case 16:
      return "PERSIST " + k;
    case 17:
      return "APPEND " + k + " " + m;
    case 18:
      return "INCRBYFLOAT " + k + " 0.5";
    case 19:
      return "SPOP " + k;
    case 20:
      return "LREM " + k + " 0 " + m;
    default:
      return "MSET " + k + " " + m + " k9 " + n;
  }
}

void RunScenario(uint64_t seed, int nodes, int ops, ReplicationOptions ropts,
                 double snapshot_chance = 0) {
  Cluster c(nodes, seed, ropts);
  Prng rng(seed);
  c.set_faults(0.2, 0.1, 200'000);
  for (int i = 0; i < ops; ++i) {
    c.Run(static_cast<int>(rng.Uniform(nodes)), RandomCommand(rng));
    if (rng.Chance(0.3)) c.Advance(rng.Range(0, 50'000));
    if (rng.Chance(snapshot_chance)) {
      int from = static_cast<int>(rng.Uniform(nodes));
      int to = static_cast<int>((from + 1 + rng.Uniform(nodes - 1)) % nodes);
      c.ForceSnapshot(from, to);
    }
  }
  c.set_faults(0, 0, 0);
  c.Advance(5'000'000);
  std::vector<uint64_t> d = c.Digests();
  for (int i = 1; i < nodes; ++i) {
    if (d[i] != d[0]) RC_FAIL(c.Explain(0, i));
  }
  for (int i = 0; i < nodes; ++i) RC_ASSERT(c.node(i).pending_remote_ops() == 0u);
}

RC_GTEST_PROP(Replication, NodesConvergeUnderLossDuplicationReordering, ()) {
  uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  int nodes = *rc::gen::inRange(2, 5);
  RunScenario(seed, nodes, 200, ReplicationOptions{});
}

// Snapshots sent at random moments, while every node keeps writing, are installed (or refused
// when they cannot be) without breaking convergence. (It found replay folding increments that
// replayed ops were concurrent with; see Node::OnSnapshot.)
RC_GTEST_PROP(Replication, RandomSnapshotTransfersKeepConvergence, ()) {
  uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  int nodes = *rc::gen::inRange(2, 5);
  RunScenario(seed, nodes, 200, ReplicationOptions{}, /*snapshot_chance=*/0.05);
}

// A replica cut off while its peers write far more than their logs hold catches up through a
// snapshot when the partition heals, and its own writes from the partition reach the others.
RC_GTEST_PROP(Replication, RejoiningReplicaCatchesUpThroughSnapshot, ()) {
  uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  ReplicationOptions small;
  small.max_log_entries = 40;
  small.max_batch_ops = 7;
  small.snapshot_retry_ms = 100;
  Cluster c(3, seed, small);
  Prng rng(seed);
  for (int i = 0; i < 30; ++i) c.Run(static_cast<int>(rng.Uniform(3)), RandomCommand(rng));
  c.Advance(1'000'000);
  c.Isolate(2);
  c.set_faults(0.1, 0.1, 100'000);
  for (int i = 0; i < 300; ++i) {
    // The isolated replica writes a little (fewer ops than its log holds), the others a lot.
    int who = i % 30 == 0 ? 2 : static_cast<int>(rng.Uniform(2));
    c.Run(who, RandomCommand(rng));
    if (rng.Chance(0.2)) c.Advance(rng.Range(0, 50'000));
  }
  c.Advance(1'000'000);
  c.Heal();
  c.set_faults(0, 0, 0);
  c.Advance(5'000'000);
  std::vector<uint64_t> d = c.Digests();
  RC_ASSERT(d[1] == d[0]);
  RC_ASSERT(d[2] == d[0]);
  RC_ASSERT(c.node(2).stats().snapshots_installed > 0u);
}

// Both halves of a long partition write far more than their logs hold, so neither can replay
// the other's ops when it heals: they converge by joining their states (core/snapshot/state_join).
RC_GTEST_PROP(Replication, HalvesThatBothOutgrowTheirLogsConvergeByStateJoin, ()) {
  uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  const int nodes = *rc::gen::inRange(2, 5);
  ReplicationOptions small;
  small.max_log_entries = 25;
  small.max_batch_ops = 5;
  small.snapshot_retry_ms = 100;
  Cluster c(nodes, seed, small);
  Prng rng(seed);
  for (int i = 0; i < 40; ++i) c.Run(static_cast<int>(rng.Uniform(nodes)), RandomCommand(rng));
  c.Advance(1'000'000);
  const int first_of_b = nodes / 2;
  c.Split(first_of_b);
  c.set_faults(0.1, 0.1, 100'000);
  for (int i = 0; i < 200; ++i) {
    c.Run(static_cast<int>(rng.Uniform(nodes)), RandomCommand(rng));
    // Some commands write nothing (SREM of a missing member): make sure both sides outgrow
    // their logs.
    if (i % 4 == 0) {
      c.Run(0, "INCRBY both 1");
      c.Run(nodes - 1, "INCRBY both 1");
    }
    if (rng.Chance(0.2)) c.Advance(rng.Range(0, 50'000));
  }
  c.Advance(1'000'000);
  c.Heal();
  c.set_faults(0, 0, 0);
  c.Advance(5'000'000);
  std::vector<uint64_t> d = c.Digests();
  for (int i = 1; i < nodes; ++i)
    if (d[i] != d[0]) RC_FAIL(c.Explain(0, i));
  uint64_t installed = 0;
  for (int i = 0; i < nodes; ++i) installed += c.node(i).stats().snapshots_installed;
  RC_ASSERT(installed > 0u);
}

}  // namespace
}  // namespace cordis

namespace cordis {
namespace {

// Metadata (oplog, garbage-collection backlog, invisible keys, tombstones and pending increments
// inside values) stops growing under a steady workload: once ops become stable everywhere, the
// log truncates and the keyspace folds them away.
TEST(ReplicationGc, MetadataStaysBoundedUnderSteadyWorkload) {
  Cluster c(3, 7, ReplicationOptions{});
  Prng rng(7);
  auto metadata = [&] {
    size_t total = 0;
    for (int i = 0; i < 3; ++i) {
      Node& n = c.node(i);
      total += n.oplog().size() + n.pending_remote_ops();
      for (uint32_t db = 0; db < n.db_count(); ++db) {
        total += n.db(db).gc_backlog() + n.db(db).invisible_count();
        n.db(db).dict().ForEach([&](KeyEntry* e) {
          if (e->value != nullptr) total += e->value->MemoryBytes() / 64;
        });
      }
    }
    return total;
  };
  std::vector<size_t> samples;
  for (int round = 0; round < 40; ++round) {
    for (int i = 0; i < 250; ++i) c.Run(static_cast<int>(rng.Uniform(3)), RandomCommand(rng));
    c.Advance(500'000);  // a few anti-entropy rounds: everything becomes stable
    samples.push_back(metadata());
  }
  // After warm-up the working set is fixed (a handful of keys), so metadata must plateau: the
  // last ten samples may not exceed the largest of rounds 10-20 by more than a small margin.
  size_t early_max = *std::max_element(samples.begin() + 10, samples.begin() + 20);
  size_t late_max = *std::max_element(samples.end() - 10, samples.end());
  EXPECT_LE(late_max, early_max * 3 / 2 + 16) << "metadata kept growing";
  for (int i = 0; i < 3; ++i) EXPECT_LT(c.node(i).oplog().size(), 500u);
}

}  // namespace
}  // namespace cordis

namespace cordis {
namespace {

// Per-type oracles over the acknowledged history (faults on, then healed): concurrent INCRBYs all
// count, every acknowledged SADD is present, every acknowledged RPUSH element is in the list
// exactly once and the list order is the same everywhere.
RC_GTEST_PROP(Replication, AcknowledgedWritesSurviveOracles, ()) {
  uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  int nodes = *rc::gen::inRange(2, 5);
  Cluster c(nodes, seed, ReplicationOptions{});
  Prng rng(seed ^ 0x5eed);
  c.set_faults(0.2, 0.1, 200'000);
  std::map<std::string, int64_t> sums;
  std::map<std::string, std::set<std::string>> members;
  std::map<std::string, std::multiset<std::string>> pushed;
  for (int i = 0; i < 300; ++i) {
    int who = static_cast<int>(rng.Uniform(nodes));
    std::string id = std::to_string(i);
    switch (rng.Uniform(3)) {
      case 0: {
        std::string k = "c" + std::to_string(rng.Uniform(3));
        int64_t d = rng.Range(-100, 100);
        std::string reply = c.Run(who, "INCRBY " + k + " " + std::to_string(d));
        RC_ASSERT(reply[0] == ':');  // acknowledged
        sums[k] += d;
        break;
      }
      case 1: {
        std::string k = "s" + std::to_string(rng.Uniform(3));
        std::string m = "m" + std::to_string(rng.Uniform(50));
        RC_ASSERT(c.Run(who, "SADD " + k + " " + m)[0] == ':');
        members[k].insert(m);
        break;
      }
      default: {
        std::string k = "l" + std::to_string(rng.Uniform(2));
        std::string v = "v" + id;
        RC_ASSERT(c.Run(who, "RPUSH " + k + " " + v)[0] == ':');
        pushed[k].insert(v);
        break;
      }
    }
    if (rng.Chance(0.3)) c.Advance(rng.Range(0, 50'000));
  }
  c.set_faults(0, 0, 0);
  c.Advance(5'000'000);
  for (int n = 0; n < nodes; ++n) {
    for (const auto& [k, sum] : sums)
      RC_ASSERT(c.Run(n, "GET " + k) == "$" + std::to_string(std::to_string(sum).size()) + "\r\n" +
                                            std::to_string(sum) + "\r\n");
    for (const auto& [k, ms] : members) {
      RC_ASSERT(c.Run(n, "SCARD " + k) == ":" + std::to_string(ms.size()) + "\r\n");
      for (const std::string& m : ms) RC_ASSERT(c.Run(n, "SISMEMBER " + k + " " + m) == ":1\r\n");
    }
    for (const auto& [k, vs] : pushed) {
      std::string range = c.Run(n, "LRANGE " + k + " 0 -1");
      RC_ASSERT(range == c.Run(0, "LRANGE " + k + " 0 -1"));  // one order everywhere
      std::multiset<std::string> got;
      size_t pos = range.find("\r\n") + 2;
      while (pos < range.size()) {
        size_t len_end = range.find("\r\n", pos);
        size_t len = std::stoul(range.substr(pos + 1, len_end - pos - 1));
        got.insert(range.substr(len_end + 2, len));
        pos = len_end + 2 + len + 2;
      }
      RC_ASSERT(got == vs);
    }
  }
}

}  // namespace
}  // namespace cordis

