"""Ten thousand idle connections: the server accepts them all, keeps answering, and a sample of
the idle clients still gets replies. Skipped if this process may not open that many sockets."""

import os
import resource
import socket
import sys
import time
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

IDLE = 10000


class ManyClientsTest(unittest.TestCase):
    def test_ten_thousand_idle_connections(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        want = IDLE + 200
        if hard != resource.RLIM_INFINITY and hard < want:
            self.skipTest("RLIMIT_NOFILE hard limit %d < %d" % (hard, want))
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
        srv = harness.start_server()
        socks = []
        try:
            for _ in range(IDLE):
                socks.append(socket.create_connection(("127.0.0.1", srv.port), timeout=10))
            r = srv.client()
            deadline = time.monotonic() + 10
            while True:
                clients = int(r.info("clients")["connected_clients"])
                if clients >= IDLE + 1 or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            self.assertEqual(clients, IDLE + 1)
            self.assertTrue(r.set("k", "v"))
            for s in socks[::100]:
                s.sendall(b"GET k\r\n")
            for s in socks[::100]:
                data, _ = harness.read_until(s, expect=len(b"$1\r\nv\r\n"))
                self.assertEqual(data, b"$1\r\nv\r\n")
        finally:
            for s in socks:
                s.close()
        deadline = time.monotonic() + 10
        while int(r.info("clients")["connected_clients"]) != 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(int(r.info("clients")["connected_clients"]), 1)
        srv.stop()


if __name__ == "__main__":
    harness.main()
