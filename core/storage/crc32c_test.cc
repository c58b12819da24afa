// The SSE 4.2 path against the table (known vectors: log_record_test.cc).
#include "core/storage/crc32c.h"

#include <gtest/gtest.h>

#include <string>

#include "core/base/prng.h"

namespace cordis {
namespace {

TEST(Crc32cTest, FastPathAgreesWithTheTableAtEveryLengthAndSplit) {
  Prng rng(7);
  std::string data;
  for (int i = 0; i < 300; ++i) data.push_back(static_cast<char>(rng.Uniform(256)));
  for (size_t len = 0; len <= data.size(); ++len) {
    std::string_view d(data.data(), len);
    ASSERT_EQ(Crc32c(d), Crc32cExtendPortable(0, d)) << len;
    size_t split = len / 3;
    ASSERT_EQ(Crc32cExtend(Crc32c(d.substr(0, split)), d.substr(split)), Crc32c(d)) << len;
  }
}

}  // namespace
}  // namespace cordis
