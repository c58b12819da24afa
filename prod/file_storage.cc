#include "prod/file_storage.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cordis::prod {
namespace {

absl::Status Errno(const std::string& what, const std::string& path, int err) {
  std::string msg = what + " " + path + ": " + std::strerror(err);
  if (err == ENOENT) return absl::NotFoundError(msg);
  if (err == ENOSPC || err == EDQUOT) return absl::ResourceExhaustedError(msg);
  return absl::UnavailableError(msg);
}

class PosixFile : public WritableFile {
 public:
  PosixFile(int fd, std::string path, uint64_t size) : fd_(fd), path_(std::move(path)), size_(size) {}
  ~PosixFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  absl::Status Append(std::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return Errno("write", path_, errno);
      }
      data.remove_prefix(static_cast<size_t>(n));
      size_ += static_cast<uint64_t>(n);
    }
    return absl::OkStatus();
  }
  absl::Status Sync() override {
    if (::fdatasync(fd_) != 0) return Errno("fdatasync", path_, errno);
    return absl::OkStatus();
  }
  absl::Status Close() override {
    int fd = fd_;
    fd_ = -1;
    if (fd >= 0 && ::close(fd) != 0) return Errno("close", path_, errno);
    return absl::OkStatus();
  }
  uint64_t size() const override { return size_; }

 private:
  int fd_;
  std::string path_;
  uint64_t size_;
};

}  // namespace

FileStorage::~FileStorage() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

absl::Status FileStorage::Lock() {
  std::string path = Path("LOCK");
  lock_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) return Errno("open", path, errno);
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(lock_fd_);
    lock_fd_ = -1;
    if (err == EWOULDBLOCK)
      return absl::FailedPreconditionError("--dir " + dir_ +
                                           " is in use by another cordis-server (LOCK is held)");
    return Errno("flock", path, err);
  }
  return absl::OkStatus();
}

void FileStorage::ForgetLockInChild() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
  lock_fd_ = -1;
}

absl::StatusOr<std::unique_ptr<WritableFile>> FileStorage::Open(const std::string& name,
                                                                int flags) {
  std::string path = Path(name);
  int fd = ::open(path.c_str(), flags | O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("open", path, errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Errno("stat", path, err);
  }
  return std::unique_ptr<WritableFile>(
      std::make_unique<PosixFile>(fd, path, static_cast<uint64_t>(st.st_size)));
}

absl::StatusOr<std::unique_ptr<WritableFile>> FileStorage::NewWritableFile(
    const std::string& name) {
  return Open(name, O_TRUNC);
}

absl::StatusOr<std::unique_ptr<WritableFile>> FileStorage::NewAppendableFile(
    const std::string& name) {
  return Open(name, O_APPEND);
}

absl::StatusOr<std::string> FileStorage::ReadFile(const std::string& name) {
  std::string path = Path(name);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("open", path, errno);
  std::string out;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return Errno("read", path, err);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

absl::Status FileStorage::Rename(const std::string& from, const std::string& to) {
  if (::rename(Path(from).c_str(), Path(to).c_str()) != 0) return Errno("rename", Path(from), errno);
  return absl::OkStatus();
}

absl::Status FileStorage::Remove(const std::string& name) {
  if (::unlink(Path(name).c_str()) != 0) return Errno("unlink", Path(name), errno);
  return absl::OkStatus();
}

absl::Status FileStorage::Truncate(const std::string& name, uint64_t size) {
  std::string path = Path(name);
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Errno("open", path, errno);
  absl::Status st;
  if (::ftruncate(fd, static_cast<off_t>(size)) != 0) st = Errno("ftruncate", path, errno);
  if (st.ok() && ::fsync(fd) != 0) st = Errno("fsync", path, errno);
  ::close(fd);
  return st;
}

absl::StatusOr<std::vector<std::string>> FileStorage::List() {
  DIR* d = ::opendir(dir_.c_str());
  if (d == nullptr) return Errno("opendir", dir_, errno);
  std::vector<std::string> out;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") out.push_back(std::move(name));
  }
  ::closedir(d);
  return out;
}

absl::StatusOr<uint64_t> FileStorage::FileSize(const std::string& name) {
  struct stat st {};
  if (::stat(Path(name).c_str(), &st) != 0) return Errno("stat", Path(name), errno);
  return static_cast<uint64_t>(st.st_size);
}

absl::Status FileStorage::SyncDir() {
  int fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open", dir_, errno);
  absl::Status st;
  if (::fsync(fd) != 0) st = Errno("fsync", dir_, errno);
  ::close(fd);
  return st;
}

}  // namespace cordis::prod
