#include "core/crdt/or_map.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>
#include <type_traits>

#include "core/base/check.h"
#include "core/base/strings.h"
#include "core/crdt/lww_string.h"

namespace cordis {
namespace {

const HashValue::Reg* Winner(const HashValue::Field* f) {
  const HashValue::Reg* best = nullptr;
  for (const HashValue::Reg& r : f->regs)
    if (best == nullptr || r.stamp > best->stamp) best = &r;
  return best;
}

// The base an increment log starts from: the winning register, or "0" when there is none.
std::string_view BaseOf(const HashValue::Field* f) {
  const HashValue::Reg* w = Winner(f);
  return w != nullptr ? std::string_view(w->bytes) : std::string_view("0");
}

}  // namespace

HashValue::~HashValue() {
  dict_.Clear([](Field* f) {
    f->~Field();
    ::operator delete(f);
  });
}

HashValue::Field* HashValue::FindOrCreate(std::string_view name) {
  uint64_t hash = dict_.Hash(name);
  Field* f = dict_.Find(name, hash);
  if (f == nullptr) {
    void* mem = ::operator new(sizeof(Field) + name.size());
    f = new (mem) Field();
    f->len = static_cast<uint32_t>(name.size());
    std::memcpy(f->bytes, name.data(), name.size());
    node_bytes_ += sizeof(Field) + name.size();
    dict_.Insert(f, hash);
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

bool HashValue::DropObserved(Field* f, const VersionVector& ctx) {
  size_t before = f->regs.size();
  EraseIf(f->regs, [&](const Reg& r) { return ctx.Covers(r.dot); });
  bool changed = f->regs.size() != before;
  if (f->counters != nullptr && f->counters->log.RemoveObserved(ctx)) changed = true;
  // Removal can only lower the greatest stamp; recompute it lazily when asked.
  if (changed) max_stamp_valid_ = false;
  if (f->dead()) return true;
  if (changed) Refresh(f);
  return false;
}

void HashValue::Refresh(Field* f) {
  bool has_increments = f->has_increments();
  if (!has_increments) f->counters.reset();
  bool foldable = f->regs.size() > 1 || (has_increments && f->counters->log.has_pending());
  if (foldable && !f->queued) {
    f->queued = true;
    compact_queue_.push_back(f);
  }
  if (has_increments) f->counters->value = f->counters->log.Evaluate(BaseOf(f));
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
    auto same =
        std::find_if(f->regs.begin(), f->regs.end(), [&](const Reg& r) { return r.dot == op.dot; });
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
  CountersOf(f).log.AddInt(op, d.delta);
  RaiseMax(op.stamp);
  Refresh(f);
}

void HashValue::Apply(const delta::HashAddFloat& d, const Op& op) {
  Field* f = FindOrCreate(d.field);
  CountersOf(f).log.AddFloat(op, d.delta);
  RaiseMax(op.stamp);
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
      if (f->counters != nullptr) m = std::max(m, f->counters->log.MaxStamp());
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
    // The folded prefix starts from the winning register; under causal stability no register
    // can take its place without removing the folded increments (every later op has seen them).
    if (f->counters != nullptr) f->counters->log.Compact(stable, BaseOf(f));
    // A register entry every replica has seen, under a greater one, can never be visible again:
    // any op that could remove the greater entry has seen (and so removes) this one too.
    if (f->regs.size() > 1) {
      Stamp top = Winner(f)->stamp;
      EraseIf(f->regs, [&](const Reg& r) { return r.stamp < top && stable.Covers(r.dot); });
    }
    bool keep = f->regs.size() > 1 || (f->counters != nullptr && f->counters->log.has_pending());
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
      bytes += sizeof(Counters) + f->counters->log.MemoryBytes();
      if (f->counters->value.capacity() > 15) bytes += f->counters->value.capacity() + 1;
    }
  });
  return bytes;
}

}  // namespace cordis
