"""Differential test: ZUNION, ZINTER, ZDIFF, their STORE forms and ZINTERCARD
vs redis-server, with WEIGHTS, AGGREGATE, WITHSCORES, sets as inputs, and
inf/-inf/NaN edge cases (inf * 0 and inf + -inf become 0 in Redis)."""

import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

SETUP = [
    "ZADD z1 1 a 2 b 3 c 4 d",
    "ZADD z2 10 b 20 c 30 x",
    "ZADD z3 100 c 200 y",
    "SADD s1 a c q",
    "SET str v",
]

ALGEBRA = SETUP + [
    "ZUNION 1 z1",
    "ZUNION 2 z1 z2",
    "ZUNION 2 z1 z2 WITHSCORES",
    "ZUNION 3 z1 z2 z3 WITHSCORES",
    "ZUNION 3 z1 z2 z3 WEIGHTS 1 2 3 WITHSCORES",
    "ZUNION 3 z1 z2 z3 WEIGHTS 1 -1 0.5 AGGREGATE MIN WITHSCORES",
    "ZUNION 3 z1 z2 z3 AGGREGATE MAX WITHSCORES",
    "ZUNION 3 z1 z2 z3 aggregate sum weights 2 2 2 withscores",
    "ZUNION 2 z1 s1 WITHSCORES",
    "ZUNION 2 z1 missing WITHSCORES",
    "ZUNION 1 missing",
    "ZUNION 2 z1 z1 WITHSCORES",
    "ZINTER 2 z1 z2 WITHSCORES",
    "ZINTER 3 z1 z2 z3 WITHSCORES",
    "ZINTER 2 z1 s1 WITHSCORES",
    "ZINTER 2 z1 z1 WEIGHTS 2 3 WITHSCORES",
    "ZINTER 2 z1 z2 AGGREGATE MIN WITHSCORES",
    "ZINTER 2 z1 z2 AGGREGATE MAX WEIGHTS 1 -1 WITHSCORES",
    "ZINTER 2 z1 missing WITHSCORES",
    "ZINTER 1 z1",
    "ZDIFF 2 z1 z2",
    "ZDIFF 2 z1 z2 WITHSCORES",
    "ZDIFF 3 z1 z2 s1 WITHSCORES",
    "ZDIFF 1 z1 WITHSCORES",
    "ZDIFF 2 missing z1",
    "ZDIFF 2 z1 missing WITHSCORES",
    "ZDIFF 2 z1 z1",
    "ZDIFF 2 s1 z1 WITHSCORES",
    "ZINTERCARD 2 z1 z2",
    "ZINTERCARD 3 z1 z2 z3",
    "ZINTERCARD 2 z1 z1",
    "ZINTERCARD 2 z1 z1 LIMIT 2",
    "ZINTERCARD 2 z1 z1 LIMIT 0",
    "ZINTERCARD 2 z1 s1",
    "ZINTERCARD 1 missing",
    "ZUNIONSTORE dst 2 z1 z2",
    "ZRANGE dst 0 -1 WITHSCORES",
    "ZUNIONSTORE dst 2 z1 z2 WEIGHTS 0 1 AGGREGATE MAX",
    "ZRANGE dst 0 -1 WITHSCORES",
    "ZINTERSTORE dst 2 z1 z2",
    "ZRANGE dst 0 -1 WITHSCORES",
    "ZINTERSTORE dst 2 z1 z3",
    "ZRANGE dst 0 -1 WITHSCORES",
    "ZINTERSTORE dst 2 z1 missing",
    "EXISTS dst",
    "ZDIFFSTORE dst 2 z1 z2",
    "ZRANGE dst 0 -1 WITHSCORES",
    "ZDIFFSTORE dst 2 z1 z1",
    "EXISTS dst",
    "ZUNIONSTORE str 1 z1",
    "TYPE str",
    "ZUNIONSTORE z1 2 z1 z2",
    "ZRANGE z1 0 -1 WITHSCORES",
    "ZINTERSTORE z1 2 z1 s1",
    "ZRANGE z1 0 -1 WITHSCORES",
    "ZUNIONSTORE dset 1 s1",
    "TYPE dset",
    "ZRANGE dset 0 -1 WITHSCORES",
]

ERRORS = SETUP + [
    "ZUNION 0 z1",
    "ZUNION -1 z1",
    "ZUNION abc z1",
    "ZUNION 3 z1 z2",
    "ZUNION 2 z1 str",
    "ZUNION 2 str missing",
    "ZUNION 1 z1 WEIGHTS",
    "ZUNION 1 z1 WEIGHTS abc",
    "ZUNION 1 z1 WEIGHTS nan",
    "ZUNION 2 z1 z2 WEIGHTS 1",
    "ZUNION 1 z1 WEIGHTS 1 2",
    "ZUNION 1 z1 AGGREGATE",
    "ZUNION 1 z1 AGGREGATE AVG",
    "ZUNION 1 z1 FOO",
    "ZUNION 1 z1 WITHSCORES WITHSCORES",
    "ZUNIONSTORE dst 1 z1 WITHSCORES",
    "ZUNIONSTORE dst 0 z1",
    "ZINTERSTORE dst 0 z1",
    "ZDIFFSTORE dst 0 z1",
    "ZDIFF 0 z1",
    "ZINTER 0 z1",
    "ZDIFF 2 z1 z2 WEIGHTS 1 1",
    "ZDIFF 1 z1 AGGREGATE SUM",
    "ZDIFFSTORE dst 1 z1 WITHSCORES",
    "ZINTERCARD 0 z1",
    "ZINTERCARD abc z1",
    "ZINTERCARD 2 z1",
    "ZINTERCARD 1 z1 LIMIT -1",
    "ZINTERCARD 1 z1 LIMIT x",
    "ZINTERCARD 1 z1 LIMIT",
    "ZINTERCARD 1 z1 WITHSCORES",
    "ZINTERCARD 1 z1 WEIGHTS 1",
    "ZINTERCARD 1 str",
    "ZUNIONSTORE dst 1 str",
    "ZUNION 1",
    "ZUNIONSTORE dst 1",
    "ZINTERCARD 1",
]

INF_NAN = [
    "ZADD i1 inf a -inf b 0 c 1 d",
    "ZADD i2 -inf a inf b inf c -inf d",
    "ZUNION 2 i1 i2 WITHSCORES",
    "ZINTER 2 i1 i2 WITHSCORES",
    "ZUNION 2 i1 i2 WEIGHTS 0 0 WITHSCORES",
    "ZUNION 2 i1 i2 WEIGHTS inf -inf WITHSCORES",
    "ZINTER 2 i1 i2 WEIGHTS 0 1 WITHSCORES",
    "ZINTER 2 i1 i2 WEIGHTS 1 0 AGGREGATE MIN WITHSCORES",
    "ZINTER 2 i1 i2 WEIGHTS 1 0 AGGREGATE MAX WITHSCORES",
    "ZUNION 2 i1 i2 AGGREGATE MIN WITHSCORES",
    "ZUNION 2 i1 i2 AGGREGATE MAX WITHSCORES",
    "ZUNION 1 i1 WEIGHTS -1 WITHSCORES",
    "ZUNION 1 i1 WEIGHTS -0 WITHSCORES",
    "ZUNIONSTORE dst 1 i1 WEIGHTS -1",
    "ZRANGE dst 0 -1 WITHSCORES",
    "ZUNIONSTORE dst 2 i1 i2",
    "ZRANGE dst 0 -1 WITHSCORES",
    "ZINTERSTORE dst 2 i1 i2 WEIGHTS 1e308 1e308",
    "ZRANGE dst 0 -1 WITHSCORES",
    "ZUNION 1 i1 WEIGHTS 1e400 WITHSCORES",
    "ZUNION 1 i1 WEIGHTS 1.5e-3 WITHSCORES",
    "ZADD f 0.1 a 0.2 b",
    "ZADD g 0.2 a 0.1 b 0.3 c",
    "ZADD h 0.3 a 0.3 b",
    "ZUNION 3 f g h WITHSCORES",
    "ZINTER 3 f g h WITHSCORES",
    "ZUNION 3 h g f WEIGHTS 3 7 11 WITHSCORES",
]

BIG = [
    "ZADD big " + " ".join("%d m%d" % (i, i) for i in range(200)),
    "ZADD big2 " + " ".join("%d m%d" % (i * 2, i) for i in range(0, 200, 3)),
    "ZUNIONSTORE u 2 big big2",
    "ZRANGE u 0 9 WITHSCORES",
    "ZRANGE u -5 -1 WITHSCORES",
    "ZINTERSTORE i 2 big big2 WEIGHTS 1 -1",
    "ZRANGE i 0 -1 WITHSCORES",
    "ZDIFFSTORE d 2 big big2",
    "ZCARD d",
    "ZRANGE d 0 5",
    "ZINTERCARD 2 big big2",
    "ZINTERCARD 2 big big2 LIMIT 10",
    "ZUNION 2 big big2 WITHSCORES",
]

RESP3 = SETUP + [
    "ZUNION 2 z1 z2 WITHSCORES",
    "ZINTER 2 z1 z2",
    "ZDIFF 2 z1 z2 WITHSCORES",
    "ZINTERCARD 2 z1 z2",
]


class ZsetAlgebraDifferentialTest(harness.DiffTestCase):

    def test_algebra(self):
        self.assertSame(ALGEBRA)

    def test_errors(self):
        self.assertSame(ERRORS)

    def test_inf_nan(self):
        self.assertSame(INF_NAN)

    def test_big(self):
        self.assertSame(BIG)

    def test_resp3(self):
        self.assertSame(RESP3, protocol=3)


if __name__ == "__main__":
    harness.main()
