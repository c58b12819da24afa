// The join of two keyspace states (see state_join.h for the rule). It works on the encoded
// states (proto/cordis/state.proto), where every entry is explicit with its dot, so the CRDT
// classes keep their internals to themselves; the result is decoded (and so validated) by the
// same DecodeKeyState as any snapshot.
#include "core/snapshot/state_join.h"

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "cordis/state.pb.h"
#include "core/crdt/zset.h"
#include "core/op/op_codec.h"

namespace cordis {
namespace {

using DotKey = std::pair<uint32_t, uint64_t>;
template <typename T>
using Repeated = google::protobuf::RepeatedPtrField<T>;

absl::Status Contradiction(std::string_view what) {
  return absl::DataLossError(std::string("state join: ") + std::string(what));
}

DotKey KeyOf(const pb::Tag& t) { return {t.replica(), t.seq()}; }
DotKey KeyOf(const pb::BytesReg& r) { return KeyOf(r.tag()); }
DotKey KeyOf(const pb::ScoreReg& r) { return KeyOf(r.tag()); }
DotKey KeyOf(const pb::ExpiryEntry& e) { return {e.replica(), e.seq()}; }
DotKey KeyOf(const pb::WriteDot& w) { return {w.replica(), w.seq()}; }
DotKey KeyOf(const pb::IncrementLogState::Entry& e) { return {e.replica(), e.seq()}; }

bool Covers(const VersionVector& vv, const DotKey& d) { return vv.Covers(Dot{d.first, d.second}); }

template <typename T>
absl::flat_hash_set<DotKey> DotsOf(const Repeated<T>* entries) {
  absl::flat_hash_set<DotKey> dots;
  if (entries != nullptr)
    for (const T& e : *entries) dots.insert(KeyOf(e));
  return dots;
}

// The dot rule over one kind of entry: entries on both sides stay, an entry on one side stays
// unless the other side has seen its dot. a's entries first, in their order, then b's.
template <typename T>
void JoinByDot(const Repeated<T>* a, const VersionVector& avv, const Repeated<T>* b,
               const VersionVector& bvv, Repeated<T>* out) {
  const absl::flat_hash_set<DotKey> in_a = DotsOf(a), in_b = DotsOf(b);
  if (a != nullptr)
    for (const T& e : *a)
      if (in_b.contains(KeyOf(e)) || !Covers(bvv, KeyOf(e))) *out->Add() = e;
  if (b != nullptr)
    for (const T& e : *b)
      if (!in_a.contains(KeyOf(e)) && !Covers(avv, KeyOf(e))) *out->Add() = e;
}

// --- Increment logs (strings, hash fields) ---

// A fold survives the join unless the other side has removed its increments: the other side
// still holds one of them pending, or folds the same lineage, or has not seen them at all.
bool FoldSurvives(const pb::IncrementLogState& fold, const pb::IncrementLogState* other,
                  const VersionVector& other_vv) {
  VersionVector fvv;
  if (!DecodeVersionVector(fold.folded_vv(), &fvv).ok()) return false;
  if (!other_vv.Dominates(fvv)) return true;
  if (other == nullptr) return false;
  if (other->has_folded() && KeyOf(other->folded_first()) == KeyOf(fold.folded_first()))
    return true;
  for (const auto& e : other->pending())
    if (Covers(fvv, KeyOf(e))) return true;
  return false;
}

absl::Status JoinLog(const pb::IncrementLogState* a, const VersionVector& avv,
                     const pb::IncrementLogState* b, const VersionVector& bvv,
                     pb::IncrementLogState* out) {
  const bool keep_a = a != nullptr && a->has_folded() && FoldSurvives(*a, b, bvv);
  const bool keep_b = b != nullptr && b->has_folded() && FoldSurvives(*b, a, avv);
  const pb::IncrementLogState* fold = keep_a ? a : keep_b ? b : nullptr;
  if (keep_a && keep_b) {
    // One lineage: the longer prefix, which must contain the shorter.
    if (KeyOf(a->folded_first()) != KeyOf(b->folded_first()))
      return Contradiction("two live increment folds of different lineages");
    VersionVector fa, fb;
    if (!DecodeVersionVector(a->folded_vv(), &fa).ok() ||
        !DecodeVersionVector(b->folded_vv(), &fb).ok())
      return Contradiction("bad folded vector");
    if (fa.Dominates(fb)) {
      fold = a;
    } else if (fb.Dominates(fa)) {
      fold = b;
    } else {
      return Contradiction("increment folds that are not prefixes of each other");
    }
  }
  VersionVector folded;
  if (fold != nullptr) {
    if (!DecodeVersionVector(fold->folded_vv(), &folded).ok())
      return Contradiction("bad folded vector");
    out->set_folded(fold->folded());
    *out->mutable_folded_vv() = fold->folded_vv();
    out->set_folded_rank(fold->folded_rank());
    out->set_folded_hlc(fold->folded_hlc());
    out->set_folded_replica(fold->folded_replica());
    *out->mutable_folded_first() = fold->folded_first();
  }
  Repeated<pb::IncrementLogState::Entry> pending;
  JoinByDot(a ? &a->pending() : nullptr, avv, b ? &b->pending() : nullptr, bvv, &pending);
  std::vector<const pb::IncrementLogState::Entry*> sorted;
  for (const auto& e : pending)
    if (!Covers(folded, KeyOf(e))) sorted.push_back(&e);
  std::sort(sorted.begin(), sorted.end(), [](const auto* x, const auto* y) {
    return std::make_tuple(x->rank(), x->replica(), x->seq()) <
           std::make_tuple(y->rank(), y->replica(), y->seq());
  });
  for (const auto* e : sorted) *out->add_pending() = *e;
  return absl::OkStatus();
}

bool LogEmpty(const pb::IncrementLogState& log) {
  return !log.has_folded() && log.pending_size() == 0;
}

// --- Per type ---

absl::Status JoinString(const pb::StringState* a, const VersionVector& avv,
                        const pb::StringState* b, const VersionVector& bvv, pb::StringState* out) {
  JoinByDot(a ? &a->regs() : nullptr, avv, b ? &b->regs() : nullptr, bvv, out->mutable_regs());
  const pb::IncrementLogState* la = a && a->has_incrs() ? &a->incrs() : nullptr;
  const pb::IncrementLogState* lb = b && b->has_incrs() ? &b->incrs() : nullptr;
  if (la != nullptr || lb != nullptr) {
    absl::Status st = JoinLog(la, avv, lb, bvv, out->mutable_incrs());
    if (!st.ok()) return st;
    if (LogEmpty(out->incrs())) out->clear_incrs();
  }
  return absl::OkStatus();
}

// Entries of a keyed collection (set members, hash fields, sorted-set members) on either side,
// a's order first.
template <typename T, typename NameOf>
std::vector<std::pair<const T*, const T*>> Pair(const Repeated<T>* a, const Repeated<T>* b,
                                                NameOf name_of) {
  std::vector<std::pair<const T*, const T*>> pairs;
  absl::flat_hash_map<std::string, size_t> at;
  if (a != nullptr)
    for (const T& e : *a) {
      at.emplace(std::string(name_of(e)), pairs.size());
      pairs.emplace_back(&e, nullptr);
    }
  if (b != nullptr)
    for (const T& e : *b) {
      auto it = at.find(std::string(name_of(e)));
      if (it != at.end()) {
        pairs[it->second].second = &e;
      } else {
        pairs.emplace_back(nullptr, &e);
      }
    }
  return pairs;
}

void JoinSet(const pb::SetState* a, const VersionVector& avv, const pb::SetState* b,
             const VersionVector& bvv, pb::SetState* out) {
  auto pairs = Pair(a ? &a->members() : nullptr, b ? &b->members() : nullptr,
                    [](const pb::SetState::Member& m) -> const std::string& { return m.member(); });
  for (const auto& [ma, mb] : pairs) {
    pb::SetState::Member m;
    m.set_member(ma ? ma->member() : mb->member());
    JoinByDot(ma ? &ma->tags() : nullptr, avv, mb ? &mb->tags() : nullptr, bvv, m.mutable_tags());
    if (m.tags_size() > 0) *out->add_members() = std::move(m);
  }
}

absl::Status JoinHash(const pb::HashState* a, const VersionVector& avv, const pb::HashState* b,
                      const VersionVector& bvv, pb::HashState* out) {
  auto pairs = Pair(a ? &a->fields() : nullptr, b ? &b->fields() : nullptr,
                    [](const pb::HashState::Field& f) -> const std::string& { return f.name(); });
  for (const auto& [fa, fb] : pairs) {
    pb::HashState::Field f;
    f.set_name(fa ? fa->name() : fb->name());
    JoinByDot(fa ? &fa->regs() : nullptr, avv, fb ? &fb->regs() : nullptr, bvv, f.mutable_regs());
    const pb::IncrementLogState* la = fa && fa->has_incrs() ? &fa->incrs() : nullptr;
    const pb::IncrementLogState* lb = fb && fb->has_incrs() ? &fb->incrs() : nullptr;
    if (la != nullptr || lb != nullptr) {
      absl::Status st = JoinLog(la, avv, lb, bvv, f.mutable_incrs());
      if (!st.ok()) return st;
      if (LogEmpty(f.incrs())) f.clear_incrs();
    }
    if (f.regs_size() > 0 || f.has_incrs()) *out->add_fields() = std::move(f);
  }
  return absl::OkStatus();
}

// Score registers of one sorted-set member. Compaction folds stable increments into the winning
// register's score (or into a register it creates with the first increment's dot), so a register
// on both sides takes its score from the side that has folded more, and a register on one side
// whose dot is an increment on the other is such a fold, not a removal.
void JoinScoreRegs(const pb::ZsetState::Entry* a, const VersionVector& avv,
                   const pb::ZsetState::Entry* b, const VersionVector& bvv,
                   pb::ZsetState::Entry* out) {
  const absl::flat_hash_set<DotKey> incrs_a = DotsOf(a ? &a->incrs() : nullptr);
  const absl::flat_hash_set<DotKey> incrs_b = DotsOf(b ? &b->incrs() : nullptr);
  auto folded_more = [](const absl::flat_hash_set<DotKey>& mine, const VersionVector& vv,
                        const absl::flat_hash_set<DotKey>& other) {
    for (const DotKey& d : other)
      if (!mine.contains(d) && Covers(vv, d)) return true;
    return false;
  };
  const bool a_folded_more = folded_more(incrs_a, avv, incrs_b);
  absl::flat_hash_map<DotKey, const pb::ScoreReg*> regs_b;
  if (b != nullptr)
    for (const pb::ScoreReg& r : b->regs()) regs_b.emplace(KeyOf(r), &r);
  absl::flat_hash_set<DotKey> regs_a;
  if (a != nullptr) {
    for (const pb::ScoreReg& r : a->regs()) {
      regs_a.insert(KeyOf(r));
      auto other = regs_b.find(KeyOf(r));
      if (other != regs_b.end()) {
        *out->add_regs() = a_folded_more ? r : *other->second;
      } else if (!Covers(bvv, KeyOf(r)) || incrs_b.contains(KeyOf(r))) {
        *out->add_regs() = r;
      }
    }
  }
  if (b != nullptr)
    for (const pb::ScoreReg& r : b->regs())
      if (!regs_a.contains(KeyOf(r)) && (!Covers(avv, KeyOf(r)) || incrs_a.contains(KeyOf(r))))
        *out->add_regs() = r;
}

void JoinZset(const pb::ZsetState* a, const VersionVector& avv, const pb::ZsetState* b,
              const VersionVector& bvv, pb::ZsetState* out) {
  auto pairs = Pair(a ? &a->entries() : nullptr, b ? &b->entries() : nullptr,
                    [](const pb::ZsetState::Entry& e) -> const std::string& { return e.member(); });
  bool skiplist = (a && a->skiplist()) || (b && b->skiplist());
  for (const auto& [ea, eb] : pairs) {
    pb::ZsetState::Entry e;
    e.set_member(ea ? ea->member() : eb->member());
    JoinByDot(ea ? &ea->adds() : nullptr, avv, eb ? &eb->adds() : nullptr, bvv, e.mutable_adds());
    if (e.adds_size() == 0) continue;
    JoinScoreRegs(ea, avv, eb, bvv, &e);
    Repeated<pb::ScoreReg> incrs;
    JoinByDot(ea ? &ea->incrs() : nullptr, avv, eb ? &eb->incrs() : nullptr, bvv, &incrs);
    std::vector<const pb::ScoreReg*> sorted;
    for (const pb::ScoreReg& r : incrs) sorted.push_back(&r);
    auto order = [](const pb::ScoreReg* r) {
      const pb::Tag& t = r->tag();
      return std::make_tuple(t.hlc(), t.has_stamp_replica() ? t.stamp_replica() : t.replica(),
                             t.replica(), t.seq());
    };
    std::sort(sorted.begin(), sorted.end(),
              [&](const auto* x, const auto* y) { return order(x) < order(y); });
    for (const pb::ScoreReg* r : sorted) *e.add_incrs() = *r;
    if (e.member().size() > ZsetValue::kListpackMaxValue) skiplist = true;
    *out->add_entries() = std::move(e);
  }
  if (static_cast<size_t>(out->entries_size()) > ZsetValue::kListpackMaxEntries) skiplist = true;
  out->set_skiplist(skiplist);
}

// --- Lists (RGA) ---
//
// Each side's elements are the RGA sequence (core/crdt/rga_list.h) restricted to what that side
// holds: what it has seen, less the tombstones it compacted. An element on one side only is
//  - news to the other side (its dot not seen there): it stays;
//  - or seen by the other side, which no longer holds it: removed there and its tombstone compacted
//    away (a replica forgets a list element in no other way). Compaction means the removal was
//    stable there, so every op still to come has seen it: the element goes here too.
// Keeping those (as the join once did, as tombstones) is not just useless but wrong: when each side
// compacted a tombstone the other still holds, nothing in the two states orders them. With P at the
// head and Q after P, Q's key is greater than P's, and a side holding [Q, C] and one holding
// [P, C] could as well come from P and Q being siblings (Q first); the greater-key-first merge put
// Q first, and a later join with a state holding [P, Q, C] found the contradiction.
//
// What is left are the common elements, in the same order on both sides, and between two of them
// elements news to the other side, which the merge takes greater key first. That is the RGA order.
// Take the first step where it would not be: x, news to b, comes before y, news to a, in the RGA
// order, and key(y) > key(x). y is no descendant of x (b, holding y, would have seen x), and y's
// parent p lies between x and y (were p before x, x would be in the subtree of an older sibling
// of y, with a greater key than y). p is not common (it would separate x from y on both sides) nor
// news to a (it would have gone before y, out of order already), so it was dropped on some side.
// Not because a compacted it: y, news to a, was made after everything stable at a, yet inserted
// after p while p was alive. So b compacted p while holding y (had y come later, the same
// argument applies), which it does only if the element F that followed p was stable there; F lies
// in p's subtree before y (not y itself, which a has not seen), so key(F) > key(y); and x, news to
// b, was made after F was stable there, so key(x) > key(F) > key(y): a contradiction. The same
// holds with the sides swapped, so the result does not depend on which side is a.

using ElemKey = std::tuple<uint32_t, uint64_t, uint32_t>;  // (replica, seq, idx)
ElemKey IdOf(const pb::ListState::Elem& e) { return {e.replica(), e.seq(), e.idx()}; }
// The RGA order key: (hlc, replica, seq, idx), as in core/crdt/rga_list.h.
auto OrderKey(const pb::ListState::Elem& e) {
  return std::make_tuple(e.hlc(), e.replica(), e.seq(), e.idx());
}
bool Tombstone(const pb::ListState::Elem& e) {
  return e.removal_case() != pb::ListState::Elem::REMOVAL_NOT_SET;
}

class ListJoin {
 public:
  ListJoin(const pb::ListState* a, const VersionVector& avv, const pb::ListState* b,
           const VersionVector& bvv, pb::ListState* out)
      : a_(a), b_(b), avv_(avv), bvv_(bvv), out_(out) {
    if (a_ != nullptr) *out_->mutable_observed_ctxs() = a_->observed_ctxs();
    b_offset_ = out_->observed_ctxs_size();
    if (b_ != nullptr)
      for (const auto& c : b_->observed_ctxs()) *out_->add_observed_ctxs() = c;
  }

  absl::Status Run() {
    static const Repeated<pb::ListState::Elem> kNone;
    const auto& ea = a_ ? a_->elems() : kNone;
    const auto& eb = b_ ? b_->elems() : kNone;
    absl::flat_hash_set<ElemKey> in_a, in_b;
    in_a.reserve(ea.size());
    in_b.reserve(eb.size());
    for (const auto& e : ea) in_a.insert(IdOf(e));
    for (const auto& e : eb) in_b.insert(IdOf(e));
    const std::vector<const pb::ListState::Elem*> ka = Kept(ea, in_b, bvv_);
    const std::vector<const pb::ListState::Elem*> kb = Kept(eb, in_a, avv_);
    size_t i = 0, j = 0;
    while (i < ka.size() || j < kb.size()) {
      if (i < ka.size() && j < kb.size() && IdOf(*ka[i]) == IdOf(*kb[j])) {
        Common(*ka[i++], *kb[j++]);
        continue;
      }
      const bool a_only = i < ka.size() && !in_b.contains(IdOf(*ka[i]));
      const bool b_only = j < kb.size() && !in_a.contains(IdOf(*kb[j]));
      if (a_only && (!b_only || OrderKey(*ka[i]) > OrderKey(*kb[j]))) {
        OneSided(*ka[i++], /*from_b=*/false);
      } else if (b_only) {
        OneSided(*kb[j++], /*from_b=*/true);
      } else {
        return Contradiction("lists order their common elements differently");
      }
    }
    return absl::OkStatus();
  }

 private:
  // The elements of one side that stay: those the other side holds too or has not seen.
  static std::vector<const pb::ListState::Elem*> Kept(const Repeated<pb::ListState::Elem>& elems,
                                                      const absl::flat_hash_set<ElemKey>& other,
                                                      const VersionVector& other_vv) {
    std::vector<const pb::ListState::Elem*> kept;
    kept.reserve(elems.size());
    for (const auto& e : elems)
      if (other.contains(IdOf(e)) || !other_vv.Covers(Dot{e.replica(), e.seq()}))
        kept.push_back(&e);
    return kept;
  }

  void CopyRemoval(const pb::ListState::Elem& from, bool from_b, pb::ListState::Elem* to) {
    if (from.has_removed_by()) {
      *to->mutable_removed_by() = from.removed_by();
    } else {
      to->set_removed_ctx(from.removed_ctx() + (from_b ? b_offset_ : 0));
    }
  }

  void Common(const pb::ListState::Elem& x, const pb::ListState::Elem& y) {
    pb::ListState::Elem* e = out_->add_elems();
    if (Tombstone(x) || Tombstone(y)) {
      const bool use_b = !Tombstone(x);
      const pb::ListState::Elem& t = use_b ? y : x;
      Header(t, e);
      CopyRemoval(t, use_b, e);
      return;
    }
    // Both live: the value of the later LSET (an element without one has its insert's value).
    auto mark = [](const pb::ListState::Elem& v) {
      return v.has_mark() ? std::make_tuple(v.mark().hlc(),
                                            v.mark().has_stamp_replica() ? v.mark().stamp_replica()
                                                                         : v.mark().replica(),
                                            v.mark().seq())
                          : std::make_tuple(uint64_t{0}, 0u, uint64_t{0});
    };
    *e = mark(y) > mark(x) ? y : x;
  }

  // An element the other side has not seen, as it is.
  void OneSided(const pb::ListState::Elem& x, bool from_b) {
    pb::ListState::Elem* e = out_->add_elems();
    if (!Tombstone(x)) {
      *e = x;
      return;
    }
    Header(x, e);
    CopyRemoval(x, from_b, e);
  }

  static void Header(const pb::ListState::Elem& from, pb::ListState::Elem* to) {
    to->set_replica(from.replica());
    to->set_seq(from.seq());
    to->set_idx(from.idx());
    to->set_hlc(from.hlc());
  }

  const pb::ListState* a_;
  const pb::ListState* b_;
  const VersionVector& avv_;
  const VersionVector& bvv_;
  pb::ListState* out_;
  uint32_t b_offset_ = 0;
};

// --- Keys ---

struct TypedStates {
  pb::ValueState by_type[6];  // indexed by pb::ValueState::ValueCase
  bool has[6] = {};
};

absl::Status Parse(const pb::KeyState* k, TypedStates* out) {
  if (k == nullptr) return absl::OkStatus();
  for (const std::string& bytes : k->values()) {
    pb::ValueState v;
    if (!v.ParseFromString(bytes)) return Contradiction("unparsable value state");
    const int t = v.value_case();
    if (t <= 0 || t > 5 || out->has[t]) return Contradiction("bad or repeated value type");
    out->has[t] = true;
    out->by_type[t] = std::move(v);
  }
  return absl::OkStatus();
}

// Joins one type's state; *present is false when nothing of it is left.
absl::Status JoinValue(int type, const pb::ValueState* a, const VersionVector& avv,
                       const pb::ValueState* b, const VersionVector& bvv, pb::ValueState* out,
                       bool* present) {
  switch (type) {
    case pb::ValueState::kString: {
      auto* s = out->mutable_string();
      absl::Status st =
          JoinString(a ? &a->string() : nullptr, avv, b ? &b->string() : nullptr, bvv, s);
      *present = s->regs_size() > 0 || s->has_incrs();
      return st;
    }
    case pb::ValueState::kSet:
      JoinSet(a ? &a->set() : nullptr, avv, b ? &b->set() : nullptr, bvv, out->mutable_set());
      *present = out->set().members_size() > 0;
      return absl::OkStatus();
    case pb::ValueState::kHash: {
      absl::Status st = JoinHash(a ? &a->hash() : nullptr, avv, b ? &b->hash() : nullptr, bvv,
                                 out->mutable_hash());
      *present = out->hash().fields_size() > 0;
      return st;
    }
    case pb::ValueState::kZset:
      JoinZset(a ? &a->zset() : nullptr, avv, b ? &b->zset() : nullptr, bvv, out->mutable_zset());
      *present = out->zset().entries_size() > 0;
      return absl::OkStatus();
    case pb::ValueState::kList: {
      ListJoin join(a ? &a->list() : nullptr, avv, b ? &b->list() : nullptr, bvv,
                    out->mutable_list());
      absl::Status st = join.Run();
      // Tombstones alone still place concurrent inserts: the keyspace keeps such a list out of
      // sight until it compacts away, and so does the join.
      *present = out->list().elems_size() > 0;
      return st;
    }
    default:
      return Contradiction("unknown value type");
  }
}

absl::Status JoinKey(const pb::KeyState* a, const VersionVector& avv, const pb::KeyState* b,
                     const VersionVector& bvv, pb::KeyState* out) {
  TypedStates ta, tb;
  absl::Status st = Parse(a, &ta);
  if (st.ok()) st = Parse(b, &tb);
  if (!st.ok()) return st;
  for (int t = 1; t <= 5; ++t) {
    if (!ta.has[t] && !tb.has[t]) continue;
    pb::ValueState v;
    bool present = false;
    st = JoinValue(t, ta.has[t] ? &ta.by_type[t] : nullptr, avv,
                   tb.has[t] ? &tb.by_type[t] : nullptr, bvv, &v, &present);
    if (!st.ok()) return st;
    if (present) out->add_values(v.SerializeAsString());
  }
  JoinByDot(a ? &a->expiry() : nullptr, avv, b ? &b->expiry() : nullptr, bvv,
            out->mutable_expiry());
  // Writes garbage collection still waits on: waiting for the union is always safe.
  absl::flat_hash_set<DotKey> writes;
  for (const pb::KeyState* k : {a, b}) {
    if (k == nullptr) continue;
    for (const pb::WriteDot& w : k->unstable_writes())
      if (writes.insert(KeyOf(w)).second) *out->add_unstable_writes() = w;
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status JoinSnapshotKeys(const pb::Snapshot& mine, const VersionVector& mine_vv,
                              const pb::Snapshot& theirs, const VersionVector& theirs_vv,
                              pb::Snapshot* out) {
  std::map<std::pair<uint32_t, std::string>, const pb::KeyState*> other;
  for (const pb::KeyState& k : theirs.keys())
    if (!other.emplace(std::make_pair(k.db(), k.key()), &k).second)
      return Contradiction("a key appears twice");
  absl::flat_hash_set<std::pair<uint32_t, std::string>> seen;
  for (const pb::KeyState& k : mine.keys()) {
    auto it = other.find(std::make_pair(k.db(), k.key()));
    const pb::KeyState* t = it == other.end() ? nullptr : it->second;
    if (t != nullptr) seen.insert(std::make_pair(k.db(), k.key()));
    pb::KeyState joined;
    joined.set_db(k.db());
    joined.set_key(k.key());
    absl::Status st = JoinKey(&k, mine_vv, t, theirs_vv, &joined);
    if (!st.ok()) return st;
    if (joined.values_size() > 0 || joined.expiry_size() > 0 || joined.unstable_writes_size() > 0)
      *out->add_keys() = std::move(joined);
  }
  for (const pb::KeyState& k : theirs.keys()) {
    if (seen.contains(std::make_pair(k.db(), k.key()))) continue;
    pb::KeyState joined;
    joined.set_db(k.db());
    joined.set_key(k.key());
    absl::Status st = JoinKey(nullptr, mine_vv, &k, theirs_vv, &joined);
    if (!st.ok()) return st;
    if (joined.values_size() > 0 || joined.expiry_size() > 0 || joined.unstable_writes_size() > 0)
      *out->add_keys() = std::move(joined);
  }
  return absl::OkStatus();
}

}  // namespace cordis
