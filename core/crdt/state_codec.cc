#include "core/crdt/state_codec.h"

#include <algorithm>
#include <cstring>

#include "core/base/strings.h"

namespace cordis::state {

absl::Status Corrupt(std::string_view what) {
  return absl::DataLossError(StrCat("value state: ", what));
}

bool ValidDot(const Dot& d) { return d.replica != 0 && d.seq != 0; }

void EncodeTag(const Dot& dot, const Stamp& stamp, pb::Tag* out) {
  out->set_replica(dot.replica);
  out->set_seq(dot.seq);
  out->set_hlc(stamp.hlc);
  if (stamp.replica != dot.replica) out->set_stamp_replica(stamp.replica);
}

absl::Status DecodeTag(const pb::Tag& in, Dot* dot, Stamp* stamp) {
  *dot = Dot{in.replica(), in.seq()};
  if (!ValidDot(*dot)) return Corrupt("missing replica or seq");
  *stamp = Stamp{in.hlc(), in.has_stamp_replica() ? in.stamp_replica() : in.replica()};
  return absl::OkStatus();
}

bool UniqueDots(std::vector<Dot> dots) {
  std::sort(dots.begin(), dots.end());
  return std::adjacent_find(dots.begin(), dots.end()) == dots.end();
}

static_assert(sizeof(long double) >= 10);

std::string LongDoubleBytes(long double v) {
  char buf[sizeof(long double)];
  std::memcpy(buf, &v, sizeof(v));
  return std::string(buf, 10);  // the rest is padding
}

bool ParseLongDoubleBytes(const std::string& s, long double* v) {
  if (s.size() != 10) return false;
  char buf[sizeof(long double)] = {};
  std::memcpy(buf, s.data(), 10);
  std::memcpy(v, buf, sizeof(buf));
  return true;
}

}  // namespace cordis::state
