"""Differential test: LCS (LEN, IDX, MINMATCHLEN, WITHMATCHLEN) and SUBSTR vs
redis-server, including Redis's exact match-range walk, empty and missing
keys, wrong types and bad options."""

import os
import random
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

LCS = [
    "MSET key1 ohmytext key2 mynewtext",
    "LCS key1 key2",
    "LCS key1 key2 LEN",
    "LCS key1 key2 IDX",
    "LCS key1 key2 IDX MINMATCHLEN 4",
    "LCS key1 key2 IDX MINMATCHLEN 4 WITHMATCHLEN",
    "LCS key1 key2 IDX WITHMATCHLEN",
    "LCS key1 key2 idx minmatchlen -5 withmatchlen",
    "LCS key1 key2 WITHMATCHLEN",
    "LCS key1 key2 MINMATCHLEN 2",
    "LCS key2 key1 IDX WITHMATCHLEN",
    "LCS key1 key1 IDX WITHMATCHLEN",
    "LCS key1 missing",
    "LCS missing key1 IDX",
    "LCS missing missing2 LEN",
    "SET empty ''",
    "LCS empty key1",
    "LCS key1 empty IDX",
    "MSET a abcabcabc b cbacbacba",
    "LCS a b",
    "LCS a b IDX WITHMATCHLEN",
    "MSET x 1234567890 y 0987654321",
    "LCS x y IDX WITHMATCHLEN",
    "MSET p aaaa q aa",
    "LCS p q IDX WITHMATCHLEN",
    "LCS q p IDX",
    "MSET n 12345 m 345",
    "LCS n m IDX",
    "LCS n m LEN",
    "LCS key1 key2 LEN IDX",
    "LCS key1 key2 IDX LEN",
    "LCS key1 key2 FOO",
    "LCS key1 key2 MINMATCHLEN",
    "LCS key1 key2 MINMATCHLEN abc",
    "LCS key1 key2 MINMATCHLEN 1.5",
    "RPUSH list a",
    "LCS key1 list",
    "LCS list key1",
    "LCS list missing LEN",
    "LCS key1",
    "SET bin1 " + "a\x00b\x01c",
    ["SET", "bin1", b"a\x00b\xffc\r\n"],
    ["SET", "bin2", b"\x00\xffc\n"],
    "LCS bin1 bin2",
    "LCS bin1 bin2 IDX WITHMATCHLEN",
]

SUBSTR = [
    "SET s 'Hello World'",
    "SUBSTR s 0 4",
    "SUBSTR s -5 -1",
    "SUBSTR s 0 -1",
    "SUBSTR s 5 2",
    "SUBSTR s 100 200",
    "SUBSTR s -100 100",
    "SUBSTR s 0 a",
    "SUBSTR missing 0 1",
    "SET n 12345",
    "SUBSTR n 1 2",
    "RPUSH l a",
    "SUBSTR l 0 1",
    "SUBSTR s 0",
    "SUBSTR s 0 1 2",
]


def random_script(seed, n=20):
    rng = random.Random(seed)
    out = []
    for i in range(n):
        la, lb = rng.randint(0, 30), rng.randint(0, 30)
        alpha = "abc" if i % 2 else "abcdefgh"
        a = "".join(rng.choice(alpha) for _ in range(la))
        b = "".join(rng.choice(alpha) for _ in range(lb))
        out.append(["MSET", "ra", a, "rb", b])
        out.append("LCS ra rb")
        out.append("LCS ra rb IDX WITHMATCHLEN")
        out.append("LCS ra rb IDX MINMATCHLEN %d" % rng.randint(0, 3))
    return out


class LcsDifferentialTest(harness.DiffTestCase):

    def test_lcs(self):
        self.assertSame(LCS)

    def test_lcs_random(self):
        self.assertSame(random_script(7, 40))

    def test_lcs_resp3(self):
        self.assertSame(["MSET key1 ohmytext key2 mynewtext",
                         "LCS key1 key2 IDX WITHMATCHLEN"], protocol=3)

    def test_substr(self):
        self.assertSame(SUBSTR)


if __name__ == "__main__":
    harness.main()
