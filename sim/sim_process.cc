#include "sim/sim_process.h"

#include "core/base/strings.h"
#include "core/storage/recovery.h"

namespace cordis::sim {

const char* SyncPolicyName(SyncPolicy p) {
  switch (p) {
    case SyncPolicy::kAlways:
      return "always";
    case SyncPolicy::kEverySec:
      return "everysec";
    case SyncPolicy::kNo:
      return "no";
  }
  return "?";
}

absl::StatusOr<std::string> SimProcess::Start(NodeOptions opts,
                                              const std::vector<ReplicaId>& members,
                                              int64_t now_us) {
  CHECK(!up());
  DurableLogOptions lopts;
  lopts.max_segment_bytes = max_segment_bytes_;
  log_ = std::make_unique<DurableLog>(storage_, opts.replica_id, lopts);
  opts.persistence = log_.get();
  opts.start_us = now_us;
  node_ = std::make_unique<Node>(opts);
  for (ReplicaId m : members) node_->AddMember(m);
  absl::StatusOr<RecoveryReport> report = Recover(storage_, RecoveryOptions{}, node_.get());
  if (!report.ok()) return report.status();
  if (absl::Status st = log_->Start(node_.get(), *report, now_us / 1000); !st.ok()) return st;
  std::string warnings;
  for (const std::string& w : report->warnings) StrAppend(&warnings, w, "\n");
  return warnings;
}

absl::Status SimProcess::AfterBatch(bool client, int64_t now_us) {
  if (policy_ == SyncPolicy::kAlways && client) return log_->Sync(now_us / 1000);
  if (absl::Status st = log_->Flush(now_us / 1000); !st.ok()) return st;
  if (policy_ == SyncPolicy::kNo) log_->MarkFlushedDurable();
  return absl::OkStatus();
}

absl::Status SimProcess::Periodic(int64_t now_us, bool write_snapshot) {
  if (write_snapshot) {
    if (absl::Status st = log_->WriteSnapshot(now_us / 1000); !st.ok()) return st;
  }
  if (policy_ != SyncPolicy::kNo) return log_->Sync(now_us / 1000);
  return absl::OkStatus();
}

void SimProcess::Crash(Prng& rng, bool machine) {
  node_.reset();
  log_.reset();
  if (machine) {
    CrashOptions c;
    c.tear_unsynced = rng.Chance(0.7);
    c.garbage_tail = rng.Chance(0.3);
    storage_.Crash(rng, c);
  }
}

}  // namespace cordis::sim
