#include "maelstrom/protocol.h"

namespace cordis::maelstrom {

std::string Message::type() const { return StringField(body, "type").value_or(""); }

std::optional<int64_t> Message::msg_id() const { return IntField(body, "msg_id"); }

std::optional<int64_t> IntField(const Json& body, const char* name) {
  if (!body.is_object()) return std::nullopt;
  auto it = body.find(name);
  if (it == body.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

std::optional<std::string> StringField(const Json& body, const char* name) {
  if (!body.is_object()) return std::nullopt;
  auto it = body.find(name);
  if (it == body.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

absl::StatusOr<Message> ParseMessage(const std::string& line,
                                     std::optional<ReplyAddress>* reply_to) {
  reply_to->reset();
  Json j = Json::parse(line, /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return absl::InvalidArgumentError("not valid JSON");
  if (!j.is_object()) return absl::InvalidArgumentError("message is not a JSON object");
  std::optional<std::string> src = StringField(j, "src");
  std::optional<std::string> dest = StringField(j, "dest");
  auto body = j.find("body");
  bool body_ok = body != j.end() && body->is_object();
  if (src && body_ok) {
    if (std::optional<int64_t> id = IntField(*body, "msg_id")) *reply_to = ReplyAddress{*src, *id};
  }
  if (!src) return absl::InvalidArgumentError("message without a string \"src\"");
  if (!dest) return absl::InvalidArgumentError("message without a string \"dest\"");
  if (!body_ok) return absl::InvalidArgumentError("message without an object \"body\"");
  if (!StringField(*body, "type")) return absl::InvalidArgumentError("body without a string \"type\"");
  Message m;
  m.src = std::move(*src);
  m.dest = std::move(*dest);
  m.body = std::move(*body);
  return m;
}

std::string Serialize(const Message& m) {
  Json j = {{"src", m.src}, {"dest", m.dest}, {"body", m.body}};
  // Replace invalid UTF-8 rather than throw: a node must never die on what a client sent it.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Json ErrorBody(ErrorCode code, std::string_view text) {
  return Json{{"type", "error"}, {"code", static_cast<int>(code)}, {"text", std::string(text)}};
}

}  // namespace cordis::maelstrom
