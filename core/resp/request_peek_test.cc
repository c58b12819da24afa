#include "core/resp/request_peek.h"

#include <array>
#include <string>

#include "gtest/gtest.h"

namespace cordis::resp {
namespace {

TEST(RequestPeek, FindsTheFirstThreeArgumentsOfEachCompleteRequest) {
  std::string buf =
      "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n"
      "*1\r\n$4\r\nPING\r\n"  // no argument: not reported
      "*3\r\n$3\r\nSET\r\n$5\r\nother\r\n$1\r\nv\r\n"
      "*5\r\n$4\r\nZADD\r\n$1\r\nz\r\n$1\r\n1\r\n$6\r\nmember\r\n$1\r\nx\r\n";
  std::array<PeekedArgs, 8> out;
  PeekResult r = PeekFirstArguments(buf, 0, out);
  ASSERT_EQ(r.requests, 3u);
  const PeekedArgs want[] = {{"key", "", ""}, {"other", "v", ""}, {"z", "1", "member"}};
  for (size_t i = 0; i < std::size(want); ++i) {
    EXPECT_EQ(out[i].key, want[i].key) << i;
    EXPECT_EQ(out[i].second, want[i].second) << i;
    EXPECT_EQ(out[i].third, want[i].third) << i;
  }
  EXPECT_EQ(r.end, buf.size());
}

TEST(RequestPeek, StopsAtAnIncompleteRequestAndAtTheLimit) {
  std::string one = "*2\r\n$3\r\nGET\r\n$1\r\na\r\n";
  std::string buf = one + one + "*2\r\n$3\r\nGET\r\n$10\r\nabc";
  std::array<PeekedArgs, 8> out;
  PeekResult r = PeekFirstArguments(buf, 0, out);
  EXPECT_EQ(r.requests, 2u);
  EXPECT_EQ(r.end, 2 * one.size());
  // From an offset, and with room for one request only.
  r = PeekFirstArguments(buf, one.size(), std::span(out).first(1));
  EXPECT_EQ(r.requests, 1u);
  EXPECT_EQ(r.end, 2 * one.size());
}

TEST(RequestPeek, StopsAtWhatItDoesNotUnderstand) {
  std::array<PeekedArgs, 4> out;
  // Inline requests, negative and malformed lengths, a length past the buffer, a missing CRLF.
  for (std::string buf :
       {"GET a\r\n", "*-1\r\n", "*2\r\n$-1\r\n", "*2\r\n$x\r\n", "*1\r\n$99999999999999999999\r\n",
        "*1\r\n$1\r\nab", "*1\n$1\r\na\r\n", "*2\r\n$3\r\nGET\r\n:1\r\n"}) {
    PeekResult r = PeekFirstArguments(buf, 0, out);
    EXPECT_EQ(r.requests, 0u) << buf;
    EXPECT_EQ(r.end, 0u) << buf;
  }
  // Nothing past the end of the buffer is read.
  std::string buf = "*2\r\n$3\r\nGET\r\n$1\r\na\r\n";
  PeekResult r = PeekFirstArguments(std::string_view(buf).substr(0, buf.size() - 1), 0, out);
  EXPECT_EQ(r.requests, 0u);
}

}  // namespace
}  // namespace cordis::resp
