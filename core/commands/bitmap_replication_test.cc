// Two replicas exchanging ops: bitmap writes (SETBIT, BITFIELD, BITOP) replicate as assignments of
// the whole resulting string, so concurrent bitmap writes to one key resolve last-writer-wins on
// the string (the greater stamp's bytes, the other write's bits are lost), as docs/semantics.md
// says.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/server/two_replicas_testing.h"

namespace cordis {
namespace {

class BitmapReplication : public testing::TwoReplicasTest {
 protected:
  BitmapReplication() : TwoReplicasTest(/*seed_base=*/300) {}
};

TEST_F(BitmapReplication, ConcurrentBitWritesKeepTheGreaterStampsString) {
  EXPECT_EQ(Run(0, "SETBIT k 1 1"), ":0\r\n");
  Ship();
  EXPECT_EQ(Run(1, "GET k"), "$1\r\n\x40\r\n");
  // Concurrently: node 1 sets bit 7, then node 2 (the greater stamp) sets bit 0.
  EXPECT_EQ(Run(0, "SETBIT k 7 1"), ":0\r\n");
  EXPECT_EQ(Run(1, "SETBIT k 0 1"), ":0\r\n");
  EXPECT_EQ(Run(0, "GET k"), "$1\r\n\x41\r\n");  // not yet seen node 2's write
  Ship();
  ExpectConverged();
  // Last writer wins on the whole string: node 2's bytes, node 1's bit 7 is lost.
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(Run(i, "GET k"), "$1\r\n\xc0\r\n") << "node " << i + 1;
    EXPECT_EQ(Run(i, "GETBIT k 7"), ":0\r\n") << "node " << i + 1;
  }
  // A write that saw the other replaces it, whatever it does to the bits.
  EXPECT_EQ(Run(0, "BITFIELD k SET u8 8 255"), "*1\r\n:0\r\n");
  Ship();
  ExpectConverged();
  EXPECT_EQ(Run(1, "GET k"), "$2\r\n\xc0\xff\r\n");
}

TEST_F(BitmapReplication, BitmapWritesReplicateTheirResultsAndTtls) {
  for (const char* cmd :
       {"SET t abc EX 1000", "SETBIT t 30 1", "BITFIELD t INCRBY i8 #3 -7 OVERFLOW SAT SET u4 0 99",
        "SET a foo", "SET b barbaz", "BITOP XOR dst a b missing", "BITOP NOT na a",
        "SET old x EX 1000", "BITOP AND old a missing", "BITOP OR gone missing missing2",
        "SETBIT big 100000 1", "BITFIELD fresh OVERFLOW FAIL INCRBY u2 40 9"}) {
    std::string reply = Run(0, cmd);
    ASSERT_NE(reply[0], '-') << cmd << " -> " << reply;
  }
  Ship();
  ExpectConverged();
  for (const char* cmd : {"GET t", "GET dst", "GET na", "GET old", "PTTL old", "EXISTS gone",
                          "BITCOUNT big", "BITPOS big 1", "GET fresh"}) {
    EXPECT_EQ(Run(1, cmd), Run(0, cmd)) << cmd;
  }
  // SETBIT and BITFIELD keep the TTL; BITOP's destination loses it, like SET.
  std::string ttl = Run(1, "PTTL t");
  ASSERT_EQ(ttl[0], ':');
  EXPECT_GT(std::stoll(ttl.substr(1)), 900'000);
  EXPECT_EQ(Run(1, "PTTL old"), ":-1\r\n");
}

}  // namespace
}  // namespace cordis
