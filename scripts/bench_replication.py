#!/usr/bin/env python3
"""Replication benchmark: SET throughput of node A alone and with two peers (redis-benchmark, 50
clients, random keys, pipeline depths 1 and 16), then replication lag A -> B: a probe SETs a fresh
value on A and polls B until it reads it, idle and while redis-benchmark loads A. Nodes run with
--appendonly no by default (only replication is measured); --appendonly yes uses the default
durability (everysec), under which own ops leave for peers only once fsynced (about a second).
Everything (servers, benchmark client, prober) shares this machine's cores."""

import argparse
import csv
import io
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import redis


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self, cordis, n, appendonly, extra=()):
        self.tmp = tempfile.mkdtemp(prefix="cordis-bench-repl-")
        self.procs, self.ports = [], []
        peer_ports = [free_port() for _ in range(n)]
        peers = ",".join("127.0.0.1:%d" % p for p in peer_ports)
        for i in range(n):
            port = free_port()
            argv = [cordis, "--port", str(port), "--peer-port", str(peer_ports[i]),
                    "--replica-id", str(i + 1), "--dir", "%s/n%d" % (self.tmp, i + 1),
                    "--save", "", "--appendonly", appendonly, "--loglevel", "warn", *extra]
            if n > 1:
                argv += ["--peers", peers]
            self.procs.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                                               stderr=subprocess.DEVNULL))
            self.ports.append(port)
        for port in self.ports:
            wait(lambda port=port: redis.Redis(port=port).ping())
        if n > 1:
            wait(lambda: all(redis.Redis(port=p).info("replication")["connected_peers"] == n - 1
                             for p in self.ports))

    def stop(self):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            p.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)


def wait(pred, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if pred():
                return
        except (redis.RedisError, OSError, KeyError):
            pass
        time.sleep(0.05)
    raise RuntimeError("timed out")


def benchmark_argv(port, pipeline, requests):
    return ["redis-benchmark", "-p", str(port), "-c", "50", "-n", str(requests), "-r", "100000",
            "-P", str(pipeline), "--csv", "-t", "set"]


def set_throughput(port, pipeline, requests):
    out = subprocess.run(benchmark_argv(port, pipeline, requests), capture_output=True,
                         text=True, timeout=600).stdout
    for row in csv.reader(io.StringIO(out)):
        if row and row[0] == "SET":
            return float(row[1])
    raise RuntimeError("no SET row in redis-benchmark output: %r" % out)


def lag_probes(a, b, probes, gap_s=0.005):
    """Milliseconds from sending SET on a until b returns the value."""
    ca, cb = redis.Redis(port=a), redis.Redis(port=b)
    out = []
    for i in range(probes):
        key, val = "lagprobe:%d" % i, str(time.time_ns()).encode()
        t0 = time.perf_counter()
        ca.set(key, val)
        while cb.get(key) != val:
            if time.perf_counter() - t0 > 30:
                raise RuntimeError("probe %d never reached B" % i)
        out.append((time.perf_counter() - t0) * 1000)
        time.sleep(gap_s)
    return out


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cordis", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=200000)
    ap.add_argument("--probes", type=int, default=500)
    ap.add_argument("--appendonly", default="no")
    args = ap.parse_args()

    print("SET throughput on node A (redis-benchmark -t set -c 50 -r 100000 -n %d, median of %d, "
          "--appendonly %s)" % (args.requests, args.rounds, args.appendonly))
    print("| SET, 50 clients | depth | 0 peers ops/s | 2 peers ops/s | ratio |")
    print("| --- | --- | --- | --- | --- |")
    for depth in (1, 16):
        res = {}
        for n in (1, 3):
            runs = []
            for _ in range(args.rounds):
                cl = Cluster(args.cordis, n, args.appendonly)
                try:
                    runs.append(set_throughput(cl.ports[0], depth, args.requests))
                finally:
                    cl.stop()
            res[n] = statistics.median(runs)
        print("| node A | %d | %.0f | %.0f | %.2f |" % (depth, res[1], res[3], res[3] / res[1]))
        sys.stdout.flush()

    cl = Cluster(args.cordis, 3, args.appendonly)
    try:
        a, b = cl.ports[0], cl.ports[1]
        rows = [("idle", lag_probes(a, b, args.probes))]
        load = subprocess.Popen(benchmark_argv(a, 1, 100_000_000), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            time.sleep(1)
            c0 = redis.Redis(port=a).info("stats")["total_commands_processed"]
            t0 = time.time()
            lags = lag_probes(a, b, args.probes)
            rate = (redis.Redis(port=a).info("stats")["total_commands_processed"] - c0) / (
                time.time() - t0)
        finally:
            load.terminate()
            load.wait()
        rows.append(("under load (redis-benchmark SET -c 50 on A, %.0f ops/s)" % rate, lags))
        print("\n| replication lag A -> B (3 nodes) | probes | p50 ms | p99 ms | max ms |")
        print("| --- | --- | --- | --- | --- |")
        for name, xs in rows:
            print("| %s | %d | %.2f | %.2f | %.2f |" % (name, len(xs), pct(xs, 50), pct(xs, 99),
                                                       max(xs)))
        info = redis.Redis(port=b).info("replication")
        print("\nB after the run: remote_ops_applied=%s remote_ops_duplicate=%s snapshots_installed=%s"
              % (info["remote_ops_applied"], info["remote_ops_duplicate"],
                 info["snapshots_installed"]))
    finally:
        cl.stop()


if __name__ == "__main__":
    main()
