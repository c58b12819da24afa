#include "prod/persistence.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "core/base/strings.h"
#include "core/storage/file_names.h"
#include "core/storage/snapshot_file.h"
#include "spdlog/spdlog.h"

namespace cordis::prod {
namespace {

// A failed background snapshot is retried by save points only after this pause (Redis: 5 s).
constexpr int64_t kBackgroundRetryMs = 5000;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t MonotonicUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

template <typename T>
void Line(std::string* out, std::string_view field, const T& value) {
  StrAppend(out, field, ":", value, "\r\n");
}

}  // namespace

Persistence::Persistence(PersistenceOptions opts, ReplicaId replica)
    : opts_(std::move(opts)),
      replica_(replica),
      storage_(opts_.dir),
      log_(std::make_unique<DurableLog>(
          storage_, replica, DurableLogOptions{.max_segment_bytes = opts_.max_segment_bytes})) {}

Persistence::~Persistence() = default;

absl::Status Persistence::Open() { return storage_.Lock(); }

absl::Status Persistence::Recover(Node* node) {
  node_ = node;
  int64_t t0 = MonotonicUs();
  absl::StatusOr<RecoveryReport> report =
      cordis::Recover(storage_, RecoveryOptions{.repair = opts_.repair}, node);
  if (!report.ok()) return report.status();
  for (const std::string& w : report->warnings) spdlog::warn("recovery: {}", w);
  if (absl::Status st = log_->Start(node, *report, NowMs()); !st.ok()) return st;
  base_size_ = log_->snapshot_bytes() + log_->log_bytes();
  last_fsync_ms_ = NowMs();
  PublishConfig();
  spdlog::info(
      "Recovered from {}: snapshot {} ({} bytes), {} records replayed from {} segment(s) "
      "({} bytes) in {} ms; next own sequence number {}; appendfsync {}",
      opts_.dir, report->snapshot_number, report->snapshot_bytes, report->records_replayed,
      report->segments, report->segment_bytes, (MonotonicUs() - t0) / 1000,
      node->version_vector().Get(replica_) + 1, FsyncPolicyName(opts_.fsync));
  return absl::OkStatus();
}

bool Persistence::ReplyMustWait() const {
  if (opts_.fsync == FsyncPolicy::kAlways) return log_->has_unsynced() || log_->needs_snapshot();
  return log_->buffered_bytes() > 0 || log_->needs_snapshot();
}

void Persistence::Commit() {
  absl::Status st;
  switch (opts_.fsync) {
    case FsyncPolicy::kAlways:
      if (log_->has_unsynced() || log_->needs_snapshot()) st = log_->Sync(NowMs());
      break;
    case FsyncPolicy::kEverysec:
      st = log_->Flush(NowMs());
      break;
    case FsyncPolicy::kNo:
      st = log_->Flush(NowMs());
      if (st.ok()) log_->MarkFlushedDurable();
      break;
  }
  if (!st.ok()) Fatal(st, "writing the oplog");
}

void Persistence::Tick() {
  Commit();  // records of expiries and peer ops made outside client batches
  if (opts_.fsync == FsyncPolicy::kEverysec) EverysecSync(NowMs());
  ReapChild();
  MaybeStartAutomaticSave();
}

// Once a second, the helper thread fdatasyncs the current segment; when it is done, the own ops
// flushed before it began are durable (and may go to peers).
void Persistence::EverysecSync(int64_t now_ms) {
  if (std::optional<BackgroundSync::Result> r = background_sync_.TakeResult()) {
    // ENOENT: a finished snapshot removed the segment, and it holds those records.
    if (r->error != 0 && r->error != ENOENT)
      Fatal(absl::UnavailableError(std::strerror(r->error)), "background fsync of the oplog");
    log_->MarkSynced(r->token);
  }
  if (now_ms - last_fsync_ms_ < 1000 || log_->records_flushed() == background_records_) return;
  std::string path = storage_.Describe(SegmentFileName(log_->segment_number()));
  if (background_sync_.Start(path, log_->records_flushed())) {
    last_fsync_ms_ = now_ms;
    background_records_ = log_->records_flushed();
  }
}

void Persistence::Shutdown() {
  if (child_pid_ > 0) {
    ::kill(child_pid_, SIGKILL);
    ::waitpid(child_pid_, nullptr, 0);
    storage_.Remove(TempFileName(SnapshotFileName(child_number_))).IgnoreError();
    child_pid_ = -1;
  }
  if (absl::Status st = log_->Sync(NowMs()); !st.ok()) {
    spdlog::error("final fsync of the oplog failed: {}", st.ToString());
    return;
  }
  spdlog::info("Oplog synced to {}", opts_.dir);
}

absl::Status Persistence::Save() {
  if (child_pid_ > 0) return absl::FailedPreconditionError("Background save already in progress");
  Commit();
  int64_t t0 = MonotonicUs();
  if (absl::Status st = log_->WriteSnapshot(NowMs()); !st.ok()) {
    spdlog::error("SAVE failed: {}", st.ToString());
    return st;
  }
  ++saves_;
  base_size_ = log_->snapshot_bytes() + log_->log_bytes();
  spdlog::info("DB saved on disk ({} bytes in {} ms)", log_->snapshot_bytes(),
               (MonotonicUs() - t0) / 1000);
  return absl::OkStatus();
}

absl::Status Persistence::BackgroundSave(bool rewrite) {
  if (child_pid_ > 0)
    return absl::AlreadyExistsError(
        rewrite ? "Background append only file rewriting already in progress"
                : "Background save already in progress");
  Commit();  // what was applied so far goes into the segment the snapshot will cover
  absl::StatusOr<uint64_t> number = log_->BeginSnapshot();
  if (!number.ok()) return number.status();
  int64_t created = NowMs();
  int64_t t0 = MonotonicUs();
  pid_t pid = ::fork();
  if (pid < 0) return absl::UnavailableError(StrCat("fork: ", std::strerror(errno)));
  if (pid == 0) RunChild(*number, created);
  latest_fork_usec_ = MonotonicUs() - t0;
  child_pid_ = pid;
  child_number_ = *number;
  child_rewrite_ = rewrite;
  child_started_ms_ = created;
  spdlog::info("Background {} started by pid {} (fork took {} us)",
               rewrite ? "append only file rewriting" : "saving", pid, latest_fork_usec_);
  return absl::OkStatus();
}

// The forked child: the node's memory as it was at the fork, copy-on-write. Writes the snapshot
// and exits without running any destructor of the parent's objects.
void Persistence::RunChild(uint64_t number, int64_t created_ms) {
  ::signal(SIGTERM, SIG_DFL);
  ::signal(SIGINT, SIG_DFL);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the server
  // Hold no socket, lock or log descriptor of the parent's.
  ::syscall(SYS_close_range, 3u, ~0u, 0u);
  FileStorage storage(opts_.dir);
  pb::Snapshot state;
  node_->EncodeSnapshot(&state);
  absl::StatusOr<SnapshotFileInfo> info = WriteSnapshotFile(storage, state, number, created_ms);
  if (!info.ok()) spdlog::error("background snapshot failed: {}", info.status().ToString());
  ::_exit(info.ok() ? 0 : 1);
}

void Persistence::ReapChild() {
  if (child_pid_ <= 0) return;
  int status = 0;
  pid_t r = ::waitpid(child_pid_, &status, WNOHANG);
  if (r == 0) return;
  bool ok = r == child_pid_ && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  int64_t now = NowMs();
  if (ok) {
    absl::StatusOr<uint64_t> size = storage_.FileSize(SnapshotFileName(child_number_));
    absl::Status st =
        size.ok() ? log_->FinishSnapshot(child_number_, *size, child_started_ms_) : size.status();
    if (!st.ok()) spdlog::error("finishing background snapshot: {}", st.ToString());
    ok = st.ok();
  } else {
    storage_.Remove(TempFileName(SnapshotFileName(child_number_))).IgnoreError();
    last_bg_failure_ms_ = now;
  }
  int64_t secs = (now - child_started_ms_) / 1000;
  if (child_rewrite_) {
    last_rewrite_ok_ = ok;
    last_rewrite_sec_ = secs;
    rewrites_ += ok;
  } else {
    last_bgsave_ok_ = ok;
    last_bgsave_sec_ = secs;
    saves_ += ok;
  }
  if (ok) {
    base_size_ = log_->snapshot_bytes() + log_->log_bytes();
    spdlog::info("Background snapshot {} done ({} bytes)", child_number_, log_->snapshot_bytes());
  } else {
    spdlog::error("Background snapshot {} failed (child status {})", child_number_, status);
  }
  child_pid_ = -1;
}

void Persistence::MaybeStartAutomaticSave() {
  if (child_pid_ > 0) return;
  int64_t now = NowMs();
  if (last_bg_failure_ms_ >= 0 && now - last_bg_failure_ms_ < kBackgroundRetryMs) return;
  for (const SavePoint& sp : opts_.save_points) {
    if (log_->changes_since_snapshot() >= sp.changes &&
        now - log_->last_snapshot_unix_ms() >= sp.seconds * 1000) {
      spdlog::info("{} changes in {} seconds. Saving...", sp.changes, sp.seconds);
      absl::Status st = BackgroundSave(/*rewrite=*/false);
      if (!st.ok()) spdlog::error("automatic save: {}", st.ToString());
      return;
    }
  }
  if (opts_.auto_rewrite_percentage <= 0) return;
  uint64_t current = log_->snapshot_bytes() + log_->log_bytes();
  uint64_t base = std::max<uint64_t>(base_size_, 1);
  if (current < opts_.auto_rewrite_min_size || current <= base) return;
  uint64_t growth = (current - base) * 100 / base;
  if (growth < static_cast<uint64_t>(opts_.auto_rewrite_percentage)) return;
  spdlog::info("Starting automatic rewriting of the oplog on {}% growth", growth);
  absl::Status st = BackgroundSave(/*rewrite=*/true);
  if (!st.ok()) spdlog::error("automatic rewrite: {}", st.ToString());
}

void Persistence::Fatal(const absl::Status& st, const char* what) {
  spdlog::critical("{} failed: {}. Exiting: acknowledging more writes could lose them.", what,
                   st.ToString());
  spdlog::shutdown();
  std::_Exit(1);
}

void Persistence::AppendInfo(std::string* out) const {
  int64_t now = NowMs();
  bool bg = child_pid_ > 0 && !child_rewrite_;
  bool rw = child_pid_ > 0 && child_rewrite_;
  int64_t running = child_pid_ > 0 ? (now - child_started_ms_) / 1000 : -1;
  Line(out, "loading", 0);
  Line(out, "async_loading", 0);
  Line(out, "rdb_changes_since_last_save", log_->changes_since_snapshot());
  Line(out, "rdb_bgsave_in_progress", bg ? 1 : 0);
  Line(out, "rdb_last_save_time", log_->last_snapshot_unix_ms() / 1000);
  Line(out, "rdb_last_bgsave_status", last_bgsave_ok_ ? "ok" : "err");
  Line(out, "rdb_last_bgsave_time_sec", last_bgsave_sec_);
  Line(out, "rdb_current_bgsave_time_sec", bg ? running : -1);
  Line(out, "rdb_saves", saves_);
  Line(out, "aof_enabled", 1);
  Line(out, "aof_rewrite_in_progress", rw ? 1 : 0);
  Line(out, "aof_rewrite_scheduled", 0);
  Line(out, "aof_last_rewrite_time_sec", last_rewrite_sec_);
  Line(out, "aof_current_rewrite_time_sec", rw ? running : -1);
  Line(out, "aof_last_bgrewrite_status", last_rewrite_ok_ ? "ok" : "err");
  Line(out, "aof_rewrites", rewrites_);
  Line(out, "aof_last_write_status", "ok");
  Line(out, "aof_current_size", log_->snapshot_bytes() + log_->log_bytes());
  Line(out, "aof_base_size", base_size_);
  Line(out, "aof_pending_rewrite", 0);
  Line(out, "aof_buffer_length", log_->buffered_bytes());
  Line(out, "aof_pending_bio_fsync", 0);
  Line(out, "aof_delayed_fsync", 0);
  Line(out, "latest_fork_usec", latest_fork_usec_);
  Line(out, "appendfsync", FsyncPolicyName(opts_.fsync));
  Line(out, "oplog_durable_seq", node_ == nullptr ? 0 : node_->durable_seq());
}

absl::Status Persistence::SetConfig(const std::string& name, const std::string& value,
                                    bool dry_run) {
  PersistenceOptions next = opts_;
  if (name == "appendfsync") {
    absl::StatusOr<FsyncPolicy> p = ParseFsyncPolicy(value);
    if (!p.ok()) return absl::InvalidArgumentError("argument must be always, everysec or no");
    next.fsync = *p;
  } else if (name == "save") {
    absl::StatusOr<std::vector<SavePoint>> sp = ParseSavePoints(value);
    if (!sp.ok()) return absl::InvalidArgumentError("Invalid save parameters");
    next.save_points = *sp;
  } else if (name == "auto-aof-rewrite-percentage") {
    if (value.empty() || value.size() > 9 ||
        value.find_first_not_of("0123456789") != std::string::npos)
      return absl::InvalidArgumentError("argument must be a non-negative integer");
    next.auto_rewrite_percentage = std::stoll(value);
  } else if (name == "auto-aof-rewrite-min-size") {
    absl::StatusOr<uint64_t> n = ParseMemorySize(value);
    if (!n.ok()) return absl::InvalidArgumentError("argument must be a memory value");
    next.auto_rewrite_min_size = *n;
  } else if (name == "appendonly") {
    if (ToLower(value) != "yes")
      return absl::InvalidArgumentError(
          "persistence cannot be turned off while running (restart with --appendonly no)");
  } else if (name == "dir") {
    if (value != opts_.dir)
      return absl::InvalidArgumentError("the data directory cannot change while running");
  } else {
    return absl::NotFoundError("not a persistence setting");
  }
  if (dry_run) return absl::OkStatus();
  if (next.fsync != opts_.fsync) {
    Commit();  // what the old policy acknowledged stays as it promised
    spdlog::info("appendfsync changed from {} to {}", FsyncPolicyName(opts_.fsync),
                 FsyncPolicyName(next.fsync));
  }
  opts_ = std::move(next);
  PublishConfig();
  return absl::OkStatus();
}

void Persistence::PublishConfig() {
  auto& config = node_->config();
  config["appendonly"] = "yes";
  config["appendfsync"] = FsyncPolicyName(opts_.fsync);
  std::string save;
  for (const SavePoint& sp : opts_.save_points)
    StrAppend(&save, save.empty() ? "" : " ", sp.seconds, " ", sp.changes);
  config["save"] = save;
  config["auto-aof-rewrite-percentage"] = std::to_string(opts_.auto_rewrite_percentage);
  config["auto-aof-rewrite-min-size"] = std::to_string(opts_.auto_rewrite_min_size);
  config["dir"] = opts_.dir;
}

}  // namespace cordis::prod
