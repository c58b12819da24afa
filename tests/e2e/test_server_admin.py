"""SLOWLOG, LATENCY, DEBUG SLEEP, CLIENT PAUSE/UNPAUSE and CLIENT KILL against a real redis-server
and cordis-server: the same replies for the same script (ids, times and ports aside), slow
commands logged, paused writers held until the pause ends, killed clients disconnected."""

import os
import re
import socket
import sys
import threading
import time
import unittest

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import RespConn  # noqa: E402

DEBUG = ["--enable-debug-command", "yes"]

SCRIPT = [
    ["SLOWLOG", "HELP"], ["SLOWLOG", "LEN"], ["SLOWLOG", "GET", "1", "2"], ["SLOWLOG", "FOO"],
    ["SLOWLOG", "GET", "-2"], ["SLOWLOG", "GET", "x"], ["SLOWLOG", "RESET"], ["SLOWLOG"],
    ["SLOWLOG", "LEN", "x"], ["SLOWLOG", "reset", "x"], ["SLOWLOG", "HELP", "x"],
    ["slowlog", "Get", "1", "2", "3"],
    ["LATENCY", "LATEST"], ["LATENCY", "HISTORY", "command"],
    ["LATENCY", "HISTORY"], ["LATENCY", "RESET"], ["LATENCY", "RESET", "a", "b"],
    ["LATENCY", "DOCTOR"], ["LATENCY", "GRAPH", "command"], ["LATENCY", "NOPE"],
    ["CONFIG", "GET", "slowlog-max-len"], ["CONFIG", "GET", "slowlog-log-slower-than"], ["CONFIG", "GET", "latency-monitor-threshold"],
    ["CONFIG", "SET", "slowlog-log-slower-than", "-2"], ["CONFIG", "SET", "slowlog-max-len", "x"],
    ["DEBUG", "SLEEP"], ["DEBUG", "SLEEP", "x"], ["DEBUG", "SLEEP", "-1"], ["DEBUG", "SLEEP", "0"],
    ["CLIENT", "KILL", "1.2.3.4:5"], ["CLIENT", "KILL", "ID", "0"], ["CLIENT", "KILL", "ID", "x"],
    ["CLIENT", "KILL", "ID", "99999"], ["CLIENT", "KILL", "TYPE", "foo"],
    ["CLIENT", "KILL", "TYPE", "master"], ["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "maybe"],
    ["CLIENT", "KILL", "ADDR", "1.2.3.4:5"], ["CLIENT", "KILL", "LADDR", "1.2.3.4:5"],
    ["CLIENT", "KILL", "USER", "nobody"], ["CLIENT", "KILL", "USER", "default", "SKIPME", "yes"],
    ["CLIENT", "KILL", "MAXAGE", "100"], ["CLIENT", "KILL", "ID"], ["CLIENT", "KILL", "a", "b", "c"],
    ["CLIENT", "PAUSE"], ["CLIENT", "PAUSE", "x"], ["CLIENT", "PAUSE", "-1"],
    ["CLIENT", "PAUSE", "10", "foo"], ["CLIENT", "PAUSE", "0", "WRITE"], ["CLIENT", "UNPAUSE"],
    ["CLIENT", "UNPAUSE", "x"], ["SET", "after", "pause"], ["GET", "after"],
    # Everything is logged from here on: the log's shape must match.
    ["CONFIG", "SET", "slowlog-log-slower-than", "0"], ["CLIENT", "SETNAME", "me"],
    ["SET", "k", "x" * 200], ["RPUSH", "l"] + [str(i) for i in range(40)],
    ["SLOWLOG", "GET", "3"], ["SLOWLOG", "LEN"], ["SLOWLOG", "RESET"], ["SLOWLOG", "LEN"],
    ["CONFIG", "SET", "slowlog-max-len", "2"], ["PING"], ["PING"], ["PING"], ["SLOWLOG", "LEN"],
    ["CONFIG", "SET", "slowlog-log-slower-than", "-1"], ["SLOWLOG", "RESET"], ["PING"],
    ["SLOWLOG", "LEN"],
]


def normalize(reply):
    """Entries of SLOWLOG GET carry an id, a time, a duration and a port that differ by nature."""
    kind, value = reply
    if kind == "array" and value and all(k == "array" and len(v) == 6 for k, v in value):
        out = []
        for _, e in value:
            args = e[3]
            addr = re.sub(rb":\d+$", b":PORT", e[4][1])
            out.append(("array", [("int", 0), ("int", 0), ("int", 0), args,
                                  ("bulk", addr), e[5]]))
        return ("array", out)
    return reply


def run_script(port):
    with RespConn(port) as c:
        return [normalize(c.call(*cmd)) for cmd in SCRIPT]


def wait_closed(sock, timeout=3.0):
    sock.settimeout(timeout)
    try:
        while True:
            data = sock.recv(4096)
            if not data:
                return True
    except (ConnectionResetError, socket.timeout):
        return False


class ServerAdminTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.cordis = harness.start_server(extra_args=DEBUG)
        cls.redis = harness.start_reference()

    def test_same_replies_as_redis(self):
        # The reference was started without the debug flag by harness; use a fresh one with it.
        redis = harness.start_server(harness.REFERENCE_SERVER, extra_args=DEBUG)
        cordis = harness.start_server(extra_args=DEBUG)
        ours, theirs = run_script(cordis.port), run_script(redis.port)
        for cmd, a, b in zip(SCRIPT, ours, theirs):
            self.assertEqual(a, b, "%s: cordis %s, redis %s" % (cmd, harness.fmt(a),
                                                               harness.fmt(b)))

    def test_slow_command_is_logged_and_latency_sampled(self):
        for srv in (self.cordis, harness.start_server(harness.REFERENCE_SERVER, extra_args=DEBUG)):
            with RespConn(srv.port) as c:
                c.call("SLOWLOG", "RESET")
                c.call("LATENCY", "RESET")
                c.call("CONFIG", "SET", "latency-monitor-threshold", "10")
                self.assertEqual(c.call("DEBUG", "SLEEP", "0.05"), ("simple", b"OK"))
                kind, entries = c.call("SLOWLOG", "GET", "1")
                self.assertEqual(len(entries), 1, srv)
                e = entries[0][1]
                self.assertEqual([a[1] for a in e[3][1]], [b"DEBUG", b"SLEEP", b"0.05"])
                self.assertGreaterEqual(e[2][1], 50000)
                kind, latest = c.call("LATENCY", "LATEST")
                self.assertEqual(latest[0][1][0], ("bulk", b"command"))
                self.assertGreaterEqual(latest[0][1][2][1], 50)
                c.call("CONFIG", "SET", "latency-monitor-threshold", "0")

    def timed(self, port, *cmd):
        with RespConn(port) as c:
            start = time.monotonic()
            reply = c.call(*cmd)
            return reply, time.monotonic() - start

    def test_pause_write_holds_writers_not_readers(self):
        for srv in (self.cordis, self.redis):
            with RespConn(srv.port) as admin:
                self.assertEqual(admin.call("CLIENT", "PAUSE", "400", "WRITE"), ("simple", b"OK"))
                reply, took = self.timed(srv.port, "GET", "nope")
                self.assertLess(took, 0.2, srv)
                reply, took = self.timed(srv.port, "SET", "paused", "1")
                self.assertEqual(reply, ("simple", b"OK"))
                self.assertGreater(took, 0.25, srv)

    def test_pause_all_holds_everyone(self):
        for srv in (self.cordis, self.redis):
            with RespConn(srv.port) as admin:
                admin.call("CLIENT", "PAUSE", "300", "ALL")
                reply, took = self.timed(srv.port, "PING")
                self.assertEqual(reply, ("simple", b"PONG"))
                self.assertGreater(took, 0.2, srv)

    def test_unpause_releases_held_writers_in_order(self):
        for srv in (self.cordis, self.redis):
            with RespConn(srv.port) as admin, RespConn(srv.port) as w:
                admin.call("DEL", "order")
                admin.call("CLIENT", "PAUSE", "10000", "WRITE")
                w.send_raw(harness.encode(["RPUSH", "order", "a"]) +
                           harness.encode(["RPUSH", "order", "b"]) + harness.encode(["PING"]))
                time.sleep(0.2)
                self.assertEqual(admin.call("LRANGE", "order", "0", "-1"), ("array", []))
                start = time.monotonic()
                self.assertEqual(admin.call("CLIENT", "UNPAUSE"), ("simple", b"OK"))
                self.assertEqual([w.read_reply() for _ in range(3)],
                                 [("int", 1), ("int", 2), ("simple", b"PONG")])
                self.assertLess(time.monotonic() - start, 1.0)

    def test_kill_disconnects_the_client(self):
        for srv in (self.cordis, self.redis):
            with RespConn(srv.port) as admin:
                victim = socket.create_connection(("127.0.0.1", srv.port))
                victim.sendall(harness.encode(["CLIENT", "ID"]))
                victim_id = int(victim.recv(100)[1:].strip())
                self.assertEqual(admin.call("CLIENT", "KILL", "ID", str(victim_id)), ("int", 1))
                self.assertTrue(wait_closed(victim), srv)
                victim.close()
                # The old form, by address; and SKIPME no kills the caller after its reply.
                victim = socket.create_connection(("127.0.0.1", srv.port))
                addr = "127.0.0.1:%d" % victim.getsockname()[1]
                time.sleep(0.05)
                self.assertEqual(admin.call("CLIENT", "KILL", addr), ("simple", b"OK"))
                self.assertTrue(wait_closed(victim), srv)
                victim.close()
            with RespConn(srv.port) as me:
                my_id = me.call("CLIENT", "ID")[1]
                self.assertEqual(me.call("CLIENT", "KILL", "ID", str(my_id), "SKIPME", "no"),
                                 ("int", 1))
                self.assertTrue(wait_closed(me.sock), srv)

    def test_killing_a_blocked_client(self):
        with RespConn(self.cordis.port) as admin:
            blocked = socket.create_connection(("127.0.0.1", self.cordis.port))
            blocked.sendall(harness.encode(["CLIENT", "ID"]))
            bid = int(blocked.recv(100)[1:].strip())
            blocked.sendall(harness.encode(["BLPOP", "never", "0"]))
            time.sleep(0.1)
            self.assertEqual(admin.call("CLIENT", "KILL", "ID", str(bid)), ("int", 1))
            self.assertTrue(wait_closed(blocked))
            blocked.close()
            self.assertEqual(admin.call("RPUSH", "never", "x"), ("int", 1))
            self.assertEqual(admin.call("LLEN", "never"), ("int", 1))


if __name__ == "__main__":
    harness.main()
