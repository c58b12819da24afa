// Persistence settings (flags and CONFIG SET) and their Redis-compatible parsers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace cordis::prod {

enum class FsyncPolicy { kAlways, kEverysec, kNo };

struct SavePoint {
  int64_t seconds = 0;
  uint64_t changes = 0;
};

struct PersistenceOptions {
  std::string dir;
  FsyncPolicy fsync = FsyncPolicy::kEverysec;
  std::vector<SavePoint> save_points;
  int64_t auto_rewrite_percentage = 100;  // 0 disables the automatic rewrite
  uint64_t auto_rewrite_min_size = 64ull << 20;
  bool repair = false;
  uint64_t max_segment_bytes = 64ull << 20;
};

absl::StatusOr<FsyncPolicy> ParseFsyncPolicy(const std::string& s);
std::string FsyncPolicyName(FsyncPolicy p);
// Redis's "seconds changes [seconds changes ...]"; "" means none.
absl::StatusOr<std::vector<SavePoint>> ParseSavePoints(const std::string& s);
// "64mb", "1gb", "100000" (Redis's memory units).
absl::StatusOr<uint64_t> ParseMemorySize(const std::string& s);

}  // namespace cordis::prod
