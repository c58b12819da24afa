#include "core/storage/log_record.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/base/prng.h"
#include "core/storage/crc32c.h"

namespace cordis {
namespace {

TEST(Crc32cTest, KnownVectors) {
  // RFC 3720 (iSCSI) check value and test patterns.
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(std::string(32, '\xff')), 0x62A8AB43u);
  EXPECT_EQ(Crc32cExtend(Crc32c("1234"), "56789"), Crc32c("123456789"));
}

pb::DiskRecord OpRecord(uint64_t seq, std::string key) {
  pb::DiskRecord r;
  r.mutable_op()->set_origin(1);
  r.mutable_op()->set_seq(seq);
  r.mutable_op()->set_key(std::move(key));
  r.mutable_op()->set_str_assign("value");
  return r;
}

std::string ThreeRecords(std::vector<uint64_t>* ends) {
  std::string data;
  for (uint64_t i = 1; i <= 3; ++i) {
    AppendRecord(OpRecord(i, std::string(i * 7, 'k')), &data);
    ends->push_back(data.size());
  }
  return data;
}

TEST(LogRecordTest, RoundTrip) {
  std::vector<uint64_t> ends;
  std::string data = ThreeRecords(&ends);
  RecordReader reader(data);
  pb::DiskRecord rec;
  for (uint64_t i = 1; i <= 3; ++i) {
    ASSERT_EQ(reader.Next(&rec), RecordReader::Result::kRecord);
    EXPECT_EQ(rec.op().seq(), i);
    EXPECT_EQ(rec.op().key(), std::string(i * 7, 'k'));
    EXPECT_EQ(reader.offset(), ends[i - 1]);
  }
  EXPECT_EQ(reader.Next(&rec), RecordReader::Result::kEnd);
}

// Cutting the data anywhere yields every whole record before the cut, then kTruncated (or kEnd
// exactly at a record boundary), and the bad offset is the start of the cut record.
TEST(LogRecordTest, EveryTruncationPoint) {
  std::vector<uint64_t> ends;
  std::string data = ThreeRecords(&ends);
  for (size_t cut = 0; cut <= data.size(); ++cut) {
    RecordReader reader(std::string_view(data).substr(0, cut));
    pb::DiskRecord rec;
    size_t whole = 0;
    while (whole < ends.size() && ends[whole] <= cut) ++whole;
    for (size_t i = 0; i < whole; ++i) ASSERT_EQ(reader.Next(&rec), RecordReader::Result::kRecord);
    uint64_t boundary = whole == 0 ? 0 : ends[whole - 1];
    RecordReader::Result r = reader.Next(&rec);
    if (cut == boundary) {
      EXPECT_EQ(r, RecordReader::Result::kEnd) << "cut " << cut;
    } else {
      EXPECT_EQ(r, RecordReader::Result::kTruncated) << "cut " << cut;
      EXPECT_EQ(reader.offset(), boundary);
      EXPECT_FALSE(RecordReader::AnyValidRecordAfter(data.substr(0, cut), boundary));
    }
  }
}

// Flipping any single bit is detected: the records before it read back, the damaged one does
// not, and (because the records after it are intact) it is told apart from a torn tail.
TEST(LogRecordTest, EveryBitFlipIsDetected) {
  std::vector<uint64_t> ends;
  const std::string data = ThreeRecords(&ends);
  for (size_t byte = 0; byte < data.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = data;
      bad[byte] = static_cast<char>(bad[byte] ^ (1 << bit));
      size_t damaged = 0;
      while (ends[damaged] <= byte) ++damaged;
      RecordReader reader(bad);
      pb::DiskRecord rec;
      for (size_t i = 0; i < damaged; ++i)
        ASSERT_EQ(reader.Next(&rec), RecordReader::Result::kRecord);
      RecordReader::Result r = reader.Next(&rec);
      ASSERT_NE(r, RecordReader::Result::kRecord) << "byte " << byte << " bit " << bit;
      uint64_t start = damaged == 0 ? 0 : ends[damaged - 1];
      EXPECT_EQ(reader.offset(), start);
      if (damaged + 1 < ends.size()) {
        EXPECT_TRUE(RecordReader::AnyValidRecordAfter(bad, start)) << "byte " << byte;
      }
    }
  }
}

TEST(LogRecordTest, ZeroFilledTailIsNotARecord) {
  std::vector<uint64_t> ends;
  std::string data = ThreeRecords(&ends) + std::string(64, '\0');
  RecordReader reader(data);
  pb::DiskRecord rec;
  for (int i = 0; i < 3; ++i) ASSERT_EQ(reader.Next(&rec), RecordReader::Result::kRecord);
  EXPECT_EQ(reader.Next(&rec), RecordReader::Result::kCorrupt);
  EXPECT_FALSE(RecordReader::AnyValidRecordAfter(data, ends.back()));
}

TEST(LogRecordTest, RandomGarbageNeverParses) {
  Prng rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string junk(rng.Uniform(64), '\0');
    for (char& c : junk) c = static_cast<char>(rng.Next());
    RecordReader reader(junk);
    pb::DiskRecord rec;
    RecordReader::Result r = reader.Next(&rec);
    EXPECT_TRUE(r != RecordReader::Result::kRecord || junk.empty());
  }
}

}  // namespace
}  // namespace cordis
