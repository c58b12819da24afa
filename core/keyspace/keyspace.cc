#include "core/keyspace/keyspace.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "core/base/strings.h"
#include "core/keyspace/value_dispatch.h"

namespace cordis {

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
  e->dict_hash = dict_.Hash(key);
  e->value = value;
  e->key_len = static_cast<uint32_t>(key.size());
  std::memcpy(e->key_bytes, key.data(), key.size());
  dict_.Insert(e);
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
  wheel_.Clear();
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
    EraseIf(st.entries, [&](const auto& x) { return ctx.Covers(x.first); });
  }
}

void Keyspace::ApplyExpiry(KeyEntry* e, const Op& op) {
  ExpiryState& st = expiries_[e];
  e->has_expiry = true;
  // An EXPIRE/PERSIST replaces the expiry entries its origin had seen; concurrent ones stay and
  // the greatest deadline wins (PERSIST counts as infinitely late).
  EraseIf(st.entries, [&](const auto& x) { return op.ctx->Covers(x.first); });
  st.entries.emplace_back(op.dot, *op.expire);
  int64_t at = st.Effective();
  if (at != kPersistMs) wheel_.Schedule(e->key(), at);
}

void Keyspace::ResolveVisible(KeyEntry* e, const VersionVector& stable) {
  if (e->value != nullptr) {
    e->value->Compact(stable);
    if (e->value->Empty()) {
      delete e->value;
      e->value = nullptr;
    }
  }
  if (e->has_shadow) {
    auto& vs = shadows_[e];
    for (auto& v : vs) v->Compact(stable);
    std::erase_if(vs, [](const std::unique_ptr<Value>& v) { return v->Empty(); });
    // The value with the greatest stamp is visible; ties cannot happen (stamps are unique).
    for (auto& v : vs) {
      if (e->value == nullptr || v->MaxStamp() > e->value->MaxStamp()) {
        Value* old = e->value;
        e->value = v.release();
        v.reset(old);
      }
    }
    std::erase_if(vs, [](const std::unique_ptr<Value>& v) { return v == nullptr; });
    if (vs.empty()) {
      shadows_.erase(e);
      e->has_shadow = false;
    }
  }
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

void Keyspace::Apply(const Op& op, const VersionVector& stable) {
  CHECK(op.ctx != nullptr);
  CHECK(!op.ctx->Covers(op.dot));
  KeyEntry* e = dict_.Find(op.key);
  if (op.clear_key && e != nullptr) RemoveObserved(e, *op.ctx, op.keep_ttl);

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
  if (e == nullptr) return;
  ResolveVisible(e, stable);
  if (e->value == nullptr) {
    bool expiry_pending = false;
    if (e->has_expiry) {
      for (const auto& x : expiries_.at(e).entries)
        if (!stable.Covers(x.first)) expiry_pending = true;
    }
    if (!expiry_pending) DestroyEntry(e);
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
