// The production peer transport: listens on the peer port, dials every known member (with
// exponential backoff and jitter), checks handshakes, spreads membership by gossip, and carries
// the core's replication messages. It only moves bytes and time: what to send, resend or
// snapshot is the core's (Node::ReplicationTick, FlushReplication, OnPeerMessage, TakeOutbox),
// exactly as in the simulator.
//
// Connections: each node sends on the connection it dialed and receives on the ones it accepted,
// so a pair of nodes holds two connections and never has to decide which of two simultaneous
// dials wins. A message for a peer whose dialed link is not up is dropped: the core resends
// from the peer's next Have (or by snapshot when the ops left its log).
//
// Membership: a handshake carries the sender's known members with their peer addresses, and a
// Gossip frame goes to every peer when membership changes, so a node that meets one member soon
// knows and dials all of them. Members are kept in the data directory (prod/member_file.h).
#pragma once

#include <asio.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/server/node.h"
#include "core/server/replication_control.h"
#include "prod/member_file.h"
#include "prod/peer_link.h"

namespace cordis::prod {

struct PeerOptions {
  std::string bind = "127.0.0.1";
  int port = -1;                   // the peer port; -1: client port + 10000
  std::vector<std::string> peers;  // "host:port" to dial at start
  std::string cluster_name = "cordis";
  std::string secret;
  std::string announce_host;         // host peers should dial; empty: --bind unless a wildcard
  int64_t tick_ms = 20;              // ReplicationTick period
  size_t queue_limit = 64ull << 20;  // per link, bytes queued before dropping (see peer_link.h)
  size_t max_frame_bytes = 1ull << 30;
  int64_t timeout_ms = 10'000;  // handshake, silent inbound link, stalled write
  int64_t backoff_min_ms = 100;
  int64_t backoff_max_ms = 5'000;
  std::string member_file;  // empty: membership is not kept on disk
};

class PeerManager : public PeerLinkHandler, public ReplicationControl {
 public:
  PeerManager(asio::io_context& io, PeerOptions opts, ReplicaId self, uint64_t seed);
  ~PeerManager() override;

  // Reads the member file and adds its replicas to node: call before recovery.
  absl::Status Attach(Node* node);
  // Listens on the peer port and dials the known members and --peers.
  absl::Status Start(int client_port);
  void Shutdown();
  // Routes the node's outbox to the links; one write per link.
  void SendOutbox();
  // Called after peer input was applied (the server wakes served clients, flushes replication).
  void set_on_input(std::function<void()> f) { on_input_ = std::move(f); }
  int peer_port() const { return peer_port_; }

  // ReplicationControl.
  absl::Status Meet(const std::string& host, int port) override;
  void AppendInfo(std::string* out, int64_t now_us) const override;
  std::vector<PeerRole> Peers() const override;

  // PeerLinkHandler.
  void OnLinkFrame(PeerLink* l, pb::PeerFrame& f) override;
  void OnLinkInputDone(PeerLink* l) override;
  void OnLinkClosed(PeerLink* l, const std::string& why) override;

 private:
  // An address this node dials. Never erased (callbacks hold pointers); a duplicate is retired.
  struct Target {
    std::string host;
    int port = 0;
    ReplicaId replica = 0;  // 0 until a handshake names it
    std::shared_ptr<PeerLink> link;
    std::shared_ptr<asio::ip::tcp::socket> socket;  // while connecting
    std::shared_ptr<asio::ip::tcp::resolver> resolver;
    bool connecting = false;
    bool retired = false;
    int attempts = 0;  // failures since the last handshake
    int64_t connect_started_us = 0;
    int64_t next_attempt_us = 0;
    uint64_t reconnects = 0;
    std::string last_error;
    std::string Name() const { return host + ":" + std::to_string(port); }
  };
  struct Member {
    MemberAddr addr;
    std::shared_ptr<PeerLink> inbound;
    // Totals of closed links; live links' counters are added when reported.
    uint64_t bytes_sent = 0, bytes_received = 0, queue_drops = 0;
    uint64_t snapshots_sent = 0, snapshots_installed = 0, messages_dropped = 0;
    uint64_t messages_refused = 0;
    int64_t last_refusal_log_ms = -1'000'000;
  };

  void Accept();
  void ScheduleTick();
  void OnTick();
  void Housekeeping(int64_t now_us);
  Target* AddTarget(const std::string& host, int port, ReplicaId replica);
  void Dial(Target* t);
  void Connected(Target* t, const asio::error_code& ec);  // the dial's connect completed
  void DialFailed(Target* t, const std::string& why);
  void Retry(Target* t, const std::string& why);
  void OnConnected(Target* t);
  // This node's peer address, and every member's with a known address (Hello and Gossip).
  void FillSelfAddress(pb::MemberAddress* a) const;
  void FillMemberAddresses(google::protobuf::RepeatedPtrField<pb::MemberAddress>* out) const;
  pb::PeerFrame HelloFrame() const;
  absl::Status CheckHello(const pb::Hello& h) const;
  void OnHello(PeerLink* l, const pb::Hello& h);
  void OnPeerMessage(PeerLink* l, const pb::PeerMessage& m);
  // A member's address from its own handshake (authoritative) or from gossip (fills gaps only).
  void Learn(ReplicaId r, const pb::MemberAddress& a, const std::string& from_ip,
             bool authoritative);
  void MembershipChanged();
  Target* DataTarget(ReplicaId r) const;
  const PeerLink* DataLink(ReplicaId r) const;
  std::string StateOf(ReplicaId r) const;
  int64_t LagMs(ReplicaId r, int64_t now_ms) const;

  asio::io_context& io_;
  PeerOptions opts_;
  ReplicaId self_;
  Prng rng_;           // backoff jitter
  uint64_t instance_;  // this process, in every Hello (self-dial detection)
  Node* node_ = nullptr;
  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer tick_timer_;
  int peer_port_ = 0;
  std::string announce_host_;
  std::vector<std::unique_ptr<Target>> targets_;
  std::map<PeerLink*, Target*> dialed_;
  std::map<PeerLink*, std::shared_ptr<PeerLink>> links_;  // every open link
  std::map<ReplicaId, Member> members_;
  // Our version vector at recent ticks: a peer's lag in ms is how old the newest one it covers is.
  std::deque<std::pair<int64_t, VersionVector>> samples_;
  std::function<void()> on_input_;
  bool stopping_ = false;
};

}  // namespace cordis::prod
