"""Crash recovery as a user meets it: clients write continuously and record every acknowledged
write; the server is killed with SIGKILL at random moments (sometimes during a background
snapshot or log rewrite) and restarted on the same --dir; every acknowledged write must be there.

With --appendfsync always a reply means the write is fsynced. With everysec a reply means the
write reached the OS (it survives a process crash; a machine crash may lose about a second), so
after SIGKILL nothing acknowledged may be missing either; the test reports what was.

Also: a torn tail is truncated with a warning naming the file; corruption in the middle stops the
start with a clear error until --repair; save points, SAVE/BGSAVE/BGREWRITEAOF/LASTSAVE, and the
directory lock.

Knobs: CRASH_KILLS (default 20) kills with `always`; CRASH_SEED."""

import glob
import os
import random
import signal
import sys
import threading
import time
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

KILLS = int(os.environ.get("CRASH_KILLS", "20"))
SEED = int(os.environ.get("CRASH_SEED", str(int(time.time()))))
WRITERS = 4
# Small rewrite thresholds so rewrites (fork + snapshot + dropping segments) happen during the run.
REWRITE_ARGS = ["--auto-aof-rewrite-min-size", "32kb", "--auto-aof-rewrite-percentage", "50",
                "--save", ""]


class Writer(threading.Thread):
    """Writes until the connection breaks; keeps what the server acknowledged."""

    def __init__(self, srv, cycle, wid):
        super().__init__(daemon=True)
        self.client = srv.client(socket_timeout=5)
        self.cycle, self.wid = cycle, wid
        self.acked = []        # (key, value, monotonic time of the reply)
        self.pushed = []       # acknowledged RPUSH elements, in order
        self.counter = None    # last acknowledged INCR reply
        self.stop = threading.Event()

    def run(self):
        i = 0
        try:
            while not self.stop.is_set():
                key = "c%d:w%d:%d" % (self.cycle, self.wid, i)
                value = "v%d" % i
                self.client.set(key, value)
                self.acked.append((key, value, time.monotonic()))
                if i % 5 == 0:
                    self.counter = self.client.incr("counter:%d" % self.wid)
                if i % 7 == 0:
                    self.client.rpush("list:%d" % self.wid, key)
                    self.pushed.append(key)
                i += 1
        except Exception:  # the kill: connection reset, EOF, timeout
            pass


class CrashRecoveryTest(unittest.TestCase):
    def setUp(self):
        self.rng = random.Random(SEED)

    def data_dir(self, srv):
        return os.path.join(srv.dir, "data")

    def kill(self, srv):
        srv.proc.send_signal(signal.SIGKILL)
        srv._kill()  # reaps it and closes the harness's log handle

    def check_all(self, srv, writers_by_cycle, lists, counters, kill_time, allow_window, kills):
        """Every acknowledged write is present; returns how many were missing (only allowed
        within `allow_window` seconds before the kill)."""
        c = srv.client()
        missing = 0
        for writers in writers_by_cycle:
            for w in writers:
                keys = [k for k, _, _ in w.acked]
                got = []
                for i in range(0, len(keys), 500):
                    got += c.mget(keys[i:i + 500])
                for (key, value, t), v in zip(w.acked, got):
                    if v != value.encode():
                        missing += 1
                        self.assertLessEqual(kill_time - t, allow_window,
                                             "acknowledged write %s=%s lost (%.3fs before the "
                                             "kill)" % (key, value, kill_time - t))
        for wid, pushed in lists.items():
            got = [x.decode() for x in c.lrange("list:%d" % wid, 0, -1)]
            if allow_window == 0:
                # Acknowledged pushes in order; an unacknowledged push in flight at a kill may
                # have landed too (at most one per kill).
                it = iter(got)
                self.assertTrue(all(x in it for x in pushed), "acknowledged RPUSH lost")
                self.assertLessEqual(len(got) - len(pushed), kills)
        for wid, n in counters.items():
            if n is not None and allow_window == 0:
                self.assertGreaterEqual(int(c.get("counter:%d" % wid) or 0), n)
        return missing

    def crash_cycles(self, policy, kills, allow_window):
        srv = harness.start_server(extra_args=["--appendfsync", policy] + REWRITE_ARGS)
        history = []   # writers of every cycle
        lists = {w: [] for w in range(WRITERS)}
        counters = {w: None for w in range(WRITERS)}
        total_acked = 0
        missing = 0
        snapshots_during = 0
        for cycle in range(kills):
            writers = [Writer(srv, cycle, w) for w in range(WRITERS)]
            for w in writers:
                w.start()
            run_for = self.rng.uniform(0.05, 0.5)
            if self.rng.random() < 0.3:  # a background snapshot the kill may interrupt
                time.sleep(run_for / 2)
                try:
                    srv.client().execute_command(self.rng.choice(["BGSAVE", "BGREWRITEAOF"]))
                    snapshots_during += 1
                except Exception:
                    pass  # one already running
                time.sleep(run_for / 2)
            else:
                time.sleep(run_for)
            kill_time = time.monotonic()
            self.kill(srv)
            for w in writers:
                w.stop.set()
                w.join(10)
                self.assertFalse(w.is_alive())
            for w in writers:
                total_acked += len(w.acked)
                lists[w.wid] += w.pushed
                if w.counter is not None:
                    counters[w.wid] = w.counter
            history.append(writers)
            srv.start()
            # Check this cycle fully and a sample of the older ones.
            sample = history[-1:] + self.rng.sample(history[:-1], min(3, len(history) - 1))
            missing += self.check_all(srv, sample, lists, counters, kill_time, allow_window,
                                      cycle + 1)
        srv.stop()
        log = srv.log_text()
        print("\n%s: %d kills, %d acknowledged writes, %d missing; %d BGSAVE/BGREWRITEAOF "
              "sent, %d background snapshots finished (automatic rewrites included), %d "
              "automatic rewrites started, %d torn tails truncated"
              % (policy, kills, total_acked, missing, snapshots_during,
                 log.count("Background snapshot") - log.count("failed"),
                 log.count("automatic rewriting"), log.count("incomplete write")),
              file=sys.stderr)
        self.assertGreater(total_acked, kills * 10, "the writers barely wrote")
        return missing

    def test_always_loses_no_acknowledged_write(self):
        missing = self.crash_cycles("always", KILLS, allow_window=0)
        self.assertEqual(missing, 0)

    def test_everysec_loses_at_most_a_second(self):
        self.crash_cycles("everysec", max(3, KILLS // 4), allow_window=1.0)

    def test_torn_tail_is_truncated_with_a_warning(self):
        srv = harness.start_server(extra_args=["--appendfsync", "always", "--save", ""])
        c = srv.client()
        for i in range(100):
            c.set("k%d" % i, "v%d" % i)
        self.kill(srv)
        seg = sorted(glob.glob(os.path.join(self.data_dir(srv), "oplog-*.cdl")))[-1]
        size = os.path.getsize(seg)
        with open(seg, "ab") as f:
            f.write(b"\x40\x00\x00\x00\x12\x34\x56\x78partial")  # a record cut short
        srv.start()
        self.assertEqual(srv.client().mget(["k%d" % i for i in range(100)]),
                         [b"v%d" % i for i in range(100)])
        with open(srv.log_path) as f:
            log = f.read()
        self.assertIn("%s: torn or corrupt record at offset %d" % (seg, size), log)
        self.assertEqual(os.path.getsize(seg), size, "the torn tail was not truncated")
        srv.stop()

    def test_corruption_in_the_middle_needs_repair(self):
        srv = harness.start_server(extra_args=["--appendfsync", "always", "--save", ""])
        c = srv.client()
        for i in range(200):
            c.set("k%d" % i, "v%d" % i)
        self.kill(srv)
        seg = sorted(glob.glob(os.path.join(self.data_dir(srv), "oplog-*.cdl")))[-1]
        with open(seg, "r+b") as f:
            data = bytearray(f.read())
            at = len(data) // 2
            data[at] ^= 0x55
            f.seek(0)
            f.write(data)
        with self.assertRaises(harness.ServerStartError) as e:
            srv.start(timeout=5)
        self.assertIn(seg, str(e.exception))
        self.assertIn("--repair", str(e.exception))
        srv.extra_args.append("--repair")
        srv.start()
        got = srv.client().mget(["k%d" % i for i in range(200)])
        kept = 0
        while kept < 200 and got[kept] == b"v%d" % kept:
            kept += 1
        self.assertGreater(kept, 50)
        self.assertLess(kept, 200)
        self.assertEqual(got[kept:], [None] * (200 - kept), "records after the damage came back")
        srv.stop()

    def test_save_commands_and_save_points(self):
        srv = harness.start_server(extra_args=["--save", "1 1"])
        c = srv.client()
        first = c.lastsave()
        c.set("a", "1")
        deadline = time.time() + 5
        while c.info("persistence")["rdb_saves"] < 1 and time.time() < deadline:
            time.sleep(0.1)
        info = c.info("persistence")
        self.assertGreaterEqual(info["rdb_saves"], 1, "the save point never fired")
        self.assertEqual(info["rdb_changes_since_last_save"], 0)
        self.assertGreaterEqual(c.lastsave(), first)
        self.assertEqual(harness.redis_cli(srv.port, "save").strip(), "OK")
        self.assertEqual(harness.redis_cli(srv.port, "bgsave").strip(),
                         "Background saving started")
        time.sleep(0.3)
        self.assertEqual(harness.redis_cli(srv.port, "bgrewriteaof").strip(),
                         "Background append only file rewriting started")
        deadline = time.time() + 5
        while c.info("persistence")["aof_rewrite_in_progress"] and time.time() < deadline:
            time.sleep(0.05)
        names = sorted(os.listdir(self.data_dir(srv)))
        self.assertEqual(len([n for n in names if n.startswith("snapshot-")]), 1, names)
        self.assertEqual(len([n for n in names if n.endswith(".tmp")]), 0, names)
        self.assertEqual(c.info("persistence")["aof_enabled"], 1)
        c.set("b", "2")
        srv.stop()
        srv.start()
        self.assertEqual(srv.client().mget(["a", "b"]), [b"1", b"2"])
        srv.stop()

    def test_config_of_persistence(self):
        srv = harness.start_server(extra_args=["--appendfsync", "no", "--save", "900 1"])
        c = srv.client(decode_responses=True)
        self.assertEqual(c.config_get("append*"), {"appendonly": "yes", "appendfsync": "no"})
        self.assertEqual(c.config_get("save"), {"save": "900 1"})
        self.assertTrue(c.config_set("appendfsync", "always"))
        self.assertEqual(c.info("persistence")["appendfsync"], "always")
        self.assertTrue(c.config_set("save", "60 5 10 100"))
        self.assertEqual(c.config_get("save"), {"save": "60 5 10 100"})
        for name, bad in (("appendfsync", "sometimes"), ("save", "60"), ("appendonly", "no"),
                          ("auto-aof-rewrite-min-size", "lots")):
            out = harness.redis_cli(srv.port, "config", "set", name, bad)
            self.assertIn("ERR CONFIG SET failed", out, (name, bad))
        # Atomic: one bad value leaves the good one unapplied.
        out = harness.redis_cli(srv.port, "config", "set", "appendfsync", "everysec", "save", "x")
        self.assertIn("ERR", out)
        self.assertEqual(c.config_get("appendfsync"), {"appendfsync": "always"})
        srv.stop()

    def test_everysec_makes_writes_durable_within_a_second(self):
        srv = harness.start_server(extra_args=["--appendfsync", "everysec", "--save", ""])
        c = srv.client()
        for i in range(100):
            c.set("k%d" % i, "v")
        deadline = time.monotonic() + 3
        while (c.info("persistence")["oplog_durable_seq"] < 100
               and time.monotonic() < deadline):
            time.sleep(0.05)
        self.assertEqual(c.info("persistence")["oplog_durable_seq"], 100)
        srv.stop()

    def test_a_directory_serves_one_server(self):
        srv = harness.start_server()
        other = harness.Server(srv.path, ["--dir", self.data_dir(srv)])
        harness._SERVERS.append(other)
        with self.assertRaises(harness.ServerStartError) as e:
            other.start(timeout=5)
        self.assertIn("in use by another cordis-server", str(e.exception))
        srv.stop()


if __name__ == "__main__":
    print("CRASH_SEED=%d" % SEED, file=sys.stderr)
    harness.main()
