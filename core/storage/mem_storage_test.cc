#include "core/storage/mem_storage.h"

#include <gtest/gtest.h>

namespace cordis {
namespace {

TEST(MemStorageTest, UnsyncedBytesAreLostInACrash) {
  MemStorage s;
  auto f = s.NewWritableFile("a");
  ASSERT_TRUE(f.ok());
  ASSERT_TRUE(s.SyncDir().ok());
  ASSERT_TRUE((*f)->Append("synced").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  ASSERT_TRUE((*f)->Append("-unsynced").ok());
  EXPECT_EQ(s.UnsyncedBytes(), 9u);
  Prng rng(1);
  s.Crash(rng, CrashOptions{.tear_unsynced = false, .garbage_tail = false});
  EXPECT_EQ(s.Contents("a"), "synced");
  EXPECT_FALSE((*f)->Append("x").ok()) << "a handle from before the crash must be dead";
}

TEST(MemStorageTest, TornWritesKeepAPrefix) {
  bool saw_partial = false;
  for (uint64_t seed = 0; seed < 50; ++seed) {
    MemStorage s;
    auto f = s.NewWritableFile("a");
    ASSERT_TRUE(s.SyncDir().ok());
    ASSERT_TRUE((*f)->Append("0123456789").ok());
    Prng rng(seed);
    s.Crash(rng);
    std::string c = s.Contents("a");
    EXPECT_EQ(std::string("0123456789").substr(0, c.size()), c);
    saw_partial |= !c.empty() && c.size() < 10;
  }
  EXPECT_TRUE(saw_partial);
}

TEST(MemStorageTest, DirectoryChangesNeedSyncDir) {
  MemStorage s;
  auto f = s.NewWritableFile("old");
  ASSERT_TRUE((*f)->Append("x").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  auto g = s.NewWritableFile("gone");
  ASSERT_TRUE(s.SyncDir().ok());
  ASSERT_TRUE(s.Rename("old", "new").ok());
  ASSERT_TRUE(s.Remove("gone").ok());
  auto h = s.NewWritableFile("created");
  Prng rng(1);
  s.Crash(rng);
  auto names = s.List();
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"gone", "old"}));
  EXPECT_EQ(s.Contents("old"), "x");
}

TEST(MemStorageTest, SyncedRenameSurvives) {
  MemStorage s;
  auto f = s.NewWritableFile("tmp");
  ASSERT_TRUE((*f)->Append("data").ok());
  ASSERT_TRUE((*f)->Sync().ok());
  ASSERT_TRUE(s.Rename("tmp", "final").ok());
  ASSERT_TRUE(s.SyncDir().ok());
  Prng rng(1);
  s.Crash(rng);
  EXPECT_EQ(s.Contents("final"), "data");
  EXPECT_FALSE(s.ReadFile("tmp").ok());
}

}  // namespace
}  // namespace cordis
