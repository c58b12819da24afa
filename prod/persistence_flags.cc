#include "prod/persistence_flags.h"

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, appendonly, "yes",
          "yes: log every write to --dir and recover it at start; no: keep data in memory only");
ABSL_FLAG(std::string, appendfsync, "everysec",
          "always (acknowledge a write once fsynced; writes of one loop pass share one fsync), "
          "everysec (fsync once a second) or no (let the OS decide)");
ABSL_FLAG(std::string, save, "3600 1 300 100 60 10000",
          "Snapshot save points, 'seconds changes ...': snapshot in the background after "
          "`seconds` if at least `changes` writes happened; \"\" disables them");
ABSL_FLAG(int64_t, auto_aof_rewrite_percentage, 100,
          "Rewrite (snapshot + drop covered log segments) when the log grew by this percentage "
          "since the last rewrite; 0 disables");
ABSL_FLAG(std::string, auto_aof_rewrite_min_size, "64mb",
          "No automatic rewrite while the log is smaller than this");
ABSL_FLAG(bool, repair, false,
          "At start, truncate the log at a corrupt record in the middle (losing the records "
          "after it) instead of refusing to start");

namespace cordis::prod {

absl::StatusOr<std::unique_ptr<PersistenceOptions>> PersistenceOptionsFromFlags(
    const std::string& dir) {
  std::string appendonly = absl::GetFlag(FLAGS_appendonly);
  if (appendonly == "no") return std::unique_ptr<PersistenceOptions>();
  if (appendonly != "yes")
    return absl::InvalidArgumentError("--appendonly must be yes or no, not '" + appendonly + "'");
  auto opts = std::make_unique<PersistenceOptions>();
  opts->dir = dir;
  absl::StatusOr<FsyncPolicy> fsync = ParseFsyncPolicy(absl::GetFlag(FLAGS_appendfsync));
  if (!fsync.ok()) return fsync.status();
  opts->fsync = *fsync;
  absl::StatusOr<std::vector<SavePoint>> save = ParseSavePoints(absl::GetFlag(FLAGS_save));
  if (!save.ok()) return save.status();
  opts->save_points = *save;
  opts->auto_rewrite_percentage = absl::GetFlag(FLAGS_auto_aof_rewrite_percentage);
  if (opts->auto_rewrite_percentage < 0)
    return absl::InvalidArgumentError("--auto-aof-rewrite-percentage must be >= 0");
  absl::StatusOr<uint64_t> min_size = ParseMemorySize(absl::GetFlag(FLAGS_auto_aof_rewrite_min_size));
  if (!min_size.ok()) return min_size.status();
  opts->auto_rewrite_min_size = *min_size;
  opts->repair = absl::GetFlag(FLAGS_repair);
  return opts;
}

}  // namespace cordis::prod
