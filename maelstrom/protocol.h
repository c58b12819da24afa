// Maelstrom's wire protocol: one JSON object per line on stdin (to the node) and stdout (from it).
//
//   line     = message "\n"
//   message  = {"src": id, "dest": id, "body": body}
//   id       = "n0" | "n1" | ... (nodes) | "c1" | "c2" | ... (clients)
//   body     = {"type": string, ["msg_id": int], ["in_reply_to": int], workload fields...}
//   error    = {"type": "error", "in_reply_to": int, "code": ErrorCode, "text": string}
//
// Logs never go to stdout: everything written there must be a message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace cordis::maelstrom {

using Json = nlohmann::json;

// Maelstrom's error codes (https://github.com/jepsen-io/maelstrom/blob/main/doc/protocol.md).
// All but 0 (timeout) and 13 (crash) are definite: the operation did not and will not happen.
enum class ErrorCode : int {
  kTimeout = 0,
  kNodeNotFound = 1,
  kNotSupported = 10,
  kTemporarilyUnavailable = 11,
  kMalformedRequest = 12,
  kCrash = 13,
  kAbort = 14,
  kKeyDoesNotExist = 20,
  kKeyAlreadyExists = 21,
  kPreconditionFailed = 22,
  kTxnConflict = 30,
};

struct Message {
  std::string src;
  std::string dest;
  Json body;  // always an object

  std::string type() const;
  std::optional<int64_t> msg_id() const;
  bool is_reply() const { return body.contains("in_reply_to"); }
};

// Who to answer when a line is malformed: set whenever src and body.msg_id could be read.
struct ReplyAddress {
  std::string src;
  int64_t msg_id = 0;
};

// Parses one line. On error the status names the problem and `*reply_to` (if the line got that
// far) says where an error 12 reply goes. Never throws.
absl::StatusOr<Message> ParseMessage(const std::string& line, std::optional<ReplyAddress>* reply_to);

// The line for a message, without the trailing newline.
std::string Serialize(const Message& m);

// {"type":"error","code":code,"text":text}; the caller adds in_reply_to.
Json ErrorBody(ErrorCode code, std::string_view text);

// Typed field access that never throws: nullopt when absent or of another type.
std::optional<int64_t> IntField(const Json& body, const char* name);
std::optional<std::string> StringField(const Json& body, const char* name);

}  // namespace cordis::maelstrom
