#include "core/crdt/rga_list.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <type_traits>

#include "absl/container/inlined_vector.h"

namespace cordis {

using list_internal::Elem;
using list_internal::PackedStr;

ListValue::ListValue(uint64_t seed) : Value(kType) {
  (void)seed;  // nothing here is hashed into an order that reaches a reply
}

ListValue::~ListValue() {
  for (size_t i = 0; i < ring_.size(); ++i) ring_[i].value.Free();
}

void ListValue::Apply(const delta::ListInsert& d, const Op& op) {
  if (d.values.empty()) return;
  CHECK_EQ(op.stamp.replica, op.dot.replica);
  CHECK_NE(op.dot.seq, 0u);
  const size_t n = d.values.size();
  CHECK_LT(n, size_t{1} << 31);

  // Where the RGA scan starts: right after the reference, or at the head. A reference that is not
  // here at all falls back to the head: the keyspace dropped this replica's list, tombstones and
  // all, when its live elements were gone, and this insert was concurrent with the removals (see
  // the header).
  size_t pos = 0;
  if (d.after.has_value()) {
    if (std::optional<size_t> ref = Find(*d.after)) pos = *ref + 1;
  }
  // Skip newer concurrent siblings (and their subtrees). Every element of this op compares the
  // same way against existing elements, so one scan places the whole block.
  const auto key = std::make_tuple(op.stamp.hlc, op.dot.replica, op.dot.seq, uint32_t{0});
  while (pos < ring_.size() && ring_[pos].key() > key) ++pos;

  absl::InlinedVector<Elem, 4> block(n);
  for (size_t j = 0; j < n; ++j) {
    // At the head each value goes in front of the previous one; after a reference they chain.
    const size_t idx = d.after.has_value() ? j : n - 1 - j;
    Elem& e = block[j];
    e.hlc = op.stamp.hlc;
    e.seq = op.dot.seq;
    e.replica = op.dot.replica;
    e.idx_bits = static_cast<uint32_t>(idx << 1);
    e.value = PackedStr::Make(d.values[idx]);
    heap_bytes_ += e.value.HeapBytes();
  }
  ring_.Insert(pos, block.data(), n);
  live_ += n;
  hint_ = pos;
  NoteStamp(op.stamp);
}

void ListValue::Apply(const delta::ListRemove& d, const Op& op) {
  for (const ElemId& id : d.ids) {
    std::optional<size_t> pos = Find(id);
    if (!pos.has_value() || ring_[*pos].removed()) continue;  // concurrently removed
    MakeTombstone(*pos, Removal{op.dot, 0});
  }
}

void ListValue::Apply(const delta::ListSet& d, const Op& op) {
  std::optional<size_t> pos = Find(d.id);
  if (!pos.has_value()) return;
  Elem& e = ring_[*pos];
  if (e.removed()) return;                      // remove wins over a concurrent LSET
  if (!(EffectiveStamp(e) < op.stamp)) return;  // an LSET with a greater stamp won already
  heap_bytes_ -= e.value.HeapBytes();
  e.value.Free();
  e.value = PackedStr::Make(d.value);
  heap_bytes_ += e.value.HeapBytes();
  marks_[d.id] = SetMark{op.stamp, op.dot};
  NoteStamp(op.stamp);
}

void ListValue::RemoveObserved(const VersionVector& ctx) {
  const uint32_t ctx_index = static_cast<uint32_t>(observed_ctxs_.size());
  bool any = false;
  for (size_t pos = 0; pos < ring_.size(); ++pos) {
    const Elem& e = ring_[pos];
    if (e.removed() || !ctx.Covers(e.dot())) continue;
    MakeTombstone(pos, Removal{Dot{}, ctx_index});
    any = true;
  }
  if (any) observed_ctxs_.push_back(ctx);
}

void ListValue::MakeTombstone(size_t pos, Removal removal) {
  Elem& e = ring_[pos];
  const ElemId id = e.id();
  if (max_valid_ && !(EffectiveStamp(e) < max_)) max_valid_ = false;
  if (!marks_.empty()) marks_.erase(id);
  heap_bytes_ -= e.value.HeapBytes();
  e.value.Free();
  e.idx_bits |= 1;
  --live_;
  tombs_.emplace(id, removal);
  compacted_at_.reset();
  hint_ = pos;
  if (live_ == 0) {
    max_ = Stamp{};
    max_valid_ = true;
  }
}

Stamp ListValue::EffectiveStamp(const Elem& e) const {
  Stamp s = e.stamp();
  if (!marks_.empty()) {
    auto it = marks_.find(e.id());
    if (it != marks_.end() && s < it->second.stamp) s = it->second.stamp;
  }
  return s;
}

Stamp ListValue::MaxStamp() const {
  if (!max_valid_) {
    // Recomputed only after the element holding the maximum was removed.
    Stamp m{};
    for (size_t i = 0; i < ring_.size(); ++i) {
      if (!ring_[i].removed()) m = std::max(m, ring_[i].stamp());
    }
    for (const auto& [id, mark] : marks_) m = std::max(m, mark.stamp);  // marks: live only
    max_ = m;
    max_valid_ = true;
  }
  return max_;
}

bool ListValue::RemovalStable(const Removal& r, const VersionVector& stable) const {
  if (r.by.seq != 0) return stable.Covers(r.by);
  // RemoveObserved does not learn the removing op's dot, only its context C (the origin's
  // vector before the op, whose dot is (origin, C[origin] + 1)). Conservatively require that
  // stable has moved past C for every replica either of them names.
  const VersionVector& ctx = observed_ctxs_[r.ctx_index];
  if (stable.empty()) return false;
  for (const auto& [replica, seq] : ctx.entries()) {
    if (stable.Get(replica) <= seq) return false;
  }
  for (const auto& [replica, seq] : stable.entries()) {
    if (seq <= ctx.Get(replica)) return false;
  }
  return true;
}

void ListValue::Compact(const VersionVector& stable) {
  if (ring_.size() == live_) return;
  // A tombstone may go when its removal is stable and the element after it is no descendant of
  // it or is stable itself (see the header for why that keeps every later insert in place).
  auto droppable = [&](const Elem& e, const Elem* next) {
    auto it = tombs_.find(e.id());
    CHECK(it != tombs_.end());
    if (!RemovalStable(it->second, stable)) return false;
    return next == nullptr || next->key() < e.key() || stable.Covers(next->dot());
  };
  // Tombstones at the ends (pops, LTRIM) go in O(1) each.
  while (!ring_.empty() && ring_.back().removed() && droppable(ring_.back(), nullptr)) {
    tombs_.erase(ring_.back().id());
    ring_.PopBack();
  }
  while (!ring_.empty() && ring_.front().removed() &&
         droppable(ring_.front(), ring_.size() > 1 ? &ring_[1] : nullptr)) {
    tombs_.erase(ring_.front().id());
    ring_.PopFront();
  }
  hint_ = 0;
  if (ring_.size() != live_) {
    // Tombstones in the middle: one pass over the ring, only when some removal may have become
    // stable since the last pass.
    if (compacted_at_.has_value() && *compacted_at_ == stable) return;
    compacted_at_ = stable;
    bool any = false;
    for (const auto& [id, removal] : tombs_) {
      if (RemovalStable(removal, stable)) {
        any = true;
        break;
      }
    }
    if (!any) return;
    ring_.FilterFromBack([&](const Elem& e, const Elem* next_kept) {
      if (!e.removed() || !droppable(e, next_kept)) return true;
      tombs_.erase(e.id());
      return false;
    });
  }
  if (ring_.size() == live_) {
    CHECK(tombs_.empty());
    observed_ctxs_.clear();
    compacted_at_.reset();
  }
}

size_t ListValue::MemoryBytes() const {
  size_t bytes = sizeof(*this) + ring_.AllocatedBytes() + heap_bytes_;
  bytes += tombs_.capacity() * (sizeof(std::pair<ElemId, Removal>) + 1);
  bytes += marks_.capacity() * (sizeof(std::pair<ElemId, SetMark>) + 1);
  bytes += observed_ctxs_.capacity() * sizeof(VersionVector);
  return bytes;
}

size_t ListValue::Position(size_t index) const {
  CHECK_LT(index, live_);
  if (ring_.size() == live_) {
    hint_ = index;
    return index;
  }
  if (index < live_ / 2) {
    size_t seen = 0;
    for (size_t pos = 0;; ++pos) {
      if (ring_[pos].removed()) continue;
      if (seen++ == index) return hint_ = pos;
    }
  }
  const size_t from_back = live_ - 1 - index;
  size_t seen = 0;
  for (size_t pos = ring_.size(); pos-- > 0;) {
    if (ring_[pos].removed()) continue;
    if (seen++ == from_back) return hint_ = pos;
  }
  CHECK(false);  // live_ counts the live elements in the ring
  return 0;
}

std::optional<size_t> ListValue::Find(const ElemId& id) const {
  const size_t n = ring_.size();
  if (n == 0) return std::nullopt;
  // Search outwards from the hint and inwards from both ends at once: ops touch the ends or the
  // neighbours of what the previous lookup found.
  const size_t h = std::min(hint_, n - 1);
  for (size_t d = 0; d <= (n - 1) / 2; ++d) {
    size_t candidates[4] = {h + d, d <= h ? h - d : n, d, n - 1 - d};
    for (size_t pos : candidates) {
      if (pos < n && ring_[pos].Is(id)) return hint_ = pos;
    }
  }
  return std::nullopt;
}

std::vector<std::string> ListValue::Contents() const {
  std::vector<std::string> out;
  out.reserve(live_);
  for (size_t i = 0; i < ring_.size(); ++i) {
    if (!ring_[i].removed()) out.emplace_back(ring_[i].value.view());
  }
  return out;
}

std::vector<std::pair<ElemId, std::string>> ListValue::Entries() const {
  std::vector<std::pair<ElemId, std::string>> out;
  out.reserve(live_);
  for (size_t i = 0; i < ring_.size(); ++i) {
    if (!ring_[i].removed()) out.emplace_back(ring_[i].id(), std::string(ring_[i].value.view()));
  }
  return out;
}

}  // namespace cordis
