// The state join's rules on hand-made states: the dot rule, increment-fold lineages, list order,
// and contradictions reported as kDataLoss. (That the join equals applying both replicas' ops is
// the property Replication.HalvesThatBothOutgrowTheirLogsConvergeByStateJoin, and every snapshot
// install in the replication properties goes through it.)
#include "core/snapshot/state_join.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cordis/state.pb.h"
#include "core/op/op_codec.h"

namespace cordis {
namespace {

VersionVector Vv(std::initializer_list<std::pair<ReplicaId, uint64_t>> entries) {
  VersionVector v;
  for (const auto& [r, s] : entries) v.Raise(r, s);
  return v;
}

pb::Tag Tag(uint32_t replica, uint64_t seq) {
  pb::Tag t;
  t.set_replica(replica);
  t.set_seq(seq);
  t.set_hlc(seq * 10 + replica);
  return t;
}

void AddKey(pb::Snapshot* snap, const std::string& key, const pb::ValueState& v) {
  pb::KeyState* k = snap->add_keys();
  k->set_key(key);
  k->add_values(v.SerializeAsString());
}

pb::ValueState SetOf(std::initializer_list<std::pair<std::string, pb::Tag>> members) {
  pb::ValueState v;
  for (const auto& [m, tag] : members) {
    pb::SetState::Member* p = v.mutable_set()->add_members();
    p->set_member(m);
    *p->add_tags() = tag;
  }
  return v;
}

std::vector<std::string> Members(const pb::Snapshot& s) {
  std::vector<std::string> out;
  for (const pb::KeyState& k : s.keys()) {
    pb::ValueState v;
    EXPECT_TRUE(v.ParseFromString(k.values(0)));
    for (const auto& m : v.set().members()) out.push_back(k.key() + "/" + m.member());
  }
  return out;
}

TEST(StateJoin, EntriesOnOneSideStayUnlessTheOtherSideSawThem) {
  // Replica 1 added a (1:1) and b (1:2); replica 2 saw both and removed b, then added c (2:1).
  pb::Snapshot mine, theirs, out;
  AddKey(&mine, "s", SetOf({{"a", Tag(1, 1)}, {"b", Tag(1, 2)}, {"d", Tag(1, 3)}}));
  AddKey(&theirs, "s", SetOf({{"a", Tag(1, 1)}, {"c", Tag(2, 1)}}));
  // Replica 2 never saw 1:3 (d), so d is news to it and stays.
  ASSERT_TRUE(JoinSnapshotKeys(mine, Vv({{1, 3}}), theirs, Vv({{1, 2}, {2, 1}}), &out).ok());
  EXPECT_EQ(Members(out), (std::vector<std::string>{"s/a", "s/d", "s/c"}));
}

TEST(StateJoin, AKeyTheOtherSideDeletedGoesAndAnUnseenOneStays) {
  pb::Snapshot mine, theirs, out;
  AddKey(&mine, "gone", SetOf({{"x", Tag(1, 1)}}));
  AddKey(&mine, "new", SetOf({{"y", Tag(1, 2)}}));
  ASSERT_TRUE(JoinSnapshotKeys(mine, Vv({{1, 2}}), theirs, Vv({{1, 1}}), &out).ok());
  EXPECT_EQ(Members(out), (std::vector<std::string>{"new/y"}));
}

pb::ValueState FoldedCounter(uint32_t first_replica, uint64_t first_seq, const std::string& value) {
  pb::ValueState v;
  pb::IncrementLogState* log = v.mutable_string()->mutable_incrs();
  log->set_folded(value);
  log->mutable_folded_first()->set_replica(first_replica);
  log->mutable_folded_first()->set_seq(first_seq);
  EncodeVersionVector(Vv({{first_replica, first_seq}}), log->mutable_folded_vv());
  log->set_folded_rank(first_seq);
  return v;
}

TEST(StateJoin, AFoldTheOtherSideRemovedGoesAndTheLongerFoldOfOneLineageWins) {
  {
    // The other side saw the folded increment (1:1) and holds nothing of it: it removed it.
    pb::Snapshot mine, theirs, out;
    AddKey(&mine, "c", FoldedCounter(1, 1, "5"));
    ASSERT_TRUE(JoinSnapshotKeys(mine, Vv({{1, 1}}), theirs, Vv({{1, 1}, {2, 1}}), &out).ok());
    EXPECT_EQ(out.keys_size(), 0);
  }
  {
    // Same lineage (first increment 1:1), theirs folded further (1:1 and 1:2).
    pb::Snapshot mine, theirs, out;
    AddKey(&mine, "c", FoldedCounter(1, 1, "5"));
    pb::ValueState longer = FoldedCounter(1, 1, "7");
    EncodeVersionVector(Vv({{1, 2}}),
                        longer.mutable_string()->mutable_incrs()->mutable_folded_vv());
    AddKey(&theirs, "c", longer);
    ASSERT_TRUE(JoinSnapshotKeys(mine, Vv({{1, 2}}), theirs, Vv({{1, 2}}), &out).ok());
    ASSERT_EQ(out.keys_size(), 1);
    pb::ValueState v;
    ASSERT_TRUE(v.ParseFromString(out.keys(0).values(0)));
    EXPECT_EQ(v.string().incrs().folded(), "7");
  }
}

TEST(StateJoin, ContradictionsAreDataLossNotCrashes) {
  {
    // Two live folds of different lineages cannot both be right.
    pb::Snapshot mine, theirs, out;
    AddKey(&mine, "c", FoldedCounter(1, 1, "5"));
    AddKey(&theirs, "c", FoldedCounter(2, 1, "6"));
    EXPECT_EQ(JoinSnapshotKeys(mine, Vv({{1, 1}}), theirs, Vv({{2, 1}}), &out).code(),
              absl::StatusCode::kDataLoss);
  }
  {
    // Common list elements in different orders.
    auto list = [](std::initializer_list<uint64_t> seqs) {
      pb::ValueState v;
      for (uint64_t s : seqs) {
        pb::ListState::Elem* e = v.mutable_list()->add_elems();
        e->set_replica(1);
        e->set_seq(s);
        e->set_hlc(s);
        e->set_value("v");
      }
      return v;
    };
    pb::Snapshot mine, theirs, out;
    AddKey(&mine, "l", list({1, 2}));
    AddKey(&theirs, "l", list({2, 1}));
    EXPECT_EQ(JoinSnapshotKeys(mine, Vv({{1, 2}}), theirs, Vv({{1, 2}}), &out).code(),
              absl::StatusCode::kDataLoss);
  }
  {
    pb::Snapshot mine, theirs, out;
    pb::KeyState* k = theirs.add_keys();
    k->set_key("x");
    k->add_values("\xff\xff garbage");
    EXPECT_EQ(JoinSnapshotKeys(mine, Vv({}), theirs, Vv({{1, 1}}), &out).code(),
              absl::StatusCode::kDataLoss);
  }
}

// One list element as a state entry: id (replica, seq), key hlc, live with a value or removed by
// the op `removed_by`.
void ListElem(pb::ValueState* v, uint32_t replica, uint64_t seq, uint64_t hlc,
              std::optional<std::pair<uint32_t, uint64_t>> removed_by = std::nullopt) {
  pb::ListState::Elem* e = v->mutable_list()->add_elems();
  e->set_replica(replica);
  e->set_seq(seq);
  e->set_hlc(hlc);
  if (removed_by.has_value()) {
    e->mutable_removed_by()->set_replica(removed_by->first);
    e->mutable_removed_by()->set_seq(removed_by->second);
  } else {
    e->set_value(std::to_string(replica) + ":" + std::to_string(seq));
  }
}

// The list of key "l" in `s` as "replica:seq" ids, in order.
std::vector<std::string> ListIds(const pb::Snapshot& s) {
  std::vector<std::string> out;
  for (const pb::KeyState& k : s.keys()) {
    pb::ValueState v;
    EXPECT_TRUE(v.ParseFromString(k.values(0)));
    for (const auto& e : v.list().elems())
      out.push_back(std::to_string(e.replica()) + ":" + std::to_string(e.seq()));
  }
  return out;
}

// Whether `ids` appear in `order` and in the same order.
bool InOrder(const std::vector<std::string>& ids, const std::vector<std::string>& order) {
  size_t at = 0;
  for (const std::string& id : ids) {
    while (at < order.size() && order[at] != id) ++at;
    if (at == order.size()) return false;
    ++at;
  }
  return true;
}

TEST(StateJoin, ListTombstonesEachSideCompactedAwayDoNotComeBackOutOfOrder) {
  // The RGA tree: P (1:1) at the head, Q (2:1) after P, C (1:2) after Q; X (3:1) at the head,
  // concurrent with all of them, newest. The list reads X P Q C. Q's key is greater than P's but
  // Q sits in P's subtree, so it must follow P whatever its key.
  const std::vector<std::string> rga_order = {"3:1", "1:1", "2:1", "1:2"};
  // P was removed by 2:2 and Q by 1:3, and both removals are stable. Mine dropped Q's tombstone
  // (its follower C is stable) and still holds P's; theirs dropped P's and still holds Q's, and
  // has X, which mine has not seen.
  pb::ValueState a, b, d;
  ListElem(&a, 1, 1, 10, std::make_pair(2u, uint64_t{2}));
  ListElem(&a, 1, 2, 30);
  ListElem(&b, 3, 1, 40);
  ListElem(&b, 2, 1, 20, std::make_pair(1u, uint64_t{3}));
  ListElem(&b, 1, 2, 30);
  // A third state from before either compaction, which still holds both tombstones.
  ListElem(&d, 1, 1, 10, std::make_pair(2u, uint64_t{2}));
  ListElem(&d, 2, 1, 20, std::make_pair(1u, uint64_t{3}));
  ListElem(&d, 1, 2, 30);
  pb::Snapshot mine, theirs, old, joined, rejoined, swapped;
  AddKey(&mine, "l", a);
  AddKey(&theirs, "l", b);
  AddKey(&old, "l", d);
  const VersionVector mine_vv = Vv({{1, 3}, {2, 2}});
  const VersionVector theirs_vv = Vv({{1, 3}, {2, 2}, {3, 1}});
  ASSERT_TRUE(JoinSnapshotKeys(mine, mine_vv, theirs, theirs_vv, &joined).ok());
  EXPECT_TRUE(InOrder(ListIds(joined), rga_order)) << testing::PrintToString(ListIds(joined));
  // Either side first, the same list.
  ASSERT_TRUE(JoinSnapshotKeys(theirs, theirs_vv, mine, mine_vv, &swapped).ok());
  EXPECT_EQ(ListIds(swapped), ListIds(joined));
  // A later join with a state that holds P and Q in their true order finds no contradiction.
  ASSERT_TRUE(JoinSnapshotKeys(joined, theirs_vv, old, mine_vv, &rejoined).ok());
  EXPECT_TRUE(InOrder(ListIds(rejoined), rga_order)) << testing::PrintToString(ListIds(rejoined));
}

TEST(StateJoin, ListElementsTheOtherSideRemovedAndCompactedGoAndNewsGoesInRgaOrder) {
  // Mine: [1:1, 1:2]. Theirs inserted 2:1 (newer key) after 1:1 and holds [1:1, 2:1].
  pb::ValueState a, b;
  ListElem(&a, 1, 1, 10);
  ListElem(&a, 1, 2, 20);
  ListElem(&b, 1, 1, 10);
  ListElem(&b, 2, 1, 30);
  pb::Snapshot mine, theirs, out;
  AddKey(&mine, "l", a);
  AddKey(&theirs, "l", b);
  {
    // Theirs saw 1:2, removed it and dropped its tombstone (the removal was stable): it goes.
    const VersionVector theirs_vv = Vv({{1, 2}, {2, 1}});
    ASSERT_TRUE(JoinSnapshotKeys(mine, Vv({{1, 2}}), theirs, theirs_vv, &out).ok());
    EXPECT_EQ(ListIds(out), (std::vector<std::string>{"1:1", "2:1"}));
    out.Clear();
    ASSERT_TRUE(JoinSnapshotKeys(theirs, theirs_vv, mine, Vv({{1, 2}}), &out).ok());
    EXPECT_EQ(ListIds(out), (std::vector<std::string>{"1:1", "2:1"}));
  }
  {
    // Theirs never saw 1:2: it stays, after its newer sibling 2:1 (greater key first).
    const VersionVector theirs_vv = Vv({{1, 1}, {2, 1}});
    out.Clear();
    ASSERT_TRUE(JoinSnapshotKeys(mine, Vv({{1, 2}}), theirs, theirs_vv, &out).ok());
    EXPECT_EQ(ListIds(out), (std::vector<std::string>{"1:1", "2:1", "1:2"}));
    out.Clear();
    ASSERT_TRUE(JoinSnapshotKeys(theirs, theirs_vv, mine, Vv({{1, 2}}), &out).ok());
    EXPECT_EQ(ListIds(out), (std::vector<std::string>{"1:1", "2:1", "1:2"}));
  }
}

}  // namespace
}  // namespace cordis
