// One TCP connection on the peer port, dialed or accepted: reads frames (prod/peer_frame.h) and
// hands them to its handler (the PeerManager), and writes frames with a bounded queue.
//
// Writes: Queue() appends a frame to the pending buffer; Flush() starts one write of everything
// pending unless one is in flight (then the pending bytes leave when it completes). The manager
// queues a whole event-loop pass's frames and flushes once, so a pass costs one write per link.
//
// Bound: when the bytes queued (pending plus in flight) would pass `queue_limit`, the pending
// frames are dropped (the frame in flight finishes; frames are dropped whole, never cut). Nothing
// is lost for good: the core resends what the peer's next Have shows it lacks, or sends a
// snapshot when that is gone from its log. A slow peer costs at most about queue_limit plus one
// frame of memory.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <asio.hpp>

#include "absl/status/status.h"
#include "core/crdt/dot.h"
#include "cordis/peer.pb.h"
#include "prod/peer_frame.h"

namespace cordis::prod {

class PeerLink;

// Microseconds on the steady clock (link timeouts and backoff; the core gets wall time).
int64_t SteadyNowUs();

class PeerLinkHandler {
 public:
  virtual ~PeerLinkHandler() = default;
  // A frame arrived on l. The handler may Close(l) from here.
  virtual void OnLinkFrame(PeerLink* l, pb::PeerFrame& f) = 0;
  // Every frame of one read arrived (a point to flush replies and wake clients).
  virtual void OnLinkInputDone(PeerLink* l) = 0;
  // l closed (error, peer went away, or Close): the handler forgets it. Called once.
  virtual void OnLinkClosed(PeerLink* l, const std::string& why) = 0;
};

class PeerLink : public std::enable_shared_from_this<PeerLink> {
 public:
  enum class State { kHandshaking, kConnected, kClosed };

  PeerLink(PeerLinkHandler& handler, asio::ip::tcp::socket socket, bool dialed,
           size_t queue_limit, size_t max_frame_bytes);

  // Starts reading. The handshake frame is read with a small limit until Established().
  void Start(int64_t now_us);
  void Established(ReplicaId replica);
  // Appends a frame to the pending buffer (dropping the pending ones past the bound).
  void Queue(const pb::PeerFrame& f);
  // Writes what is pending, unless a write is in flight.
  void Flush();
  // Sends what is queued, then closes (a rejected handshake).
  void CloseAfterFlush(const std::string& why);
  void Close(const std::string& why);

  bool dialed() const { return dialed_; }
  State state() const { return state_; }
  ReplicaId replica() const { return replica_; }
  const std::string& remote() const { return remote_; }  // "ip:port" of the other end
  const std::string& remote_ip() const { return remote_ip_; }
  uint64_t bytes_sent() const { return bytes_sent_; }
  uint64_t bytes_received() const { return bytes_received_; }
  uint64_t drops() const { return drops_; }
  uint64_t dropped_bytes() const { return dropped_bytes_; }
  size_t queued_bytes() const { return pending_.size() + in_flight_.size(); }
  int64_t started_us() const { return started_us_; }
  int64_t last_read_us() const { return last_read_us_; }
  // When the write in flight began (0: none in flight).
  int64_t write_started_us() const { return write_started_us_; }

 private:
  void Read();
  void OnReadable(const asio::error_code& ec);
  void OnWrite(const asio::error_code& ec, size_t n);

  PeerLinkHandler& handler_;
  asio::ip::tcp::socket socket_;
  bool dialed_;
  size_t queue_limit_;
  size_t max_frame_bytes_;
  FrameReader reader_;
  State state_ = State::kHandshaking;
  ReplicaId replica_ = 0;
  std::string remote_, remote_ip_;
  std::string pending_;    // frames queued since the last write began
  std::string in_flight_;  // the write in progress
  bool writing_ = false;
  bool reading_ = false;
  bool close_after_flush_ = false;
  std::string close_reason_;
  uint64_t bytes_sent_ = 0, bytes_received_ = 0, drops_ = 0, dropped_bytes_ = 0;
  int64_t started_us_ = 0, last_read_us_ = 0, write_started_us_ = 0;
  pb::PeerFrame frame_;  // reused across reads
};

}  // namespace cordis::prod
