#include "prod/client_poller.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "spdlog/spdlog.h"

namespace cordis::prod {

ClientPoller::~ClientPoller() {
  Stop();
  asio::error_code ec;
  wakeup_.close(ec);  // closes epfd_
}

absl::Status ClientPoller::Open() {
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) return absl::InternalError(std::string("epoll_create1: ") + strerror(errno));
  asio::error_code ec;
  wakeup_.assign(epfd_, ec);
  if (ec) return absl::InternalError("cannot watch the client epoll set: " + ec.message());
  Arm();
  return absl::OkStatus();
}

absl::Status ClientPoller::Add(int fd, Handler* h, uint32_t events) {
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
  stopped_ = true;
  asio::error_code ec;
  wakeup_.cancel(ec);
}

void ClientPoller::Arm() {
  wakeup_.async_wait(asio::posix::stream_descriptor::wait_read, [this](const asio::error_code& ec) {
    if (ec || stopped_) return;
    Continue(Poll());
  });
}

// After a pass that found work, poll again once Asio's ready handlers have run (a posted
// handler: Asio checks its own descriptors without blocking first). Under load that saves the
// re-arm (an epoll_ctl) per pass; an idle set goes back to blocking in Asio's reactor.
void ClientPoller::Continue(bool found) {
  if (stopped_) return;
  if (!found) return Arm();
  asio::post(io_, [this] { Continue(Poll()); });
}

bool ClientPoller::Poll() {
  // Level-triggered: whatever is not handled now is reported again next pass.
  int n = epoll_wait(epfd_, events_.data(), static_cast<int>(events_.size()), 0);
  if (n < 0) {
    if (errno != EINTR) spdlog::warn("epoll_wait on the client set: {}", strerror(errno));
    return false;
  }
  for (int i = 0; i < n; ++i)
    static_cast<Handler*>(events_[i].data.ptr)->OnEvents(events_[i].events);
  if (after_poll_) after_poll_();
  return n > 0;
}

}  // namespace cordis::prod
