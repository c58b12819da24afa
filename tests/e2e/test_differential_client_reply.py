"""Differential test: CLIENT REPLY ON/OFF/SKIP and CLIENT NO-EVICT vs
redis-server, compared on the raw bytes the connection receives (a dropped
reply must leave nothing at all on the wire)."""

import os
import sys
import time

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

SCRIPTS = [
    [["SET", "a", "1"], ["CLIENT", "REPLY", "OFF"], ["SET", "a", "2"],
     ["GET", "a"], ["BOGUS"], ["CLIENT", "REPLY", "ON"], ["GET", "a"]],
    [["CLIENT", "REPLY", "SKIP"], ["GET", "a"], ["GET", "a"], ["PING"]],
    [["CLIENT", "REPLY", "SKIP"], ["CLIENT", "REPLY", "SKIP"], ["PING"],
     ["PING"], ["PING"]],
    [["CLIENT", "REPLY", "OFF"], ["CLIENT", "REPLY", "SKIP"], ["PING"],
     ["CLIENT", "REPLY", "ON"], ["PING"]],
    [["CLIENT", "REPLY", "SKIP"], ["CLIENT", "REPLY", "ON"], ["PING"]],
    [["CLIENT", "REPLY", "OFF"], ["RESET"], ["PING"]],
    [["CLIENT", "REPLY", "FOO"], ["CLIENT", "REPLY"], ["CLIENT", "REPLY", "ON", "x"],
     ["CLIENT", "NO-EVICT", "on"], ["CLIENT", "NO-EVICT", "OFF"],
     ["CLIENT", "NO-EVICT", "x"], ["CLIENT", "NO-EVICT"]],
    [["MULTI"], ["SET", "a", "3"], ["EXEC"], ["CLIENT", "REPLY", "OFF"],
     ["MULTI"], ["INCR", "a"], ["EXEC"], ["CLIENT", "REPLY", "ON"], ["GET", "a"]],
]


def run(server, script):
    with socket_conn(server) as s:
        s.sendall(b"".join(harness.encode(c) for c in script))
        time.sleep(0.05)
        data, _ = harness.read_until(s, read_timeout=0.15)
        return data


def socket_conn(server):
    import socket
    return socket.create_connection(("127.0.0.1", server.port), timeout=5)


class ClientReplyDifferentialTest(harness.DiffTestCase):

    def test_client_reply(self):
        self.need_reference()
        for script in SCRIPTS:
            got = run(self.server, script)
            want = run(self.reference, script)
            self.assertEqual(got, want, "script %r" % (script,))
            self.assertNotEqual(want, b"")


if __name__ == "__main__":
    harness.main()
