#include "maelstrom/lin_kv.h"

#include "core/base/strings.h"
#include "maelstrom/workloads.h"

namespace cordis::maelstrom {
namespace {

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string StoreKey(const Json& key) { return StrCat("maelstrom:lin-kv:", Dump(key)); }

}  // namespace

LinKv::LinKv(CoreClient* core, bool serving, std::string server_name)
    : core_(core), serving_(serving), server_name_(std::move(server_name)) {}

bool LinKv::Handles(const Message& req) {
  std::string type = req.type();
  return type == "write" || type == "cas" || (type == "read" && req.body.contains("key"));
}

Json LinKv::Handle(const Message& req, int64_t now_us) {
  if (!serving_) {
    return ErrorBody(ErrorCode::kTemporarilyUnavailable,
                     StrCat("lin-kv is served by ", server_name_,
                            " only; this replica could answer with a stale value"));
  }
  const Json& body = req.body;
  if (!body.contains("key")) return ErrorBody(ErrorCode::kMalformedRequest, "missing \"key\"");
  std::string type = req.type();
  if (type == "read") return Read(body["key"], now_us);
  if (type == "write") {
    if (!body.contains("value"))
      return ErrorBody(ErrorCode::kMalformedRequest, "write without \"value\"");
    return Write(body["key"], body["value"], now_us);
  }
  return Cas(req, now_us);
}

Json LinKv::Read(const Json& key, int64_t now_us) {
  absl::StatusOr<RespReply> r = core_->Run({"GET", StoreKey(key)}, now_us);
  if (!r.ok() || r->is_error()) return CoreErrorBody(r);
  if (r->kind == RespReply::Kind::kNil)
    return ErrorBody(ErrorCode::kKeyDoesNotExist, StrCat("key ", Dump(key), " does not exist"));
  Json value = Json::parse(r->text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded())
    return ErrorBody(ErrorCode::kCrash, StrCat("register holds non-JSON: ", r->text));
  return Json{{"type", "read_ok"}, {"value", std::move(value)}};
}

Json LinKv::Write(const Json& key, const Json& value, int64_t now_us) {
  absl::StatusOr<RespReply> r = core_->Run({"SET", StoreKey(key), Dump(value)}, now_us);
  if (!r.ok() || r->is_error()) return CoreErrorBody(r);
  return Json{{"type", "write_ok"}};
}

Json LinKv::Cas(const Message& req, int64_t now_us) {
  const Json& body = req.body;
  if (!body.contains("from") || !body.contains("to"))
    return ErrorBody(ErrorCode::kMalformedRequest, "cas without \"from\" and \"to\"");
  const Json& key = body["key"];
  // GET and SET run back to back in this single-threaded node: nothing can come between them.
  Json current = Read(key, now_us);
  if (current["type"] == "error") {
    bool missing = current["code"] == static_cast<int>(ErrorCode::kKeyDoesNotExist);
    bool create = body.contains("create_if_not_exists") && body["create_if_not_exists"] == true;
    if (!(missing && create)) return current;
  } else if (current["value"] != body["from"]) {
    return ErrorBody(ErrorCode::kPreconditionFailed,
                     StrCat("expected ", Dump(body["from"]), ", had ", Dump(current["value"])));
  }
  Json written = Write(key, body["to"], now_us);
  if (written["type"] == "error") return written;
  return Json{{"type", "cas_ok"}};
}

}  // namespace cordis::maelstrom
