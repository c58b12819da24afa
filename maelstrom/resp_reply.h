// A reply the core wrote in RESP2, read back into a value the adapter can inspect.
//
//   reply   = simple | error | integer | bulk | array
//   simple  = "+" text CRLF          error = "-" text CRLF        integer = ":" digits CRLF
//   bulk    = "$" len CRLF bytes CRLF | "$-1" CRLF (nil)
//   array   = "*" count CRLF reply* | "*-1" CRLF (nil)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace cordis::maelstrom {

struct RespReply {
  enum class Kind { kSimple, kError, kInteger, kBulk, kArray, kNil };
  Kind kind = Kind::kNil;
  std::string text;  // simple, error and bulk
  int64_t integer = 0;
  std::vector<RespReply> elements;  // array

  bool is_error() const { return kind == Kind::kError; }
};

// Parses exactly one reply filling `data`; anything else (truncated, trailing bytes, RESP3 types)
// is an error, which means the adapter and the core disagree about a command.
absl::StatusOr<RespReply> ParseRespReply(std::string_view data);

}  // namespace cordis::maelstrom
