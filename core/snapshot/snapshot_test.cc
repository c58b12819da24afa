// Snapshot state transfer: for hand-made concurrent histories of every type, a keyspace decoded
// from a snapshot holds exactly the sender's internal CRDT state (compared through a canonical
// encoding and the logical digest), and stays identical to the sender under every later op,
// including removals of old dots and inserts after tombstones. Corrupt input is an error, never a
// crash.
#include "core/snapshot/snapshot.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "core/base/prng.h"
#include "core/keyspace/digest.h"
#include "core/snapshot/snapshot_testing.h"

namespace cordis {
namespace {

using snapshot_testing::Canonical;
using snapshot_testing::Cluster;
using snapshot_testing::Rec;

// Hand-made writes: each makes an op at replica r, applies it there and queues it for the others.
Rec& Set(Cluster& c, ReplicaId r, std::string_view k, std::string_view v) {
  Rec& x = c.Make(r, k);
  x.op.clear_key = true;
  x.op.payload = delta::StrAssign{x.Own(v)};
  c.Commit(x);
  return x;
}
Rec& Del(Cluster& c, ReplicaId r, std::string_view k) {
  Rec& x = c.Make(r, k);
  x.op.clear_key = true;
  c.Commit(x);
  return x;
}
Rec& Incr(Cluster& c, ReplicaId r, std::string_view k, int64_t d) {
  Rec& x = c.Make(r, k);
  x.op.payload = delta::CounterAdd{d};
  c.Commit(x);
  return x;
}
Rec& IncrFloat(Cluster& c, ReplicaId r, std::string_view k, long double d) {
  Rec& x = c.Make(r, k);
  x.op.payload = delta::FloatAdd{d};
  c.Commit(x);
  return x;
}
Rec& Sadd(Cluster& c, ReplicaId r, std::string_view k, std::initializer_list<std::string_view> m) {
  Rec& x = c.Make(r, k);
  x.op.payload = delta::SetAdd{x.Own(m)};
  c.Commit(x);
  return x;
}
Rec& Srem(Cluster& c, ReplicaId r, std::string_view k, std::initializer_list<std::string_view> m) {
  Rec& x = c.Make(r, k);
  x.op.payload = delta::SetRemove{x.Own(m)};
  c.Commit(x);
  return x;
}
Rec& Hset(Cluster& c, ReplicaId r, std::string_view k, std::string_view f, std::string_view v) {
  Rec& x = c.Make(r, k);
  x.op.payload = delta::HashSet{{{x.Own(f), x.Own(v)}}};
  c.Commit(x);
  return x;
}
Rec& Hdel(Cluster& c, ReplicaId r, std::string_view k, std::string_view f) {
  Rec& x = c.Make(r, k);
  x.op.payload = delta::HashRemove{{x.Own(f)}};
  c.Commit(x);
  return x;
}
Rec& Hincr(Cluster& c, ReplicaId r, std::string_view k, std::string_view f, int64_t d) {
  Rec& x = c.Make(r, k);
  x.op.payload = delta::HashAdd{x.Own(f), d};
  c.Commit(x);
  return x;
}
Rec& HincrFloat(Cluster& c, ReplicaId r, std::string_view k, std::string_view f, long double d) {
  Rec& x = c.Make(r, k);
  x.op.payload = delta::HashAddFloat{x.Own(f), d};
  c.Commit(x);
  return x;
}
Rec& Zadd(Cluster& c, ReplicaId r, std::string_view k, double s, std::string_view m) {
  Rec& x = c.Make(r, k);
  x.op.payload = delta::ZsetAdd{{{s, x.Own(m)}}};
  c.Commit(x);
  return x;
}
Rec& Zincr(Cluster& c, ReplicaId r, std::string_view k, std::string_view m, double d) {
  Rec& x = c.Make(r, k);
  x.op.payload = delta::ZsetIncr{x.Own(m), d};
  c.Commit(x);
  return x;
}
Rec& Zrem(Cluster& c, ReplicaId r, std::string_view k, std::string_view m) {
  Rec& x = c.Make(r, k);
  x.op.payload = delta::ZsetRemove{{x.Own(m)}};
  c.Commit(x);
  return x;
}
Rec& Push(Cluster& c, ReplicaId r, std::string_view k, std::optional<ElemId> after,
          std::initializer_list<std::string_view> v) {
  Rec& x = c.Make(r, k);
  x.op.payload = delta::ListInsert{after, x.Own(v)};
  c.Commit(x);
  return x;
}
Rec& Lrem(Cluster& c, ReplicaId r, std::string_view k, std::vector<ElemId> ids) {
  Rec& x = c.Make(r, k);
  x.op.payload = delta::ListRemove{std::move(ids)};
  c.Commit(x);
  return x;
}
Rec& Lset(Cluster& c, ReplicaId r, std::string_view k, ElemId id, std::string_view v) {
  Rec& x = c.Make(r, k);
  x.op.payload = delta::ListSet{id, x.Own(v)};
  c.Commit(x);
  return x;
}
Rec& Expire(Cluster& c, ReplicaId r, std::string_view k, int64_t at_ms) {
  Rec& x = c.Make(r, k);
  x.op.expire = at_ms;
  x.op.payload = delta::ExpireOnly{};
  c.Commit(x);
  return x;
}

ElemId Id(const Rec& r, uint32_t idx = 0) { return ElemId{r.op.dot, idx}; }

template <typename V>
const V* ValueAt(Keyspace& ks, std::string_view key) {
  KeyEntry* e = ks.FindEntry(key);
  if (e == nullptr) return nullptr;
  if (e->value != nullptr && e->value->type() == V::kType) return static_cast<V*>(e->value);
  for (const auto& v : ks.ShadowsOf(e))
    if (v->type() == V::kType) return static_cast<const V*>(v.get());
  return nullptr;
}

void CheckZsets(const Keyspace& ks) {
  ks.dict().ForEach([&](const KeyEntry* e) {
    if (e->value != nullptr && e->value->type() == ValueType::kZset)
      static_cast<const ZsetValue*>(e->value)->CheckInvariants();
    for (const auto& v : ks.ShadowsOf(e))
      if (v->type() == ValueType::kZset) static_cast<const ZsetValue*>(v.get())->CheckInvariants();
  });
}

void ExpectSame(const Keyspace& a, const Keyspace& b) {
  EXPECT_EQ(Canonical(a), Canonical(b));
  EXPECT_EQ(KeyspaceDigest(a), KeyspaceDigest(b));
  EXPECT_EQ(a.size(), b.size());
  EXPECT_EQ(a.expires_count(), b.expires_count());
  CheckZsets(b);
}

void RandomPhase(Cluster& c, uint64_t seed, int steps) {
  Prng rng(seed);
  auto pick = [&](uint64_t n) { return rng.Uniform(n); };
  for (int i = 0; i < steps; ++i) {
    c.now_ms += static_cast<int64_t>(rng.Uniform(3));
    ReplicaId r = 1 + static_cast<ReplicaId>(rng.Uniform(c.size()));
    if (rng.Uniform(3) > 0) {
      snapshot_testing::RandomWrite(c, r, pick);
    } else if (auto ready = c.Ready(r); !ready.empty()) {
      c.Deliver(r, *ready[pick(ready.size())]);
    }
  }
}

// Snapshots replica r into a fresh keyspace (another seed), checks it is exact, then applies
// `further` and random writes at r and at the others to both copies, and checks again.
void CheckSnapshot(Cluster& c, ReplicaId r, const std::function<void()>& further) {
  std::unique_ptr<Keyspace> copy = snapshot_testing::RoundTrip(c.ks(r), /*seed=*/99);
  ASSERT_GT(c.ks(r).dict().size(), 0u);
  ExpectSame(c.ks(r), *copy);
  c.Mirror(r, copy.get());
  c.after_mirror = [&] { ExpectSame(c.ks(r), *copy); };  // after every op: no divergence hides
  further();
  ExpectSame(c.ks(r), *copy);
  RandomPhase(c, /*seed=*/r * 1000 + 1, 300);
  ExpectSame(c.ks(r), *copy);
  c.DeliverAll();
  ExpectSame(c.ks(r), *copy);
  c.Mirror(r, nullptr);
  c.after_mirror = nullptr;
}

// Makes every replica learn that every other has seen everything so far: after this, what was
// applied before is stable everywhere and folds on the next op touching its key.
void Stabilize(Cluster& c, std::string_view scratch_key) {
  c.DeliverAll();
  for (int r = 1; r <= c.size(); ++r) Sadd(c, r, scratch_key, {"s"});
  c.DeliverAll();
}

TEST(Snapshot, StringRegistersAndCounters) {
  Cluster c(3);
  Set(c, 1, "n", "10");
  IncrFloat(c, 1, "f", 0.5);
  Incr(c, 2, "n", 3);
  Stabilize(c, "z");
  Incr(c, 3, "n", 4);          // folds r2's increment: folded + pending
  IncrFloat(c, 3, "f", 0.25);  // folds r1's float increment
  c.DeliverAll();
  Set(c, 1, "s", "one");  // concurrent registers: r1 and r2 have not seen each other's SET
  Set(c, 2, "s", "two");
  Rec& late_set = Set(c, 2, "n", "100");  // concurrent with r1's increments below
  Incr(c, 1, "n", 5);
  Incr(c, 1, "n", -2);
  c.Deliver(1, *c.Ready(1).front());  // r2's SET s "two"
  ASSERT_EQ(c.Ready(1).size(), 1u);
  std::string scratch;
  EXPECT_EQ(ValueAt<StringValue>(c.ks(1), "n")->Get(&scratch), "20");
  CheckSnapshot(c, 1, [&] {
    c.Deliver(1, late_set);  // the SET keeps the increments it had not seen
    EXPECT_EQ(ValueAt<StringValue>(c.ks(1), "n")->Get(&scratch), "103");
    c.Deliver(1, Del(c, 2, "s"));  // r2 had seen only its own register: r1's is left
    EXPECT_EQ(ValueAt<StringValue>(c.ks(1), "s")->Get(&scratch), "one");
    Set(c, 1, "s", "three");
    Incr(c, 1, "n", 1);
    IncrFloat(c, 2, "f", 1);
    Del(c, 3, "f");  // r3 had seen only the first two increments
  });
}

TEST(Snapshot, SetTags) {
  Cluster c(3);
  Sadd(c, 1, "s", {"a", "b"});
  Sadd(c, 2, "s", {"a", "c"});  // concurrent add of a: two tags at whoever sees both
  Sadd(c, 3, "s", {"d"});
  c.Deliver(1, *c.Ready(1).front());
  c.Deliver(1, *c.Ready(1).front());
  Rec& rem = Srem(c, 2, "s", {"a", "d"});  // r2 has seen only its own tag of a
  CheckSnapshot(c, 1, [&] {
    c.DeliverAll();
    EXPECT_TRUE(ValueAt<SetValue>(c.ks(1), "s")->Contains("a"));  // r1's tag survives
    EXPECT_TRUE(ValueAt<SetValue>(c.ks(1), "s")->Contains("d"));  // r2 had not seen d
    (void)rem;
    Srem(c, 1, "s", {"a", "b"});  // removes old dots of two origins
    Sadd(c, 3, "s", {"b"});
  });
}

TEST(Snapshot, HashRegistersAndCounters) {
  Cluster c(3);
  Hset(c, 1, "h", "f", "1");
  Hincr(c, 2, "h", "n", 5);
  HincrFloat(c, 3, "h", "x", 1.5);
  Stabilize(c, "z");
  Hincr(c, 1, "h", "n", 2);          // folds r2's increment
  HincrFloat(c, 2, "h", "x", 0.25);  // folds r3's
  Hset(c, 3, "h", "g", "a");
  Hset(c, 1, "h", "g", "b");  // concurrent registers
  Hincr(c, 2, "h", "f", 10);  // increment on a register, concurrent with r3's HSET below
  Rec& hset = Hset(c, 3, "h", "f", "7");
  c.Deliver(1, *c.Ready(1).front());
  CheckSnapshot(c, 1, [&] {
    c.DeliverAll();
    EXPECT_EQ(*ValueAt<HashValue>(c.ks(1), "h")->Get("f"), "17");
    (void)hset;
    Hdel(c, 1, "h", "g");
    Hincr(c, 2, "h", "n", -3);
    Hdel(c, 3, "h", "x");
  });
}

TEST(Snapshot, ZsetTagsRegistersAndIncrements) {
  Cluster c(3);
  Zadd(c, 1, "z", 1, "a");
  Zincr(c, 2, "z", "b", 2.5);  // member made by ZINCRBY only: folds into a register of its own
  Zincr(c, 3, "z", "a", 1);
  Stabilize(c, "s");
  Zincr(c, 1, "z", "b", 1);  // folds the stable increments
  Rec& za = Zincr(c, 2, "z", "a", 0.5);
  Rec& c2 = Zadd(c, 2, "z", 5, "c");
  Rec& c3 = Zadd(c, 3, "z", 6, "c");  // concurrent tags and registers of c
  Rec& a3 = Zincr(c, 3, "z", "a", 2);
  Zrem(c, 2, "z", "a");  // r2 has not seen r3's increment
  Zrem(c, 2, "z", "c");  // nor r3's add of c
  for (Rec* x : {&c3, &a3, &za, &c2}) c.Deliver(1, *x);
  CheckSnapshot(c, 1, [&] {
    c.DeliverAll();
    EXPECT_EQ(ValueAt<ZsetValue>(c.ks(1), "z")->Score("a"), 2.0);
    EXPECT_EQ(ValueAt<ZsetValue>(c.ks(1), "z")->Score("c"), 6.0);
    Zincr(c, 1, "z", "c", -1);
    Zrem(c, 3, "z", "b");
    Zadd(c, 2, "z", 0, "b");
  });
}

TEST(Snapshot, ListTombstonesAndMarks) {
  Cluster c(3);
  Rec& p1 = Push(c, 1, "l", std::nullopt, {"a", "b", "c"});  // l: c b a
  Rec& q = Push(c, 1, "q", std::nullopt, {"q1", "q2"});      // q: q2 q1
  c.DeliverAll();
  Rec& p2 = Push(c, 2, "l", Id(p1, 0), {"x", "y"});  // l: c b a x y
  c.DeliverAll();
  // q: r3's DEL had not seen r1's insert, so r1 keeps tombstones removed by a context, and r2
  // inserts after one of them concurrently (below).
  Push(c, 1, "q", Id(q, 0), {"q3"});
  Rec& qdel = Del(c, 3, "q");
  c.Deliver(1, qdel);
  // l: a removal by op, LSET marks, concurrent LSETs, an insert after an element r1 removed.
  Lrem(c, 1, "l", {Id(p1, 1)});
  Lset(c, 1, "l", Id(p1, 2), "C");
  Rec& after_b = Push(c, 2, "l", Id(p1, 1), {"nb"});
  Rec& lset3 = Lset(c, 3, "l", Id(p2, 1), "Y3");
  c.now_ms += 5;
  Lset(c, 1, "l", Id(p2, 1), "Y1");  // the mark wins over Y3 (a greater stamp), after the snapshot
  Push(c, 2, "q", Id(q, 0), {"q4"});
  const ListValue* l = ValueAt<ListValue>(c.ks(1), "l");
  const ListValue* ql = ValueAt<ListValue>(c.ks(1), "q");
  ASSERT_EQ(l->tombstone_count(), 1u);
  ASSERT_EQ(ql->tombstone_count(), 2u);
  EXPECT_EQ(ql->Contents(), (std::vector<std::string>{"q3"}));
  CheckSnapshot(c, 1, [&] {
    c.Deliver(1, after_b);  // finds the tombstone of b
    c.Deliver(1, lset3);    // loses to the LSET mark
    c.DeliverAll();         // r2's insert after q1 finds q1's tombstone
    EXPECT_EQ(ValueAt<ListValue>(c.ks(1), "l")->Contents(),
              (std::vector<std::string>{"C", "nb", "a", "x", "Y1"}));
    EXPECT_EQ(ValueAt<ListValue>(c.ks(1), "q")->size(), 2u);
    Lrem(c, 1, "l", {Id(p1, 0)});
    Push(c, 2, "l", Id(p1, 0), {"after-a"});  // r2 had not seen the removal of a
    Lset(c, 3, "l", Id(p2, 0), "X");
  });
}

// A list whose live elements are gone keeps its tombstones, out of sight, while a concurrent
// insert may still reference them; the snapshot carries such an invisible key.
TEST(Snapshot, InvisibleListOfTombstones) {
  Cluster c(3);
  Rec& p = Push(c, 1, "l", std::nullopt, {"a"});
  c.DeliverAll();
  Rec& ins = Push(c, 2, "l", Id(p), {"b"});  // concurrent with the removal of a
  Lrem(c, 1, "l", {Id(p)});
  KeyEntry* e = c.ks(1).FindEntry("l");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->value, nullptr);
  ASSERT_EQ(c.ks(1).ShadowsOf(e).size(), 1u);
  CheckSnapshot(c, 1, [&] {
    c.Deliver(1, ins);  // placed after the tombstone of a
    EXPECT_EQ(ValueAt<ListValue>(c.ks(1), "l")->Contents(), (std::vector<std::string>{"b"}));
  });
}

TEST(Snapshot, ShadowsAndExpiry) {
  Cluster c(3);
  // Concurrent writes of different types: the greatest stamp is visible, the others shadows.
  Set(c, 1, "k", "str");
  c.now_ms += 10;
  Sadd(c, 2, "k", {"m"});
  Push(c, 3, "k", std::nullopt, {"l"});
  Set(c, 1, "e", "v");
  Set(c, 1, "gone", "v");
  c.DeliverAll();
  // An expiry-only key: r1's EXPIRE races r2's DEL, which had not seen it; r3 writes
  // concurrently with both.
  Expire(c, 1, "gone", c.now_ms + 2000);
  Rec& del = Del(c, 2, "gone");
  Rec& sadd = Sadd(c, 3, "gone", {"late"});
  c.Deliver(1, del);
  // A concurrent EXPIRE and PERSIST: two expiry entries, PERSIST effective.
  Expire(c, 1, "e", c.now_ms + 1000);
  c.Deliver(1, Expire(c, 2, "e", kPersistMs));
  KeyEntry* gone = c.ks(1).FindEntry("gone");
  ASSERT_NE(gone, nullptr);
  EXPECT_EQ(gone->value, nullptr);
  EXPECT_EQ(c.ks(1).ShadowsOf(c.ks(1).FindEntry("k")).size(), 2u);
  EXPECT_EQ(c.ks(1).ExpiryOf(c.ks(1).FindEntry("e"))->entries.size(), 2u);
  CheckSnapshot(c, 1, [&] {
    // r2 replaces only the PERSIST it had seen: r1's deadline is effective again.
    c.Deliver(1, Expire(c, 2, "e", c.now_ms + 500));
    EXPECT_EQ(c.ks(1).ExpireAtMs(c.ks(1).FindEntry("e")), c.now_ms + 1000);
    c.Deliver(1, sadd);  // meets the expiry entry the snapshot carried
    EXPECT_EQ(c.ks(1).ExpireAtMs(c.ks(1).FindEntry("gone")), c.now_ms + 2000);
    Del(c, 2, "k");
    Expire(c, 1, "e", c.now_ms + 500);
  });
}

// With garbage collection on, the copy's collection queue holds the sender's pending writes grouped
// by key, not in arrival order, so an emptied key whose writes are all stable may be dropped at
// another moment on the copy. That is all that may differ: readers see the same keys, and the next
// write to the key, made fresh by a replica that sees it missing, removes what the copy still
// holds (its context covers those stable writes).
TEST(Snapshot, EmptiedKeyDroppedLaterOnTheCopyLeavesNoTrace) {
  Cluster c(2);
  c.collect_garbage = true;
  Set(c, 1, "emptied", "v");
  Set(c, 1, "a", "v");
  c.DeliverAll();
  // An EXPIRE races a DEL: the emptied key keeps the expiry entry, out of sight.
  Rec& expire = Expire(c, 1, "emptied", c.now_ms + 1000);
  Rec& del = Del(c, 2, "emptied");
  c.Deliver(1, del);
  c.Deliver(2, expire);
  Set(c, 1, "a", "w");                // pending at r1 after the EXPIRE, and not yet seen by r2
  Rec& ack = Sadd(c, 2, "s", {"x"});  // tells r1 that r2 has the EXPIRE
  std::unique_ptr<Keyspace> copy = snapshot_testing::RoundTrip(c.ks(1), /*seed=*/99);
  ExpectSame(c.ks(1), *copy);
  c.Mirror(1, copy.get());
  c.Deliver(1, ack);  // the EXPIRE is stable; the SET of "a" is not
  // The sender reached "emptied" first in its queue and dropped it; the copy's queue has "a" first.
  ASSERT_EQ(c.ks(1).FindEntry("emptied"), nullptr);
  KeyEntry* left = copy->FindEntry("emptied");
  ASSERT_NE(left, nullptr) << "the keys' order changed: pick other key names";
  EXPECT_EQ(left->value, nullptr);
  EXPECT_EQ(KeyspaceDigest(c.ks(1)), KeyspaceDigest(*copy));
  EXPECT_EQ(c.ks(1).size(), copy->size());
  // r2 sees "emptied" missing: its INCR starts the key afresh (clear_key, as CommandContext::NewOp
  // makes it), on the sender and the copy alike.
  Rec& incr = c.Make(2, "emptied");
  incr.op.clear_key = true;
  incr.op.payload = delta::CounterAdd{1};
  c.Commit(incr);
  c.Deliver(1, incr);
  ExpectSame(c.ks(1), *copy);
  EXPECT_EQ(copy->ExpireAtMs(copy->FindEntry("emptied")), std::nullopt);
  c.DeliverAll();
  ExpectSame(c.ks(1), *copy);
  c.Mirror(1, nullptr);
}

// Redis's encoding of a sorted set only ever leaves the listpack: a small set that once held a
// long member stays a skiplist, on the copy too.
TEST(Snapshot, ZsetEncodingTravels) {
  Cluster c(2);
  const std::string long_member(70, 'm');
  Zadd(c, 1, "z", 1, long_member);
  Zadd(c, 1, "z", 2, "short");
  Zrem(c, 1, "z", long_member);
  ASSERT_FALSE(ValueAt<ZsetValue>(c.ks(1), "z")->listpack());
  std::unique_ptr<Keyspace> copy = snapshot_testing::RoundTrip(c.ks(1), 5);
  EXPECT_FALSE(ValueAt<ZsetValue>(*copy, "z")->listpack());
  Zadd(c, 1, "small", 1, "a");
  copy = snapshot_testing::RoundTrip(c.ks(1), 5);
  EXPECT_TRUE(ValueAt<ZsetValue>(*copy, "small")->listpack());
  ExpectSame(c.ks(1), *copy);
}

TEST(Snapshot, RandomHistories) {
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    SCOPED_TRACE(seed);
    Cluster c(2 + seed % 3);
    RandomPhase(c, seed, 200);
    ReplicaId r = 1 + seed % c.size();
    if (c.ks(r).dict().size() == 0) continue;
    CheckSnapshot(c, r, [] {});
    if (HasFailure()) return;
  }
}

// ---- Corrupt input ----

// Keys of every type, with tombstones, counters, shadows and expiry entries: the keyspaces of
// several random histories, caught with ops still in flight.
pb::Snapshot RichSnapshot() {
  pb::Snapshot snap;
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    Cluster c(3);
    RandomPhase(c, seed, 300);
    for (int r = 1; r <= 3; ++r) EncodeKeyspace(c.ks(r), 0, &snap);
  }
  return snap;
}

// Decoding must succeed or fail cleanly; on failure the keyspace is unchanged.
void DecodeAnything(const std::string& bytes) {
  pb::KeyState k;
  if (!k.ParseFromString(bytes)) return;
  Keyspace ks(3);
  absl::Status st = DecodeKeyState(k, &ks);
  if (!st.ok()) {
    EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss) << st;
    EXPECT_EQ(ks.dict().size(), 0u);
    return;
  }
  (void)KeyspaceDigest(ks);
  (void)Canonical(ks);
}

TEST(SnapshotCorruption, TruncatedAndBitFlippedKeyStates) {
  pb::Snapshot snap = RichSnapshot();
  ASSERT_GT(snap.keys_size(), 20);
  Prng rng(11);
  for (const pb::KeyState& k : snap.keys()) {
    const std::string bytes = k.SerializeAsString();
    for (size_t n = 0; n < bytes.size(); ++n) DecodeAnything(bytes.substr(0, n));
    for (size_t bit = 0; bit < bytes.size() * 8; bit += 1 + rng.Uniform(3)) {
      std::string b = bytes;
      b[bit / 8] = static_cast<char>(b[bit / 8] ^ (1 << (bit % 8)));
      DecodeAnything(b);
    }
    // Flips inside the value states themselves, which still parse as a KeyState.
    for (int v = 0; v < k.values_size(); ++v) {
      const std::string& value = k.values(v);
      for (size_t bit = 0; bit < value.size() * 8; ++bit) {
        pb::KeyState bad = k;
        std::string* b = bad.mutable_values(v);
        (*b)[bit / 8] = static_cast<char>((*b)[bit / 8] ^ (1 << (bit % 8)));
        DecodeAnything(bad.SerializeAsString());
      }
      for (size_t n = 0; n < value.size(); ++n) {
        pb::KeyState bad = k;
        bad.mutable_values(v)->resize(n);
        DecodeAnything(bad.SerializeAsString());
      }
    }
  }
}

// One valid key of each type, as ValueState messages to break by hand.
pb::ValueState ValidState(ValueType t) {
  Cluster c(3);  // r3 has made no op, so nothing becomes stable (folded)
  switch (t) {
    case ValueType::kString:
      Set(c, 1, "k", "v");
      Incr(c, 2, "k", 1);
      break;
    case ValueType::kList:
      Push(c, 1, "k", std::nullopt, {"a", "b"});
      break;
    case ValueType::kSet:
      Sadd(c, 1, "k", {"a"});
      break;
    case ValueType::kZset:
      Zadd(c, 1, "k", 1, "a");
      break;
    case ValueType::kHash:
      Hset(c, 1, "k", "f", "v");
      break;
  }
  c.DeliverAll();
  pb::Snapshot snap;
  EncodeKeyspace(c.ks(1), 0, &snap);
  CHECK_EQ(snap.keys_size(), 1);
  pb::ValueState s;
  CHECK(s.ParseFromString(snap.keys(0).values(0)));
  return s;
}

absl::Status DecodeOne(const pb::ValueState& s, std::vector<pb::ExpiryEntry> expiry = {}) {
  pb::KeyState k;
  k.set_key("k");
  k.add_values(s.SerializeAsString());
  for (auto& x : expiry) *k.add_expiry() = x;
  Keyspace ks(3);
  return DecodeKeyState(k, &ks);
}

TEST(SnapshotCorruption, InvariantViolationsAreDataLoss) {
  for (ValueType t :
       {ValueType::kString, ValueType::kList, ValueType::kSet, ValueType::kZset, ValueType::kHash})
    EXPECT_TRUE(DecodeOne(ValidState(t)).ok()) << ValueTypeName(t);

  struct Case {
    const char* name;
    ValueType type;  // the valid state the mutation starts from
    std::function<void(pb::ValueState&)> mutate;
  };
  const std::vector<Case> cases = {
      {"no type", ValueType::kString, [](pb::ValueState& s) { s.Clear(); }},
      {"empty string", ValueType::kString, [](pb::ValueState& s) { s.mutable_string()->Clear(); }},
      {"string dup dot", ValueType::kString,
       [](pb::ValueState& s) { *s.mutable_string()->add_regs() = s.string().regs(0); }},
      {"string dot 0", ValueType::kString,
       [](pb::ValueState& s) { s.mutable_string()->mutable_regs(0)->mutable_tag()->set_seq(0); }},
      {"string increments duplicated", ValueType::kString,
       [](pb::ValueState& s) {
         *s.mutable_string()->mutable_incrs()->add_pending() = s.string().incrs().pending(0);
       }},
      {"string float increment short", ValueType::kString,
       [](pb::ValueState& s) {
         auto* p = s.mutable_string()->mutable_incrs()->mutable_pending(0);
         p->set_is_float(true);
         p->set_float_delta("abc");
       }},
      {"list without elements", ValueType::kList,
       [](pb::ValueState& s) { s.mutable_list()->clear_elems(); }},
      {"list dup id", ValueType::kList,
       [](pb::ValueState& s) { *s.mutable_list()->add_elems() = s.list().elems(0); }},
      {"list idx too big", ValueType::kList,
       [](pb::ValueState& s) { s.mutable_list()->mutable_elems(0)->set_idx(1u << 31); }},
      {"list ctx out of range", ValueType::kList,
       [](pb::ValueState& s) { s.mutable_list()->mutable_elems(0)->set_removed_ctx(0); }},
      {"list tombstone value", ValueType::kList,
       [](pb::ValueState& s) {
         auto* e = s.mutable_list()->mutable_elems(0);
         e->mutable_removed_by()->set_replica(1);
         e->mutable_removed_by()->set_seq(3);
       }},
      {"list old mark", ValueType::kList,
       [](pb::ValueState& s) {
         auto* e = s.mutable_list()->mutable_elems(0);
         e->mutable_mark()->set_replica(1);
         e->mutable_mark()->set_seq(4);
         e->mutable_mark()->set_hlc(e->hlc() - 1);
       }},
      {"set no tags", ValueType::kSet,
       [](pb::ValueState& s) { s.mutable_set()->mutable_members(0)->clear_tags(); }},
      {"set dup member", ValueType::kSet,
       [](pb::ValueState& s) { *s.mutable_set()->add_members() = s.set().members(0); }},
      {"set dup tag", ValueType::kSet,
       [](pb::ValueState& s) {
         *s.mutable_set()->mutable_members(0)->add_tags() = s.set().members(0).tags(0);
       }},
      {"zset NaN", ValueType::kZset,
       [](pb::ValueState& s) {
         s.mutable_zset()->mutable_entries(0)->mutable_regs(0)->set_value(std::nan(""));
       }},
      {"zset NaN incr", ValueType::kZset,
       [](pb::ValueState& s) {
         auto* i = s.mutable_zset()->mutable_entries(0)->add_incrs();
         *i->mutable_tag() = s.zset().entries(0).adds(0);
         i->set_value(std::nan(""));
       }},
      {"zset incrs unsorted", ValueType::kZset,
       [](pb::ValueState& s) {
         auto* e = s.mutable_zset()->mutable_entries(0);
         for (uint64_t hlc : {5, 4}) {
           auto* i = e->add_incrs();
           i->mutable_tag()->set_replica(2);
           i->mutable_tag()->set_seq(hlc);
           i->mutable_tag()->set_hlc(hlc);
         }
       }},
      {"zset no tags", ValueType::kZset,
       [](pb::ValueState& s) { s.mutable_zset()->mutable_entries(0)->clear_adds(); }},
      {"zset dup member", ValueType::kZset,
       [](pb::ValueState& s) { *s.mutable_zset()->add_entries() = s.zset().entries(0); }},
      {"zset listpack too long", ValueType::kZset,
       [](pb::ValueState& s) {
         s.mutable_zset()->mutable_entries(0)->set_member(std::string(100, 'm'));
       }},
      {"hash dead field", ValueType::kHash,
       [](pb::ValueState& s) { s.mutable_hash()->mutable_fields(0)->clear_regs(); }},
      {"hash dup field", ValueType::kHash,
       [](pb::ValueState& s) { *s.mutable_hash()->add_fields() = s.hash().fields(0); }},
      {"hash empty log", ValueType::kHash,
       [](pb::ValueState& s) { s.mutable_hash()->mutable_fields(0)->mutable_incrs(); }},
      {"hash folded meta without value", ValueType::kHash,
       [](pb::ValueState& s) {
         auto* l = s.mutable_hash()->mutable_fields(0)->mutable_incrs();
         auto* e = l->add_pending();
         e->set_replica(1);
         e->set_seq(7);
         l->set_folded_rank(3);
       }},
      {"hash increments unsorted", ValueType::kHash,
       [](pb::ValueState& s) {
         auto* l = s.mutable_hash()->mutable_fields(0)->mutable_incrs();
         for (uint64_t rank : {5, 4}) {
           auto* e = l->add_pending();
           e->set_rank(rank);
           e->set_replica(1);
           e->set_seq(rank);
         }
       }},
  };
  for (const Case& c : cases) {
    pb::ValueState s = ValidState(c.type);
    c.mutate(s);
    absl::Status st = DecodeOne(s);
    EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss) << c.name << ": " << st;
  }
}

TEST(SnapshotCorruption, KeyLevelErrors) {
  pb::ValueState str = ValidState(ValueType::kString);
  pb::ExpiryEntry x;
  x.set_replica(1);
  x.set_seq(1);
  x.set_at_ms(5);
  EXPECT_TRUE(DecodeOne(str, {x}).ok());
  EXPECT_EQ(DecodeOne(str, {x, x}).code(), absl::StatusCode::kDataLoss);  // repeated dot
  pb::ExpiryEntry zero = x;
  zero.set_replica(0);
  EXPECT_EQ(DecodeOne(str, {zero}).code(), absl::StatusCode::kDataLoss);

  Keyspace ks(3);
  pb::KeyState k;
  k.set_key("k");
  EXPECT_EQ(DecodeKeyState(k, &ks).code(), absl::StatusCode::kDataLoss);  // nothing to install
  k.add_values(str.SerializeAsString());
  k.add_values(str.SerializeAsString());
  EXPECT_EQ(DecodeKeyState(k, &ks).code(), absl::StatusCode::kDataLoss);  // two strings
  k.mutable_values()->RemoveLast();
  k.add_values("\xff\xff garbage");
  EXPECT_EQ(DecodeKeyState(k, &ks).code(), absl::StatusCode::kDataLoss);
  k.mutable_values()->RemoveLast();
  EXPECT_TRUE(DecodeKeyState(k, &ks).ok());
  EXPECT_EQ(DecodeKeyState(k, &ks).code(), absl::StatusCode::kDataLoss);  // already there
  EXPECT_EQ(ks.size(), 1u);

  // An expiry-only key is installed invisibly, with its deadline scheduled.
  pb::KeyState only;
  only.set_key("e");
  *only.add_expiry() = x;
  EXPECT_TRUE(DecodeKeyState(only, &ks).ok());
  KeyEntry* e = ks.FindEntry("e");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->value, nullptr);
  EXPECT_EQ(ks.ExpireAtMs(e), 5);
  EXPECT_EQ(ks.wheel().size(), 1u);

  // So is a key kept only for the writes garbage collection waits on.
  pb::KeyState pending;
  pending.set_key("p");
  pb::WriteDot* w = pending.add_unstable_writes();
  w->set_replica(2);
  w->set_seq(7);
  *pending.add_unstable_writes() = *w;
  EXPECT_EQ(DecodeKeyState(pending, &ks).code(), absl::StatusCode::kDataLoss);  // repeated
  pending.mutable_unstable_writes(1)->set_seq(0);
  EXPECT_EQ(DecodeKeyState(pending, &ks).code(), absl::StatusCode::kDataLoss);  // no dot
  pending.mutable_unstable_writes()->RemoveLast();
  EXPECT_TRUE(DecodeKeyState(pending, &ks).ok());
  EXPECT_EQ(ks.gc_backlog(), 1u);
  EXPECT_EQ(ks.FindEntry("p")->value, nullptr);
  EXPECT_EQ(ks.size(), 1u);  // "k"; "e" and "p" are invisible
}

}  // namespace
}  // namespace cordis
