#include "core/storage/durable_log.h"

#include "core/storage/file_names.h"
#include "core/storage/snapshot_file.h"

namespace cordis {

absl::Status DurableLog::Start(Node* node, const RecoveryReport& recovered, int64_t now_unix_ms) {
  CHECK(node_ == nullptr);
  node_ = node;
  snapshot_number_ = recovered.snapshot_number;
  last_snapshot_unix_ms_ = recovered.snapshot_unix_ms;
  snapshot_bytes_ = recovered.snapshot_bytes;
  changes_since_snapshot_ = recovered.records_replayed;
  if (recovered.segment_bytes > 0)
    closed_segments_[recovered.next_segment - 1] = recovered.segment_bytes;
  if (absl::Status st = writer_.Open(recovered.next_segment); !st.ok()) return st;
  if (snapshot_number_ == 0) return WriteSnapshot(now_unix_ms);
  return absl::OkStatus();
}

void DurableLog::Append(const pb::Op& record) {
  ++changes_since_snapshot_;
  ++records_appended_;
  // After a state replacement the log no longer applies to what is on disk: these records are
  // covered by the snapshot the next Flush writes, and must not follow the old segments.
  if (snapshot_needed_) return;
  writer_.Append(record);
}

absl::Status DurableLog::Flush(int64_t now_unix_ms) {
  if (snapshot_needed_) return WriteSnapshot(now_unix_ms);
  if (absl::Status st = writer_.Flush(); !st.ok()) return st;
  records_flushed_ = records_appended_;
  return RotateIfFull();
}

absl::Status DurableLog::Sync(int64_t now_unix_ms) {
  if (absl::Status st = Flush(now_unix_ms); !st.ok()) return st;
  if (absl::Status st = writer_.Sync(); !st.ok()) return st;
  records_synced_ = records_flushed_;
  node_->MarkDurable(records_synced_);
  return absl::OkStatus();
}

void DurableLog::MarkFlushedDurable() { node_->MarkDurable(records_flushed_); }

void DurableLog::MarkSynced(uint64_t records) {
  CHECK_LE(records, records_flushed_);
  records_synced_ = std::max(records_synced_, records);
  node_->MarkDurable(records_synced_);
}

uint64_t DurableLog::log_bytes() const {
  uint64_t n = writer_.segment_bytes();
  for (const auto& [number, bytes] : closed_segments_) n += bytes;
  return n;
}

absl::Status DurableLog::RotateIfFull() {
  if (writer_.segment_bytes() < opts_.max_segment_bytes) return absl::OkStatus();
  closed_segments_[writer_.number()] = writer_.segment_bytes();
  if (absl::Status st = writer_.Rotate(); !st.ok()) return st;
  // Rotation synced the old segment.
  records_synced_ = records_flushed_ = records_appended_;
  node_->MarkDurable(records_synced_);
  return absl::OkStatus();
}

absl::Status DurableLog::WriteSnapshot(int64_t now_unix_ms) {
  absl::StatusOr<uint64_t> number = BeginSnapshot();
  if (!number.ok()) return number.status();
  pb::Snapshot state;
  node_->EncodeSnapshot(&state);
  absl::StatusOr<SnapshotFileInfo> info = WriteSnapshotFile(storage_, state, *number, now_unix_ms);
  if (!info.ok()) return info.status();
  snapshot_needed_ = false;
  // The snapshot holds every op applied so far: all durable now.
  records_synced_ = records_flushed_ = records_appended_;
  node_->MarkDurable(records_synced_);
  return FinishSnapshot(*number, info->bytes, now_unix_ms);
}

absl::StatusOr<uint64_t> DurableLog::BeginSnapshot() {
  closed_segments_[writer_.number()] = writer_.segment_bytes();
  if (absl::Status st = writer_.Rotate(); !st.ok()) return st;
  // Rotation synced what the segment holds; records after a state replacement are not in it
  // (the snapshot that replacement asked for covers them once written).
  records_synced_ = records_flushed_ =
      snapshot_needed_ ? records_before_replacement_ : records_appended_;
  node_->MarkDurable(records_synced_);
  changes_at_begin_ = changes_since_snapshot_;
  return writer_.number();
}

absl::Status DurableLog::FinishSnapshot(uint64_t number, uint64_t bytes, int64_t created_unix_ms) {
  if (number <= snapshot_number_) {
    // A newer snapshot finished first (a state replacement wrote one): this one is stale.
    if (number < snapshot_number_) return storage_.Remove(SnapshotFileName(number));
    return absl::OkStatus();
  }
  snapshot_number_ = number;
  snapshot_bytes_ = bytes;
  last_snapshot_unix_ms_ = created_unix_ms;
  changes_since_snapshot_ -= std::min(changes_since_snapshot_, changes_at_begin_);
  changes_at_begin_ = 0;
  return RemoveObsolete(number);
}

absl::Status DurableLog::RemoveObsolete(uint64_t below) {
  absl::StatusOr<std::vector<std::string>> names = storage_.List();
  if (!names.ok()) return names.status();
  for (const std::string& name : *names) {
    uint64_t n = 0;
    FileKind kind = ParseFileName(name, &n);
    if ((kind == FileKind::kSegment || kind == FileKind::kSnapshot) && n < below) {
      if (absl::Status st = storage_.Remove(name); !st.ok()) return st;
    }
  }
  closed_segments_.erase(closed_segments_.begin(), closed_segments_.lower_bound(below));
  return storage_.SyncDir();
}

}  // namespace cordis
