#include "core/server/node.h"

#include <gtest/gtest.h>

#include <string>

namespace cordis {
namespace {

class NodeTest : public ::testing::Test {
 protected:
  NodeTest() : node_(NodeOptions{.replica_id = 1, .seed = 42, .host = nullptr, .start_us = kT0, .replication = {}}) {
    s_ = node_.OpenSession("127.0.0.1:1000", "127.0.0.1:6379", now_us_);
  }

  // Sends raw bytes, returns what the node replied.
  std::string Send(std::string_view bytes) {
    s_->input.append(bytes);
    node_.ProcessInput(s_, now_us_);
    std::string out;
    out.swap(s_->output);
    return out;
  }

  void Advance(int64_t ms) {
    now_us_ += ms * 1000;
    node_.Tick(now_us_);
  }

  static constexpr int64_t kT0 = 1'700'000'000'000'000;
  int64_t now_us_ = kT0;
  Node node_;
  Session* s_;
};

TEST_F(NodeTest, SetGetAndInline) {
  EXPECT_EQ(Send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"), "+OK\r\n");
  EXPECT_EQ(Send("GET k\r\n"), "$1\r\nv\r\n");
  EXPECT_EQ(Send("GET missing\n"), "$-1\r\n");
}

TEST_F(NodeTest, PipelineSplitAnywhereGivesTheSameReplies) {
  std::string pipeline = "SET a 1\r\nINCR a\r\n*2\r\n$4\r\nINCR\r\n$1\r\na\r\nGET a\r\n";
  std::string expected = "+OK\r\n:2\r\n:3\r\n$1\r\n3\r\n";
  for (size_t cut = 0; cut <= pipeline.size(); ++cut) {
    Send("DEL a\r\n");
    std::string out = Send(pipeline.substr(0, cut));
    out += Send(pipeline.substr(cut));
    EXPECT_EQ(out, expected) << "cut at " << cut;
  }
}

TEST_F(NodeTest, ErrorsMatchRedis) {
  EXPECT_EQ(Send("GET\r\n"), "-ERR wrong number of arguments for 'get' command\r\n");
  EXPECT_EQ(Send("FOO a b\r\n"),
            "-ERR unknown command 'FOO', with args beginning with: 'a' 'b' \r\n");
  Send("LPUSH l x\r\n");
  EXPECT_EQ(Send("GET l\r\n"),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  Send("SET n abc\r\n");
  EXPECT_EQ(Send("INCR n\r\n"), "-ERR value is not an integer or out of range\r\n");
  Send("SET big 9223372036854775807\r\n");
  EXPECT_EQ(Send("INCR big\r\n"), "-ERR increment or decrement would overflow\r\n");
  EXPECT_EQ(Send("SET k v NX XX\r\n"), "-ERR syntax error\r\n");
}

TEST_F(NodeTest, ProtocolErrorRepliesAndCloses) {
  EXPECT_EQ(Send("*1\r\n$-5\r\n"), "-ERR Protocol error: invalid bulk length\r\n");
  EXPECT_TRUE(s_->close_after_reply);
}

TEST_F(NodeTest, ExpiryIsLazyAndActive) {
  Send("SET k v PX 100\r\n");
  Send("SET j v PX 100\r\n");
  EXPECT_EQ(Send("PTTL k\r\n"), ":100\r\n");
  Advance(50);
  EXPECT_EQ(Send("GET k\r\n"), "$1\r\nv\r\n");
  Advance(51);
  EXPECT_EQ(Send("DBSIZE\r\n"), ":0\r\n");  // the wheel removed both on Tick
  EXPECT_EQ(Send("GET k\r\n"), "$-1\r\n");
  EXPECT_EQ(node_.stats().expired_keys, 2u);
}

// A tick that lands exactly on the deadline (the key is not expired yet: it expires once the clock
// passes the deadline) must not lose the key's wheel entry: the next tick deletes it without any
// client touching it. Found by the simulator (seed 86: an expired key outlived the run).
TEST_F(NodeTest, TickExactlyAtTheDeadlineStillExpiresLater) {
  Send("SET k v PX 100\r\n");
  Advance(100);
  EXPECT_EQ(node_.db(0).entry_count(), 1u);
  Advance(1);
  EXPECT_EQ(node_.db(0).entry_count(), 0u);
  EXPECT_EQ(node_.stats().expired_keys, 1u);
}

// After the clock steps back, a key whose deadline the wheel had already passed still expires
// when the clock passes it again.
TEST_F(NodeTest, ExpiryAfterTheClockStepsBack) {
  Advance(1000);
  now_us_ -= 900'000;  // the clock steps back 900 ms
  Send("SET k v PX 200\r\n");  // deadline 300 ms after the step, before the wheel's time
  Advance(150);
  EXPECT_EQ(node_.db(0).entry_count(), 1u);
  Advance(1000);
  EXPECT_EQ(node_.db(0).entry_count(), 0u);
}

TEST_F(NodeTest, PersistAndKeepTtl) {
  Send("SET k v EX 100\r\n");
  EXPECT_EQ(Send("TTL k\r\n"), ":100\r\n");
  Send("SET k w KEEPTTL\r\n");
  EXPECT_EQ(Send("TTL k\r\n"), ":100\r\n");
  EXPECT_EQ(Send("PERSIST k\r\n"), ":1\r\n");
  EXPECT_EQ(Send("TTL k\r\n"), ":-1\r\n");
  EXPECT_EQ(Send("SET k x EX 5\r\n"), "+OK\r\n");
  Send("SET k y\r\n");
  EXPECT_EQ(Send("TTL k\r\n"), ":-1\r\n");
}

TEST_F(NodeTest, MultiExec) {
  EXPECT_EQ(Send("MULTI\r\n"), "+OK\r\n");
  EXPECT_EQ(Send("SET a 1\r\n"), "+QUEUED\r\n");
  EXPECT_EQ(Send("INCR a\r\n"), "+QUEUED\r\n");
  EXPECT_EQ(Send("EXEC\r\n"), "*2\r\n+OK\r\n:2\r\n");
  Send("MULTI\r\n");
  EXPECT_EQ(Send("GET\r\n"), "-ERR wrong number of arguments for 'get' command\r\n");
  EXPECT_EQ(Send("EXEC\r\n"),
            "-EXECABORT Transaction discarded because of previous errors.\r\n");
  EXPECT_EQ(Send("EXEC\r\n"), "-ERR EXEC without MULTI\r\n");
}

TEST_F(NodeTest, Resp3) {
  std::string hello = Send("HELLO 3\r\n");
  EXPECT_EQ(hello.substr(0, 3), "%7\r");
  EXPECT_EQ(Send("GET nothing\r\n"), "_\r\n");
}

TEST_F(NodeTest, IncrByFloatFormatsLikeRedis) {
  Send("SET f 10.50\r\n");
  EXPECT_EQ(Send("INCRBYFLOAT f 0.1\r\n"), "$4\r\n10.6\r\n");
  Send("SET g 5.0e3\r\n");
  EXPECT_EQ(Send("INCRBYFLOAT g 2.0e2\r\n"), "$4\r\n5200\r\n");
}

TEST_F(NodeTest, SameSeedSameIterationOrder) {
  Node other(NodeOptions{.replica_id = 1, .seed = 42, .host = nullptr, .start_us = kT0, .replication = {}});
  Session* t = other.OpenSession("a", "b", kT0);
  for (int i = 0; i < 100; ++i) {
    std::string cmd = "SET key" + std::to_string(i) + " v\r\n";
    Send(cmd);
    t->input += cmd;
  }
  other.ProcessInput(t, kT0);
  t->output.clear();
  t->input += "KEYS *\r\n";
  other.ProcessInput(t, kT0);
  EXPECT_EQ(Send("KEYS *\r\n"), t->output);
}

}  // namespace
}  // namespace cordis
