// Typed CONFIG parameters: name, Redis's alias, kind, range and default, validated by CONFIG SET
// with Redis 7.0's messages. Node::config() holds the values that were set; a parameter never
// set reads as its default. What each one does here is in docs/commands.md ("CONFIG").
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace cordis {

struct ConfigParam {
  enum class Kind { kInt, kEnum };
  std::string_view name;
  std::string_view alias;  // Redis's older name, sharing the value ("" if none)
  Kind kind;
  int64_t min = 0, max = 0;     // kInt, inclusive
  std::string_view choices;     // kEnum: ", "-separated, in Redis's order
  std::string_view default_value;
};

std::span<const ConfigParam> ConfigParams();
// By name or alias, case-insensitive; nullptr if the parameter is not typed here.
const ConfigParam* FindConfigParam(std::string_view name);
// The canonical value to store, or the reason Redis gives after "... - " when it is invalid.
std::optional<std::string> ValidateConfigValue(const ConfigParam& p, std::string_view value,
                                               std::string* reason);

}  // namespace cordis
