"""Blocking commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP, WAIT) against a real redis-server and
cordis-server: the same multi-client scripts, replies compared byte for byte. Covers first-come
first-served wake-ups, timeouts (fractional and 0 = forever), MULTI (never blocks), wrong types,
clients that disconnect while blocked, RESP3 replies, and many concurrent consumers."""

import os
import sys
import threading
import time
import unittest

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import RespConn  # noqa: E402

SETTLE = 0.15  # time for a command sent on one connection to reach the server


def run_script(port, script):
    """Runs [(client, command or None, read?)] over several connections and returns the
    transcript of every reply read. A step with read=False sends without waiting (the client
    blocks); ("sleep", seconds) pauses; ("read", client) reads one pending reply;
    ("close", client) disconnects."""
    conns = {}
    transcript = []

    def conn(name):
        if name not in conns:
            conns[name] = RespConn(port, timeout=5.0)
        return conns[name]

    for step in script:
        kind = step[0]
        if kind == "sleep":
            time.sleep(step[1])
        elif kind == "read":
            transcript.append((step[1], "<-", conn(step[1]).read_reply()))
        elif kind == "close":
            conns.pop(step[1]).close()
            time.sleep(SETTLE)
        elif kind == "send":  # no reply expected yet: the client blocks
            conn(step[1]).send_raw(harness.encode(step[2].split()))
            time.sleep(SETTLE)
        else:  # ("call", client, command)
            transcript.append((step[1], step[2], conn(step[1]).call(*step[2].split())))
    for c in conns.values():
        c.close()
    return transcript


FIFO = [
    ("send", "a", "BLPOP q1 q2 0"),
    ("send", "b", "BLPOP q2 0"),
    ("send", "c", "BRPOP q2 0.4"),
    ("call", "w", "RPUSH q2 x y"),
    ("read", "a"), ("read", "b"),
    ("call", "w", "LLEN q2"),
    ("read", "c"),  # times out: null array
    ("call", "w", "RPUSH q1 z"),
    ("call", "a", "BLPOP q0 q1 0"),  # data on the second key: no blocking
    ("call", "a", "BRPOP q1 0.1"),
]

DISCONNECT = [
    ("send", "d", "BLPOP dq 0"),
    ("send", "e", "BLPOP dq 0"),
    ("close", "d"),
    ("call", "w", "RPUSH dq 1 2"),
    ("read", "e"),
    ("call", "w", "LRANGE dq 0 -1"),
    ("call", "w", "INFO clients"),
]

MULTI_AND_TYPES = [
    ("call", "a", "MULTI"), ("call", "a", "BLPOP nothing 0"),
    ("call", "a", "BZPOPMIN nothing 0"), ("call", "a", "BRPOP nothing 1"),
    ("call", "a", "EXEC"),
    ("call", "w", "SET s v"),
    ("call", "a", "BLPOP s 0"), ("call", "a", "BZPOPMAX s 0"),
    ("call", "a", "BLPOP empty s 0"),
    ("send", "b", "BLPOP t 0"),
    ("call", "w", "SET t v"),  # wrong type: b keeps waiting
    ("call", "w", "DEL t"), ("call", "w", "LPUSH t 1"),
    ("read", "b"),
    ("call", "a", "BLPOP q abc"), ("call", "a", "BLPOP q -1"), ("call", "a", "BLPOP q inf"),
    ("call", "a", "BLPOP q nan"), ("call", "a", "BLPOP q 1e30"), ("call", "a", "BLPOP q"),
    ("call", "a", "BZPOPMIN z x"),
    ("call", "a", "SET w 1"), ("call", "a", "WAIT 0 0"), ("call", "a", "WAIT 1 50"),
    ("call", "a", "WAIT -1 0"), ("call", "a", "WAIT x 0"), ("call", "a", "WAIT 1 -1"),
    ("call", "a", "WAIT 1 1.5"), ("call", "a", "WAIT 1"),
    ("call", "a", "MULTI"), ("call", "a", "WAIT 2 0"), ("call", "a", "EXEC"),
]

ZSETS = [
    ("send", "a", "BZPOPMIN z1 z2 0"),
    ("send", "b", "BZPOPMAX z2 0"),
    ("call", "w", "ZADD z2 1 one 2 two 3 three"),
    ("read", "a"), ("read", "b"),
    ("call", "w", "ZRANGE z2 0 -1 WITHSCORES"),
    ("call", "a", "BZPOPMIN z2 0"),
    ("call", "a", "BZPOPMIN z2 0.05"),
    ("call", "r3", "HELLO 3 SETNAME x"),
    ("call", "r3", "ZADD z3 1.5 m"),
    ("call", "r3", "BZPOPMAX z3 0"),
    ("call", "r3", "BZPOPMAX z3 0.05"),
    ("call", "r3", "BLPOP l3 0.05"),
]

MOVES = [
    ("send", "a", "BLMOVE src dst LEFT RIGHT 0"),
    ("send", "b", "BRPOPLPUSH src dst 0"),
    ("send", "c", "BLMPOP 0 2 none src RIGHT COUNT 5"),
    ("send", "d", "BZMPOP 0 2 z0 z1 MAX COUNT 2"),
    ("call", "w", "RPUSH src a b c d e"),
    ("read", "a"), ("read", "b"), ("read", "c"),
    ("call", "w", "LRANGE dst 0 -1"),
    ("call", "w", "ZADD z1 1 x 2 y 3 z"),
    ("read", "d"),
    ("call", "w", "ZRANGE z1 0 -1"),
    ("send", "e", "BLMOVE src src RIGHT LEFT 0.05"),
    ("read", "e"),
    ("call", "a", "BLMOVE a b UP RIGHT 0"), ("call", "a", "BLMPOP 0.01 0 a LEFT"),
    ("call", "a", "BLMPOP 0.01 1 a UP"), ("call", "a", "BZMPOP 0 1 z BAD"),
    ("call", "a", "BLMPOP 0.01 1 a LEFT COUNT 0"), ("call", "a", "BLMPOP 0 5 a LEFT"),
    ("call", "a", "MULTI"), ("call", "a", "BLMOVE q r LEFT LEFT 0"),
    ("call", "a", "BZMPOP 0 1 q MIN"), ("call", "a", "EXEC"),
]

PIPELINE = [
    # The served client's pipelined command runs after it; the writer's LPOP sees an empty list.
    ("send", "a", "BLPOP pq 0"),
    ("call", "w", "RPUSH pq x"),
    ("call", "w", "LPOP pq"),
    ("read", "a"),
]


def strip_info(transcript):
    """INFO differs between servers; keep only blocked_clients."""
    out = []
    for who, cmd, reply in transcript:
        if cmd.startswith("HELLO"):
            reply = "hello (connection ids differ)"
        if cmd == "INFO clients":
            text = reply[1].decode()
            reply = [l for l in text.split("\r\n") if l.startswith("blocked_clients")]
        out.append((who, cmd, reply))
    return out


class BlockingTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.cordis = harness.start_server()
        cls.redis = harness.start_reference()

    def assertSameScript(self, script):
        mine = strip_info(run_script(self.cordis.port, script))
        ref = strip_info(run_script(self.redis.port, script))
        for m, r in zip(mine, ref):
            self.assertEqual(m, r, "cordis %s vs redis %s" % (harness.fmt(m), harness.fmt(r)))
        self.assertEqual(len(mine), len(ref))

    def setUp(self):
        for srv in (self.cordis, self.redis):
            srv.client().flushall()

    def test_first_come_first_served_and_timeouts(self):
        self.assertSameScript(FIFO)

    def test_disconnect_while_blocked(self):
        self.assertSameScript(DISCONNECT)

    def test_multi_wrong_types_and_bad_timeouts(self):
        self.assertSameScript(MULTI_AND_TYPES)

    def test_sorted_sets_and_resp3(self):
        self.assertSameScript(ZSETS)

    def test_moves_and_multi_pops(self):
        self.assertSameScript(MOVES)

    def test_pipeline_after_block(self):
        with RespConn(self.cordis.port) as a, RespConn(self.cordis.port) as w:
            a.send_raw(harness.encode(["BLPOP", "pq", "0"]) + harness.encode(["ECHO", "next"]))
            time.sleep(SETTLE)
            self.assertEqual(w.call("RPUSH", "pq", "x"), ("int", 1))
            self.assertEqual(w.call("LPOP", "pq"), ("nullbulk", None))
            self.assertEqual(a.read_reply(), ("array", [("bulk", b"pq"), ("bulk", b"x")]))
            self.assertEqual(a.read_reply(), ("bulk", b"next"))

    def test_timeout_is_honoured(self):
        c = self.cordis.client()
        start = time.monotonic()
        self.assertIsNone(c.blpop(["never"], timeout=0.3))
        took = time.monotonic() - start
        self.assertGreaterEqual(took, 0.29)
        self.assertLess(took, 1.5)

    def test_many_concurrent_consumers_get_every_item_once(self):
        consumers, items = 8, 400
        got, errors = [], []
        lock = threading.Lock()

        def consume():
            c = self.cordis.client()
            try:
                while True:
                    r = c.brpop(["jobs"], timeout=2)
                    if r is None:
                        return
                    if r[1] == b"stop":
                        return
                    with lock:
                        got.append(r[1])
            except Exception as e:  # noqa: BLE001
                errors.append(e)

        threads = [threading.Thread(target=consume) for _ in range(consumers)]
        for t in threads:
            t.start()
        producer = self.cordis.client()
        for i in range(items):
            producer.lpush("jobs", b"job%d" % i)
        for _ in range(consumers):
            producer.lpush("jobs", b"stop")
        for t in threads:
            t.join(timeout=30)
        self.assertEqual(errors, [])
        self.assertEqual(sorted(got), sorted(b"job%d" % i for i in range(items)))
        self.assertEqual(producer.llen("jobs"), 0)


if __name__ == "__main__":
    harness.main()
