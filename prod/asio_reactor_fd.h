// The descriptor of Asio's own epoll set (its reactor's), so that another epoll set can hold it
// as one member and learn with one epoll_wait when Asio has timers, sockets or posted work ready.
#pragma once

#include <asio.hpp>

namespace cordis::prod {

// Creates the io_context's reactor if it does not exist yet. Linux only (the epoll reactor).
int AsioReactorFd(asio::io_context& io);

}  // namespace cordis::prod
