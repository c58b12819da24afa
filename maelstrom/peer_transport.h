// The core's replication traffic carried as Maelstrom node-to-node messages, so Maelstrom's
// network (latency, loss, partitions) is the network replication runs over.
//
//   peer body = {"type": "cordis", "data": base64(serialized pb::PeerMessage)}
//
// Node names map to replica ids: "n<k>" is replica k+1 when every name has that form; otherwise
// a name's position in init's node_ids (plus one). Every node computes the same map from the same
// node_ids list.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/crdt/dot.h"
#include "maelstrom/protocol.h"
#include "cordis/replication.pb.h"

namespace cordis::maelstrom {

inline constexpr const char* kPeerMessageType = "cordis";

class ReplicaDirectory {
 public:
  // Fails when node_ids is empty, has duplicates, or does not contain self.
  static absl::StatusOr<ReplicaDirectory> Build(const std::vector<std::string>& node_ids,
                                                const std::string& self);

  ReplicaId self() const { return self_; }
  std::optional<ReplicaId> IdOf(const std::string& name) const;
  std::optional<std::string> NameOf(ReplicaId id) const;
  const std::map<ReplicaId, std::string>& names() const { return names_; }
  // The lowest replica id: the one node that serves lin-kv.
  ReplicaId lowest() const { return names_.begin()->first; }

 private:
  ReplicaId self_ = 0;
  std::map<std::string, ReplicaId> ids_;
  std::map<ReplicaId, std::string> names_;
};

Json EncodePeerBody(const pb::PeerMessage& msg);
// Fails on a body without base64 "data" or with bytes that are not a PeerMessage.
absl::StatusOr<pb::PeerMessage> DecodePeerBody(const Json& body);

}  // namespace cordis::maelstrom
