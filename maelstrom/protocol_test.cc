#include "maelstrom/protocol.h"

#include <gtest/gtest.h>

namespace cordis::maelstrom {
namespace {

TEST(ProtocolTest, ParsesAnEnvelope) {
  std::optional<ReplyAddress> to;
  absl::StatusOr<Message> m =
      ParseMessage(R"({"src":"c1","dest":"n0","body":{"type":"add","msg_id":4,"delta":-2}})", &to);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->src, "c1");
  EXPECT_EQ(m->type(), "add");
  EXPECT_EQ(*m->msg_id(), 4);
  EXPECT_EQ(*IntField(m->body, "delta"), -2);
  EXPECT_FALSE(m->is_reply());
  ASSERT_TRUE(to.has_value());
  EXPECT_EQ(to->msg_id, 4);
}

TEST(ProtocolTest, SaysWhereToAnswerAMalformedRequest) {
  std::optional<ReplyAddress> to;
  EXPECT_FALSE(ParseMessage("{not json", &to).ok());
  EXPECT_FALSE(to.has_value());
  EXPECT_FALSE(ParseMessage(R"({"src":"c1","dest":"n0","body":{"msg_id":9}})", &to).ok());
  ASSERT_TRUE(to.has_value());
  EXPECT_EQ(to->src, "c1");
  EXPECT_EQ(to->msg_id, 9);
  EXPECT_FALSE(ParseMessage(R"({"src":"c1","dest":"n0","body":[]})", &to).ok());
  EXPECT_FALSE(to.has_value());
}

TEST(ProtocolTest, TypedFieldsNeverThrow) {
  Json b = Json{{"a", "x"}, {"b", 1.5}, {"c", 7}};
  EXPECT_FALSE(IntField(b, "a").has_value());
  EXPECT_FALSE(IntField(b, "b").has_value());
  EXPECT_FALSE(IntField(b, "missing").has_value());
  EXPECT_FALSE(StringField(Json::array(), "a").has_value());
  EXPECT_EQ(*IntField(b, "c"), 7);
}

TEST(ProtocolTest, SerializesOneLineAndSurvivesInvalidUtf8) {
  Message m{"n0", "c1", Json{{"type", "echo_ok"}, {"echo", std::string("a\nb\xff")}}};
  std::string line = Serialize(m);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  Json back = Json::parse(line);
  EXPECT_EQ(back["body"]["type"], "echo_ok");
  EXPECT_EQ(ErrorBody(ErrorCode::kPreconditionFailed, "x")["code"], 22);
}

}  // namespace
}  // namespace cordis::maelstrom
