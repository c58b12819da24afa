// ZsetValue's snapshot state (proto/cordis/state.proto, ZsetState): each member with its
// membership tags, score registers and increments, plus whether Redis's encoding would have left
// the listpack. Effective scores, the index and the compaction set are rebuilt on decode.
#include <cmath>
#include <utility>
#include <vector>

#include "core/crdt/state_codec.h"
#include "core/crdt/zset.h"

namespace cordis {
namespace {

void EncodeScore(const Dot& dot, const Stamp& stamp, double value, pb::ScoreReg* out) {
  state::EncodeTag(dot, stamp, out->mutable_tag());
  out->set_value(value);
}

absl::Status DecodeScore(const pb::ScoreReg& in, Dot* dot, Stamp* stamp, double* value) {
  absl::Status st = state::DecodeTag(in.tag(), dot, stamp);
  if (!st.ok()) return st;
  if (std::isnan(in.value())) return state::Corrupt("zset: NaN score");
  *value = in.value();
  return absl::OkStatus();
}

}  // namespace

void ZsetValue::EncodeState(pb::ZsetState* out) const {
  out->mutable_entries()->Reserve(static_cast<int>(members_.size()));
  members_.ForEach([&](const Entry* e) {
    pb::ZsetState::Entry* p = out->add_entries();
    p->set_member(std::string(e->DictKey()));
    for (const Tag& t : e->adds) state::EncodeTag(t.dot, t.stamp, p->add_adds());
    for (const Reg& r : e->regs) EncodeScore(r.dot, r.stamp, r.score, p->add_regs());
    for (const Incr& i : e->incrs) EncodeScore(i.dot, i.stamp, i.delta, p->add_incrs());
  });
  out->set_skiplist(!listpack_);
}

absl::StatusOr<std::unique_ptr<ZsetValue>> ZsetValue::DecodeState(const pb::ZsetState& in,
                                                                  uint64_t seed) {
  auto v = std::make_unique<ZsetValue>(seed);
  for (const pb::ZsetState::Entry& p : in.entries()) {
    if (p.adds_size() == 0) return state::Corrupt("zset: member without tags");
    if (v->members_.Find(p.member()) != nullptr) return state::Corrupt("zset: duplicate member");
    Entry* e = v->FindOrCreate(p.member());
    std::vector<Dot> add_dots, reg_dots, incr_dots;
    for (const pb::Tag& t : p.adds()) {
      Tag tag;
      absl::Status st = state::DecodeTag(t, &tag.dot, &tag.stamp);
      if (!st.ok()) return st;
      e->adds.push_back(tag);
      add_dots.push_back(tag.dot);
    }
    for (const pb::ScoreReg& r : p.regs()) {
      Reg reg;
      absl::Status st = DecodeScore(r, &reg.dot, &reg.stamp, &reg.score);
      if (!st.ok()) return st;
      e->regs.push_back(reg);
      reg_dots.push_back(reg.dot);
    }
    for (const pb::ScoreReg& r : p.incrs()) {
      Incr incr;
      absl::Status st = DecodeScore(r, &incr.dot, &incr.stamp, &incr.delta);
      if (!st.ok()) return st;
      if (!e->incrs.empty()) {
        const Incr& last = e->incrs.back();
        bool ordered = last.stamp != incr.stamp ? last.stamp < incr.stamp : last.dot < incr.dot;
        if (!ordered) return state::Corrupt("zset: increments out of order");
      }
      e->incrs.push_back(incr);
      incr_dots.push_back(incr.dot);
    }
    if (!state::UniqueDots(std::move(add_dots)) || !state::UniqueDots(std::move(reg_dots)) ||
        !state::UniqueDots(std::move(incr_dots)))
      return state::Corrupt("zset: duplicate dot");
    v->Refresh(e);
  }
  if (v->Empty()) return state::Corrupt("zset: empty");
  // The listpack flag only ever turns off, and FindOrCreate turned it off if the members alone
  // require it.
  if (in.skiplist()) {
    v->listpack_ = false;
  } else if (!v->listpack_) {
    return state::Corrupt("zset: listpack encoding with too many or too long members");
  }
  v->max_stamp_dirty_ = true;
  return v;
}

}  // namespace cordis
