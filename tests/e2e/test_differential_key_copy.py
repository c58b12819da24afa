"""Differential test: COPY, MOVE, SWAPDB, TOUCH and OBJECT vs redis-server,
over every type, with expiries, REPLACE, other databases and error cases.

OBJECT ENCODING is compared where this server reports Redis's names (strings,
lists, sorted sets); sets and hashes are always "hashtable" here (see
docs/commands.md) and are checked against that directly.
"""

import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import A, P, U  # noqa: E402

TYPES = [
    "SET str hello",
    "RPUSH list a b c",
    "SADD set x y z",
    "HSET hash f1 v1 f2 v2",
    "ZADD zset 1 a 2 b -inf c",
    "SET num 42",
]

COPY = TYPES + [
    "COPY str str2",
    "GET str2",
    "COPY list list2",
    "LRANGE list2 0 -1",
    "COPY set set2",
    U("SMEMBERS set2"),
    "COPY hash hash2",
    P("HGETALL hash2"),
    "COPY zset zset2",
    "ZRANGE zset2 0 -1 WITHSCORES",
    "COPY num num2",
    "INCR num2",
    "GET num",
    "COPY str list",
    "COPY str list REPLACE",
    "TYPE list",
    "GET list",
    "COPY missing x",
    "EXISTS x",
    "COPY str str",
    "COPY str str DB 0",
    "COPY str str DB 1",
    "SELECT 1",
    "GET str",
    "SELECT 0",
    "COPY str str DB 1",
    "COPY str str DB 1 REPLACE",
    "COPY zset zset DB 1",
    "SELECT 1",
    "ZRANGE zset 0 -1 WITHSCORES",
    "SELECT 0",
    "COPY str x DB 16",
    "COPY str x DB -1",
    "COPY str x DB abc",
    "COPY str x DB",
    "COPY str x FOO",
    "COPY str x REPLACE REPLACE",
    "COPY str",
    "SET ttl v EX 100",
    "COPY ttl ttl2",
    A("TTL ttl2", 1),
    "COPY str ttl2 REPLACE",
    "TTL ttl2",
    "SADD setb 1",
    "COPY set setb",
    "COPY set setb REPLACE",
    "SCARD setb",
    "SELECT 2",
    "COPY str str DB 0",
    "EXISTS str",
    "SELECT 0",
    "COPY set set2",
    "DEL set",
    "SCARD set2",
]

MOVE = TYPES + [
    "MOVE str 1",
    "EXISTS str",
    "SELECT 1",
    "GET str",
    "MOVE str 0",
    "SELECT 0",
    "GET str",
    "MOVE list 3",
    "MOVE set 3",
    "MOVE hash 3",
    "MOVE zset 3",
    "SELECT 3",
    "LRANGE list 0 -1",
    U("SMEMBERS set"),
    P("HGETALL hash"),
    "ZRANGE zset 0 -1 WITHSCORES",
    "DBSIZE",
    "SELECT 0",
    "DBSIZE",
    "SET list other",
    "SELECT 3",
    "MOVE list 0",
    "LLEN list",
    "SELECT 0",
    "GET list",
    "MOVE missing 1",
    "MOVE num 0",
    "MOVE num 16",
    "MOVE num -1",
    "MOVE num abc",
    "MOVE num 1.5",
    "MOVE num 99999999999",
    "COPY num x DB 99999999999",
    "SWAPDB 99999999999 0",
    "SWAPDB 0 99999999999",
    "MOVE num",
    "SET ttl v PX 100000",
    "MOVE ttl 5",
    "SELECT 5",
    A("PTTL ttl", 1000),
    "SELECT 0",
]

SWAPDB = TYPES + [
    "SELECT 1",
    "SET only1 one",
    "SET str db1str",
    "SET ttl x EX 1000",
    "SELECT 0",
    "SWAPDB 0 1",
    "DBSIZE",
    "GET str",
    "GET only1",
    "EXISTS list",
    A("TTL ttl", 1),
    "SELECT 1",
    "DBSIZE",
    "GET str",
    "LRANGE list 0 -1",
    "ZRANGE zset 0 -1 WITHSCORES",
    "EXISTS only1",
    "SWAPDB 1 0",
    "DBSIZE",
    "SELECT 0",
    "DBSIZE",
    "GET str",
    "SWAPDB 0 0",
    "DBSIZE",
    "SWAPDB 0 9",
    "DBSIZE",
    "SELECT 9",
    "DBSIZE",
    "SWAPDB 9 15",
    "DBSIZE",
    "SELECT 15",
    "LRANGE list 0 -1",
    "SWAPDB 0 16",
    "SWAPDB -1 0",
    "SWAPDB x 0",
    "SWAPDB 0 x",
    "SWAPDB 1.5 0",
    "SWAPDB 0",
    "SELECT 0",
]

TOUCH_OBJECT = TYPES + [
    "TOUCH str",
    "TOUCH str list missing str",
    "TOUCH missing",
    "TOUCH",
    "OBJECT ENCODING str",
    "OBJECT ENCODING num",
    "SET neg -123",
    "OBJECT ENCODING neg",
    "SET big 12345678901234567890",
    "OBJECT ENCODING big",
    "SET lead 0123",
    "OBJECT ENCODING lead",
    "SET s44 " + "x" * 44,
    "OBJECT ENCODING s44",
    "SET s45 " + "x" * 45,
    "OBJECT ENCODING s45",
    "OBJECT ENCODING list",
    "OBJECT ENCODING zset",
    "ZADD bigz " + " ".join("%d m%d" % (i, i) for i in range(200)),
    "OBJECT ENCODING bigz",
    "ZADD longm 1 " + "m" * 65,
    "OBJECT ENCODING longm",
    "OBJECT ENCODING missing",
    "OBJECT REFCOUNT num",
    "OBJECT REFCOUNT str",
    "OBJECT REFCOUNT list",
    "SET n9999 9999",
    "OBJECT REFCOUNT n9999",
    "SET n10000 10000",
    "OBJECT REFCOUNT n10000",
    "OBJECT REFCOUNT neg",
    "OBJECT REFCOUNT missing",
    "OBJECT IDLETIME str",
    "OBJECT IDLETIME missing",
    "OBJECT FREQ str",
    "OBJECT FREQ missing",
    "OBJECT HELP",
    "object help",
    "OBJECT HELP x",
    "OBJECT FOO",
    "OBJECT FOO bar",
    "OBJECT ENCODING",
    "OBJECT ENCODING a b",
    "OBJECT REFCOUNT",
    "OBJECT",
]


class KeyCopyDifferentialTest(harness.DiffTestCase):

    def tearDown(self):
        for s in (self.server, self.reference):
            if s is not None:
                with s.conn() as c:
                    c.call("FLUSHALL")

    def test_copy(self):
        self.assertSame(COPY)

    def test_move(self):
        self.assertSame(MOVE)

    def test_swapdb(self):
        self.assertSame(SWAPDB)

    def test_touch_object(self):
        self.assertSame(TOUCH_OBJECT)

    def test_encoding_of_sets_and_hashes(self):
        # This server has no intset/listpack for sets and hashes.
        with self.server.conn() as c:
            c.call("SADD", "s", "1")
            c.call("HSET", "h", "f", "v")
            self.assertEqual(c.call("OBJECT", "ENCODING", "s"), ("bulk", b"hashtable"))
            self.assertEqual(c.call("OBJECT", "ENCODING", "h"), ("bulk", b"hashtable"))


if __name__ == "__main__":
    harness.main()
