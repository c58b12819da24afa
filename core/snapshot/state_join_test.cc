// The state join's rules on hand-made states: the dot rule, increment-fold lineages, list order,
// and contradictions reported as kDataLoss. (That the join equals applying both replicas' ops is
// the property Replication.HalvesThatBothOutgrowTheirLogsConvergeByStateJoin, and every snapshot
// install in the replication properties goes through it.)
#include "core/snapshot/state_join.h"

#include <gtest/gtest.h>

#include <string>

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
    EncodeVersionVector(Vv({{1, 2}}), longer.mutable_string()->mutable_incrs()->mutable_folded_vv());
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

TEST(StateJoin, ListElementsTheOtherSideRemovedBecomeTombstonesInRgaOrder) {
  auto elem = [](pb::ValueState* v, uint32_t replica, uint64_t seq, uint64_t hlc) {
    pb::ListState::Elem* e = v->mutable_list()->add_elems();
    e->set_replica(replica);
    e->set_seq(seq);
    e->set_hlc(hlc);
    e->set_value(std::to_string(replica) + ":" + std::to_string(seq));
  };
  // Mine: [1:1, 1:2]; theirs removed 1:2 (and dropped its tombstone) and inserted 2:1 (newer key)
  // after 1:1.
  pb::ValueState a, b;
  elem(&a, 1, 1, 10);
  elem(&a, 1, 2, 20);
  elem(&b, 1, 1, 10);
  elem(&b, 2, 1, 30);
  pb::Snapshot mine, theirs, out;
  AddKey(&mine, "l", a);
  AddKey(&theirs, "l", b);
  ASSERT_TRUE(JoinSnapshotKeys(mine, Vv({{1, 2}}), theirs, Vv({{1, 2}, {2, 1}}), &out).ok());
  ASSERT_EQ(out.keys_size(), 1);
  pb::ValueState v;
  ASSERT_TRUE(v.ParseFromString(out.keys(0).values(0)));
  ASSERT_EQ(v.list().elems_size(), 3);
  EXPECT_EQ(v.list().elems(0).seq(), 1u);
  EXPECT_EQ(v.list().elems(1).replica(), 2u);  // greater key first
  EXPECT_TRUE(v.list().elems(2).has_removed_ctx());
}

}  // namespace
}  // namespace cordis
