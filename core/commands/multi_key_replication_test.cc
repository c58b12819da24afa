// Two replicas exchanging ops: the multi-key writes (COPY, MOVE, SWAPDB, LMOVE, *STORE, RESTORE)
// are compositions of ordinary ops, so a peer that applies them ends with the same databases;
// and WATCH aborts EXEC when a peer's replicated op modifies a watched key.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/server/two_replicas_testing.h"

namespace cordis {
namespace {

using TwoReplicas = testing::TwoReplicasTest;

TEST_F(TwoReplicas, MultiKeyWritesReplicate) {
  for (const char* cmd : {"RPUSH l a b c",
                          "SADD s x y",
                          "ZADD z 1 a 2 b",
                          "HSET h f v",
                          "SET str v EX 1000",
                          "COPY l l2",
                          "COPY z z2 DB 3",
                          "MOVE s 4",
                          "LMOVE l l2 LEFT RIGHT",
                          "RPOPLPUSH l2 l",
                          "LMPOP 1 l RIGHT COUNT 2",
                          "ZUNIONSTORE u 2 z z2",
                          "ZINTERSTORE i 1 z WEIGHTS 3",
                          "ZRANGESTORE r z 0 0",
                          "ZMPOP 1 z MAX",
                          "SWAPDB 0 3",
                          "SORT l2 ALPHA STORE sorted",
                          "SELECT 3",
                          "COPY str str5 DB 5 REPLACE",
                          "SWAPDB 3 5"}) {
    std::string reply = Run(0, cmd);
    ASSERT_NE(reply[0], '-') << cmd << " -> " << reply;
  }
  Ship();
  ExpectConverged();
  EXPECT_EQ(Run(1, "SELECT 3"), "+OK\r\n");
  EXPECT_EQ(Run(1, "LRANGE l2 0 -1"), Run(0, "LRANGE l2 0 -1"));
  EXPECT_EQ(Run(1, "ZRANGE z 0 -1 WITHSCORES"), Run(0, "ZRANGE z 0 -1 WITHSCORES"));
}

TEST_F(TwoReplicas, ConcurrentWritesDuringMultiKeyCommandsConverge) {
  Run(0, "SET k v");
  Run(0, "RPUSH l a b");
  Run(0, "SELECT 1");
  Run(0, "SET other o");
  Run(0, "SELECT 0");
  Ship();
  // Concurrently: node 1 swaps databases 0 and 1, moves and copies; node 2 writes the same keys.
  for (const char* cmd :
       {"SWAPDB 0 1", "SELECT 1", "MOVE k 2", "LMOVE l l2 LEFT LEFT", "COPY l l3 DB 0"}) {
    ASSERT_NE(Run(0, cmd)[0], '-') << cmd;
  }
  for (const char* cmd : {"APPEND k 2", "RPUSH l c", "SET fresh f", "SADD l3 x"}) Run(1, cmd);
  Ship();
  ExpectConverged();
  // The concurrent writes stay in the database they were made in (database 0 on node 2).
  EXPECT_EQ(Run(1, "GET fresh"), "$1\r\nf\r\n");
  EXPECT_EQ(Run(0, "SELECT 0"), "+OK\r\n");
  EXPECT_EQ(Run(0, "GET fresh"), "$1\r\nf\r\n");
}

TEST_F(TwoReplicas, DumpRestoreReplicates) {
  Run(0, "ZADD z 1 a 2 b");
  std::string dump = Run(0, "DUMP z");
  ASSERT_EQ(dump[0], '$');
  // The payload is binary: send it as a RESP bulk string.
  std::string payload = dump.substr(dump.find("\r\n") + 2);
  payload.resize(payload.size() - 2);
  std::string req = "*4\r\n$7\r\nRESTORE\r\n$2\r\nz2\r\n$1\r\n0\r\n$" +
                    std::to_string(payload.size()) + "\r\n" + payload;
  EXPECT_EQ(Run(0, req), "+OK\r\n");
  Ship();
  ExpectConverged();
  EXPECT_EQ(Run(1, "ZRANGE z2 0 -1 WITHSCORES"),
            "*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n");
}

TEST_F(TwoReplicas, WatchedKeyModifiedByAPeerAbortsExec) {
  Run(0, "SET k 1");
  Ship();
  EXPECT_EQ(Run(0, "WATCH k"), "+OK\r\n");
  EXPECT_EQ(Run(0, "MULTI"), "+OK\r\n");
  EXPECT_EQ(Run(0, "INCR k"), "+QUEUED\r\n");
  EXPECT_EQ(Run(1, "SET k 1"), "+OK\r\n");  // the same value, but a write
  Ship();
  EXPECT_EQ(Run(0, "EXEC"), "*-1\r\n");
  EXPECT_EQ(Run(0, "GET k"), "$1\r\n1\r\n");

  // Without a concurrent write the transaction runs.
  EXPECT_EQ(Run(0, "WATCH k"), "+OK\r\n");
  EXPECT_EQ(Run(0, "MULTI"), "+OK\r\n");
  EXPECT_EQ(Run(0, "INCR k"), "+QUEUED\r\n");
  EXPECT_EQ(Run(0, "EXEC"), "*1\r\n:2\r\n");

  // A peer's write to another key does not abort; one to a watched missing key does.
  EXPECT_EQ(Run(0, "WATCH k absent"), "+OK\r\n");
  Run(1, "SET other 1");
  Ship();
  EXPECT_EQ(Run(0, "MULTI"), "+OK\r\n");
  EXPECT_EQ(Run(0, "EXEC"), "*0\r\n");
  EXPECT_EQ(Run(0, "WATCH absent"), "+OK\r\n");
  Run(1, "RPUSH absent x");
  Ship();
  EXPECT_EQ(Run(0, "MULTI"), "+OK\r\n");
  EXPECT_EQ(Run(0, "EXEC"), "*-1\r\n");
}

TEST_F(TwoReplicas, WatchedKeyModifiedByAnotherLocalClientAbortsExec) {
  Session* other = nodes_[0]->OpenSession("c2", "s", now_us_);
  Run(0, "SADD s a");
  EXPECT_EQ(Run(0, "WATCH s"), "+OK\r\n");
  EXPECT_EQ(Run(0, "SREM s a", other), ":1\r\n");
  EXPECT_EQ(Run(0, "MULTI"), "+OK\r\n");
  EXPECT_EQ(Run(0, "SADD s b"), "+QUEUED\r\n");
  EXPECT_EQ(Run(0, "EXEC"), "*-1\r\n");
  EXPECT_EQ(Run(0, "EXISTS s"), ":0\r\n");
}

}  // namespace
}  // namespace cordis
