// The durable-before-send rule: a node never ships its own ops (as ops or inside a snapshot)
// before its storage made them durable; and a peer snapshot installed here is persisted whole.
#include <gtest/gtest.h>

#include "core/op/op_codec.h"
#include "core/storage/durable_testing.h"

namespace cordis {
namespace {

using testing::DurableReplica;
using testing::NodeDigest;

constexpr int64_t kT0 = 1'700'000'000'000'000;

class DurableBeforeSendTest : public ::testing::Test {
 protected:
  DurableBeforeSendTest() : a_(&storage_, 1) {
    CHECK(a_.Open(now_, 1).ok());
    NodeOptions o;
    o.replica_id = 2;
    o.start_us = now_;
    b_ = std::make_unique<Node>(o);
    a_.node().AddMember(2);
    b_->AddMember(1);
    sb_ = b_->OpenSession("c", "b", now_);
    // Introduce them: each hears the other's Have.
    b_->ReplicationTick(now_);
    Deliver(*b_, a_.node());
    a_.node().ReplicationTick(now_);
    Deliver(a_.node(), *b_);
  }

  // Delivers `from`'s outbox to `to`; returns how many of `origin`'s ops and snapshots went.
  struct Shipped {
    int own_ops = 0;
    int snapshots = 0;
  };
  Shipped Deliver(Node& from, Node& to) {
    Shipped s;
    for (Outgoing& out : from.TakeOutbox()) {
      if (out.to != to.replica_id()) continue;
      for (const pb::Op& op : out.msg.ops().ops()) s.own_ops += op.origin() == from.replica_id();
      s.snapshots += out.msg.has_snapshot();
      CHECK(to.OnPeerMessage(out.msg, now_).ok());
    }
    return s;
  }

  std::string RunB(const std::string& cmd) {
    sb_->input += cmd + "\r\n";
    b_->ProcessInput(sb_, now_);
    std::string out;
    out.swap(sb_->output);
    return out;
  }

  MemStorage storage_;
  int64_t now_ = kT0;
  DurableReplica a_;
  std::unique_ptr<Node> b_;
  Session* sb_ = nullptr;
};

TEST_F(DurableBeforeSendTest, OwnOpsLeaveOnlyOnceDurable) {
  a_.Run("SET k v", now_);
  a_.Run("SET k2 v2", now_);
  ASSERT_TRUE(a_.log().Flush(now_ / 1000).ok());  // written, not synced
  EXPECT_EQ(a_.node().durable_seq(), 0u);
  a_.node().FlushReplication();
  EXPECT_EQ(Deliver(a_.node(), *b_).own_ops, 0) << "eager push before durability";
  // Anti-entropy (a Have from b) and snapshots must hold them back too.
  now_ += 2'000'000;
  b_->ReplicationTick(now_);
  Deliver(*b_, a_.node());
  a_.node().ForceSnapshot(2, now_);
  Shipped held = Deliver(a_.node(), *b_);
  EXPECT_EQ(held.own_ops, 0);
  EXPECT_EQ(held.snapshots, 0);
  EXPECT_EQ(RunB("GET k"), "$-1\r\n");

  ASSERT_TRUE(a_.log().Sync(now_ / 1000).ok());
  EXPECT_EQ(a_.node().durable_seq(), 2u);
  a_.node().FlushReplication();
  EXPECT_EQ(Deliver(a_.node(), *b_).own_ops, 2);
  EXPECT_EQ(RunB("GET k2"), "$2\r\nv2\r\n");
}

// A peer takes as stable (and folds metadata under) only what a Have claims durable: ops a
// crash could still take from this node must not count, or the node could come back without
// them and make an op concurrent with what its peers folded.
TEST_F(DurableBeforeSendTest, HaveClaimsOnlyDurablePeerOpsAsDurable) {
  RunB("SET k v");
  b_->FlushReplication();
  Deliver(*b_, a_.node());
  ASSERT_TRUE(a_.log().Flush(now_ / 1000).ok());  // written, not synced
  auto have_to_b = [&] {
    a_.node().ReplicationTick(now_);
    for (Outgoing& out : a_.node().TakeOutbox())
      if (out.to == 2 && out.msg.has_have()) return out.msg.have();
    ADD_FAILURE() << "no Have";
    return pb::Have();
  };
  pb::Have have = have_to_b();
  VersionVector vv, durable;
  ASSERT_TRUE(DecodeVersionVector(have.vv(), &vv).ok());
  EXPECT_EQ(vv.Get(2), 1u);
  ASSERT_TRUE(have.has_durable());
  ASSERT_TRUE(DecodeVersionVector(have.durable(), &durable).ok());
  EXPECT_EQ(durable.Get(2), 0u);
  ASSERT_TRUE(a_.log().Sync(now_ / 1000).ok());
  EXPECT_EQ(a_.node().durable_vv().Get(2), 1u);
  EXPECT_FALSE(have_to_b().has_durable()) << "everything is durable: the vector says it all";
}

// The invariant's reason: after a crash that loses unsynced ops, the node reuses their sequence
// numbers; peers must never have seen the lost ones, or two different ops would share a dot.
TEST_F(DurableBeforeSendTest, CrashAfterUnsyncedWritesReusesOnlyUnseenSequenceNumbers) {
  a_.Run("SET lost 1", now_);
  ASSERT_TRUE(a_.log().Flush(now_ / 1000).ok());
  a_.node().FlushReplication();
  Deliver(a_.node(), *b_);
  Prng rng(3);
  storage_.Crash(rng, CrashOptions{.tear_unsynced = false});
  ASSERT_TRUE(a_.Open(now_, 2).ok());
  a_.node().AddMember(2);
  EXPECT_EQ(a_.node().version_vector().Get(1), 0u);
  a_.Run("SET kept 2", now_);  // takes sequence number 1 again
  ASSERT_TRUE(a_.log().Sync(now_ / 1000).ok());
  b_->ReplicationTick(now_);
  Deliver(*b_, a_.node());
  a_.node().FlushReplication();
  Deliver(a_.node(), *b_);
  EXPECT_EQ(RunB("GET lost"), "$-1\r\n");
  EXPECT_EQ(RunB("GET kept"), "$1\r\n2\r\n");
}

// Between the install and its snapshot, the old files must stay a consistent history: ops applied
// after the install (which depend on it) must not be appended to the old segments.
TEST_F(DurableBeforeSendTest, CrashBeforeTheInstallIsPersistedRecoversTheOldState) {
  a_.Run("SET own 1", now_);
  ASSERT_TRUE(a_.log().Sync(now_ / 1000).ok());
  uint64_t before = NodeDigest(a_.node());
  RunB("SET from-b 1");
  b_->TakeOutbox();
  b_->ForceSnapshot(1, now_);
  ASSERT_EQ(Deliver(*b_, a_.node()).snapshots, 1);
  RunB("SET from-b 2");  // applied on a after the install: depends on it
  b_->FlushReplication();
  Deliver(*b_, a_.node());
  a_.Run("SET own 2", now_);
  EXPECT_EQ(a_.Run("GET from-b", now_), "$1\r\n2\r\n");
  ASSERT_TRUE(a_.log().BeginSnapshot().ok());  // the first step of the snapshot write...
  Prng rng(9);
  storage_.Crash(rng, CrashOptions{.tear_unsynced = false});  // ...and the crash before the rest
  absl::Status st = a_.Open(now_, 4);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(NodeDigest(a_.node()), before);
}

TEST_F(DurableBeforeSendTest, InstalledPeerSnapshotIsPersisted) {
  RunB("SET from-b 1");
  RunB("SADD set-b x y");
  b_->TakeOutbox();  // b's eager pushes never arrive: a gets b's state by snapshot only
  b_->ForceSnapshot(1, now_);
  Shipped s = Deliver(*b_, a_.node());
  ASSERT_EQ(s.snapshots, 1);
  EXPECT_EQ(a_.Run("GET from-b", now_), "$1\r\n1\r\n");
  EXPECT_TRUE(a_.log().needs_snapshot());
  ASSERT_TRUE(a_.log().Flush(now_ / 1000).ok());
  EXPECT_FALSE(a_.log().needs_snapshot());
  uint64_t digest = NodeDigest(a_.node());
  Prng rng(5);
  storage_.Crash(rng);
  ASSERT_TRUE(a_.Open(now_, 3).ok());
  EXPECT_EQ(NodeDigest(a_.node()), digest);
  EXPECT_EQ(a_.node().version_vector().Get(2), 2u);
}

}  // namespace
}  // namespace cordis
