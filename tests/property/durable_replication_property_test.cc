// Replication with durability and crashes: three replicas, each logging to its own MemStorage,
// write at random, sync at random, exchange ops over a lossy network, and crash at random
// (unsynced bytes lost or torn). The durable-before-send rule means no dot ever reaches a peer
// and is later reused by its restarted origin for a different op; after healing, every replica
// converges to the same state.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/storage/durable_testing.h"

namespace cordis {
namespace {

using testing::DurableReplica;
using testing::NodeDigest;
using testing::RandomWrite;

constexpr int kNodes = 3;

class DurableCluster {
 public:
  explicit DurableCluster(uint64_t seed) : rng_(seed) {
    for (int i = 0; i < kNodes; ++i) {
      members_.push_back(static_cast<ReplicaId>(i + 1));
      storages_.push_back(std::make_unique<MemStorage>());
    }
    for (int i = 0; i < kNodes; ++i) Restart(i);
  }

  void Restart(int i) {
    replicas_.resize(kNodes);
    replicas_[i] = std::make_unique<DurableReplica>(storages_[i].get(), members_[i]);
    absl::Status st = replicas_[i]->Open(now_, rng_.Next(), {}, members_);
    ASSERT_TRUE(st.ok()) << st;
  }

  // Moves every node's outbox; each message is lost with probability `loss`. Checks that a dot
  // always carries the same op.
  void Deliver(double loss) {
    for (int i = 0; i < kNodes; ++i) {
      for (Outgoing& out : replicas_[i]->node().TakeOutbox()) {
        if (rng_.Chance(loss)) continue;
        for (const pb::Op& op : out.msg.ops().ops()) CheckDot(op);
        int to = static_cast<int>(out.to) - 1;
        ASSERT_TRUE(replicas_[to]->node().OnPeerMessage(out.msg, now_).ok());
      }
    }
  }

  void CheckDot(const pb::Op& op) {
    auto [it, fresh] = seen_.emplace(std::make_pair(op.origin(), op.seq()), op.SerializeAsString());
    ASSERT_TRUE(fresh || it->second == op.SerializeAsString())
        << "dot " << op.origin() << ":" << op.seq() << " was reused for a different op";
  }

  void Step() {
    now_ += static_cast<int64_t>(rng_.Uniform(20'000));
    int i = static_cast<int>(rng_.Uniform(kNodes));
    DurableReplica& r = *replicas_[i];
    r.Run(RandomWrite(rng_), now_);
    if (rng_.Chance(0.5)) {
      ASSERT_TRUE(r.log().Sync(now_ / 1000).ok());
    } else {
      ASSERT_TRUE(r.log().Flush(now_ / 1000).ok());
    }
    r.node().FlushReplication();
    if (rng_.Chance(0.1)) {
      for (auto& n : replicas_) {
        n->node().ReplicationTick(now_);
        n->node().Tick(now_);
        ASSERT_TRUE(n->log().Flush(now_ / 1000).ok());
      }
    }
    Deliver(0.2);
    if (rng_.Chance(0.03)) {
      storages_[i]->Crash(rng_, CrashOptions{.tear_unsynced = true, .garbage_tail = true});
      Restart(i);
      ++crashes_;
    }
  }

  // No more crashes or loss: everything synced, a few anti-entropy rounds.
  void Heal() {
    for (int round = 0; round < 30; ++round) {
      now_ += 100'000;
      for (auto& n : replicas_) {
        ASSERT_TRUE(n->log().Sync(now_ / 1000).ok());
        n->node().ReplicationTick(now_);
        n->node().FlushReplication();
      }
      Deliver(0.0);
    }
  }

  Node& node(int i) { return replicas_[i]->node(); }
  int crashes() const { return crashes_; }

 private:
  Prng rng_;
  int64_t now_ = 1'700'000'000'000'000;
  std::vector<ReplicaId> members_;
  std::vector<std::unique_ptr<MemStorage>> storages_;
  std::vector<std::unique_ptr<DurableReplica>> replicas_;
  std::map<std::pair<uint32_t, uint64_t>, std::string> seen_;
  int crashes_ = 0;
};

TEST(DurableReplicationTest, CrashesNeverReuseASeenDotAndReplicasConverge) {
  int crashes = 0;
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    DurableCluster c(seed);
    for (int step = 0; step < 300; ++step) {
      c.Step();
      if (::testing::Test::HasFatalFailure()) return;
    }
    c.Heal();
    if (::testing::Test::HasFatalFailure()) return;
    for (int i = 1; i < kNodes; ++i) {
      ASSERT_EQ(c.node(i).version_vector(), c.node(0).version_vector()) << "seed " << seed;
      ASSERT_EQ(NodeDigest(c.node(i)), NodeDigest(c.node(0))) << "seed " << seed;
    }
    crashes += c.crashes();
  }
  EXPECT_GT(crashes, 20);
}

}  // namespace
}  // namespace cordis
