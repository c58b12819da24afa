#include "core/resp/request_peek.h"

#include <cstdint>

namespace cordis::resp {
namespace {

// "<digits>\r\n" after a type byte at *pos; advances *pos past it. Non-negative values only:
// anything else ends the peek (the real parser handles it).
bool ReadLength(std::string_view buf, size_t* pos, uint64_t* value) {
  size_t p = *pos + 1;
  uint64_t v = 0;
  size_t digits = 0;
  while (p < buf.size() && buf[p] >= '0' && buf[p] <= '9') {
    if (++digits > 18) return false;
    v = v * 10 + static_cast<uint64_t>(buf[p] - '0');
    ++p;
  }
  if (digits == 0 || p + 1 >= buf.size() || buf[p] != '\r' || buf[p + 1] != '\n') return false;
  *pos = p + 2;
  *value = v;
  return true;
}

}  // namespace

PeekResult PeekFirstArguments(std::string_view buf, size_t pos, std::span<PeekedArgs> out) {
  PeekResult r;
  r.end = pos;
  size_t examined = 0;
  while (examined < out.size() && pos < buf.size() && buf[pos] == '*') {
    uint64_t count = 0;
    if (!ReadLength(buf, &pos, &count)) break;
    PeekedArgs args;
    bool complete = true;
    for (uint64_t i = 0; i < count; ++i) {
      uint64_t len = 0;
      if (pos >= buf.size() || buf[pos] != '$' || !ReadLength(buf, &pos, &len) ||
          buf.size() - pos < len + 2) {
        complete = false;
        break;
      }
      if (i == 1) args.key = buf.substr(pos, len);
      if (i == 2) args.second = buf.substr(pos, len);
      if (i == 3) args.third = buf.substr(pos, len);
      pos += len + 2;
    }
    if (!complete) break;
    ++examined;
    r.end = pos;
    if (count >= 2) out[r.requests++] = args;
  }
  return r;
}

}  // namespace cordis::resp
