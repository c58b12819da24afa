// The replica set as last known, kept in the data directory ("cluster-members", one member a
// line: "member <replica id> <host> <peer port>"), so that a restarted node knows its members
// before it recovers (the core's garbage collection must not treat replayed ops as stable while
// alone) and can dial them without --peers. Written whenever membership changes, by rename so a
// crash leaves the old or the new file, never half of one.
#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "core/crdt/dot.h"

namespace cordis::prod {

struct MemberAddr {
  std::string host;
  int port = 0;  // 0: no known peer port
};

inline constexpr const char* kMemberFileName = "cluster-members";

// A missing file is an empty set; a malformed line is an error naming the file and the line.
absl::StatusOr<std::map<ReplicaId, MemberAddr>> ReadMemberFile(const std::string& path);
absl::Status WriteMemberFile(const std::string& path, const std::map<ReplicaId, MemberAddr>& m);

}  // namespace cordis::prod
