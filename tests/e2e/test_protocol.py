"""Wire protocol: inline commands, pipelining, partial reads, malformed
input, QUIT, HELLO/RESP3, error formats and MULTI/EXEC/DISCARD.

Wherever possible the exact bytes are compared with a reference
redis-server instead of hand-written expectations.
"""

import os
import socket
import sys
import time

sys.dont_write_bytecode = True  # keep __pycache__ out of the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import RespConn, encode, raw, raw_ex, read_until  # noqa: E402


def count_replies(n):
    """expect= predicate: buffer holds at least n complete CRLF lines."""
    return lambda buf: buf.count(b"\r\n") >= n


class ProtocolTest(harness.DiffTestCase):

    # -- helpers -------------------------------------------------------------
    def both_raw(self, data, read_timeout=1.0, expect=None, chunks=None,
                 delay=0.0):
        """Send the same bytes to both servers; assert identical replies.
        Without a reference server only the server under test is asked (the
        caller's own expectations still apply)."""
        got, got_closed = raw_ex(self.server.port, data, read_timeout, expect,
                                 chunks, delay)
        if self.reference is None:
            return got
        want, want_closed = raw_ex(self.reference.port, data, read_timeout,
                                   expect, chunks, delay)
        self.assertEqual(got, want, "reply bytes differ for %r" % data[:200])
        self.assertEqual(got_closed, want_closed,
                         "connection-closed state differs for %r" % data[:200])
        return got

    # -- inline commands -----------------------------------------------------
    def test_inline_ping(self):
        self.assertEqual(raw(self.server.port, b"PING\r\n",
                             expect=7), b"+PONG\r\n")
        self.both_raw(b"PING\r\n", expect=7)

    def test_inline_lf_only_like_netcat(self):
        got = self.both_raw(b"SET a b\nGET a\nDEL a\n",
                            expect=count_replies(4))
        self.assertEqual(got, b"+OK\r\n$1\r\nb\r\n:1\r\n")

    def test_inline_whitespace_quotes_and_empty_lines(self):
        got = self.both_raw(b"\r\n\r\n  PING   \r\nSET   k    v\r\nGET k\r\n",
                            expect=count_replies(4))
        self.assertEqual(got, b"+PONG\r\n+OK\r\n$1\r\nv\r\n")
        got = self.both_raw(b"SET \"k 1\" 'v 2'\r\nGET \"k 1\"\r\n"
                            b"ECHO \"a\\x41\\n\\t\"\r\nECHO ''\r\n",
                            expect=count_replies(7))
        self.assertEqual(got, b"+OK\r\n$3\r\nv 2\r\n$4\r\naA\n\t\r\n$0\r\n\r\n")

    def test_inline_and_multibulk_mixed(self):
        got = self.both_raw(b"PING\r\n*1\r\n$4\r\nPING\r\nECHO x\r\n"
                            b"*2\r\n$4\r\nECHO\r\n$0\r\n\r\n",
                            expect=count_replies(6))
        self.assertEqual(got, b"+PONG\r\n+PONG\r\n$1\r\nx\r\n$0\r\n\r\n")

    def test_empty_multibulk_is_ignored(self):
        got = self.both_raw(b"*0\r\n*-1\r\nPING\r\n", expect=7)
        self.assertEqual(got, b"+PONG\r\n")

    # -- pipelining and partial input ----------------------------------------
    def test_pipeline_1000_commands_in_one_send(self):
        cmds = []
        expected = []
        for i in range(1, 1001):
            if i % 4 == 0:
                cmds.append(encode(["SET", "k%d" % i, "v%d" % i]))
                expected.append(b"+OK\r\n")
            elif i % 4 == 1:
                cmds.append(encode(["INCR", "counter"]))
                expected.append(b":%d\r\n" % ((i + 3) // 4))
            elif i % 4 == 2:
                cmds.append(b"GET k%d\r\n" % (i - 2))  # inline, set earlier
                v = b"v%d" % (i - 2) if (i - 2) % 4 == 0 and i > 2 else None
                expected.append(b"$%d\r\n%s\r\n" % (len(v), v) if v
                                else b"$-1\r\n")
            else:
                cmds.append(encode(["ECHO", "e%d" % i]))
                e = b"e%d" % i
                expected.append(b"$%d\r\n%s\r\n" % (len(e), e))
        want = b"".join(expected)
        data = b"".join(cmds)
        got = raw(self.server.port, data, read_timeout=5.0, expect=len(want))
        self.assertEqual(len(got), len(want))
        self.assertEqual(got, want)
        c = self.server.client()
        self.assertEqual(c.get("counter"), b"250")
        self.assertEqual(c.get("k1000"), b"v1000")
        self.assertEqual(c.dbsize(), 251)

    def test_slow_reader_gets_a_large_reply_intact_while_others_are_served(self):
        # 64 GETs of a 1 MB value in one send: 64 MB of replies, far more than the socket
        # buffers hold, so the server must wait for the client to drain them (EPOLLOUT) while
        # other clients keep being served, and not a byte may be lost or reordered.
        c = self.server.client()
        value = bytes(range(256)) * 4096
        self.assertTrue(c.set("big", value))
        one = b"$%d\r\n%s\r\n" % (len(value), value)
        n = 64
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        try:
            s.sendall(encode(["GET", "big"]) * n + encode(["PING"]))
            time.sleep(0.3)  # the server has filled the socket and waits
            for i in range(20):
                self.assertEqual(c.incr("other"), i + 1)
            want = len(one) * n + len(b"+PONG\r\n")
            got = bytearray()
            while len(got) < want:
                chunk = s.recv(1 << 16)
                if not chunk:
                    break
                got += chunk
                if len(got) < 4 << 20:
                    time.sleep(0.001)  # a slow start
            self.assertEqual(len(got), want)
            self.assertTrue(bytes(got[:len(one)]) == one)
            self.assertTrue(bytes(got[len(one) * (n - 1):len(one) * n]) == one)
            self.assertEqual(bytes(got[-7:]), b"+PONG\r\n")
        finally:
            s.close()
        self.assertEqual(c.ping(), True)

    def test_pipeline_of_inline_commands(self):
        data = b"".join(b"RPUSH l %d\r\n" % i for i in range(500))
        want = b"".join(b":%d\r\n" % (i + 1) for i in range(500))
        got = raw(self.server.port, data, read_timeout=5.0, expect=len(want))
        self.assertEqual(got, want)

    def test_command_split_into_single_bytes(self):
        data = (encode(["SET", "split", "hello world"]) + b"GET split\r\n" +
                encode(["RPUSH", "sl", "a", "b"]))
        got = self.both_raw(data, chunks=1, delay=0.001,
                            expect=count_replies(4))
        self.assertEqual(got, b"+OK\r\n$11\r\nhello world\r\n:2\r\n")

    def test_command_split_across_sends_with_pauses(self):
        with socket.create_connection(("127.0.0.1", self.server.port)) as s:
            s.sendall(b"*3\r\n$3\r\nSET\r\n$2\r\nab\r\n$1")
            time.sleep(0.1)
            s.sendall(b"0\r\n0123456")
            time.sleep(0.1)
            s.sendall(b"789\r\n*1\r\n$4\r\nPI")
            time.sleep(0.1)
            s.sendall(b"NG\r\n*2\r\n$3\r\nGET\r\n$2\r\nab\r\n")
            got, closed = read_until(s, 2.0, expect=count_replies(4))
        self.assertFalse(closed)
        self.assertEqual(got, b"+OK\r\n+PONG\r\n$10\r\n0123456789\r\n")

    def test_large_bulk_argument(self):
        value = bytes(range(256)) * (4 * 1024 * 4)  # 4 MiB, all byte values
        with RespConn(self.server.port) as c:
            self.assertEqual(c.call("SET", "big", value), ("simple", b"OK"))
            self.assertEqual(c.call("STRLEN", "big"), ("int", len(value)))
            self.assertEqual(c.call("GET", "big"), ("bulk", value))
            self.assertEqual(c.call("GETRANGE", "big", "256", "511"),
                             ("bulk", bytes(range(256))))

    # -- malformed input -----------------------------------------------------
    MALFORMED = [
        b"*abc\r\n",
        b"*1\r\n$-5\r\n",
        b"*1\r\n$999999999999\r\n",
        b"*1\r\n$abc\r\n",
        b"*1\r\nx\r\n",
        b"*2\r\n$4\r\nECHO\r\n+notabulk\r\n",
        b'SET "a b\r\n',
        b"SET 'a b\r\n",
        b'SET "a"b c\r\n',
    ]

    def test_malformed_input_closes_only_that_connection(self):
        for srv in (self.reference, self.server):
            if srv is None:
                continue
            other = RespConn(srv.port)
            try:
                self.assertEqual(other.call("SET", "survivor", "intact"),
                                 ("simple", b"OK"))
                self.assertEqual(other.call("RPUSH", "survlist", "a", "b"),
                                 ("int", 2))
                for bad in self.MALFORMED:
                    # a valid command first, then garbage on the same socket
                    data = encode(["PING"]) + bad
                    got, closed = raw_ex(srv.port, data, read_timeout=3.0)
                    with self.subTest(server=srv, input=bad):
                        self.assertTrue(got.startswith(b"+PONG\r\n"), got)
                        err = got[len(b"+PONG\r\n"):]
                        self.assertTrue(
                            err.startswith(b"-ERR Protocol error: "),
                            "expected '-ERR Protocol error: ...', got %r" % err)
                        self.assertTrue(err.endswith(b"\r\n"), err)
                        self.assertEqual(err.count(b"\r\n"), 1, err)
                        self.assertTrue(closed,
                                        "connection not closed after %r" % bad)
                    # the other client is unaffected
                    self.assertEqual(other.call("PING"), ("simple", b"PONG"))
                    self.assertEqual(other.call("GET", "survivor"),
                                     ("bulk", b"intact"))
                self.assertEqual(other.call("LRANGE", "survlist", "0", "-1"),
                                 ("array", [("bulk", b"a"), ("bulk", b"b")]))
                self.assertEqual(other.call("DBSIZE"), ("int", 2))
            finally:
                other.close()
        self.assertTrue(self.server.alive())

    def test_protocol_error_messages_match_reference(self):
        # Stricter than the test above: the text after "Protocol error: "
        # must also be Redis's.
        self.need_reference()
        for bad in self.MALFORMED:
            got, _ = raw_ex(self.server.port, bad, read_timeout=3.0)
            want, _ = raw_ex(self.reference.port, bad, read_timeout=3.0)
            with self.subTest(input=bad):
                self.assertEqual(got, want)

    # -- QUIT ----------------------------------------------------------------
    def test_quit(self):
        got, closed = raw_ex(self.server.port, b"*1\r\n$4\r\nQUIT\r\n",
                             read_timeout=3.0)
        self.assertEqual(got, b"+OK\r\n")
        self.assertTrue(closed)
        got, closed = raw_ex(self.server.port, b"QUIT\r\n", read_timeout=3.0)
        self.assertEqual(got, b"+OK\r\n")
        self.assertTrue(closed)

    def test_commands_after_quit_are_not_executed(self):
        got = self.both_raw(b"SET before 1\r\nQUIT\r\nSET afterquit 1\r\n",
                            read_timeout=3.0)
        self.assertEqual(got, b"+OK\r\n+OK\r\n")
        self.assertEqual(self.server.client().exists("before", "afterquit"), 1)

    # -- HELLO / RESP3 -------------------------------------------------------
    def hello_map(self, reply):
        self.assertEqual(reply[0], "map", harness.fmt(reply))
        return {k[1]: v for k, v in reply[1]}

    def test_hello3_switches_to_resp3(self):
        with RespConn(self.server.port) as c:
            c.call("SET", "s", "v")
            reply = c.call("HELLO", "3")
            m = self.hello_map(reply)
            for key in (b"server", b"version", b"proto", b"id", b"mode",
                        b"role", b"modules"):
                self.assertIn(key, m, "HELLO reply lacks %r" % key)
            self.assertEqual(m[b"proto"], ("int", 3))
            self.assertEqual(m[b"id"][0], "int")
            # raw bytes of RESP3-specific replies
            c.call("ZADD", "z", "2.5", "m")
            c.call("HSET", "h", "f", "v")
            c.call("SADD", "set", "x")
            checks = [
                (["GET", "missing"], b"_\r\n"),
                (["GET", "s"], b"$1\r\nv\r\n"),
                (["ZSCORE", "z", "m"], b",2.5\r\n"),
                (["ZRANGE", "z", "0", "-1", "WITHSCORES"],
                 b"*1\r\n*2\r\n$1\r\nm\r\n,2.5\r\n"),
                (["HGETALL", "h"], b"%1\r\n$1\r\nf\r\n$1\r\nv\r\n"),
                (["SMEMBERS", "set"], b"~1\r\n$1\r\nx\r\n"),
                (["LPOP", "nolist", "2"], b"_\r\n"),
                (["ZINCRBY", "z", "1", "m"], b",3.5\r\n"),
                (["EXISTS", "s"], b":1\r\n"),
            ]
            for args, want in checks:
                c.send_raw(encode(args))
                got, _ = read_until(c.sock, 2.0, expect=len(want))
                self.assertEqual(got, want, "RESP3 reply to %r" % args)
            # back to RESP2
            reply = c.call("HELLO", "2")
            self.assertEqual(reply[0], "array", harness.fmt(reply))
            flat = reply[1]
            self.assertEqual(len(flat) % 2, 0)
            fields = {flat[i][1]: flat[i + 1] for i in range(0, len(flat), 2)}
            self.assertEqual(fields[b"proto"], ("int", 2))
            c.send_raw(encode(["GET", "missing"]))
            got, _ = read_until(c.sock, 2.0, expect=5)
            self.assertEqual(got, b"$-1\r\n")

    def test_hello_errors_match_reference(self):
        harness_cmds = ["HELLO 4", "HELLO 1", "HELLO abc", "PING",
                        harness.Cmd("HELLO", "type")]
        # HELLO without arguments answers in the current protocol; compare
        # only the reply type and size (server name/version/id differ).
        self.assertSame(harness_cmds)

    def test_resp3_differential(self):
        self.assertSame([
            "SET k v", "GET k", "GET nope", "MGET k nope", "RPUSH l a b",
            "LPOP nope 2", "LPOP l 5", "LRANGE l 0 -1", "HSET h a 1 b 2",
            harness.P("HGETALL h"), "HGET h zz", "SADD s 1",
            harness.U("SMEMBERS s"), "SISMEMBER s 1", "ZADD z 1.5 a 3 b",
            "ZSCORE z a", "ZRANGE z 0 -1 WITHSCORES", "ZPOPMIN z",
            "ZPOPMAX z 2", "INCRBYFLOAT f 2.5", "EXPIRETIME k",
            harness.T("TIME"), harness.Cmd("NOSUCHCMD x", allow_unknown=True),
            "GET", "MULTI", "SET a 1", "GET a", "EXEC",
        ], protocol=3)

    # -- error formats -------------------------------------------------------
    def test_unknown_command_error(self):
        got = self.both_raw(b"*3\r\n$3\r\nfoo\r\n$1\r\na\r\n$1\r\nb\r\n",
                            expect=count_replies(1))
        self.assertEqual(
            got, b"-ERR unknown command 'foo', with args beginning with: "
                 b"'a' 'b' \r\n")
        got = self.both_raw(b"foo\r\n", expect=count_replies(1))
        self.assertEqual(
            got, b"-ERR unknown command 'foo', with args beginning with: \r\n")
        self.both_raw(b"FooBar x\r\n", expect=count_replies(1))
        self.assertSame([harness.Cmd("NOTACOMMAND", allow_unknown=True),
                         harness.Cmd("notacommand a b c", allow_unknown=True),
                         "PING"])

    def test_wrong_arity_error(self):
        got = self.both_raw(b"GET\r\n", expect=count_replies(1))
        self.assertEqual(
            got, b"-ERR wrong number of arguments for 'get' command\r\n")
        got = self.both_raw(b"*3\r\n$3\r\nGeT\r\n$1\r\na\r\n$1\r\nb\r\n",
                            expect=count_replies(1))
        self.assertEqual(
            got, b"-ERR wrong number of arguments for 'get' command\r\n")
        self.assertSame(["SET a", "LPUSH l", "ZADD z 1", "HSET h f",
                         "EXPIRE k", "PING a b", "DBSIZE x", "MGET",
                         "GETEX", "LPOS l"])

    # -- transactions --------------------------------------------------------
    def test_multi_exec(self):
        self.assertSame([
            "MULTI",
            "SET a 1",
            "INCR a",
            "INCRBY a 10",
            "GET a",
            "RPUSH l x y",
            "LRANGE l 0 -1",
            "PING",
            "EXEC",
            "GET a",
            "MULTI",
            "EXEC",
            "EXEC",
            "DISCARD",
        ])

    def test_multi_discard(self):
        self.assertSame([
            "SET keep 1",
            "MULTI",
            "SET keep 2",
            "SET other 3",
            "DISCARD",
            "GET keep",
            "EXISTS other",
            "DISCARD",
            "MULTI",
            "DISCARD",
            "EXEC",
        ])

    def test_execabort_on_queue_time_errors(self):
        self.assertSame([
            "SET x 1",
            "MULTI",
            "INCR x",
            "SET x",            # wrong arity -> rejected at queue time
            "INCR x",
            "EXEC",            # EXECABORT
            "GET x",
            "MULTI",
            "INCR x",
            harness.Cmd("NOSUCHCOMMAND a", allow_unknown=True),
            "EXEC",
            "GET x",
            "MULTI",
            "GET",
            "DISCARD",         # discarding a dirty transaction is fine
            "GET x",
        ])

    def test_errors_inside_exec_are_returned_in_place(self):
        self.assertSame([
            "SET s notanumber",
            "RPUSH l a",
            "MULTI",
            "INCR s",           # runtime error
            "SET k v",
            "LPUSH s x",        # WRONGTYPE
            "SET k2 v NX XX",   # syntax error detected at exec time
            "GET l",            # WRONGTYPE
            "INCR counter",
            "EXPIRE k 10 NX XX",
            "LRANGE l 0 -1",
            "EXEC",
            "GET k",
            "EXISTS k2",
            "GET counter",
        ])

    def test_nested_multi(self):
        self.assertSame([
            "MULTI",
            "SET n 1",
            "MULTI",
            "INCR n",
            "EXEC",
            "GET n",
            "EXEC",
            "MULTI",
            "MULTI",
            "DISCARD",
            "GET n",
        ])

    def test_multi_with_expiry_and_reads(self):
        self.assertSame([
            "MULTI",
            "SET t v EX 100",
            "TTL t",
            "PERSIST t",
            "TTL t",
            "DEL t",
            "EXISTS t",
            "EXEC",
            "MULTI",
            "ZADD z 1 a",
            "ZINCRBY z 1.5 a",
            "ZRANGE z 0 -1 WITHSCORES",
            "HSET h f v",
            "HGETALL h",
            "EXEC",
        ])

    def test_multi_on_raw_connection(self):
        got = self.both_raw(b"MULTI\r\nSET a 1\r\nINCR a\r\nEXEC\r\n",
                            expect=count_replies(6))
        self.assertEqual(got, b"+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n:2\r\n")


if __name__ == "__main__":
    harness.main()
