"""Active-active replication as a user meets it: three real cordis-server processes on loopback,
peers over TCP, redis-py clients writing to all three at once.

  * convergence under concurrent writes of every type (INCR races, SADD/SREM, DEL vs write,
    EXPIRE/PERSIST races) to identical contents (DEBUG DIGEST and per-key reads) and to the
    expected per-type outcomes;
  * a cut: one node is stopped (SIGSTOP) while the others keep writing and clients queue writes
    for it; after SIGCONT everything converges, concurrent writes resolved by the documented rules;
  * kill -9 and restart with the same data directory (no --peers: the member file): catch-up;
  * a node stopped while its peers write far more than --max-log-entries: it is resynced by
    snapshot (INFO counters) and converges;
  * runtime join (CLUSTER MEET / CORDIS.MEET) spreading by gossip, handshake mismatches refused,
    and garbage, oversized and truncated frames on the peer port closing only that connection.

Every wait polls with a deadline; the whole file takes well under a minute (Release)."""

import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import shutil
import threading
import time
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

MAX_LOG = 300  # --max-log-entries: small, so the snapshot path is reachable quickly
CONVERGE_S = 60.0  # generous for the sanitizer build; a Release run converges in milliseconds


class Node:
    """One cordis-server with fixed client and peer ports (kept across restarts)."""

    def __init__(self, rid, root, peers=(), extra=()):
        self.rid = rid
        self.port = harness.free_port()
        self.peer_port = harness.free_port()
        self.dir = os.path.join(root, "n%d" % rid)
        os.makedirs(self.dir, exist_ok=True)
        self.log_path = os.path.join(self.dir, "server.log")
        self.peers = list(peers)
        self.extra = list(extra)
        self.proc = None
        self.stopped = False

    def argv(self, peers):
        a = [harness.SERVER_PATH, "--port", str(self.port), "--peer-port", str(self.peer_port),
             "--bind", "127.0.0.1", "--replica-id", str(self.rid), "--dir",
             os.path.join(self.dir, "data"), "--enable-debug-command", "local",
             "--cluster-name", "e2e", "--peer-secret", "s3cret",
             "--max-log-entries", str(MAX_LOG), "--save", "", *self.extra]
        if peers:
            a += ["--peers", ",".join(peers)]
        return a

    def start(self, peers=None):
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.argv(self.peers if peers is None else peers),
                                     stdin=subprocess.DEVNULL, stdout=log,
                                     stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("node %d exited: %s" % (self.rid, self.log()[-3000:]))
            try:
                if self.client(timeout=1).ping():
                    return self
            except Exception:  # noqa: BLE001 - not up yet
                time.sleep(0.02)
        raise RuntimeError("node %d did not start" % self.rid)

    def client(self, timeout=20):
        return harness.redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=timeout,
                                   decode_responses=True)

    def addr(self):
        return "127.0.0.1:%d" % self.peer_port

    def kill9(self):
        self.proc.kill()
        self.proc.wait()

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            if self.stopped:
                self.cont()
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def sigstop(self):
        os.kill(self.proc.pid, signal.SIGSTOP)
        self.stopped = True

    def cont(self):
        os.kill(self.proc.pid, signal.SIGCONT)
        self.stopped = False

    def info(self):
        return self.client().info("replication")

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")


def peer_lines(info):
    """INFO replication's peerN lines as {replica id: {field: value}}."""
    out = {}
    for k, v in info.items():
        if k.startswith("peer") and isinstance(v, dict) and "id" in v:
            out[int(v["id"])] = v
    return out


def wait_for(what, pred, timeout=CONVERGE_S, interval=0.05):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = pred()
            if last:
                return last
        except (OSError, harness.redis.RedisError) as e:  # node busy restarting
            last = e
        time.sleep(interval)
    raise AssertionError("timed out waiting for %s (last: %r)" % (what, last))


def contents(node):
    """Every key with its type, value and whether it has a TTL (per-key reads)."""
    c = node.client()
    out = {}
    for k in c.scan_iter(count=1000):
        t = c.type(k)
        if t == "string":
            v = c.get(k)
        elif t == "list":
            v = c.lrange(k, 0, -1)
        elif t == "set":
            v = sorted(c.smembers(k))
        elif t == "hash":
            v = sorted(c.hgetall(k).items())
        elif t == "zset":
            v = c.zrange(k, 0, -1, withscores=True)
        else:
            v = None
        if t != "none":
            out[k] = (t, v, c.ttl(k) >= 0)
    return out


class Cluster:
    def __init__(self, n=3):
        self.root = tempfile.mkdtemp(prefix="cordis-repl-")
        self.nodes = []
        for rid in range(1, n + 1):
            self.nodes.append(Node(rid, self.root))

    def digests(self):
        return [n.client().execute_command("DEBUG", "DIGEST") for n in self.nodes]

    def converged(self, timeout=CONVERGE_S):
        """Waits until every node has the same digest and the same per-key contents."""
        def same():
            d = self.digests()
            if len(set(d)) != 1:
                return False
            cs = [contents(n) for n in self.nodes]
            return cs[0] if all(c == cs[0] for c in cs) else False
        return wait_for("convergence", same, timeout)

    def fully_connected(self, timeout=CONVERGE_S):
        n = len(self.nodes)

        def ok():
            for node in self.nodes:
                info = node.info()
                if info.get("connected_peers") != n - 1:
                    return False
                if any(p["inbound"] != "up" for p in peer_lines(info).values()):
                    return False
            return True
        wait_for("a fully connected cluster", ok, timeout)

    def cleanup(self, keep_logs):
        problems = []
        for n in self.nodes:
            try:
                n.stop()
            except Exception:  # noqa: BLE001
                pass
            text = n.log()
            # A sanitizer build reports memory errors and leaks in the log and exits non-zero.
            for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
                if marker in text:
                    problems.append("node %d: %s" % (n.rid, marker))
            if n.proc is not None and n.proc.returncode not in (0, None):
                problems.append("node %d exited with %s" % (n.rid, n.proc.returncode))
        keep_logs = keep_logs or bool(problems)
        if keep_logs:
            for n in self.nodes:
                sys.stderr.write("\n===== log of node %d =====\n%s\n" % (n.rid, n.log()[-15000:]))
        shutil.rmtree(self.root, ignore_errors=True)
        if problems:
            raise AssertionError("; ".join(problems))


def frame(payload):
    return struct.pack(">I", len(payload)) + payload


class ReplicationTest(unittest.TestCase):
    """The steps share one cluster and run in name order."""

    @classmethod
    def setUpClass(cls):
        cls.cluster = Cluster(3)
        a, b, c = cls.cluster.nodes
        a.start()
        b.peers = [a.addr()]          # joins by --peers
        b.start()
        c.start()                     # joins at runtime by CLUSTER MEET
        harness.redis_cli(c.port, "CLUSTER", "MEET", "127.0.0.1", str(b.peer_port))
        cls.failed = False

    @classmethod
    def tearDownClass(cls):
        cls.cluster.cleanup(keep_logs=cls.failed)

    def run(self, result=None):
        r = super().run(result)
        if result is not None and (result.failures or result.errors):
            type(self).failed = True
        return r

    # -- membership ------------------------------------------------------------------------
    def test_1_gossip_connects_everyone(self):
        cl = self.cluster
        cl.fully_connected()
        a, b, c = cl.nodes
        # a never heard of c directly: it learned c's address by gossip.
        self.assertEqual(a.info()["members"], "1,2,3")
        role = a.client().execute_command("ROLE")
        self.assertEqual(role[0], "active-active")
        self.assertEqual(sorted(int(p[4]) for p in role[2]), [2, 3])
        self.assertTrue(all(p[3] == "connected" for p in role[2]))
        info = b.info()
        self.assertEqual(info["role"], "active-active")
        self.assertEqual(info["replica_id"], 2)
        self.assertEqual(info["cluster_name"], "e2e")
        # The member file lets a restarted node find its peers without --peers.
        with open(os.path.join(c.dir, "data", "cluster-members")) as f:
            text = f.read()
        self.assertIn("member 1 127.0.0.1 %d" % a.peer_port, text)

    # -- concurrent writes of every type ----------------------------------------------------
    def test_2_concurrent_writes_converge(self):
        cl = self.cluster
        rounds = 150
        errors = []

        def writer(node, w):
            try:
                c = node.client()
                for i in range(rounds):
                    c.incr("ctr")                                 # INCR race
                    c.hincrby("h", "n", 2)                        # HINCRBY race
                    c.zincrby("z", 1, "m")                        # ZINCRBY race
                    c.sadd("s", "w%d:%d" % (w, i))                # disjoint adds
                    if i % 3 == 0:
                        c.srem("s", "w%d:%d" % (w, i))            # removes what it observed
                    c.sadd("race", "x%d" % (i % 5))               # SADD/SREM race
                    c.srem("race", "x%d" % ((i + 2) % 5))
                    c.rpush("l", "w%d:%d" % (w, i))
                    c.set("reg", "w%d:%d" % (w, i))               # LWW register
                    if w == 0:
                        c.delete("dv")                            # DEL vs concurrent write
                    else:
                        c.hset("dv", "w%d" % w, i)
                    c.set("tmp:%d:%d" % (w, i), "x", px=300)     # expires everywhere
                    c.expire("ex", 100 + w * 100 + i)             # EXPIRE race
                    if i % 10 == 0:
                        c.set("ex", i)
            except Exception as e:  # noqa: BLE001
                errors.append(e)

        threads = [threading.Thread(target=writer, args=(n, w)) for w, n in enumerate(cl.nodes)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        wait_for("expiry of tmp keys", lambda: all(
            not list(n.client().scan_iter("tmp:*")) for n in cl.nodes))
        final = cl.converged()
        n = len(cl.nodes)
        self.assertEqual(final["ctr"][1], str(n * rounds))
        self.assertEqual(final["h"][1], [("n", str(2 * n * rounds))])
        self.assertEqual(final["z"][1], [("m", float(n * rounds))])
        expected_s = sorted("w%d:%d" % (w, i) for w in range(n) for i in range(rounds) if i % 3)
        self.assertEqual(final["s"][1], expected_s)
        self.assertEqual(len(final["l"][1]), n * rounds)
        self.assertEqual(sorted(final["l"][1]),
                         sorted("w%d:%d" % (w, i) for w in range(n) for i in range(rounds)))
        self.assertIn(final["reg"][1], ["w%d:%d" % (w, rounds - 1) for w in range(n)])
        self.assertTrue(final["ex"][2])  # some EXPIRE survived the races

    # -- a cut: one node stopped while both sides write -------------------------------------
    def test_3_cut_and_heal(self):
        cl = self.cluster
        a, b, c = cl.nodes
        setup = a.client()
        setup.sadd("cut:set", "m")
        setup.hset("cut:dv", "f0", "old")
        setup.set("cut:ex", "v")
        setup.set("cut:persist", "v", ex=500)
        cl.converged()
        c.sigstop()
        try:
            # c's side: commands queued on a socket; c runs them when it resumes, concurrently
            # with (or after) the writes below, which it has not seen.
            queued = socket.create_connection(("127.0.0.1", c.port))
            cmds = [["INCRBY", "cut:ctr", "1000"], ["SADD", "cut:set", "m"],
                    ["HSET", "cut:dv", "f3", "new"], ["EXPIRE", "cut:ex", "2000"],
                    ["PERSIST", "cut:persist"], ["SADD", "cut:only3", "x"]]
            queued.sendall(b"".join(harness.encode(x) for x in cmds))
            # The other side keeps writing.
            ca, cb = a.client(), b.client()
            for i in range(200):
                ca.incr("cut:ctr")
                cb.incr("cut:ctr")
                cb.rpush("cut:list", i)
            ca.srem("cut:set", "m")             # vs c's concurrent SADD: add wins
            ca.delete("cut:dv")                 # vs c's concurrent HSET: the new field survives
            cb.expire("cut:ex", 1000)           # vs c's longer EXPIRE: the longest wins
            cb.expire("cut:persist", 1000)      # vs c's PERSIST: PERSIST wins
            wait_for("a and b to agree", lambda: ca.get("cut:ctr") == cb.get("cut:ctr") == "400")
        finally:
            c.cont()
        replies = harness.read_until(queued, 10.0, expect=lambda buf: buf.count(b"\r\n") >= 6)[0]
        queued.close()
        self.assertEqual(replies.count(b"\r\n"), 6, replies)
        final = cl.converged()
        self.assertEqual(final["cut:ctr"][1], "1400")
        self.assertEqual(final["cut:set"][1], ["m"])
        self.assertEqual(final["cut:dv"][1], [("f3", "new")])
        self.assertEqual(final["cut:only3"][1], ["x"])
        self.assertEqual(len(final["cut:list"][1]), 200)
        for n in cl.nodes:
            cn = n.client()
            self.assertGreater(cn.ttl("cut:ex"), 1000)
            self.assertEqual(cn.ttl("cut:persist"), -1)

    # -- kill -9 and restart ----------------------------------------------------------------
    def test_4_kill_and_restart_catches_up(self):
        cl = self.cluster
        a, b, c = cl.nodes
        cb = b.client()
        for i in range(50):
            cb.set("k9:b:%d" % i, i)
        cl.converged()
        b.kill9()
        ca, cc = a.client(), c.client()
        for i in range(100):
            ca.incr("k9:ctr")
            cc.incr("k9:ctr")
            cc.sadd("k9:set", i)
        b.start(peers=[])  # no --peers: the member file names the replica set
        final = cl.converged()
        self.assertEqual(final["k9:ctr"][1], "200")
        self.assertEqual(len(final["k9:set"][1]), 100)
        for i in range(50):
            self.assertEqual(final["k9:b:%d" % i][1], str(i))
        # b's writes after the restart reach the others.
        b.client().set("k9:after", "yes")
        wait_for("b's new write on a", lambda: a.client().get("k9:after") == "yes")
        cl.fully_connected()

    # -- far behind: snapshot ----------------------------------------------------------------
    def test_5_far_behind_resyncs_by_snapshot(self):
        cl = self.cluster
        a, b, c = cl.nodes
        c.stop()  # gone while the others write: their pushes to it are dropped
        pa, pb = a.client().pipeline(transaction=False), b.client().pipeline(transaction=False)
        for i in range(MAX_LOG * 4):
            pa.set("far:a:%d" % i, i)
            pb.incr("far:ctr")
        pa.execute()
        pb.execute()
        for n in (a, b):  # their logs no longer reach back to what c has
            wait_for("log truncation", lambda n=n: n.info()["oplog_entries"] <= MAX_LOG)
        c.start(peers=[])
        final = cl.converged()
        self.assertEqual(final["far:ctr"][1], str(MAX_LOG * 4))
        self.assertEqual(final["far:a:%d" % (MAX_LOG * 4 - 1)][1], str(MAX_LOG * 4 - 1))
        info = c.info()
        self.assertGreaterEqual(info["snapshots_installed"], 1)  # counted since the restart
        sent = sum(int(p["snapshots_sent"]) for n in (a, b) for p in peer_lines(n.info()).values())
        self.assertGreaterEqual(sent, 1)
        self.assertIn("Installed a snapshot from replica", c.log())

    # -- bad peers ----------------------------------------------------------------------------
    def test_6_bad_peers_are_refused_and_node_keeps_serving(self):
        cl = self.cluster
        a = cl.nodes[0]
        members_before = a.info()["members"]
        bad = [
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",          # length over the handshake limit
            frame(b"\xff\xff\xff\xff garbage"),              # does not parse
            b"\x00\x00\x00\x00",                             # empty frame
            frame(b"")[:4] + b"\x00" * 3,                    # (another empty frame)
            b"\x00\x00\x10\x00" + b"\x0a\x02" + b"x" * 10,   # truncated: closed mid-frame
        ]
        for payload in bad:
            with socket.create_connection(("127.0.0.1", a.peer_port), timeout=5) as s:
                s.sendall(payload)
                s.shutdown(socket.SHUT_WR)
                _, closed = harness.read_until(s, 5.0)
                self.assertTrue(closed, payload)
        # A wrong secret and a wrong cluster name: refused, nothing changes.
        for args, refusal in ((["--peer-secret", "wrong"], "wrong peer secret"),
                              (["--cluster-name", "other"], "cluster name 'other' differs")):
            # The stranger's own flags come last and override the defaults.
            stranger = Node(9, cl.root, extra=args)
            stranger.start(peers=[a.addr()])
            try:
                wait_for("the refusal", lambda refusal=refusal: refusal in a.log())
            finally:
                stranger.stop()
        self.assertIn("bad frame", a.log())
        self.assertIn("truncated frame", a.log())
        self.assertIn("wrong peer secret", a.log())
        self.assertIn("cluster name 'other' differs", a.log())
        self.assertEqual(a.info()["members"], members_before)
        # Still serving clients and replicating.
        a.client().set("after:bad", "ok")
        wait_for("replication after bad peers",
                 lambda: all(n.client().get("after:bad") == "ok" for n in cl.nodes))
        cl.fully_connected()


if __name__ == "__main__":
    harness.main()
