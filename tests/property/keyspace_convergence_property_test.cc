// Keyspace-level convergence: random histories of writes of every type, made on 2-4 replicas and
// delivered to every replica in random causal orders, end in identical logical keyspaces. Ops go
// through Keyspace::Apply, the one path for local and remote writes; stability for garbage
// collection is each replica's own knowledge (what it has received from every origin), as the
// replication layer will compute it.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "core/clock/hlc.h"
#include "core/crdt/lww_string.h"
#include "core/crdt/rga_list.h"
#include "core/keyspace/keyspace.h"
#include "core/keyspace/value_content.h"

namespace cordis {
namespace {

// An op as recorded for delivery: owns its strings and context.
struct Rec {
  Dot dot;
  Stamp stamp;
  VersionVector ctx;
  std::string key;
  bool clear_key = false;
  std::optional<int64_t> expire;
  int kind = 0;  // see MakeOp
  std::vector<std::string> items;
  std::vector<double> scores;
  std::vector<ElemId> ids;
  int64_t delta = 0;
};

Op ToOp(const Rec& r, std::vector<std::string_view>* views) {
  Op op;
  op.dot = r.dot;
  op.stamp = r.stamp;
  op.ctx = &r.ctx;
  op.key = r.key;
  op.clear_key = r.clear_key;
  op.expire = r.expire;
  views->assign(r.items.begin(), r.items.end());
  switch (r.kind) {
    case 0:
      break;  // DEL (clear_key) or EXPIRE-only
    case 1:
      op.payload = delta::StrAssign{(*views)[0]};
      break;
    case 2:
      op.payload = delta::CounterAdd{r.delta};
      break;
    case 3:
      op.payload = delta::SetAdd{*views};
      break;
    case 4:
      op.payload = delta::SetRemove{*views};
      break;
    case 5:
      op.payload = delta::HashSet{{{(*views)[0], (*views)[1]}}};
      break;
    case 6:
      op.payload = delta::HashRemove{*views};
      break;
    case 7:
      op.payload = delta::HashAdd{(*views)[0], r.delta};
      break;
    case 8:
      op.payload = delta::ZsetAdd{{{r.scores[0], (*views)[0]}}};
      break;
    case 9:
      op.payload = delta::ZsetIncr{(*views)[0], r.scores[0]};
      break;
    case 10:
      op.payload = delta::ZsetRemove{*views};
      break;
    case 11:
      op.payload = delta::ListInsert{std::nullopt, *views};
      break;
    case 12:
      op.payload = delta::ListRemove{r.ids};
      break;
    case 13:
      op.payload = delta::ExpireOnly{};
      break;
  }
  return op;
}

struct Replica {
  Replica(ReplicaId id, int n) : id(id), clock(id), ks(/*seed=*/7) { known.resize(n + 1); }
  ReplicaId id;
  HybridClock clock;
  Keyspace ks;
  VersionVector vv;
  std::vector<VersionVector> known;  // known[r]: what replica r had seen, as far as we know

  VersionVector Stable(int n) const {
    VersionVector s;
    for (int r = 1; r <= n; ++r) {
      const VersionVector& k = static_cast<ReplicaId>(r) == id ? vv : known[r];
      for (int o = 1; o <= n; ++o) {
        uint64_t m = UINT64_MAX;
        for (int x = 1; x <= n; ++x) {
          const VersionVector& kx = static_cast<ReplicaId>(x) == id ? vv : known[x];
          m = std::min(m, kx.Get(o));
        }
        if (m > 0) s.Raise(o, m);
      }
      (void)k;
    }
    return s;
  }

  void Apply(const Rec& r, int n) {
    std::vector<std::string_view> views;
    Op op = ToOp(r, &views);
    clock.Observe(r.stamp.hlc);
    VersionVector seen = r.ctx;
    seen.Raise(r.dot.replica, r.dot.seq);
    known[r.dot.replica].Merge(seen);
    vv.Raise(r.dot.replica, r.dot.seq);
    VersionVector stable = Stable(n);
    ks.Apply(op, stable);
  }
};

// Logical digest: key -> "type|sorted content|expiry".
std::map<std::string, std::string> Digest(const Keyspace& ks) {
  std::map<std::string, std::string> out;
  ks.dict().ForEach([&](KeyEntry* e) {
    if (e->value == nullptr) return;
    ContentPayload c = ContentOf(*e->value);
    std::vector<std::string> parts;
    std::visit(
        [&](const auto& d) {
          using D = std::decay_t<decltype(d)>;
          if constexpr (std::is_same_v<D, delta::StrAssign>) {
            parts.emplace_back(d.value);
          } else if constexpr (std::is_same_v<D, delta::SetAdd>) {
            for (auto m : d.members) parts.emplace_back(m);
            std::sort(parts.begin(), parts.end());
          } else if constexpr (std::is_same_v<D, delta::HashSet>) {
            for (auto [f, v] : d.fields) parts.push_back(std::string(f) + "=" + std::string(v));
            std::sort(parts.begin(), parts.end());
          } else if constexpr (std::is_same_v<D, delta::ZsetAdd>) {
            for (auto [s, m] : d.items) parts.push_back(std::string(m) + "@" + std::to_string(s));
            std::sort(parts.begin(), parts.end());
          } else if constexpr (std::is_same_v<D, delta::ListInsert>) {
            for (auto v : d.values) parts.emplace_back(v);  // order matters
          }
        },
        c.payload);
    std::string s(ValueTypeName(e->value->type()));
    for (auto& p : parts) s += "|" + p;
    auto at = ks.ExpireAtMs(e);
    s += "|ttl=" + (at ? std::to_string(*at) : std::string("none"));
    out[std::string(e->key())] = s;
  });
  return out;
}

// Builds a random local write at replica `rep` the way a command handler would.
std::optional<Rec> MakeOp(Replica& rep, int64_t now_ms) {
  static const char* kKeys[] = {"a", "b", "c"};
  static const char* kItems[] = {"x", "y", "z"};
  Rec r;
  r.key = kKeys[*rc::gen::inRange(0, 3)];
  r.kind = *rc::gen::inRange(0, 14);
  KeyEntry* e = rep.ks.FindEntry(r.key);
  Value* visible = e != nullptr ? e->value : nullptr;
  auto wants = [&](ValueType t) { return visible == nullptr || visible->type() == t; };
  std::string item = kItems[*rc::gen::inRange(0, 3)];
  switch (r.kind) {
    case 0:
      r.clear_key = true;
      break;
    case 1:
      r.clear_key = true;
      r.items = {*rc::gen::element<std::string>("1", "2", "v")};
      break;
    case 2:
      if (!wants(ValueType::kString)) return std::nullopt;
      if (visible && !static_cast<StringValue*>(visible)->AsInteger()) return std::nullopt;
      r.delta = *rc::gen::inRange(-5, 6);
      break;
    case 3:
    case 4:
      if (!wants(ValueType::kSet)) return std::nullopt;
      r.items = {item};
      break;
    case 5:
    case 6:
      if (!wants(ValueType::kHash)) return std::nullopt;
      r.items = {item, *rc::gen::element<std::string>("1", "2", "v")};
      if (r.kind == 6) r.items.pop_back();
      break;
    case 7:
      return std::nullopt;  // HINCRBY needs the field's type; covered by or_map's tests
    case 8:
    case 9:
    case 10:
      if (!wants(ValueType::kZset)) return std::nullopt;
      r.items = {item};
      r.scores = {static_cast<double>(*rc::gen::inRange(-3, 4))};
      break;
    case 11:
      if (!wants(ValueType::kList)) return std::nullopt;
      r.items = {item};
      break;
    case 12: {
      if (visible == nullptr || visible->type() != ValueType::kList) return std::nullopt;
      auto* list = static_cast<ListValue*>(visible);
      if (list->size() == 0) return std::nullopt;
      r.ids = {list->IdAt(0)};  // LPOP
      break;
    }
    case 13:
      if (visible == nullptr) return std::nullopt;
      r.expire = *rc::gen::element<int64_t>(now_ms + 1000, now_ms + 2000, kPersistMs);
      break;
  }
  if (visible == nullptr) r.clear_key = true;  // as CommandContext::NewOp does
  r.dot = Dot{rep.id, rep.vv.Get(rep.id) + 1};
  r.stamp = rep.clock.Now(now_ms);
  r.ctx = rep.vv;
  return r;
}

bool Deliverable(const Replica& rep, const Rec& r) { return rep.vv.CanDeliver(r.dot, r.ctx); }

RC_GTEST_PROP(KeyspaceConvergence, RandomCausalDeliveryConverges, ()) {
  const int n = *rc::gen::inRange(2, 5);
  std::vector<std::unique_ptr<Replica>> reps;
  for (int i = 1; i <= n; ++i) reps.push_back(std::make_unique<Replica>(i, n));
  std::vector<Rec> log;                      // every op, in creation order
  std::vector<std::deque<size_t>> inbox(n);  // undelivered op indexes per replica
  int64_t now_ms = 1'000'000;
  const int steps = *rc::gen::inRange(1, 120);
  for (int s = 0; s < steps; ++s) {
    now_ms += *rc::gen::inRange(0, 3);
    int who = *rc::gen::inRange(0, n);
    if (*rc::gen::inRange(0, 3) > 0) {
      // Replica `who` writes (with its clock skewed by up to 2 s).
      int64_t skew = (who * 997) % 2000;
      std::optional<Rec> r = MakeOp(*reps[who], now_ms + skew);
      if (!r) continue;
      reps[who]->Apply(*r, n);
      log.push_back(*r);
      for (int j = 0; j < n; ++j)
        if (j != who) inbox[j].push_back(log.size() - 1);
    } else {
      // Replica `who` receives some deliverable op from its inbox, in any causal order.
      auto& box = inbox[who];
      std::vector<size_t> ready;
      for (size_t i = 0; i < box.size(); ++i)
        if (Deliverable(*reps[who], log[box[i]])) ready.push_back(i);
      if (ready.empty()) continue;
      size_t pick = ready[*rc::gen::inRange<size_t>(0, ready.size())];
      reps[who]->Apply(log[box[pick]], n);
      box.erase(box.begin() + pick);
    }
  }
  // Drain: deliver everything left, in causal order.
  for (int j = 0; j < n; ++j) {
    auto& box = inbox[j];
    while (!box.empty()) {
      bool progressed = false;
      for (size_t i = 0; i < box.size(); ++i) {
        if (Deliverable(*reps[j], log[box[i]])) {
          reps[j]->Apply(log[box[i]], n);
          box.erase(box.begin() + i);
          progressed = true;
          break;
        }
      }
      RC_ASSERT(progressed);
    }
  }
  auto first = Digest(reps[0]->ks);
  for (int j = 1; j < n; ++j) RC_ASSERT(Digest(reps[j]->ks) == first);
  // A fresh replica applying the whole log in creation order agrees too (local == remote).
  Replica fresh(n + 1, n + 1);
  for (const Rec& r : log) fresh.Apply(r, n + 1);
  RC_ASSERT(Digest(fresh.ks) == first);
}

}  // namespace
}  // namespace cordis
