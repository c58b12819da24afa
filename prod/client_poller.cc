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

void ClientPoller::Stop() { work_.reset(); }

void ClientPoller::Run() {
  // Whatever starting the server posted runs first.
  io_.poll();
  while (!io_.stopped()) {
    Poll(/*timeout_ms=*/-1);
    // Asio's turn, without blocking: handlers that are ready now, including those the clients
    // just posted (a group commit, a replication pump). What they post in turn runs too, so
    // nothing is left queued when the next pass blocks.
    io_.poll();
  }
}

void ClientPoller::Poll(int timeout_ms) {
  // Level-triggered: whatever is not handled now is reported again next pass.
  int n = epoll_wait(epfd_, events_.data(), static_cast<int>(events_.size()), timeout_ms);
  if (n < 0) {
    if (errno != EINTR) spdlog::warn("epoll_wait on the client set: {}", strerror(errno));
    return;
  }
  for (int i = 0; i < n; ++i) {
    // A null handler is Asio's set: its handlers run after this pass.
    if (auto* h = static_cast<Handler*>(events_[i].data.ptr)) h->OnEvents(events_[i].events);
  }
  if (after_poll_) after_poll_();
}

}  // namespace cordis::prod
