"""SHUTDOWN from a client stops the server cleanly (exit code 0), like `redis-cli shutdown`;
bad options are refused and the server keeps running."""

import os
import subprocess
import sys
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


class ShutdownTest(unittest.TestCase):
    def test_shutdown_command(self):
        srv = harness.start_server()
        out = harness.redis_cli(srv.port, "shutdown", "bogus")
        self.assertIn("syntax error", out)
        self.assertTrue(srv.client().ping())
        harness.redis_cli(srv.port, "shutdown")
        try:
            rc = srv.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.fail("server still running 5 s after SHUTDOWN")
        self.assertEqual(rc, 0)
        srv.stop()


if __name__ == "__main__":
    harness.main()
