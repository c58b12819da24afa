#!/usr/bin/python3
"""A small Maelstrom: runs N cordis-maelstrom processes, speaks Maelstrom's protocol to them, and
checks the results with Maelstrom's rules. Python 3 standard library only.

The harness plays Maelstrom's three parts:
  network  every node-to-node message is delayed by a random latency, dropped with probability
           --loss, and dropped while a partition separates the two nodes. Client messages get the
           latency only (Maelstrom never partitions clients from their node).
  nemesis  with --nemesis partition: every --nemesis-interval seconds it alternates between
           cutting the cluster (one node isolated, or a random split in two halves) and healing.
  clients  --clients logical clients, each bound to one node, each with at most one request in
           flight, issue the workload's operations at --rate operations per second in total for
           --time seconds. A request without a reply after --timeout seconds is indeterminate.
Then the nemesis heals, the harness waits --recovery seconds, reads every node once, and checks:
  echo        every echo_ok carries exactly what was sent
  unique-ids  no id is acknowledged twice
  g-counter,  every final read = sum of acknowledged adds + the sum of some subset of the
  pn-counter  indeterminate adds; all final reads agree
  g-set,      every acknowledged element is in every final read, no read holds an element
  broadcast   never added; all final reads agree
  lin-kv      the history of reads, writes and cas on each key is linearizable for a register
              (a Wing-Gong/Lowe search: some order of the operations, each taking effect between
              its invocation and its reply, explains every result)
Every random choice comes from --seed, so a run's schedule reproduces (process timing aside).

Exit status: 0 when the result is what --expect asks for (valid by default), 1 when it is not,
2 when the run itself broke (a node crashed, wrote a non-protocol line, never answered init, or no
operation succeeded).
"""

import argparse
import heapq
import itertools
import json
import os
import random
import selectors
import subprocess
import sys
import tempfile
import time

WORKLOADS = ["echo", "unique-ids", "broadcast", "g-set", "g-counter", "pn-counter", "lin-kv"]
DEFINITE_ERRORS = {1, 10, 11, 12, 14, 20, 21, 22, 30}  # Maelstrom: these did not happen


class RunBroken(Exception):
    """The run could not be carried out (distinct from an invalid result)."""


class Op:
    def __init__(self, client, node, f, value, invoke):
        self.client, self.node, self.f, self.value = client, node, f, value
        self.invoke, self.complete = invoke, None
        self.status = None  # "ok", "fail" (definitely did not happen) or "info" (unknown)
        self.result = None  # reply body

    def __repr__(self):
        return "%s %s %s %r -> %s %r [%.3f, %s]" % (
            self.client, self.node, self.f, self.value, self.status, self.result, self.invoke,
            "inf" if self.complete is None else "%.3f" % self.complete)


class Network:
    """Maelstrom's network: per-message latency, loss and partitions between nodes."""

    def __init__(self, rng, nodes, latency_ms, loss):
        self.rng, self.nodes, self.latency_ms, self.loss = rng, nodes, latency_ms, loss
        self.queue = []  # (deliver_at, seq, dest, line)
        self.seq = itertools.count()
        self.components = None  # node -> component number while partitioned
        self.stats = {"node_msgs": 0, "lost": 0, "cut": 0, "client_msgs": 0}

    def partition(self, groups):
        self.components = {n: i for i, g in enumerate(groups) for n in g}

    def heal(self):
        self.components = None

    def send(self, now, src, dest, line):
        between_nodes = src in self.nodes and dest in self.nodes
        if between_nodes:
            self.stats["node_msgs"] += 1
            if self.components and self.components[src] != self.components[dest]:
                self.stats["cut"] += 1
                return
            if self.rng.random() < self.loss:
                self.stats["lost"] += 1
                return
        else:
            self.stats["client_msgs"] += 1
        delay = self.rng.uniform(self.latency_ms[0], self.latency_ms[1]) / 1000.0
        heapq.heappush(self.queue, (now + delay, next(self.seq), dest, line))

    def due(self, now):
        while self.queue and self.queue[0][0] <= now:
            _, _, dest, line = heapq.heappop(self.queue)
            yield dest, line

    def next_time(self):
        return self.queue[0][0] if self.queue else None


class Cluster:
    """The node processes: stdin lines in, stdout lines out, stderr to a log file each."""

    def __init__(self, binary, n, node_args, logdir):
        self.names = ["n%d" % i for i in range(n)]
        self.procs, self.buffers, self.logs = {}, {}, {}
        self.sel = selectors.DefaultSelector()
        for name in self.names:
            log = open(os.path.join(logdir, name + ".log"), "wb")
            p = subprocess.Popen([binary] + node_args, stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=log)
            os.set_blocking(p.stdout.fileno(), False)
            self.sel.register(p.stdout, selectors.EVENT_READ, name)
            self.procs[name], self.buffers[name], self.logs[name] = p, b"", log.name

    def write(self, name, line):
        p = self.procs[name]
        try:
            p.stdin.write(line.encode() + b"\n")
            p.stdin.flush()
        except BrokenPipeError:
            raise RunBroken("%s exited (stdin closed)\n%s" % (name, self.log_tail(name)))

    def read(self, timeout):
        """Lines the nodes wrote within timeout seconds, as (node, line)."""
        out = []
        for key, _ in self.sel.select(timeout):
            name = key.data
            chunk = os.read(key.fileobj.fileno(), 1 << 20)
            if not chunk:
                self.sel.unregister(key.fileobj)
                continue
            buf = self.buffers[name] + chunk
            *lines, self.buffers[name] = buf.split(b"\n")
            out.extend((name, l.decode(errors="replace")) for l in lines)
        return out

    def check_alive(self):
        for name, p in self.procs.items():
            if p.poll() is not None:
                raise RunBroken("%s exited with status %s\n%s" %
                                (name, p.returncode, self.log_tail(name)))

    def log_tail(self, name, lines=20):
        with open(self.logs[name], "rb") as f:
            return "\n".join(f.read().decode(errors="replace").splitlines()[-lines:])

    def stop(self):
        for p in self.procs.values():
            try:
                p.stdin.close()
            except OSError:
                pass
        deadline = time.monotonic() + 3
        for p in self.procs.values():
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


class Generator:
    """The workload's operations: what a client asks next, as (f, value, request body)."""

    def __init__(self, workload, rng):
        self.workload, self.rng = workload, rng
        self.counter = itertools.count(1)

    def next(self):
        w, r = self.workload, self.rng
        if w == "echo":
            v = "please echo %d" % r.randrange(1 << 30)
            return "echo", v, {"type": "echo", "echo": v}
        if w == "unique-ids":
            return "generate", None, {"type": "generate"}
        if w in ("broadcast", "g-set"):
            if r.random() < 0.5:
                return "read", None, {"type": "read"}
            v = next(self.counter)
            if w == "broadcast":
                return "add", v, {"type": "broadcast", "message": v}
            return "add", v, {"type": "add", "element": v}
        if w in ("g-counter", "pn-counter"):
            if r.random() < 0.3:
                return "read", None, {"type": "read"}
            d = r.randint(0, 5) if w == "g-counter" else r.randint(-5, 5)
            return "add", d, {"type": "add", "delta": d}
        # lin-kv: few keys and small values, so operations contend.
        k, x = r.randrange(3), r.random()
        if x < 0.4:
            return "read", (k, None), {"type": "read", "key": k}
        if x < 0.7:
            v = r.randrange(5)
            return "write", (k, v), {"type": "write", "key": k, "value": v}
        a, b = r.randrange(5), r.randrange(5)
        return "cas", (k, (a, b)), {"type": "cas", "key": k, "from": a, "to": b}


class Runner:
    def __init__(self, args, logdir):
        self.args = args
        self.rng = random.Random(args.seed)
        self.cluster = Cluster(args.bin, args.nodes, args.node_arg, logdir)
        self.names = self.cluster.names
        self.net = Network(self.rng, set(self.names), args.latency_ms, args.loss)
        self.gen = Generator(args.workload, self.rng)
        self.msg_ids = itertools.count(1)
        self.pending = {}  # (client, msg_id) -> (Op, deadline)
        self.history = []
        self.final_reads = {}  # node -> Op
        self.nemesis_log = []
        self.protocol_errors = []

    # --- plumbing ---
    def request(self, now, client, node, body):
        msg_id = next(self.msg_ids)
        body = dict(body, msg_id=msg_id)
        self.net.send(now, client, node, json.dumps({"src": client, "dest": node, "body": body}))
        return msg_id

    def pump(self, timeout):
        """Moves messages for up to timeout seconds: node output into the network, due messages
        to nodes, replies to their operations."""
        now = time.monotonic()
        nt = self.net.next_time()
        if nt is not None:
            timeout = max(0.0, min(timeout, nt - now))
        for node, line in self.cluster.read(timeout):
            self.route(node, line)
        now = time.monotonic()
        for dest, line in list(self.net.due(now)):
            if dest in self.cluster.procs:
                self.cluster.write(dest, line)
            else:
                self.on_client_message(now, dest, line)
        for key, (op, deadline) in list(self.pending.items()):
            if now >= deadline:
                op.status = "info"  # no reply: it may or may not have happened
                del self.pending[key]
        self.cluster.check_alive()

    def route(self, node, line):
        try:
            msg = json.loads(line)
            src, dest, body = msg["src"], msg["dest"], msg["body"]
            if not isinstance(body, dict) or "type" not in body:
                raise ValueError("body without type")
        except (ValueError, KeyError, TypeError) as e:
            self.protocol_errors.append("%s wrote a non-protocol line (%s): %r" % (node, e, line[:200]))
            return
        if src != node:
            self.protocol_errors.append("%s sent as %s: %r" % (node, src, line[:200]))
            return
        self.net.send(time.monotonic(), src, dest, line)

    def on_client_message(self, now, client, line):
        body = json.loads(line)["body"]
        key = (client, body.get("in_reply_to"))
        if key not in self.pending:
            return  # a late reply to a timed-out request: the op stays indeterminate
        op, _ = self.pending.pop(key)
        op.complete, op.result = now, body
        if body.get("type") == "error":
            op.status = "fail" if body.get("code") in DEFINITE_ERRORS else "info"
        else:
            op.status = "ok"

    def invoke(self, now, client, node, f, value, body, record=True, timeout=None):
        op = Op(client, node, f, value, now)
        msg_id = self.request(now, client, node, body)
        self.pending[(client, msg_id)] = (op, now + (timeout or self.args.timeout))
        if record:
            self.history.append(op)
        return op

    def wait_for(self, ops, limit):
        deadline = time.monotonic() + limit
        while any(op.status is None for op in ops) and time.monotonic() < deadline:
            self.pump(0.01)

    # --- phases ---
    def init(self):
        now = time.monotonic()
        ops = [self.invoke(now, "c0", n, "init", None,
                           {"type": "init", "node_id": n, "node_ids": self.names}, record=False,
                           timeout=5)
               for n in self.names]
        self.wait_for(ops, 5)
        for op in ops:
            if op.status != "ok" or op.result.get("type") != "init_ok":
                raise RunBroken("%s did not answer init: %r" % (op.node, op.result))
        if self.args.workload == "broadcast":
            # Maelstrom sends a topology first; a line of nodes, as its "line" topology.
            topo = {n: [m for m in self.names if abs(int(m[1:]) - int(n[1:])) == 1]
                    for n in self.names}
            now = time.monotonic()
            ops = [self.invoke(now, "c0", n, "topology", None,
                               {"type": "topology", "topology": topo}, record=False, timeout=5)
                   for n in self.names]
            self.wait_for(ops, 5)
            for op in ops:
                if op.status != "ok" or op.result.get("type") != "topology_ok":
                    raise RunBroken("%s did not answer topology: %r" % (op.node, op.result))

    def nemesis_step(self, now, state):
        if self.args.nemesis != "partition" or now < state["next"]:
            return
        state["next"] = now + self.args.nemesis_interval
        if self.net.components is not None:
            self.net.heal()
            self.nemesis_log.append("heal")
            return
        nodes = list(self.names)
        self.rng.shuffle(nodes)
        if self.rng.random() < 0.5:
            groups = [nodes[:1], nodes[1:]]
        else:
            half = len(nodes) // 2
            groups = [nodes[:half], nodes[half:]]
        self.net.partition(groups)
        self.nemesis_log.append("partition " + " | ".join(",".join(sorted(g)) for g in groups))

    def run_clients(self):
        a = self.args
        clients = ["c%d" % (i + 1) for i in range(a.clients)]
        node_of = {c: self.names[i % len(self.names)] for i, c in enumerate(clients)}
        busy = {}
        gap = a.clients / float(a.rate)  # seconds between one client's requests
        next_at = {c: time.monotonic() + self.rng.uniform(0, gap) for c in clients}
        start = time.monotonic()
        nem = {"next": start + a.nemesis_interval}
        while time.monotonic() - start < a.time:
            now = time.monotonic()
            self.nemesis_step(now, nem)
            for c in clients:
                if busy.get(c) is not None and busy[c].status is None:
                    continue
                if now >= next_at[c]:
                    f, value, body = self.gen.next()
                    busy[c] = self.invoke(now, c, node_of[c], f, value, body)
                    next_at[c] = now + self.rng.expovariate(1.0 / gap)
            self.pump(0.002)
        if self.net.components is not None:
            self.nemesis_log.append("heal")
        self.net.heal()
        self.wait_for([op for op, _ in self.pending.values()], a.timeout + 0.5)

    def do_final_reads(self):
        if self.args.workload not in ("broadcast", "g-set", "g-counter", "pn-counter"):
            return
        deadline = time.monotonic() + self.args.recovery
        while time.monotonic() < deadline:
            self.pump(0.01)
        # A final read gets more time than a workload request: on a loaded machine a slow answer
        # is not what these checks are about, a wrong one is.
        now, patience = time.monotonic(), max(5.0, self.args.timeout)
        for i, n in enumerate(self.names):
            self.final_reads[n] = self.invoke(now, "c%d" % (1000 + i), n, "read", None,
                                              {"type": "read"}, record=False, timeout=patience)
        self.wait_for(list(self.final_reads.values()), patience + 0.5)


# --- checkers: each returns a list of problems (empty: valid) ---

def ok_ops(history, f):
    return [op for op in history if op.f == f and op.status == "ok"]


def check_echo(history, final):
    problems = ["%s echoed %r" % (op.node, op.result) for op in ok_ops(history, "echo")
                if op.result.get("type") != "echo_ok" or op.result.get("echo") != op.value]
    return problems


def check_unique_ids(history, final):
    seen, problems = {}, []
    for op in ok_ops(history, "generate"):
        key = json.dumps(op.result.get("id"), sort_keys=True)
        if "id" not in op.result:
            problems.append("generate_ok without id: %r" % op.result)
        elif key in seen:
            problems.append("id %s given twice (%s and %s)" % (key, seen[key].node, op.node))
        seen[key] = op
    return problems


def final_values(final, field):
    problems, values = [], {}
    for node, op in final.items():
        if op.status != "ok" or field not in op.result:
            problems.append("final read on %s failed: %s %r" % (node, op.status, op.result))
        else:
            values[node] = op.result[field]
    return problems, values


def subset_sums(deltas):
    sums = {0}
    for d in deltas:
        sums |= {s + d for s in sums}
    return sums


def check_counter(history, final):
    adds = [op for op in history if op.f == "add"]
    acked = sum(op.value for op in adds if op.status == "ok")
    unknown = [op.value for op in adds if op.status == "info"]
    possible = subset_sums(unknown)
    problems, values = final_values(final, "value")
    for node, v in sorted(values.items()):
        if not isinstance(v, int) or v - acked not in possible:
            problems.append("final read on %s is %r; acknowledged adds sum to %d and %d "
                            "indeterminate adds (%r) allow %d..%d" %
                            (node, v, acked, len(unknown), unknown[:10],
                             acked + min(possible), acked + max(possible)))
    if len(set(map(str, values.values()))) > 1:
        problems.append("final reads disagree: %r" % values)
    return problems


def check_set(history, final, field):
    attempted = {op.value for op in history if op.f == "add"}
    acked = {op.value for op in history if op.f == "add" and op.status == "ok"}
    problems, values = final_values(final, field)
    for op in ok_ops(history, "read") + list(final.values()):
        if op.status == "ok":
            ghosts = set(op.result.get(field, [])) - attempted
            if ghosts:
                problems.append("%s read elements never added: %r" % (op.node, sorted(ghosts)[:10]))
    for node, v in sorted(values.items()):
        missing = acked - set(v)
        if missing:
            problems.append("final read on %s lacks %d acknowledged elements, e.g. %r" %
                            (node, len(missing), sorted(missing)[:10]))
    if len({json.dumps(sorted(v)) for v in values.values()}) > 1:
        problems.append("final reads disagree (sizes %r)" %
                        {n: len(v) for n, v in sorted(values.items())})
    return problems


def register_step(state, op):
    """The register model: (legal, new state). Reads that found no key saw None."""
    f, (_, v) = op.f, op.value
    if f == "read":
        return state == op.observed, state
    if f == "write":
        return True, v
    frm, to = v
    return (state == frm, to) if state == frm else (False, state)


def linearizable(ops):
    """Lowe's just-in-time linearization search with memoization. ok ops must all take effect;
    info ops may take effect (any time after their invocation) or never. Returns None or a
    description of the first point the search could not get past."""
    inf = float("inf")
    ops = sorted(ops, key=lambda o: o.invoke)
    ret = [o.complete if o.status == "ok" else inf for o in ops]
    must = sum(1 << i for i, o in enumerate(ops) if o.status == "ok")
    seen = set()
    best = [0, None]
    sys.setrecursionlimit(max(10000, 4 * len(ops) + 1000))

    def search(done, state):
        if done & must == must:
            return True
        if (done, state) in seen:
            return False
        seen.add((done, state))
        open_ops = [i for i in range(len(ops)) if not done >> i & 1]
        horizon = min(ret[i] for i in open_ops)
        count = bin(done & must).count("1")
        if count > best[0]:
            best[0], best[1] = count, (state, [ops[i] for i in open_ops if ops[i].invoke < horizon])
        for i in open_ops:
            if ops[i].invoke >= horizon:
                break
            legal, nxt = register_step(state, ops[i])
            if legal and search(done | 1 << i, nxt):
                return True
        return False

    if search(0, None):
        return None
    state, candidates = best[1] if best[1] else (None, ops[:5])
    return "stuck with register = %r; none of these can go next: %s" % (
        state, "; ".join(map(repr, candidates[:6])))


def check_lin_kv(history, final):
    problems, by_key = [], {}
    for op in history:
        if op.status == "ok" or (op.status == "info" and op.f != "read"):
            op.observed = op.result.get("value") if op.status == "ok" else None
            by_key.setdefault(op.value[0], []).append(op)
        elif op.f == "read" and op.status == "fail" and op.result.get("code") == 20:
            # "key does not exist" is an observation: the register was empty.
            op.status, op.observed = "ok", None
            by_key.setdefault(op.value[0], []).append(op)
    for k, ops in sorted(by_key.items()):
        why = linearizable(ops)
        if why:
            problems.append("key %r: history of %d ops is not linearizable: %s" % (k, len(ops), why))
    return problems


CHECKERS = {
    "echo": check_echo,
    "unique-ids": check_unique_ids,
    "g-counter": check_counter,
    "pn-counter": check_counter,
    "g-set": lambda h, f: check_set(h, f, "value"),
    "broadcast": lambda h, f: check_set(h, f, "messages"),
    "lin-kv": check_lin_kv,
}


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--bin", required=True, help="path to cordis-maelstrom")
    p.add_argument("--workload", "-w", required=True, choices=WORKLOADS)
    p.add_argument("--nodes", type=int, default=3)
    p.add_argument("--clients", type=int, default=0, help="default: 2 per node")
    p.add_argument("--rate", type=float, default=100, help="operations per second, all clients")
    p.add_argument("--time", type=float, default=5, help="seconds of client operations")
    p.add_argument("--latency-ms", type=lambda s: tuple(map(float, s.split(","))), default=(0, 20),
                   help="MIN,MAX one-way latency in ms, uniform (default 0,20)")
    p.add_argument("--loss", type=float, default=0.0, help="node-to-node message loss probability")
    p.add_argument("--nemesis", choices=["none", "partition"], default="none")
    p.add_argument("--nemesis-interval", type=float, default=1.0)
    p.add_argument("--timeout", type=float, default=1.0, help="seconds before a request is indeterminate")
    p.add_argument("--recovery", type=float, default=3.0, help="seconds after healing before final reads")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--node-arg", action="append", default=[], help="extra argument for every node")
    p.add_argument("--expect", choices=["valid", "invalid"], default="valid")
    p.add_argument("--verbose", "-v", action="store_true")
    a = p.parse_args(argv)
    if a.clients <= 0:
        a.clients = 2 * a.nodes
    return a


def main(argv):
    a = parse_args(argv)
    logdir = tempfile.mkdtemp(prefix="cordis-maelstrom-")
    runner = Runner(a, logdir)
    started = time.monotonic()
    try:
        runner.init()
        runner.run_clients()
        runner.do_final_reads()
    except RunBroken as e:
        print("RUN BROKEN: %s\nnode logs in %s" % (e, logdir))
        return 2
    finally:
        runner.cluster.stop()
    if runner.protocol_errors:
        print("RUN BROKEN: protocol violations:\n  " + "\n  ".join(runner.protocol_errors[:10]))
        return 2
    h = runner.history
    counts = {s: sum(1 for op in h if op.status == s) for s in ("ok", "fail", "info")}
    problems = CHECKERS[a.workload](h, runner.final_reads)
    if counts["ok"] == 0:
        # Not a verdict either way (an --expect invalid run must not pass on a silent node).
        print("RUN BROKEN: no operation succeeded, nothing was tested")
        return 2
    summary = {
        "workload": a.workload, "nodes": a.nodes, "clients": a.clients, "rate": a.rate,
        "time": a.time, "seed": a.seed, "nemesis": a.nemesis, "loss": a.loss,
        "latency_ms": list(a.latency_ms), "node_args": a.node_arg, "ops": len(h), **counts,
        "achieved_rate": round(len(h) / a.time, 1), "network": runner.net.stats,
        "partitions": sum(1 for e in runner.nemesis_log if e.startswith("partition")),
        "final_reads": {n: (op.result or {}).get("value", (op.result or {}).get("messages"))
                        if a.workload in ("g-counter", "pn-counter") else
                        len((op.result or {}).get("value", (op.result or {}).get("messages")) or [])
                        for n, op in runner.final_reads.items()},
        "valid": not problems, "seconds": round(time.monotonic() - started, 1),
    }
    print(json.dumps(summary))
    if a.verbose:
        print("nemesis: " + "; ".join(runner.nemesis_log))
    for p in problems[:20]:
        print("  INVALID: " + p)
    print("node logs in %s" % logdir)
    return 0 if (not problems) == (a.expect == "valid") else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
