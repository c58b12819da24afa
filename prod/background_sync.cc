#include "prod/background_sync.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

namespace cordis::prod {

BackgroundSync::BackgroundSync() : thread_([this] { Run(); }) {}

BackgroundSync::~BackgroundSync() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

bool BackgroundSync::Start(const std::string& path, uint64_t token) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (running_ || job_.has_value()) return false;
    job_.emplace(path, token);
  }
  cv_.notify_all();
  return true;
}

std::optional<BackgroundSync::Result> BackgroundSync::TakeResult() {
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<Result> r = result_;
  result_.reset();
  return r;
}

bool BackgroundSync::busy() {
  std::lock_guard<std::mutex> lock(mu_);
  return running_ || job_.has_value();
}

void BackgroundSync::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return stop_ || job_.has_value(); });
    if (!job_.has_value()) return;  // stopping with nothing to do
    auto [path, token] = *job_;
    job_.reset();
    running_ = true;
    lock.unlock();
    int error = 0;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      error = errno;
    } else {
      if (::fdatasync(fd) != 0) error = errno;
      ::close(fd);
    }
    lock.lock();
    running_ = false;
    result_ = Result{token, error};
  }
}

}  // namespace cordis::prod
