"""Many concurrent clients, CLIENT/INFO/COMMAND/CONFIG introspection and
graceful shutdown on SIGTERM."""

import os
import re
import signal
import subprocess
import sys
import threading
import time
import unittest

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import RespConn  # noqa: E402

OK = ("simple", b"OK")


def parse_info(text):
    """INFO text -> {section_name_lower: {field: value}} (strict format)."""
    sections = {}
    current = None
    for line in text.split("\r\n"):
        if line == "":
            continue
        if line.startswith("# "):
            current = line[2:].strip().lower()
            sections.setdefault(current, {})
            continue
        if current is None:
            raise AssertionError("INFO line outside of a section: %r" % line)
        if ":" not in line:
            raise AssertionError("INFO line is not key:value: %r" % line)
        k, v = line.split(":", 1)
        sections[current][k] = v
    return sections


def parse_client_line(line):
    fields = {}
    for tok in line.split(" "):
        if tok == "":
            continue
        if "=" not in tok:
            raise AssertionError("CLIENT LIST token is not key=value: %r in %r"
                                 % (tok, line))
        k, v = tok.split("=", 1)
        fields[k] = v
    return fields


class ClientsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = harness.start_server()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        with self.server.conn() as c:
            self.assertEqual(c.call("FLUSHALL"), OK)

    # -- helpers -------------------------------------------------------------
    def bulk(self, reply):
        self.assertEqual(reply[0], "bulk", harness.fmt(reply))
        return reply[1].decode()

    def info(self, conn, *section):
        return parse_info(self.bulk(conn.call("INFO", *section)))

    def connected_clients(self, conn):
        return int(self.info(conn, "clients")["clients"]["connected_clients"])

    def settled_connected_clients(self, conn, timeout=5.0):
        """connected_clients once two reads 100 ms apart agree (connections
        closed by earlier tests may still be being torn down)."""
        deadline = time.monotonic() + timeout
        last = self.connected_clients(conn)
        while time.monotonic() < deadline:
            time.sleep(0.1)
            n = self.connected_clients(conn)
            if n == last:
                return n
            last = n
        return last

    def wait_connected(self, conn, expected, timeout=5.0):
        deadline = time.monotonic() + timeout
        n = None
        while time.monotonic() < deadline:
            n = self.connected_clients(conn)
            if n == expected:
                return n
            time.sleep(0.05)
        self.fail("connected_clients stayed %s, expected %s" % (n, expected))

    # -- concurrency ---------------------------------------------------------
    def test_200_concurrent_connections(self):
        nthreads = 200
        main = RespConn(self.server.port)
        self.addCleanup(main.close)
        baseline = self.settled_connected_clients(main)
        barrier = threading.Barrier(nthreads + 1, timeout=30)
        release = threading.Event()
        errors = []
        ids = [None] * nthreads

        def worker(i):
            try:
                c = RespConn(self.server.port, timeout=30)
                try:
                    expect = [
                        (("SET", "conn:%d" % i, "value-%d" % i), OK),
                        (("INCR", "shared"), None),
                        (("RPUSH", "shared-list", str(i)), None),
                        (("SADD", "shared-set", str(i % 50)), None),
                        (("GET", "conn:%d" % i), ("bulk", b"value-%d" % i)),
                        (("CLIENT", "SETNAME", "worker-%d" % i), OK),
                        (("CLIENT", "GETNAME"), ("bulk", b"worker-%d" % i)),
                    ]
                    for args, want in expect:
                        got = c.call(*args)
                        if want is not None and got != want:
                            errors.append("worker %d: %r -> %s" % (
                                i, args, harness.fmt(got)))
                        elif got[0] == "error":
                            errors.append("worker %d: %r -> %s" % (
                                i, args, harness.fmt(got)))
                    r = c.call("CLIENT", "ID")
                    ids[i] = r[1] if r[0] == "int" else None
                    barrier.wait()        # all connections open at once
                    release.wait(30)
                    if c.call("PING") != ("simple", b"PONG"):
                        errors.append("worker %d: PING failed" % i)
                finally:
                    c.close()
            except Exception as e:  # noqa: BLE001
                errors.append("worker %d: %s: %s" % (i, type(e).__name__, e))
                try:
                    barrier.abort()
                except Exception:  # noqa: BLE001
                    pass

        threads = [threading.Thread(target=worker, args=(i,), daemon=True)
                   for i in range(nthreads)]
        for t in threads:
            t.start()
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
        try:
            self.assertFalse(errors, "\n".join(errors[:10]))
            # all 200 are connected right now
            self.assertEqual(self.connected_clients(main), baseline + nthreads)
            listing = self.bulk(main.call("CLIENT", "LIST"))
            entries = [parse_client_line(l) for l in listing.split("\n") if l]
            names = {e.get("name") for e in entries}
            for i in range(nthreads):
                self.assertIn("worker-%d" % i, names)
            listed_ids = {int(e["id"]) for e in entries}
            self.assertEqual(len(set(ids)), nthreads, "CLIENT ID not unique")
            self.assertTrue(set(ids) <= listed_ids)
        finally:
            release.set()
            for t in threads:
                t.join(30)
        self.assertFalse(errors, "\n".join(errors[:10]))
        self.assertEqual(main.call("GET", "shared"), ("bulk", b"200"))
        self.assertEqual(main.call("LLEN", "shared-list"), ("int", 200))
        self.assertEqual(main.call("SCARD", "shared-set"), ("int", 50))
        self.assertEqual(main.call("DBSIZE"), ("int", 203))
        # closed connections are cleaned up
        self.wait_connected(main, baseline)

    def test_connection_churn(self):
        # open/close many short connections sequentially
        for i in range(300):
            with RespConn(self.server.port) as c:
                self.assertEqual(c.call("INCR", "churn"), ("int", i + 1))
        with RespConn(self.server.port) as c:
            self.assertEqual(c.call("GET", "churn"), ("bulk", b"300"))

    # -- CLIENT --------------------------------------------------------------
    def test_client_id_name_list_info(self):
        a = RespConn(self.server.port)
        b = RespConn(self.server.port)
        self.addCleanup(a.close)
        self.addCleanup(b.close)
        ida = a.call("CLIENT", "ID")
        idb = b.call("CLIENT", "ID")
        self.assertEqual(ida[0], "int")
        self.assertEqual(idb[0], "int")
        self.assertNotEqual(ida[1], idb[1])
        self.assertEqual(a.call("CLIENT", "ID"), ida)   # stable

        self.assertEqual(a.call("CLIENT", "GETNAME"), ("nullbulk", None))
        self.assertEqual(a.call("CLIENT", "SETNAME", "alpha"), OK)
        self.assertEqual(a.call("CLIENT", "GETNAME"), ("bulk", b"alpha"))
        self.assertEqual(b.call("CLIENT", "GETNAME"), ("nullbulk", None))
        err = a.call("CLIENT", "SETNAME", "has space")
        self.assertEqual(err[0], "error")
        self.assertEqual(a.call("CLIENT", "GETNAME"), ("bulk", b"alpha"))
        self.assertEqual(b.call("CLIENT", "SETNAME", "beta"), OK)

        info_a = parse_client_line(self.bulk(a.call("CLIENT", "INFO")).strip())
        self.assertEqual(int(info_a["id"]), ida[1])
        self.assertEqual(info_a["name"], "alpha")
        local = a.sock.getsockname()
        self.assertEqual(info_a["addr"], "%s:%d" % local)

        listing = self.bulk(a.call("CLIENT", "LIST"))
        self.assertTrue(listing.endswith("\n"))
        entries = {int(e["id"]): e for e in
                   (parse_client_line(l) for l in listing.split("\n") if l)}
        self.assertIn(ida[1], entries)
        self.assertIn(idb[1], entries)
        self.assertEqual(entries[ida[1]]["name"], "alpha")
        self.assertEqual(entries[idb[1]]["name"], "beta")
        self.assertEqual(entries[idb[1]]["addr"], "%s:%d" % b.sock.getsockname())

        # clearing the name
        self.assertEqual(a.call("CLIENT", "SETNAME", ""), OK)
        self.assertEqual(a.call("CLIENT", "GETNAME"), ("nullbulk", None))

        # a closed client disappears from the list
        bid = idb[1]
        b.close()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            listing = self.bulk(a.call("CLIENT", "LIST"))
            ids = {int(parse_client_line(l)["id"])
                   for l in listing.split("\n") if l}
            if bid not in ids:
                break
            time.sleep(0.05)
        self.assertNotIn(bid, ids)

    def test_client_errors_match_reference(self):
        ref = harness.start_reference()
        self.addCleanup(ref.stop)
        mism = harness.diff_run([
            "CLIENT GETNAME",
            "CLIENT SETNAME 'a b'",
            "CLIENT SETNAME 'a\nb'",
            "CLIENT SETNAME ok-name",
            "CLIENT GETNAME",
            "CLIENT SETNAME",
            "CLIENT SETNAME a b",
            "CLIENT GETNAME extra",
            "CLIENT",
            "CLIENT ID extra",
            "COMMAND INFO nosuchcommand",
            "CONFIG GET nosuchparameter",
            "CONFIG GET",
        ], (self.server, ref))
        self.assertEqual(mism, [], "\n".join(mism))

    # -- INFO ----------------------------------------------------------------
    def test_info_sections_and_fields(self):
        c = RespConn(self.server.port)
        self.addCleanup(c.close)
        text = self.bulk(c.call("INFO"))
        self.assertTrue(text.startswith("# "), text[:50])
        for line in text.split("\r\n"):
            if line and not line.startswith("#"):
                self.assertRegex(line, r"^[A-Za-z0-9_]+:.*$")
        info = parse_info(text)
        for section in ("server", "clients", "memory", "stats", "replication",
                        "keyspace"):
            self.assertIn(section, info, "INFO lacks '# %s'" % section)
        srv = info["server"]
        self.assertIn("redis_version", srv)
        self.assertRegex(srv["redis_version"], r"^\d+\.\d+\.\d+")
        self.assertEqual(srv["tcp_port"], str(self.server.port))
        self.assertEqual(srv["process_id"], str(self.server.proc.pid))
        self.assertRegex(srv["uptime_in_seconds"], r"^\d+$")
        self.assertRegex(info["clients"]["connected_clients"], r"^\d+$")
        self.assertGreaterEqual(int(info["clients"]["connected_clients"]), 1)
        self.assertRegex(info["memory"]["used_memory"], r"^\d+$")
        self.assertGreater(int(info["memory"]["used_memory"]), 0)
        self.assertRegex(info["stats"]["total_connections_received"], r"^\d+$")
        self.assertRegex(info["stats"]["total_commands_processed"], r"^\d+$")
        self.assertIn("role", info["replication"])
        self.assertEqual(info["keyspace"], {})  # flushed: no db0 line

    def test_info_single_section(self):
        c = RespConn(self.server.port)
        self.addCleanup(c.close)
        for name, header in (("server", "Server"), ("clients", "Clients"),
                             ("memory", "Memory"), ("stats", "Stats"),
                             ("replication", "Replication"),
                             ("keyspace", "Keyspace")):
            text = self.bulk(c.call("INFO", name))
            self.assertTrue(text.startswith("# %s\r\n" % header), text[:40])
            self.assertEqual(list(parse_info(text)), [name])
        # case-insensitive section name
        text = self.bulk(c.call("INFO", "SERVER"))
        self.assertTrue(text.startswith("# Server\r\n"))

    def test_info_counters_move(self):
        c = RespConn(self.server.port)
        self.addCleanup(c.close)
        before = self.info(c, "stats")["stats"]
        for i in range(20):
            c.call("SET", "x", str(i))
        with RespConn(self.server.port) as other:
            other.call("PING")
        after = self.info(c, "stats")["stats"]
        self.assertGreaterEqual(int(after["total_commands_processed"]),
                                int(before["total_commands_processed"]) + 20)
        self.assertGreaterEqual(int(after["total_connections_received"]),
                                int(before["total_connections_received"]) + 1)

    def test_info_keyspace_line(self):
        c = RespConn(self.server.port)
        self.addCleanup(c.close)
        c.call("MSET", "a", "1", "b", "2", "c", "3")
        c.call("EXPIRE", "a", "1000")
        c.call("SET", "d", "4", "PX", "5000000")
        c.call("RPUSH", "l", "x")
        text = self.bulk(c.call("INFO", "keyspace"))
        self.assertTrue(text.startswith("# Keyspace\r\n"), text)
        m = re.search(r"\r\ndb0:keys=(\d+),expires=(\d+),avg_ttl=(\d+)\r\n",
                      text)
        self.assertIsNotNone(m, "bad keyspace line in %r" % text)
        self.assertEqual(int(m.group(1)), 5)
        self.assertEqual(int(m.group(2)), 2)
        c.call("PERSIST", "a")
        c.call("DEL", "b")
        text = self.bulk(c.call("INFO", "keyspace"))
        m = re.search(r"db0:keys=(\d+),expires=(\d+),avg_ttl=(\d+)", text)
        self.assertEqual((int(m.group(1)), int(m.group(2))), (4, 1))
        self.assertEqual(c.call("DBSIZE"), ("int", 4))
        c.call("FLUSHDB")
        text = self.bulk(c.call("INFO", "keyspace"))
        self.assertNotIn("db0:", text)
        self.assertEqual(c.call("DBSIZE"), ("int", 0))

    def test_info_connected_clients_exact(self):
        c = RespConn(self.server.port)
        self.addCleanup(c.close)
        base = self.settled_connected_clients(c)
        extra = [RespConn(self.server.port) for _ in range(5)]
        for e in extra:
            e.call("PING")
        self.assertEqual(self.connected_clients(c), base + 5)
        for e in extra:
            e.close()
        self.wait_connected(c, base)

    # -- COMMAND / CONFIG ----------------------------------------------------
    def test_command_count_and_info(self):
        c = RespConn(self.server.port)
        self.addCleanup(c.close)
        count = c.call("COMMAND", "COUNT")
        self.assertEqual(count[0], "int")
        self.assertGreater(count[1], 100)

        reply = c.call("COMMAND", "INFO", "get", "SET", "nosuchcommand")
        self.assertEqual(reply[0], "array", harness.fmt(reply))
        self.assertEqual(len(reply[1]), 3)
        get, set_, missing = reply[1]
        self.assertIn(missing[0], ("nullbulk", "nullarray"))
        self.assertEqual(get[0], "array")
        g = get[1]
        self.assertEqual(g[0], ("bulk", b"get"))
        self.assertEqual(g[1], ("int", 2))
        get_flags = {f[1].lower() for f in g[2][1]}
        self.assertIn(b"readonly", get_flags)
        self.assertNotIn(b"write", get_flags)
        self.assertEqual(g[3:6], [("int", 1), ("int", 1), ("int", 1)])
        s = set_[1]
        self.assertEqual(s[0], ("bulk", b"set"))
        self.assertEqual(s[1], ("int", -3))
        self.assertIn(b"write", {f[1].lower() for f in s[2][1]})

        for name, arity in (("mget", -2), ("del", -2), ("lpush", -3),
                            ("zadd", -4), ("hset", -4), ("ping", -1),
                            ("incr", 2), ("expire", -3)):
            r = c.call("COMMAND", "INFO", name)
            self.assertEqual(r[1][0][1][0], ("bulk", name.encode()))
            self.assertEqual(r[1][0][1][1], ("int", arity), name)

    def test_config_get_port(self):
        c = RespConn(self.server.port)
        self.addCleanup(c.close)
        self.assertEqual(c.call("CONFIG", "GET", "port"),
                         ("array", [("bulk", b"port"),
                                    ("bulk", str(self.server.port).encode())]))

    def test_dbsize(self):
        c = RespConn(self.server.port)
        self.addCleanup(c.close)
        self.assertEqual(c.call("DBSIZE"), ("int", 0))
        c.call("MSET", *["k%d" % i if j == 0 else "v" for i in range(50)
                         for j in range(2)])
        self.assertEqual(c.call("DBSIZE"), ("int", 50))
        c.call("SET", "tmp", "v", "PX", "50")
        time.sleep(0.15)
        c.call("GET", "tmp")
        self.assertEqual(c.call("DBSIZE"), ("int", 50))

    # -- shutdown ------------------------------------------------------------
    def test_graceful_sigterm(self):
        srv = harness.start_server()
        idle = [RespConn(srv.port) for _ in range(3)]
        idle[0].call("SET", "k", "v")
        idle[1].call("MULTI")
        idle[1].call("SET", "half", "done")
        start = time.monotonic()
        srv.proc.send_signal(signal.SIGTERM)
        try:
            rc = srv.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.fail("server did not exit within 5 s of SIGTERM")
        elapsed = time.monotonic() - start
        self.assertEqual(rc, 0, "exit code after SIGTERM (%.2fs)" % elapsed)
        for c in idle:
            c.sock.settimeout(2)
            try:
                data = c.sock.recv(100)
            except OSError:
                data = b""
            self.assertEqual(data, b"", "connection still open after exit")
            c.close()
        srv.stop()


if __name__ == "__main__":
    harness.main()
