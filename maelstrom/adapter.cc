#include "maelstrom/adapter.h"

#include "core/base/strings.h"
#include "spdlog/spdlog.h"

namespace cordis::maelstrom {

absl::StatusOr<Bug> ParseBug(const std::string& name) {
  if (name.empty() || name == "none") return Bug::kNone;
  if (name == "drop-remote-deltas") return Bug::kDropRemoteDeltas;
  if (name == "lin-kv-every-node") return Bug::kLinKvEveryNode;
  return absl::InvalidArgumentError(
      StrCat("unknown bug '", name, "' (none, drop-remote-deltas, lin-kv-every-node)"));
}

Adapter::Adapter(AdapterOptions opts, LineSink out) : opts_(opts), out_(std::move(out)) {}

Adapter::~Adapter() {
  core_.reset();  // closes its session while the node still exists
}

void Adapter::OnLine(const std::string& line, int64_t now_us) {
  if (line.empty()) return;
  std::optional<ReplyAddress> reply_to;
  absl::StatusOr<Message> msg = ParseMessage(line, &reply_to);
  if (!msg.ok()) {
    std::string text = StrCat("malformed message: ", std::string(msg.status().message()));
    if (reply_to) {
      Reply(reply_to->src, reply_to->msg_id, ErrorBody(ErrorCode::kMalformedRequest, text));
    } else {
      spdlog::warn("{}; dropped line: {}", text, line.substr(0, 200));
    }
    return;
  }
  if (msg->type() == "init") return OnInit(*msg, now_us);
  if (msg->type() == kPeerMessageType) return OnPeer(*msg, now_us);
  if (msg->is_reply()) {
    // We never send requests that expect answers; an error reply to a peer message is logged.
    spdlog::debug("ignoring reply from {}: {}", msg->src, msg->body.dump());
    return;
  }
  OnClient(*msg, now_us);
}

void Adapter::OnInit(const Message& req, int64_t now_us) {
  std::optional<int64_t> id = req.msg_id();
  std::optional<std::string> node_id = StringField(req.body, "node_id");
  auto ids = req.body.find("node_ids");
  std::vector<std::string> node_ids;
  bool ids_ok = ids != req.body.end() && ids->is_array();
  if (ids_ok) {
    for (const Json& n : *ids) {
      if (!n.is_string()) ids_ok = false;
      else node_ids.push_back(n.get<std::string>());
    }
  }
  auto fail = [&](ErrorCode code, const std::string& text) {
    if (id) Reply(req.src, *id, ErrorBody(code, text));
    spdlog::error("init refused: {}", text);
  };
  if (!node_id || !ids_ok) return fail(ErrorCode::kMalformedRequest, "init needs node_id and node_ids");
  if (node_) {
    if (*node_id == self_) {
      if (id) Reply(req.src, *id, Json{{"type", "init_ok"}});
      return;
    }
    return fail(ErrorCode::kMalformedRequest, StrCat("already initialized as ", self_));
  }
  absl::StatusOr<ReplicaDirectory> dir = ReplicaDirectory::Build(node_ids, *node_id);
  if (!dir.ok()) return fail(ErrorCode::kMalformedRequest, std::string(dir.status().message()));
  self_ = *node_id;
  directory_ = std::move(*dir);
  NodeOptions nopts;
  nopts.replica_id = directory_->self();
  nopts.seed = opts_.seed ^ (uint64_t{directory_->self()} << 32);
  nopts.start_us = now_us;
  nopts.replication = opts_.replication;
  node_ = std::make_unique<Node>(nopts);
  for (const auto& [rid, name] : directory_->names()) node_->AddMember(rid);
  core_ = std::make_unique<CoreClient>(node_.get(), now_us);
  workloads_ = std::make_unique<Workloads>(core_.get(), self_, opts_.workload);
  bool serving = directory_->self() == directory_->lowest() || opts_.bug == Bug::kLinKvEveryNode;
  lin_kv_ = std::make_unique<LinKv>(core_.get(), serving, *directory_->NameOf(directory_->lowest()));
  spdlog::info("node {} is replica {} of {}", self_, directory_->self(), node_ids.size());
  if (id) Reply(req.src, *id, Json{{"type", "init_ok"}});
}

void Adapter::OnPeer(const Message& msg, int64_t now_us) {
  if (!node_) return spdlog::warn("peer message from {} before init; dropped", msg.src);
  std::optional<ReplicaId> from = directory_->IdOf(msg.src);
  absl::StatusOr<pb::PeerMessage> pm = DecodePeerBody(msg.body);
  if (!from || !pm.ok() || pm->from() != *from) {
    spdlog::warn("bad peer message from {}: {}", msg.src,
                 pm.ok() ? "sender does not match its replica id" : pm.status().ToString());
    return;
  }
  if (opts_.bug == Bug::kDropRemoteDeltas && !pm->has_have()) {
    ++dropped_by_bug_;
    return;
  }
  absl::Status s = node_->OnPeerMessage(*pm, now_us);
  if (!s.ok()) spdlog::warn("peer message from {} refused: {}", msg.src, s.ToString());
  SendOutbox();
}

void Adapter::OnClient(const Message& req, int64_t now_us) {
  std::optional<int64_t> id = req.msg_id();
  if (!id) {
    spdlog::warn("request without msg_id from {} ignored: {}", req.src, req.body.dump());
    return;
  }
  if (!node_) {
    return Reply(req.src, *id,
                 ErrorBody(ErrorCode::kTemporarilyUnavailable, "node not initialized yet"));
  }
  Json body;
  if (LinKv::Handles(req)) {
    body = lin_kv_->Handle(req, now_us);
  } else if (std::optional<Json> b = workloads_->Handle(req, now_us)) {
    body = std::move(*b);
  } else {
    body = ErrorBody(ErrorCode::kNotSupported, StrCat("unsupported request type '", req.type(), "'"));
  }
  Reply(req.src, *id, std::move(body));
  SendOutbox();
}

void Adapter::OnTick(int64_t now_us) {
  if (!node_) return;
  node_->ReplicationTick(now_us);
  node_->Tick(now_us);
  node_->FlushReplication();  // expiry may have made ops
  SendOutbox();
}

void Adapter::LogStats() {
  if (!node_) return;
  const NodeStats& st = node_->stats();
  spdlog::info(
      "replica {}: commands {}, remote ops applied {} (duplicate {}, buffered {}, dropped {}), "
      "snapshots sent {} installed {} refused {}, oplog {} entries, pending {}, dropped by --bug {}",
      directory_->self(), st.commands_processed, st.remote_ops_applied, st.remote_ops_duplicate,
      st.remote_ops_buffered, st.remote_ops_dropped, st.snapshots_sent, st.snapshots_installed,
      st.snapshots_refused, node_->oplog().size(), node_->pending_remote_ops(), dropped_by_bug_);
}

void Adapter::Reply(const std::string& to, int64_t in_reply_to, Json body) {
  body["in_reply_to"] = in_reply_to;
  Send(to, std::move(body));
}

void Adapter::Send(const std::string& to, Json body) {
  body["msg_id"] = next_msg_id_++;
  Message m{self_.empty() ? "uninitialized" : self_, to, std::move(body)};
  out_(Serialize(m));
}

void Adapter::SendOutbox() {
  for (Outgoing& o : node_->TakeOutbox()) {
    std::optional<std::string> name = directory_->NameOf(o.to);
    if (!name) {
      spdlog::warn("no Maelstrom node for replica {}; message dropped", o.to);
      continue;
    }
    Message m{self_, *name, EncodePeerBody(o.msg)};
    out_(Serialize(m));
  }
}

}  // namespace cordis::maelstrom
