// Snapshot files: a replica's whole state on disk (grammar in proto/cordis/storage.proto):
//
//   snapshot := record(SnapshotHeader) record(KeyChunk)* record(SnapshotFooter)
//
// Written to "<name>.tmp", synced, atomically renamed to snapshot-<N>.cds and the directory
// synced, so a snapshot file either exists whole or not at all. The footer's key count and every
// record's CRC32C let a reader refuse a damaged file.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "core/storage/storage.h"
#include "cordis/storage.pb.h"

namespace cordis {

struct SnapshotFileInfo {
  uint64_t number = 0;  // first segment to replay after it
  int64_t created_unix_ms = 0;
  uint64_t bytes = 0;
};

// Writes `state` (Node::EncodeSnapshot) as snapshot `number`, durably.
absl::StatusOr<SnapshotFileInfo> WriteSnapshotFile(Storage& storage, const pb::Snapshot& state,
                                                   uint64_t number, int64_t created_unix_ms);

// Reads and validates a snapshot file into *state; errors name the file and the offset.
absl::StatusOr<SnapshotFileInfo> ReadSnapshotFile(Storage& storage, const std::string& name,
                                                  pb::Snapshot* state);

}  // namespace cordis
