#include "core/storage/recovery.h"

#include <gtest/gtest.h>

#include "core/storage/durable_testing.h"
#include "core/storage/file_names.h"
#include "core/storage/log_record.h"

namespace cordis {
namespace {

using testing::DurableReplica;
using testing::NodeDigest;
using testing::RandomWrite;

constexpr int64_t kT0 = 1'700'000'000'000'000;

// The state a fresh node reaches by applying exactly `records` (the reference).
uint64_t ReferenceDigest(const std::vector<pb::Op>& records, size_t n) {
  NodeOptions o;
  o.replica_id = 1;
  Node ref(o);
  for (size_t i = 0; i < n; ++i) {
    absl::StatusOr<bool> applied = ref.ReplayOp(records[i]);
    CHECK(applied.ok() && *applied);
  }
  return NodeDigest(ref);
}

bool AnyWarningContains(const RecoveryReport& r, const std::string& needle) {
  for (const std::string& w : r.warnings)
    if (w.find(needle) != std::string::npos) return true;
  return false;
}

struct CrashRun {
  bool tear = false;
  bool garbage = false;
  double sync_chance = 0.3;
  double snapshot_chance = 0.02;
};

// Random writes with random syncs and snapshots, crash, recover; repeated. After every crash the
// node holds every synced op, and (without torn writes) nothing else; with torn writes, a prefix
// of the unsynced ones may survive. Either way its state equals a reference built from exactly
// the recovered prefix of the history, and its own sequence numbers continue from there.
void RunCrashes(uint64_t seed, const CrashRun& run) {
  MemStorage storage;
  Prng rng(seed);
  int64_t now = kT0;
  DurableReplica r(&storage, 1, DurableLogOptions{.max_segment_bytes = 2048});
  ASSERT_TRUE(r.Open(now, seed).ok());
  for (int round = 0; round < 12; ++round) {
    uint64_t synced = r.node().durable_seq();
    int writes = static_cast<int>(rng.Uniform(80));
    for (int i = 0; i < writes; ++i) {
      now += static_cast<int64_t>(rng.Uniform(50'000));
      r.Run(RandomWrite(rng), now);
      r.node().Tick(now);
      if (rng.Chance(run.sync_chance)) {
        ASSERT_TRUE(r.log().Sync(now / 1000).ok());
        ASSERT_EQ(r.node().durable_seq(), r.node().version_vector().Get(1));
      } else {
        ASSERT_TRUE(r.log().Flush(now / 1000).ok());  // may rotate, which syncs
      }
      if (rng.Chance(run.snapshot_chance)) {
        ASSERT_TRUE(r.log().WriteSnapshot(now / 1000).ok());
        ASSERT_EQ(r.node().durable_seq(), r.node().version_vector().Get(1));
      }
      ASSERT_GE(r.node().durable_seq(), synced);
      synced = r.node().durable_seq();
    }
    // The live state equals the replay of its history: replay is faithful.
    ASSERT_EQ(NodeDigest(r.node()), ReferenceDigest(r.history(), r.history().size()));
    storage.Crash(rng, CrashOptions{.tear_unsynced = run.tear, .garbage_tail = run.garbage});
    absl::Status st = r.Open(now, seed + round);
    ASSERT_TRUE(st.ok()) << st;
    uint64_t recovered = r.node().version_vector().Get(1);
    if (run.tear) {
      ASSERT_GE(recovered, synced);
    } else {
      ASSERT_EQ(recovered, synced) << "round " << round;
    }
    ASSERT_LE(recovered, r.history().size());
    r.history().resize(recovered);
    ASSERT_EQ(NodeDigest(r.node()), ReferenceDigest(r.history(), recovered)) << "round " << round;
    ASSERT_EQ(r.node().durable_seq(), recovered);
    // The next own op takes the next sequence number.
    now += 1000;
    r.Run("SET after-crash x", now);
    ASSERT_EQ(r.node().version_vector().Get(1), recovered + 1);
  }
}

TEST(RecoveryTest, CrashKeepsExactlyTheSyncedOps) {
  for (uint64_t seed = 1; seed <= 8; ++seed) RunCrashes(seed, CrashRun{});
}

TEST(RecoveryTest, TornWritesAndGarbageTails) {
  for (uint64_t seed = 100; seed <= 108; ++seed)
    RunCrashes(seed, CrashRun{.tear = true, .garbage = true});
}

TEST(RecoveryTest, RarelySyncedManySnapshots) {
  for (uint64_t seed = 200; seed <= 205; ++seed)
    RunCrashes(seed, CrashRun{.tear = true, .sync_chance = 0.02, .snapshot_chance = 0.1});
}

// Writes `n` SETs, syncing each, with small segments so there are several.
void FillSynced(DurableReplica& r, int n, int64_t* now) {
  for (int i = 0; i < n; ++i) {
    *now += 1000;
    r.Run(StrCat("SET key", i, " value", i), *now);
    ASSERT_TRUE(r.log().Sync(*now / 1000).ok());
  }
}

std::vector<std::string> Segments(MemStorage& s) {
  std::vector<std::string> out;
  absl::StatusOr<std::vector<std::string>> names = s.List();
  for (const std::string& name : *names) {
    uint64_t n;
    if (ParseFileName(name, &n) == FileKind::kSegment) out.push_back(name);
  }
  return out;
}

TEST(RecoveryTest, TornTailIsTruncatedWithAWarning) {
  MemStorage storage;
  int64_t now = kT0;
  DurableReplica r(&storage, 1);
  ASSERT_TRUE(r.Open(now, 1).ok());
  FillSynced(r, 10, &now);
  std::string last = Segments(storage).back();
  std::string data = storage.Contents(last);
  size_t cut = data.size() - 5;  // inside the last record
  storage.SetContents(last, data.substr(0, cut));
  ASSERT_TRUE(r.Open(now, 2).ok());
  EXPECT_EQ(r.node().version_vector().Get(1), 9u);
  ASSERT_EQ(r.report().warnings.size(), 1u);
  EXPECT_TRUE(AnyWarningContains(r.report(), last));
  uint64_t record_start = 0;
  {
    RecordReader reader(data);
    pb::DiskRecord rec;
    while (reader.offset() < cut && reader.Next(&rec) == RecordReader::Result::kRecord) {
      if (reader.offset() <= cut) record_start = reader.offset();
    }
  }
  EXPECT_TRUE(AnyWarningContains(r.report(), StrCat("offset ", record_start)))
      << r.report().warnings[0];
  EXPECT_EQ(storage.Contents(last).size(), record_start);
  EXPECT_EQ(r.Run("GET key8", now), "$6\r\nvalue8\r\n");
  EXPECT_EQ(r.Run("GET key9", now), "$-1\r\n");
}

TEST(RecoveryTest, CorruptionInTheMiddleIsAnErrorUnlessRepair) {
  MemStorage storage;
  int64_t now = kT0;
  DurableReplica r(&storage, 1, DurableLogOptions{.max_segment_bytes = 300});
  ASSERT_TRUE(r.Open(now, 1).ok());
  FillSynced(r, 40, &now);
  std::vector<std::string> segs = Segments(storage);
  ASSERT_GE(segs.size(), 3u);
  std::string victim = segs[1];
  std::string data = storage.Contents(victim);
  data[data.size() / 2] ^= 0x10;
  storage.SetContents(victim, data);

  absl::Status st = r.Open(now, 2);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(st.message().find(victim), absl::string_view::npos) << st;
  EXPECT_NE(st.message().find("offset"), absl::string_view::npos) << st;
  EXPECT_NE(st.message().find("--repair"), absl::string_view::npos) << st;
  EXPECT_EQ(storage.Contents(victim), data) << "a failed recovery changes nothing";

  ASSERT_TRUE(r.Open(now, 3, RecoveryOptions{.repair = true}).ok());
  EXPECT_TRUE(AnyWarningContains(r.report(), "repair"));
  uint64_t kept = r.node().version_vector().Get(1);
  EXPECT_GT(kept, 0u);
  EXPECT_LT(kept, 40u);
  EXPECT_EQ(NodeDigest(r.node()), ReferenceDigest(r.history(), kept));
  // Repaired: the next start is clean.
  now += 1000;
  r.Run("SET more x", now);
  ASSERT_TRUE(r.log().Sync(now / 1000).ok());
  ASSERT_TRUE(r.Open(now, 4).ok());
  EXPECT_EQ(r.node().version_vector().Get(1), kept + 1);
}

TEST(RecoveryTest, DamagedSnapshotIsAnErrorUnlessRepair) {
  MemStorage storage;
  int64_t now = kT0;
  DurableReplica r(&storage, 1);
  ASSERT_TRUE(r.Open(now, 1).ok());
  FillSynced(r, 5, &now);
  ASSERT_TRUE(r.log().WriteSnapshot(now / 1000).ok());
  std::string snap = SnapshotFileName(r.log().snapshot_number());
  std::string data = storage.Contents(snap);
  data[data.size() - 3] ^= 1;
  storage.SetContents(snap, data);
  absl::Status st = r.Open(now, 2);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find(snap), absl::string_view::npos) << st;
  ASSERT_TRUE(r.Open(now, 3, RecoveryOptions{.repair = true}).ok());
  EXPECT_TRUE(AnyWarningContains(r.report(), snap));
}

TEST(RecoveryTest, AnotherReplicasDataIsRefused) {
  MemStorage storage;
  int64_t now = kT0;
  DurableReplica r(&storage, 1);
  ASSERT_TRUE(r.Open(now, 1).ok());
  FillSynced(r, 3, &now);
  DurableReplica other(&storage, 2);
  absl::Status st = other.Open(now, 1, RecoveryOptions{.repair = true});
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition) << st;
  EXPECT_NE(st.message().find("replica 1"), absl::string_view::npos) << st;
}

TEST(RecoveryTest, LeftoverTemporaryIsRemoved) {
  MemStorage storage;
  int64_t now = kT0;
  DurableReplica r(&storage, 1);
  ASSERT_TRUE(r.Open(now, 1).ok());
  storage.SetContents("snapshot-000000000009.cds.tmp", "half");
  storage.SetContents("notes.txt", "not ours");
  ASSERT_TRUE(r.Open(now, 2).ok());
  EXPECT_TRUE(AnyWarningContains(r.report(), "snapshot-000000000009.cds.tmp"));
  EXPECT_FALSE(storage.ReadFile("snapshot-000000000009.cds.tmp").ok());
  EXPECT_TRUE(storage.ReadFile("notes.txt").ok());
}

// A snapshot write makes older segments and snapshots obsolete; only the newest remain.
TEST(RecoveryTest, SnapshotRemovesCoveredFiles) {
  MemStorage storage;
  int64_t now = kT0;
  DurableReplica r(&storage, 1, DurableLogOptions{.max_segment_bytes = 300});
  ASSERT_TRUE(r.Open(now, 1).ok());
  FillSynced(r, 30, &now);
  EXPECT_GE(Segments(storage).size(), 3u);
  ASSERT_TRUE(r.log().WriteSnapshot(now / 1000).ok());
  EXPECT_EQ(Segments(storage).size(), 1u);
  EXPECT_EQ(storage.List()->size(), 2u);
  ASSERT_TRUE(r.Open(now, 2).ok());
  EXPECT_EQ(r.node().version_vector().Get(1), 30u);
  EXPECT_EQ(r.report().records_replayed, 0u);
}

}  // namespace
}  // namespace cordis
