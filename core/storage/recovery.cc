#include "core/storage/recovery.h"

#include <map>

#include "core/base/strings.h"
#include "core/storage/file_names.h"
#include "core/storage/log_record.h"
#include "core/storage/snapshot_file.h"

namespace cordis {
namespace {

std::string Message(const absl::Status& st) { return std::string(st.message()); }

constexpr char kRepairHint[] =
    "; start with --repair to truncate the log there (the records after it are lost)";

class Recoverer {
 public:
  Recoverer(Storage& storage, const RecoveryOptions& opts, Node* node)
      : storage_(storage), opts_(opts), node_(node) {}

  absl::StatusOr<RecoveryReport> Run();

 private:
  absl::Status ListDir();
  absl::Status LoadNewestSnapshot();
  absl::Status ReplaySegments();
  absl::Status ReplaySegment(const std::string& name, uint64_t number, bool last, bool* stop);
  absl::Status BadRecord(const std::string& name, const std::string& data, uint64_t at,
                         std::string_view reason, bool maybe_torn, bool last, bool* stop);
  absl::Status SetAside(const std::string& name, std::string_view why);
  absl::Status RemoveObsolete();
  void Warn(std::string w) { report_.warnings.push_back(std::move(w)); }

  Storage& storage_;
  RecoveryOptions opts_;
  Node* node_;
  RecoveryReport report_;
  std::map<uint64_t, std::string> segments_;
  std::map<uint64_t, std::string> snapshots_;
};

absl::StatusOr<RecoveryReport> Recoverer::Run() {
  absl::Status st = ListDir();
  if (st.ok()) st = LoadNewestSnapshot();
  if (st.ok()) st = ReplaySegments();
  if (st.ok()) st = RemoveObsolete();
  if (!st.ok()) return st;
  node_->FinishRecovery();
  uint64_t next = std::max<uint64_t>(report_.snapshot_number, 1);
  if (!segments_.empty()) next = std::max(next, segments_.rbegin()->first + 1);
  report_.next_segment = next;
  return report_;
}

absl::Status Recoverer::ListDir() {
  absl::StatusOr<std::vector<std::string>> names = storage_.List();
  if (!names.ok()) return names.status();
  for (const std::string& name : *names) {
    uint64_t n = 0;
    switch (ParseFileName(name, &n)) {
      case FileKind::kSegment:
        segments_[n] = name;
        break;
      case FileKind::kSnapshot:
        snapshots_[n] = name;
        break;
      case FileKind::kTemp:
        if (absl::Status st = storage_.Remove(name); !st.ok()) return st;
        Warn(StrCat("removed ", storage_.Describe(name), ", left by an interrupted write"));
        break;
      case FileKind::kOther:
        break;
    }
  }
  return absl::OkStatus();
}

absl::Status Recoverer::LoadNewestSnapshot() {
  while (!snapshots_.empty()) {
    auto newest = std::prev(snapshots_.end());
    const std::string name = newest->second;
    pb::Snapshot state;
    absl::StatusOr<SnapshotFileInfo> info = ReadSnapshotFile(storage_, name, &state);
    if (info.ok() && info->number != newest->first)
      info = absl::DataLossError(StrCat("snapshot ", storage_.Describe(name), " says it is number ",
                                        info->number));
    if (info.ok()) {
      if (absl::Status st = node_->LoadSnapshot(state); !st.ok())
        return absl::Status(st.code(), StrCat(storage_.Describe(name), ": ", Message(st)));
      report_.snapshot_number = info->number;
      report_.snapshot_unix_ms = info->created_unix_ms;
      report_.snapshot_bytes = info->bytes;
      return absl::OkStatus();
    }
    if (!opts_.repair)
      return absl::Status(info.status().code(),
                          StrCat(Message(info.status()),
                                 "; start with --repair to fall back to an older snapshot"));
    snapshots_.erase(newest);
    if (absl::Status st = SetAside(name, Message(info.status())); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::Status Recoverer::ReplaySegments() {
  uint64_t expected = std::max<uint64_t>(report_.snapshot_number, 1);
  bool stop = false;
  for (auto it = segments_.begin(); it != segments_.end();) {
    auto [number, name] = *it;
    if (number < expected && report_.snapshot_number > 0) {
      ++it;  // covered by the snapshot; RemoveObsolete deletes it
      continue;
    }
    if (stop || number != expected) {
      if (!stop && !opts_.repair)
        return absl::DataLossError(StrCat("oplog segment ", SegmentFileName(expected),
                                          " is missing before ", storage_.Describe(name),
                                          "; start with --repair to ignore the segments after "
                                          "the gap (their records are lost)"));
      stop = true;
      if (absl::Status st = SetAside(name, "it follows a damaged or missing segment"); !st.ok())
        return st;
      it = segments_.erase(it);
      continue;
    }
    bool last = std::next(it) == segments_.end();
    if (absl::Status st = ReplaySegment(name, number, last, &stop); !st.ok()) return st;
    ++report_.segments;
    ++expected;
    ++it;
  }
  return absl::OkStatus();
}

absl::Status Recoverer::ReplaySegment(const std::string& name, uint64_t number, bool last,
                                      bool* stop) {
  absl::StatusOr<std::string> data = storage_.ReadFile(name);
  if (!data.ok()) return data.status();
  RecordReader reader(*data);
  pb::DiskRecord rec;
  uint64_t end = data->size();
  for (bool first = true;; first = false) {
    uint64_t at = reader.offset();
    RecordReader::Result r = reader.Next(&rec);
    if (r == RecordReader::Result::kEnd) break;
    absl::Status bad;
    if (r != RecordReader::Result::kRecord) {
      bad = BadRecord(name, *data, at, "torn or corrupt record", true, last, stop);
    } else if (first != rec.has_segment_header()) {
      bad = BadRecord(name, *data, at, first ? "no segment header" : "unexpected record", false,
                      last, stop);
    } else if (first) {
      const pb::SegmentHeader& h = rec.segment_header();
      if (h.replica() != node_->replica_id())
        return absl::FailedPreconditionError(
            StrCat(storage_.Describe(name), " belongs to replica ", h.replica(),
                   ", but this is replica ", node_->replica_id()));
      if (h.format_version() != pb::FORMAT_VERSION_1 || h.number() != number)
        return absl::DataLossError(StrCat(storage_.Describe(name), ": header says format ",
                                          h.format_version(), ", number ", h.number()));
      continue;
    } else {
      absl::StatusOr<bool> applied = node_->ReplayOp(rec.op());
      if (applied.ok()) {
        ++(*applied ? report_.records_replayed : report_.records_skipped);
        continue;
      }
      bad = BadRecord(name, *data, at, Message(applied.status()), false, last, stop);
    }
    if (!bad.ok()) return bad;
    end = at;
    break;
  }
  report_.segment_bytes += end;
  if (last && !*stop) {
    // After a process crash the tail may sit in the page cache only: make it durable now.
    absl::StatusOr<std::unique_ptr<WritableFile>> f = storage_.NewAppendableFile(name);
    if (!f.ok()) return f.status();
    if (absl::Status st = (*f)->Sync(); !st.ok()) return st;
    return (*f)->Close();
  }
  return absl::OkStatus();
}

// A record that cannot be replayed at offset `at`. The torn tail of the last segment is cut with
// a warning; anything else is an error unless repair.
absl::Status Recoverer::BadRecord(const std::string& name, const std::string& data, uint64_t at,
                                  std::string_view reason, bool maybe_torn, bool last,
                                  bool* stop) {
  const uint64_t dropped = data.size() - at;
  if (maybe_torn && last && !RecordReader::AnyValidRecordAfter(data, at)) {
    Warn(StrCat(storage_.Describe(name), ": ", reason, " at offset ", at,
                " is an incomplete write at the end of the log; truncated it (", dropped,
                " bytes dropped)"));
  } else if (!opts_.repair) {
    return absl::DataLossError(StrCat(storage_.Describe(name), ": ", reason, " at offset ", at,
                                      " with ", dropped, " bytes after it",
                                      last ? "" : " and later segments", kRepairHint));
  } else {
    Warn(StrCat("repair: ", storage_.Describe(name), ": ", reason, " at offset ", at,
                "; truncated it there (", dropped, " bytes dropped)"));
    *stop = true;
  }
  return storage_.Truncate(name, at);
}

// Keeps a file recovery cannot use out of the way (renamed, not deleted: evidence).
absl::Status Recoverer::SetAside(const std::string& name, std::string_view why) {
  const std::string aside = name + ".damaged";
  Warn(StrCat("repair: set aside ", storage_.Describe(name), " as ", aside, ": ", why));
  return storage_.Rename(name, aside);
}

absl::Status Recoverer::RemoveObsolete() {
  for (auto it = segments_.begin(); it != segments_.end();) {
    if (it->first >= report_.snapshot_number) break;
    if (absl::Status st = storage_.Remove(it->second); !st.ok()) return st;
    it = segments_.erase(it);
  }
  for (const auto& [n, name] : snapshots_) {
    if (n >= report_.snapshot_number) continue;
    if (absl::Status st = storage_.Remove(name); !st.ok()) return st;
  }
  return storage_.SyncDir();
}

}  // namespace

absl::StatusOr<RecoveryReport> Recover(Storage& storage, const RecoveryOptions& opts, Node* node) {
  return Recoverer(storage, opts, node).Run();
}

}  // namespace cordis
