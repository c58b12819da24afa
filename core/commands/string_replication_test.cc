// Two replicas exchanging string writes: what a client sees after a write does not depend on what
// its replica still holds of a key nobody can see.
#include <gtest/gtest.h>

#include <string>

#include "core/server/two_replicas_testing.h"

namespace cordis {
namespace {

using TwoReplicas = testing::TwoReplicasTest;

// A DEL on node 1 races an EXPIRE on node 2: the expiry entry outlives the DEL, out of sight,
// until garbage collection drops the emptied key, at a moment that differs between replicas (and
// on a keyspace installed from a snapshot). SET ... KEEPTTL on the key then finds no TTL to keep,
// as in Redis, whether or not the leftover entry is still there: were it kept, the key would
// expire on the replicas that had not collected it yet and live on the others.
TEST_F(TwoReplicas, SetKeepTtlOnAMissingKeyKeepsNoLeftoverExpiry) {
  Run(0, "SET k v");
  Ship();
  EXPECT_EQ(Run(0, "DEL k"), ":1\r\n");
  EXPECT_EQ(Run(1, "EXPIRE k 100"), ":1\r\n");
  // Node 1 receives the EXPIRE only: it still holds the entry, with the key gone for readers.
  nodes_[1]->FlushReplication();
  for (Outgoing& m : nodes_[1]->TakeOutbox())
    ASSERT_TRUE(nodes_[0]->OnPeerMessage(m.msg, now_us_).ok());
  ASSERT_NE(nodes_[0]->db(0).FindEntry("k"), nullptr);
  EXPECT_EQ(Run(0, "EXISTS k"), ":0\r\n");
  EXPECT_EQ(Run(0, "SET k w KEEPTTL"), "+OK\r\n");
  EXPECT_EQ(Run(0, "TTL k"), ":-1\r\n");
  Ship();
  ExpectConverged();
  EXPECT_EQ(Run(1, "GET k"), "$1\r\nw\r\n");
  EXPECT_EQ(Run(1, "TTL k"), ":-1\r\n");
}

}  // namespace
}  // namespace cordis
