// One Maelstrom node: owns the Cordis Node once `init` names it, routes each input line to the
// workload handlers or to replication, and writes every reply and peer message as a line.
// Time comes in with every call; the adapter itself never reads a clock or touches stdin/stdout.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "core/server/node.h"
#include "maelstrom/core_client.h"
#include "maelstrom/lin_kv.h"
#include "maelstrom/peer_transport.h"
#include "maelstrom/protocol.h"
#include "maelstrom/workloads.h"

namespace cordis::maelstrom {

// Deliberate faults, so the harness can show its checkers catch a broken node.
enum class Bug {
  kNone,
  kDropRemoteDeltas,  // ignore peers' ops and snapshots: remote writes never arrive
  kLinKvEveryNode,    // every node serves lin-kv from its own replica (stale reads)
};
absl::StatusOr<Bug> ParseBug(const std::string& name);  // "", "drop-remote-deltas", ...

struct AdapterOptions {
  Workload workload = Workload::kUnknown;  // kUnknown: detect from requests (see workloads.h)
  Bug bug = Bug::kNone;
  uint64_t seed = 1;
  ReplicationOptions replication;  // small max_log_entries forces snapshot transfers
};

class Adapter {
 public:
  using LineSink = std::function<void(const std::string& line)>;
  Adapter(AdapterOptions opts, LineSink out);
  ~Adapter();

  // Handles one input line (without its newline). Never throws and never aborts on bad input.
  void OnLine(const std::string& line, int64_t now_us);
  // Periodic replication and expiry; call every ~100 ms.
  void OnTick(int64_t now_us);

  bool initialized() const { return node_ != nullptr; }
  // Logs the node's replication counters (stderr): how a run went, for the person reading logs.
  void LogStats();

 private:
  void OnInit(const Message& req, int64_t now_us);
  void OnPeer(const Message& msg, int64_t now_us);
  void OnClient(const Message& req, int64_t now_us);
  void Reply(const std::string& to, int64_t in_reply_to, Json body);
  void Send(const std::string& to, Json body);
  void SendOutbox();

  AdapterOptions opts_;
  LineSink out_;
  std::string self_;
  std::optional<ReplicaDirectory> directory_;
  std::unique_ptr<Node> node_;
  std::unique_ptr<CoreClient> core_;
  std::unique_ptr<Workloads> workloads_;
  std::unique_ptr<LinKv> lin_kv_;
  int64_t next_msg_id_ = 1;
  uint64_t dropped_by_bug_ = 0;
};

}  // namespace cordis::maelstrom
