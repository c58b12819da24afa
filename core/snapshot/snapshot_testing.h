// Test helpers for snapshot tests (unit and property): a small cluster of replicas that make ops
// and deliver them in causal orders through Keyspace::Apply, a generator of random writes of every
// type, and a canonical text form of encoded state that compares two keyspaces' internal CRDT
// state exactly (hash-table order aside). Header-only; used by tests only.
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cordis/state.pb.h"
#include "core/base/check.h"
#include "core/clock/hlc.h"
#include "core/crdt/lww_string.h"
#include "core/crdt/or_map.h"
#include "core/crdt/or_set.h"
#include "core/crdt/rga_list.h"
#include "core/crdt/zset.h"
#include "core/keyspace/keyspace.h"
#include "core/op/op_codec.h"
#include "core/snapshot/snapshot.h"

namespace cordis::snapshot_testing {

// One op with the strings and context it points to. Lives on the heap: `op` points into it.
struct Rec {
  Op op;
  VersionVector ctx;
  std::deque<std::string> strs;  // a deque never moves its elements

  std::string_view Own(std::string_view s) { return strs.emplace_back(s); }
  std::vector<std::string_view> Own(std::initializer_list<std::string_view> l) {
    std::vector<std::string_view> out;
    for (std::string_view s : l) out.push_back(Own(s));
    return out;
  }
};

// Replicas 1..n. Each keeps what it knows other replicas had seen (from their ops' contexts) and
// compacts with the vector every replica is known to have seen, as the node does.
class Cluster {
 public:
  explicit Cluster(int n, uint64_t seed = 7) : n_(n) {
    for (int i = 1; i <= n; ++i) reps_.push_back(std::make_unique<Replica>(i, n, seed));
  }

  int size() const { return n_; }
  Keyspace& ks(ReplicaId r) { return rep(r).ks; }
  const VersionVector& vv(ReplicaId r) { return rep(r).vv; }
  int64_t now_ms = 1'000'000;
  std::vector<std::string>* trace = nullptr;  // when set, one line per op applied anywhere
  std::function<void()> after_mirror;         // called after each op applied to a mirror
  bool collect_garbage = false;               // run CollectGarbage after every op, as nodes do

  // A new op made at replica r: the next dot, r's clock, r's vector as context. Set its payload
  // (and flags), then Commit it.
  Rec& Make(ReplicaId r, std::string_view key) {
    Replica& x = rep(r);
    auto rec = std::make_unique<Rec>();
    rec->ctx = x.vv;
    CHECK(!x.making);  // Commit the previous op first
    x.making = true;
    rec->op.dot = Dot{r, x.vv.Get(r) + 1};
    rec->op.stamp = x.clock.Now(now_ms);
    rec->op.ctx = &rec->ctx;
    rec->op.key = rec->Own(key);
    log_.push_back(std::move(rec));
    return *log_.back();
  }

  // Applies rec at its origin and queues it for every other replica.
  void Commit(Rec& rec) {
    ReplicaId origin = rec.op.dot.replica;
    rep(origin).making = false;
    Deliver(origin, rec);
    for (int i = 1; i <= n_; ++i)
      if (static_cast<ReplicaId>(i) != origin) rep(i).inbox.push_back(&rec);
  }

  bool Deliverable(ReplicaId r, const Rec& rec) {
    const Replica& x = rep(r);
    return x.vv.CanDeliver(rec.op.dot, rec.ctx);
  }

  // Delivers a queued op to r now (it must be deliverable).
  void Deliver(ReplicaId r, const Rec& rec) {
    Replica& x = rep(r);
    CHECK(Deliverable(r, rec));
    std::erase(x.inbox, &rec);
    x.clock.Observe(rec.op.stamp.hlc);
    VersionVector seen = rec.ctx;
    seen.Raise(rec.op.dot.replica, rec.op.dot.seq);
    x.known[rec.op.dot.replica].Merge(seen);
    x.vv.Raise(rec.op.dot.replica, rec.op.dot.seq);
    VersionVector stable = Stable(r);
    if (trace != nullptr) {
      pb::Op p;
      EncodeOp(rec.op, &p);
      std::ostringstream line;
      line << "at " << r << " stable " << stable << ": " << p.ShortDebugString();
      trace->push_back(line.str());
    }
    x.ks.Apply(rec.op, stable);
    if (collect_garbage) x.ks.CollectGarbage(stable);
    if (x.mirror != nullptr) {
      x.mirror->Apply(rec.op, stable);
      if (collect_garbage) x.mirror->CollectGarbage(stable);
      if (after_mirror) after_mirror();
    }
  }

  // Ops queued for r that it could apply now.
  std::vector<const Rec*> Ready(ReplicaId r) {
    std::vector<const Rec*> out;
    for (const Rec* rec : rep(r).inbox)
      if (Deliverable(r, *rec)) out.push_back(rec);
    return out;
  }

  // Delivers everything queued, everywhere, in causal order.
  void DeliverAll() {
    for (int i = 1; i <= n_; ++i) {
      for (;;) {
        std::vector<const Rec*> ready = Ready(i);
        if (ready.empty()) break;
        Deliver(i, *ready.front());
      }
      CHECK(rep(i).inbox.empty());
    }
  }

  // From now on every op applied at r is applied to `mirror` too, with the same stable vector.
  void Mirror(ReplicaId r, Keyspace* mirror) { rep(r).mirror = mirror; }

  // What replica r knows every replica has seen.
  VersionVector Stable(ReplicaId r) {
    Replica& x = rep(r);
    x.known[r] = x.vv;
    VersionVector s;
    for (int o = 1; o <= n_; ++o) {
      uint64_t m = UINT64_MAX;
      for (int k = 1; k <= n_; ++k) m = std::min(m, x.known[k].Get(o));
      if (m > 0) s.Raise(o, m);
    }
    return s;
  }

 private:
  struct Replica {
    Replica(ReplicaId id, int n, uint64_t seed) : clock(id), ks(seed) { known.resize(n + 1); }
    HybridClock clock;
    Keyspace ks;
    VersionVector vv;
    std::vector<VersionVector> known;  // known[m]: what replica m had seen, as far as we know
    std::vector<const Rec*> inbox;
    Keyspace* mirror = nullptr;
    bool making = false;
  };
  Replica& rep(ReplicaId r) {
    CHECK(r >= 1 && static_cast<int>(r) <= n_);
    return *reps_[r - 1];
  }

  int n_;
  std::vector<std::unique_ptr<Replica>> reps_;
  std::vector<std::unique_ptr<Rec>> log_;
};

// Makes one random write at replica r the way a command handler would (from r's local state:
// no WRONGTYPE writes, increments only on numbers, list ops on ids r holds), and commits it.
// `pick(n)` returns a number in [0, n). Returns false when the chosen write does not apply.
inline bool RandomWrite(Cluster& c, ReplicaId r, const std::function<uint64_t(uint64_t)>& pick) {
  static const char* const kKeys[] = {"a", "b", "c", "d"};
  static const char* const kItems[] = {"x", "y", "z", "w"};
  static const char* const kValues[] = {"1", "2", "-7", "v", "2.5", "", "a long value, past 15 b"};
  static const double kScores[] = {-2, 0, 1, 1.5, 3, -0.0};
  std::string key = kKeys[pick(4)];
  std::string item = kItems[pick(4)];
  std::string value = kValues[pick(7)];
  double score = kScores[pick(6)];
  KeyEntry* e = c.ks(r).FindEntry(key);
  Value* visible = e != nullptr ? e->value : nullptr;
  auto wants = [&](ValueType t) { return visible == nullptr || visible->type() == t; };
  auto* list = visible != nullptr && visible->type() == ValueType::kList
                   ? static_cast<ListValue*>(visible)
                   : nullptr;
  auto* str = visible != nullptr && visible->type() == ValueType::kString
                  ? static_cast<StringValue*>(visible)
                  : nullptr;
  std::optional<std::string_view> field;
  if (visible != nullptr && visible->type() == ValueType::kHash)
    field = static_cast<HashValue*>(visible)->Get(item);
  const int kind = static_cast<int>(pick(21));
  bool ok = true;
  switch (kind) {
    case 2:
      ok = wants(ValueType::kString) && (str == nullptr || str->AsInteger());
      break;
    case 3:
      ok = wants(ValueType::kString) && (str == nullptr || str->AsLongDouble());
      break;
    case 5:
      ok = visible != nullptr && visible->type() == ValueType::kSet;
      break;
    case 7:
      ok = visible != nullptr && visible->type() == ValueType::kHash;
      break;
    case 8:
      ok = wants(ValueType::kHash) && (!field || StringValue::ParseInt64(*field));
      break;
    case 9:
      ok = wants(ValueType::kHash) && (!field || StringValue::ParseLongDouble(*field));
      break;
    case 4:
      ok = wants(ValueType::kSet);
      break;
    case 6:
      ok = wants(ValueType::kHash);
      break;
    case 10:
    case 11:
      ok = wants(ValueType::kZset);
      break;
    case 12:
      ok = visible != nullptr && visible->type() == ValueType::kZset;
      break;
    case 13:
    case 14:
      ok = wants(ValueType::kList);
      break;
    case 15:
    case 16:
    case 17:
      ok = list != nullptr;
      break;
    case 18:
    case 19:
      ok = visible != nullptr;
      break;
    default:
      break;
  }
  if (!ok) return false;
  Rec& rec = c.Make(r, key);
  Op& op = rec.op;
  // A write to a key r does not see starts it afresh, as CommandContext::NewOp makes it.
  op.clear_key = visible == nullptr;
  switch (kind) {
    case 0:
      op.clear_key = true;
      break;  // DEL
    case 1:   // SET, sometimes KEEPTTL (which keeps nothing on a missing key) or with EX
      op.clear_key = true;
      op.keep_ttl = pick(3) == 0 && visible != nullptr;
      if (!op.keep_ttl && pick(3) == 0) op.expire = c.now_ms + 5000;
      op.payload = delta::StrAssign{rec.Own(value)};
      break;
    case 2:
      op.payload = delta::CounterAdd{static_cast<int64_t>(pick(11)) - 5};
      break;
    case 3:
      op.payload = delta::FloatAdd{(static_cast<long double>(pick(9)) - 4) / 8};
      break;
    case 4:
      op.payload = delta::SetAdd{rec.Own({item, kItems[pick(4)]})};
      break;
    case 5:
      op.payload = delta::SetRemove{rec.Own({item})};
      break;
    case 6:
      op.payload = delta::HashSet{{{rec.Own(item), rec.Own(value)}}};
      break;
    case 7:
      op.payload = delta::HashRemove{rec.Own({item})};
      break;
    case 8:
      op.payload = delta::HashAdd{rec.Own(item), static_cast<int64_t>(pick(7)) - 3};
      break;
    case 9:
      op.payload = delta::HashAddFloat{rec.Own(item), (static_cast<long double>(pick(5)) - 2) / 4};
      break;
    case 10:
      op.payload = delta::ZsetAdd{{{score, rec.Own(item)}}};
      break;
    case 11:
      op.payload = delta::ZsetIncr{rec.Own(item), score};
      break;
    case 12:
      op.payload = delta::ZsetRemove{rec.Own({item})};
      break;
    case 13:
    case 14: {  // LPUSH (head) / RPUSH (after the tail)
      delta::ListInsert d{std::nullopt, rec.Own({value, item})};
      if (kind == 14 && list != nullptr && list->size() > 0) d.after = list->IdAt(list->size() - 1);
      op.payload = std::move(d);
      break;
    }
    case 15:  // LINSERT after a random element
      op.payload = delta::ListInsert{list->IdAt(pick(list->size())), rec.Own({item})};
      break;
    case 16: {  // LREM / LPOP of a random element or two
      delta::ListRemove d{{list->IdAt(pick(list->size()))}};
      if (list->size() > 1) d.ids.push_back(list->IdAt(pick(list->size())));
      if (d.ids.size() == 2 && d.ids[0] == d.ids[1]) d.ids.pop_back();
      op.payload = std::move(d);
      break;
    }
    case 17:
      op.payload = delta::ListSet{list->IdAt(pick(list->size())), rec.Own(value)};
      break;
    case 18:
    case 19:  // EXPIRE / PERSIST
      op.expire = kind == 19 ? kPersistMs : c.now_ms + 1000 * static_cast<int64_t>(pick(3) + 1);
      op.payload = delta::ExpireOnly{};
      break;
    case 20: {  // RENAME-like overwrite of another type (SET of a set)
      op.clear_key = true;
      op.payload = delta::SetAdd{rec.Own({item})};
      break;
    }
  }
  c.Commit(rec);
  return true;
}

// Encodes `ks` into a fresh keyspace through the wire form and returns it.
inline std::unique_ptr<Keyspace> RoundTrip(const Keyspace& ks, uint64_t seed) {
  pb::Snapshot snap;
  EncodeKeyspace(ks, 0, &snap);
  pb::Snapshot wire;
  CHECK(wire.ParseFromString(snap.SerializeAsString()));
  auto out = std::make_unique<Keyspace>(seed);
  for (const pb::KeyState& k : wire.keys()) {
    absl::Status st = DecodeKeyState(k, out.get());
    if (!st.ok()) internal::CheckFailed(__FILE__, __LINE__, "DecodeKeyState", st.ToString());
  }
  return out;
}

// A text form of a value's encoded state with hash-table order removed (members, fields and
// entries sorted by name); everything else (tag order, register order, list order) kept.
inline std::string CanonicalValue(const std::string& bytes) {
  pb::ValueState s;
  CHECK(s.ParseFromString(bytes));
  if (s.has_set()) {
    auto* m = s.mutable_set()->mutable_members();
    std::sort(m->begin(), m->end(),
              [](const auto& a, const auto& b) { return a.member() < b.member(); });
  }
  if (s.has_hash()) {
    auto* f = s.mutable_hash()->mutable_fields();
    std::sort(f->begin(), f->end(),
              [](const auto& a, const auto& b) { return a.name() < b.name(); });
  }
  if (s.has_zset()) {
    auto* z = s.mutable_zset()->mutable_entries();
    std::sort(z->begin(), z->end(),
              [](const auto& a, const auto& b) { return a.member() < b.member(); });
  }
  return s.ShortDebugString();
}

// The keyspace's whole internal state as text, keys sorted.
inline std::string Canonical(const Keyspace& ks) {
  pb::Snapshot snap;
  EncodeKeyspace(ks, 0, &snap);
  std::vector<std::string> keys;
  for (const pb::KeyState& k : snap.keys()) {
    std::string s = "key " + k.key() + ":";
    for (const std::string& v : k.values()) s += "\n  value " + CanonicalValue(v);
    for (const pb::ExpiryEntry& x : k.expiry()) s += "\n  expiry " + x.ShortDebugString();
    keys.push_back(std::move(s));
  }
  std::sort(keys.begin(), keys.end());
  std::string out;
  for (const std::string& k : keys) out += k + "\n";
  return out;
}

}  // namespace cordis::snapshot_testing
