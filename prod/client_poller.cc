#include "prod/client_poller.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "core/base/check.h"
#include "prod/asio_reactor_fd.h"
#include "spdlog/spdlog.h"

namespace cordis::prod {

ClientPoller::~ClientPoller() {
  if (epfd_ >= 0) ::close(epfd_);
}

absl::Status ClientPoller::Open() {
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) return absl::InternalError(std::string("epoll_create1: ") + strerror(errno));
  // Asio's epoll set, level-triggered: this set reports it ready while Asio has events pending.
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;
  if (epoll_ctl(epfd_, EPOLL_CTL_ADD, AsioReactorFd(io_), &ev) != 0)
    return absl::InternalError(std::string("cannot watch Asio's epoll set: ") + strerror(errno));
  return absl::OkStatus();
}

absl::Status ClientPoller::Add(int fd, Handler* h, uint32_t events) {
  CHECK(h != nullptr);
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = h;
  if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0)
    return absl::InternalError(std::string("epoll_ctl ADD: ") + strerror(errno));
  return absl::OkStatus();
}

void ClientPoller::Modify(int fd, Handler* h, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = h;
  if (epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev) != 0)
    spdlog::warn("epoll_ctl MOD on client fd {}: {}", fd, strerror(errno));
}

void ClientPoller::Remove(int fd) {
  epoll_event ev{};
  epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, &ev);
}

void ClientPoller::Stop() {
  work_.reset();
  asio_work_ = true;  // Asio's next turn finds no work left and stops, ending Run
}

// Asio's turn costs an epoll_wait of its own (io_context::poll runs the reactor), so a pass takes
// it only when Asio may have something to run: its set was ready (its sockets, timers, signals)
// or the pass posted work through Post. One case reaches neither: Asio wakes its reactor for work
// another thread posts only while the reactor blocks, which it never does here, so a completion
// from Asio's resolver thread (a peer address given as a name) waits for a turn. Every
// kForcedTurn-th pass takes one anyway, and an idle server's 100 ms tick timer wakes the loop, so
// such a handler waits at most that long.
void ClientPoller::Run() {
  constexpr int kForcedTurn = 64;
  // Whatever starting the server posted runs first.
  io_.poll();
  while (!io_.stopped()) {
    const bool asio_ready = Poll(/*timeout_ms=*/-1);
    if (!asio_ready && !asio_work_ && ++quiet_passes_ < kForcedTurn) continue;
    asio_work_ = false;
    quiet_passes_ = 0;
    // Without blocking: handlers that are ready now, including those the clients just posted (a
    // group commit, a replication pump). What they post in turn runs too, so nothing is left
    // queued when the next pass blocks.
    io_.poll();
  }
}

bool ClientPoller::Poll(int timeout_ms) {
  // Level-triggered: whatever is not handled now is reported again next pass.
  int n = epoll_wait(epfd_, events_.data(), static_cast<int>(events_.size()), timeout_ms);
  if (n < 0) {
    if (errno != EINTR) spdlog::warn("epoll_wait on the client set: {}", strerror(errno));
    return true;  // a signal: let Asio's turn see it
  }
  bool asio_ready = false;
  for (int i = 0; i < n; ++i) {
    // A null handler is Asio's set: its handlers run after this pass.
    if (auto* h = static_cast<Handler*>(events_[i].data.ptr)) {
      h->OnEvents(events_[i].events);
    } else {
      asio_ready = true;
    }
  }
  if (after_poll_) after_poll_();
  return asio_ready;
}

}  // namespace cordis::prod
