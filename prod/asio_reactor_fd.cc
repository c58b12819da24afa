#include "prod/asio_reactor_fd.h"

namespace cordis::prod {
namespace {

// Asio keeps the reactor's epoll descriptor private and offers no accessor. An explicit template
// instantiation may name a private member (C++20 [temp.spec.general]/6), which gives this file a
// pointer to it without touching Asio's headers.
using ReactorFdMember = int asio::detail::epoll_reactor::*;

struct ReactorFdTag {
  friend ReactorFdMember Get(ReactorFdTag);
};

template <ReactorFdMember M>
struct ExposeReactorFd {
  friend ReactorFdMember Get(ReactorFdTag) { return M; }
};

template struct ExposeReactorFd<&asio::detail::epoll_reactor::epoll_fd_>;

}  // namespace

int AsioReactorFd(asio::io_context& io) {
  auto& reactor = asio::use_service<asio::detail::epoll_reactor>(io);
  return reactor.*Get(ReactorFdTag{});
}

}  // namespace cordis::prod
