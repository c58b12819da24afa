"""Differential test: the bitmap commands (SETBIT, GETBIT, BITCOUNT, BITPOS,
BITOP, BITFIELD, BITFIELD_RO) vs redis-server, including offset and value
errors, the proto-max-bulk-len limit, negative ranges, BIT vs BYTE, BITFIELD
overflow modes at the type boundaries, BITOP on missing keys and different
lengths, wrong types, and random ranges checked against Redis."""

import os
import random
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

SETBIT_GETBIT = [
    "SETBIT b 7 1",
    "GET b",
    "SETBIT b 7 1",  # unchanged
    "SETBIT b 7 0",
    "GET b",
    "STRLEN b",
    "SETBIT b 100 1",
    "STRLEN b",
    "GETBIT b 100",
    "GETBIT b 99",
    "GETBIT b 101",
    "GETBIT b 1000000",
    "GETBIT missing 0",
    "GETBIT missing 4294967295",
    "SETBIT b 0 2",
    "SETBIT b 0 -1",
    "SETBIT b 0 abc",
    "SETBIT b 0 1.0",
    "SETBIT b 0 ''",
    "SETBIT b -1 1",
    "SETBIT b abc 1",
    "SETBIT b 4294967296 1",
    "SETBIT b 9223372036854775807 1",
    "SETBIT b 99999999999999999999 1",
    "SETBIT b '' 1",
    "SETBIT b 0x10 1",
    "SETBIT b ' 1' 1",
    "SETBIT b +1 1",
    "SETBIT b 01 1",
    "GETBIT b -1",
    "GETBIT b 4294967296",
    "GETBIT b abc",
    "GETBIT b 4294967295",
    "SETBIT big 8388607 1",  # 1 MB
    "STRLEN big",
    "BITCOUNT big",
    "BITPOS big 1",
    "BITPOS big 0",
    "GETBIT big 8388607",
    "SET num 12345",
    "GETBIT num 2",
    "GETBIT num 3",
    "SETBIT num 7 0",
    "GET num",
    "SET t abc EX 1000",
    "SETBIT t 0 1",
    "GET t",
    "TTL t",
    "RPUSH list a",
    "SETBIT list 0 1",
    "GETBIT list 0",
    "SETBIT list -1 1",  # the offset is checked first
    "SETBIT list 0 5",  # then the value, then the type
    "GETBIT list abc",
    "SETBIT",
    "SETBIT b 0",
    "SETBIT b 0 1 1",
    "GETBIT b",
    "GETBIT b 0 1",
    "SETBIT new 0 0",
    "EXISTS new",
    "GET new",
    "TYPE b",
]

BITCOUNT = [
    "SET s foobar",
    "BITCOUNT s",
    "BITCOUNT s 0 0",
    "BITCOUNT s 1 1",
    "BITCOUNT s 1 1 BYTE",
    "BITCOUNT s 5 30 BIT",
    "BITCOUNT s 5 30 bit",
    "BITCOUNT s 0 -1",
    "BITCOUNT s -1 -1",
    "BITCOUNT s -2 -1",
    "BITCOUNT s -100 -1",
    "BITCOUNT s -100 100",
    "BITCOUNT s 3 2",
    "BITCOUNT s -1 -2",
    "BITCOUNT s -20 -30",
    "BITCOUNT s -30 -20",
    "BITCOUNT s 0 -1 BIT",
    "BITCOUNT s -1 -1 BIT",
    "BITCOUNT s -8 -1 BIT",
    "BITCOUNT s 47 47 BIT",
    "BITCOUNT s 48 100 BIT",
    "BITCOUNT s 1 1 BIT",
    "BITCOUNT s 9 9 BIT",
    "BITCOUNT s 9 14 BIT",
    "BITCOUNT s 6 100 BYTE",
    "BITCOUNT s 0 9223372036854775807",
    "BITCOUNT s -9223372036854775808 -1",
    "BITCOUNT s -9223372036854775808 9223372036854775807 BIT",
    "BITCOUNT s 0",
    "BITCOUNT s 0 1 FOO",
    "BITCOUNT s 0 1 BIT extra",
    "BITCOUNT s a 1",
    "BITCOUNT s 1 a",
    "BITCOUNT s 1 a FOO",
    "BITCOUNT s 1 2 ''",
    "BITCOUNT missing",
    "BITCOUNT missing 0 -1",
    "BITCOUNT missing 0 abc",  # Redis 7.0: a missing key answers before parsing
    "BITCOUNT missing 1",
    "SET empty ''",
    "BITCOUNT empty",
    "BITCOUNT empty 0 -1",
    "BITCOUNT empty 0 0 BIT",
    "BITCOUNT empty 0",
    "SET n -12345",
    "BITCOUNT n",
    "BITCOUNT n 1 2 BIT",
    "RPUSH list a",
    "BITCOUNT list",
    "BITCOUNT list 0 abc",
    "BITCOUNT",
    ["SET", "bin", b"\x00\xff\xf0\x0f\xaa\x55\x00\xff\xff\xff\xff\xff"],
    "BITCOUNT bin",
    "BITCOUNT bin 1 10 BIT",
    "BITCOUNT bin 3 89 BIT",
    "BITCOUNT bin 2 -3",
]

BITPOS = [
    ["SET", "s", b"\xff\xf0\x00"],
    "BITPOS s 0",
    "BITPOS s 1",
    "BITPOS s 0 0",
    "BITPOS s 0 1",
    "BITPOS s 0 2",
    "BITPOS s 0 3",
    "BITPOS s 1 2",
    "BITPOS s 1 -1",
    "BITPOS s 0 -1",
    "BITPOS s 0 0 -1",
    "BITPOS s 0 0 0",
    "BITPOS s 0 0 0 BYTE",
    "BITPOS s 1 2 -1 BYTE",
    "BITPOS s 0 2 2 BYTE",
    "BITPOS s 1 7 15 BIT",
    "BITPOS s 0 7 15 BIT",
    "BITPOS s 0 3 11 BIT",
    "BITPOS s 0 12 12 BIT",
    "BITPOS s 1 12 12 BIT",
    "BITPOS s 1 16 -1 BIT",
    "BITPOS s 0 5 BIT",
    "BITPOS s 0 1 0",
    "BITPOS s 1 -20 -30",
    "BITPOS s 0 -30 -20",
    "BITPOS s 1 -1 -2",
    "BITPOS s 0 100",
    "BITPOS s 0 100 200",
    "BITPOS s 1 -100 100 BIT",
    "BITPOS s 0 0 9223372036854775807",
    "BITPOS s 0 -9223372036854775808",
    ["SET", "ones", b"\xff\xff\xff"],
    "BITPOS ones 0",
    "BITPOS ones 0 0",
    "BITPOS ones 0 1",
    "BITPOS ones 0 0 -1",
    "BITPOS ones 0 8 BIT",
    "BITPOS ones 0 8 23 BIT",
    "BITPOS ones 0 8 22 BIT",
    "BITPOS ones 1 8 22 BIT",
    ["SET", "zeros", b"\x00\x00\x00"],
    "BITPOS zeros 1",
    "BITPOS zeros 0",
    "BITPOS zeros 1 1",
    "BITPOS zeros 1 0 -1 BIT",
    "BITPOS zeros 0 9 BIT",
    "SET empty ''",
    "BITPOS empty 0",
    "BITPOS empty 1",
    "BITPOS empty 0 0",
    "BITPOS empty 0 0 -1",
    "BITPOS empty 0 0 -1 BIT",
    "BITPOS missing 0",
    "BITPOS missing 1",
    "BITPOS missing 1 abc",
    "BITPOS missing 0 0 -1 FOO",
    "BITPOS missing 2",
    "BITPOS missing abc",
    "BITPOS s 2",
    "BITPOS s -1",
    "BITPOS s abc",
    "BITPOS s 1 a",
    "BITPOS s 1 0 a",
    "BITPOS s 1 a b FOO",
    "BITPOS s 1 0 b FOO",
    "BITPOS s 1 0 1 FOO",
    "BITPOS s 1 0 1 BIT extra",
    "RPUSH list a",
    "BITPOS list 1",
    "BITPOS list 2",
    "BITPOS list 1 a",
    "BITPOS s",
    "BITPOS",
    "SET num 7",
    "BITPOS num 1",
    "BITPOS num 0 0 -1 BIT",
]

BITOP = [
    "SET a foo",
    "SET b barbaz",
    ["SET", "c", b"\x00\xff"],
    "BITOP AND d a b",
    "GET d",
    "BITOP OR d a b",
    "GET d",
    "BITOP XOR d a b c",
    "GET d",
    "BITOP NOT d a",
    "GET d",
    "BITOP not d c",
    "GET d",
    "BITOP and d a",
    "GET d",
    "BITOP AND d a missing",
    "GET d",
    "STRLEN d",
    "BITOP OR d missing a",
    "GET d",
    "BITOP XOR d a a",
    "GET d",
    "BITOP OR d missing missing2",
    "EXISTS d",
    "BITOP OR d missing",
    "SET d keep EX 1000",
    "BITOP NOT d missing",
    "EXISTS d",
    "SET d keep EX 1000",
    "BITOP OR d a",
    "TTL d",
    "GET d",
    "RPUSH list x",
    "BITOP AND list a b",  # the destination may be of any type
    "TYPE list",
    "GET list",
    "RPUSH list2 x",
    "BITOP AND d a list2",
    "BITOP AND d list2",
    "BITOP OR d missing missing2 list2",
    "BITOP NOT d list2",
    "BITOP NOT d a b",
    "BITOP NOT d",
    "BITOP NAND d a b",
    "BITOP '' d a",
    "BITOP AND d",
    "BITOP AND",
    "BITOP FOO d list2",  # the operation is checked first
    "BITOP NOT d a list2",
    "SET n 255",
    "BITOP NOT d n",
    "GET d",
    "BITOP AND a a b",  # destination among the sources
    "GET a",
    "SET e ''",
    "BITOP OR d e",
    "EXISTS d",
    "BITOP NOT d e",
    "EXISTS d",
    "BITOP XOR d e a",
    "GET d",
]

BITFIELD = [
    "BITFIELD bf SET i8 0 100 GET i8 0",
    "BITFIELD bf INCRBY i8 0 27 INCRBY i8 0 1",
    "BITFIELD bf OVERFLOW SAT INCRBY i8 0 100 INCRBY i8 0 -300",
    "BITFIELD bf OVERFLOW FAIL INCRBY i8 0 -1 INCRBY i8 0 -129 GET i8 0",
    "BITFIELD bf OVERFLOW WRAP INCRBY i8 0 -1",
    "BITFIELD bf GET u8 0 GET i8 0 GET u4 0 GET i4 4 GET u1 0 GET i1 0",
    "GET bf",
    "BITFIELD bf SET u8 #1 255 GET u8 #1 GET i16 #0 GET u16 0",
    "BITFIELD bf INCRBY u8 #1 1 OVERFLOW SAT INCRBY u8 #1 -5 INCRBY u8 #1 -300",
    "BITFIELD bf OVERFLOW SAT INCRBY u8 #1 500 OVERFLOW FAIL INCRBY u8 #1 1",
    "BITFIELD bf SET u2 100 7 GET u2 100",
    "STRLEN bf",
    "BITFIELD bf SET i5 #3 15 INCRBY i5 #3 1 OVERFLOW SAT INCRBY i5 #3 100",
    "BITFIELD bf SET i5 #3 -16 INCRBY i5 #3 -1 OVERFLOW SAT INCRBY i5 #3 -100",
    # 64-bit signed and 63-bit unsigned boundaries
    "BITFIELD w SET i64 0 9223372036854775807 GET i64 0",
    "BITFIELD w INCRBY i64 0 1",
    "BITFIELD w OVERFLOW SAT INCRBY i64 0 -1 INCRBY i64 0 9223372036854775807",
    "BITFIELD w OVERFLOW SAT SET i64 0 -9223372036854775808 INCRBY i64 0 -1",
    "BITFIELD w OVERFLOW FAIL INCRBY i64 0 -1 INCRBY i64 0 1",
    "BITFIELD w OVERFLOW WRAP INCRBY i64 0 -1",
    "BITFIELD w SET u63 0 9223372036854775807 GET u63 0",
    "BITFIELD w INCRBY u63 0 1",
    "BITFIELD w OVERFLOW SAT SET u63 0 -1 GET u63 0",
    "BITFIELD w OVERFLOW SAT INCRBY u63 0 1 INCRBY u63 0 -9223372036854775808",
    "BITFIELD w OVERFLOW FAIL INCRBY u63 0 -1 SET u63 0 -1",
    "BITFIELD w SET u1 0 1 SET u1 1 2 SET u1 2 -1 GET u8 0",
    "BITFIELD w OVERFLOW SAT SET u1 0 2 SET i1 1 -5 SET i1 2 5 GET u8 0",
    "BITFIELD w SET i64 3 -1 GET i64 3 GET u63 4 GET i64 4",
    # Redis's quirk: a SET far below the range saturates to the maximum
    "BITFIELD q OVERFLOW SAT SET i8 0 -9223372036854775808 GET i8 0",
    "BITFIELD q OVERFLOW SAT SET i8 0 -9223372036854775700 GET i8 0",
    "BITFIELD q OVERFLOW SAT SET i8 0 -200 GET i8 0",
    "BITFIELD q OVERFLOW WRAP SET i8 0 -9223372036854775808 GET i8 0",
    "BITFIELD q OVERFLOW FAIL SET i8 0 -9223372036854775808 GET i8 0",
    "BITFIELD q OVERFLOW SAT SET i16 0 9223372036854775807 GET i16 0",
    "BITFIELD q OVERFLOW SAT INCRBY i8 0 -9223372036854775808 INCRBY i8 0 9223372036854775807",
    "BITFIELD q OVERFLOW WRAP INCRBY i8 0 -9223372036854775808 INCRBY u8 0 9223372036854775807",
    # reads past the end and of missing keys
    "BITFIELD missing GET u8 0 GET i64 100",
    "EXISTS missing",
    "BITFIELD_RO missing GET u8 0",
    "BITFIELD missing",
    "BITFIELD_RO missing",
    "SET s ab",
    "BITFIELD s GET u16 0 GET u16 8 GET u16 16 GET i64 4 GET u63 1",
    "BITFIELD_RO s GET u16 0 GET i16 #0 GET u8 #1",
    "BITFIELD_RO s OVERFLOW FAIL GET u8 0",
    # a write grows the string even when OVERFLOW FAIL refuses it
    "BITFIELD grow OVERFLOW FAIL INCRBY u2 100 9",
    "GET grow",
    "STRLEN grow",
    "BITFIELD grow2 OVERFLOW FAIL SET u2 #1000 5",
    "STRLEN grow2",
    "SET t abc EX 1000",
    "BITFIELD t SET u8 0 65",
    "GET t",
    "TTL t",
    "SET num 100",
    "BITFIELD num INCRBY u8 16 1",
    "GET num",
    # errors
    "BITFIELD_RO s SET u8 0 1",
    "BITFIELD_RO s GET u8 0 INCRBY u8 0 1",
    "BITFIELD_RO s GET u8 0 FOO",
    "BITFIELD s GET u64 0",
    "BITFIELD s GET i65 0",
    "BITFIELD s GET u0 0",
    "BITFIELD s GET i0 0",
    "BITFIELD s GET I8 0",
    "BITFIELD s GET U8 0",
    "BITFIELD s GET x8 0",
    "BITFIELD s GET '' 0",
    "BITFIELD s GET i 0",
    "BITFIELD s GET i08 0",
    "BITFIELD s GET i+8 0",
    "BITFIELD s GET i-8 0",
    "BITFIELD s GET u8 -1",
    "BITFIELD s GET u8 abc",
    "BITFIELD s GET u8 #-1",
    "BITFIELD s GET u8 #abc",
    "BITFIELD s GET u8 '#'",
    "BITFIELD s GET u8 4294967296",
    "BITFIELD s GET u8 4294967295",
    "BITFIELD s GET u8 #536870911",
    "BITFIELD s GET u8 #536870912",
    "BITFIELD s GET u1 #4294967295",
    "BITFIELD s GET u1 #4294967296",
    "BITFIELD s GET i64 #67108864",
    "BITFIELD s GET i64 #1152921504606846976",
    "BITFIELD s SET u8 0 abc",
    "BITFIELD s SET u8 0 1.5",
    "BITFIELD s SET u8 0 99999999999999999999",
    "BITFIELD s INCRBY u8 0",
    "BITFIELD s SET u8 0",
    "BITFIELD s GET u8",
    "BITFIELD s GET",
    "BITFIELD s OVERFLOW",
    "BITFIELD s OVERFLOW FOO GET u8 0",
    "BITFIELD s OVERFLOW sat GET u8 0",
    "BITFIELD s FOO",
    "BITFIELD s GET u8 0 FOO u8 0",
    "BITFIELD s SET u8 0 1 GET u64 0",  # parsed in full before anything runs
    "GET s",
    "RPUSH list a",
    "BITFIELD list GET u8 0",
    "BITFIELD list SET u8 0 1",
    "BITFIELD_RO list GET u8 0",
    "BITFIELD list",
    "BITFIELD list GET u64 0",
    "BITFIELD_RO list SET u8 0 1",
    "BITFIELD",
    "BITFIELD_RO",
]

# Commands that exist to keep the shared machinery honest: key positions,
# arity errors, MULTI and the type/encoding queries on bitmap strings.
MISC = [
    "COMMAND GETKEYS BITOP AND d a b c",
    "COMMAND GETKEYS BITFIELD k GET u8 0",
    "COMMAND GETKEYS SETBIT k 0 1",
    "COMMAND GETKEYS BITFIELD_RO k GET u8 0",
    "MULTI",
    "SETBIT m 3 1",
    "BITFIELD m INCRBY u4 0 1",
    "BITOP NOT m2 m",
    "BITCOUNT m2",
    "EXEC",
    "GET m",
    "TYPE m",
    "SETBIT long 400 1",
    "OBJECT ENCODING long",
    "STRLEN long",
    harness.T("MEMORY USAGE long"),
    harness.T("MEMORY USAGE m"),
]


def random_ranges(seed, n=300):
    """Random strings and random BITCOUNT/BITPOS/BITFIELD calls."""
    rng = random.Random(seed)
    out = []
    for _ in range(n // 10):
        length = rng.randint(0, 12)
        pool = [0x00, 0xff, 0x80, 0x01, 0x0f, 0xf0]
        data = bytes(rng.choice(pool) if rng.random() < 0.5 else rng.randint(0, 255)
                     for _ in range(length))
        out.append(["SET", "r", data])
        for _ in range(10):
            kind = rng.randint(0, 4)
            bits = length * 8
            a = rng.randint(-bits - 10, bits + 10)
            b = rng.randint(-bits - 10, bits + 10)
            unit = rng.choice(["BIT", "BYTE", None])
            if kind == 0:
                out.append(["BITCOUNT", "r", str(a), str(b)] + ([unit] if unit else []))
            elif kind == 1:
                out.append(["BITPOS", "r", str(rng.randint(0, 1)), str(a), str(b)]
                           + ([unit] if unit else []))
            elif kind == 2:
                out.append(["BITPOS", "r", str(rng.randint(0, 1)), str(a)])
            elif kind == 3:
                t = rng.choice(["i", "u"]) + str(rng.randint(1, 63))
                out.append(["BITFIELD_RO", "r", "GET", t, str(rng.randint(0, bits + 8))])
            else:
                t = rng.choice(["i", "u"]) + str(rng.randint(1, 63))
                mode = rng.choice(["WRAP", "SAT", "FAIL"])
                v = rng.choice([0, 1, -1, 2 ** 62, -(2 ** 63), 2 ** 63 - 1,
                                rng.randint(-1000, 1000)])
                off = "#%d" % rng.randint(0, 3) if rng.random() < 0.3 else str(
                    rng.randint(0, bits + 8))
                out.append(["BITFIELD", "r", "OVERFLOW", mode,
                            rng.choice(["SET", "INCRBY"]), t, off, str(v), "GET", t, off])
                out.append(["GET", "r"])
    return out


def random_bitops(seed, n=30):
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        keys = []
        for k in ("x", "y", "z"):
            if rng.random() < 0.2:
                out.append(["DEL", k])
            else:
                out.append(["SET", k, bytes(rng.randint(0, 255)
                                            for _ in range(rng.randint(0, 6)))])
            keys.append(k)
        op = rng.choice(["AND", "OR", "XOR", "NOT"])
        srcs = keys[:1] if op == "NOT" else keys[:rng.randint(1, 3)]
        out.append(["BITOP", op, "dest"] + srcs)
        out.append(["GET", "dest"])
        out.append(["SETBIT", "dest", str(rng.randint(0, 60)), str(rng.randint(0, 1))])
        out.append(["GET", "dest"])
    return out


class BitmapsDifferentialTest(harness.DiffTestCase):

    def test_setbit_getbit(self):
        self.assertSame(SETBIT_GETBIT)

    def test_bitcount(self):
        self.assertSame(BITCOUNT)

    def test_bitpos(self):
        self.assertSame(BITPOS)

    def test_bitop(self):
        self.assertSame(BITOP)

    def test_bitfield(self):
        self.assertSame(BITFIELD)

    def test_bitfield_resp3(self):
        self.assertSame(["BITFIELD k OVERFLOW FAIL INCRBY u2 0 9 INCRBY u2 0 1",
                         "BITFIELD_RO k GET u2 0"], protocol=3)

    def test_misc(self):
        self.assertSame(MISC)

    def test_watch_sees_only_real_changes(self):
        # A bitmap write that leaves the string as it was (an unchanged bit, a field rewritten with
        # its value, writes all refused by OVERFLOW FAIL) does not abort a WATCH; one that changes
        # it does, as in Redis.
        self.need_reference()
        cases = ["SETBIT k 0 0", "SETBIT k 0 1", "SETBIT k 100 0",
                 "BITFIELD k OVERFLOW FAIL INCRBY u2 0 9", "BITFIELD k SET u8 0 0",
                 "BITFIELD k INCRBY u8 0 1 INCRBY u8 0 -1", "BITFIELD k SET u8 0 1",
                 "BITFIELD k GET u8 0", "BITFIELD_RO k GET u8 0", "BITOP AND k k",
                 "BITOP AND gone missing", "BITOP OR other k"]
        outcomes = {}
        for srv in (self.server, self.reference):
            got = []
            for case in cases:
                with srv.conn() as a, srv.conn() as b:
                    a.call("FLUSHALL")
                    a.call("SET", "k", "\x00")
                    a.call("WATCH", "k", "gone")
                    a.call("MULTI")
                    a.call("PING")
                    b.call(*case.split())
                    got.append((case, a.call("EXEC")[0]))
            outcomes[srv] = got
        self.assertEqual(outcomes[self.server], outcomes[self.reference])

    def test_encoding_of_short_bitmaps(self):
        # Every string is one LWW register here, so OBJECT ENCODING follows the bytes: a short
        # string built by SETBIT is "embstr" where Redis says "raw" (docs/commands.md).
        with self.server.conn() as c:
            self.assertEqual(c.call("SETBIT", "e", "3", "1"), ("int", 0))
            self.assertEqual(c.call("OBJECT", "ENCODING", "e"), ("bulk", b"embstr"))
            self.assertEqual(c.call("BITFIELD", "i", "SET", "u8", "0", "49"),
                             ("array", [("int", 0)]))
            self.assertEqual(c.call("OBJECT", "ENCODING", "i"), ("bulk", b"int"))
            self.assertEqual(c.call("MEMORY", "USAGE", "e")[0], "int")

    def test_random_ranges(self):
        self.assertSame(random_ranges(11, 600))

    def test_random_bitops(self):
        self.assertSame(random_bitops(5, 40))


if __name__ == "__main__":
    harness.main()
