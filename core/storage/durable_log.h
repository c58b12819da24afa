// The durability engine shared by prod and the simulator: receives every op a Node applies (as
// its PersistenceSink), appends them to oplog segments, syncs when the driver asks, tells the
// Node which of its own ops are durable, and writes snapshots that make older files obsolete.
//
// The driver chooses the policy: call Sync() before acknowledging writes (appendfsync always),
// once a second (everysec), or only Flush() and MarkFlushedDurable() (no: the OS decides).
// Usage:
//   DurableLog log(storage, options);           // NodeOptions::persistence = &log
//   Node node(opts); Recover(storage, {}, &node) -> report; log.Start(&node, report, now_ms);
//   ... node applies ops ... log.Flush() / log.Sync() after each batch of commands.
#pragma once

#include <cstdint>
#include <map>

#include "absl/status/status.h"
#include "core/server/node.h"
#include "core/storage/oplog_writer.h"
#include "core/storage/recovery.h"
#include "core/storage/storage.h"

namespace cordis {

struct DurableLogOptions {
  uint64_t max_segment_bytes = 64ull << 20;  // rotate to a new segment past this size
};

class DurableLog : public PersistenceSink {
 public:
  DurableLog(Storage& storage, ReplicaId replica, DurableLogOptions opts = {})
      : storage_(storage), replica_(replica), opts_(opts), writer_(storage, replica) {}

  // Opens the next segment after recovery; if recovery loaded no snapshot, writes one at once so
  // the directory records this replica's identity and version vector from the start.
  absl::Status Start(Node* node, const RecoveryReport& recovered, int64_t now_unix_ms);

  // PersistenceSink.
  void Append(const pb::Op& record) override;
  void StateReplaced() override {
    if (!snapshot_needed_) records_before_replacement_ = records_appended_;
    snapshot_needed_ = true;
    ++records_appended_;
  }

  // Hands buffered records to storage (and writes the snapshot a state replacement asked for).
  absl::Status Flush(int64_t now_unix_ms);
  // Flush, then make everything durable and tell the node.
  absl::Status Sync(int64_t now_unix_ms);
  // Policy "no": what reached the OS counts as durable (it survives a process crash).
  void MarkFlushedDurable();
  // Syncs done outside (prod's background fsync of the current segment): the driver notes
  // records_flushed() before it starts one, and reports that count once it is done.
  uint64_t records_flushed() const { return records_flushed_; }
  uint64_t segment_number() const { return writer_.number(); }
  void MarkSynced(uint64_t records);

  // Synchronous snapshot of the node's current state (SAVE); older files are removed.
  absl::Status WriteSnapshot(int64_t now_unix_ms);
  // Background snapshots (prod forks): BeginSnapshot rotates to a new segment and returns its
  // number N; the state at that instant is what snapshot N must hold (written elsewhere with
  // WriteSnapshotFile). FinishSnapshot(N, bytes) then removes the files it made obsolete.
  absl::StatusOr<uint64_t> BeginSnapshot();
  absl::Status FinishSnapshot(uint64_t number, uint64_t bytes, int64_t created_unix_ms);

  // Figures for INFO and the automatic rewrite.
  bool needs_snapshot() const { return snapshot_needed_; }
  uint64_t snapshot_number() const { return snapshot_number_; }
  int64_t last_snapshot_unix_ms() const { return last_snapshot_unix_ms_; }
  uint64_t snapshot_bytes() const { return snapshot_bytes_; }
  // Segment bytes since the newest snapshot (buffered included).
  uint64_t log_bytes() const;
  uint64_t buffered_bytes() const { return writer_.buffered_bytes(); }
  // Ops appended since the last snapshot (Redis's rdb_changes_since_last_save).
  uint64_t changes_since_snapshot() const { return changes_since_snapshot_; }
  // Records appended but not yet synced.
  bool has_unsynced() const { return records_appended_ > records_synced_; }

 private:
  absl::Status RotateIfFull();
  absl::Status RemoveObsolete(uint64_t below);

  Storage& storage_;
  ReplicaId replica_;
  DurableLogOptions opts_;
  OplogWriter writer_;
  Node* node_ = nullptr;
  bool snapshot_needed_ = false;
  // Records the node handed over (Append and StateReplaced each count one, as
  // Node::MarkDurable counts them), of which the first records_flushed_ reached storage and the
  // first records_synced_ are durable.
  uint64_t records_appended_ = 0;
  uint64_t records_flushed_ = 0;
  uint64_t records_synced_ = 0;
  uint64_t records_before_replacement_ = 0;  // with snapshot_needed_: the records in segments
  uint64_t snapshot_number_ = 0;
  int64_t last_snapshot_unix_ms_ = 0;
  uint64_t snapshot_bytes_ = 0;
  std::map<uint64_t, uint64_t> closed_segments_;  // number -> bytes, not yet obsolete
  uint64_t changes_since_snapshot_ = 0;
  uint64_t changes_at_begin_ = 0;
};

}  // namespace cordis
