// Property tests for ListValue (core/crdt/rga_list.h): random concurrent histories on two or three
// replicas, delivered in random causal orders and compacted at random moments with a causally
// stable vector, converge; applying the whole history on a fresh replica (in creation order and in
// another causal order) gives the same list; and on one replica the list behaves like Redis's.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <deque>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/crdt/rga_list.h"

namespace cordis {
namespace {

struct Rec {
  enum Kind { kInsert, kRemove, kSet, kDel } kind = kInsert;
  Dot dot;
  Stamp stamp;
  VersionVector ctx;
  std::optional<ElemId> after;
  std::vector<std::string> values;
  std::vector<ElemId> ids;
  ElemId set_id;
  std::string set_value;
};

void ApplyRec(ListValue& list, const Rec& r) {
  Op op;
  op.dot = r.dot;
  op.stamp = r.stamp;
  op.ctx = &r.ctx;
  switch (r.kind) {
    case Rec::kInsert: {
      delta::ListInsert d;
      d.after = r.after;
      for (const std::string& v : r.values) d.values.push_back(v);
      list.Apply(d, op);
      break;
    }
    case Rec::kRemove:
      list.Apply(delta::ListRemove{r.ids}, op);
      break;
    case Rec::kSet:
      list.Apply(delta::ListSet{r.set_id, r.set_value}, op);
      break;
    case Rec::kDel:
      list.RemoveObserved(r.ctx);
      break;
  }
}

// One random step, interpreted against the current state (so shrinking keeps steps meaningful).
struct Step {
  int replica;  // who acts
  int action;   // what it does
  int a, b;     // parameters
};

rc::Gen<Step> ArbStep() {
  return rc::gen::construct<Step>(rc::gen::inRange(0, 3), rc::gen::inRange(0, 100),
                                  rc::gen::inRange(0, 1000), rc::gen::inRange(0, 1000));
}

class Replica {
 public:
  Replica(ReplicaId id, int n) : id_(id), list_(id), last_seen_(n + 1) {}

  ListValue& list() { return list_; }
  const VersionVector& vv() const { return vv_; }

  // Makes a local op of kind `action` from local state, applies it, and returns it.
  std::optional<Rec> Local(int action, int a, int b, int* counter) {
    Rec r;
    r.dot = Dot{id_, vv_.Get(id_) + 1};
    r.stamp = Stamp{++hlc_ + static_cast<uint64_t>(b % 3 == 0 ? b % 7 : 0), id_};
    hlc_ = r.stamp.hlc;
    r.ctx = vv_;
    const size_t n = list_.size();
    auto fresh = [&] { return "r" + std::to_string(id_) + "v" + std::to_string((*counter)++); };
    const int kind = action % 9;
    if (kind <= 1 || n == 0) {  // LPUSH / RPUSH of 1..3 values
      std::vector<std::string> vals;
      for (int i = 0; i <= a % 3; ++i) vals.push_back(fresh());
      if (kind == 1 && n > 0) {
        r.after = list_.IdAt(n - 1);
        r.values = vals;
      } else if (kind == 1) {
        r.values.assign(vals.rbegin(), vals.rend());
      } else {
        r.values = vals;
      }
    } else if (kind <= 3) {  // LINSERT before / after
      const size_t i = static_cast<size_t>(a) % n;
      if (kind == 3) {
        r.after = list_.IdAt(i);
      } else if (i > 0) {
        r.after = list_.IdAt(i - 1);
      }
      r.values = {fresh()};
    } else if (kind <= 5) {  // LPOP / RPOP of 1..2
      r.kind = Rec::kRemove;
      for (size_t i = 0; i < static_cast<size_t>(1 + a % 2) && i < n; ++i) {
        r.ids.push_back(list_.IdAt(kind == 4 ? i : n - 1 - i));
      }
    } else if (kind == 6) {  // LREM of one element in the middle
      r.kind = Rec::kRemove;
      r.ids.push_back(list_.IdAt(static_cast<size_t>(a) % n));
    } else if (kind == 7) {  // LSET
      r.kind = Rec::kSet;
      r.set_id = list_.IdAt(static_cast<size_t>(a) % n);
      r.set_value = fresh();
    } else {  // DEL (rarely)
      if (a % 4 != 0) return std::nullopt;
      r.kind = Rec::kDel;
    }
    ApplyRec(list_, r);
    vv_.Raise(id_, r.dot.seq);
    return r;
  }

  bool Ready(const Rec& r) const { return r.dot.replica != id_ && vv_.CanDeliver(r.dot, r.ctx); }

  void Deliver(const Rec& r) {
    RC_ASSERT(Ready(r));
    hlc_ = std::max(hlc_, r.stamp.hlc);
    ApplyRec(list_, r);
    vv_.Raise(r.dot.replica, r.dot.seq);
    // What the origin had seen when it made its latest op that reached us.
    VersionVector seen = r.ctx;
    seen.Raise(r.dot.replica, r.dot.seq);
    last_seen_[r.dot.replica] = seen;
  }

  // Causally stable here: every op we apply from now on is causally after all it covers (each
  // origin's future ops come after the last one we applied from it, delivery being FIFO).
  VersionVector Stable(int replicas) const {
    VersionVector stable;
    for (int r = 1; r <= replicas; ++r) {
      uint64_t m = vv_.Get(r);
      for (int j = 1; j <= replicas; ++j) {
        if (j != static_cast<int>(id_)) m = std::min(m, last_seen_[j].Get(r));
      }
      if (m > 0) stable.Raise(r, m);
    }
    return stable;
  }

 private:
  ReplicaId id_;
  ListValue list_;
  VersionVector vv_;
  uint64_t hlc_ = 0;
  std::vector<VersionVector> last_seen_;  // by origin replica id
};

RC_GTEST_PROP(RgaListProperty, ConcurrentHistoriesConverge, ()) {
  const int n = *rc::gen::inRange(2, 4);
  const std::vector<Step> steps = *rc::gen::container<std::vector<Step>>(ArbStep());
  std::deque<Replica> reps;
  for (int i = 1; i <= n; ++i) reps.emplace_back(static_cast<ReplicaId>(i), n);
  std::vector<Rec> log;
  int counter = 0;
  for (const Step& s : steps) {
    Replica& r = reps[static_cast<size_t>(s.replica % n)];
    if (s.action < 45) {
      if (std::optional<Rec> op = r.Local(s.action, s.a, s.b, &counter)) log.push_back(*op);
    } else if (s.action < 90) {
      std::vector<const Rec*> ready;
      for (const Rec& op : log) {
        if (r.Ready(op)) ready.push_back(&op);
      }
      if (!ready.empty()) r.Deliver(*ready[static_cast<size_t>(s.a) % ready.size()]);
    } else {
      r.list().Compact(r.Stable(n));
    }
  }
  // Heal: every replica receives what it misses, in creation order (a causal order).
  for (Replica& r : reps) {
    for (const Rec& op : log) {
      if (!r.vv().Covers(op.dot)) r.Deliver(op);
    }
  }
  const auto expected = reps[0].list().Entries();
  for (Replica& r : reps) RC_ASSERT(r.list().Entries() == expected);

  // Local apply == remote apply: a fresh replica fed the whole history.
  ListValue fresh(99);
  for (const Rec& op : log) ApplyRec(fresh, op);
  RC_ASSERT(fresh.Entries() == expected);

  // Another causal order: repeatedly apply the ready op chosen by a generated index.
  ListValue other(98);
  VersionVector vv;
  std::vector<bool> done(log.size(), false);
  for (size_t applied = 0; applied < log.size(); ++applied) {
    std::vector<size_t> ready;
    for (size_t i = 0; i < log.size(); ++i) {
      const Rec& op = log[i];
      if (!done[i] && vv.CanDeliver(op.dot, op.ctx)) {
        ready.push_back(i);
      }
    }
    RC_ASSERT(!ready.empty());
    const size_t pick = ready[*rc::gen::inRange<size_t>(0, ready.size())];
    ApplyRec(other, log[pick]);
    vv.Raise(log[pick].dot.replica, log[pick].dot.seq);
    done[pick] = true;
  }
  RC_ASSERT(other.Entries() == expected);

  // Once everything is stable, every tombstone goes and nothing visible changes. (Tombstones
  // left by RemoveObserved wait until every replica has moved past the DEL's context, because
  // RemoveObserved is not told the DEL's dot; see rga_list.cc.)
  const bool has_del =
      std::any_of(log.begin(), log.end(), [](const Rec& op) { return op.kind == Rec::kDel; });
  for (Replica& r : reps) {
    r.list().Compact(r.vv());
    RC_ASSERT(has_del || r.list().tombstone_count() == 0u);
    RC_ASSERT(r.list().Entries() == expected);
  }
  RC_TAG(expected.size() > 3 ? "long" : "short");
}

// On one replica the list is a Redis list: compare with a std::deque model.
RC_GTEST_PROP(RgaListProperty, SingleReplicaMatchesRedisModel, ()) {
  const std::vector<Step> steps = *rc::gen::container<std::vector<Step>>(ArbStep());
  Replica r(1, 1);
  std::deque<std::string> model;
  int counter = 0;
  for (const Step& s : steps) {
    if (s.action >= 90) {
      r.list().Compact(r.vv());
      RC_ASSERT(r.list().tombstone_count() == 0u);
      continue;
    }
    const size_t n = model.size();
    const int kind = s.action % 9;
    const int before = counter;
    std::optional<Rec> op = r.Local(s.action, s.a, s.b, &counter);
    if (!op) continue;
    std::vector<std::string> made;
    for (int i = before; i < counter; ++i) made.push_back("r1v" + std::to_string(i));
    if (kind <= 1 || n == 0) {
      for (const std::string& v : made) {
        if (kind == 1 && n > 0) {
          model.push_back(v);
        } else if (kind == 1) {
          model.push_back(v);
        } else {
          model.push_front(v);
        }
      }
    } else if (kind <= 3) {
      const size_t i = static_cast<size_t>(s.a) % n;
      model.insert(model.begin() + static_cast<long>(kind == 3 ? i + 1 : i), made[0]);
    } else if (kind <= 5) {
      for (int i = 0; i < 1 + s.a % 2 && !model.empty(); ++i) {
        kind == 4 ? model.pop_front() : model.pop_back();
      }
    } else if (kind == 6) {
      model.erase(model.begin() + static_cast<long>(static_cast<size_t>(s.a) % n));
    } else if (kind == 7) {
      model[static_cast<size_t>(s.a) % n] = made[0];
    } else {
      model.clear();
    }
    RC_ASSERT(r.list().Contents() == std::vector<std::string>(model.begin(), model.end()));
    RC_ASSERT(r.list().Empty() == model.empty());
  }
}

}  // namespace
}  // namespace cordis
