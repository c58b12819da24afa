#include "core/crdt/zset.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <new>

#include "core/base/check.h"

namespace cordis {
namespace {

// The fold step of effective scores: an increment that would make the sum NaN (inf + -inf, which
// the origin refuses locally but concurrent writes can bring together) is skipped.
double AddScore(double acc, double delta) {
  double sum = acc + delta;
  return std::isnan(sum) ? acc : sum;
}

// std::erase_if for any sequence container (absl::InlinedVector has none).
template <typename C, typename P>
void EraseIf(C& c, P pred) {
  c.erase(std::remove_if(c.begin(), c.end(), pred), c.end());
}

bool SameBits(double a, double b) {
  return std::bit_cast<uint64_t>(a) == std::bit_cast<uint64_t>(b);
}

bool IncrBefore(const Dot& a_dot, const Stamp& a_stamp, const Dot& b_dot, const Stamp& b_stamp) {
  if (a_stamp != b_stamp) return a_stamp < b_stamp;
  return a_dot < b_dot;
}

}  // namespace

ZsetValue::ZsetValue(uint64_t seed) : Value(kType), members_(seed) {}

ZsetValue::~ZsetValue() {
  members_.Clear([](Entry* e) {
    e->~Entry();
    ::operator delete(static_cast<void*>(e));
  });
}

ZsetValue::Entry* ZsetValue::FindOrCreate(std::string_view member) {
  uint64_t hash = members_.Hash(member);
  if (Entry* e = members_.Find(member, hash)) return e;
  if (members_.size() + 1 > kListpackMaxEntries || member.size() > kListpackMaxValue)
    listpack_ = false;
  size_t bytes = sizeof(Entry) + member.size();
  void* memory = ::operator new(bytes);
  Entry* e = new (memory) Entry();
  e->len = static_cast<uint32_t>(member.size());
  if (!member.empty()) std::memcpy(reinterpret_cast<char*>(e + 1), member.data(), member.size());
  members_.Insert(e, hash);
  entry_bytes_ += bytes;
  return e;
}

void ZsetValue::Destroy(Entry* e) {
  if (e->indexed) index_.Erase(e->score, e->DictKey());
  members_.Remove(e);
  pending_.erase(e);
  entry_bytes_ -= sizeof(Entry) + e->len;
  e->~Entry();
  ::operator delete(static_cast<void*>(e));
  max_stamp_dirty_ = true;
}

const ZsetValue::Reg* ZsetValue::Winner(const Entry& e) {
  const Reg* w = nullptr;
  for (const Reg& r : e.regs)
    if (w == nullptr || r.stamp > w->stamp) w = &r;
  return w;
}

double ZsetValue::EffectiveScore(const Entry& e) {
  // Without a register the base is -0.0, the identity of addition: a member made by ZINCRBY has
  // exactly the increment as its score, as in Redis (0.0 + -0.0 would turn -0 into 0).
  const Reg* w = Winner(e);
  double score = w != nullptr ? w->score : -0.0;
  for (const Incr& i : e.incrs) score = AddScore(score, i.delta);
  return score;
}

bool ZsetValue::NeedsCompaction(const Entry& e) {
  return e.adds.size() > 1 || e.regs.size() > 1 || !e.incrs.empty();
}

void ZsetValue::Refresh(Entry* e) {
  CHECK(!e->adds.empty());
  double score = EffectiveScore(*e);
  CHECK(!std::isnan(score));
  if (!e->indexed) {
    index_.Insert(score, e->DictKey());
    e->indexed = true;
    e->score = score;
  } else if (!SameBits(score, e->score)) {
    index_.UpdateScore(e->score, e->DictKey(), score);
    e->score = score;
  }
  if (NeedsCompaction(*e)) {
    pending_.insert(e);
  } else {
    pending_.erase(e);
  }
}

void ZsetValue::AddTag(Entry* e, const Op& op) {
  // The op's own dot can already be there when one ZADD names a member twice.
  EraseIf(e->adds, [&](const Tag& t) { return t.dot == op.dot || op.ctx->Covers(t.dot); });
  e->adds.push_back(Tag{op.dot, op.stamp});
  // The tags replaced were seen by this op, so their stamps are smaller: the maximum only grows.
  if (op.stamp > max_stamp_) max_stamp_ = op.stamp;
}

void ZsetValue::Apply(const delta::ZsetAdd& d, const Op& op) {
  for (const auto& [score, member] : d.items) {
    CHECK(!std::isnan(score));
    Entry* e = FindOrCreate(member);
    AddTag(e, op);
    EraseIf(e->regs, [&](const Reg& r) { return r.dot == op.dot || op.ctx->Covers(r.dot); });
    e->regs.push_back(Reg{op.dot, op.stamp, score});
    // A ZADD sets the score: the increments its origin had seen are reset.
    EraseIf(e->incrs, [&](const Incr& i) { return op.ctx->Covers(i.dot); });
    Refresh(e);
  }
}

void ZsetValue::Apply(const delta::ZsetIncr& d, const Op& op) {
  CHECK(!std::isnan(d.delta));
  Entry* e = FindOrCreate(d.member);
  AddTag(e, op);
  auto it = std::find_if(e->incrs.begin(), e->incrs.end(), [&](const Incr& i) {
    return IncrBefore(op.dot, op.stamp, i.dot, i.stamp);
  });
  e->incrs.insert(it, Incr{op.dot, op.stamp, d.delta});
  Refresh(e);
}

bool ZsetValue::RemoveCovered(Entry* e, const VersionVector& ctx) {
  size_t tags = e->adds.size();
  EraseIf(e->adds, [&](const Tag& t) { return ctx.Covers(t.dot); });
  if (e->adds.empty()) {
    Destroy(e);
    return false;
  }
  if (e->adds.size() != tags) max_stamp_dirty_ = true;
  EraseIf(e->regs, [&](const Reg& r) { return ctx.Covers(r.dot); });
  EraseIf(e->incrs, [&](const Incr& i) { return ctx.Covers(i.dot); });
  Refresh(e);
  return true;
}

void ZsetValue::Apply(const delta::ZsetRemove& d, const Op& op) {
  for (std::string_view member : d.members) {
    Entry* e = members_.Find(member);
    if (e != nullptr) RemoveCovered(e, *op.ctx);
  }
}

void ZsetValue::RemoveObserved(const VersionVector& ctx) {
  std::vector<Entry*> all;
  all.reserve(members_.size());
  members_.ForEach([&](Entry* e) { all.push_back(e); });
  for (Entry* e : all) RemoveCovered(e, ctx);
}

Stamp ZsetValue::MaxStamp() const {
  if (max_stamp_dirty_) {
    // Membership tags carry the greatest stamps: a register entry or increment shares its op's
    // tag until a later op (greater stamp) replaces that tag.
    max_stamp_ = Stamp{};
    members_.ForEach([&](const Entry* e) {
      for (const Tag& t : e->adds) max_stamp_ = std::max(max_stamp_, t.stamp);
    });
    max_stamp_dirty_ = false;
  }
  return max_stamp_;
}

bool ZsetValue::CompactEntry(Entry* e, const VersionVector& stable) {
  // Membership: tags every replica has seen are removed together by any later op, so one of them
  // (the greatest stamp, which MaxStamp may need) stands for all.
  if (e->adds.size() > 1) {
    const Tag* keep = nullptr;
    for (const Tag& t : e->adds)
      if (stable.Covers(t.dot) && (keep == nullptr || t.stamp > keep->stamp)) keep = &t;
    if (keep != nullptr) {
      Dot keep_dot = keep->dot;
      EraseIf(e->adds, [&](const Tag& t) { return stable.Covers(t.dot) && t.dot != keep_dot; });
    }
  }
  // Increments: fold the stable stamp-prefix into the winning register when that register is
  // stable too (or absent: the base is 0), so both disappear together under any later ZADD/ZREM.
  const Reg* w = Winner(*e);
  if (!e->incrs.empty() && (w == nullptr || stable.Covers(w->dot))) {
    size_t n = 0;
    while (n < e->incrs.size() && stable.Covers(e->incrs[n].dot)) ++n;
    if (n > 0) {
      if (w == nullptr) e->regs.push_back(Reg{e->incrs[0].dot, Stamp{}, -0.0});
      Reg* target = const_cast<Reg*>(Winner(*e));
      for (size_t i = 0; i < n; ++i) target->score = AddScore(target->score, e->incrs[i].delta);
      e->incrs.erase(e->incrs.begin(), e->incrs.begin() + static_cast<std::ptrdiff_t>(n));
    }
  }
  // Registers: a stable loser can never win again (whatever removes the winner removes it too).
  if (e->regs.size() > 1) {
    Dot winner = Winner(*e)->dot;
    EraseIf(e->regs, [&](const Reg& r) { return stable.Covers(r.dot) && r.dot != winner; });
  }
  CHECK(SameBits(EffectiveScore(*e), e->score));
  return NeedsCompaction(*e);
}

void ZsetValue::Compact(const VersionVector& stable) {
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (CompactEntry(*it, stable)) {
      ++it;
    } else {
      pending_.erase(it++);
    }
  }
}

size_t ZsetValue::MemoryBytes() const {
  return sizeof(*this) + entry_bytes_ + members_.MemoryBytes() + index_.MemoryBytes() +
         pending_.capacity() * sizeof(Entry*);
}

std::optional<double> ZsetValue::Score(std::string_view member) const {
  const Entry* e = members_.Find(member);
  if (e == nullptr) return std::nullopt;
  return e->score;
}

std::optional<size_t> ZsetValue::Rank(std::string_view member) const {
  const Entry* e = members_.Find(member);
  if (e == nullptr) return std::nullopt;
  return index_.Rank(e->score, e->DictKey());
}

std::vector<std::pair<std::string, double>> ZsetValue::Contents() const {
  std::vector<std::pair<std::string, double>> out;
  out.reserve(index_.size());
  index_.ForEachFromRank(0, false, [&](double score, std::string_view member) {
    out.emplace_back(std::string(member), score);
    return true;
  });
  return out;
}

void ZsetValue::CheckInvariants() const {
  index_.CheckInvariants();
  CHECK_EQ(index_.size(), members_.size());
  size_t pending = 0;
  members_.ForEach([&](const Entry* e) {
    CHECK(e->indexed);
    CHECK(!e->adds.empty());
    CHECK(SameBits(EffectiveScore(*e), e->score));
    CHECK(std::is_sorted(e->incrs.begin(), e->incrs.end(), [](const Incr& a, const Incr& b) {
      return IncrBefore(a.dot, a.stamp, b.dot, b.stamp);
    }));
    auto [score, member] = index_.At(index_.Rank(e->score, e->DictKey()));
    CHECK(member.data() == e->bytes());
    CHECK(SameBits(score, e->score));
    bool needs = NeedsCompaction(*e);
    CHECK_EQ(needs, pending_.contains(const_cast<Entry*>(e)));
    if (needs) ++pending;
  });
  CHECK_EQ(pending, pending_.size());
}

}  // namespace cordis
