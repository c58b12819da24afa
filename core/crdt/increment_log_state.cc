// IncrementLog's snapshot state (proto/cordis/state.proto, IncrementLogState): pending entries
// with their ranks, and the folded prefix.
#include <utility>
#include <vector>

#include "core/crdt/increment_log.h"
#include "core/base/check.h"
#include "core/crdt/state_codec.h"
#include "core/op/op_codec.h"

namespace cordis {
namespace {

bool RankedBefore(const IncrementLog::Entry& a, const IncrementLog::Entry& b) {
  return a.rank != b.rank ? a.rank < b.rank : a.dot < b.dot;
}

}  // namespace

void IncrementLog::EncodeState(pb::IncrementLogState* out) const {
  for (const Entry& e : pending_) {
    pb::IncrementLogState::Entry* p = out->add_pending();
    p->set_rank(e.rank);
    p->set_replica(e.dot.replica);
    p->set_seq(e.dot.seq);
    p->set_hlc(e.hlc);
    p->set_is_float(e.is_float);
    if (e.is_float) {
      p->set_float_delta(state::LongDoubleBytes(e.f));
    } else {
      p->set_delta(e.i);
    }
  }
  if (folded_) {
    out->set_folded(*folded_);
    EncodeVersionVector(folded_vv_, out->mutable_folded_vv());
    out->set_folded_rank(folded_rank_);
    out->mutable_folded_first()->set_replica(folded_first_.replica);
    out->mutable_folded_first()->set_seq(folded_first_.seq);
    out->set_folded_hlc(folded_hlc_);
    out->set_folded_replica(folded_replica_);
  }
}

absl::Status IncrementLog::DecodeState(const pb::IncrementLogState& in) {
  CHECK(empty());
  std::vector<Entry> pending;
  std::vector<Dot> dots;
  for (const pb::IncrementLogState::Entry& p : in.pending()) {
    Entry e{p.rank(), Dot{p.replica(), p.seq()}, p.hlc(), p.is_float(), 0, 0};
    if (!state::ValidDot(e.dot)) return state::Corrupt("hash increment: missing replica or seq");
    if (e.is_float) {
      if (p.delta() != 0 || !state::ParseLongDoubleBytes(p.float_delta(), &e.f) || e.f != e.f)
        return state::Corrupt("hash increment: bad float delta");
    } else {
      if (!p.float_delta().empty()) return state::Corrupt("hash increment: float delta on int");
      e.i = p.delta();
    }
    if (!pending.empty() && !RankedBefore(pending.back(), e))
      return state::Corrupt("hash increments out of order");
    pending.push_back(e);
    dots.push_back(e.dot);
  }
  if (!state::UniqueDots(std::move(dots))) return state::Corrupt("hash increment: duplicate dot");
  VersionVector folded_vv;
  if (!DecodeVersionVector(in.folded_vv(), &folded_vv).ok())
    return state::Corrupt("hash increments: bad folded vector");
  if (in.has_folded()) {
    // Everything still pending ranks after the folded prefix and follows it in its origin's
    // sequence (an op ranks above every op its origin made before it).
    if (folded_vv.empty()) return state::Corrupt("hash increments: folded without dots");
    const Dot first{in.folded_first().replica(), in.folded_first().seq()};
    if (!state::ValidDot(first) || !folded_vv.Covers(first))
      return state::Corrupt("hash increments: folded prefix without its first dot");
    for (const Entry& e : pending) {
      if (e.rank < in.folded_rank() || e.dot.seq <= folded_vv.Get(e.dot.replica))
        return state::Corrupt("hash increments: pending before the folded prefix");
    }
    folded_ = in.folded();
    folded_vv_ = std::move(folded_vv);
    folded_first_ = first;
    folded_rank_ = in.folded_rank();
    folded_hlc_ = in.folded_hlc();
    folded_replica_ = in.folded_replica();
  } else if (!folded_vv.empty() || in.folded_rank() != 0 || in.folded_hlc() != 0 ||
             in.has_folded_first()) {
    return state::Corrupt("hash increments: folded metadata without a folded value");
  }
  pending_ = std::move(pending);
  if (empty()) return state::Corrupt("hash increments: empty log");
  return absl::OkStatus();
}

}  // namespace cordis
