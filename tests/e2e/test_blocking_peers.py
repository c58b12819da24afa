"""Blocking commands woken by a write on another replica: two real cordis-server processes
peered over TCP; a client blocked in BLPOP/BZPOPMIN/BLMOVE on one node gets the element another
client pushed on the other node, and WAIT counts the peer that acknowledged a write."""

import os
import shutil
import sys
import threading
import time
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from test_replication import Node  # noqa: E402


class BlockingAcrossPeersTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        import tempfile
        cls.root = tempfile.mkdtemp(prefix="cordis-block-")
        cls.a = Node(1, cls.root, extra=["--appendonly", "no"])
        cls.b = Node(2, cls.root, extra=["--appendonly", "no"])
        cls.a.start(peers=[])
        cls.b.start(peers=[cls.a.addr()])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if (cls.a.info().get("connected_peers") == 1 and
                    cls.b.info().get("connected_peers") == 1):
                break
            time.sleep(0.05)
        else:
            raise RuntimeError("the two nodes did not connect")

    @classmethod
    def tearDownClass(cls):
        for n in (cls.a, cls.b):
            n.stop()
        shutil.rmtree(cls.root, ignore_errors=True)

    def blocked_call(self, node, *cmd):
        out = {}

        def run():
            out["reply"] = node.client(timeout=30).execute_command(*cmd)
            out["at"] = time.monotonic()
        t = threading.Thread(target=run)
        t.start()
        time.sleep(0.3)  # let it block
        self.assertTrue(t.is_alive(), "%s returned at once: %r" % (cmd, out))
        return t, out

    def test_blpop_woken_by_a_push_on_the_peer(self):
        t, out = self.blocked_call(self.a, "BLPOP", "q1", "0")
        pushed = time.monotonic()
        self.b.client().rpush("q1", "from-b")
        t.join(20)
        self.assertFalse(t.is_alive())
        self.assertEqual(list(out["reply"]), ["q1", "from-b"])
        self.assertLess(out["at"] - pushed, 5.0)
        # The pop replicated back: the list is empty on both.
        deadline = time.monotonic() + 10
        while self.b.client().llen("q1") != 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        self.assertEqual(self.b.client().llen("q1"), 0)

    def test_bzpopmin_and_blmove_woken_from_the_peer(self):
        t, out = self.blocked_call(self.b, "BZPOPMIN", "z1", "0")
        self.a.client().zadd("z1", {"m": 1.5})
        t.join(20)
        self.assertEqual(list(out["reply"]), ["z1", "m", 1.5])
        t, out = self.blocked_call(self.a, "BLMOVE", "src1", "dst1", "LEFT", "RIGHT", "0")
        self.b.client().rpush("src1", "x")
        t.join(20)
        self.assertEqual(out["reply"], "x")
        self.assertEqual(self.a.client().lrange("dst1", 0, -1), ["x"])

    def test_wait_counts_the_peer(self):
        c = self.a.client()
        c.set("w", "1")
        self.assertEqual(c.execute_command("WAIT", "1", "5000"), 1)
        self.assertEqual(c.execute_command("WAIT", "2", "100"), 1)  # there is only one peer


if __name__ == "__main__":
    harness.main()
