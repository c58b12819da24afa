"""Shared helpers for the Cordis end-to-end tests.

Every test file is run as

    /usr/bin/python3 tests/e2e/test_<area>.py --server PATH

where PATH is the server binary under test (build/bin/cordis-server, or
/usr/bin/redis-server to validate the tests themselves).  Only the Python
standard library and redis-py are used.

Main pieces:
  start_server(path, extra_args)  start a server on a free loopback port
  start_reference()               start the reference /usr/bin/redis-server
  raw(port, data, read_timeout)   send raw bytes, return everything read back
  redis_cli(port, *args)          run the real redis-cli
  RespConn                        raw RESP connection returning typed replies
  diff_run(commands, servers)     differential runner (see its docstring)
  main()                          parse --server and run unittest

Environment knobs:
  E2E_DUMP=1                      print every scripted command with the
                                  reference's reply (for reviewing scripts)
  CORDIS_REFERENCE_SERVER=PATH    reference binary (default
                                  /usr/bin/redis-server); if absent, the
                                  differential tests are skipped
Run one test:  /usr/bin/python3 tests/e2e/test_protocol.py --server PATH \
                   ProtocolTest.test_quit
"""

import atexit
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

try:
    import redis  # python3-redis (Debian's, for /usr/bin/python3)
except ImportError:  # pragma: no cover - reported clearly at use time
    redis = None

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(os.path.dirname(HERE))
REFERENCE_SERVER = os.environ.get("CORDIS_REFERENCE_SERVER",
                                  "/usr/bin/redis-server")
REDIS_CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"
REDIS_BENCHMARK = shutil.which("redis-benchmark") or "/usr/bin/redis-benchmark"

# Path of the server under test; set by main() from --server.
SERVER_PATH = os.environ.get("CORDIS_SERVER") or os.path.join(
    REPO_ROOT, "build", "bin", "cordis-server")

_SERVERS = []  # every server ever started, for cleanup and failure logs


# ---------------------------------------------------------------------------
# Server processes
# ---------------------------------------------------------------------------

def free_port():
    """A loopback TCP port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def is_redis(path):
    return os.path.basename(path) == "redis-server"


class ServerStartError(RuntimeError):
    pass


class Server:
    """A running server process on 127.0.0.1:port."""

    def __init__(self, path, extra_args=()):
        self.path = os.path.abspath(path)
        self.extra_args = [str(a) for a in extra_args]
        self.dir = tempfile.mkdtemp(prefix="cordis-e2e-")
        self.log_path = os.path.join(self.dir, "server.log")
        self.port = None
        self.proc = None
        self.returncode = None
        self._log_text = None
        self._log_file = None

    # -- lifecycle ---------------------------------------------------------
    def argv(self, port):
        data_dir = os.path.join(self.dir, "data")
        os.makedirs(data_dir, exist_ok=True)
        if is_redis(self.path):
            return [self.path, "--port", str(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--dir", data_dir,
                    *self.extra_args]
        return [self.path, "--port", str(port), "--bind", "127.0.0.1",
                "--dir", data_dir, *self.extra_args]

    def start(self, timeout=10.0):
        if not os.path.exists(self.path):
            raise ServerStartError("server binary not found: %s" % self.path)
        last_error = None
        for _attempt in range(3):  # retry if someone grabbed the port
            port = free_port()
            self._log_file = open(self.log_path, "ab")
            self._log_file.write(("=== starting: %s\n" % " ".join(
                shlex.quote(a) for a in self.argv(port))).encode())
            self._log_file.flush()
            self.proc = subprocess.Popen(
                self.argv(port), stdin=subprocess.DEVNULL,
                stdout=self._log_file, stderr=subprocess.STDOUT,
                cwd=self.dir)
            self.port = port
            try:
                self._wait_ready(timeout)
                return self
            except ServerStartError as e:
                last_error = e
                self._kill()
                if "exited" not in str(e):
                    break  # timed out while running: do not retry
        msg = "%s\n--- server log (%s) ---\n%s" % (
            last_error, self.log_path, self.log_text())
        raise ServerStartError(msg)

    def _wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rc = self.proc.poll()
            if rc is not None:
                raise ServerStartError(
                    "server exited with code %s before answering PING" % rc)
            try:
                with socket.create_connection(("127.0.0.1", self.port),
                                              timeout=0.5) as s:
                    s.sendall(b"*1\r\n$4\r\nPING\r\n")
                    data = b""
                    while b"\r\n" not in data:
                        chunk = s.recv(64)
                        if not chunk:
                            break
                        data += chunk
                    if data.startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.02)
        raise ServerStartError("server did not answer PING within %.0fs on "
                               "port %s" % (timeout, self.port))

    def _kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc is not None:
            self.returncode = self.proc.returncode
        if self._log_file:
            self._log_file.close()
            self._log_file = None

    def stop(self, timeout=5.0):
        """SIGTERM, wait up to `timeout`, then SIGKILL. Returns exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGTERM)
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.returncode = self.proc.returncode
        if self._log_file:
            self._log_file.close()
            self._log_file = None
        return self.returncode

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_text(self):
        if self._log_text is not None:
            return self._log_text
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return "(no log)"

    def cleanup(self):
        self.stop()
        self._log_text = self.log_text()
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- clients -----------------------------------------------------------
    def client(self, **kwargs):
        if redis is None:
            raise unittest.SkipTest("redis-py not importable; run with "
                                    "/usr/bin/python3")
        kwargs.setdefault("decode_responses", False)
        kwargs.setdefault("socket_timeout", 10)
        return redis.Redis(host="127.0.0.1", port=self.port, **kwargs)

    def conn(self, timeout=10.0):
        return RespConn(self.port, timeout=timeout)

    def __repr__(self):
        return "<Server %s port=%s>" % (os.path.basename(self.path), self.port)


def start_server(path=None, extra_args=()):
    """Start `path` (default: the server under test) on a free port."""
    srv = Server(path or SERVER_PATH, extra_args)
    _SERVERS.append(srv)
    srv.start()
    return srv


def start_reference():
    """Start the reference redis-server (skips the test when absent)."""
    if not os.path.exists(REFERENCE_SERVER):
        raise unittest.SkipTest(
            "reference %s is not installed; skipping differential tests"
            % REFERENCE_SERVER)
    return start_server(REFERENCE_SERVER)


def _cleanup_all():
    for srv in _SERVERS:
        try:
            srv.cleanup()
        except Exception:  # pragma: no cover
            pass


atexit.register(_cleanup_all)


# ---------------------------------------------------------------------------
# Raw sockets and external tools
# ---------------------------------------------------------------------------

def raw(port, data, read_timeout=1.0, expect=None, chunks=None, delay=0.0):
    """Send `data` over a fresh socket and return all bytes read back.

    Reading stops when the server closes the connection, when nothing has
    arrived for `read_timeout` seconds, or (if given) as soon as `expect`
    is satisfied: an int (number of bytes) or a callable(buffer) -> bool.
    If `chunks` is given, data is sent in pieces of that many bytes with
    `delay` seconds between pieces.
    Returns (bytes). Use raw_conn() when you need to know whether the
    server closed the connection.
    """
    return raw_ex(port, data, read_timeout, expect, chunks, delay)[0]


def raw_ex(port, data, read_timeout=1.0, expect=None, chunks=None, delay=0.0):
    """Like raw() but returns (bytes, closed_by_server)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        if chunks:
            for i in range(0, len(data), chunks):
                s.sendall(data[i:i + chunks])
                if delay:
                    time.sleep(delay)
        else:
            s.sendall(data)
        return read_until(s, read_timeout, expect)


def read_until(s, read_timeout=1.0, expect=None, max_total=None):
    """Read from socket `s` until it is closed by the peer, nothing arrives
    for `read_timeout` seconds, `expect` is satisfied, or `max_total`
    seconds (default max(10, 5 * read_timeout)) have passed in all.
    Returns (bytes, closed_by_server)."""
    buf = b""
    closed = False
    if max_total is None:
        max_total = max(10.0, 5 * read_timeout)
    deadline = time.monotonic() + max_total
    s.settimeout(read_timeout)
    while True:
        if time.monotonic() >= deadline:
            break
        if expect is not None:
            if isinstance(expect, int) and len(buf) >= expect:
                break
            if callable(expect) and expect(buf):
                break
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            closed = True
            break
        if not chunk:
            closed = True
            break
        buf += chunk
    return buf, closed


def redis_cli_run(port, *args, stdin=None, timeout=60):
    """Run redis-cli -p port ARGS; returns the CompletedProcess (bytes)."""
    if isinstance(stdin, str):
        stdin = stdin.encode()
    return subprocess.run([REDIS_CLI, "-h", "127.0.0.1", "-p", str(port),
                           *[str(a) for a in args]],
                          input=stdin, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout)


def redis_cli(port, *args, stdin=None, timeout=60):
    """Run redis-cli -p port ARGS and return its stdout as text."""
    res = redis_cli_run(port, *args, stdin=stdin, timeout=timeout)
    return res.stdout.decode("utf-8", "surrogateescape")


# ---------------------------------------------------------------------------
# RESP encoding / parsing with full type information
# ---------------------------------------------------------------------------
#
# Replies are nested tuples (kind, value):
#   ('simple', b'OK')     +OK
#   ('error', b'ERR x')   -ERR x        (and RESP3 blob errors '!')
#   ('int', 5)            :5
#   ('bulk', b'abc')      $3 abc
#   ('nullbulk', None)    $-1
#   ('nullarray', None)   *-1
#   ('array', [...])      *N
#   RESP3: ('null', None) _, ('double', b'1.5') ,  ('bool', True) #t,
#          ('map', [(k, v), ...]) %, ('set', [...]) ~, ('push', [...]) >,
#          ('verbatim', b'txt:...') =, ('bignum', b'123') (

def encode(args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode("utf-8", "surrogateescape")
        elif isinstance(a, (int, float)):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class ConnectionClosed(Exception):
    pass


class RespConn:
    """A blocking raw RESP connection returning typed replies."""

    def __init__(self, port, timeout=10.0):
        self.port = port
        self.sock = socket.create_connection(("127.0.0.1", port),
                                             timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.pos = 0

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send_raw(self, data):
        self.sock.sendall(data)

    def call(self, *args):
        self.sock.sendall(encode(args))
        return self.read_reply()

    def pipeline(self, commands):
        self.sock.sendall(b"".join(encode(c) for c in commands))
        return [self.read_reply() for _ in commands]

    # -- low level reading ---------------------------------------------------
    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionClosed("server closed the connection")
        if self.pos:
            self.buf = self.buf[self.pos:]
            self.pos = 0
        self.buf += chunk

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                line = self.buf[self.pos:i]
                self.pos = i + 2
                return line
            self._fill()

    def _exact(self, n):
        while len(self.buf) - self.pos < n + 2:
            self._fill()
        data = self.buf[self.pos:self.pos + n]
        if self.buf[self.pos + n:self.pos + n + 2] != b"\r\n":
            raise ValueError("bulk payload not terminated by CRLF")
        self.pos += n + 2
        return data

    def read_reply(self):
        line = self._line()
        if not line:
            raise ValueError("empty reply line")
        t, rest = line[:1], line[1:]
        if t == b"+":
            return ("simple", rest)
        if t == b"-":
            return ("error", rest)
        if t == b":":
            return ("int", int(rest))
        if t == b"$":
            n = int(rest)
            if n < 0:
                return ("nullbulk", None)
            return ("bulk", self._exact(n))
        if t == b"*":
            n = int(rest)
            if n < 0:
                return ("nullarray", None)
            return ("array", [self.read_reply() for _ in range(n)])
        if t == b"_":
            return ("null", None)
        if t == b",":
            return ("double", rest)
        if t == b"#":
            return ("bool", rest == b"t")
        if t == b"(":
            return ("bignum", rest)
        if t == b"=":
            return ("verbatim", self._exact(int(rest)))
        if t == b"!":
            return ("error", self._exact(int(rest)))
        if t == b"%":
            n = int(rest)
            return ("map", [(self.read_reply(), self.read_reply())
                            for _ in range(n)])
        if t == b"~":
            return ("set", [self.read_reply() for _ in range(int(rest))])
        if t == b">":
            return ("push", [self.read_reply() for _ in range(int(rest))])
        if t == b"|":  # attribute: read and ignore, then the real reply
            for _ in range(int(rest)):
                self.read_reply()
                self.read_reply()
            return self.read_reply()
        raise ValueError("unknown RESP type byte in %r" % line[:80])


def fmt(reply, limit=300):
    """Human readable rendering of a typed reply."""
    s = _fmt(reply)
    if len(s) > limit:
        s = s[:limit] + "...(%d chars)" % len(s)
    return s


def _fmt(r):
    if not isinstance(r, tuple) or len(r) != 2:
        return repr(r)
    if isinstance(r[0], tuple):  # a (field, value) pair from HSCAN/ZSCAN
        return "(%s %s)" % (_fmt(r[0]), _fmt(r[1]))
    kind, v = r
    if kind == "simple":
        return "+" + v.decode("utf-8", "replace")
    if kind == "error":
        return "-" + v.decode("utf-8", "replace")
    if kind == "int":
        return ":%d" % v
    if kind == "bulk":
        return repr(v)
    if kind == "nullbulk":
        return "(nil $-1)"
    if kind == "nullarray":
        return "(nil *-1)"
    if kind == "null":
        return "(null _)"
    if kind == "double":
        return "," + v.decode()
    if kind == "bool":
        return "#t" if v else "#f"
    if kind in ("array", "set", "push"):
        o = {"array": "[", "set": "~{", "push": ">["}[kind]
        c = {"array": "]", "set": "}", "push": "]"}[kind]
        return o + ", ".join(_fmt(x) for x in v) + c
    if kind == "map":
        return "%{" + ", ".join("%s: %s" % (_fmt(k), _fmt(x))
                                for k, x in v) + "}"
    if kind == "scan-union":
        return "scan-union{" + ", ".join(_fmt(x) for x in v) + "}"
    return "%s(%r)" % (kind, v)


def is_error(reply, prefix=None):
    if reply[0] != "error":
        return False
    return prefix is None or reply[1].startswith(
        prefix.encode() if isinstance(prefix, str) else prefix)


# ---------------------------------------------------------------------------
# Differential runner
# ---------------------------------------------------------------------------

class Cmd:
    """A scripted command with a comparison mode.

    mode:
      'exact'     replies must be identical (type and value)
      'unordered' array replies compared as multisets
      'pairs'     flat [k1, v1, k2, v2...] arrays compared as sets of pairs
      'type'      only the reply type and, for arrays, the length
      'approx'    integer replies within `tol` of each other
                  (negative values, e.g. -1/-2 for TTL, must match exactly)
      'scan'      SCAN-family: iterate the cursor until 0 on each server and
                  compare the set union of returned elements
                  (`pairs=True` for HSCAN/ZSCAN, cursor at `cursor_index`)
    """

    def __init__(self, args, mode="exact", tol=0, cursor_index=None,
                 pairs=False, allow_unknown=False):
        if isinstance(args, str):
            args = shlex.split(args)
        self.args = list(args)
        self.mode = mode
        self.tol = tol
        self.pairs = pairs
        self.allow_unknown = allow_unknown
        if cursor_index is None and mode == "scan":
            cursor_index = 1 if self.args[0].upper() == "SCAN" else 2
        self.cursor_index = cursor_index

    def __repr__(self):
        return " ".join(a if isinstance(a, str) else repr(a)
                        for a in self.args)


class Sleep:
    """Pseudo command: sleep once (both servers already got prior commands)."""

    def __init__(self, seconds):
        self.seconds = seconds

    def __repr__(self):
        return "<sleep %.3fs>" % self.seconds


def U(args):
    return Cmd(args, "unordered")


def P(args):
    return Cmd(args, "pairs")


def T(args):
    return Cmd(args, "type")


def A(args, tol):
    return Cmd(args, "approx", tol=tol)


def S(args, pairs=False):
    return Cmd(args, "scan", pairs=pairs)


def _as_cmd(c):
    if isinstance(c, (Cmd, Sleep)):
        return c
    return Cmd(c)


def _sort_key(r):
    return repr(r)


def _normalize(reply, cmd):
    """Return the value that is compared for `cmd`'s mode."""
    kind, v = reply
    if cmd.mode == "unordered" and kind in ("array", "set"):
        return (kind, sorted(v, key=_sort_key))
    if cmd.mode == "unordered" and kind == "map":
        return (kind, sorted(v, key=_sort_key))
    if cmd.mode == "pairs" and kind == "array":
        if len(v) % 2:
            return reply  # not pairs: compare as is (will likely differ)
        pairs = [(v[i], v[i + 1]) for i in range(0, len(v), 2)]
        return ("pairs", sorted(pairs, key=_sort_key))
    if cmd.mode == "pairs" and kind == "map":
        return ("map", sorted(v, key=_sort_key))
    if cmd.mode == "type":
        if kind in ("array", "set", "map", "push"):
            return (kind, "len=%d" % len(v))
        if kind == "error":
            return reply  # errors must still match exactly
        return (kind, "<any>")
    return reply


def _approx_equal(a, b, tol):
    if a[0] != "int" or b[0] != "int":
        return a == b
    if a[1] < 0 or b[1] < 0:
        return a == b
    return abs(a[1] - b[1]) <= tol


def _run_scan(conn, cmd, max_iters=100000):
    args = list(cmd.args)
    cursor = b"0"
    seen = set()
    for _ in range(max_iters):
        args[cmd.cursor_index] = cursor
        reply = conn.call(*args)
        if reply[0] != "array" or len(reply[1]) != 2 \
                or reply[1][0][0] != "bulk" or reply[1][1][0] != "array":
            return reply  # error or malformed: compared as is
        cursor = reply[1][0][1]
        items = reply[1][1][1]
        if cmd.pairs:
            if len(items) % 2:
                return ("error", b"(harness) odd number of scan elements: "
                        + fmt(reply).encode())
            for i in range(0, len(items), 2):
                seen.add((items[i], items[i + 1]))
        else:
            seen.update(items)
        if cursor == b"0":
            return ("scan-union", sorted(seen, key=_sort_key))
    return ("error", b"(harness) scan did not terminate")


def _server_port(s):
    return s.port if hasattr(s, "port") else int(s)


def diff_run(commands, servers, protocol=2, dump=None):
    """Run `commands` against two servers and compare every reply.

    commands: list of argument lists, shell-like strings ("SET k 'a b'"),
              Cmd objects (see U/P/T/A/S helpers) or Sleep(seconds).
    servers:  (server_under_test, reference) - Server objects or ports.
    protocol: 3 to send HELLO 3 first on both connections.

    Returns a list of mismatch descriptions (empty when all replies match).
    A reply of "unknown command" from the reference is reported as a
    script bug unless the Cmd has allow_unknown=True.
    """
    if dump is None:
        dump = bool(os.environ.get("E2E_DUMP"))
    test_srv, ref_srv = servers
    conns = [RespConn(_server_port(test_srv)), RespConn(_server_port(ref_srv))]
    mismatches = []
    try:
        if protocol == 3:
            for c in conns:
                r = c.call("HELLO", "3")
                if r[0] != "map":
                    mismatches.append("HELLO 3 did not return a map on "
                                      "port %d: %s" % (c.port, fmt(r)))
                    return mismatches
        for idx, raw_cmd in enumerate(commands):
            cmd = _as_cmd(raw_cmd)
            if isinstance(cmd, Sleep):
                time.sleep(cmd.seconds)
                continue
            replies = []
            for c in conns:
                try:
                    if cmd.mode == "scan":
                        replies.append(_run_scan(c, cmd))
                    else:
                        replies.append(c.call(*cmd.args))
                except (ConnectionClosed, OSError, ValueError) as e:
                    replies.append(("exception", "%s: %s" % (
                        type(e).__name__, e)))
            got, want = replies
            if dump:
                print("[%d] %r -> %s" % (idx, cmd, fmt(want, 2000)))
            if want[0] == "exception":
                mismatches.append("#%d %r: reference failed: %s" % (
                    idx, cmd, want[1]))
                break
            if is_error(want, "ERR unknown command") and not cmd.allow_unknown:
                mismatches.append("#%d %r: script bug - reference says %s" % (
                    idx, cmd, fmt(want)))
                continue
            if got[0] == "exception":
                mismatches.append("#%d %r: server under test failed: %s "
                                  "(reference replied %s)" % (
                                      idx, cmd, got[1], fmt(want)))
                break  # the connection is gone; later results are noise
            if cmd.mode == "approx":
                same = _approx_equal(got, want, cmd.tol)
            else:
                same = _normalize(got, cmd) == _normalize(want, cmd)
            if not same:
                mismatches.append(
                    "#%d %r [%s]\n      cordis:    %s\n      reference: %s" % (
                        idx, cmd, cmd.mode, fmt(got), fmt(want)))
    finally:
        for c in conns:
            c.close()
    return mismatches


class DiffTestCase(unittest.TestCase):
    """Base class: starts the server under test and the reference once."""

    server = None
    reference = None

    reference_missing = None

    @classmethod
    def setUpClass(cls):
        try:
            cls.reference = start_reference()
        except unittest.SkipTest as e:
            # Tests that need the reference skip themselves (see
            # need_reference); the others still run against the server.
            cls.reference = None
            cls.reference_missing = str(e)
        cls.server = start_server(SERVER_PATH)

    @classmethod
    def tearDownClass(cls):
        for s in (cls.server, cls.reference):
            if s is not None:
                s.stop()

    def setUp(self):
        for s in (self.server, self.reference):
            if s is None:
                continue
            with s.conn() as c:
                r = c.call("FLUSHALL")
                self.assertEqual(r, ("simple", b"OK"),
                                 "FLUSHALL failed on %r" % s)

    def need_reference(self):
        if self.reference is None:
            self.skipTest(self.reference_missing or "no reference server")

    def assertSame(self, commands, protocol=2, min_commands=1):
        self.need_reference()
        cmds = [c for c in commands if not isinstance(c, Sleep)]
        self.assertGreaterEqual(len(cmds), min_commands)
        mismatches = diff_run(commands, (self.server, self.reference),
                              protocol=protocol)
        if mismatches:
            self.fail("%d of %d replies differ from the reference:\n  %s" % (
                len(mismatches), len(cmds), "\n  ".join(mismatches)))
        return len(cmds)


def count_commands(*scripts):
    return sum(len([c for c in s if not isinstance(c, Sleep)])
               for s in scripts)


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------

def parse_server_arg(argv):
    """Remove --server PATH / --server=PATH from argv; return PATH or None."""
    path = None
    out = [argv[0]]
    i = 1
    while i < len(argv):
        a = argv[i]
        if a == "--server" and i + 1 < len(argv):
            path = argv[i + 1]
            i += 2
            continue
        if a.startswith("--server="):
            path = a.split("=", 1)[1]
            i += 1
            continue
        out.append(a)
        i += 1
    argv[:] = out
    return path


def main():
    global SERVER_PATH
    path = parse_server_arg(sys.argv)
    if path:
        SERVER_PATH = os.path.abspath(path)
    if not os.path.exists(SERVER_PATH):
        print("server binary not found: %s (pass --server PATH)" % SERVER_PATH,
              file=sys.stderr)
        sys.exit(2)
    if redis is None:
        print("redis-py is not importable; run with /usr/bin/python3",
              file=sys.stderr)
        sys.exit(2)
    prog = unittest.main(exit=False, verbosity=2)
    ok = prog.result.wasSuccessful()
    if not ok:
        for srv in _SERVERS:
            if os.path.abspath(srv.path) == os.path.abspath(REFERENCE_SERVER) \
                    and not is_redis(SERVER_PATH):
                continue  # the reference's log is rarely interesting
            print("\n===== log of %r (%s) =====" % (srv, srv.path),
                  file=sys.stderr)
            print(srv.log_text()[-20000:], file=sys.stderr)
    sys.exit(0 if ok else 1)
