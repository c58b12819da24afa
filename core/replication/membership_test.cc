// Members that become known late: a node started for a cluster (ExpectPeers) folds nothing until
// it knows its peers, so their early concurrent ops apply normally; a node that served writes
// alone and folded them refuses a newcomer's concurrent ops with an error instead of applying
// them wrongly (or tripping an invariant).
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/keyspace/digest.h"
#include "core/server/node.h"

namespace cordis {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000'000;

class LateMembersTest : public ::testing::Test {
 protected:
  Node& Make(ReplicaId id, bool expect_peers) {
    NodeOptions o;
    o.replica_id = id;
    o.seed = 100 + id;
    o.start_us = now_us_;
    nodes_.push_back(std::make_unique<Node>(o));
    if (expect_peers) nodes_.back()->ExpectPeers();
    sessions_.push_back(nodes_.back()->OpenSession("c", "s", now_us_));
    return *nodes_.back();
  }

  std::string Run(int i, const std::string& cmd) {
    now_us_ += 1000;
    sessions_[i]->input += cmd + "\r\n";
    nodes_[i]->ProcessInput(sessions_[i], now_us_);
    std::string out;
    out.swap(sessions_[i]->output);
    return out;
  }

  // Exchanges Haves and ops a few rounds; returns the first error a node reported.
  absl::Status Ship() {
    absl::Status first;
    for (int round = 0; round < 4; ++round) {
      now_us_ += 1000;
      for (auto& n : nodes_) {
        n->ReplicationTick(now_us_);
        n->FlushReplication();
      }
      for (auto& n : nodes_) {
        for (Outgoing& m : n->TakeOutbox()) {
          absl::Status st = nodes_[m.to - 1]->OnPeerMessage(m.msg, now_us_);
          if (!st.ok() && first.ok()) first = st;
        }
      }
    }
    return first;
  }

  int64_t now_us_ = kT0;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<Session*> sessions_;
};

TEST_F(LateMembersTest, ExpectingPeersFoldsNothingUntilTheyAreKnown) {
  Node& a = Make(1, /*expect_peers=*/true);
  Node& b = Make(2, /*expect_peers=*/true);
  // Both count before the handshake that tells them about each other.
  EXPECT_EQ(Run(0, "INCRBY n 5"), ":5\r\n");
  EXPECT_EQ(Run(1, "INCRBY n 7"), ":7\r\n");
  EXPECT_EQ(Run(0, "SADD s x"), ":1\r\n");
  EXPECT_EQ(Run(1, "DEL n s"), ":1\r\n");  // removes only b's own increment
  a.AddMember(2);
  b.AddMember(1);
  ASSERT_TRUE(Ship().ok());
  EXPECT_EQ(Run(0, "GET n"), "$1\r\n5\r\n");
  EXPECT_EQ(Run(1, "GET n"), "$1\r\n5\r\n");
  EXPECT_EQ(Run(1, "SMEMBERS s"), "*1\r\n$1\r\nx\r\n");
  for (uint32_t db = 0; db < a.db_count(); ++db)
    EXPECT_EQ(KeyspaceDigest(a.db(db)), KeyspaceDigest(b.db(db)));
}

TEST_F(LateMembersTest, NodeThatFoldedAloneRefusesANewcomersConcurrentOps) {
  Node& a = Make(1, /*expect_peers=*/false);
  Node& b = Make(2, /*expect_peers=*/false);
  EXPECT_EQ(Run(0, "INCRBY n 5"), ":5\r\n");  // alone: folded at once
  EXPECT_EQ(Run(1, "DEL n"), ":0\r\n");
  EXPECT_EQ(Run(1, "INCRBY n 7"), ":7\r\n");
  a.AddMember(2);
  b.AddMember(1);
  absl::Status st = Ship();
  // Their ops made before the meeting reach a by snapshot, whose join finds them concurrent
  // with what a folded.
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
  EXPECT_EQ(Run(0, "GET n"), "$1\r\n5\r\n") << "a refused b's ops and kept its state";
}

TEST_F(LateMembersTest, OpsConcurrentWithWhatWasFoldedBeforeTheirOriginJoinedAreRefused) {
  Node& a = Make(1, /*expect_peers=*/false);
  Node& b = Make(2, /*expect_peers=*/true);   // logs its ops for the peers it expects
  EXPECT_EQ(Run(0, "INCRBY n 5"), ":5\r\n");  // a, alone, folds it at once
  EXPECT_EQ(Run(1, "INCRBY n 7"), ":7\r\n");
  a.AddMember(2);
  b.AddMember(1);
  absl::Status st = Ship();
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
  EXPECT_NE(st.message().find("only with an empty data directory"), std::string::npos) << st;
  EXPECT_EQ(Run(0, "GET n"), "$1\r\n5\r\n");
}

}  // namespace
}  // namespace cordis
