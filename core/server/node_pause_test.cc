// CLIENT PAUSE in the core: held commands keep their order and run when the pause ends (at the
// deadline on Tick, or on CLIENT UNPAUSE); readers pass a WRITE pause; the driver hears of the
// replies through TakeWokenSessions and of the deadline through NextBlockDeadlineUs.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/server/node.h"

namespace cordis {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000'000;

class PauseTest : public ::testing::Test {
 protected:
  PauseTest() {
    NodeOptions o;
    o.replica_id = 1;
    o.start_us = kT0;
    node_ = std::make_unique<Node>(o);
    admin_ = node_->OpenSession("a", "s", kT0);
    writer_ = node_->OpenSession("w", "s", kT0);
  }

  std::string Send(Session* s, const std::string& cmds) {
    s->input += cmds;
    node_->ProcessInput(s, now_);
    std::string out;
    out.swap(s->output);
    return out;
  }

  int64_t now_ = kT0;
  std::unique_ptr<Node> node_;
  Session* admin_;
  Session* writer_;
};

TEST_F(PauseTest, WritesWaitForTheDeadlineInOrderReadsDoNot) {
  EXPECT_EQ(Send(admin_, "CLIENT PAUSE 100 WRITE\r\n"), "+OK\r\n");
  EXPECT_EQ(node_->NextBlockDeadlineUs(), kT0 + 100'000);
  EXPECT_EQ(Send(writer_, "RPUSH l a\r\nRPUSH l b\r\nLLEN l\r\n"), "");
  EXPECT_EQ(Send(admin_, "LLEN l\r\n"), ":0\r\n");
  now_ += 50'000;
  node_->Tick(now_);
  EXPECT_TRUE(node_->TakeWokenSessions().empty());
  now_ += 50'000;
  node_->Tick(now_);
  std::vector<Session*> woken = node_->TakeWokenSessions();
  ASSERT_EQ(woken.size(), 1u);
  EXPECT_EQ(woken[0], writer_);
  EXPECT_EQ(writer_->output, ":1\r\n:2\r\n:2\r\n");
}

TEST_F(PauseTest, UnpauseReleasesAtOnceAndPauseAllHoldsReaders) {
  EXPECT_EQ(Send(admin_, "CLIENT PAUSE 100000 WRITE\r\n"), "+OK\r\n");
  EXPECT_EQ(Send(writer_, "SET k v\r\n"), "");
  EXPECT_EQ(Send(admin_, "CLIENT UNPAUSE\r\nGET k\r\n"), "+OK\r\n$1\r\nv\r\n");
  EXPECT_EQ(writer_->output, "+OK\r\n");
  writer_->output.clear();
  EXPECT_EQ(Send(admin_, "CLIENT PAUSE 100 ALL\r\n"), "+OK\r\n");
  EXPECT_EQ(Send(writer_, "GET k\r\n"), "");
  EXPECT_EQ(Send(writer_, "PING\r\n"), "");  // still behind the held GET
  now_ += 100'000;
  node_->Tick(now_);
  EXPECT_EQ(writer_->output, "$1\r\nv\r\n+PONG\r\n");
}

TEST_F(PauseTest, ExecOfAQueueThatWritesWaits) {
  EXPECT_EQ(Send(writer_, "MULTI\r\nGET k\r\n"), "+OK\r\n+QUEUED\r\n");
  EXPECT_EQ(Send(admin_, "CLIENT PAUSE 100 WRITE\r\n"), "+OK\r\n");
  EXPECT_EQ(Send(writer_, "EXEC\r\n"), "*1\r\n$-1\r\n") << "a read-only queue runs";
  EXPECT_EQ(Send(writer_, "MULTI\r\n"), "+OK\r\n");
  EXPECT_EQ(Send(writer_, "SET k v\r\n"), "") << "Redis holds even the queuing of a write";
  now_ += 100'000;
  node_->Tick(now_);
  EXPECT_EQ(writer_->output, "+QUEUED\r\n");
  writer_->output.clear();
  EXPECT_EQ(Send(writer_, "EXEC\r\n"), "*1\r\n+OK\r\n");
}

TEST_F(PauseTest, AClosedHeldSessionIsForgotten) {
  EXPECT_EQ(Send(admin_, "CLIENT PAUSE 100 WRITE\r\n"), "+OK\r\n");
  EXPECT_EQ(Send(writer_, "SET k v\r\n"), "");
  node_->CloseSession(writer_);
  now_ += 100'000;
  node_->Tick(now_);
  EXPECT_EQ(Send(admin_, "EXISTS k\r\n"), ":0\r\n");
}

}  // namespace
}  // namespace cordis
