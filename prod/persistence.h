// The production durability driver: owns the data directory (FileStorage + DurableLog), recovers
// the node at start, applies the fsync policy with group commit, runs background snapshots in a
// forked child (as Redis does), save points and automatic log rewrites, and answers SAVE, BGSAVE,
// BGREWRITEAOF, LASTSAVE and INFO persistence.
//
// The server calls, all on the event-loop thread:
//   Open()                 before the Node exists (locks the directory);
//   Recover(node)          once the Node exists, before any client;
//   ReplyMustWait()        after a connection's batch: true = hold its replies until Commit;
//   Commit()               once per loop pass with held replies (one write, and under `always`
//                          one fsync, covering every record of the pass), then release them;
//   Tick()                 a few times a second (everysec fsync, child reaping, save points);
//   Shutdown()             at exit (final fsync).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/server/node.h"
#include "core/server/persistence_control.h"
#include "core/storage/durable_log.h"
#include "prod/background_sync.h"
#include "prod/file_storage.h"
#include "prod/persistence_options.h"

namespace cordis::prod {

class Persistence : public PersistenceControl {
 public:
  Persistence(PersistenceOptions opts, ReplicaId replica);
  ~Persistence() override;

  absl::Status Open();
  PersistenceSink* sink() { return log_.get(); }
  absl::Status Recover(Node* node);

  bool ReplyMustWait() const;
  void Commit();
  void Tick();
  void Shutdown();

  // PersistenceControl.
  absl::Status Save() override;
  absl::Status BackgroundSave(bool rewrite) override;
  int64_t LastSaveUnixSeconds() const override { return log_->last_snapshot_unix_ms() / 1000; }
  void AppendInfo(std::string* out) const override;
  absl::Status SetConfig(const std::string& name, const std::string& value,
                         bool dry_run) override;

 private:
  // Mirrors the settings into the node's config map (CONFIG GET).
  void PublishConfig();
  void EverysecSync(int64_t now_ms);
  void ReapChild();
  void MaybeStartAutomaticSave();
  [[noreturn]] void RunChild(uint64_t number, int64_t created_ms);
  [[noreturn]] void Fatal(const absl::Status& st, const char* what);

  PersistenceOptions opts_;
  ReplicaId replica_;
  FileStorage storage_;
  std::unique_ptr<DurableLog> log_;
  Node* node_ = nullptr;
  int64_t last_fsync_ms_ = 0;
  BackgroundSync background_sync_;   // everysec's fsync thread
  uint64_t background_records_ = 0;  // records_flushed() when the last background sync began
  uint64_t base_size_ = 0;  // snapshot + log bytes after the last snapshot (aof_base_size)

  // The background snapshot child, if any.
  pid_t child_pid_ = -1;
  uint64_t child_number_ = 0;
  bool child_rewrite_ = false;
  int64_t child_started_ms_ = 0;
  int64_t last_bg_failure_ms_ = -1;

  // INFO figures.
  int64_t latest_fork_usec_ = 0;
  uint64_t saves_ = 0;
  uint64_t rewrites_ = 0;
  bool last_bgsave_ok_ = true;
  bool last_rewrite_ok_ = true;
  int64_t last_bgsave_sec_ = -1;
  int64_t last_rewrite_sec_ = -1;
};

}  // namespace cordis::prod
