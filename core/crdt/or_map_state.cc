// HashValue's snapshot state (proto/cordis/state.proto, HashState): each field with its register
// entries and, when it has increments, its IncrementLog (pending entries with their ranks, and the
// folded prefix). Cached field values and the compaction queue are rebuilt on decode.
#include <utility>
#include <vector>

#include "core/crdt/or_map.h"
#include "core/crdt/state_codec.h"
#include "core/op/op_codec.h"

namespace cordis {

void HashValue::EncodeState(pb::HashState* out) const {
  out->mutable_fields()->Reserve(static_cast<int>(dict_.size()));
  dict_.ForEach([&](const Field* f) {
    pb::HashState::Field* p = out->add_fields();
    p->set_name(std::string(f->name()));
    for (const Reg& r : f->regs) {
      pb::BytesReg* reg = p->add_regs();
      state::EncodeTag(r.dot, r.stamp, reg->mutable_tag());
      reg->set_value(r.bytes);
    }
    if (f->has_increments()) f->counters->log.EncodeState(p->mutable_incrs());
  });
}

absl::StatusOr<std::unique_ptr<HashValue>> HashValue::DecodeState(const pb::HashState& in,
                                                                  uint64_t seed) {
  auto v = std::make_unique<HashValue>(seed);
  for (const pb::HashState::Field& p : in.fields()) {
    if (v->dict_.Find(p.name()) != nullptr) return state::Corrupt("hash: duplicate field");
    Field* f = v->FindOrCreate(p.name());
    std::vector<Dot> dots;
    for (const pb::BytesReg& reg : p.regs()) {
      Reg r;
      absl::Status st = state::DecodeTag(reg.tag(), &r.dot, &r.stamp);
      if (!st.ok()) return st;
      r.bytes = reg.value();
      dots.push_back(r.dot);
      f->regs.push_back(std::move(r));
    }
    if (!state::UniqueDots(std::move(dots))) return state::Corrupt("hash: duplicate register dot");
    if (p.has_incrs()) {
      absl::Status st = v->CountersOf(f).log.DecodeState(p.incrs());
      if (!st.ok()) return st;
    }
    if (f->dead()) return state::Corrupt("hash: field without entries");
    v->Refresh(f);
  }
  if (v->Empty()) return state::Corrupt("hash: empty");
  v->max_stamp_valid_ = false;
  return v;
}

}  // namespace cordis
