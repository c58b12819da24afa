// Under appendfsync everysec, the once-a-second fdatasync runs on this helper thread (Redis's
// bio), so the event loop never waits for the disk. The thread opens the segment by path and
// syncs that descriptor: fdatasync acts on the file, and the loop may meanwhile rotate or close
// its own descriptor. The thread never logs and takes no lock the loop or a forked child uses.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace cordis::prod {

class BackgroundSync {
 public:
  struct Result {
    uint64_t token;  // what the caller passed to Start (the records the sync covers)
    int error;       // 0, or the errno of open/fdatasync
  };

  BackgroundSync();
  ~BackgroundSync();  // finishes the running sync, then joins

  // Starts syncing `path` unless a sync is running (then false).
  bool Start(const std::string& path, uint64_t token);
  // The result of a finished sync, once.
  std::optional<Result> TakeResult();
  bool busy();

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<std::pair<std::string, uint64_t>> job_;
  std::optional<Result> result_;
  bool running_ = false;
  bool stop_ = false;
  std::thread thread_;  // last: starts once the fields above exist
};

}  // namespace cordis::prod
