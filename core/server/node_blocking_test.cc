// Blocking commands in the core: first come first served, pipelined commands after a served
// block, timeouts on Tick, MULTI never blocks, wrong types keep a blocked client waiting, a closed
// session leaves the line, and an op arriving from a peer wakes a client like a local write.
#include <gtest/gtest.h>

#include <string>

#include "core/server/node.h"

namespace cordis {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000'000;

class BlockingTest : public ::testing::Test {
 protected:
  BlockingTest() : node_(Options(1)) {}

  static NodeOptions Options(ReplicaId id) {
    NodeOptions o;
    o.replica_id = id;
    o.seed = 7 + id;
    o.start_us = kT0;
    return o;
  }

  Session* Open() { return node_.OpenSession("c", "s", now_us_); }

  static std::string Take(Session* s) {
    std::string out;
    out.swap(s->output);
    return out;
  }

  std::string Send(Session* s, std::string_view bytes) {
    s->input.append(bytes);
    node_.ProcessInput(s, now_us_);
    return Take(s);
  }

  int64_t now_us_ = kT0;
  Node node_;
};

TEST_F(BlockingTest, ClientsAreServedInTheOrderTheyBlocked) {
  Session* a = Open();
  Session* b = Open();
  Session* w = Open();
  EXPECT_EQ(Send(a, "BLPOP q 0\r\n"), "");
  EXPECT_EQ(Send(b, "BLPOP other q 0\r\n"), "");
  EXPECT_EQ(node_.blocked_clients(), 2u);
  EXPECT_EQ(Send(w, "RPUSH q x y z\r\n"), ":3\r\n");
  EXPECT_EQ(Take(a), "*2\r\n$1\r\nq\r\n$1\r\nx\r\n");
  EXPECT_EQ(Take(b), "*2\r\n$1\r\nq\r\n$1\r\ny\r\n");
  std::vector<Session*> woken = node_.TakeWokenSessions();
  EXPECT_EQ(woken, (std::vector<Session*>{a, b}));
  EXPECT_EQ(node_.blocked_clients(), 0u);
  EXPECT_EQ(Send(w, "LRANGE q 0 -1\r\n"), "*1\r\n$1\r\nz\r\n");
}

TEST_F(BlockingTest, AServedClientGoesOnWithItsPipelineAndTheWriterSeesTheResult) {
  Session* a = Open();
  Session* w = Open();
  EXPECT_EQ(Send(a, "BLPOP q 0\r\nECHO after\r\n"), "");
  // Like Redis, the blocked client is served right after the RPUSH, before the writer's LPOP.
  EXPECT_EQ(Send(w, "RPUSH q x\r\nLPOP q\r\n"), ":1\r\n$-1\r\n");
  EXPECT_EQ(Take(a), "*2\r\n$1\r\nq\r\n$1\r\nx\r\n$5\r\nafter\r\n");
}

TEST_F(BlockingTest, TimeoutsAnswerNullOnTick) {
  Session* a = Open();
  Session* b = Open();
  EXPECT_EQ(Send(a, "BLPOP q 0.5\r\n"), "");
  EXPECT_EQ(Send(b, "BZPOPMIN z 2\r\n"), "");
  EXPECT_EQ(node_.NextBlockDeadlineUs(), now_us_ + 500'000);
  now_us_ += 499'000;
  node_.Tick(now_us_);
  EXPECT_EQ(Take(a), "");
  now_us_ += 1'000;
  node_.Tick(now_us_);
  EXPECT_EQ(Take(a), "*-1\r\n");
  EXPECT_EQ(Take(b), "");
  EXPECT_EQ(node_.blocked_clients(), 1u);
}

TEST_F(BlockingTest, InsideMultiNothingBlocks) {
  Session* a = Open();
  EXPECT_EQ(Send(a, "MULTI\r\nBLPOP q 0\r\nBZPOPMAX z 0\r\nEXEC\r\n"),
            "+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n*-1\r\n*-1\r\n");
  EXPECT_EQ(node_.blocked_clients(), 0u);
}

TEST_F(BlockingTest, AKeyOfAnotherTypeKeepsABlockedClientWaiting) {
  Session* a = Open();
  Session* w = Open();
  EXPECT_EQ(Send(a, "BLPOP k 0\r\n"), "");
  EXPECT_EQ(Send(w, "SET k v\r\n"), "+OK\r\n");
  EXPECT_EQ(Take(a), "");
  EXPECT_EQ(node_.blocked_clients(), 1u);
  // But a client that finds the wrong type when it first runs the command gets the error.
  Session* c = Open();
  EXPECT_EQ(Send(c, "BLPOP k 0\r\n"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(Send(w, "DEL k\r\nRPUSH k x\r\n"), ":1\r\n:1\r\n");
  EXPECT_EQ(Take(a), "*2\r\n$1\r\nk\r\n$1\r\nx\r\n");
}

TEST_F(BlockingTest, AClosedSessionLeavesTheLine) {
  Session* a = Open();
  Session* b = Open();
  Session* w = Open();
  EXPECT_EQ(Send(a, "BLPOP q 0\r\n"), "");
  EXPECT_EQ(Send(b, "BLPOP q 0\r\n"), "");
  node_.CloseSession(a);
  EXPECT_EQ(Send(w, "RPUSH q x\r\n"), ":1\r\n");
  EXPECT_EQ(Take(b), "*2\r\n$1\r\nq\r\n$1\r\nx\r\n");
}

TEST_F(BlockingTest, AnOpFromAPeerWakesABlockedClient) {
  Node peer(Options(2));
  node_.AddMember(2);
  peer.AddMember(1);
  Session* a = Open();
  EXPECT_EQ(Send(a, "BZPOPMAX z 0\r\n"), "");
  // The peer learns of us (a Have), writes, and pushes the op.
  node_.ReplicationTick(now_us_);
  for (Outgoing& o : node_.TakeOutbox()) ASSERT_TRUE(peer.OnPeerMessage(o.msg, now_us_).ok());
  Session* p = peer.OpenSession("c", "s", now_us_);
  p->input = "ZADD z 1 a 2 b\r\n";
  peer.ProcessInput(p, now_us_);
  peer.FlushReplication();
  std::vector<Outgoing> out = peer.TakeOutbox();
  ASSERT_FALSE(out.empty());
  for (Outgoing& o : out) ASSERT_TRUE(node_.OnPeerMessage(o.msg, now_us_).ok());
  EXPECT_EQ(Take(a), "*3\r\n$1\r\nz\r\n$1\r\nb\r\n$1\r\n2\r\n");
  EXPECT_EQ(node_.TakeWokenSessions(), (std::vector<Session*>{a}));
}

TEST_F(BlockingTest, WaitCountsPeersThatAcknowledgedTheClientsLastWrite) {
  Session* a = Open();
  // Alone: nothing to wait for, WAIT 1 times out with 0.
  EXPECT_EQ(Send(a, "WAIT 0 0\r\n"), ":0\r\n");
  EXPECT_EQ(Send(a, "WAIT 1 100\r\n"), "");
  now_us_ += 100'000;
  node_.Tick(now_us_);
  EXPECT_EQ(Take(a), ":0\r\n");
  // With a peer: WAIT blocks until the peer's Have covers the write.
  Node peer(Options(2));
  node_.AddMember(2);
  peer.AddMember(1);
  EXPECT_EQ(Send(a, "SET k v\r\nWAIT 1 0\r\n"), "+OK\r\n");
  EXPECT_EQ(node_.blocked_clients(), 1u);
  // A Have that predates the write does not count.
  peer.ReplicationTick(now_us_);
  for (Outgoing& o : peer.TakeOutbox()) ASSERT_TRUE(node_.OnPeerMessage(o.msg, now_us_).ok());
  EXPECT_EQ(Take(a), "");
  // The peer gets the write (the node answers its Have with the op), then says so.
  for (Outgoing& o : node_.TakeOutbox()) ASSERT_TRUE(peer.OnPeerMessage(o.msg, now_us_).ok());
  peer.ReplicationTick(now_us_);
  for (Outgoing& o : peer.TakeOutbox()) ASSERT_TRUE(node_.OnPeerMessage(o.msg, now_us_).ok());
  EXPECT_EQ(Take(a), ":1\r\n");
  EXPECT_EQ(Send(a, "WAIT 5 0\r\n"), "");  // more peers than exist: only a timeout ends it
  node_.CloseSession(a);
  Session* b = Open();
  EXPECT_EQ(Send(b, "MULTI\r\nWAIT 3 0\r\nEXEC\r\n"), "+OK\r\n+QUEUED\r\n*1\r\n:1\r\n");
  EXPECT_EQ(Send(b, "WAIT a 0\r\n"), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(Send(b, "WAIT 1 -1\r\n"), "-ERR timeout is negative\r\n");
  EXPECT_EQ(Send(b, "WAIT 1 x\r\n"), "-ERR timeout is not an integer or out of range\r\n");
  EXPECT_EQ(Send(b, "WAIT -1 0\r\n"), ":1\r\n");
}

TEST_F(BlockingTest, TimeoutArgumentsFollowRedis) {
  Session* a = Open();
  EXPECT_EQ(Send(a, "BLPOP q abc\r\n"), "-ERR timeout is not a float or out of range\r\n");
  EXPECT_EQ(Send(a, "BLPOP q -1\r\n"), "-ERR timeout is negative\r\n");
  EXPECT_EQ(Send(a, "BLPOP q inf\r\n"), "-ERR timeout is negative\r\n");
  EXPECT_EQ(Send(a, "BLPOP q nan\r\n"), "-ERR timeout is not a float or out of range\r\n");
  EXPECT_EQ(Send(a, "BLPOP q\r\n"), "-ERR wrong number of arguments for 'blpop' command\r\n");
  EXPECT_EQ(node_.blocked_clients(), 0u);
}

}  // namespace
}  // namespace cordis
