#include "maelstrom/stdio_loop.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>

#include "spdlog/spdlog.h"

namespace cordis::maelstrom {
namespace {

// A line longer than this is dropped (with a log line) rather than buffered without bound.
constexpr size_t kMaxLineBytes = 64 << 20;

using SteadyClock = std::chrono::steady_clock;

}  // namespace

int64_t WallNowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void WriteStdoutLine(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

int RunStdioLoop(Adapter* adapter, int64_t tick_ms) {
  const auto period = std::chrono::milliseconds(tick_ms);
  auto next_tick = SteadyClock::now() + period;
  std::string buffer;
  bool discarding = false;  // inside an over-long line, skipping to its newline
  char chunk[64 * 1024];
  for (;;) {
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_tick - SteadyClock::now());
    pollfd pfd{STDIN_FILENO, POLLIN, 0};
    int ready = poll(&pfd, 1, static_cast<int>(std::max<int64_t>(0, wait.count())));
    if (ready < 0 && errno != EINTR) {
      spdlog::error("poll on stdin failed: {}", std::strerror(errno));
      return 1;
    }
    if (ready > 0) {
      ssize_t n = read(STDIN_FILENO, chunk, sizeof(chunk));
      if (n == 0) {
        // A last line without its newline is still a message.
        if (!buffer.empty() && !discarding) adapter->OnLine(buffer, WallNowUs());
        adapter->LogStats();
        spdlog::info("stdin closed; exiting");
        return 0;
      }
      if (n < 0 && errno != EINTR && errno != EAGAIN) {
        spdlog::error("read from stdin failed: {}", std::strerror(errno));
        return 1;
      }
      if (n > 0) buffer.append(chunk, static_cast<size_t>(n));
      size_t start = 0;
      for (size_t nl; (nl = buffer.find('\n', start)) != std::string::npos; start = nl + 1) {
        if (!discarding) adapter->OnLine(buffer.substr(start, nl - start), WallNowUs());
        discarding = false;
      }
      buffer.erase(0, start);
      if (buffer.size() > kMaxLineBytes) {
        spdlog::warn("input line longer than {} bytes dropped", kMaxLineBytes);
        buffer.clear();
        discarding = true;
      }
    }
    if (SteadyClock::now() >= next_tick) {
      adapter->OnTick(WallNowUs());
      next_tick = SteadyClock::now() + period;
    }
  }
}

}  // namespace cordis::maelstrom
