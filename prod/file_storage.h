// Storage on real files in one directory (core/storage/storage.h): write(2) for Append,
// fdatasync(2) for Sync, rename(2), and fsync(2) on the directory for SyncDir.
#pragma once

#include <string>

#include "core/storage/storage.h"

namespace cordis::prod {

class FileStorage : public Storage {
 public:
  explicit FileStorage(std::string dir) : dir_(std::move(dir)) {}
  ~FileStorage() override;

  // Takes an exclusive lock on <dir>/LOCK so two servers never share a directory.
  absl::Status Lock();
  // Closes the lock descriptor in a forked child (the parent keeps the lock).
  void ForgetLockInChild();

  absl::StatusOr<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& name) override;
  absl::StatusOr<std::unique_ptr<WritableFile>> NewAppendableFile(const std::string& name) override;
  absl::StatusOr<std::string> ReadFile(const std::string& name) override;
  absl::Status Rename(const std::string& from, const std::string& to) override;
  absl::Status Remove(const std::string& name) override;
  absl::Status Truncate(const std::string& name, uint64_t size) override;
  absl::StatusOr<std::vector<std::string>> List() override;
  absl::StatusOr<uint64_t> FileSize(const std::string& name) override;
  absl::Status SyncDir() override;
  std::string Describe(const std::string& name) const override { return Path(name); }

 private:
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }
  absl::StatusOr<std::unique_ptr<WritableFile>> Open(const std::string& name, int flags);

  std::string dir_;
  int lock_fd_ = -1;
};

}  // namespace cordis::prod
