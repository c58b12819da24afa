// The production driver: one Asio event loop thread owns the core Node (Redis's model). It only
// moves bytes between sockets and session buffers and passes the wall clock in.
#pragma once

#include <asio.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/server/node.h"
#include "prod/client_poller.h"
#include "prod/os_host_info.h"
#include "prod/peer_manager.h"
#include "prod/persistence.h"

namespace cordis::prod {

struct ServerOptions {
  std::string bind = "127.0.0.1";
  int port = 6379;
  std::string dir = ".";
  ReplicaId replica_id = 1;
  std::string executable;
  std::string enable_debug_command = "no";
  std::shared_ptr<const PersistenceOptions> persistence;  // null: data in memory only
  PeerOptions peer;
  ReplicationOptions replication;
};

class Connection;

class Server {
 public:
  Server(asio::io_context& io, const ServerOptions& opts);
  ~Server();
  // Binds and listens; an error (port in use, bad address) comes back as a status.
  absl::Status Start();
  // The event loop (ClientPoller::Run): returns after Shutdown, once every connection is closed
  // and Asio has no work left.
  void Run() { poller_->Run(); }
  // Stops accepting, flushes pending replies, closes every connection.
  void Shutdown();
  // Shutdown from inside a connection's handler (SHUTDOWN command): runs on the next loop turn.
  void RequestShutdown() {
    poller_->Post([this] { Shutdown(); });
  }
  int port() const { return port_; }

  Node& node() { return *node_; }
  void Forget(Connection* c);
  // Writes the replies the node made outside a session's own input (served blocked clients).
  void WakeServed();
  // Group commit: true if c's replies must wait until the log covers this loop pass's writes;
  // the server then calls c->FinishBatch() after one write (and fsync) for all of them.
  bool HoldReplies(Connection* c);
  // Replies of a batch leave once every connection ready in this poll pass has been read and
  // executed (as Redis writes in beforeSleep).
  void DeferReplies(Connection* c);
  ClientPoller& poller() { return *poller_; }
  // One read buffer shared by every connection (the loop is single-threaded).
  std::vector<char>& read_buffer() { return read_buffer_; }
  static int64_t NowUs();
  // After a batch of commands or peer input: pushes new own ops to peers once this loop pass's
  // handlers have run (one write per peer per pass).
  void SchedulePump();

 private:
  void Accept();
  void ScheduleTick();
  void CommitHeld();
  void AfterPoll();
  void Pump();

  asio::io_context& io_;
  ServerOptions opts_;
  std::unique_ptr<OsHostInfo> host_;
  std::unique_ptr<Persistence> persistence_;  // declared before node_: outlives it
  std::unique_ptr<PeerManager> peers_;        // likewise
  std::unique_ptr<Node> node_;
  std::vector<std::shared_ptr<Connection>> held_;  // replies waiting for CommitHeld
  bool commit_posted_ = false;
  std::vector<Connection*> deferred_;  // replies waiting for AfterPoll
  // Closed connections, freed after the poll pass (its events may still name them).
  std::vector<std::shared_ptr<Connection>> graveyard_;
  std::unique_ptr<ClientPoller> poller_;
  bool pump_posted_ = false;
  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer tick_timer_;
  asio::steady_timer block_timer_;  // the earliest blocked client's timeout
  int64_t block_timer_at_us_ = 0;
  asio::signal_set signals_;
  std::map<Connection*, std::shared_ptr<Connection>> connections_;
  std::vector<char> read_buffer_;
  int port_ = 0;
  bool stopping_ = false;
};

}  // namespace cordis::prod
