// Command-line flags of the peer transport: --peer-port, --peers, --cluster-name, --peer-secret,
// --peer-announce-host, --replication-tick-ms, --peer-queue-limit, --peer-timeout-ms,
// --peer-max-frame, and the core's --max-log-entries.
#pragma once

#include "absl/status/statusor.h"
#include "core/server/node.h"
#include "prod/peer_manager.h"

namespace cordis::prod {

// The options the flags ask for; `bind` and `dir` are the server's.
absl::StatusOr<PeerOptions> PeerOptionsFromFlags(const std::string& bind, const std::string& dir);
absl::StatusOr<ReplicationOptions> ReplicationOptionsFromFlags();

}  // namespace cordis::prod
