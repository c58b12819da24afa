#include "core/keyspace/dump_format.h"

#include <gtest/gtest.h>

#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "core/crdt/lww_string.h"
#include "core/server/node.h"

namespace cordis {
namespace {

// A payload as strings, to compare two payloads structurally.
std::vector<std::string> Flatten(const Payload& p) {
  std::vector<std::string> out;
  std::visit(
      [&](const auto& d) {
        using T = std::decay_t<decltype(d)>;
        if constexpr (std::is_same_v<T, delta::StrAssign>) {
          out.emplace_back(d.value);
        } else if constexpr (std::is_same_v<T, delta::SetAdd>) {
          for (auto m : d.members) out.emplace_back(m);
        } else if constexpr (std::is_same_v<T, delta::HashSet>) {
          for (auto [f, v] : d.fields) out.push_back(std::string(f) + "=" + std::string(v));
        } else if constexpr (std::is_same_v<T, delta::ZsetAdd>) {
          for (auto [s, m] : d.items) out.push_back(std::string(m) + "@" + std::to_string(s));
        } else if constexpr (std::is_same_v<T, delta::ListInsert>) {
          for (auto v : d.values) out.emplace_back(v);
        } else {
          out.push_back("other payload");
        }
      },
      p);
  return out;
}

// Builds values through a Node, the way users make them.
class DumpFormatTest : public ::testing::Test {
 protected:
  DumpFormatTest() : node_(NodeOptions{.replica_id = 1, .seed = 7, .host = nullptr, .start_us = 1, .replication = {}}) {
    s_ = node_.OpenSession("a", "b", 1);
  }
  std::string Run(const std::string& cmd) {
    s_->input += cmd + "\r\n";
    node_.ProcessInput(s_, 1000);
    std::string out;
    out.swap(s_->output);
    return out;
  }
  const Value& ValueOf(std::string_view key) { return *node_.db(0).FindEntry(key)->value; }

  Node node_;
  Session* s_;
};

TEST_F(DumpFormatTest, EveryTypeRoundTripsToTheSameContent) {
  Run("SET s hello");
  Run("RPUSH l a b c");
  Run("SADD e x y");
  Run("HSET h f v g w");
  Run("ZADD z 1.5 a -inf b");
  for (const char* key : {"s", "l", "e", "h", "z"}) {
    std::string dump = EncodeDump(ValueOf(key));
    absl::StatusOr<ContentPayload> c = DecodeDump(dump);
    ASSERT_TRUE(c.ok()) << key << ": " << c.status();
    EXPECT_EQ(Flatten(c->payload), Flatten(ContentOf(ValueOf(key)).payload)) << key;
    EXPECT_EQ(c->payload.index(), ContentOf(ValueOf(key)).payload.index()) << key;
  }
}

TEST_F(DumpFormatTest, AnyFlippedByteOrTruncationIsRejected) {
  Run("ZADD z 1 a 2 b 3 c");
  std::string dump = EncodeDump(ValueOf("z"));
  for (size_t i = 0; i < dump.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = dump;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      EXPECT_FALSE(DecodeDump(bad).ok()) << "byte " << i << " bit " << bit;
    }
  }
  for (size_t n = 0; n < dump.size(); ++n) EXPECT_FALSE(DecodeDump(dump.substr(0, n)).ok()) << n;
  EXPECT_EQ(DecodeDump("").status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(DumpFormatTest, RedisPayloadIsRejectedAsWrongVersion) {
  // DUMP of the string "hello" by Redis 7.0 (type 0, RDB version 10, CRC64).
  std::string redis("\x00\x05hello\x0a\x00\xb1\x7b\x21\x4c\x06\x2b\x5f\x91", 17);
  EXPECT_EQ(DecodeDump(redis).status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace cordis
