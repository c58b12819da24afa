// What CORDIS.MEET, CLUSTER MEET, ROLE and INFO replication ask of the driver that owns the peer
// links (prod/peer_manager.h). Without one (NodeOptions::replication_control null: the simulator,
// Maelstrom, unit tests), MEET answers that peer networking is off and ROLE/INFO describe a lone
// node.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/crdt/dot.h"

namespace cordis {

class ReplicationControl {
 public:
  struct PeerRole {
    std::string host;
    int port = 0;  // the peer port
    ReplicaId replica = 0;
    std::string state;     // "connected", "handshaking" or "down"
    uint64_t acked_ops = 0;  // ops the peer last said it has (sum of its version vector)
  };

  virtual ~ReplicationControl() = default;
  // Starts connecting to a node's peer port; membership then spreads by gossip. The connection
  // is made in the background (as CLUSTER MEET in Redis).
  virtual absl::Status Meet(const std::string& host, int port) = 0;
  // INFO replication: "field:value\r\n" lines after role and replica_id.
  virtual void AppendInfo(std::string* out, int64_t now_us) const = 0;
  // Every known peer, in replica id order (ROLE).
  virtual std::vector<PeerRole> Peers() const = 0;
};

}  // namespace cordis
