// Runs Redis commands on the node through an ordinary Session, so every Maelstrom operation goes
// through the same parsing-free command path (Node::Execute) a RESP client's command takes, and
// pushes the resulting ops to peers right away.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/server/node.h"
#include "maelstrom/resp_reply.h"

namespace cordis::maelstrom {

class CoreClient {
 public:
  CoreClient(Node* node, int64_t now_us);
  ~CoreClient();
  CoreClient(const CoreClient&) = delete;
  CoreClient& operator=(const CoreClient&) = delete;

  // Executes one command (args[0] is its name) and returns the core's reply. A Redis error reply
  // is a RespReply of kind kError, not a failed status; a failed status means the reply could not
  // be read at all.
  absl::StatusOr<RespReply> Run(const std::vector<std::string>& args, int64_t now_us);

 private:
  Node* node_;
  Session* session_;
};

}  // namespace cordis::maelstrom
