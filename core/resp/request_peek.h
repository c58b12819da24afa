// A look ahead over pipelined requests, for cache prefetching only: finds the first argument
// (where nearly every command names its key) of the next few complete multibulk requests without
// consuming anything. It never decides anything: RequestParser remains the only parser, and a
// request the peek does not understand (inline form, incomplete, malformed) just ends the peek.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace cordis::resp {

struct PeekResult {
  size_t keys = 0;  // first arguments written to the output span
  size_t end = 0;   // offset just past the last complete request examined
};

// Examines complete multibulk requests in buf from offset pos, at most out.size() of them, and
// writes the argv[1] of each that has one.
PeekResult PeekFirstArguments(std::string_view buf, size_t pos, std::span<std::string_view> out);

}  // namespace cordis::resp
