// What SAVE, BGSAVE, BGREWRITEAOF, LASTSAVE and INFO persistence ask of the driver that owns the
// files (prod/persistence.h). Without one (NodeOptions::persistence_control null), those commands
// answer that persistence is off.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace cordis {

class PersistenceControl {
 public:
  virtual ~PersistenceControl() = default;
  // A snapshot written now, blocking (SAVE).
  virtual absl::Status Save() = 0;
  // A snapshot written in the background (BGSAVE; BGREWRITEAOF is the same operation, since a
  // snapshot is the base the log is replayed on: it also drops the segments it covers).
  // kAlreadyExists if one is running.
  virtual absl::Status BackgroundSave(bool rewrite) = 0;
  // Unix time in seconds of the last successful snapshot (LASTSAVE).
  virtual int64_t LastSaveUnixSeconds() const = 0;
  // INFO persistence: "field:value\r\n" lines with Redis's field names.
  virtual void AppendInfo(std::string* out) const = 0;
  // CONFIG SET of a persistence setting (IsPersistenceSetting): validates, and applies unless
  // dry_run; the node's config map is updated by the driver for CONFIG GET.
  virtual absl::Status SetConfig(const std::string& name, const std::string& value,
                                 bool dry_run) = 0;
};

// Settings CONFIG SET routes to PersistenceControl::SetConfig.
inline bool IsPersistenceSetting(const std::string& name) {
  return name == "appendonly" || name == "appendfsync" || name == "save" || name == "dir" ||
         name == "auto-aof-rewrite-percentage" || name == "auto-aof-rewrite-min-size";
}

}  // namespace cordis
