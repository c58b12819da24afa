#include "core/commands/arg_parse.h"

#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <string>

#include "core/crdt/lww_string.h"

namespace cordis {

std::optional<int64_t> ParseInt64(std::string_view s) { return StringValue::ParseInt64(s); }

std::optional<double> ParseDouble(std::string_view s) {
  if (s.empty() || s.size() > 256) return std::nullopt;
  if (std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  std::string buf(s);
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(buf.c_str(), &end);
  if (end != buf.c_str() + buf.size() || std::isnan(v)) return std::nullopt;
  if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || std::fpclassify(v) == FP_ZERO))
    return std::nullopt;
  return v;
}

std::optional<int64_t> ExpireToAbsoluteMs(int64_t when, TimeUnit unit, bool absolute,
                                          int64_t now_ms) {
  if (unit == TimeUnit::kSeconds) {
    if (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000) return std::nullopt;
    when *= 1000;
  }
  if (!absolute) {
    if (when > LLONG_MAX - now_ms) return std::nullopt;
    when += now_ms;
  }
  return when;
}

}  // namespace cordis
