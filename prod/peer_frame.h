// Framing on peer connections: each frame is a 4-byte big-endian length, then that many bytes of
// one serialized pb::PeerFrame (proto/cordis/peer.proto). FrameReader takes bytes as they arrive
// and hands out whole frames; anything that is not a valid frame (a length over the limit, an
// empty frame, bytes that do not parse, a frame without a body) is an error, and the link that
// sent it is closed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "cordis/peer.pb.h"

namespace cordis::prod {

inline constexpr size_t kFrameHeaderBytes = 4;

// Appends f's frame (header and body) to *out.
void AppendFrame(const pb::PeerFrame& f, std::string* out);

class FrameReader {
 public:
  explicit FrameReader(size_t max_frame_bytes) : max_frame_bytes_(max_frame_bytes) {}

  void set_max_frame_bytes(size_t n) { max_frame_bytes_ = n; }
  void Append(const char* data, size_t n) { buf_.append(data, n); }
  // The next whole frame into *out: true if there was one, false if more bytes are needed, an
  // error if the bytes are not a valid frame (the reader is then unusable).
  absl::StatusOr<bool> Next(pb::PeerFrame* out);
  // Bytes of an incomplete frame held (non-zero when the connection closes: a truncated frame).
  size_t buffered() const { return buf_.size() - pos_; }

 private:
  size_t max_frame_bytes_;
  std::string buf_;
  size_t pos_ = 0;  // start of the first unread frame in buf_
};

}  // namespace cordis::prod
