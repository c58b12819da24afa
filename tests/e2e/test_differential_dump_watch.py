"""Differential test: DUMP/RESTORE and WATCH/UNWATCH vs redis-server.

DUMP payloads are each server's own format, so every server restores its own
payloads and the replies around them are compared; damaged payloads must be
rejected by both with Redis's error. WATCH needs two clients per server: the
same two-client script runs on each and the replies are compared.
"""

import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

KEYS = [
    ("SET", "str", "hello"),
    ("SET", "num", "12345"),
    ("SET", "empty", ""),
    ("SET", "bin", b"\x00\xff\r\n"),
    ("RPUSH", "list", "a", "b", "c", "a"),
    ("SADD", "set", "x", "y", "z"),
    ("HSET", "hash", "f1", "v1", "f2", ""),
    ("ZADD", "zset", "1.5", "a", "-inf", "b", "inf", "c", "0", "d"),
    ("SET", "ttl", "v", "EX", "1000"),
]

READS = [
    ("GET", "{k}"), ("LRANGE", "{k}", "0", "-1"), ("SMEMBERS", "{k}"),
    ("HGETALL", "{k}"), ("ZRANGE", "{k}", "0", "-1", "WITHSCORES"),
]


def canonical(reply):
    """Sort array replies of unordered types so both servers compare."""
    kind, v = reply
    if kind == "array":
        return (kind, sorted(v, key=repr))
    return reply


def read_back(c, key):
    t = c.call("TYPE", key)[1].decode()
    cmd = {"string": READS[0], "list": READS[1], "set": READS[2],
           "hash": READS[3], "zset": READS[4]}.get(t)
    if cmd is None:
        return ("type", t)
    reply = c.call(*[a.format(k=key) for a in cmd])
    return (t, canonical(reply) if t in ("set", "hash") else reply)


def dump_script(c):
    out = []
    for cmd in KEYS:
        c.call(*cmd)
    for cmd in KEYS:
        key = cmd[1]
        payload = c.call("DUMP", key)
        out.append(("dump-kind", payload[0]))
        out.append(c.call("RESTORE", key, "0", payload[1]))
        out.append(c.call("RESTORE", key + "2", "0", payload[1]))
        out.append(read_back(c, key + "2"))
        out.append(c.call("TTL", key + "2"))
        out.append(c.call("RESTORE", key, "0", payload[1], "REPLACE"))
        out.append(read_back(c, key))
        out.append(c.call("RESTORE", key + "3", "100000", payload[1]))
        ttl = c.call("PTTL", key + "3")
        out.append(("pttl-close", ttl[0] == "int" and 99000 < ttl[1] <= 100000))
        out.append(c.call("RESTORE", key + "4", "1", payload[1], "ABSTTL"))
        out.append(c.call("EXISTS", key + "4"))
        out.append(c.call("RESTORE", key + "5", "99999999999999", payload[1],
                          "ABSTTL", "IDLETIME", "10"))
        out.append(c.call("PEXPIRETIME", key + "5"))
        out.append(c.call("RESTORE", key + "6", "0", payload[1], "FREQ", "5"))
        out.append(c.call("EXISTS", key + "6"))
        # Damaged payloads: a flipped byte anywhere, truncation, extra bytes.
        p = payload[1]
        for i in (0, 1, len(p) // 2, max(0, len(p) - 10), len(p) - 3, len(p) - 1):
            bad = bytearray(p)
            bad[i] ^= 0x41
            out.append(c.call("RESTORE", "bad", "0", bytes(bad)))
        out.append(c.call("RESTORE", "bad", "0", p[:-1]))
        out.append(c.call("RESTORE", "bad", "0", p + b"x"))
        out.append(c.call("RESTORE", "bad", "0", p[:5]))
        out.append(c.call("EXISTS", "bad"))
        # Option errors, checked in Redis's order.
        out.append(c.call("RESTORE", key, "0", p))
        out.append(c.call("RESTORE", "new", "-1", p))
        out.append(c.call("RESTORE", "new", "x", p))
        out.append(c.call("RESTORE", "new", "0", p, "IDLETIME", "-1"))
        out.append(c.call("RESTORE", "new", "0", p, "IDLETIME", "x"))
        out.append(c.call("RESTORE", "new", "0", p, "FREQ", "256"))
        out.append(c.call("RESTORE", "new", "0", p, "FREQ", "-1"))
        out.append(c.call("RESTORE", "new", "0", p, "IDLETIME", "1", "FREQ", "1"))
        out.append(c.call("RESTORE", "new", "0", p, "FREQ", "1", "IDLETIME", "1"))
        out.append(c.call("RESTORE", "new", "0", p, "BOGUS"))
        out.append(c.call("RESTORE", "new", "0", p, "IDLETIME"))
        out.append(c.call("EXISTS", "new"))
    out.append(c.call("DUMP", "missing"))
    out.append(c.call("RESTORE", "x", "0", ""))
    out.append(c.call("RESTORE", "x", "0", "garbage payload here"))
    out.append(c.call("DUMP"))
    out.append(c.call("RESTORE", "x", "0"))
    return out


# Two-client scripts: (client, command...). Client 0 watches, client 1 meddles.
WATCH_SCRIPTS = [
    [(0, "SET", "k", "1"), (0, "WATCH", "k"), (0, "MULTI"), (0, "INCR", "k"),
     (1, "SET", "k", "5"), (0, "EXEC"), (0, "GET", "k")],
    [(0, "SET", "k", "1"), (0, "WATCH", "k"), (1, "SET", "k", "1"),
     (0, "MULTI"), (0, "INCR", "k"), (0, "EXEC"), (0, "GET", "k")],
    [(0, "SET", "k", "1"), (0, "WATCH", "k"), (0, "MULTI"), (0, "INCR", "k"),
     (0, "EXEC"), (0, "GET", "k")],
    [(0, "WATCH", "k"), (1, "SET", "k", "1"), (0, "UNWATCH"), (0, "MULTI"),
     (0, "SET", "k", "2"), (0, "EXEC"), (0, "GET", "k")],
    [(0, "WATCH", "nokey"), (1, "SET", "nokey", "x"), (0, "MULTI"),
     (0, "PING"), (0, "EXEC")],
    [(0, "WATCH", "nokey"), (1, "DEL", "nokey"), (0, "MULTI"), (0, "PING"),
     (0, "EXEC")],
    [(0, "SET", "a", "1"), (0, "WATCH", "a", "b"), (1, "SET", "c", "1"),
     (0, "MULTI"), (0, "PING"), (0, "EXEC")],
    [(0, "SET", "a", "1"), (0, "WATCH", "a", "b"), (1, "RPUSH", "b", "1"),
     (0, "MULTI"), (0, "PING"), (0, "EXEC")],
    [(0, "RPUSH", "l", "1"), (0, "WATCH", "l"), (1, "LPOP", "l"),
     (0, "MULTI"), (0, "PING"), (0, "EXEC")],
    [(0, "SET", "k", "1"), (0, "WATCH", "k"), (0, "SET", "k", "2"),
     (0, "MULTI"), (0, "GET", "k"), (0, "EXEC")],
    [(0, "SET", "k", "1"), (0, "WATCH", "k"), (1, "GET", "k"),
     (1, "EXISTS", "k"), (0, "MULTI"), (0, "GET", "k"), (0, "EXEC")],
    [(0, "SET", "k", "1"), (0, "WATCH", "k"), (1, "EXPIRE", "k", "100"),
     (0, "MULTI"), (0, "GET", "k"), (0, "EXEC")],
    [(0, "SET", "k", "1"), (0, "WATCH", "k"), (1, "FLUSHALL"), (0, "MULTI"),
     (0, "GET", "k"), (0, "EXEC")],
    [(0, "SET", "k", "1"), (0, "WATCH", "k"), (1, "RENAME", "k", "j"),
     (0, "MULTI"), (0, "GET", "k"), (0, "EXEC")],
    [(0, "SET", "k", "1"), (0, "WATCH", "k"), (1, "SELECT", "1"),
     (1, "SET", "k", "2"), (0, "MULTI"), (0, "GET", "k"), (0, "EXEC")],
    [(0, "SET", "k", "1"), (0, "SELECT", "1"), (0, "WATCH", "k"),
     (1, "SWAPDB", "0", "1"), (0, "MULTI"), (0, "GET", "k"), (0, "EXEC")],
    [(0, "SET", "k", "1"), (0, "WATCH", "k"), (1, "COPY", "k", "k2"),
     (0, "MULTI"), (0, "GET", "k"), (0, "EXEC")],
    [(0, "SET", "k", "1"), (0, "WATCH", "k"), (1, "SET", "k", "2"),
     (0, "MULTI"), (0, "GET", "k"), (0, "DISCARD"), (0, "MULTI"),
     (0, "GET", "k"), (0, "EXEC")],
    [(0, "WATCH", "k"), (1, "SET", "k", "2"), (0, "MULTI"), (0, "GET", "k"),
     (0, "BOGUSCMD"), (0, "EXEC"), (0, "MULTI"), (0, "EXEC")],
    [(0, "MULTI"), (0, "WATCH", "k"), (0, "UNWATCH"), (0, "EXEC")],
    [(0, "WATCH"), (0, "UNWATCH", "x"), (0, "WATCH", "a", "a", "a"),
     (0, "UNWATCH"), (0, "UNWATCH")],
    [(0, "SET", "k", "1"), (0, "WATCH", "k"), (1, "SET", "k", "2"),
     (0, "RESET"), (0, "MULTI"), (0, "GET", "k"), (0, "EXEC")],
    [(0, "SET", "k", "v"), (0, "PEXPIRE", "k", "50"), (0, "WATCH", "k"),
     ("sleep", 0.15), (0, "MULTI"), (0, "PING"), (0, "EXEC")],
]


def run_watch(server, script):
    conns = [server.conn(), server.conn()]
    out = []
    try:
        for step in script:
            if step[0] == "sleep":
                import time
                time.sleep(step[1])
                continue
            reply = conns[step[0]].call(*step[1:])
            if step[1:] == ("RESET",):
                reply = ("simple", reply[1])
            out.append((step, reply))
    finally:
        for c in conns:
            c.close()
    return out


class DumpWatchDifferentialTest(harness.DiffTestCase):

    def test_dump_restore(self):
        self.need_reference()
        results = []
        for s in (self.server, self.reference):
            with s.conn() as c:
                results.append(dump_script(c))
        got, want = results
        self.assertEqual(len(got), len(want))
        diffs = ["#%d cordis %r / reference %r" % (i, g, w)
                 for i, (g, w) in enumerate(zip(got, want)) if g != w]
        self.assertEqual(diffs, [], "\n".join(diffs))
        self.assertGreater(len(got), 300)

    def test_watch(self):
        self.need_reference()
        for script in WATCH_SCRIPTS:
            for s in (self.server, self.reference):
                with s.conn() as c:
                    c.call("FLUSHALL")
            got = run_watch(self.server, script)
            want = run_watch(self.reference, script)
            self.assertEqual(got, want, "script %r" % (script,))


if __name__ == "__main__":
    harness.main()
