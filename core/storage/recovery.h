// Recovery at start: rebuilds a Node from its data directory.
//
//   1. Leftover temporaries (a snapshot interrupted before its rename) are removed.
//   2. The newest snapshot is loaded (keyspace, version vector, clock). A damaged snapshot stops
//      recovery with an error; with repair, the next older one is tried instead.
//   3. Segments N, N+1, ... after it are replayed in order (every op: keyspace, version vector,
//      and so this replica's own next sequence number). A bad record in the last segment with
//      nothing valid after it is a torn write: the segment is truncated there with a warning
//      naming the file and offset. Any other bad record (or a missing segment, or an op that does
//      not follow the state before it) is corruption in the middle: an error, unless repair, which
//      truncates there and drops the later segments, with a warning.
//   4. Files no longer needed (segments and snapshots older than the loaded snapshot) go.
//
// Warnings come back as values; the driver logs them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/server/node.h"
#include "core/storage/storage.h"

namespace cordis {

struct RecoveryOptions {
  bool repair = false;
};

struct RecoveryReport {
  std::vector<std::string> warnings;
  uint64_t snapshot_number = 0;  // 0: no snapshot was loaded
  int64_t snapshot_unix_ms = 0;
  uint64_t snapshot_bytes = 0;
  uint64_t segments = 0;
  uint64_t segment_bytes = 0;   // bytes of the replayed segments (after any truncation)
  uint64_t records_replayed = 0;
  uint64_t records_skipped = 0;  // already covered by the snapshot
  uint64_t next_segment = 1;     // the number the next segment must take
};

// Restores `node` (fresh, with no state) from `storage`.
absl::StatusOr<RecoveryReport> Recover(Storage& storage, const RecoveryOptions& opts, Node* node);

}  // namespace cordis
