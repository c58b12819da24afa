#include "core/keyspace/keyspace.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>

#include "core/base/strings.h"
#include "core/keyspace/value_dispatch.h"

namespace cordis {
namespace {

// Puts the key's effective deadline on the wheel. A key expires once the clock passes its
// deadline (IsExpired: now > at), so the wheel entry is due at at + 1: an entry due at `at` itself
// would be popped while the key is still alive and then be gone for good (found by the simulator).
// Stale wheel entries are harmless: Node::Tick checks IsExpired before deleting.
void ScheduleDeadline(TimingWheel& wheel, std::string_view key, const ExpiryState& st) {
  int64_t at = st.Effective();
  if (at != kPersistMs) wheel.Schedule(key, at + 1);
}

}  // namespace

int64_t ExpiryState::Effective() const {
  int64_t best = entries.empty() ? kPersistMs : entries.front().second;
  for (const auto& e : entries) best = std::max(best, e.second);
  return best;
}

Keyspace::Keyspace(uint64_t seed, int64_t start_ms) : dict_(seed), wheel_(start_ms) {}

Keyspace::~Keyspace() { Clear(); }

KeyEntry* Keyspace::CreateEntry(std::string_view key, Value* value) {
  void* mem = ::operator new(sizeof(KeyEntry) + key.size());
  KeyEntry* e = new (mem) KeyEntry();
  e->value = value;
  e->key_len = static_cast<uint32_t>(key.size());
  std::memcpy(e->key_bytes, key.data(), key.size());
  dict_.Insert(e, dict_.Hash(key));
  entry_bytes_ += sizeof(KeyEntry) + key.size();
  return e;
}

void Keyspace::DestroyEntry(KeyEntry* e) {
  dict_.Remove(e);
  if (e->has_expiry) expiries_.erase(e);
  if (e->has_shadow) shadows_.erase(e);
  entry_bytes_ -= sizeof(KeyEntry) + e->key_len;
  delete e->value;
  e->~KeyEntry();
  ::operator delete(e);
}

void Keyspace::Clear() {
  expiries_.clear();
  shadows_.clear();
  dict_.Clear([](KeyEntry* e) {
    delete e->value;
    e->~KeyEntry();
    ::operator delete(e);
  });
  entry_bytes_ = 0;
  invisible_ = 0;
  gc_queue_.clear();
  wheel_.Clear();
}

void Keyspace::Prefetch(std::span<const resp::PeekedArgs> requests) const {
  constexpr size_t kMax = 64;
  const size_t n = std::min(requests.size(), kMax);
  uint64_t hashes[kMax];
  const KeyEntry* entries[kMax];
  const Value* values[kMax];
  for (size_t i = 0; i < n; ++i) {
    hashes[i] = dict_.Hash(requests[i].key);
    dict_.PrefetchBucket(hashes[i]);
  }
  for (size_t i = 0; i < n; ++i) {
    entries[i] = dict_.Probe(hashes[i]);
    if (entries[i] != nullptr) Dict<KeyEntry>::PrefetchNode(entries[i]);
  }
  bool members = false;
  for (size_t i = 0; i < n; ++i) {
    const KeyEntry* e = entries[i];
    values[i] = e != nullptr && Dict<KeyEntry>::HashMatches(e, hashes[i]) ? e->value : nullptr;
    if (values[i] == nullptr) continue;
    __builtin_prefetch(values[i]);
    members |= values[i]->type() == ValueType::kSet || values[i]->type() == ValueType::kHash ||
               values[i]->type() == ValueType::kZset;
  }
  for (int stage = 0; stage < 2; ++stage) {
    for (size_t i = 0; i < n; ++i) {
      if (values[i] != nullptr && values[i]->type() == ValueType::kString)
        values[i]->PrefetchInternals(stage);
    }
  }
  if (!members) return;
  for (int stage = 0; stage < 2; ++stage) {
    for (size_t i = 0; i < n; ++i) {
      const Value* v = values[i];
      if (v == nullptr || v->type() == ValueType::kString || v->type() == ValueType::kList)
        continue;
      if (!requests[i].second.empty()) v->PrefetchMember(requests[i].second, stage);
      // ZADD key score member: the member comes third.
      if (v->type() == ValueType::kZset && !requests[i].third.empty())
        v->PrefetchMember(requests[i].third, stage);
    }
  }
}

bool Keyspace::IsExpired(const KeyEntry* e, int64_t now_ms) const {
  if (!e->has_expiry) return false;
  int64_t at = expiries_.at(e).Effective();
  return at != kPersistMs && now_ms > at;
}

std::optional<int64_t> Keyspace::ExpireAtMs(const KeyEntry* e) const {
  if (!e->has_expiry) return std::nullopt;
  int64_t at = expiries_.at(e).Effective();
  if (at == kPersistMs) return std::nullopt;
  return at;
}

Value* Keyspace::ValueOfType(KeyEntry* e, ValueType type, bool create) {
  if (e->value != nullptr && e->value->type() == type) return e->value;
  if (e->has_shadow) {
    for (auto& v : shadows_[e])
      if (v->type() == type) return v.get();
  }
  if (!create) return nullptr;
  Value* v = NewValue(type, dict_.seed());
  if (e->value == nullptr) {
    e->value = v;
  } else {
    // A write of another type than the visible one: only concurrent writes get here (a local
    // command would have answered WRONGTYPE or overwritten the key).
    shadows_[e].emplace_back(v);
    e->has_shadow = true;
  }
  return v;
}

void Keyspace::RemoveObserved(KeyEntry* e, const VersionVector& ctx, bool keep_ttl) {
  if (e->value != nullptr) e->value->RemoveObserved(ctx);
  if (e->has_shadow) {
    for (auto& v : shadows_[e]) v->RemoveObserved(ctx);
  }
  if (!keep_ttl && e->has_expiry) {
    auto& st = expiries_.at(e);
    // Dropping the latest deadline can leave an earlier one in force, which the wheel may have
    // passed already (it was not the key's deadline then): schedule the new effective one.
    if (EraseIf(st.entries, [&](const auto& x) { return ctx.Covers(x.first); }) > 0)
      ScheduleDeadline(wheel_, e->key(), st);
  }
}

void Keyspace::ApplyExpiry(KeyEntry* e, const Op& op) {
  ExpiryState& st = expiries_[e];
  e->has_expiry = true;
  // An EXPIRE/PERSIST replaces the expiry entries its origin had seen; concurrent ones stay and
  // the greatest deadline wins (PERSIST counts as infinitely late).
  EraseIf(st.entries, [&](const auto& x) { return op.ctx->Covers(x.first); });
  st.entries.emplace_back(op.dot, *op.expire);
  ScheduleDeadline(wheel_, e->key(), st);
}

void Keyspace::ResolveVisible(KeyEntry* e, const VersionVector& stable) {
  if (!e->has_shadow && e->value != nullptr) {
    // The common case: one value.
    e->value->Compact(stable);
    if (!e->value->Empty()) return ResolveExpiry(e, stable);
    if (e->value->Droppable()) {
      delete e->value;
      e->value = nullptr;
      return ResolveExpiry(e, stable);
    }
  }
  // Gather every value of the key, compact it, and drop what holds nothing at all. A value with
  // no live entry but with metadata a concurrent op may still need (list tombstones) stays, out
  // of sight, until it compacts away.
  std::vector<std::unique_ptr<Value>> all;
  if (e->value != nullptr) all.emplace_back(e->value);
  e->value = nullptr;
  if (e->has_shadow) {
    for (auto& v : shadows_[e]) all.push_back(std::move(v));
    shadows_.erase(e);
    e->has_shadow = false;
  }
  for (auto& v : all) v->Compact(stable);
  std::erase_if(all, [](const std::unique_ptr<Value>& v) { return v->Droppable(); });
  // The non-empty value with the greatest stamp is visible; ties cannot happen (stamps are
  // unique per op and one op writes one type).
  size_t best = all.size();
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i]->Empty()) continue;
    if (best == all.size() || all[i]->MaxStamp() > all[best]->MaxStamp()) best = i;
  }
  if (best != all.size()) e->value = all[best].release();
  for (auto& v : all) {
    if (v == nullptr) continue;
    shadows_[e].push_back(std::move(v));
    e->has_shadow = true;
  }
  ResolveExpiry(e, stable);
}

void Keyspace::ResolveExpiry(KeyEntry* e, const VersionVector& stable) {
  if (e->has_expiry) {
    auto& st = expiries_.at(e);
    // A PERSIST entry every replica has seen can no longer beat a concurrent EXPIRE: drop it.
    bool all_stable_persist = std::all_of(st.entries.begin(), st.entries.end(), [&](const auto& x) {
      return x.second == kPersistMs && stable.Covers(x.first);
    });
    if (all_stable_persist) {
      expiries_.erase(e);
      e->has_expiry = false;
    }
  }
}

KeyEntry* Keyspace::Apply(const Op& op, const VersionVector& stable) {
  CHECK(op.ctx != nullptr);
  CHECK(!op.ctx->Covers(op.dot));
  KeyEntry* e = dict_.Find(op.key);
  bool was_invisible = e != nullptr && e->value == nullptr;
  if (op.clear_key && e != nullptr) {
    if (op.ctx->Get(op.dot.replica) != 0) {
      RemoveObserved(e, *op.ctx, op.keep_ttl);
    } else {
      // The origin's first op: its context names no entry of the origin. A list keeps the
      // context to tell later whether the removal is stable (RemovalStable in rga_list.cc), which
      // holds only for a context that names the origin: with neither it nor `stable` naming it,
      // the removal passed for stable before the op was, its tombstones went, and a concurrent
      // insert after one of them landed at the head. Name the origin with the op itself (it
      // covers no entry yet): the tombstones then wait for the origin's next op to be stable.
      VersionVector ctx = *op.ctx;
      ctx.Raise(op.dot.replica, op.dot.seq);
      RemoveObserved(e, ctx, op.keep_ttl);
    }
  }

  std::optional<PayloadTarget> target = TargetOf(op.payload);
  if (target) {
    if (e == nullptr && target->creates) e = CreateEntry(op.key, nullptr);
    Value* v = e != nullptr ? ValueOfType(e, target->type, target->creates) : nullptr;
    if (v != nullptr) ApplyPayload(v, op);
  }
  if (op.expire) {
    // An expiry on a key with no value is kept (invisibly) so that a concurrent write to the key
    // meets it, as on replicas that saw the write first.
    if (e == nullptr) e = CreateEntry(op.key, nullptr);
    ApplyExpiry(e, op);
  }
  if (e == nullptr) {
    if (was_invisible) --invisible_;
    return nullptr;
  }
  ResolveVisible(e, stable);
  if (!stable.Covers(op.dot)) {
    gc_queue_.emplace_back(std::string(op.key), op.dot);
    ++e->unstable_writes;
  }
  bool now_invisible = e->value == nullptr;
  invisible_ += static_cast<size_t>(now_invisible) - static_cast<size_t>(was_invisible);
  if (now_invisible && MaybeDestroyInvisible(e)) return nullptr;
  return e;
}

// A key whose values are all gone stays (invisibly) until every write this replica applied to
// it is stable. Until then a write may still arrive from a replica where the key was visible,
// which keeps the key's expiry entries (it has no reason to clear them); afterwards every new
// write comes from a replica that sees the key missing and starts it afresh (clear_key), so
// dropping the leftovers here changes nothing.
bool Keyspace::MaybeDestroyInvisible(KeyEntry* e) {
  CHECK(e->value == nullptr);
  if (e->has_shadow || e->unstable_writes > 0) return false;
  --invisible_;
  DestroyEntry(e);
  return true;
}

void Keyspace::CollectGarbage(const VersionVector& stable) {
  while (!gc_queue_.empty() && stable.Covers(gc_queue_.front().second)) {
    auto [key, dot] = std::move(gc_queue_.front());
    gc_queue_.pop_front();
    KeyEntry* e = dict_.Find(key);
    // An entry is destroyed only once its writes are all stable, so a queued write always
    // finds the entry it was applied to.
    CHECK(e != nullptr);
    CHECK_GT(e->unstable_writes, 0u);
    --e->unstable_writes;
    bool was_invisible = e->value == nullptr;
    ResolveVisible(e, stable);
    bool now_invisible = e->value == nullptr;
    invisible_ += static_cast<size_t>(now_invisible) - static_cast<size_t>(was_invisible);
    if (now_invisible) MaybeDestroyInvisible(e);
  }
}

int64_t Keyspace::AverageTtlMs(int64_t now_ms) const {
  int64_t sum = 0, n = 0;
  for (const auto& [e, st] : expiries_) {
    int64_t at = st.Effective();
    if (at == kPersistMs || e->value == nullptr) continue;
    sum += std::max<int64_t>(at - now_ms, 0);
    ++n;
  }
  return n == 0 ? 0 : sum / n;
}

size_t Keyspace::MemoryBytes() const { return entry_bytes_ + dict_.MemoryBytes(); }

}  // namespace cordis

namespace cordis {

absl::Status Keyspace::InsertDecoded(std::string_view key,
                                     std::vector<std::unique_ptr<Value>> values, ExpiryState expiry,
                                     std::span<const Dot> unstable_writes) {
  if (dict_.Find(key) != nullptr) return absl::DataLossError("snapshot: key appears twice");
  if (values.empty() && expiry.entries.empty() && unstable_writes.empty())
    return absl::DataLossError("snapshot: key with neither value, expiry nor pending write");
  std::vector<Dot> writes(unstable_writes.begin(), unstable_writes.end());
  std::sort(writes.begin(), writes.end());
  if (std::any_of(writes.begin(), writes.end(), [](const Dot& d) { return d.seq == 0; }) ||
      (!writes.empty() && writes.front().replica == 0))
    return absl::DataLossError("snapshot: pending write without a dot");
  if (std::adjacent_find(writes.begin(), writes.end()) != writes.end())
    return absl::DataLossError("snapshot: repeated pending write");
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] == nullptr || values[i]->Droppable())
      return absl::DataLossError("snapshot: empty value");
    for (size_t j = 0; j < i; ++j) {
      if (values[j]->type() == values[i]->type())
        return absl::DataLossError("snapshot: two values of one type");
    }
  }
  for (size_t i = 0; i < expiry.entries.size(); ++i) {
    if (expiry.entries[i].first.replica == 0 || expiry.entries[i].first.seq == 0)
      return absl::DataLossError("snapshot: expiry entry without a dot");
    for (size_t j = 0; j < i; ++j) {
      if (expiry.entries[j].first == expiry.entries[i].first)
        return absl::DataLossError("snapshot: repeated expiry dot");
    }
  }
  // The non-empty value with the greatest stamp is visible, as ResolveVisible decides.
  size_t best = values.size();
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i]->Empty()) continue;
    if (best == values.size() || values[i]->MaxStamp() > values[best]->MaxStamp()) best = i;
  }
  KeyEntry* e = CreateEntry(key, best == values.size() ? nullptr : values[best].release());
  if (e->value == nullptr) ++invisible_;
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] == nullptr) continue;
    shadows_[e].push_back(std::move(values[i]));
    e->has_shadow = true;
  }
  if (!expiry.entries.empty()) {
    e->has_expiry = true;
    expiries_[e] = std::move(expiry);
    ScheduleDeadline(wheel_, e->key(), expiries_[e]);
  }
  for (const Dot& d : unstable_writes) gc_queue_.emplace_back(std::string(key), d);
  e->unstable_writes = static_cast<uint32_t>(unstable_writes.size());
  return absl::OkStatus();
}

std::span<const std::unique_ptr<Value>> Keyspace::ShadowsOf(const KeyEntry* e) const {
  if (!e->has_shadow) return {};
  const auto& v = shadows_.at(e);
  return {v.data(), v.size()};
}

const ExpiryState* Keyspace::ExpiryOf(const KeyEntry* e) const {
  if (!e->has_expiry) return nullptr;
  return &expiries_.at(e);
}

}  // namespace cordis
