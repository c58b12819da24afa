// ListValue's snapshot state (proto/cordis/state.proto, ListState): the ring head to tail, every
// element with its id and key, live elements with their value and LSET mark, tombstones with
// their removal (the removing op's dot, or the RemoveObserved context it refers to), and the
// RemoveObserved contexts. Caches (position hint, MaxStamp, last compaction) start cold.
#include <limits>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "core/crdt/rga_list.h"
#include "core/crdt/state_codec.h"
#include "core/op/op_codec.h"

namespace cordis {

using list_internal::Elem;
using list_internal::PackedStr;

void ListValue::EncodeState(pb::ListState* out) const {
  out->mutable_elems()->Reserve(static_cast<int>(ring_.size()));
  for (size_t i = 0; i < ring_.size(); ++i) {
    const Elem& e = ring_[i];
    pb::ListState::Elem* p = out->add_elems();
    p->set_replica(e.replica);
    p->set_seq(e.seq);
    p->set_idx(e.idx());
    p->set_hlc(e.hlc);
    if (e.removed()) {
      auto it = tombs_.find(e.id());
      CHECK(it != tombs_.end());
      const Removal& r = it->second;
      if (r.by.seq != 0) {
        p->mutable_removed_by()->set_replica(r.by.replica);
        p->mutable_removed_by()->set_seq(r.by.seq);
      } else {
        p->set_removed_ctx(r.ctx_index);
      }
      continue;
    }
    p->set_value(std::string(e.value.view()));
    if (!marks_.empty()) {
      auto it = marks_.find(e.id());
      if (it != marks_.end()) state::EncodeTag(it->second.dot, it->second.stamp, p->mutable_mark());
    }
  }
  for (const VersionVector& ctx : observed_ctxs_)
    EncodeVersionVector(ctx, out->add_observed_ctxs());
}

absl::StatusOr<std::unique_ptr<ListValue>> ListValue::DecodeState(const pb::ListState& in,
                                                                  uint64_t seed) {
  auto v = std::make_unique<ListValue>(seed);
  for (const pb::VersionVector& p : in.observed_ctxs()) {
    VersionVector ctx;
    if (!DecodeVersionVector(p, &ctx).ok()) return state::Corrupt("list: bad removal context");
    v->observed_ctxs_.push_back(std::move(ctx));
  }
  absl::flat_hash_set<ElemId, list_internal::ElemIdHash> ids;
  ids.reserve(in.elems_size());
  for (const pb::ListState::Elem& p : in.elems()) {
    const ElemId id{Dot{p.replica(), p.seq()}, p.idx()};
    if (!state::ValidDot(id.dot)) return state::Corrupt("list: element without replica or seq");
    if (p.idx() > std::numeric_limits<uint32_t>::max() >> 1)
      return state::Corrupt("list: element index out of range");
    if (!ids.insert(id).second) return state::Corrupt("list: duplicate element id");
    Elem e;
    e.hlc = p.hlc();
    e.seq = p.seq();
    e.replica = p.replica();
    e.idx_bits = p.idx() << 1;
    e.value = PackedStr::Empty();
    switch (p.removal_case()) {
      case pb::ListState::Elem::kRemovedBy: {
        const Dot by{p.removed_by().replica(), p.removed_by().seq()};
        if (!state::ValidDot(by)) return state::Corrupt("list: removal without replica or seq");
        v->tombs_.emplace(id, Removal{by, 0});
        break;
      }
      case pb::ListState::Elem::kRemovedCtx:
        if (p.removed_ctx() >= v->observed_ctxs_.size())
          return state::Corrupt("list: removal context out of range");
        v->tombs_.emplace(id, Removal{Dot{}, p.removed_ctx()});
        break;
      case pb::ListState::Elem::REMOVAL_NOT_SET:
        break;
    }
    if (p.removal_case() != pb::ListState::Elem::REMOVAL_NOT_SET) {
      if (!p.value().empty() || p.has_mark()) return state::Corrupt("list: tombstone with data");
      e.idx_bits |= 1;
    } else {
      if (p.has_mark()) {
        SetMark mark;
        absl::Status st = state::DecodeTag(p.mark(), &mark.dot, &mark.stamp);
        if (!st.ok()) return st;
        // An LSET wins only over an older value.
        if (!(e.stamp() < mark.stamp)) return state::Corrupt("list: LSET mark older than element");
        v->marks_.emplace(id, mark);
      }
      e.value = PackedStr::Make(p.value());
      v->heap_bytes_ += e.value.HeapBytes();
      ++v->live_;
    }
    // Appending moves nothing; the destructor frees the values of what is in the ring so far.
    v->ring_.Insert(v->ring_.size(), &e, 1);
  }
  // Tombstones alone are a valid state: they still place concurrent inserts (Droppable).
  if (v->ring_.empty()) return state::Corrupt("list: no element");
  v->max_valid_ = false;
  return v;
}

}  // namespace cordis
