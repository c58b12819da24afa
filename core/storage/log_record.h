// Framed records: the unit of every Cordis data file (oplog segments and snapshots).
//
//   file    := record*
//   record  := length:u32le crc:u32le payload[length]
//   length  := 1 .. kMaxRecordBytes (a zero length is never written, so zero-filled tails are
//              recognised as garbage)
//   crc     := CRC32C(length bytes ++ payload), so a damaged length is caught too
//   payload := a serialized pb::DiskRecord (proto/cordis/storage.proto)
//
// RecordReader walks a file's bytes and stops at the first record that is incomplete or fails
// its CRC, reporting the offset, so recovery can tell a torn tail from corruption in the middle.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cordis/storage.pb.h"

namespace cordis {

inline constexpr size_t kRecordHeaderBytes = 8;
inline constexpr uint32_t kMaxRecordBytes = 1u << 30;

// Appends one framed record holding `payload` to *out.
void AppendFramed(std::string_view payload, std::string* out);
// Appends one framed pb::DiskRecord to *out.
void AppendRecord(const pb::DiskRecord& record, std::string* out);

class RecordReader {
 public:
  enum class Result {
    kRecord,     // *payload holds the next record
    kEnd,        // clean end of the data
    kTruncated,  // the data ends inside a record (a torn write)
    kCorrupt,    // a bad length, a CRC mismatch or an unparsable payload
  };

  explicit RecordReader(std::string_view data) : data_(data) {}

  // Reads the next framed payload; on kRecord, offset() has moved past it.
  Result NextPayload(std::string_view* payload);
  // Reads and parses the next record as a pb::DiskRecord.
  Result Next(pb::DiskRecord* record);
  // Offset of the next unread record: after an error, the offset of the bad record.
  uint64_t offset() const { return offset_; }

  // True if a valid record starts at some offset after `from`: decides whether a bad record is
  // the torn tail of the file (nothing valid after it) or damage in the middle.
  static bool AnyValidRecordAfter(std::string_view data, uint64_t from);

 private:
  std::string_view data_;
  uint64_t offset_ = 0;
};

}  // namespace cordis
