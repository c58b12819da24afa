#!/usr/bin/env python3
"""Runs redis-benchmark against a real redis-server and cordis-server in alternation (A B A B ...)
and prints median ops/s per command and pipeline depth, the server's CPU time per op (which the
benchmark client's share of a small machine does not move), plus bytes per key for 1M small
strings.
Both run without persistence, except with --persistence: SET throughput with appendfsync
always, everysec and no on both servers (Redis with --appendonly yes), side by side."""

import argparse
import csv
import io
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

TESTS = ["SET", "GET", "INCR", "LPUSH", "RPOP", "SADD", "HSET", "ZADD", "LRANGE_100", "MSET",
         "PING_MBULK"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            out = subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True,
                                 text=True, timeout=2).stdout
            if "PONG" in out:
                return
        except subprocess.TimeoutExpired:
            pass
        time.sleep(0.05)
    raise RuntimeError("server on %d did not start" % port)


def start(kind, cordis, tmp, fsync=None):
    """Starts a server; fsync=None: no persistence, else --appendonly yes --appendfsync fsync."""
    port = free_port()
    d = tempfile.mkdtemp(dir=tmp)
    aof = ["--appendonly", "no"] if fsync is None else ["--appendonly", "yes", "--appendfsync", fsync]
    if kind == "redis":
        argv = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                "--dir", d] + aof
    else:
        argv = [cordis, "--port", str(port), "--bind", "127.0.0.1", "--dir", d, "--save", "",
                "--loglevel", "warn"] + aof
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_ready(port)
    return p, port


def cpu_seconds(pid):
    """User + system CPU time the process has used, from /proc/PID/stat."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench(port, pid, pipeline, requests, tests=TESTS):
    """Runs each test on its own; returns {test: (ops/s, server CPU microseconds per op)}.

    The CPU figure is the server's user + system time over the run divided by the requests: it
    does not depend on how much of the machine the benchmark client took, which ops/s does on a
    small machine. LRANGE_100's run starts with redis-benchmark's own LPUSH fill; the LPUSH cost
    measured just before is subtracted from it."""
    rows = {}
    for t in tests:
        argv = ["redis-benchmark", "-p", str(port), "-c", "50", "-n", str(requests), "-r",
                "100000", "-P", str(pipeline), "--csv", "-t", t.lower()]
        before = cpu_seconds(pid)
        out = subprocess.run(argv, capture_output=True, text=True, timeout=600).stdout
        cpu_us = (cpu_seconds(pid) - before) * 1e6 / requests
        for row in csv.reader(io.StringIO(out)):
            if not row or row[0] == "test":
                continue
            if row[0].startswith("LPUSH") and "LRANGE" in row[0]:
                if "LPUSH" in rows:
                    cpu_us -= rows["LPUSH"][1]
                continue
            rows.setdefault(t, (float(row[1]), cpu_us))
    return rows


def info_field(port, section, field):
    out = subprocess.run(["redis-cli", "-p", str(port), "info", section], capture_output=True,
                         text=True).stdout
    for line in out.splitlines():
        if line.startswith(field + ":"):
            return int(line.split(":", 1)[1])
    return 0


def memory_per_key(port, keys):
    base = info_field(port, "memory", "used_memory")
    # Mass insert with redis-cli --pipe: 16-byte values.
    payload = io.StringIO()
    for i in range(keys):
        k = "key:%012d" % i
        payload.write("*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$16\r\n%016d\r\n" % (len(k), k, i))
    subprocess.run(["redis-cli", "-p", str(port), "--pipe"], input=payload.getvalue(),
                   capture_output=True, text=True, check=True)
    used = info_field(port, "memory", "used_memory")
    n = int(subprocess.run(["redis-cli", "-p", str(port), "dbsize"], capture_output=True,
                           text=True).stdout.strip())
    return (used - base) / max(n, 1), n


def persistence_bench(a, tmp):
    """SET ops/s per appendfsync policy, Redis and Cordis alternating, medians of a.rounds."""
    results = {}
    for fsync in ("always", "everysec", "no"):
        for r in range(a.rounds):
            for kind in ("redis", "cordis"):
                p, port = start(kind, a.cordis, tmp, fsync)
                try:
                    rows = bench(port, p.pid, 1, a.requests, tests=["SET"])
                finally:
                    p.terminate()
                    p.wait()
                results.setdefault((kind, fsync), []).append(rows["SET"][0])
                print("round %d %s %s done" % (r + 1, fsync, kind), file=sys.stderr)
    print("| SET, appendfsync | Redis ops/s | Cordis ops/s | ratio |")
    print("| --- | --- | --- | --- |")
    for fsync in ("always", "everysec", "no"):
        rm = statistics.median(results[("redis", fsync)])
        cm = statistics.median(results[("cordis", fsync)])
        print("| %s | %.0f | %.0f | %.2f |" % (fsync, rm, cm, cm / rm))
    print("\nredis-benchmark -t set -c 50 -P 1 -r 100000 -n %d, rounds=%d; Redis: --appendonly yes "
          "--save ''; Cordis: --save ''; %d cores" % (a.requests, a.rounds, os.cpu_count()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cordis", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=200000)
    ap.add_argument("--memory-keys", type=int, default=1000000)
    ap.add_argument("--quick", action="store_true", help="1 round, fewer requests")
    ap.add_argument("--persistence", action="store_true",
                    help="only SET throughput per appendfsync policy, next to Redis's")
    a = ap.parse_args()
    if a.quick:
        a.rounds, a.requests, a.memory_keys = 1, 50000, 100000
    tmp = tempfile.mkdtemp(prefix="cordis-bench-")
    if a.persistence:
        return persistence_bench(a, tmp)
    results = {}  # (kind, depth, test) -> [ops]
    procs = {k: start(k, a.cordis, tmp) for k in ("redis", "cordis")}
    try:
        for depth in (1, 16):
            for r in range(a.rounds):
                for kind in ("redis", "cordis"):
                    rows = bench(procs[kind][1], procs[kind][0].pid, depth, a.requests)
                    for t, v in rows.items():
                        results.setdefault((kind, depth, t), []).append(v)
                    print("round %d depth %d %s done" % (r + 1, depth, kind), file=sys.stderr)
        mem = {}
        for kind in ("redis", "cordis"):
            subprocess.run(["redis-cli", "-p", str(procs[kind][1]), "flushall"],
                           capture_output=True)
            mem[kind] = memory_per_key(procs[kind][1], a.memory_keys)
    finally:
        for p, _ in procs.values():
            p.terminate()
            p.wait()
    print("| command | depth | Redis ops/s | Cordis ops/s | ratio | Redis CPU us/op | "
          "Cordis CPU us/op | CPU ratio |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for depth in (1, 16):
        for t in TESTS:
            r = results.get(("redis", depth, t))
            c = results.get(("cordis", depth, t))
            if not r or not c:
                continue
            rm, cm = statistics.median(x[0] for x in r), statistics.median(x[0] for x in c)
            ru, cu = statistics.median(x[1] for x in r), statistics.median(x[1] for x in c)
            print("| %s | %d | %.0f | %.0f | %.2f | %.2f | %.2f | %.2f |" % (
                t, depth, rm, cm, cm / rm, ru, cu, ru / cu if cu > 0 else float("nan")))
    print()
    print("| memory (%d SETs, 16-byte values) | bytes/key |" % a.memory_keys)
    print("| --- | --- |")
    for kind in ("redis", "cordis"):
        print("| %s | %.1f (dbsize %d) |" % (kind, mem[kind][0], mem[kind][1]))
    print("| ratio | %.2f |" % (mem["cordis"][0] / mem["redis"][0]))
    print("\nmachine: %d cores, %s; rounds=%d requests=%d clients=50 -r 100000" % (
        os.cpu_count(), open("/proc/cpuinfo").read().split("model name")[1].split(":")[1]
        .split("\n")[0].strip(), a.rounds, a.requests))


if __name__ == "__main__":
    main()
