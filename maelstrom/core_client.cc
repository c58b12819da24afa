#include "maelstrom/core_client.h"

#include <string_view>

namespace cordis::maelstrom {

CoreClient::CoreClient(Node* node, int64_t now_us) : node_(node) {
  session_ = node_->OpenSession("maelstrom", "maelstrom", now_us);
  session_->name = "maelstrom";
}

CoreClient::~CoreClient() { node_->CloseSession(session_); }

absl::StatusOr<RespReply> CoreClient::Run(const std::vector<std::string>& args, int64_t now_us) {
  std::vector<std::string_view> views(args.begin(), args.end());
  session_->output.clear();
  node_->Execute(session_, views, now_us);
  // Ops this command made leave for the peers now, not at the next tick: replication latency is
  // what broadcast's and the counters' checkers measure.
  node_->FlushReplication();
  absl::StatusOr<RespReply> reply = ParseRespReply(session_->output);
  session_->output.clear();
  return reply;
}

}  // namespace cordis::maelstrom
