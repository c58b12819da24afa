#include "prod/server.h"

#include <sys/resource.h>

#include <chrono>
#include <thread>

#include "spdlog/spdlog.h"

namespace cordis::prod {
namespace {

constexpr size_t kReadChunk = 64 * 1024;
// Each connection's read buffer (Redis's query buffer is as large).
constexpr size_t kConnectionReadBuffer = 16 * 1024;
// Fairness: one connection reads at most this much before others get a turn.
constexpr size_t kMaxReadPerWakeup = 1024 * 1024;
constexpr auto kTickPeriod = std::chrono::milliseconds(100);

std::string Endpoint(const asio::ip::tcp::endpoint& ep) {
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

}  // namespace

// One client socket. Reads append to the session's input; after each read the node executes
// every complete command and the whole batch of replies leaves in one write.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Server& server, asio::ip::tcp::socket socket)
      : server_(server), socket_(std::move(socket)) {}

  void Start() {
    asio::error_code ec;
    socket_.set_option(asio::ip::tcp::no_delay(true), ec);
    auto remote = socket_.remote_endpoint(ec);
    auto local = socket_.local_endpoint(ec);
    session_ = server_.node().OpenSession(Endpoint(remote), Endpoint(local), Server::NowUs());
    session_->fd = socket_.native_handle();
    session_->driver = this;
    socket_.non_blocking(true, ec);
    Read();
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

 private:
  // Reads into the connection's own buffer through the reactor. A plain async_wait would
  // re-arm the descriptor with an epoll_ctl call on every batch; an async read after a read
  // that drained the socket just queues (the descriptor stays registered, edge-triggered), so
  // a batch costs one recv and one send. The buffer's pages are touched only by a client that
  // sends, so idle connections stay cheap.
  void Read() {
    if (reading_) return;  // already waiting (a blocked client woken by another's write)
    reading_ = true;
    if (rbuf_ == nullptr) rbuf_ = std::make_unique_for_overwrite<char[]>(kConnectionReadBuffer);
    socket_.async_read_some(asio::buffer(rbuf_.get(), kConnectionReadBuffer),
                            [self = shared_from_this()](const asio::error_code& ec, size_t n) {
                              self->OnRead(ec, n);
                            });
  }

  void OnRead(const asio::error_code& ec, size_t n) {
    reading_ = false;
    if (ec || closed_) return Close();
    session_->input.append(rbuf_.get(), n);
    // A full buffer: drain the rest into the server's shared buffer.
    if (n == kConnectionReadBuffer) {
      std::vector<char>& buf = server_.read_buffer();
      asio::error_code rec;
      size_t total = n;
      while (total < kMaxReadPerWakeup) {
        size_t m = socket_.read_some(asio::buffer(buf), rec);
        if (rec) break;  // would_block, or an error the next read reports
        session_->input.append(buf.data(), m);
        total += m;
        if (m < buf.size()) break;
      }
    }
    server_.node().ProcessInput(session_, Server::NowUs());
    // DEBUG SLEEP stalls the whole server, as in Redis.
    if (int64_t us = server_.node().TakeSleepRequest(); us > 0)
      std::this_thread::sleep_for(std::chrono::microseconds(us));
    server_.WakeServed();
    server_.SchedulePump();
    if (server_.node().shutdown_requested()) server_.RequestShutdown();
    if (server_.HoldReplies(this)) return Hold();  // FinishBatch runs once the writes are durable
    FinishBatch();
  }

 public:
  // Sends the batch's replies, or waits for more input.
  void FinishBatch() {
    held_ = false;
    if (closed_ || writing_) return;  // OnWrite sends what is left
    if (session_->output.empty()) {
      if (session_->close_after_reply) return Close();
      return Read();
    }
    Write();
  }

 private:
  void Write() {
    writing_ = true;
    out_.swap(session_->output);
    asio::async_write(
        socket_, asio::buffer(out_),
        [self = shared_from_this()](const asio::error_code& ec, size_t) { self->OnWrite(ec); });
  }

  void OnWrite(const asio::error_code& ec) {
    writing_ = false;
    out_.clear();
    if (ec || session_->close_after_reply || closing_) return Close();
    // More output arrived while writing (a blocked client served, MONITOR lines): send it too,
    // unless it waits for a group commit.
    if (!held_ && !session_->output.empty()) return Write();
    // Large replies may have left the buffer huge; give the memory back.
    if (out_.capacity() > 1 << 20) out_.shrink_to_fit();
    Read();
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    asio::error_code ec;
    socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    server_.node().CloseSession(session_);
    session_ = nullptr;
    server_.Forget(this);
  }

  Server& server_;
  asio::ip::tcp::socket socket_;
  Session* session_ = nullptr;
  std::unique_ptr<char[]> rbuf_;
  std::string out_;
  bool writing_ = false;
  bool reading_ = false;
  bool held_ = false;
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
    node_->Tick(NowUs());
    if (persistence_ != nullptr) persistence_->Tick();
    Pump();  // expiry deletes, and own ops that just became durable, may leave now
    WakeServed();
    ScheduleTick();
  });
}

void Server::Forget(Connection* c) { connections_.erase(c); }

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
    asio::post(io_, [this] { CommitHeld(); });
  }
  return true;
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
  asio::post(io_, [this] {
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
}

}  // namespace cordis::prod
