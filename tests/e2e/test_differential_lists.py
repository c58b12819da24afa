"""Differential test: list commands vs redis-server."""

import os
import random
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

PUSH_POP = [
    "LPUSH l a",
    "LPUSH l b c",
    "RPUSH l d e",
    "LRANGE l 0 -1",
    "LLEN l",
    "LPUSHX l x",
    "RPUSHX l y z",
    "LPUSHX missing x",
    "RPUSHX missing x y",
    "EXISTS missing",
    "LRANGE l 0 -1",
    "LPOP l",
    "RPOP l",
    "LPOP l 2",
    "RPOP l 2",
    "LRANGE l 0 -1",
    "LPOP l 0",
    "RPOP l 0",
    "LPOP l -1",
    "RPOP l -5",
    "LPOP l abc",
    "LPOP l 1 2",
    "LPOP l 100",
    "EXISTS l",
    "LPOP l",
    "RPOP l",
    "LPOP l 1",
    "RPOP l 5",
    "LPOP l 0",
    "RPOP missing 0",
    "LLEN l",
    "LLEN missing",
    "RPUSH l2 1 2 3",
    "RPOP l2 3",
    "EXISTS l2",
    "RPUSH l3 only",
    "RPOP l3",
    "TYPE l3",
    "LPUSH",
    "LPUSH l",
    "RPUSH l",
    "LPUSHX l",
    "LPOP",
    "RPOP",
    "LLEN",
    "LLEN a b",
    "SET str v",
    "LPUSH str x",
    "RPUSH str x",
    "LPUSHX str x",
    "RPUSHX str x",
    "LPOP str",
    "RPOP str 2",
    "LLEN str",
    "LRANGE str 0 -1",
    ["RPUSH", "bin", b"\x00", b"", b"a\r\nb", b"\xff" * 300],
    "LRANGE bin 0 -1",
    "LLEN bin",
    "RPUSH many " + " ".join(str(i) for i in range(600)),
    "LLEN many",
    "LPOP many 3",
    "RPOP many 3",
    "LINDEX many 300",
    "LRANGE many 295 305",
    "LPUSH many " + " ".join("x%d" % i for i in range(200)),
    "LRANGE many 0 4",
    "LRANGE many -4 -1",
    "LLEN many",
]

RANGE_INDEX = [
    "RPUSH l a b c d e f g",
    "LRANGE l 0 0",
    "LRANGE l 0 2",
    "LRANGE l -3 -1",
    "LRANGE l -100 100",
    "LRANGE l 5 100",
    "LRANGE l 100 200",
    "LRANGE l 3 1",
    "LRANGE l -1 -3",
    "LRANGE l -100 -50",
    "LRANGE l -100 0",
    "LRANGE l 6 6",
    "LRANGE l 7 7",
    "LRANGE l 0 -8",
    "LRANGE l 0 -7",
    "LRANGE l -9223372036854775808 9223372036854775807",
    "LRANGE l 9223372036854775807 -9223372036854775808",
    "LRANGE l 0 9223372036854775808",
    "LRANGE l a b",
    "LRANGE l 0",
    "LRANGE missing 0 -1",
    "SET s v",
    "LRANGE s 0 -1",
    "LINDEX l 0",
    "LINDEX l 6",
    "LINDEX l 7",
    "LINDEX l -1",
    "LINDEX l -7",
    "LINDEX l -8",
    "LINDEX l 9223372036854775807",
    "LINDEX l -9223372036854775808",
    "LINDEX l abc",
    "LINDEX missing 0",
    "LINDEX s 0",
    "LINDEX l",
    "LSET l 0 A",
    "LSET l -1 G",
    "LSET l 3 D",
    "LRANGE l 0 -1",
    "LSET l 7 x",
    "LSET l -8 x",
    "LSET l abc x",
    "LSET missing 0 x",
    "LSET s 0 x",
    "LSET l 0",
    ["LSET", "l", "1", b"x" * 1000],
    "LINDEX l 1",
    "LSET l 1 b",
    "LINSERT l BEFORE c X",
    "LINSERT l AFTER c Y",
    "LRANGE l 0 -1",
    "LINSERT l before A first",
    "LINSERT l after G last",
    "LRANGE l 0 -1",
    "LINSERT l BEFORE nothere x",
    "LINSERT missing BEFORE a x",
    "EXISTS missing",
    "LINSERT l MIDDLE c x",
    "LINSERT s BEFORE a x",
    "LINSERT l BEFORE c",
    "RPUSH dup a b a c a",
    "LINSERT dup AFTER a Z",
    "LRANGE dup 0 -1",
    "LLEN l",
]

REM_TRIM_POS = [
    "RPUSH l a b a c a d a",
    "LREM l 2 a",
    "LRANGE l 0 -1",
    "LREM l -1 a",
    "LRANGE l 0 -1",
    "LREM l 0 a",
    "LRANGE l 0 -1",
    "LREM l 0 nothere",
    "LREM l 1 b",
    "LREM l 100 c",
    "LREM l 0 d",
    "EXISTS l",
    "LREM missing 0 a",
    "LREM l abc a",
    "SET s v",
    "LREM s 0 v",
    "LREM l 0",
    "RPUSH r x y x y x y",
    "LREM r -2 y",
    "LRANGE r 0 -1",
    "LREM r -100 x",
    "LRANGE r 0 -1",
    # LTRIM
    "RPUSH t 0 1 2 3 4 5 6 7 8 9",
    "LTRIM t 1 -2",
    "LRANGE t 0 -1",
    "LTRIM t -5 -1",
    "LRANGE t 0 -1",
    "LTRIM t 0 100",
    "LRANGE t 0 -1",
    "LTRIM t -100 2",
    "LRANGE t 0 -1",
    "LTRIM t 1 1",
    "LRANGE t 0 -1",
    "LTRIM t 5 10",
    "EXISTS t",
    "RPUSH t2 a b c",
    "LTRIM t2 2 1",
    "EXISTS t2",
    "RPUSH t3 a b c",
    "LTRIM t3 -1 -2",
    "EXISTS t3",
    "RPUSH t4 a b c",
    "LTRIM t4 0 -1",
    "LTRIM t4 a b",
    "LTRIM t4 0",
    "LTRIM missing 0 1",
    "LTRIM s 0 1",
    "LRANGE t4 0 -1",
    # LPOS
    "RPUSH p a b c 1 2 3 c c",
    "LPOS p c",
    "LPOS p nothere",
    "LPOS missing c",
    "LPOS p c RANK 1",
    "LPOS p c RANK 2",
    "LPOS p c RANK 3",
    "LPOS p c RANK 4",
    "LPOS p c RANK -1",
    "LPOS p c RANK -3",
    "LPOS p c RANK -4",
    "LPOS p c RANK 0",
    "LPOS p c RANK abc",
    "LPOS p c COUNT 0",
    "LPOS p c COUNT 2",
    "LPOS p c COUNT 10",
    "LPOS p c COUNT -1",
    "LPOS p c COUNT 1",
    "LPOS p c COUNT 2 RANK 2",
    "LPOS p c COUNT 0 RANK -1",
    "LPOS p c COUNT 0 RANK -2",
    "LPOS p nothere COUNT 0",
    "LPOS missing c COUNT 0",
    "LPOS p c MAXLEN 3",
    "LPOS p c MAXLEN 2",
    "LPOS p c COUNT 0 MAXLEN 7",
    "LPOS p c COUNT 0 MAXLEN 0",
    "LPOS p c COUNT 0 RANK -1 MAXLEN 2",
    "LPOS p c MAXLEN -1",
    "LPOS p c BOGUS 1",
    "LPOS p c COUNT",
    "LPOS p c rank 2 count 0 maxlen 100",
    "LPOS s v",
    "LPOS p",
    "LPOS p 1",
    "LPOS p 3",
]


def large_lists():
    """Lists of thousands of elements, so the server's element storage spans many blocks.

    Pushes at both ends, alone and in batches larger than a block; pops of one and of many;
    LINSERT, LSET and LREM in the middle; LTRIM from both ends; then LRANGE, LINDEX and LPOS
    across the block boundaries. Fixed seed: the same script on every run.
    """
    rng = random.Random(20261205)
    script = []
    n = 0
    for _ in range(300):
        k = rng.choice([1, 1, 1, 3, 70, 200])
        values = " ".join("v%d" % (n + i) for i in range(k))
        n += k
        script.append("%s big %s" % (rng.choice(["LPUSH", "RPUSH"]), values))
    for _ in range(120):
        r = rng.random()
        i = rng.randint(-5000, 5000)
        if r < 0.2:
            script.append("%s big %d" % (rng.choice(["LPOP", "RPOP"]), rng.randint(1, 90)))
        elif r < 0.4:
            script.append("LINSERT big %s v%d x%d" % (rng.choice(["BEFORE", "AFTER"]),
                                                    rng.randint(0, n), i))
        elif r < 0.6:
            script.append("LSET big %d s%d" % (i, i))
        elif r < 0.7:
            script.append("LREM big %d v%d" % (rng.randint(-2, 2), rng.randint(0, n)))
        elif r < 0.8:
            script.append("RPUSH big " + " ".join("r%d" % j for j in range(rng.randint(1, 150))))
        else:
            script.append("LLEN big")
        a = rng.randint(-6000, 6000)
        script += ["LINDEX big %d" % a, "LRANGE big %d %d" % (a, a + rng.randint(0, 130))]
    script += ["LRANGE big 0 -1", "LPOS big r7 COUNT 0", "LPOS big r3 RANK -2",
               "LTRIM big 100 -200", "LLEN big", "LRANGE big 0 -1",
               "LTRIM big 1000 1100", "LRANGE big 0 -1"]
    # Drain one end at a time until the list is gone.
    script += ["RPUSH drain " + " ".join(str(i) for i in range(3000))]
    script += ["%s drain 97" % ("LPOP" if i % 3 else "RPOP") for i in range(32)]
    script += ["EXISTS drain"]
    return script


LARGE = large_lists()


class ListDifferentialTest(harness.DiffTestCase):

    def test_large_lists(self):
        self.assertSame(LARGE)

    def test_push_pop(self):
        self.assertSame(PUSH_POP)

    def test_range_index_set_insert(self):
        self.assertSame(RANGE_INDEX)

    def test_rem_trim_pos(self):
        self.assertSame(REM_TRIM_POS)

    def test_lists_resp3(self):
        self.assertSame(["RPUSH l a b c", "LPOP missing", "LPOP missing 2",
                         "LPOP l 2", "LRANGE l 0 -1", "LINDEX l 5",
                         "LPOS l z", "LPOS l c COUNT 0", "RPOP l",
                         "RPOP l 1"], protocol=3)


COMMANDS = harness.count_commands(PUSH_POP, RANGE_INDEX, REM_TRIM_POS, LARGE)

if __name__ == "__main__":
    harness.main()
