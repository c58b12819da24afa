#include "core/resp/request_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace cordis::resp {
namespace {

using namespace std::string_literals;
using Result = RequestParser::Result;
using Command = std::vector<std::string>;

struct Outcome {
  std::vector<Command> commands;
  Result last = Result::kNeedMore;
  std::string error;
  bool operator==(const Outcome&) const = default;
};

Command ToCommand(const std::vector<std::string_view>& args) {
  return Command(args.begin(), args.end());
}

// Runs parser over buf from *pos until it stops returning commands.
void Drain(RequestParser& parser, std::string_view buf, size_t* pos, Outcome* out) {
  while ((out->last = parser.Next(buf, pos)) == Result::kCommand) {
    out->commands.push_back(ToCommand(parser.args()));
  }
  out->error = std::string(parser.error());
}

Outcome ParseAll(std::string_view buf, ParserLimits limits = {}) {
  RequestParser parser(limits);
  Outcome out;
  size_t pos = 0;
  Drain(parser, buf, &pos, &out);
  return out;
}

// Delivers pieces one by one like a connection driver. With compact, each round copies the
// unconsumed tail plus the new piece into a fresh string and restarts at pos 0; otherwise it
// appends to one growing buffer and keeps pos.
Outcome Feed(const std::vector<std::string_view>& pieces, bool compact) {
  RequestParser parser;
  Outcome out;
  std::string buf;
  size_t pos = 0;
  for (std::string_view piece : pieces) {
    if (compact) {
      std::string fresh = buf.substr(pos);
      fresh.append(piece);
      buf = std::move(fresh);
      pos = 0;
    } else {
      buf.append(piece);
    }
    Drain(parser, buf, &pos, &out);
    if (out.last == Result::kError) break;
  }
  return out;
}

TEST(RequestParserTest, SimpleMultibulk) {
  const std::string buf = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n";
  RequestParser parser;
  size_t pos = 0;
  ASSERT_EQ(parser.Next(buf, &pos), Result::kCommand);
  EXPECT_EQ(ToCommand(parser.args()), (Command{"SET", "key", "value"}));
  EXPECT_EQ(pos, buf.size());
  for (std::string_view arg : parser.args()) {  // Zero copy: the views point into buf.
    EXPECT_GE(arg.data(), buf.data());
    EXPECT_LE(arg.data() + arg.size(), buf.data() + buf.size());
  }
  EXPECT_EQ(parser.Next(buf, &pos), Result::kNeedMore);
  EXPECT_EQ(pos, buf.size());
}

TEST(RequestParserTest, PipelineOfManyCommands) {
  std::string buf;
  std::vector<Command> expected;
  for (int i = 0; i < 1000; ++i) {
    const std::string key = "key" + std::to_string(i);
    if (i % 3 == 0) {
      buf += "GET " + key + "\r\n";
      expected.push_back({"GET", key});
    } else {
      buf += "*2\r\n$4\r\nINCR\r\n$" + std::to_string(key.size()) + "\r\n" + key + "\r\n";
      expected.push_back({"INCR", key});
    }
  }
  const Outcome out = ParseAll(buf);
  EXPECT_EQ(out.commands, expected);
  EXPECT_EQ(out.last, Result::kNeedMore);
}

// Requests of every kind, including skipped empty ones and binary payloads.
const std::string kPipeline =
    "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$7\r\nv\r\nal\0e\r\n"s
    "*0\r\n*-1\r\n"
    "PING\r\n"
    "\r\n\n"
    "set \"a b\" 'c\\'d' \"\\x41\\n\" x\"y\"\n"
    "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n"
    "  spaced \t words  \r\n"
    "*1\r\n$12\r\n*1\r\n$4\r\nPING\r\n";

const std::vector<Command> kPipelineCommands = {{"SET", "key", "v\r\nal\0e"s},
                                                {"PING"},
                                                {"set", "a b", "c'd", "A\n", "xy"},
                                                {"ECHO", ""},
                                                {"spaced", "words"},
                                                {"*1\r\n$4\r\nPING"}};

TEST(RequestParserTest, PipelineOfEveryKind) {
  const Outcome out = ParseAll(kPipeline);
  EXPECT_EQ(out.commands, kPipelineCommands);
  EXPECT_EQ(out.last, Result::kNeedMore);
}

TEST(RequestParserTest, EverySplitPointGivesSameCommands) {
  const std::string_view buf = kPipeline;
  const Outcome whole = ParseAll(buf);
  for (size_t cut = 0; cut <= buf.size(); ++cut) {
    const std::vector<std::string_view> pieces = {buf.substr(0, cut), buf.substr(cut)};
    EXPECT_EQ(Feed(pieces, /*compact=*/true), whole) << "cut at " << cut;
    EXPECT_EQ(Feed(pieces, /*compact=*/false), whole) << "cut at " << cut;
  }
}

TEST(RequestParserTest, ByteByByteGivesSameCommandsAndErrors) {
  for (const std::string& buf : {kPipeline, kPipeline + "*2\r\n$3\r\nGET\r\n$-2\r\n",
                                 kPipeline + "get \"a\n", kPipeline + "*1\r\n:1\r\n"}) {
    std::vector<std::string_view> bytes;
    for (size_t i = 0; i < buf.size(); ++i) bytes.push_back(std::string_view(buf).substr(i, 1));
    const Outcome whole = ParseAll(buf);
    EXPECT_EQ(Feed(bytes, /*compact=*/true), whole);
    EXPECT_EQ(Feed(bytes, /*compact=*/false), whole);
  }
}

TEST(RequestParserTest, ResumesAfterCompactionIntoNewBuffer) {
  const std::string first = "PING\r\n*2\r\n$3\r\nGET\r\n$5\r\nhel";
  RequestParser parser;
  size_t pos = 0;
  ASSERT_EQ(parser.Next(first, &pos), Result::kCommand);
  EXPECT_EQ(ToCommand(parser.args()), Command{"PING"});
  ASSERT_EQ(parser.Next(first, &pos), Result::kNeedMore);
  EXPECT_EQ(pos, 6u);
  EXPECT_EQ(parser.bytes_wanted(), 4u);  // "lo\r\n"

  const std::string second = first.substr(pos) + "lo\r\n";
  pos = 0;
  ASSERT_EQ(parser.Next(second, &pos), Result::kCommand);
  EXPECT_EQ(ToCommand(parser.args()), (Command{"GET", "hello"}));
  EXPECT_EQ(pos, second.size());
  EXPECT_EQ(parser.bytes_wanted(), 0u);
}

TEST(RequestParserTest, InlineQuotesAndEscapes) {
  const struct {
    std::string line;
    Command args;
  } cases[] = {
      {"PING\r\n", {"PING"}},
      {"PING\n", {"PING"}},
      {"x\r\r\n", {"x"}},
      {"  set   a\tb  \n", {"set", "a", "b"}},
      {"\"a b\" 'c d'\n", {"a b", "c d"}},
      {"\"\\x41\\x6a\\n\\r\\t\\b\\a\\\\\\\"\\q\"\n", {"Aj\n\r\t\b\a\\\"q"}},
      {"\"\\xZZ\\x4\"\n", {"xZZx4"}},
      {"'it\\'s' 'a\\nb' '\"'\n", {"it's", "a\\nb", "\""}},
      {"foo\"bar\" baz'q' \"\" ''\n", {"foobar", "bazq", "", ""}},
      {"a\vb \va\n", {"a\vb", "a"}},
      {"\"a\"\vb\n", {"a", "b"}},
      {"\"\\x00\"\n", {"\0"s}},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ParseAll(c.line).commands, std::vector<Command>{c.args}) << c.line;
  }
}

TEST(RequestParserTest, InlineWordsWithoutQuotesAreZeroCopy) {
  const std::string buf = "set key \"v 1\"\r\n";
  RequestParser parser;
  size_t pos = 0;
  ASSERT_EQ(parser.Next(buf, &pos), Result::kCommand);
  ASSERT_EQ(parser.args().size(), 3u);
  EXPECT_EQ(parser.args()[1].data(), buf.data() + 4);
  EXPECT_EQ(parser.args()[2], "v 1");
  EXPECT_EQ(pos, buf.size());
}

TEST(RequestParserTest, InlineLongerThanLimitIsFineOnceItsNewlineArrived) {
  const std::string value(100000, 'v');
  EXPECT_EQ(ParseAll("SET k " + value + "\r\n").commands,
            (std::vector<Command>{{"SET", "k", value}}));
}

TEST(RequestParserTest, EmptyRequestsAreSkipped) {
  RequestParser parser;
  const std::string only_empty = "*0\r\n*-1\r\n\r\n   \n";
  size_t pos = 0;
  EXPECT_EQ(parser.Next(only_empty, &pos), Result::kNeedMore);
  EXPECT_EQ(pos, only_empty.size());  // Consumed, so the driver can drop them.

  EXPECT_EQ(ParseAll("*0\r\n*-1\r\n*-10\r\n*1\r\n$4\r\nPING\r\n").commands,
            std::vector<Command>{{"PING"}});
}

TEST(RequestParserTest, ErrorMessages) {
  const struct {
    std::string input;
    std::string error;
  } cases[] = {
      {"*abc\r\n", "ERR Protocol error: invalid multibulk length"},
      {"*\r\n", "ERR Protocol error: invalid multibulk length"},
      {"*01\r\n", "ERR Protocol error: invalid multibulk length"},
      {"*+1\r\n", "ERR Protocol error: invalid multibulk length"},
      {"*-0\r\n", "ERR Protocol error: invalid multibulk length"},
      {"*1 \r\n", "ERR Protocol error: invalid multibulk length"},
      {"*1073741825\r\n", "ERR Protocol error: invalid multibulk length"},
      {"*3000000000\r\n", "ERR Protocol error: invalid multibulk length"},
      {"*99999999999999999999\r\n", "ERR Protocol error: invalid multibulk length"},
      {"*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n", "ERR Protocol error: expected '$', got 'f'"},
      {"*1\r\n\r\n\r\n", "ERR Protocol error: expected '$', got ' '"},
      {"*1\r\n$abc\r\n", "ERR Protocol error: invalid bulk length"},
      {"*1\r\n$\r\n", "ERR Protocol error: invalid bulk length"},
      {"*1\r\n$00\r\n", "ERR Protocol error: invalid bulk length"},
      {"*3\r\n$3\r\nSET\r\n$1\r\nx\r\n$-10\r\n", "ERR Protocol error: invalid bulk length"},
      {"*1\r\n$-1\r\n", "ERR Protocol error: invalid bulk length"},
      {"*1\r\n$536870913\r\n", "ERR Protocol error: invalid bulk length"},
      {"*1\r\n$600000000\r\n", "ERR Protocol error: invalid bulk length"},
      {"*1\r\n$2000000000\r\n", "ERR Protocol error: invalid bulk length"},
      {"set \"a\n", "ERR Protocol error: unbalanced quotes in request"},
      {"set 'a\n", "ERR Protocol error: unbalanced quotes in request"},
      {"set \"a\"b\n", "ERR Protocol error: unbalanced quotes in request"},
      {"set 'a'b\n", "ERR Protocol error: unbalanced quotes in request"},
      {"set \"a\"'b'\n", "ERR Protocol error: unbalanced quotes in request"},
      {"set \"a\\\"\n", "ERR Protocol error: unbalanced quotes in request"},
      {"set \"a\\\n", "ERR Protocol error: unbalanced quotes in request"},
  };
  for (const auto& c : cases) {
    const Outcome out = ParseAll(c.input);
    EXPECT_EQ(out.last, Result::kError) << c.input;
    EXPECT_EQ(out.error, c.error) << c.input;
    EXPECT_TRUE(out.commands.empty()) << c.input;
  }
}

TEST(RequestParserTest, LineLimitsMatchRedisBoundaries) {
  const size_t limit = 64 * 1024;
  const struct {
    std::string prefix;
    std::string error;
  } cases[] = {
      {"", "ERR Protocol error: too big inline request"},
      {"*", "ERR Protocol error: too big mbulk count string"},
      {"*1\r\n$", "ERR Protocol error: too big bulk count string"},
  };
  for (const auto& c : cases) {
    // The limit counts from the start of the line being read.
    const size_t line_start = c.prefix.size() > 1 ? 4 : 0;
    std::string buf = c.prefix + std::string(limit + line_start - c.prefix.size(), '1');
    RequestParser parser;
    size_t pos = 0;
    EXPECT_EQ(parser.Next(buf, &pos), Result::kNeedMore) << c.error;
    buf += '1';
    EXPECT_EQ(parser.Next(buf, &pos), Result::kError) << c.error;
    EXPECT_EQ(parser.error(), c.error);
  }
}

TEST(RequestParserTest, CommandsBeforeAnErrorAreReturnedAndTheErrorSticks) {
  const std::string buf = "PING\r\n*1\r\nfoo\r\nPING\r\n";
  RequestParser parser;
  size_t pos = 0;
  ASSERT_EQ(parser.Next(buf, &pos), Result::kCommand);
  EXPECT_EQ(ToCommand(parser.args()), Command{"PING"});
  EXPECT_EQ(parser.Next(buf, &pos), Result::kError);
  EXPECT_EQ(parser.error(), "ERR Protocol error: expected '$', got 'f'");
  EXPECT_TRUE(parser.args().empty());
  EXPECT_EQ(parser.Next(buf, &pos), Result::kError);
}

TEST(RequestParserTest, HugeDeclaredLengthsAllocateNothing) {
  RequestParser parser;
  const std::string buf = "*1073741824\r\n$536870912\r\nabc";  // Both at the limit.
  size_t pos = 0;
  EXPECT_EQ(parser.Next(buf, &pos), Result::kNeedMore);
  EXPECT_EQ(parser.bytes_wanted(), 536870912u + 2 - 3);
  EXPECT_LT(parser.memory_usage(), 64u * 1024);

  EXPECT_EQ(ParseAll("*1\r\n$600000000\r\n").error, "ERR Protocol error: invalid bulk length");
}

TEST(RequestParserTest, CustomLimits) {
  const ParserLimits limits = {.max_bulk_len = 5, .max_multibulk_len = 2, .max_inline_len = 8};
  EXPECT_EQ(ParseAll("*2\r\n$5\r\nhello\r\n$0\r\n\r\n", limits).commands,
            (std::vector<Command>{{"hello", ""}}));
  EXPECT_EQ(ParseAll("*3\r\n", limits).error, "ERR Protocol error: invalid multibulk length");
  EXPECT_EQ(ParseAll("*1\r\n$6\r\n", limits).error, "ERR Protocol error: invalid bulk length");
  EXPECT_EQ(ParseAll("aaaaaaaaa", limits).error, "ERR Protocol error: too big inline request");
}

TEST(RequestParserTest, BinaryPayloads) {
  const std::string payload = "\r\n\0\r\n*1\r\n$3\r\n\xff"s;
  const std::string buf =
      "*2\r\n$" + std::to_string(payload.size()) + "\r\n" + payload + "\r\n$2\r\n\n\r\r\n";
  EXPECT_EQ(ParseAll(buf).commands, (std::vector<Command>{{payload, "\n\r"}}));
}

// Redis checks that a byte follows each CR, and two follow each payload, but not what they are.
TEST(RequestParserTest, TerminatorBytesAreSkippedUncheckedLikeRedis) {
  EXPECT_EQ(ParseAll("*1\rX$4\rYPINGZZ").commands, std::vector<Command>{{"PING"}});
}

// Redis finds line ends with strchr() on a NUL-terminated buffer, which stops at a NUL.
TEST(RequestParserTest, NulInHeaderOrInlineLineHidesTheLineEndLikeRedis) {
  for (const std::string& buf : {"*1\r\n$4\0\r\nPING\r\n"s, "PI\0NG\r\n"s}) {
    RequestParser parser;
    size_t pos = 0;
    EXPECT_EQ(parser.Next(buf, &pos), Result::kNeedMore);
    const std::string more = buf + std::string(64 * 1024, '\n');
    EXPECT_EQ(parser.Next(more, &pos), Result::kError);
  }
}

TEST(RequestParserTest, HugeCommandInChunksIsLinear) {
  const int kArgs = 100000;
  std::string buf = "*" + std::to_string(kArgs + 1) + "\r\n$4\r\nMSET\r\n";
  for (int i = 0; i < kArgs; ++i) {
    const std::string arg = "k" + std::to_string(i);
    buf += "$" + std::to_string(arg.size()) + "\r\n" + arg + "\r\n";
  }
  for (bool compact : {true, false}) {
    RequestParser parser;
    std::string pending;
    size_t pos = 0;
    Result result = Result::kNeedMore;
    for (size_t off = 0; off < buf.size(); off += 4096) {
      if (compact) {
        pending = pending.substr(pos);
        pos = 0;
      }
      pending.append(buf, off, 4096);
      result = parser.Next(pending, &pos);
      if (result != Result::kNeedMore) break;
    }
    ASSERT_EQ(result, Result::kCommand);
    EXPECT_EQ(parser.args().size(), static_cast<size_t>(kArgs + 1));
    EXPECT_EQ(parser.args().back(), "k" + std::to_string(kArgs - 1));
    EXPECT_LE(parser.bytes_scanned(), buf.size());  // Every byte searched at most once.
  }
}

TEST(RequestParserTest, LargeBulkInChunksIsNeverScanned) {
  const std::string value(1 << 20, 'x');
  const std::string buf =
      "*2\r\n$3\r\nGET\r\n$" + std::to_string(value.size()) + "\r\n" + value + "\r\n";
  RequestParser parser;
  std::string pending;
  size_t pos = 0;
  for (size_t off = 0; off < buf.size(); off += 4096) {
    pending.append(buf, off, 4096);
    const Result result = parser.Next(pending, &pos);
    if (off + 4096 < buf.size()) {
      ASSERT_EQ(result, Result::kNeedMore);
      EXPECT_EQ(parser.bytes_wanted(), buf.size() - pending.size());
    } else {
      ASSERT_EQ(result, Result::kCommand);
      EXPECT_EQ(parser.args()[1].size(), value.size());
    }
  }
  EXPECT_LT(parser.bytes_scanned(), 32u);
}

TEST(RequestParserDeathTest, DriverMustKeepUnconsumedBytes) {
  RequestParser parser;
  const std::string buf = "*1\r\n$5\r\nhel";
  size_t pos = 0;
  ASSERT_EQ(parser.Next(buf, &pos), Result::kNeedMore);
  EXPECT_DEATH(parser.Next(std::string_view(buf).substr(0, 5), &pos), "CHECK failed");
}

}  // namespace
}  // namespace cordis::resp
