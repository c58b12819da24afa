#include "prod/persistence_options.h"

#include "core/base/strings.h"

namespace cordis::prod {

absl::StatusOr<FsyncPolicy> ParseFsyncPolicy(const std::string& s) {
  std::string v = ToLower(s);
  if (v == "always") return FsyncPolicy::kAlways;
  if (v == "everysec") return FsyncPolicy::kEverysec;
  if (v == "no") return FsyncPolicy::kNo;
  return absl::InvalidArgumentError("--appendfsync must be always, everysec or no, not '" + s + "'");
}

std::string FsyncPolicyName(FsyncPolicy p) {
  switch (p) {
    case FsyncPolicy::kAlways:
      return "always";
    case FsyncPolicy::kEverysec:
      return "everysec";
    case FsyncPolicy::kNo:
      return "no";
  }
  return "?";
}

absl::StatusOr<uint64_t> ParseMemorySize(const std::string& s) {
  std::string v = ToLower(s);
  size_t digits = 0;
  while (digits < v.size() && v[digits] >= '0' && v[digits] <= '9') ++digits;
  if (digits == 0 || digits > 15) return absl::InvalidArgumentError("bad size '" + s + "'");
  uint64_t n = std::stoull(v.substr(0, digits));
  std::string unit = v.substr(digits);
  static const std::pair<const char*, uint64_t> kUnits[] = {
      {"", 1},          {"b", 1},           {"k", 1000},       {"kb", 1024},
      {"m", 1000000},   {"mb", 1024 * 1024}, {"g", 1000000000}, {"gb", 1024ull * 1024 * 1024}};
  for (const auto& [name, mult] : kUnits)
    if (unit == name) return n * mult;
  return absl::InvalidArgumentError("bad size unit in '" + s + "'");
}

absl::StatusOr<std::vector<SavePoint>> ParseSavePoints(const std::string& s) {
  std::vector<std::string> words;
  std::string cur;
  for (char c : s + " ") {
    if (c == ' ' || c == '\t') {
      if (!cur.empty()) words.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (words.size() % 2 != 0)
    return absl::InvalidArgumentError("--save needs pairs of 'seconds changes', got '" + s + "'");
  std::vector<SavePoint> out;
  for (size_t i = 0; i < words.size(); i += 2) {
    absl::StatusOr<uint64_t> secs = ParseMemorySize(words[i]);
    absl::StatusOr<uint64_t> changes = ParseMemorySize(words[i + 1]);
    if (!secs.ok() || !changes.ok() || words[i].find_first_not_of("0123456789") != std::string::npos ||
        words[i + 1].find_first_not_of("0123456789") != std::string::npos)
      return absl::InvalidArgumentError("--save values must be integers, got '" + s + "'");
    out.push_back(SavePoint{static_cast<int64_t>(*secs), *changes});
  }
  return out;
}

}  // namespace cordis::prod
