#include "prod/server.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "spdlog/spdlog.h"

namespace cordis::prod {
namespace {

constexpr size_t kReadChunk = 64 * 1024;
// Fairness: one connection reads at most this much before others get a turn.
constexpr size_t kMaxReadPerWakeup = 1024 * 1024;
constexpr auto kTickPeriod = std::chrono::milliseconds(100);

std::string Endpoint(const asio::ip::tcp::endpoint& ep) {
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

}  // namespace

// One client socket, polled by the server's ClientPoller. Reads append to the session's input;
// after each read the node executes every complete command, and the batch's replies leave in
// one send once every ready connection of this loop pass has run (Server::DeferReplies).
class Connection : public std::enable_shared_from_this<Connection>, public ClientPoller::Handler {
 public:
  Connection(Server& server, asio::ip::tcp::socket socket)
      : server_(server), socket_(std::move(socket)) {}
  ~Connection() {
    if (fd_ >= 0) ::close(fd_);
  }

  void Start() {
    asio::error_code ec;
    socket_.set_option(asio::ip::tcp::no_delay(true), ec);
    auto remote = socket_.remote_endpoint(ec);
    auto local = socket_.local_endpoint(ec);
    socket_.non_blocking(true, ec);
    // From here on the descriptor is ours and the client poller's, not Asio's.
    fd_ = socket_.release(ec);
    if (ec) {
      spdlog::warn("cannot take over a client socket: {}", ec.message());
      fd_ = -1;
      return server_.Forget(this);
    }
    session_ = server_.node().OpenSession(Endpoint(remote), Endpoint(local), Server::NowUs());
    session_->fd = fd_;
    session_->driver = this;
    if (absl::Status st = server_.poller().Add(fd_, this, EPOLLIN); !st.ok()) {
      spdlog::warn("cannot poll a client socket: {}", st.ToString());
      return Close();
    }
    interest_ = EPOLLIN;
    interest_registered_ = true;
  }

  // The node answered this session outside its own input (a blocked client was served).
  void Wake() {
    if (closed_ || writing_ || held_) return;
    if (!session_->output.empty()) return Write();
    if (session_->close_after_reply) Close();  // CLIENT KILL from another client
  }

  // Its replies wait for the group commit (Server::HoldReplies); FinishBatch releases them.
  void Hold() { held_ = true; }

  // Writes what is pending, then closes (server shutdown).
  void FlushAndClose() {
    closing_ = true;
    if (!writing_) Close();
  }

  void OnEvents(uint32_t events) override {
    if (closed_) return;  // closed earlier in this pass; its memory lives until the pass ends
    if (writing_) {
      if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) SendPending();
      return;
    }
    if (held_ || deferred_) {
      // Replies of the last batch are not out yet: read on once they are.
      SetInterest(0);
      return;
    }
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) OnReadable();
  }

 private:
  void SetInterest(uint32_t events) {
    if (interest_ == events || closed_) return;
    interest_ = events;
    server_.poller().Modify(fd_, this, events);
  }

  // Reads what the socket holds into the session (the server's shared buffer first: the loop is
  // single-threaded), then runs it.
  void OnReadable() {
    std::vector<char>& buf = server_.read_buffer();
    size_t total = 0;
    for (;;) {
      ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (n <= 0) {  // the client closed, or the socket failed
        if (total == 0) return Close();
        break;  // run what came first; the next read reports it again
      }
      session_->input.append(buf.data(), static_cast<size_t>(n));
      total += static_cast<size_t>(n);
      if (static_cast<size_t>(n) < buf.size() || total >= kMaxReadPerWakeup) break;
    }
    if (total == 0) return;
    server_.node().ProcessInput(session_, Server::NowUs());
    // DEBUG SLEEP stalls the whole server, as in Redis.
    if (int64_t us = server_.node().TakeSleepRequest(); us > 0)
      std::this_thread::sleep_for(std::chrono::microseconds(us));
    server_.WakeServed();
    server_.SchedulePump();
    if (server_.node().shutdown_requested()) server_.RequestShutdown();
    if (server_.HoldReplies(this)) return Hold();  // FinishBatch runs once the writes are durable
    if (session_->output.empty() && !session_->close_after_reply) return;  // nothing to send
    deferred_ = true;
    server_.DeferReplies(this);
  }

 public:
  // Sends the batch's replies, or goes back to reading.
  void FinishBatch() {
    held_ = false;
    deferred_ = false;
    if (closed_ || writing_) return;  // SendPending sends what is left
    if (session_->output.empty()) {
      if (session_->close_after_reply) return Close();
      return SetInterest(EPOLLIN);
    }
    Write();
  }

 private:
  void Write() {
    writing_ = true;
    out_.swap(session_->output);
    out_pos_ = 0;
    SendPending();
  }

  // Sends from out_ until done or the socket is full; then waits for EPOLLOUT.
  void SendPending() {
    while (out_pos_ < out_.size()) {
      ssize_t n = ::send(fd_, out_.data() + out_pos_, out_.size() - out_pos_, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return SetInterest(EPOLLOUT);
      if (n < 0) return Close();  // the client went away
      out_pos_ += static_cast<size_t>(n);
    }
    writing_ = false;
    out_.clear();
    out_pos_ = 0;
    if (session_->close_after_reply || closing_) return Close();
    // More output arrived while writing (a blocked client served, MONITOR lines): send it too,
    // unless it waits for a group commit.
    if (!held_ && !session_->output.empty()) return Write();
    // Large replies may have left the buffer huge; give the memory back.
    if (out_.capacity() > 1 << 20) out_.shrink_to_fit();
    if (!held_ && !deferred_) SetInterest(EPOLLIN);
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    if (fd_ >= 0) {
      // Leave the epoll set explicitly: a forked child (BGSAVE) may still hold the socket, and
      // epoll drops an entry only when every descriptor of the open file is closed.
      if (interest_registered_) server_.poller().Remove(fd_);
      ::shutdown(fd_, SHUT_RDWR);
      ::close(fd_);
      fd_ = -1;
    }
    if (session_ != nullptr) server_.node().CloseSession(session_);
    session_ = nullptr;
    server_.Forget(this);
  }

  Server& server_;
  asio::ip::tcp::socket socket_;  // until Start takes its descriptor
  int fd_ = -1;
  uint32_t interest_ = 0;
  bool interest_registered_ = false;  // fd_ is in the poller's set
  Session* session_ = nullptr;
  std::string out_;
  size_t out_pos_ = 0;
  bool writing_ = false;
  bool held_ = false;
  bool deferred_ = false;
  bool closing_ = false;
  bool closed_ = false;
};

Server::Server(asio::io_context& io, const ServerOptions& opts)
    : io_(io),
      opts_(opts),
      acceptor_(io),
      tick_timer_(io),
      block_timer_(io),
      signals_(io, SIGINT, SIGTERM),
      read_buffer_(kReadChunk) {}

Server::~Server() = default;

int64_t Server::NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

absl::Status Server::Start() {
  // Many idle clients need many descriptors: raise the soft limit to the hard one.
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
  asio::error_code ec;
  auto address = asio::ip::make_address(opts_.bind, ec);
  if (ec) return absl::InvalidArgumentError("bad --bind address '" + opts_.bind + "'");
  asio::ip::tcp::endpoint ep(address, static_cast<uint16_t>(opts_.port));
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError("cannot listen on " + opts_.bind + ":" +
                                  std::to_string(opts_.port) + ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint().port();

  host_ = std::make_unique<OsHostInfo>(port_, opts_.executable);
  NodeOptions nopts;
  nopts.replica_id = opts_.replica_id;
  nopts.seed = static_cast<uint64_t>(NowUs()) ^ (static_cast<uint64_t>(getpid()) << 32);
  nopts.host = host_.get();
  nopts.start_us = NowUs();
  nopts.replication = opts_.replication;
  peers_ = std::make_unique<PeerManager>(io_, opts_.peer, opts_.replica_id, nopts.seed * 31 + 7);
  nopts.replication_control = peers_.get();
  if (opts_.persistence != nullptr) {
    persistence_ = std::make_unique<Persistence>(*opts_.persistence, opts_.replica_id);
    if (absl::Status st = persistence_->Open(); !st.ok()) return st;
    nopts.persistence = persistence_->sink();
    nopts.persistence_control = persistence_.get();
  }
  node_ = std::make_unique<Node>(nopts);
  // Members first: a replicating node must know them before it replays its log.
  if (absl::Status st = peers_->Attach(node_.get()); !st.ok()) return st;
  if (persistence_ != nullptr) {
    if (absl::Status st = persistence_->Recover(node_.get()); !st.ok()) return st;
  }
  node_->config()["port"] = std::to_string(port_);
  node_->config()["bind"] = opts_.bind;
  node_->config()["dir"] = opts_.dir;
  node_->config()["enable-debug-command"] = opts_.enable_debug_command;

  signals_.async_wait([this](const asio::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("Received signal {}, shutting down", sig);
    Shutdown();
  });
  poller_ = std::make_unique<ClientPoller>(io_);
  if (absl::Status st = poller_->Open(); !st.ok()) return st;
  poller_->set_after_poll([this] { AfterPoll(); });
  Accept();
  ScheduleTick();
  peers_->set_on_input([this] {
    WakeServed();
    SchedulePump();
  });
  if (absl::Status st = peers_->Start(port_); !st.ok()) return st;
  spdlog::info("Ready to accept connections on {}:{} (replica {})", opts_.bind, port_,
               opts_.replica_id);
  return absl::OkStatus();
}

void Server::Accept() {
  acceptor_.async_accept([this](const asio::error_code& ec, asio::ip::tcp::socket socket) {
    if (stopping_) return;
    if (ec) {
      // Out of descriptors and similar: log and keep accepting; never bring the server down.
      spdlog::warn("accept failed: {}", ec.message());
    } else {
      auto c = std::make_shared<Connection>(*this, std::move(socket));
      connections_.emplace(c.get(), c);
      c->Start();
    }
    Accept();
  });
}

void Server::ScheduleTick() {
  tick_timer_.expires_after(kTickPeriod);
  tick_timer_.async_wait([this](const asio::error_code& ec) {
    if (ec || stopping_) return;
    graveyard_.clear();  // connections closed outside a poll pass
    node_->Tick(NowUs());
    if (persistence_ != nullptr) persistence_->Tick();
    Pump();  // expiry deletes, and own ops that just became durable, may leave now
    WakeServed();
    ScheduleTick();
  });
}

void Server::Forget(Connection* c) {
  auto it = connections_.find(c);
  if (it == connections_.end()) return;
  // Freed after the poll pass: the pass may still hold an event for it.
  graveyard_.push_back(std::move(it->second));
  connections_.erase(it);
  if (stopping_ && connections_.empty()) poller_->Stop();
}

void Server::WakeServed() {
  // A served blocked client's reply reports a write (its pop): like any reply it leaves once the
  // write is durable (group commit).
  for (Session* s : node_->TakeWokenSessions()) {
    auto* c = static_cast<Connection*>(s->driver);
    if (HoldReplies(c)) {
      c->Hold();
    } else {
      c->Wake();
    }
  }
  // A blocked client's timeout may come before the next tick: wake up for it.
  int64_t deadline = node_->NextBlockDeadlineUs();
  if (deadline == 0 || (block_timer_at_us_ != 0 && block_timer_at_us_ <= deadline)) return;
  block_timer_at_us_ = deadline;
  block_timer_.expires_after(std::chrono::microseconds(std::max<int64_t>(0, deadline - NowUs())));
  block_timer_.async_wait([this](const asio::error_code& ec) {
    if (ec || stopping_) return;
    block_timer_at_us_ = 0;
    node_->Tick(NowUs());
    WakeServed();
  });
}

bool Server::HoldReplies(Connection* c) {
  if (persistence_ == nullptr || !persistence_->ReplyMustWait()) return false;
  held_.push_back(connections_.at(c));
  if (!commit_posted_) {
    commit_posted_ = true;
    // Runs after the handlers already ready in this loop pass: their writes share the commit.
    poller_->Post([this] { CommitHeld(); });
  }
  return true;
}

void Server::DeferReplies(Connection* c) { deferred_.push_back(c); }

void Server::AfterPoll() {
  // Every ready connection has run: now their replies leave, one send each.
  for (size_t i = 0; i < deferred_.size(); ++i) deferred_[i]->FinishBatch();
  deferred_.clear();
  graveyard_.clear();
}

void Server::CommitHeld() {
  commit_posted_ = false;
  if (persistence_ == nullptr) return;
  persistence_->Commit();
  Pump();
  std::vector<std::shared_ptr<Connection>> held;
  held.swap(held_);
  for (auto& c : held) c->FinishBatch();
}

void Server::SchedulePump() {
  if (pump_posted_ || !node_->replicating()) return;
  pump_posted_ = true;
  // Runs after the handlers already ready in this loop pass (and after a posted CommitHeld).
  poller_->Post([this] {
    pump_posted_ = false;
    if (!stopping_) Pump();
  });
}

void Server::Pump() {
  node_->FlushReplication();
  peers_->SendOutbox();
}

void Server::Shutdown() {
  if (stopping_) return;
  stopping_ = true;
  if (peers_ != nullptr) peers_->Shutdown();
  if (persistence_ != nullptr) {
    CommitHeld();
    persistence_->Shutdown();
  }
  spdlog::info("Shutting down: closing the listener and {} client connection(s)",
               connections_.size());
  asio::error_code ec;
  acceptor_.close(ec);
  tick_timer_.cancel();
  block_timer_.cancel();
  signals_.cancel(ec);
  std::vector<std::shared_ptr<Connection>> all;
  for (auto& [ptr, c] : connections_) all.push_back(c);
  for (auto& c : all) c->FlushAndClose();
  // Connections still sending close as they finish; the last one stops the poller.
  if (connections_.empty()) poller_->Stop();
}

}  // namespace cordis::prod
