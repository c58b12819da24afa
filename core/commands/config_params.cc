#include "core/commands/config_params.h"

#include <climits>
#include <vector>

#include "core/base/strings.h"
#include "core/commands/arg_parse.h"

namespace cordis {
namespace {

using Kind = ConfigParam::Kind;

// Redis 7.0's encoding thresholds (accepted and stored; this server's encodings do not depend on
// them, see docs/commands.md) and the eviction policy (read by OBJECT FREQ / IDLETIME). Defaults
// are those of Debian's redis-server 7.0.
constexpr ConfigParam kParams[] = {
    {"list-max-listpack-size", "list-max-ziplist-size", Kind::kInt, INT_MIN, INT_MAX, "", "-2"},
    {"list-compress-depth", "", Kind::kInt, 0, INT_MAX, "", "0"},
    {"set-max-intset-entries", "", Kind::kInt, 0, LLONG_MAX, "", "512"},
    {"zset-max-listpack-entries", "zset-max-ziplist-entries", Kind::kInt, 0, LLONG_MAX, "", "128"},
    {"zset-max-listpack-value", "zset-max-ziplist-value", Kind::kInt, 0, LLONG_MAX, "", "64"},
    {"hash-max-listpack-entries", "hash-max-ziplist-entries", Kind::kInt, 0, LLONG_MAX, "", "512"},
    {"hash-max-listpack-value", "hash-max-ziplist-value", Kind::kInt, 0, LLONG_MAX, "", "64"},
    {"stream-node-max-bytes", "", Kind::kInt, 0, LLONG_MAX, "", "4096"},
    {"stream-node-max-entries", "", Kind::kInt, 0, LLONG_MAX, "", "100"},
    // Read by the node (Node::ConfigChanged): SLOWLOG and LATENCY.
    {"slowlog-log-slower-than", "", Kind::kInt, -1, LLONG_MAX, "", "10000"},
    {"slowlog-max-len", "", Kind::kInt, 0, LONG_MAX, "", "128"},
    {"latency-monitor-threshold", "", Kind::kInt, 0, LLONG_MAX, "", "0"},
    {"maxmemory-policy", "", Kind::kEnum, 0, 0,
     "volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, "
     "allkeys-random, noeviction",
     "noeviction"},
};

std::vector<std::string_view> Choices(std::string_view list) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(", ", pos);
    if (comma == std::string_view::npos) comma = list.size();
    out.push_back(list.substr(pos, comma - pos));
    pos = comma + 2;
  }
  return out;
}

}  // namespace

std::span<const ConfigParam> ConfigParams() { return kParams; }

const ConfigParam* FindConfigParam(std::string_view name) {
  for (const ConfigParam& p : kParams) {
    if (EqualsIgnoreCase(name, p.name) || (!p.alias.empty() && EqualsIgnoreCase(name, p.alias)))
      return &p;
  }
  return nullptr;
}

std::optional<std::string> ValidateConfigValue(const ConfigParam& p, std::string_view value,
                                               std::string* reason) {
  if (p.kind == Kind::kEnum) {
    for (std::string_view c : Choices(p.choices)) {
      if (EqualsIgnoreCase(value, c)) return std::string(c);
    }
    *reason = StrCat("argument(s) must be one of the following: ", p.choices);
    return std::nullopt;
  }
  std::optional<int64_t> v = ParseInt64(value);
  if (!v) {
    *reason = "argument couldn't be parsed into an integer";
    return std::nullopt;
  }
  if (*v < p.min || *v > p.max) {
    *reason = StrCat("argument must be between ", std::to_string(p.min), " and ",
                     std::to_string(p.max), " inclusive");
    return std::nullopt;
  }
  return std::to_string(*v);
}

}  // namespace cordis
