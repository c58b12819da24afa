#include "core/crdt/or_map.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <type_traits>

#include "core/base/check.h"
#include "core/base/strings.h"
#include "core/crdt/lww_string.h"

namespace cordis {
namespace {

template <typename T>
T Plus(T a, T b) {
  if constexpr (std::is_integral_v<T>) {
    return static_cast<T>(static_cast<std::make_unsigned_t<T>>(a) +
                          static_cast<std::make_unsigned_t<T>>(b));
  } else {
    return a + b;
  }
}

const HashValue::Reg* Winner(const HashValue::Field* f) {
  const HashValue::Reg* best = nullptr;
  for (const HashValue::Reg& r : f->regs)
    if (best == nullptr || r.stamp > best->stamp) best = &r;
  return best;
}

}  // namespace

template <typename T>
T HashValue::CanonicalSum(const Counter<T>& c) {
  const auto& folded = c.folded();    // sorted by replica
  const auto& pending = c.pending();  // sorted by (replica, seq)
  T total{};
  size_t f = 0, p = 0;
  while (f < folded.size() || p < pending.size()) {
    ReplicaId r = f < folded.size() ? folded[f].replica : pending[p].dot.replica;
    if (p < pending.size()) r = std::min(r, pending[p].dot.replica);
    T partial{};
    if (f < folded.size() && folded[f].replica == r) partial = folded[f++].sum;
    for (; p < pending.size() && pending[p].dot.replica == r; ++p)
      partial = Plus(partial, pending[p].delta);
    total = Plus(total, partial);
  }
  return total;
}

template int64_t HashValue::CanonicalSum(const Counter<int64_t>&);
template long double HashValue::CanonicalSum(const Counter<long double>&);

HashValue::~HashValue() {
  dict_.Clear([](Field* f) {
    f->~Field();
    ::operator delete(f);
  });
}

HashValue::Field* HashValue::NewField(std::string_view name, uint64_t hash) {
  void* mem = ::operator new(sizeof(Field) + name.size());
  Field* f = new (mem) Field();
  f->dict_hash = hash;
  f->len = static_cast<uint32_t>(name.size());
  std::memcpy(f->bytes, name.data(), name.size());
  node_bytes_ += sizeof(Field) + name.size();
  return f;
}

HashValue::Field* HashValue::FindOrCreate(std::string_view name) {
  uint64_t hash = dict_.Hash(name);
  Field* f = dict_.Find(name, hash);
  if (f == nullptr) {
    f = NewField(name, hash);
    dict_.Insert(f);
  }
  return f;
}

void HashValue::FreeField(Field* f) {
  node_bytes_ -= sizeof(Field) + f->len;
  f->~Field();
  ::operator delete(f);
}

void HashValue::RemoveField(Field* f) {
  if (f->queued) std::erase(compact_queue_, f);
  dict_.Remove(f);
  FreeField(f);
}

HashValue::Counters& HashValue::CountersOf(Field* f) {
  if (f->counters == nullptr) f->counters = std::make_unique<Counters>();
  return *f->counters;
}

void HashValue::RaiseMax(const Stamp& s) const {
  if (max_stamp_valid_ && s > max_stamp_) max_stamp_ = s;
}

void HashValue::Queue(Field* f) {
  if (f->queued) return;
  f->queued = true;
  compact_queue_.push_back(f);
}

bool HashValue::DropObserved(Field* f, const VersionVector& ctx) {
  size_t before = f->regs.size();
  EraseIf(f->regs, [&](const Reg& r) { return ctx.Covers(r.dot); });
  bool changed = f->regs.size() != before;
  if (f->counters != nullptr) {
    Counters& c = *f->counters;
    size_t n = c.ints.pending().size() + c.ints.folded().size() + c.floats.pending().size() +
               c.floats.folded().size();
    c.ints.RemoveObserved(ctx);
    c.floats.RemoveObserved(ctx);
    size_t m = c.ints.pending().size() + c.ints.folded().size() + c.floats.pending().size() +
               c.floats.folded().size();
    changed = changed || n != m;
    if (c.empty()) f->counters.reset();
  }
  // Removal can only lower the greatest stamp; recompute it lazily when asked.
  if (changed) max_stamp_valid_ = false;
  if (f->dead()) return true;
  if (changed) Refresh(f);
  return false;
}

void HashValue::Refresh(Field* f) {
  if (f->regs.size() > 1) Queue(f);
  if (!f->has_increments()) {
    f->counters.reset();
    return;
  }
  Queue(f);
  Counters& c = *f->counters;
  const Reg* w = Winner(f);
  std::string_view base = w != nullptr ? std::string_view(w->bytes) : std::string_view("0");
  if (c.floats.empty()) {
    std::optional<int64_t> b = StringValue::ParseInt64(base);
    if (!b) {
      c.value.assign(base);
      return;
    }
    c.value = std::to_string(Plus(*b, CanonicalSum(c.ints)));
    return;
  }
  std::optional<long double> b = StringValue::ParseLongDouble(base);
  if (!b) {
    c.value.assign(base);
    return;
  }
  long double v = *b + static_cast<long double>(CanonicalSum(c.ints)) + CanonicalSum(c.floats);
  c.value = StringValue::FormatLongDouble(v);
}

std::string_view HashValue::ValueOf(const Field* f) {
  if (f->has_increments()) return f->counters->value;
  const Reg* w = Winner(f);
  CHECK(w != nullptr);
  return w->bytes;
}

void HashValue::Apply(const delta::HashSet& d, const Op& op) {
  for (const auto& [name, value] : d.fields) {
    Field* f = FindOrCreate(name);
    // The same field twice in one op (HSET h f a f b): the later value wins, as in Redis.
    auto same = std::find_if(f->regs.begin(), f->regs.end(),
                             [&](const Reg& r) { return r.dot == op.dot; });
    if (same != f->regs.end()) {
      same->bytes.assign(value);
    } else {
      DropObserved(f, *op.ctx);
      f->regs.push_back(Reg{op.dot, op.stamp, std::string(value)});
    }
    RaiseMax(op.stamp);
    Refresh(f);
  }
}

void HashValue::Apply(const delta::HashRemove& d, const Op& op) {
  for (std::string_view name : d.fields) {
    Field* f = dict_.Find(name);
    if (f != nullptr && DropObserved(f, *op.ctx)) RemoveField(f);
  }
}

void HashValue::Apply(const delta::HashAdd& d, const Op& op) {
  Field* f = FindOrCreate(d.field);
  CountersOf(f).ints.Add(op.dot, op.stamp.hlc, d.delta);
  RaiseMax(Stamp{op.stamp.hlc, 0});
  Refresh(f);
}

void HashValue::Apply(const delta::HashAddFloat& d, const Op& op) {
  Field* f = FindOrCreate(d.field);
  CountersOf(f).floats.Add(op.dot, op.stamp.hlc, d.delta);
  RaiseMax(Stamp{op.stamp.hlc, 0});
  Refresh(f);
}

void HashValue::RemoveObserved(const VersionVector& ctx) {
  std::vector<Field*> gone;
  dict_.ForEach([&](Field* f) {
    if (DropObserved(f, ctx)) gone.push_back(f);
  });
  if (gone.size() == dict_.size()) {
    compact_queue_.clear();
    dict_.Clear([this](Field* f) { FreeField(f); });
    return;
  }
  for (Field* f : gone) RemoveField(f);
}

Stamp HashValue::MaxStamp() const {
  if (!max_stamp_valid_) {
    Stamp m;
    dict_.ForEach([&](const Field* f) {
      for (const Reg& r : f->regs) m = std::max(m, r.stamp);
      if (f->counters != nullptr) {
        // Increments compare by time only; a register with the same time wins the tie.
        uint64_t hlc = std::max(f->counters->ints.MaxHlc(), f->counters->floats.MaxHlc());
        m = std::max(m, Stamp{hlc, 0});
      }
    });
    max_stamp_ = m;
    max_stamp_valid_ = true;
  }
  return max_stamp_;
}

void HashValue::Compact(const VersionVector& stable) {
  // New entries are never stable when they arrive, so nothing can fold until stable moves.
  if (compact_queue_.empty() || stable == last_stable_) return;
  last_stable_ = stable;
  std::erase_if(compact_queue_, [&](Field* f) {
    if (f->counters != nullptr) {
      f->counters->ints.Compact(stable);
      f->counters->floats.Compact(stable);
    }
    // A register entry every replica has seen, under a greater one, can never be visible again:
    // any op that could remove the greater entry has seen (and so removes) this one too.
    if (f->regs.size() > 1) {
      const Reg* w = Winner(f);
      Stamp top = w->stamp;
      EraseIf(f->regs, [&](const Reg& r) { return r.stamp < top && stable.Covers(r.dot); });
    }
    bool pending = f->counters != nullptr &&
                   (!f->counters->ints.pending().empty() || !f->counters->floats.pending().empty());
    bool keep = pending || f->regs.size() > 1;
    f->queued = keep;
    return !keep;
  });
}

size_t HashValue::MemoryBytes() const {
  size_t bytes = sizeof(*this) + node_bytes_ + dict_.MemoryBytes() +
                 compact_queue_.capacity() * sizeof(Field*);
  dict_.ForEach([&](const Field* f) {
    for (const Reg& r : f->regs)
      if (r.bytes.capacity() > 15) bytes += r.bytes.capacity() + 1;
    if (f->counters != nullptr) {
      bytes += sizeof(Counters) + f->counters->ints.MemoryBytes() +
               f->counters->floats.MemoryBytes() + f->counters->value.capacity() + 1;
    }
  });
  return bytes;
}

}  // namespace cordis
