#include "maelstrom/workloads.h"

#include <charconv>

#include "core/base/strings.h"

namespace cordis::maelstrom {
namespace {

constexpr const char* kCounterKey = "maelstrom:counter";
constexpr const char* kGSetKey = "maelstrom:g-set";
constexpr const char* kBroadcastKey = "maelstrom:broadcast";

Json Malformed(std::string_view what) { return ErrorBody(ErrorCode::kMalformedRequest, what); }

}  // namespace

absl::StatusOr<Workload> ParseWorkload(const std::string& name) {
  if (name.empty() || name == "auto") return Workload::kUnknown;
  if (name == "g-counter" || name == "pn-counter") return Workload::kCounter;
  if (name == "g-set") return Workload::kGSet;
  if (name == "broadcast") return Workload::kBroadcast;
  return absl::InvalidArgumentError(
      StrCat("unknown workload '", name, "' (auto, g-counter, pn-counter, g-set, broadcast)"));
}

Json CoreErrorBody(const absl::StatusOr<RespReply>& reply) {
  if (!reply.ok()) {
    return ErrorBody(ErrorCode::kCrash,
                     StrCat("unreadable reply from the core: ", reply.status().ToString()));
  }
  // The core refused the command (e.g. an overflowing INCRBY): nothing happened.
  return ErrorBody(ErrorCode::kAbort, StrCat("core refused: ", reply->text));
}

Workloads::Workloads(CoreClient* core, std::string node_name, Workload fixed)
    : core_(core), node_name_(std::move(node_name)), fixed_(fixed) {}

std::optional<Json> Workloads::Handle(const Message& req, int64_t now_us) {
  const std::string type = req.type();
  if (type == "echo") {
    if (!req.body.contains("echo")) return Malformed("echo without \"echo\"");
    return Json{{"type", "echo_ok"}, {"echo", req.body["echo"]}};
  }
  if (type == "generate") {
    return Json{{"type", "generate_ok"}, {"id", StrCat(node_name_, "-", ++next_id_)}};
  }
  if (type == "topology") {
    // Accepted and not used: every node replicates with every other through anti-entropy.
    Learn(Workload::kBroadcast);
    return Json{{"type", "topology_ok"}};
  }
  if (type == "broadcast") {
    if (!req.body.contains("message")) return Malformed("broadcast without \"message\"");
    Learn(Workload::kBroadcast);
    return AddMember(kBroadcastKey, req.body["message"], "broadcast_ok", now_us);
  }
  if (type == "add") return Add(req, now_us);
  if (type == "read") return Read(now_us);
  return std::nullopt;
}

Json Workloads::Add(const Message& req, int64_t now_us) {
  if (req.body.contains("element")) {
    Learn(Workload::kGSet);
    return AddMember(kGSetKey, req.body["element"], "add_ok", now_us);
  }
  if (!req.body.contains("delta")) return Malformed("add without \"delta\" or \"element\"");
  std::optional<int64_t> delta = IntField(req.body, "delta");
  if (!delta) return Malformed("add's \"delta\" is not a 64-bit integer");
  Learn(Workload::kCounter);
  absl::StatusOr<RespReply> r = core_->Run({"INCRBY", kCounterKey, std::to_string(*delta)}, now_us);
  if (!r.ok() || r->kind != RespReply::Kind::kInteger) return CoreErrorBody(r);
  return Json{{"type", "add_ok"}};
}

Json Workloads::AddMember(const char* key, const Json& element, const char* ok_type,
                          int64_t now_us) {
  // Members are stored as their JSON text so reads give back exactly what was added.
  absl::StatusOr<RespReply> r =
      core_->Run({"SADD", key, element.dump(-1, ' ', false, Json::error_handler_t::replace)},
                 now_us);
  if (!r.ok() || r->kind != RespReply::Kind::kInteger) return CoreErrorBody(r);
  return Json{{"type", ok_type}};
}

Json Workloads::Read(int64_t now_us) {
  switch (Detect(now_us)) {
    case Workload::kCounter:
      return ReadCounter(now_us);
    case Workload::kGSet:
      return ReadMembers(kGSetKey, "value", now_us);
    case Workload::kBroadcast:
      return ReadMembers(kBroadcastKey, "messages", now_us);
    case Workload::kUnknown:
      break;
  }
  return ErrorBody(ErrorCode::kTemporarilyUnavailable,
                   "read before this node knows the workload (no add, broadcast or topology seen "
                   "and no replicated state yet); start with --workload to fix it");
}

Json Workloads::ReadCounter(int64_t now_us) {
  absl::StatusOr<RespReply> r = core_->Run({"GET", kCounterKey}, now_us);
  if (!r.ok() || r->is_error()) return CoreErrorBody(r);
  int64_t value = 0;
  if (r->kind == RespReply::Kind::kBulk) {
    const std::string& t = r->text;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    if (ec != std::errc() || p != t.data() + t.size())
      return ErrorBody(ErrorCode::kCrash, StrCat("counter holds a non-integer: ", t));
  }
  return Json{{"type", "read_ok"}, {"value", value}};
}

Json Workloads::ReadMembers(const char* key, const char* field, int64_t now_us) {
  absl::StatusOr<RespReply> r = core_->Run({"SMEMBERS", key}, now_us);
  if (!r.ok() || r->kind != RespReply::Kind::kArray) return CoreErrorBody(r);
  Json members = Json::array();
  for (const RespReply& m : r->elements) {
    Json v = Json::parse(m.text, nullptr, /*allow_exceptions=*/false);
    // Every member was written as JSON by AddMember; anything else is shown as the raw string.
    members.push_back(v.is_discarded() ? Json(m.text) : v);
  }
  return Json{{"type", "read_ok"}, {field, std::move(members)}};
}

Workload Workloads::Detect(int64_t now_us) {
  if (fixed_ != Workload::kUnknown) return fixed_;
  if (seen_ != Workload::kUnknown) return seen_;
  // Another node's writes may have reached us before any request of our own.
  for (auto [key, w] : {std::pair{kCounterKey, Workload::kCounter},
                        std::pair{kGSetKey, Workload::kGSet},
                        std::pair{kBroadcastKey, Workload::kBroadcast}}) {
    absl::StatusOr<RespReply> r = core_->Run({"EXISTS", key}, now_us);
    if (r.ok() && r->kind == RespReply::Kind::kInteger && r->integer > 0) {
      seen_ = w;
      return w;
    }
  }
  return Workload::kUnknown;
}

void Workloads::Learn(Workload w) {
  if (seen_ == Workload::kUnknown) seen_ = w;
}

}  // namespace cordis::maelstrom
