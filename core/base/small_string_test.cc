#include "core/base/small_string.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cordis {
namespace {

TEST(SmallString, InlineUpTo23BytesThenHeap) {
  for (size_t n : {0, 1, 15, 16, 22, 23, 24, 100, 100000}) {
    std::string s(n, 'x');
    for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i * 7);  // any bytes, NULs too
    SmallString a(s);
    EXPECT_EQ(a.view(), s);
    EXPECT_EQ(a.heap_bytes(), n > 23 ? n : 0u) << n;
    SmallString copy(a);
    SmallString moved(std::move(a));
    EXPECT_EQ(copy.view(), s);
    EXPECT_EQ(moved.view(), s);
    EXPECT_EQ(a.view(), "");  // NOLINT: a moved-from SmallString is empty
    copy = moved;
    moved = SmallString("short");
    EXPECT_EQ(copy.view(), s);
    EXPECT_EQ(moved.view(), "short");
  }
}

TEST(SmallString, SurvivesVectorGrowth) {
  std::vector<SmallString> v;
  for (int i = 0; i < 100; ++i) v.emplace_back(std::string(static_cast<size_t>(i), 'a' + i % 26));
  for (int i = 0; i < 100; ++i) EXPECT_EQ(v[i].view(), std::string(static_cast<size_t>(i), 'a' + i % 26));
}

}  // namespace
}  // namespace cordis
