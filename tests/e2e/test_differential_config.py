"""Differential test: CONFIG GET/SET/REWRITE for Redis's encoding-threshold
parameters (with their ziplist aliases) and maxmemory-policy, OBJECT FREQ /
IDLETIME under the eviction policy, and MEMORY USAGE/HELP errors vs
redis-server. CONFIG GET with patterns is compared as (name, value) pairs,
since Redis lists them in hash order."""

import os
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import P  # noqa: E402

PARAMS = ["list-max-listpack-size", "list-max-ziplist-size", "list-compress-depth",
          "set-max-intset-entries", "zset-max-listpack-entries",
          "zset-max-ziplist-entries", "zset-max-listpack-value",
          "zset-max-ziplist-value", "hash-max-listpack-entries",
          "hash-max-ziplist-entries", "hash-max-listpack-value",
          "hash-max-ziplist-value", "stream-node-max-bytes",
          "stream-node-max-entries", "maxmemory-policy"]

CONFIG = [P("CONFIG GET " + p) for p in PARAMS] + [
    P("CONFIG GET *max-*-entries*"),
    P("CONFIG GET *listpack* *ziplist*"),
    P("CONFIG GET ZSET-MAX-LISTPACK-ENTRIES"),
    "CONFIG SET zset-max-listpack-entries 64",
    P("CONFIG GET zset-max-*-entries"),
    "CONFIG SET zset-max-ziplist-entries 32",
    P("CONFIG GET zset-max-listpack-entries"),
    "CONFIG SET hash-max-ziplist-value 7 hash-max-listpack-entries 9",
    P("CONFIG GET hash-*"),
    "CONFIG SET list-max-listpack-size 0",
    "CONFIG SET list-max-listpack-size -6",
    P("CONFIG GET list-max-*"),
    "CONFIG SET set-max-intset-entries 1000",
    P("CONFIG GET set-max-intset-entries"),
    "CONFIG SET zset-max-listpack-entries abc",
    "CONFIG SET zset-max-listpack-entries -1",
    "CONFIG SET ZSET-MAX-ZIPLIST-ENTRIES -1",
    "CONFIG SET list-compress-depth -1",
    "CONFIG SET list-max-listpack-size 99999999999",
    "CONFIG SET list-max-listpack-size 1.5",
    "CONFIG SET set-max-intset-entries 1 zset-max-listpack-entries x",
    P("CONFIG GET set-max-intset-entries"),
    "CONFIG SET maxmemory-policy foo",
    "CONFIG SET maxmemory-policy allkeys-lfu",
    P("CONFIG GET maxmemory-policy"),
    "SET k v",
    "OBJECT FREQ k",
    "OBJECT IDLETIME k",
    "CONFIG SET maxmemory-policy ALLKEYS-LRU",
    P("CONFIG GET maxmemory-policy"),
    "OBJECT FREQ k",
    "CONFIG SET maxmemory-policy noeviction",
    "CONFIG SET no-such-param 1",
    "CONFIG SET zset-max-listpack-entries",
    "CONFIG REWRITE",
    "CONFIG REWRITE x",
    "CONFIG HELP",
    "CONFIG FOO",
    "MEMORY USAGE missing",
    "MEMORY USAGE k SAMPLES",
    "MEMORY USAGE k SAMPLES x",
    "MEMORY USAGE k FOO 1",
    "MEMORY USAGE",
    "MEMORY FOO",
    "MEMORY",
    # Restore the defaults for the other tests sharing the servers.
    "CONFIG SET zset-max-listpack-entries 128 hash-max-listpack-value 64 "
    "hash-max-listpack-entries 512 list-max-listpack-size -2 set-max-intset-entries 512",
]


class ConfigDifferentialTest(harness.DiffTestCase):

    def test_config(self):
        self.assertSame(CONFIG)

    def test_memory_usage_grows_with_the_value(self):
        with self.server.conn() as c:
            c.call("SET", "small", "x")
            c.call("SET", "big", "x" * 10000)
            small = c.call("MEMORY", "USAGE", "small")
            big = c.call("MEMORY", "USAGE", "big", "SAMPLES", "0")
            self.assertEqual(small[0], "int")
            self.assertGreater(big[1], small[1] + 9000)
            c.call("RPUSH", "l", *["e%d" % i for i in range(1000)])
            self.assertGreater(c.call("MEMORY", "USAGE", "l")[1], 1000 * 2)


if __name__ == "__main__":
    harness.main()
