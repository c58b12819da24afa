// Appends op records to oplog segments (grammar in proto/cordis/storage.proto):
//
//   segment := record(SegmentHeader) record(Op)*        file oplog-<N>.cdl
//
// Records are buffered in memory by Append, handed to storage by Flush and made durable by
// Sync. Rotate closes the current segment (synced) and starts the next number; a new segment's
// name is made durable (directory sync) before any record goes into it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "core/crdt/dot.h"
#include "core/storage/storage.h"
#include "cordis/replication.pb.h"

namespace cordis {

class OplogWriter {
 public:
  OplogWriter(Storage& storage, ReplicaId replica) : storage_(storage), replica_(replica) {}

  // Creates segment `number` (it must not exist yet) and makes it current.
  absl::Status Open(uint64_t number);
  void Append(const pb::Op& op);
  // Hands buffered records to storage.
  absl::Status Flush();
  // Flush, then make everything appended so far durable.
  absl::Status Sync();
  // Syncs and closes the current segment and opens the next one.
  absl::Status Rotate();

  bool is_open() const { return file_ != nullptr; }
  uint64_t number() const { return number_; }
  // Bytes of the current segment, buffered ones included.
  uint64_t segment_bytes() const { return file_ == nullptr ? 0 : file_->size() + buffer_.size(); }
  size_t buffered_bytes() const { return buffer_.size(); }

 private:
  Storage& storage_;
  ReplicaId replica_;
  uint64_t number_ = 0;
  std::unique_ptr<WritableFile> file_;
  std::string buffer_;
  std::string scratch_;
};

}  // namespace cordis
