#include "prod/peer_frame.h"

#include "core/base/strings.h"

namespace cordis::prod {

void AppendFrame(const pb::PeerFrame& f, std::string* out) {
  size_t n = f.ByteSizeLong();
  size_t at = out->size();
  out->resize(at + kFrameHeaderBytes + n);
  char* p = out->data() + at;
  p[0] = static_cast<char>((n >> 24) & 0xff);
  p[1] = static_cast<char>((n >> 16) & 0xff);
  p[2] = static_cast<char>((n >> 8) & 0xff);
  p[3] = static_cast<char>(n & 0xff);
  f.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(p + kFrameHeaderBytes));
}

absl::StatusOr<bool> FrameReader::Next(pb::PeerFrame* out) {
  if (buffered() < kFrameHeaderBytes) return false;
  const auto* h = reinterpret_cast<const uint8_t*>(buf_.data() + pos_);
  size_t n = (size_t{h[0]} << 24) | (size_t{h[1]} << 16) | (size_t{h[2]} << 8) | size_t{h[3]};
  if (n == 0) return absl::InvalidArgumentError("empty frame");
  if (n > max_frame_bytes_) {
    return absl::InvalidArgumentError(
        StrCat("frame of ", n, " bytes is over the limit of ", max_frame_bytes_, " bytes"));
  }
  if (buffered() < kFrameHeaderBytes + n) return false;
  out->Clear();
  bool parsed = out->ParseFromArray(buf_.data() + pos_ + kFrameHeaderBytes, static_cast<int>(n));
  pos_ += kFrameHeaderBytes + n;
  if (!parsed) return absl::InvalidArgumentError(StrCat("frame of ", n, " bytes does not parse"));
  if (out->body_case() == pb::PeerFrame::BODY_NOT_SET)
    return absl::InvalidArgumentError("frame without a body");
  // Consumed bytes leave the buffer once they are most of it (amortized, no per-frame memmove).
  if (pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
    if (buf_.capacity() > (16 << 20)) buf_.shrink_to_fit();  // after a large snapshot
  } else if (pos_ > (1 << 20) && pos_ * 2 > buf_.size()) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  return true;
}

}  // namespace cordis::prod
