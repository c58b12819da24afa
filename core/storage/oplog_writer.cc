#include "core/storage/oplog_writer.h"

#include "core/base/check.h"
#include "core/storage/file_names.h"
#include "core/storage/log_record.h"
#include "cordis/storage.pb.h"

namespace cordis {

absl::Status OplogWriter::Open(uint64_t number) {
  CHECK(file_ == nullptr);
  CHECK(buffer_.empty());
  absl::StatusOr<std::unique_ptr<WritableFile>> file =
      storage_.NewWritableFile(SegmentFileName(number));
  if (!file.ok()) return file.status();
  pb::DiskRecord header;
  header.mutable_segment_header()->set_format_version(pb::FORMAT_VERSION_1);
  header.mutable_segment_header()->set_replica(replica_);
  header.mutable_segment_header()->set_number(number);
  std::string bytes;
  AppendRecord(header, &bytes);
  absl::Status st = (*file)->Append(bytes);
  if (st.ok()) st = (*file)->Sync();
  if (st.ok()) st = storage_.SyncDir();
  if (!st.ok()) return st;
  file_ = std::move(*file);
  number_ = number;
  return absl::OkStatus();
}

void OplogWriter::Append(const pb::Op& op) {
  CHECK(file_ != nullptr);
  // A DiskRecord whose body is `op` (field 1, length-delimited), serialized without copying op.
  scratch_.clear();
  scratch_.push_back(static_cast<char>((1 << 3) | 2));
  for (uint64_t n = op.ByteSizeLong(); ; n >>= 7) {
    if (n < 0x80) {
      scratch_.push_back(static_cast<char>(n));
      break;
    }
    scratch_.push_back(static_cast<char>((n & 0x7F) | 0x80));
  }
  op.AppendToString(&scratch_);
  AppendFramed(scratch_, &buffer_);
}

absl::Status OplogWriter::Flush() {
  if (buffer_.empty()) return absl::OkStatus();
  absl::Status st = file_->Append(buffer_);
  if (!st.ok()) return st;
  buffer_.clear();
  return absl::OkStatus();
}

absl::Status OplogWriter::Sync() {
  absl::Status st = Flush();
  if (st.ok()) st = file_->Sync();
  return st;
}

absl::Status OplogWriter::Rotate() {
  absl::Status st = Sync();
  if (st.ok()) st = file_->Close();
  if (!st.ok()) return st;
  file_ = nullptr;
  return Open(number_ + 1);
}

}  // namespace cordis
