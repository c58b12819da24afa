// A look ahead over pipelined requests, for cache prefetching only: finds the first arguments
// (where nearly every command names its key, then a member, field or score) of the next few
// complete multibulk requests without consuming anything. It never decides anything: RequestParser
// remains the only parser, and a request the peek does not understand (inline form, incomplete,
// malformed) just ends the peek.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace cordis::resp {

// argv[1], argv[2] and argv[3] of one request; empty views where the request is shorter.
struct PeekedArgs {
  std::string_view key;
  std::string_view second;
  std::string_view third;
};

struct PeekResult {
  size_t requests = 0;  // requests with at least one argument, written to the output span
  size_t end = 0;       // offset just past the last complete request examined
};

// Examines complete multibulk requests in buf from offset pos, at most out.size() of them, and
// writes the first arguments of each that has any.
PeekResult PeekFirstArguments(std::string_view buf, size_t pos, std::span<PeekedArgs> out);

}  // namespace cordis::resp
