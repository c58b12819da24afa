"""Drive the server with the real redis-cli and redis-benchmark binaries."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import encode, redis_cli  # noqa: E402


def lines(out):
    return out.split("\n")[:-1] if out.endswith("\n") else out.split("\n")


@unittest.skipUnless(os.path.exists(harness.REDIS_CLI), "redis-cli missing")
class RedisCliTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = harness.start_server()
        cls.port = cls.server.port
        cls.tmp = tempfile.mkdtemp(prefix="cordis-cli-")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.assertEqual(self.cli("FLUSHALL"), "OK\n")

    def cli(self, *args, stdin=None):
        return redis_cli(self.port, *args, stdin=stdin)

    def test_strings(self):
        self.assertEqual(self.cli("PING"), "PONG\n")
        self.assertEqual(self.cli("SET", "k", "hello world"), "OK\n")
        self.assertEqual(self.cli("GET", "k"), "hello world\n")
        self.assertEqual(self.cli("GET", "missing"), "\n")
        self.assertEqual(self.cli("INCR", "n"), "1\n")
        self.assertEqual(self.cli("INCRBY", "n", "41"), "42\n")
        self.assertEqual(self.cli("GET", "n"), "42\n")
        self.assertEqual(self.cli("--no-raw", "GET", "k"), '"hello world"\n')
        self.assertEqual(self.cli("--no-raw", "GET", "missing"), "(nil)\n")
        self.assertEqual(self.cli("--no-raw", "INCR", "n"), "(integer) 43\n")
        self.assertEqual(self.cli("INCR", "k").strip(),
                         "ERR value is not an integer or out of range")
        self.assertEqual(self.cli("DBSIZE"), "2\n")

    def test_lists(self):
        self.assertEqual(self.cli("LPUSH", "l", "a", "b", "c"), "3\n")
        self.assertEqual(self.cli("RPUSH", "l", "z"), "4\n")
        self.assertEqual(lines(self.cli("LRANGE", "l", "0", "-1")),
                         ["c", "b", "a", "z"])
        self.assertEqual(self.cli("--no-raw", "LRANGE", "l", "0", "1"),
                         '1) "c"\n2) "b"\n')
        self.assertEqual(self.cli("--no-raw", "LRANGE", "nope", "0", "1"),
                         "(empty array)\n")

    def test_hashes(self):
        self.assertEqual(self.cli("HSET", "h", "f1", "v1", "f2", "v2"), "2\n")
        out = lines(self.cli("HGETALL", "h"))
        self.assertEqual(len(out), 4)
        self.assertEqual(dict(zip(out[0::2], out[1::2])),
                         {"f1": "v1", "f2": "v2"})
        self.assertEqual(self.cli("HGET", "h", "f2"), "v2\n")

    def test_sorted_sets(self):
        self.assertEqual(self.cli("ZADD", "z", "1", "a", "2.5", "b", "-3", "c"),
                         "3\n")
        self.assertEqual(lines(self.cli("ZRANGE", "z", "0", "-1",
                                        "WITHSCORES")),
                         ["c", "-3", "a", "1", "b", "2.5"])
        self.assertEqual(self.cli("ZSCORE", "z", "b"), "2.5\n")

    def test_cli_stdin_x(self):
        path = os.path.join(self.tmp, "payload.bin")
        payload = bytes(range(256)) * 40 + b"\r\nend\n"
        with open(path, "wb") as f:
            f.write(payload)
        with open(path, "rb") as f:
            res = subprocess.run([harness.REDIS_CLI, "-p", str(self.port),
                                  "-x", "set", "fromfile"], stdin=f,
                                 stdout=subprocess.PIPE, timeout=30)
        self.assertEqual(res.stdout, b"OK\n")
        c = self.server.client()
        self.assertEqual(c.get("fromfile"), payload)
        self.assertEqual(c.strlen("fromfile"), len(payload))

    def test_cli_interactive_script_on_stdin(self):
        script = "SET a 1\nINCR a\nRPUSH l x y\nLLEN l\nGET a\n"
        self.assertEqual(self.cli(stdin=script), "OK\n2\n2\n2\n2\n")

    def _pipe(self, data):
        path = os.path.join(self.tmp, "pipe.txt")
        with open(path, "wb") as f:
            f.write(data)
        with open(path, "rb") as f:
            res = subprocess.run([harness.REDIS_CLI, "-p", str(self.port),
                                  "--pipe"], stdin=f, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, timeout=60)
        out = res.stdout.decode("utf-8", "replace")
        m = re.search(r"errors: (\d+), replies: (\d+)", out)
        self.assertIsNotNone(m, "no summary in redis-cli --pipe output:\n"
                             + out)
        return res.returncode, int(m.group(1)), int(m.group(2)), out

    def test_pipe_mass_insert(self):
        n = 4000
        parts = []
        for i in range(n):
            parts.append(encode(["SET", "key:%d" % i, "value:%d" % i]))
        for i in range(500):
            parts.append(encode(["RPUSH", "biglist", str(i)]))
            parts.append(encode(["HSET", "bighash", "f%d" % i, str(i)]))
            parts.append(encode(["ZADD", "bigz", str(i), "m%d" % i]))
            parts.append(encode(["INCR", "counter"]))
        rc, errors, replies, out = self._pipe(b"".join(parts))
        self.assertEqual(rc, 0, out)
        self.assertEqual(errors, 0, out)
        self.assertEqual(replies, n + 2000, out)
        c = self.server.client()
        self.assertEqual(c.dbsize(), n + 4)
        self.assertEqual(c.get("key:0"), b"value:0")
        self.assertEqual(c.get("key:3999"), b"value:3999")
        self.assertEqual(c.llen("biglist"), 500)
        self.assertEqual(c.lindex("biglist", -1), b"499")
        self.assertEqual(c.hlen("bighash"), 500)
        self.assertEqual(c.zcard("bigz"), 500)
        self.assertEqual(c.get("counter"), b"500")

    def test_pipe_counts_errors(self):
        parts = [encode(["SET", "s", "notanumber"])]
        parts += [encode(["INCR", "s"])] * 3          # 3 errors
        parts += [encode(["SET", "k%d" % i, "v"]) for i in range(100)]
        parts.append(encode(["LPUSH", "s", "x"]))     # WRONGTYPE
        parts.append(b"GET k1\r\n")                   # inline works too
        rc, errors, replies, out = self._pipe(b"".join(parts))
        self.assertEqual(errors, 4, out)
        self.assertEqual(replies, 106, out)
        self.assertEqual(self.server.client().dbsize(), 101)

    @unittest.skipUnless(os.path.exists(harness.REDIS_BENCHMARK),
                         "redis-benchmark missing")
    def test_redis_benchmark(self):
        n = 20000
        tests = "set,get,incr,lpush,rpop,sadd,hset,zadd,lrange_100,mset,ping"
        res = subprocess.run(
            [harness.REDIS_BENCHMARK, "-h", "127.0.0.1", "-p", str(self.port),
             "-q", "-n", str(n), "-P", "16", "-t", tests],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
        out = res.stdout.decode("utf-8", "replace")
        self.assertEqual(res.returncode, 0, out)
        self.assertNotIn("Error from server", out)
        self.assertNotIn("ERR", out)
        # -q prints one "NAME: N requests per second" line per test
        for name in ("PING_INLINE", "PING_MBULK", "SET", "GET", "INCR",
                     "LPUSH", "RPOP", "SADD", "HSET", "ZADD",
                     "LPUSH (needed to benchmark LRANGE)",
                     "LRANGE_100 (first 100 elements)", "MSET (10 keys)"):
            self.assertRegex(out, r"(^|[\r\n ])%s: [0-9.]+ requests per second"
                             % re.escape(name))
        c = self.server.client()
        self.assertTrue(c.ping())
        # every INCR landed on the same key, exactly once
        self.assertEqual(c.get("counter:__rand_int__"), str(n).encode())
        # LPUSH n, RPOP n, LPUSH n (for LRANGE)
        self.assertEqual(c.llen("mylist"), n)
        self.assertEqual(c.strlen("key:__rand_int__"), 3)
        self.assertEqual(c.scard("myset"), 1)
        self.assertEqual(c.hlen("myhash"), 1)
        self.assertEqual(c.zcard("myzset"), 1)
        self.assertEqual(c.type("mylist"), b"list")
        self.assertEqual(redis_cli(self.port, "PING"), "PONG\n")


if __name__ == "__main__":
    harness.main()
