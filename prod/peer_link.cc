#include "prod/peer_link.h"

#include <chrono>
#include <vector>

#include "spdlog/spdlog.h"

namespace cordis::prod {
namespace {

constexpr size_t kReadChunk = 256 * 1024;
// Fairness with clients: one link reads at most this much per wakeup.
constexpr size_t kMaxReadPerWakeup = 4 * 1024 * 1024;
// Before the handshake completes, a frame (the Hello) may be at most this big: a stranger cannot
// make us buffer much.
constexpr size_t kMaxHandshakeFrameBytes = 1 << 20;

}  // namespace

int64_t SteadyNowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

PeerLink::PeerLink(PeerLinkHandler& handler, asio::ip::tcp::socket socket, bool dialed,
                   size_t queue_limit, size_t max_frame_bytes)
    : handler_(handler),
      socket_(std::move(socket)),
      dialed_(dialed),
      queue_limit_(queue_limit),
      max_frame_bytes_(max_frame_bytes),
      reader_(kMaxHandshakeFrameBytes) {
  asio::error_code ec;
  auto ep = socket_.remote_endpoint(ec);
  if (!ec) {
    remote_ip_ = ep.address().to_string();
    remote_ = remote_ip_ + ":" + std::to_string(ep.port());
  }
}

void PeerLink::Start(int64_t now_us) {
  started_us_ = last_read_us_ = now_us;
  asio::error_code ec;
  socket_.set_option(asio::ip::tcp::no_delay(true), ec);
  socket_.non_blocking(true, ec);
  Read();
}

void PeerLink::Established(ReplicaId replica) {
  replica_ = replica;
  state_ = State::kConnected;
  reader_.set_max_frame_bytes(max_frame_bytes_);
}

void PeerLink::Read() {
  if (reading_ || state_ == State::kClosed) return;
  reading_ = true;
  socket_.async_wait(asio::ip::tcp::socket::wait_read,
                     [self = shared_from_this()](const asio::error_code& ec) {
                       self->OnReadable(ec);
                     });
}

void PeerLink::OnReadable(const asio::error_code& ec) {
  reading_ = false;
  if (state_ == State::kClosed) return;
  if (ec) return Close("read failed: " + ec.message());
  static std::vector<char> buf(kReadChunk);  // the event loop is single-threaded
  size_t total = 0;
  bool eof = false;
  std::string error;
  for (;;) {
    asio::error_code rec;
    size_t n = socket_.read_some(asio::buffer(buf), rec);
    if (rec == asio::error::would_block || rec == asio::error::try_again) break;
    if (rec) {
      eof = true;
      if (rec != asio::error::eof) error = rec.message();
      break;
    }
    reader_.Append(buf.data(), n);
    total += n;
    if (n < buf.size() || total >= kMaxReadPerWakeup) break;
  }
  bytes_received_ += total;
  if (total > 0) last_read_us_ = SteadyNowUs();
  for (;;) {
    absl::StatusOr<bool> got = reader_.Next(&frame_);
    if (!got.ok()) {
      return Close("bad frame from " + remote_ + ": " + std::string(got.status().message()));
    }
    if (!*got) break;
    handler_.OnLinkFrame(this, frame_);
    if (state_ == State::kClosed) return;
  }
  if (total > 0) handler_.OnLinkInputDone(this);
  if (state_ == State::kClosed) return;
  if (eof) {
    if (reader_.buffered() > 0) {
      return Close("connection closed in the middle of a frame (" +
                   std::to_string(reader_.buffered()) + " bytes of a truncated frame)");
    }
    return Close(error.empty() ? "peer closed the connection" : "read failed: " + error);
  }
  Read();
}

void PeerLink::Queue(const pb::PeerFrame& f) {
  if (state_ == State::kClosed || close_after_flush_) return;
  if (!pending_.empty() && queued_bytes() + f.ByteSizeLong() > queue_limit_) {
    ++drops_;
    dropped_bytes_ += pending_.size();
    spdlog::warn(
        "peer link {} (replica {}): send queue over {} bytes; dropped {} queued bytes (the peer "
        "catches up through its next Have or a snapshot)",
        remote_, replica_, queue_limit_, pending_.size());
    pending_.clear();
    pending_.shrink_to_fit();
  }
  AppendFrame(f, &pending_);
}

void PeerLink::Flush() {
  if (writing_ || pending_.empty() || state_ == State::kClosed) return;
  writing_ = true;
  write_started_us_ = SteadyNowUs();
  in_flight_.swap(pending_);
  asio::async_write(socket_, asio::buffer(in_flight_),
                    [self = shared_from_this()](const asio::error_code& ec, size_t n) {
                      self->OnWrite(ec, n);
                    });
}

void PeerLink::OnWrite(const asio::error_code& ec, size_t n) {
  writing_ = false;
  write_started_us_ = 0;
  bytes_sent_ += n;
  in_flight_.clear();
  if (in_flight_.capacity() > (8 << 20)) in_flight_.shrink_to_fit();
  if (state_ == State::kClosed) return;
  if (ec) return Close("write failed: " + ec.message());
  if (!pending_.empty()) return Flush();
  if (close_after_flush_) Close(close_reason_);
}

void PeerLink::CloseAfterFlush(const std::string& why) {
  close_after_flush_ = true;
  close_reason_ = why;
  Flush();
  if (!writing_) Close(why);
}

void PeerLink::Close(const std::string& why) {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  asio::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  socket_.close(ec);
  pending_.clear();
  handler_.OnLinkClosed(this, why);
}

}  // namespace cordis::prod
