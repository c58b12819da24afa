// Whole-keyspace state transfer (peer catch-up past a truncated oplog; later, snapshots on disk).
// Each key's CRDT state travels with its dots, stamps, tombstones and pending increments, so the
// receiver holds exactly the sender's internal state and later ops apply to it as they would at
// the sender.
#pragma once

#include <cstdint>

#include "absl/status/status.h"
#include "core/keyspace/keyspace.h"
#include "cordis/replication.pb.h"

namespace cordis {

// Appends every key of `ks` (database number `db`) to out->keys, invisible expiry-only keys
// included.
void EncodeKeyspace(const Keyspace& ks, uint32_t db, pb::Snapshot* out);

// Decodes one key into `ks`, which must not hold it yet. Malformed input (a peer or a file can
// send anything) returns kDataLoss and leaves `ks` unchanged.
absl::Status DecodeKeyState(const pb::KeyState& in, Keyspace* ks);

}  // namespace cordis
