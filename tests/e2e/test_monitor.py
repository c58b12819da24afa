"""MONITOR against a real redis-server and cordis-server: the same commands from another client
stream the same lines (timestamps and client ports aside), admin commands stay hidden, quoting
follows Redis's sdscatrepr, and MONITOR inside MULTI is refused."""

import os
import re
import sys
import time
import unittest

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import RespConn  # noqa: E402

COMMANDS = [
    ["SET", "k", 'a b"\x01\\\n'], ["SELECT", "3"], ["GET", "k"], ["MULTI"], ["INCR", "x"],
    ["EXEC"], ["CONFIG", "GET", "hz"], ["PING"], ["BLPOP", "nope", "0.01"], ["DEL", "k"],
    ["HSET", "h", "f", "\t\r"], ["WRONGCMD", "x"], ["GET"],
]


def stream(port):
    with RespConn(port) as mon, RespConn(port) as w:
        assert mon.call("MONITOR") == ("simple", b"OK")
        for c in COMMANDS:
            w.call(*c)
        time.sleep(0.2)
        w.call("PING")  # the last line: read up to it
        lines = []
        while True:
            kind, text = mon.read_reply()
            assert kind == "simple", kind
            line = re.sub(rb"^\d+\.\d{6} \[(\d+) 127\.0\.0\.1:\d+\]", rb"T [\1 addr]", text)
            lines.append(line)
            if line.endswith(b'"PING"') and len(lines) > len(COMMANDS) - 5:
                return lines


class MonitorTest(unittest.TestCase):

    def test_same_stream_as_redis(self):
        cordis = harness.start_server()
        redis = harness.start_reference()
        self.assertEqual(stream(cordis.port), stream(redis.port))

    def test_monitor_inside_multi_is_refused(self):
        cordis = harness.start_server()
        with RespConn(cordis.port) as c:
            self.assertEqual(c.pipeline([["MULTI"], ["MONITOR"], ["EXEC"]])[2],
                             ("array", [("error", b"ERR MONITOR isn't allowed for DENY BLOCKING "
                                                  b"client")]))


if __name__ == "__main__":
    harness.main()
