// Readiness for client sockets, Redis's way: one level-triggered epoll set of its own, polled
// once per event-loop pass for every ready client. The set's descriptor sits in Asio's reactor
// as one descriptor, so Asio still runs timers, peers and the acceptor.
//
// Why not an Asio operation per connection: an async_wait re-arms the descriptor with epoll_ctl
// on every batch, and async_read_some reads speculatively, racing the edge-triggered ready
// list (a recv that fails with EAGAIN per batch) and costing a scheduler pass per completion.
// Measured at pipeline depth 16 (PING, 50 clients): 4.4 syscalls per batch that way, against
// Redis's 2.5. Here a batch costs its recv and its send, plus a share of one epoll_wait.
#pragma once

#include <sys/epoll.h>

#include <asio.hpp>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"

namespace cordis::prod {

class ClientPoller {
 public:
  // A registered socket's owner; OnEvents gets epoll's event bits.
  class Handler {
   public:
    virtual void OnEvents(uint32_t events) = 0;

   protected:
    ~Handler() = default;
  };

  explicit ClientPoller(asio::io_context& io) : io_(io), wakeup_(io) {}
  ~ClientPoller();
  ClientPoller(const ClientPoller&) = delete;
  ClientPoller& operator=(const ClientPoller&) = delete;

  absl::Status Open();
  // Runs once per pass after the ready handlers (the server writes its replies there).
  void set_after_poll(std::function<void()> f) { after_poll_ = std::move(f); }

  // Registers fd with the given interest (EPOLLIN and/or EPOLLOUT; level-triggered).
  absl::Status Add(int fd, Handler* h, uint32_t events);
  void Modify(int fd, Handler* h, uint32_t events);
  // Closing a descriptor removes it from the set; Remove is for descriptors kept open.
  void Remove(int fd);
  void Stop();

 private:
  void Arm();
  void Continue(bool found);
  bool Poll();  // true if any descriptor was ready

  asio::io_context& io_;
  asio::posix::stream_descriptor wakeup_;  // the epoll set's own descriptor
  int epfd_ = -1;
  bool stopped_ = false;
  std::vector<epoll_event> events_ = std::vector<epoll_event>(256);
  std::function<void()> after_poll_;
};

}  // namespace cordis::prod
