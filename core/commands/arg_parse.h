// Argument parsing shared by command families, with Redis's exact rules and error strings.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/base/strings.h"
#include "core/base/strings.h"

namespace cordis {

// Redis's string2ll: optional '-', digits, no leading zeros or '+', fits in int64.
std::optional<int64_t> ParseInt64(std::string_view s);
// Redis's strtod-based float parsing for scores/increments (accepts inf, -inf; rejects NaN).
std::optional<double> ParseDouble(std::string_view s);

enum class TimeUnit { kSeconds, kMilliseconds };

// Converts a relative or absolute expire argument to absolute ms; nullopt on overflow
// (Redis: "invalid expire time in '<cmd>' command").
std::optional<int64_t> ExpireToAbsoluteMs(int64_t when, TimeUnit unit, bool absolute,
                                          int64_t now_ms);

}  // namespace cordis
