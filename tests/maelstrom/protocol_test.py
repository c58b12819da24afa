#!/usr/bin/python3
"""Bad input meets a real cordis-maelstrom process: malformed lines, requests before init, unknown
types, wrong field types, forged and corrupt peer messages, invalid UTF-8. Every request with a
msg_id gets an error reply with Maelstrom's code, nothing else appears on stdout, and the node
keeps serving afterwards. Python 3 standard library only.

Usage: protocol_test.py --bin build/bin/cordis-maelstrom
"""

import argparse
import base64
import json
import os
import select
import subprocess
import sys
import time


class Node:
    def __init__(self, binary, *args):
        self.p = subprocess.Popen([binary, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        self.buf = b""

    def send_raw(self, data):
        self.p.stdin.write(data + b"\n")
        self.p.stdin.flush()

    def send(self, body, src="c1", dest="n0"):
        self.send_raw(json.dumps({"src": src, "dest": dest, "body": body}).encode())

    def lines(self, wait=0.3, until=None):
        """Every line the node writes within `wait` seconds, parsed (a non-JSON line fails); with
        `until`, returns as soon as that many lines arrived."""
        out, deadline = [], time.monotonic() + wait
        while time.monotonic() < deadline and (until is None or len(out) < until):
            r, _, _ = select.select([self.p.stdout], [], [], max(0, deadline - time.monotonic()))
            if not r:
                break
            chunk = os.read(self.p.stdout.fileno(), 1 << 16)
            if not chunk:
                break
            self.buf += chunk
            *done, self.buf = self.buf.split(b"\n")
            out.extend(json.loads(l) for l in done)
        return out

    def replies(self, wait=0.3, until=None):
        return [m for m in self.lines(wait, until) if m["body"].get("type") != "cordis"]

    def close(self):
        self.p.stdin.close()
        rc = self.p.wait(5)
        err = self.p.stderr.read().decode(errors="replace")
        return rc, err


def expect(cond, what):
    if not cond:
        raise AssertionError(what)
    print("ok: " + what)


def error_code(reply, msg_id):
    b = reply["body"]
    return b.get("code") if b.get("type") == "error" and b.get("in_reply_to") == msg_id else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    a = ap.parse_args()
    n = Node(a.bin, "--tick_ms=50")

    n.send({"type": "read", "msg_id": 1})
    r = n.replies(10.0, until=1)  # the process may still be starting (sanitizers, a busy machine)
    expect(len(r) == 1 and error_code(r[0], 1) == 11, "a request before init gets error 11")

    n.send({"type": "init", "msg_id": 2, "node_id": "n0", "node_ids": ["n0", "n1"]}, src="c0")
    r = n.replies()
    expect(r and r[0]["body"] == {"type": "init_ok", "in_reply_to": 2, "msg_id": r[0]["body"]["msg_id"]}
           and r[0]["dest"] == "c0" and r[0]["src"] == "n0", "init gets init_ok from n0 to c0")

    bad = [
        (b"not json at all", None),
        (b"[1,2,3]", None),
        (b'{"src":"c1","dest":"n0"}', None),
        (b'{"src":"c1","dest":"n0","body":{"msg_id":10}}', 12),          # no type
        (b'{"src":"c1","body":{"type":"read","msg_id":11}}', 12),         # no dest
        (b'{"src":"c1","dest":"n0","body":{"type":"add","msg_id":12,"delta":"7"}}', 12),
        (b'{"src":"c1","dest":"n0","body":{"type":"add","msg_id":13,"delta":1e300}}', 12),
        (b'{"src":"c1","dest":"n0","body":{"type":"add","msg_id":14,"delta":99999999999999999999999}}', 12),
        (b'{"src":"c1","dest":"n0","body":{"type":"add","msg_id":15}}', 12),
        (b'{"src":"c1","dest":"n0","body":{"type":"cas","msg_id":16,"key":1}}', 12),
        (b'{"src":"c1","dest":"n0","body":{"type":"write","msg_id":17,"key":1}}', 12),
        (b'{"src":"c1","dest":"n0","body":{"type":"frobnicate","msg_id":18}}', 10),
        (b'{"src":"c1","dest":"n0","body":{"type":"echo","msg_id":19}}', 12),
        (b'{"src":"c1","dest":"n0","body":{"type":"add","msg_id":20,"element":"\xff\xfe"}}', None),
    ]
    for line, code in bad:
        n.send_raw(line)
    r = n.replies(0.5)
    codes = {m["body"].get("in_reply_to"): m["body"].get("code") for m in r}
    for line, code in bad:
        if code is None:
            continue
        mid = json.loads(line)["body"]["msg_id"]
        expect(codes.get(mid) == code, "%s -> error %s" % (line.decode()[:70], code))
    expect(len(r) == sum(1 for _, code in bad if code is not None),
           "exactly one reply per bad line that names a msg_id, none for the others")

    # Forged and corrupt peer traffic is dropped with a log line, never applied.
    n.send({"type": "cordis", "data": "!!!not base64"}, src="n1")
    n.send({"type": "cordis", "data": base64.b64encode(b"\xff\xff\xff\xff").decode()}, src="n1")
    n.send({"type": "cordis"}, src="n1")
    n.send({"type": "cordis", "data": base64.b64encode(b"\x08\x05").decode()}, src="n1")  # from=5
    n.send({"type": "cordis", "data": base64.b64encode(b"\x08\x02").decode()}, src="n1")  # no body
    n.send({"type": "cordis", "data": base64.b64encode(b"\x08\x01").decode()}, src="n7")
    n.lines(0.3)

    # The node still serves, and the workload state is intact.
    n.send({"type": "add", "msg_id": 30, "delta": 5})
    n.send({"type": "add", "msg_id": 31, "delta": -2})
    n.send({"type": "read", "msg_id": 32})
    r = {m["body"]["in_reply_to"]: m["body"] for m in n.replies()}
    expect(r.get(30, {}).get("type") == "add_ok" and r.get(31, {}).get("type") == "add_ok",
           "adds still acknowledged after the bad input")
    expect(r.get(32) and r[32].get("type") == "read_ok" and r[32].get("value") == 3,
           "read sees exactly the two good adds: 3")
    n.send({"type": "echo", "msg_id": 33, "echo": {"nested": [1, "two", None]}})
    r = n.replies()
    expect(r and r[0]["body"].get("echo") == {"nested": [1, "two", None]}, "echo returns JSON as sent")

    # n0 is the lowest replica: it serves lin-kv with Maelstrom's error codes.
    n.send({"type": "read", "msg_id": 40, "key": "k"})
    n.send({"type": "cas", "msg_id": 41, "key": "k", "from": 1, "to": 2})
    n.send({"type": "cas", "msg_id": 42, "key": "k", "from": 1, "to": 2, "create_if_not_exists": True})
    n.send({"type": "cas", "msg_id": 43, "key": "k", "from": 1, "to": 3})
    n.send({"type": "read", "msg_id": 44, "key": "k"})
    r = {m["body"]["in_reply_to"]: m["body"] for m in n.replies()}
    expect(r[40].get("code") == 20 and r[41].get("code") == 20, "missing key: read and cas get 20")
    expect(r[42].get("type") == "cas_ok", "cas with create_if_not_exists creates")
    expect(r[43].get("code") == 22, "cas with the wrong from gets 22")
    expect(r[44].get("value") == 2, "read after cas sees 2")

    rc, err = n.close()
    expect(rc == 0, "exits 0 when stdin closes")
    expect("not valid JSON" in err and "bad peer message" in err, "bad lines are logged on stderr")

    # A node that is not the lowest replica refuses lin-kv rather than risk a stale read.
    m = Node(a.bin)
    m.send({"type": "init", "msg_id": 1, "node_id": "n1", "node_ids": ["n0", "n1", "n2"]}, src="c0")
    m.send({"type": "write", "msg_id": 2, "key": 1, "value": 1})
    m.send({"type": "read", "msg_id": 3, "key": 1})
    r = {x["body"]["in_reply_to"]: x["body"] for x in m.replies(10.0, until=3)}
    expect(r[2].get("code") == 11 and r[3].get("code") == 11, "n1 answers lin-kv with error 11")
    rc, _ = m.close()
    expect(rc == 0, "second node exits 0")

    # --workload removes the guess: a read before any add already has its shape.
    for workload, field, empty in (("g-set", "value", []), ("pn-counter", "value", 0),
                                   ("broadcast", "messages", [])):
        w = Node(a.bin, "--workload=" + workload)
        w.send({"type": "init", "msg_id": 1, "node_id": "n0", "node_ids": ["n0"]}, src="c0")
        w.send({"type": "read", "msg_id": 2})
        r = {x["body"]["in_reply_to"]: x["body"] for x in w.replies(10.0, until=2)}
        expect(r[2].get("type") == "read_ok" and r[2].get(field) == empty,
               "--workload=%s: a first read answers %s=%r" % (workload, field, empty))
        w.close()

    # Flags are checked.
    p = subprocess.run([a.bin, "--workload=nope"], stdin=subprocess.DEVNULL, capture_output=True)
    expect(p.returncode == 2 and b"unknown workload" in p.stderr and not p.stdout,
           "an unknown --workload is refused with status 2")
    print("all protocol checks passed")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print("FAILED: %s" % e)
        sys.exit(1)
