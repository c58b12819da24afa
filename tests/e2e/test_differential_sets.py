"""Differential test: set commands vs redis-server.

Set replies are compared as multisets (Redis leaves their order unspecified);
random picks (SPOP/SRANDMEMBER with a partial count) compare type and length
only, and random SPOPs are only done where they cannot make the two servers'
data diverge.
"""

import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import S, T, U  # noqa: E402

BASIC = [
    "SADD s a b c",
    "SADD s c d",
    "SADD s a a a",
    "SADD s e e f",
    "SCARD s",
    U("SMEMBERS s"),
    "SISMEMBER s a",
    "SISMEMBER s z",
    "SISMEMBER missing a",
    "SMISMEMBER s a z b",
    "SMISMEMBER missing a b",
    "SMISMEMBER s",
    "SREM s a z",
    "SREM s z",
    "SREM s b c c",
    U("SMEMBERS s"),
    "SREM missing a",
    "SREM s d e f",
    "EXISTS s",
    "SCARD s",
    "SCARD missing",
    U("SMEMBERS missing"),
    "SADD ints 1 2 3 100 -5 0",
    U("SMEMBERS ints"),
    "SISMEMBER ints 100",
    "SISMEMBER ints 0100",
    "SADD ints 0100 abc",
    "SCARD ints",
    "SISMEMBER ints 0100",
    U("SMEMBERS ints"),
    "SREM ints 1 2 3 100 -5 0 0100 abc",
    "EXISTS ints",
    "SADD big " + " ".join("m%d" % i for i in range(300)),
    "SCARD big",
    "SISMEMBER big m299",
    "SREM big " + " ".join("m%d" % i for i in range(0, 300, 2)),
    "SCARD big",
    U("SMEMBERS big"),
    "SADD bigint " + " ".join(str(i) for i in range(1000)),
    "SCARD bigint",
    "SISMEMBER bigint 999",
    ["SADD", "bin", b"\x00", b"", b"a\r\nb"],
    U("SMEMBERS bin"),
    ["SISMEMBER", "bin", b""],
    "SET str v",
    "SADD str x",
    "SREM str x",
    "SMEMBERS str",
    "SISMEMBER str x",
    "SMISMEMBER str x",
    "SCARD str",
    "SADD",
    "SADD s",
    "SREM s",
    "SMEMBERS",
    "SISMEMBER s",
    "SCARD",
    "SCARD a b",
]

RANDOM = [
    "SADD one only",
    "SRANDMEMBER one",
    "SRANDMEMBER one 1",
    "SRANDMEMBER one 5",
    "SRANDMEMBER one -3",
    "SRANDMEMBER one 0",
    "SRANDMEMBER missing",
    "SRANDMEMBER missing 3",
    "SRANDMEMBER missing -3",
    "SADD s a b c d e",
    T("SRANDMEMBER s"),
    T("SRANDMEMBER s 2"),
    T("SRANDMEMBER s -8"),
    U("SRANDMEMBER s 5"),
    U("SRANDMEMBER s 50"),
    "SRANDMEMBER s 0",
    "SRANDMEMBER s abc",
    "SCARD s",
    "SADD i 1 2 3",
    T("SRANDMEMBER i 2"),
    U("SRANDMEMBER i 3"),
    T("SRANDMEMBER i -10"),
    "SPOP one",
    "EXISTS one",
    "SPOP one",
    "SPOP missing",
    "SPOP missing 2",
    "SPOP s 0",
    "SPOP s -1",
    "SPOP s abc",
    "SCARD s",
    U("SPOP s 5"),
    "EXISTS s",
    "SADD s2 a b c",
    U("SPOP s2 10"),
    "EXISTS s2",
    "SADD s3 x",
    "SPOP s3 1",
    "SADD s4 x y z",
    T("SPOP s4"),
    "SCARD s4",
    T("SPOP s4 2"),
    "SCARD s4",
    "DEL s4",
    "SET str v",
    "SPOP str",
    "SRANDMEMBER str",
    "SRANDMEMBER str 2",
    "SPOP",
    "SRANDMEMBER",
    "SPOP s 1 2",
]

MOVE_ALGEBRA = [
    "SADD a 1 2 3 4",
    "SADD b 3 4 5 6",
    "SADD c 4 6 7",
    U("SINTER a b"),
    U("SINTER a b c"),
    U("SINTER a missing"),
    U("SINTER missing a"),
    U("SINTER a"),
    U("SUNION a b"),
    U("SUNION a b c missing"),
    U("SUNION missing"),
    U("SDIFF a b"),
    U("SDIFF b a"),
    U("SDIFF a b c"),
    U("SDIFF a missing"),
    U("SDIFF missing a"),
    U("SDIFF a a"),
    "SINTERSTORE dst a b",
    U("SMEMBERS dst"),
    "SUNIONSTORE dst a b c",
    U("SMEMBERS dst"),
    "SDIFFSTORE dst a b",
    U("SMEMBERS dst"),
    "SINTERSTORE dst a missing",
    "EXISTS dst",
    "SET dst2 string",
    "SUNIONSTORE dst2 a",
    "TYPE dst2",
    "SET dst3 string",
    "SDIFFSTORE dst3 missing a",
    "EXISTS dst3",
    "SINTERSTORE a a b",
    U("SMEMBERS a"),
    "SUNIONSTORE a a c",
    U("SMEMBERS a"),
    "SDIFFSTORE a a a",
    "EXISTS a",
    "SET str v",
    "SINTER str b",
    "SINTER b str",
    "SINTER missing str",
    "SUNION b str",
    "SDIFF str b",
    "SDIFF b str",
    "SINTERSTORE d str b",
    "SUNIONSTORE d b str",
    "SDIFFSTORE d b str",
    "SINTER",
    "SINTERSTORE d",
    "SUNIONSTORE",
    "SDIFFSTORE d",
    "SADD x 1 2 3",
    "SADD y a b c",
    U("SUNION x y"),
    U("SINTER x y"),
    "SUNIONSTORE u x y",
    "SCARD u",
    # SMOVE
    "SADD src a b c",
    "SADD dstset c d",
    "SMOVE src dstset a",
    U("SMEMBERS src"),
    U("SMEMBERS dstset"),
    "SMOVE src dstset c",
    U("SMEMBERS src"),
    U("SMEMBERS dstset"),
    "SMOVE src dstset nothere",
    "SMOVE missing dstset a",
    "SMOVE src newset b",
    "EXISTS src",
    U("SMEMBERS newset"),
    "SMOVE newset newset b",
    "SMOVE newset newset zz",
    "SMOVE newset str b",
    "SMOVE str newset b",
    "SMOVE missing str b",
    U("SMEMBERS newset"),
    "SMOVE newset dstset",
]

SCAN = [
    "SADD small a b c",
    S("SSCAN small 0"),
    "SADD ints " + " ".join(str(i) for i in range(200)),
    S("SSCAN ints 0"),
    S("SSCAN ints 0 COUNT 5"),
    S("SSCAN ints 0 MATCH 1*"),
    S("SSCAN ints 0 MATCH 1? COUNT 3"),
    "SADD big " + " ".join("member:%d" % i for i in range(500)),
    S("SSCAN big 0"),
    S("SSCAN big 0 COUNT 17"),
    S("SSCAN big 0 MATCH member:4* COUNT 100"),
    S("SSCAN big 0 MATCH nomatch"),
    S("SSCAN missing 0"),
    "SSCAN missing 0",
    "SSCAN big 0 COUNT 0",
    "SSCAN big 0 COUNT abc",
    "SSCAN big abc",
    "SSCAN big 0 BOGUS",
    "SSCAN big 0 TYPE string",
    "SET str v",
    "SSCAN str 0",
    "SSCAN big",
]


class SetDifferentialTest(harness.DiffTestCase):

    def test_basic(self):
        self.assertSame(BASIC)

    def test_random_pop(self):
        self.assertSame(RANDOM)

    def test_move_and_algebra(self):
        self.assertSame(MOVE_ALGEBRA)

    def test_sscan(self):
        self.assertSame(SCAN)

    def test_sets_resp3(self):
        # RESP3 turns SMEMBERS & co. into '~' set replies.
        self.assertSame(["SADD s a b c", U("SMEMBERS s"), U("SINTER s s"),
                         U("SUNION s missing"), U("SDIFF s missing"),
                         U("SMEMBERS missing"), "SISMEMBER s a",
                         "SMISMEMBER s a z", "SPOP missing",
                         "SRANDMEMBER missing", "SRANDMEMBER missing 2",
                         U("SPOP s 3")], protocol=3)


COMMANDS = harness.count_commands(BASIC, RANDOM, MOVE_ALGEBRA, SCAN)

if __name__ == "__main__":
    harness.main()
