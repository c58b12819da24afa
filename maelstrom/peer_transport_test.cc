#include "maelstrom/peer_transport.h"

#include <gtest/gtest.h>

namespace cordis::maelstrom {
namespace {

TEST(ReplicaDirectoryTest, MaelstromNamesMapToTheirNumberPlusOne) {
  absl::StatusOr<ReplicaDirectory> d = ReplicaDirectory::Build({"n2", "n0", "n1"}, "n1");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->self(), 2u);
  EXPECT_EQ(*d->IdOf("n0"), 1u);
  EXPECT_EQ(*d->IdOf("n2"), 3u);
  EXPECT_EQ(*d->NameOf(3), "n2");
  EXPECT_EQ(d->lowest(), 1u);
  EXPECT_FALSE(d->IdOf("c1").has_value());
}

TEST(ReplicaDirectoryTest, OtherNamesMapToTheirPosition) {
  absl::StatusOr<ReplicaDirectory> d = ReplicaDirectory::Build({"b", "a", "n01"}, "a");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->self(), 2u);
  EXPECT_EQ(*d->IdOf("n01"), 3u);
}

TEST(ReplicaDirectoryTest, RefusesBadMembership) {
  EXPECT_FALSE(ReplicaDirectory::Build({}, "n0").ok());
  EXPECT_FALSE(ReplicaDirectory::Build({"n0", "n0"}, "n0").ok());
  EXPECT_FALSE(ReplicaDirectory::Build({"n0", "n1"}, "n2").ok());
}

TEST(PeerTransportTest, RoundTripsAPeerMessage) {
  pb::PeerMessage m;
  m.set_from(3);
  m.mutable_have()->set_incarnation(99);
  m.mutable_have()->add_members(1);
  Json body = EncodePeerBody(m);
  EXPECT_EQ(body["type"], kPeerMessageType);
  absl::StatusOr<pb::PeerMessage> back = DecodePeerBody(body);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->SerializeAsString(), m.SerializeAsString());
}

TEST(PeerTransportTest, RefusesCorruptBodies) {
  EXPECT_FALSE(DecodePeerBody(Json{{"type", "cordis"}}).ok());
  EXPECT_FALSE(DecodePeerBody(Json{{"type", "cordis"}, {"data", 7}}).ok());
  EXPECT_FALSE(DecodePeerBody(Json{{"type", "cordis"}, {"data", "%%%"}}).ok());
  EXPECT_FALSE(DecodePeerBody(Json{{"type", "cordis"}, {"data", "/////w=="}}).ok());
}

}  // namespace
}  // namespace cordis::maelstrom
