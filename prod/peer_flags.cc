#include "prod/peer_flags.h"

#include <filesystem>

#include "absl/flags/flag.h"
#include "core/base/strings.h"
#include "prod/persistence_options.h"

ABSL_FLAG(int, peer_port, -1,
          "TCP port for replication between peers (default: --port + 10000; 0 picks a free port)");
ABSL_FLAG(std::string, peers, "",
          "Peers to replicate with, 'host:port,...' (their peer ports); one is enough, the rest "
          "is learned by gossip");
ABSL_FLAG(std::string, cluster_name, "cordis",
          "Name of the replica set: peers with another name are refused");
ABSL_FLAG(std::string, peer_secret, "",
          "Shared secret every peer must present (sent in the clear: use a private network)");
ABSL_FLAG(std::string, peer_announce_host, "",
          "Host other peers should dial to reach this node (default: --bind, or the address "
          "they see when --bind is a wildcard)");
ABSL_FLAG(int64_t, replication_tick_ms, 20,
          "Period of the replication tick (Have messages: acknowledgements, resends, log "
          "truncation); own writes are pushed to peers at once regardless");
ABSL_FLAG(std::string, peer_queue_limit, "64mb",
          "Bytes queued per peer link before the queue is dropped (the peer then catches up "
          "from its next Have, or by snapshot)");
ABSL_FLAG(int64_t, peer_timeout_ms, 10000,
          "A peer link that is silent, stuck writing or handshaking this long is closed");
ABSL_FLAG(std::string, peer_max_frame, "1gb",
          "Largest frame accepted from a peer (a snapshot is one frame)");
ABSL_FLAG(uint64_t, max_log_entries, 1'000'000,
          "Ops kept in memory for peers that are behind; a peer further behind gets a snapshot");

namespace cordis::prod {

absl::StatusOr<PeerOptions> PeerOptionsFromFlags(const std::string& bind, const std::string& dir) {
  PeerOptions o;
  o.bind = bind;
  o.port = absl::GetFlag(FLAGS_peer_port);
  if (o.port < -1 || o.port > 65535) return absl::InvalidArgumentError("--peer-port must be in 0..65535");
  std::string peers = absl::GetFlag(FLAGS_peers);
  size_t start = 0;
  while (start < peers.size()) {
    size_t comma = peers.find(',', start);
    if (comma == std::string::npos) comma = peers.size();
    std::string p = peers.substr(start, comma - start);
    if (!p.empty()) o.peers.push_back(p);
    start = comma + 1;
  }
  o.cluster_name = absl::GetFlag(FLAGS_cluster_name);
  o.secret = absl::GetFlag(FLAGS_peer_secret);
  o.announce_host = absl::GetFlag(FLAGS_peer_announce_host);
  o.tick_ms = absl::GetFlag(FLAGS_replication_tick_ms);
  if (o.tick_ms < 1 || o.tick_ms > 10'000)
    return absl::InvalidArgumentError("--replication-tick-ms must be in 1..10000");
  absl::StatusOr<uint64_t> limit = ParseMemorySize(absl::GetFlag(FLAGS_peer_queue_limit));
  if (!limit.ok()) return limit.status();
  if (*limit < 4096) return absl::InvalidArgumentError("--peer-queue-limit must be at least 4kb");
  o.queue_limit = *limit;
  absl::StatusOr<uint64_t> frame = ParseMemorySize(absl::GetFlag(FLAGS_peer_max_frame));
  if (!frame.ok()) return frame.status();
  if (*frame < 4096 || *frame > (1ull << 31) - 1)
    return absl::InvalidArgumentError("--peer-max-frame must be in 4kb..2gb-1");
  o.max_frame_bytes = *frame;
  o.timeout_ms = absl::GetFlag(FLAGS_peer_timeout_ms);
  if (o.timeout_ms < 100) return absl::InvalidArgumentError("--peer-timeout-ms must be at least 100");
  o.member_file = (std::filesystem::path(dir) / kMemberFileName).string();
  return o;
}

absl::StatusOr<ReplicationOptions> ReplicationOptionsFromFlags() {
  ReplicationOptions r;
  r.max_log_entries = absl::GetFlag(FLAGS_max_log_entries);
  if (r.max_log_entries < 1) return absl::InvalidArgumentError("--max-log-entries must be at least 1");
  return r;
}

}  // namespace cordis::prod
