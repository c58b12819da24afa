"""Differential test: sorted set commands vs redis-server.

Scores are chosen to be exactly representable (integers, halves, quarters,
+/-inf) so replies do not depend on the double-formatting routine, which
changed between Redis 7.0 (%.17g) and 7.2 (shortest round-trip).
"""

import os
import random
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import S  # noqa: E402

ADD = [
    "ZADD z 1 a",
    "ZADD z 2 b 3 c",
    "ZADD z 1 a",
    "ZADD z 5 a",
    "ZADD z CH 5 a 6 b 7 d",
    "ZRANGE z 0 -1 WITHSCORES",
    "ZCARD z",
    "ZADD z NX 100 a 8 e",
    "ZSCORE z a",
    "ZADD z XX 50 a 9 f",
    "ZSCORE z a",
    "ZSCORE z f",
    "ZADD z XX CH 51 a",
    "ZADD z GT 10 a",
    "ZADD z GT CH 60 a",
    "ZSCORE z a",
    "ZADD z LT CH 70 a",
    "ZADD z LT CH 40 a",
    "ZSCORE z a",
    "ZADD z GT 1 newgt",
    "ZADD z LT 2 newlt",
    "ZSCORE z newgt",
    "ZADD z XX GT 100 a 100 nothere",
    "ZSCORE z nothere",
    "ZADD z NX XX 1 a",
    "ZADD z NX GT 1 a",
    "ZADD z NX LT 1 a",
    "ZADD z GT LT 1 a",
    "ZADD z INCR 1 a 2 b",
    "ZADD z INCR 2.5 a",
    "ZADD z INCR -2.5 a",
    "ZADD z INCR NX 1 a",
    "ZADD z INCR XX 1 missingmember",
    "ZADD z INCR NX 3 incrnew",
    "ZADD z INCR GT -1 a",
    "ZADD z INCR LT 1 a",
    "ZADD z INCR GT 1 a",
    "ZADD z INCR XX 0.25 a",
    "ZADD z CH INCR 1 a",
    "ZADD z 1",
    "ZADD z 1 a 2",
    "ZADD z",
    "ZADD",
    "ZADD z abc a",
    "ZADD z nan a",
    "ZADD z '' a",
    "ZADD z ' 1' a",
    "ZADD z 1.5x a",
    "ZADD z BOGUS 1 a",
    "ZADD z inf posinf -inf neginf +inf plusinf",
    "ZSCORE z posinf",
    "ZSCORE z neginf",
    "ZSCORE z plusinf",
    "ZADD z 1e2 sci 1.5E1 sci2 -0.5 neg 3.75 q",
    "ZMSCORE z sci sci2 neg q nothere",
    "ZMSCORE missing a b",
    "ZMSCORE z",
    "ZSCORE z nothere",
    "ZSCORE missing a",
    "ZSCORE z",
    "ZRANGE z 0 -1 WITHSCORES",
    "ZINCRBY z 2 a",
    "ZINCRBY z -100.5 a",
    "ZINCRBY z 5 brandnew",
    "ZINCRBY newz 1.5 m",
    "ZINCRBY z abc a",
    "ZINCRBY z nan a",
    "ZINCRBY z inf posinf",
    "ZINCRBY z -inf posinf",
    "ZADD z INCR -inf posinf",
    "ZSCORE z posinf",
    "ZINCRBY z 1",
    "ZCARD z",
    "ZCARD missing",
    "ZCARD",
    "ZREM z a b",
    "ZREM z a",
    "ZREM z nothere",
    "ZREM missing a",
    "ZREM z",
    "ZADD small 1 x",
    "ZREM small x",
    "EXISTS small",
    ["ZADD", "bin", "1", b"\x00m", "2", b"", "3", b"a\r\nb"],
    "ZRANGE bin 0 -1 WITHSCORES",
    "ZADD big " + " ".join("%d m%d" % (i % 50, i) for i in range(300)),
    "ZCARD big",
    "ZRANGE big 0 9 WITHSCORES",
    "ZRANGE big -5 -1",
    "ZRANK big m299",
    "ZSCORE big m299",
    "ZREM big " + " ".join("m%d" % i for i in range(0, 300, 2)),
    "ZCARD big",
    "ZRANGE big 100 120 WITHSCORES",
    "SET str v",
    "ZADD str 1 a",
    "ZINCRBY str 1 a",
    "ZSCORE str a",
    "ZMSCORE str a",
    "ZCARD str",
    "ZREM str a",
    "ZRANGE str 0 -1",
    "ZRANK str a",
    "ZCOUNT str 0 1",
    "ZPOPMIN str",
    "ZSCAN str 0",
]

RANGE = [
    "ZADD z 1 a 2 b 2 c 3 d 4.5 e -1 f 10 g 10 h",
    "ZRANGE z 0 -1",
    "ZRANGE z 0 -1 WITHSCORES",
    "ZRANGE z 2 4 withscores",
    "ZRANGE z -3 -1",
    "ZRANGE z -100 100",
    "ZRANGE z 5 2",
    "ZRANGE z 100 200",
    "ZRANGE z 0 0 WITHSCORES",
    "ZRANGE z 0 -1 REV",
    "ZRANGE z 0 2 REV WITHSCORES",
    "ZRANGE z a b",
    "ZRANGE z 0",
    "ZRANGE missing 0 -1",
    "ZREVRANGE z 0 -1",
    "ZREVRANGE z 0 2 WITHSCORES",
    "ZREVRANGE z -2 -1",
    "ZREVRANGE z 0 -1 BOGUS",
    # BYSCORE
    "ZRANGE z 2 4 BYSCORE",
    "ZRANGE z (2 4 BYSCORE",
    "ZRANGE z 2 (4.5 BYSCORE WITHSCORES",
    "ZRANGE z (2 (4.5 BYSCORE",
    "ZRANGE z -inf +inf BYSCORE",
    "ZRANGE z -inf 2 BYSCORE",
    "ZRANGE z (10 +inf BYSCORE",
    "ZRANGE z 10 inf BYSCORE WITHSCORES",
    "ZRANGE z 5 1 BYSCORE",
    "ZRANGE z +inf -inf BYSCORE REV",
    "ZRANGE z 4 2 BYSCORE REV WITHSCORES",
    "ZRANGE z 2 4 BYSCORE REV",
    "ZRANGE z -inf +inf BYSCORE LIMIT 1 3",
    "ZRANGE z -inf +inf BYSCORE LIMIT 1 -1",
    "ZRANGE z -inf +inf BYSCORE LIMIT 0 0",
    "ZRANGE z -inf +inf BYSCORE LIMIT 100 5",
    "ZRANGE z -inf +inf BYSCORE LIMIT -1 5",
    "ZRANGE z +inf -inf BYSCORE REV LIMIT 2 2 WITHSCORES",
    "ZRANGE z abc 2 BYSCORE",
    "ZRANGE z 1 ((2 BYSCORE",
    "ZRANGE z nan 2 BYSCORE",
    "ZRANGE z 0 -1 LIMIT 0 1",
    "ZRANGE z 0 1 BYSCORE LIMIT 0",
    "ZRANGE z 0 1 BYSCORE LIMIT a b",
    "ZRANGE z 0 1 BYSCORE BYLEX",
    "ZRANGEBYSCORE z 2 4",
    "ZRANGEBYSCORE z (1 (10 WITHSCORES",
    "ZRANGEBYSCORE z -inf +inf LIMIT 2 3",
    "ZRANGEBYSCORE z -inf +inf WITHSCORES LIMIT 0 2",
    "ZRANGEBYSCORE z -inf +inf LIMIT 0 2 WITHSCORES",
    "ZRANGEBYSCORE z 4 2",
    "ZRANGEBYSCORE z a b",
    "ZRANGEBYSCORE z 1 2 LIMIT 1",
    "ZRANGEBYSCORE missing -inf +inf",
    "ZRANGEBYSCORE z 1",
    "ZREVRANGEBYSCORE z 4 2",
    "ZREVRANGEBYSCORE z +inf -inf WITHSCORES",
    "ZREVRANGEBYSCORE z (10 (1",
    "ZREVRANGEBYSCORE z +inf -inf LIMIT 1 2",
    "ZREVRANGEBYSCORE z 2 4",
    "ZREVRANGEBYSCORE z x y",
    # COUNT
    "ZCOUNT z -inf +inf",
    "ZCOUNT z 2 4",
    "ZCOUNT z (2 4",
    "ZCOUNT z (2 (3",
    "ZCOUNT z 10 10",
    "ZCOUNT z 5 1",
    "ZCOUNT z a b",
    "ZCOUNT missing 0 1",
    "ZCOUNT z 1",
    # RANK
    "ZRANK z a",
    "ZRANK z f",
    "ZRANK z h",
    "ZRANK z c",
    "ZRANK z nothere",
    "ZRANK missing a",
    "ZREVRANK z a",
    "ZREVRANK z h",
    "ZREVRANK z nothere",
    "ZRANK z",
    "ZREVRANK z a b",
]

LEX = [
    "ZADD l 0 a 0 b 0 c 0 d 0 e 0 f 0 g 0 aa 0 ab 0 B",
    "ZRANGE l - + BYLEX",
    "ZRANGE l [b [d BYLEX",
    "ZRANGE l (b [d BYLEX",
    "ZRANGE l (b (d BYLEX",
    "ZRANGE l - [c BYLEX",
    "ZRANGE l (c + BYLEX",
    "ZRANGE l [a [a BYLEX",
    "ZRANGE l [aa (b BYLEX",
    "ZRANGE l + - BYLEX REV",
    "ZRANGE l [d [b BYLEX REV",
    "ZRANGE l [b [d BYLEX REV",
    "ZRANGE l - + BYLEX LIMIT 2 3",
    "ZRANGE l + - BYLEX REV LIMIT 0 2",
    "ZRANGE l - + BYLEX LIMIT 1 -1",
    "ZRANGE l [z + BYLEX",
    "ZRANGE l + - BYLEX",
    "ZRANGE l b d BYLEX",
    "ZRANGE l [b d BYLEX",
    "ZRANGE l - + BYLEX WITHSCORES",
    "ZRANGE l [ [z BYLEX",
    "ZRANGE l ( [z BYLEX",
    "ZRANGEBYLEX l - +",
    "ZRANGEBYLEX l [b (e",
    "ZRANGEBYLEX l - + LIMIT 1 2",
    "ZRANGEBYLEX l - + LIMIT 1",
    "ZRANGEBYLEX l a b",
    "ZRANGEBYLEX missing - +",
    "ZRANGEBYLEX l -",
    "ZRANGEBYLEX l - + WITHSCORES",
    "ZRANGE l 0 -1",
    "ZADD mixed 1 b 1 a 2 c 1 c",
    "ZRANGE mixed 0 -1 WITHSCORES",
    "ZRANGE mixed (1 2 BYSCORE",
]

POP_SCAN = [
    "ZADD z 1 a 2 b 3 c 4 d 5 e",
    "ZPOPMIN z",
    "ZPOPMAX z",
    "ZPOPMIN z 2",
    "ZPOPMAX z 0",
    "ZPOPMIN z -1",
    "ZPOPMIN z abc",
    "ZPOPMIN z 1 2",
    "ZPOPMAX z 10",
    "EXISTS z",
    "ZPOPMIN z",
    "ZPOPMAX missing",
    "ZPOPMIN missing 3",
    "ZADD t 1 x 1 y 1 z",
    "ZPOPMAX t",
    "ZPOPMIN t",
    "ZPOPMIN t 1",
    "ZPOPMIN",
    "ZADD small 1 a 2.5 b",
    S("ZSCAN small 0", pairs=True),
    "ZADD big " + " ".join("%d.5 member:%d" % (i, i) for i in range(400)),
    S("ZSCAN big 0", pairs=True),
    S("ZSCAN big 0 COUNT 9", pairs=True),
    S("ZSCAN big 0 MATCH member:3?", pairs=True),
    S("ZSCAN big 0 MATCH *7 COUNT 200", pairs=True),
    S("ZSCAN missing 0", pairs=True),
    "ZSCAN missing 0",
    "ZSCAN big 0 COUNT 0",
    "ZSCAN big x",
    "ZSCAN big",
    "ZADD inf -inf lo +inf hi",
    S("ZSCAN inf 0", pairs=True),
]


def large_sets():
    """Sets of thousands of members, so the server's ordered index is several levels deep.

    Ties on score (ordered by member bytes), moves by ZADD and ZINCRBY, and removals spread over
    the set; then ranks, index, score and lex ranges both ways. Fixed seed: the same script on
    every run.
    """
    rng = random.Random(20261205)
    members = ["m%d" % i for i in range(6000)]
    script = []
    for start in range(0, len(members), 500):
        script.append("ZADD big " + " ".join(
            "%d %s" % (rng.randint(-300, 300), m) for m in members[start:start + 500]))
    for _ in range(4):  # moves: new scores anywhere, small increments, removals
        moved = rng.sample(members, 400)
        script.append("ZADD big " + " ".join(
            "%d.5 %s" % (rng.randint(-300, 300), m) for m in moved[:200]))
        script += ["ZINCRBY big %d %s" % (rng.randint(-3, 3), m) for m in moved[200:240]]
        script.append("ZREM big " + " ".join(moved[240:400]))
        script.append("ZCARD big")
    script += ["ZRANGE big 0 -1 WITHSCORES", "ZREVRANGE big 0 -1 WITHSCORES"]
    for _ in range(60):
        m = rng.choice(members)
        a, b = sorted(rng.randint(-6000, 6000) for _ in range(2))
        lo, hi = sorted(rng.randint(-320, 320) for _ in range(2))
        script += [
            "ZRANK big %s" % m, "ZREVRANK big %s" % m, "ZSCORE big %s" % m,
            "ZRANGE big %d %d WITHSCORES" % (a, a + rng.randint(0, 80)),
            "ZREVRANGE big %d %d" % (b, b + rng.randint(0, 80)),
            "ZCOUNT big (%d %d" % (lo, hi),
            "ZRANGEBYSCORE big %d (%d WITHSCORES LIMIT %d 40" % (lo, hi, rng.randint(0, 30)),
            "ZREVRANGEBYSCORE big %d %d LIMIT 0 40" % (hi, lo),
        ]
    # One score for all: lex ranges over 5000 members.
    for start in range(0, 5000, 500):
        script.append("ZADD lex " + " ".join(
            "0 k%05d" % i for i in range(start, start + 500)))
    script.append("ZREM lex " + " ".join("k%05d" % i for i in range(0, 5000, 3)))
    for _ in range(40):
        a, b = sorted(rng.randint(0, 5100) for _ in range(2))
        script += [
            "ZLEXCOUNT lex [k%05d (k%05d" % (a, b),
            "ZRANGEBYLEX lex [k%05d (k%05d LIMIT 0 30" % (a, b),
            "ZREVRANGEBYLEX lex (k%05d [k%05d LIMIT 2 30" % (b, a),
            "ZRANK lex k%05d" % a,
        ]
    return script


LARGE = large_sets()


class ZSetDifferentialTest(harness.DiffTestCase):

    def test_add_score_incr_rem(self):
        self.assertSame(ADD)

    def test_range_by_index_and_score(self):
        self.assertSame(RANGE)

    def test_range_by_lex(self):
        self.assertSame(LEX)

    def test_pop_and_scan(self):
        self.assertSame(POP_SCAN)

    def test_large_sets(self):
        self.assertSame(LARGE)

    def test_zsets_resp3(self):
        # RESP3 returns scores as doubles (',') and WITHSCORES as pairs.
        self.assertSame(["ZADD z 1 a 2.5 b inf c", "ZSCORE z b", "ZSCORE z c",
                         "ZSCORE z nothere", "ZMSCORE z a nothere b",
                         "ZINCRBY z 1.5 a", "ZADD z INCR 1 a",
                         "ZADD z INCR NX 1 a",
                         "ZRANGE z 0 -1 WITHSCORES",
                         "ZRANGE z -inf +inf BYSCORE WITHSCORES",
                         "ZREVRANGE z 0 0 WITHSCORES",
                         "ZRANGEBYSCORE z -inf +inf WITHSCORES",
                         "ZRANK z nothere", "ZPOPMIN z", "ZPOPMAX z 1",
                         "ZPOPMIN missing", "ZPOPMIN missing 2",
                         S("ZSCAN z 0", pairs=True)], protocol=3)


COMMANDS = harness.count_commands(ADD, RANGE, LEX, POP_SCAN, LARGE)

if __name__ == "__main__":
    harness.main()
