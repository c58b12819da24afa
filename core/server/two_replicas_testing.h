// Test fixture: two in-memory replicas (Nodes) that are members of each other, one client
// session on each, and a loop that exchanges Haves and ops until both have everything. Shared by
// the two-replica tests of the command families (core/commands/*_replication_test.cc).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/keyspace/digest.h"
#include "core/server/node.h"

namespace cordis::testing {

class TwoReplicasTest : public ::testing::Test {
 protected:
  explicit TwoReplicasTest(uint64_t seed_base = 100) {
    for (ReplicaId id : {1u, 2u}) {
      NodeOptions o;
      o.replica_id = id;
      o.seed = seed_base + id;
      o.start_us = now_us_;
      nodes_.push_back(std::make_unique<Node>(o));
    }
    for (auto& a : nodes_)
      for (auto& b : nodes_) a->AddMember(b->replica_id());
    for (auto& n : nodes_) sessions_.push_back(n->OpenSession("c", "s", now_us_));
  }

  // Runs one inline command on node i (on session s when given) and returns the raw reply.
  // Every command is 1 ms later than the previous one, so a later command has the greater stamp.
  std::string Run(int i, const std::string& cmd, Session* s = nullptr) {
    if (s == nullptr) s = sessions_[i];
    now_us_ += 1000;
    s->input += cmd + "\r\n";
    nodes_[i]->ProcessInput(s, now_us_);
    std::string out;
    out.swap(s->output);
    return out;
  }

  // Lets the replicas exchange Haves and ops until both have everything (both directions).
  void Ship() {
    for (int round = 0; round < 4; ++round) {
      now_us_ += 1000;
      for (auto& n : nodes_) {
        n->ReplicationTick(now_us_);
        n->FlushReplication();
      }
      for (int i = 0; i < 2; ++i) {
        for (Outgoing& m : nodes_[i]->TakeOutbox()) {
          ASSERT_TRUE(nodes_[m.to == 1 ? 0 : 1]->OnPeerMessage(m.msg, now_us_).ok());
        }
      }
    }
  }

  void ExpectConverged() {
    for (uint32_t db = 0; db < nodes_[0]->db_count(); ++db) {
      EXPECT_EQ(KeyspaceDigest(nodes_[0]->db(db)), KeyspaceDigest(nodes_[1]->db(db)))
          << "db " << db;
    }
  }

  int64_t now_us_ = 1'700'000'000'000'000;
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<Session*> sessions_;
};

}  // namespace cordis::testing
