// Text shared by CLIENT LIST/INFO, HELLO and INFO.
#pragma once

#include <string>
#include <string_view>

#include "core/server/session.h"

namespace cordis {

// The Redis version whose commands and replies Cordis matches (HELLO, INFO redis_version).
inline constexpr std::string_view kCompatibleRedisVersion = "7.0.15";
inline constexpr std::string_view kCordisVersion = "0.1.0";

// One CLIENT LIST line (with trailing newline), in Redis 7.0's field order.
std::string ClientInfoLine(const Session& s, int64_t now_ms);

}  // namespace cordis
