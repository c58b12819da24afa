// StringValue's snapshot state (proto/cordis/state.proto, StringState): the register entries in
// order, then the increment log (core/crdt/increment_log.h).
#include <utility>
#include <vector>

#include "core/crdt/lww_string.h"
#include "core/crdt/state_codec.h"

namespace cordis {

void StringValue::EncodeState(pb::StringState* out) const {
  for (const Reg& r : regs_) {
    pb::BytesReg* p = out->add_regs();
    state::EncodeTag(r.dot(), r.stamp(), p->mutable_tag());
    p->set_value(std::string(r.bytes.view()));
  }
  if (incrs_ != nullptr) incrs_->EncodeState(out->mutable_incrs());
}

absl::StatusOr<std::unique_ptr<StringValue>> StringValue::DecodeState(const pb::StringState& in,
                                                                      uint64_t seed) {
  auto v = std::make_unique<StringValue>(seed);
  std::vector<Dot> dots;
  for (const pb::BytesReg& p : in.regs()) {
    Dot dot;
    Stamp stamp;
    absl::Status st = state::DecodeTag(p.tag(), &dot, &stamp);
    if (!st.ok()) return st;
    dots.push_back(dot);
    v->regs_.emplace_back(dot, stamp, p.value());
  }
  if (!state::UniqueDots(std::move(dots))) return state::Corrupt("string: duplicate register dot");
  if (in.has_incrs()) {
    absl::Status st = v->Incrs().DecodeState(in.incrs());
    if (!st.ok()) return st;
  }
  if (v->Empty()) return state::Corrupt("string: empty");
  return v;
}

}  // namespace cordis
