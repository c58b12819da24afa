#include "core/commands/bitmap_ops.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace cordis::bitmap {
namespace {

std::string Bytes(std::initializer_list<uint8_t> b) { return std::string(b.begin(), b.end()); }

// The slow, obvious definitions the fast ones must agree with.
int64_t NaiveCount(const std::string& s, uint64_t first_bit, uint64_t last_bit) {
  int64_t n = 0;
  for (uint64_t i = first_bit; i <= last_bit; ++i) n += GetBit(s, i);
  return n;
}

int64_t NaiveFind(const std::string& s, uint64_t first_bit, uint64_t last_bit, bool bit) {
  for (uint64_t i = first_bit; i <= last_bit; ++i)
    if (GetBit(s, i) == bit) return static_cast<int64_t>(i);
  return -1;
}

TEST(BitmapOps, BitsRunFromTheMostSignificantBitOfByteZero) {
  std::string s(2, '\0');
  SetBit(&s, 0, true);
  SetBit(&s, 15, true);
  EXPECT_EQ(s, Bytes({0x80, 0x01}));
  EXPECT_TRUE(GetBit(s, 0));
  EXPECT_FALSE(GetBit(s, 1));
  EXPECT_TRUE(GetBit(s, 15));
  EXPECT_FALSE(GetBit(s, 16));  // past the end reads as 0
  EXPECT_FALSE(GetBit(s, uint64_t{1} << 40));
  SetBit(&s, 0, false);
  EXPECT_EQ(s, Bytes({0x00, 0x01}));
}

TEST(BitmapOps, CountBitsSkipsTheEdgesOfBitRanges) {
  std::string s = "foobar";  // Redis's documented example: 26 bits set
  EXPECT_EQ(CountBits(s, 0, 5), 26);
  EXPECT_EQ(CountBits(s, 1, 1), 6);
  // BITCOUNT foobar 5 30 BIT = 17: bytes 0..3, skipping 5 leading and 1 trailing bit.
  EXPECT_EQ(CountBits(s, 0, 3, 5, 1), 17);
  EXPECT_EQ(CountBits(s, 0, 3, 5, 1), NaiveCount(s, 5, 30));
}

TEST(BitmapOps, CountAndFindAgreeWithNaiveOnEveryRange) {
  // Long enough for the word-at-a-time paths, with runs of 0x00 and 0xff to skip.
  std::string s;
  for (int i = 0; i < 40; ++i) s.push_back(static_cast<char>(i < 12 ? 0 : i < 24 ? 0xff : i * 37));
  const uint64_t nbits = s.size() * 8;
  for (uint64_t a = 0; a < nbits; a += 3) {
    for (uint64_t b = a; b < nbits; b += 5) {
      int head = static_cast<int>(a & 7), tail = static_cast<int>(7 - (b & 7));
      ASSERT_EQ(CountBits(s, a >> 3, b >> 3, head, tail), NaiveCount(s, a, b)) << a << ".." << b;
      ASSERT_EQ(FindBit(s, a, b, true), NaiveFind(s, a, b, true)) << a << ".." << b;
      ASSERT_EQ(FindBit(s, a, b, false), NaiveFind(s, a, b, false)) << a << ".." << b;
    }
  }
}

TEST(BitmapOps, NormalizeRangeFollowsRedis) {
  EXPECT_EQ(NormalizeRange(0, -1, 6).start, 0);
  EXPECT_EQ(NormalizeRange(0, -1, 6).end, 5);
  EXPECT_EQ(NormalizeRange(-2, -1, 6).start, 4);
  EXPECT_EQ(NormalizeRange(-100, 100, 6).start, 0);
  EXPECT_EQ(NormalizeRange(-100, 100, 6).end, 5);
  EXPECT_TRUE(NormalizeRange(4, 2, 6).empty());
  EXPECT_TRUE(NormalizeRange(0, 0, 0).empty());
  EXPECT_FALSE(NormalizeRange(-100, -50, 6).empty());  // both clamp to 0
}

TEST(BitmapOps, ApplyPadsShorterSourcesWithZeros) {
  std::string a = Bytes({0xf0, 0xff}), b = Bytes({0x3c});
  EXPECT_EQ(Apply(BitOp::kAnd, {a, b}), Bytes({0x30, 0x00}));
  EXPECT_EQ(Apply(BitOp::kOr, {a, b}), Bytes({0xfc, 0xff}));
  EXPECT_EQ(Apply(BitOp::kXor, {a, b}), Bytes({0xcc, 0xff}));
  EXPECT_EQ(Apply(BitOp::kNot, {a}), Bytes({0x0f, 0x00}));
  EXPECT_EQ(Apply(BitOp::kAnd, {a, ""}), Bytes({0x00, 0x00}));
  EXPECT_EQ(Apply(BitOp::kOr, {"", ""}), "");
}

TEST(BitmapOps, FieldsReadAndWriteAcrossByteBoundaries) {
  std::string s(3, '\0');
  SetUnsigned(&s, 5, 8, 0xab);
  EXPECT_EQ(GetUnsigned(s, 5, 8), 0xabu);
  EXPECT_EQ(s, Bytes({0x05, 0x58, 0x00}));
  SetSigned(&s, 13, 4, -1);
  EXPECT_EQ(GetSigned(s, 13, 4), -1);
  EXPECT_EQ(GetUnsigned(s, 13, 4), 15u);
  // A field that runs past the end reads the missing bits as zeros.
  EXPECT_EQ(GetUnsigned(Bytes({0xff}), 4, 8), 0xf0u);
  std::string wide(9, '\0');
  SetSigned(&wide, 3, 64, INT64_MIN);
  EXPECT_EQ(GetSigned(wide, 3, 64), INT64_MIN);
  SetUnsigned(&wide, 1, 63, (uint64_t{1} << 63) - 1);
  EXPECT_EQ(GetUnsigned(wide, 1, 63), (uint64_t{1} << 63) - 1);
}

TEST(BitmapOps, UnsignedOverflowWrapsSaturatesOrFails) {
  uint64_t limit = 0;
  EXPECT_EQ(CheckUnsignedOverflow(250, 5, 8, Overflow::kWrap, &limit), 0);
  EXPECT_EQ(CheckUnsignedOverflow(250, 10, 8, Overflow::kWrap, &limit), 1);
  EXPECT_EQ(limit, 4u);
  EXPECT_EQ(CheckUnsignedOverflow(250, 10, 8, Overflow::kSat, &limit), 1);
  EXPECT_EQ(limit, 255u);
  EXPECT_EQ(CheckUnsignedOverflow(3, -4, 8, Overflow::kWrap, &limit), -1);
  EXPECT_EQ(limit, 255u);
  EXPECT_EQ(CheckUnsignedOverflow(3, -4, 8, Overflow::kSat, &limit), -1);
  EXPECT_EQ(limit, 0u);
  EXPECT_EQ(CheckUnsignedOverflow(3, -4, 8, Overflow::kFail, &limit), -1);
  // SET checks the value itself: -1 as u8 is 255 after wrapping, 255 when saturated.
  EXPECT_EQ(CheckUnsignedOverflow(static_cast<uint64_t>(-1), 0, 8, Overflow::kWrap, &limit), 1);
  EXPECT_EQ(limit, 255u);
  EXPECT_EQ(CheckUnsignedOverflow(0, INT64_MAX, 63, Overflow::kSat, &limit), 0);
}

TEST(BitmapOps, SignedOverflowWrapsSaturatesOrFails) {
  int64_t limit = 0;
  EXPECT_EQ(CheckSignedOverflow(120, 7, 8, Overflow::kWrap, &limit), 0);
  EXPECT_EQ(CheckSignedOverflow(120, 8, 8, Overflow::kWrap, &limit), 1);
  EXPECT_EQ(limit, -128);
  EXPECT_EQ(CheckSignedOverflow(120, 8, 8, Overflow::kSat, &limit), 1);
  EXPECT_EQ(limit, 127);
  EXPECT_EQ(CheckSignedOverflow(-120, -9, 8, Overflow::kWrap, &limit), -1);
  EXPECT_EQ(limit, 127);
  EXPECT_EQ(CheckSignedOverflow(-120, -9, 8, Overflow::kSat, &limit), -1);
  EXPECT_EQ(limit, -128);
  EXPECT_EQ(CheckSignedOverflow(INT64_MAX, 1, 64, Overflow::kWrap, &limit), 1);
  EXPECT_EQ(limit, INT64_MIN);
  EXPECT_EQ(CheckSignedOverflow(INT64_MIN, -1, 64, Overflow::kSat, &limit), -1);
  EXPECT_EQ(limit, INT64_MIN);
  EXPECT_EQ(CheckSignedOverflow(-5, INT64_MIN + 5, 64, Overflow::kSat, &limit), 0);
  // Redis's quirk: a SET far below an i8's range computes its headroom with a wrap and saturates
  // to the maximum.
  EXPECT_EQ(CheckSignedOverflow(INT64_MIN, 0, 8, Overflow::kSat, &limit), 1);
  EXPECT_EQ(limit, 127);
  EXPECT_EQ(CheckSignedOverflow(-200, 0, 8, Overflow::kSat, &limit), -1);
  EXPECT_EQ(limit, -128);
}

}  // namespace
}  // namespace cordis::bitmap
