#include "core/storage/log_record.h"

#include "core/base/check.h"
#include "core/storage/crc32c.h"

namespace cordis {
namespace {

void PutU32(uint32_t v, char* p) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

uint32_t FrameCrc(const char* length_bytes, std::string_view payload) {
  return Crc32cExtend(Crc32c(std::string_view(length_bytes, 4)), payload);
}

}  // namespace

void AppendFramed(std::string_view payload, std::string* out) {
  CHECK_GT(payload.size(), 0u);
  CHECK_LE(payload.size(), kMaxRecordBytes);
  char header[kRecordHeaderBytes];
  PutU32(static_cast<uint32_t>(payload.size()), header);
  PutU32(FrameCrc(header, payload), header + 4);
  out->append(header, kRecordHeaderBytes);
  out->append(payload);
}

void AppendRecord(const pb::DiskRecord& record, std::string* out) {
  AppendFramed(record.SerializeAsString(), out);
}

RecordReader::Result RecordReader::NextPayload(std::string_view* payload) {
  uint64_t left = data_.size() - offset_;
  if (left == 0) return Result::kEnd;
  if (left < kRecordHeaderBytes) return Result::kTruncated;
  const char* p = data_.data() + offset_;
  uint32_t length = GetU32(p);
  if (length == 0 || length > kMaxRecordBytes) return Result::kCorrupt;
  if (left - kRecordHeaderBytes < length) return Result::kTruncated;
  std::string_view body(p + kRecordHeaderBytes, length);
  if (FrameCrc(p, body) != GetU32(p + 4)) return Result::kCorrupt;
  *payload = body;
  offset_ += kRecordHeaderBytes + length;
  return Result::kRecord;
}

RecordReader::Result RecordReader::Next(pb::DiskRecord* record) {
  uint64_t start = offset_;
  std::string_view payload;
  Result r = NextPayload(&payload);
  if (r != Result::kRecord) return r;
  if (!record->ParseFromArray(payload.data(), static_cast<int>(payload.size())) ||
      record->body_case() == pb::DiskRecord::BODY_NOT_SET) {
    offset_ = start;
    return Result::kCorrupt;
  }
  return Result::kRecord;
}

bool RecordReader::AnyValidRecordAfter(std::string_view data, uint64_t from) {
  for (uint64_t at = from + 1; at + kRecordHeaderBytes <= data.size(); ++at) {
    RecordReader r(data.substr(at));
    std::string_view payload;
    if (r.NextPayload(&payload) == Result::kRecord) return true;
  }
  return false;
}

}  // namespace cordis
