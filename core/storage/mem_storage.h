// An in-memory Storage that models what a crash does to a POSIX file system, for unit tests and
// the simulator. Files are inodes referenced by names; each inode remembers how many of its bytes
// are synced, and the directory remembers which names were last made durable by SyncDir.
//
// Crash() then keeps, for every inode, its synced bytes plus (optionally) a random prefix of the
// unsynced ones (a torn write), possibly followed by garbage; and the directory reverts to its
// last synced names (renames, creations and removals since then are undone). Handles opened
// before a crash fail afterwards, as a dead process's descriptors would.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/base/prng.h"
#include "core/storage/storage.h"

namespace cordis {

struct CrashOptions {
  // Keep a random prefix of each file's unsynced bytes instead of dropping them all.
  bool tear_unsynced = true;
  // After a kept prefix, sometimes append a few random bytes (a sector written half-way).
  bool garbage_tail = false;
};

class MemStorage : public Storage {
 public:
  MemStorage() = default;

  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& name) override;
  absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& name) override;
  absl::StatusOr<std::string> ReadFile(const std::string& name) override;
  absl::Status Rename(const std::string& from, const std::string& to) override;
  absl::Status Remove(const std::string& name) override;
  absl::Status Truncate(const std::string& name, uint64_t size) override;
  absl::StatusOr<std::vector<std::string>> List() override;
  absl::StatusOr<uint64_t> FileSize(const std::string& name) override;
  absl::Status SyncDir() override;

  // Simulates a machine crash (see the file comment); randomness comes from `rng`.
  void Crash(Prng& rng, const CrashOptions& opts = {});

  // Test hooks: raw contents, and overwriting them (bit flips, cuts) without any durability rule.
  std::string Contents(const std::string& name) const;
  void SetContents(const std::string& name, std::string data);
  // Bytes written but not yet synced, over every file.
  uint64_t UnsyncedBytes() const;

 private:
  struct Inode {
    std::string data;
    uint64_t synced = 0;
  };
  class File;

  std::map<std::string, std::shared_ptr<Inode>> names_;
  std::map<std::string, std::shared_ptr<Inode>> durable_names_;
  uint64_t epoch_ = 0;  // bumped by Crash: older handles are dead
};

}  // namespace cordis
