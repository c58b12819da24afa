#include "maelstrom/resp_reply.h"

#include <gtest/gtest.h>

namespace cordis::maelstrom {
namespace {

TEST(RespReplyTest, ReadsEachType) {
  EXPECT_EQ(ParseRespReply("+OK\r\n")->text, "OK");
  EXPECT_TRUE(ParseRespReply("-ERR no\r\n")->is_error());
  EXPECT_EQ(ParseRespReply(":-42\r\n")->integer, -42);
  EXPECT_EQ(ParseRespReply("$5\r\na\r\nbc\r\n")->text, "a\r\nbc");  // binary-safe
  EXPECT_EQ(ParseRespReply("$-1\r\n")->kind, RespReply::Kind::kNil);
  EXPECT_EQ(ParseRespReply("*-1\r\n")->kind, RespReply::Kind::kNil);
  absl::StatusOr<RespReply> a = ParseRespReply("*2\r\n$1\r\nx\r\n*1\r\n:7\r\n");
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->elements.size(), 2u);
  EXPECT_EQ(a->elements[0].text, "x");
  EXPECT_EQ(a->elements[1].elements[0].integer, 7);
}

TEST(RespReplyTest, RefusesWhatIsNotExactlyOneReply) {
  EXPECT_FALSE(ParseRespReply("").ok());
  EXPECT_FALSE(ParseRespReply(":12").ok());
  EXPECT_FALSE(ParseRespReply(":1x\r\n").ok());
  EXPECT_FALSE(ParseRespReply("$5\r\nab\r\n").ok());
  EXPECT_FALSE(ParseRespReply("*2\r\n:1\r\n").ok());
  EXPECT_FALSE(ParseRespReply(":1\r\n:2\r\n").ok());
  EXPECT_FALSE(ParseRespReply("%1\r\n").ok());  // RESP3 map: the adapter's session speaks RESP2
  EXPECT_FALSE(ParseRespReply("$-2\r\n").ok());
}

}  // namespace
}  // namespace cordis::maelstrom
