// The storage interface through which the core reaches files (LevelDB's Env is the model). prod
// implements it with real files (prod/file_storage.h); tests and the simulator use MemStorage,
// which can crash and lose what was never synced. One Storage is one flat directory: names are
// plain file names inside it.
//
// Durability contract, as POSIX gives it and as MemStorage enforces it:
//   - appended bytes survive a crash only once WritableFile::Sync has returned;
//   - creating, renaming or removing a name survives a crash only once SyncDir has returned;
//   - Truncate is durable when it returns (implementations sync the file).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace cordis {

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Hands bytes to the storage (the OS page cache for files): they survive a process crash but
  // not a machine crash until Sync.
  virtual absl::Status Append(std::string_view data) = 0;
  // Makes every appended byte durable (fdatasync).
  virtual absl::Status Sync() = 0;
  virtual absl::Status Close() = 0;
  // Bytes in the file, appended ones included.
  virtual uint64_t size() const = 0;
};

class Storage {
 public:
  virtual ~Storage() = default;
  // Creates `name` empty (truncating any existing file) for appending.
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& name) = 0;
  // Opens `name` for appending at its end, creating it if missing.
  virtual absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(
      const std::string& name) = 0;
  virtual absl::StatusOr<std::string> ReadFile(const std::string& name) = 0;
  virtual absl::Status Rename(const std::string& from, const std::string& to) = 0;
  virtual absl::Status Remove(const std::string& name) = 0;
  // Cuts `name` to `size` bytes and syncs it.
  virtual absl::Status Truncate(const std::string& name, uint64_t size) = 0;
  virtual absl::StatusOr<std::vector<std::string>> List() = 0;
  virtual absl::StatusOr<uint64_t> FileSize(const std::string& name) = 0;
  // Makes creations, renames and removals in the directory durable.
  virtual absl::Status SyncDir() = 0;
  // A human-readable location for messages ("/var/lib/cordis/oplog-3.cdl").
  virtual std::string Describe(const std::string& name) const { return name; }
};

}  // namespace cordis
