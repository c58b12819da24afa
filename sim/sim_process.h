// A simulated replica process: its disk (a MemStorage that outlives crashes), the production
// durability engine on it (core/storage DurableLog + Recover), and the Node while it is up.
//
// Sync policies, as Redis's appendfsync: kAlways syncs before a client's replies count as given;
// kEverySec flushes after every batch and syncs once a second; kNo flushes and lets what reached
// the OS count as durable (safe against a process crash only, so this policy only gets process
// crashes here). A machine crash loses unsynced bytes and may tear the last write (MemStorage);
// a process crash loses only what the DurableLog had not handed to storage.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/base/prng.h"
#include "core/server/node.h"
#include "core/storage/durable_log.h"
#include "core/storage/mem_storage.h"

namespace cordis::sim {

enum class SyncPolicy { kAlways, kEverySec, kNo };
const char* SyncPolicyName(SyncPolicy p);

class SimProcess {
 public:
  SimProcess(SyncPolicy policy, uint64_t max_segment_bytes)
      : policy_(policy), max_segment_bytes_(max_segment_bytes) {}

  // Starts the node: it learns its members, recovers from the disk (empty the first time), then
  // opens the durable log. Members come first: a node that thinks it is alone takes everything
  // it recovers as stable and folds metadata that concurrent ops of its peers still need.
  // Returns the recovery report's warnings, one per line.
  absl::StatusOr<std::string> Start(NodeOptions opts, const std::vector<ReplicaId>& members,
                                    int64_t now_us);
  // After the node applied a batch (a client request or a peer message): flush, and sync as the
  // policy says; `client` batches sync under kAlways before their replies count.
  absl::Status AfterBatch(bool client, int64_t now_us);
  // Once a second: sync (kEverySec), and now and then a snapshot that retires old segments.
  absl::Status Periodic(int64_t now_us, bool write_snapshot);
  // Kills the process (the Node and the DurableLog's buffers); `machine` also crashes the disk.
  void Crash(Prng& rng, bool machine);

  bool up() const { return node_ != nullptr; }
  Node* node() { return node_.get(); }
  SyncPolicy policy() const { return policy_; }
  MemStorage& storage() { return storage_; }

 private:
  SyncPolicy policy_;
  uint64_t max_segment_bytes_;
  MemStorage storage_;
  std::unique_ptr<DurableLog> log_;
  std::unique_ptr<Node> node_;
};

}  // namespace cordis::sim
