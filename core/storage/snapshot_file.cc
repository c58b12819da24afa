#include "core/storage/snapshot_file.h"

#include "core/base/strings.h"
#include "core/storage/file_names.h"
#include "core/storage/log_record.h"

namespace cordis {
namespace {

// Keys are grouped into records of about this many bytes.
constexpr size_t kChunkBytes = 1 << 20;

absl::Status WriteChunk(WritableFile& file, pb::KeyChunk* chunk, std::string* buf) {
  pb::DiskRecord rec;
  rec.mutable_keys()->Swap(chunk);
  buf->clear();
  AppendRecord(rec, buf);
  chunk->Clear();
  return file.Append(*buf);
}

absl::Status WriteBody(WritableFile& file, const pb::Snapshot& state, uint64_t number,
                       int64_t created_unix_ms) {
  std::string buf;
  pb::DiskRecord header;
  pb::SnapshotHeader* h = header.mutable_snapshot_header();
  h->set_format_version(state.format_version());
  h->set_replica(state.replica());
  *h->mutable_vv() = state.vv();
  h->set_max_hlc(state.max_hlc());
  h->set_number(number);
  h->set_created_unix_ms(created_unix_ms);
  AppendRecord(header, &buf);
  if (absl::Status st = file.Append(buf); !st.ok()) return st;
  pb::KeyChunk chunk;
  size_t chunk_bytes = 0;
  for (const pb::KeyState& k : state.keys()) {
    *chunk.add_keys() = k;
    chunk_bytes += k.ByteSizeLong();
    if (chunk_bytes >= kChunkBytes) {
      if (absl::Status st = WriteChunk(file, &chunk, &buf); !st.ok()) return st;
      chunk_bytes = 0;
    }
  }
  if (chunk.keys_size() > 0) {
    if (absl::Status st = WriteChunk(file, &chunk, &buf); !st.ok()) return st;
  }
  pb::DiskRecord footer;
  footer.mutable_snapshot_footer()->set_key_count(state.keys_size());
  buf.clear();
  AppendRecord(footer, &buf);
  return file.Append(buf);
}

absl::Status Damaged(Storage& storage, const std::string& name, uint64_t offset,
                     std::string_view what) {
  return absl::DataLossError(StrCat("snapshot ", storage.Describe(name), " is damaged at offset ",
                                    offset, ": ", what));
}

}  // namespace

absl::StatusOr<SnapshotFileInfo> WriteSnapshotFile(Storage& storage, const pb::Snapshot& state,
                                                   uint64_t number, int64_t created_unix_ms) {
  const std::string name = SnapshotFileName(number);
  const std::string tmp = TempFileName(name);
  absl::StatusOr<std::unique_ptr<WritableFile>> file = storage.NewWritableFile(tmp);
  if (!file.ok()) return file.status();
  absl::Status st = WriteBody(**file, state, number, created_unix_ms);
  if (st.ok()) st = (*file)->Sync();
  SnapshotFileInfo info{number, created_unix_ms, (*file)->size()};
  absl::Status closed = (*file)->Close();
  if (st.ok()) st = closed;
  if (st.ok()) st = storage.Rename(tmp, name);
  if (st.ok()) st = storage.SyncDir();
  if (!st.ok()) {
    storage.Remove(tmp).IgnoreError();
    return st;
  }
  return info;
}

absl::StatusOr<SnapshotFileInfo> ReadSnapshotFile(Storage& storage, const std::string& name,
                                                  pb::Snapshot* state) {
  absl::StatusOr<std::string> data = storage.ReadFile(name);
  if (!data.ok()) return data.status();
  RecordReader reader(*data);
  pb::DiskRecord rec;
  if (reader.Next(&rec) != RecordReader::Result::kRecord || !rec.has_snapshot_header())
    return Damaged(storage, name, 0, "no valid header record");
  const pb::SnapshotHeader& h = rec.snapshot_header();
  SnapshotFileInfo info{h.number(), h.created_unix_ms(), data->size()};
  state->Clear();
  state->set_format_version(h.format_version());
  state->set_replica(h.replica());
  *state->mutable_vv() = h.vv();
  state->set_max_hlc(h.max_hlc());
  for (;;) {
    uint64_t at = reader.offset();
    RecordReader::Result r = reader.Next(&rec);
    if (r != RecordReader::Result::kRecord)
      return Damaged(storage, name, at, r == RecordReader::Result::kEnd ? "no footer" : "bad record");
    if (rec.has_keys()) {
      for (pb::KeyState& k : *rec.mutable_keys()->mutable_keys()) state->add_keys()->Swap(&k);
      continue;
    }
    if (!rec.has_snapshot_footer()) return Damaged(storage, name, at, "unexpected record");
    if (rec.snapshot_footer().key_count() != static_cast<uint64_t>(state->keys_size()))
      return Damaged(storage, name, at, "key count does not match the footer");
    if (reader.offset() != data->size()) return Damaged(storage, name, reader.offset(), "bytes after the footer");
    break;
  }
  return info;
}

}  // namespace cordis
