#!/usr/bin/env python3
"""Writes docs/commands.md from the running server's own command table (COMMAND DOCS), and lists
the Redis 7 commands of the same groups that Cordis does not have yet (from a real redis-server's
COMMAND DOCS, when one is installed). Usage: scripts/gen_commands_doc.py build/bin/cordis-server"""

import os
import sys

sys.dont_write_bytecode = True
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
import harness  # noqa: E402

GROUPS = ["connection", "server", "generic", "string", "bitmap", "list", "set", "hash",
          "sorted-set", "transactions"]


# Notes on commands whose behaviour here differs from, or is narrower than, Redis's. Kept in the
# generator so that regenerating the page keeps them.
NOTES = """## Notes

- **OBJECT ENCODING** names how this server holds the value, with Redis's names where they fit:
  strings `int` / `embstr` / `raw` by Redis's rules on the bytes (an integer of at most 20
  characters; up to 44 bytes; longer) — every string is one LWW register here, so a short string
  built by APPEND, SETRANGE, SETBIT, BITFIELD or BITOP is `embstr` (or `int`) where Redis says
  `raw`; lists `quicklist` (an RGA in a ring of elements; Redis 7.0 also says `quicklist`); sets
  and hashes `hashtable` at every size (there is no intset or listpack); sorted sets `listpack` or
  `skiplist` (always a hash table plus a skip list, but the set tracks Redis's encoding because a
  few replies depend on it).
- **OBJECT REFCOUNT** is 1, except 2147483647 for integers 0..9999 (Redis shares those).
  **OBJECT IDLETIME** is 0 and **OBJECT FREQ** is 5 (Redis's value for a fresh key): no access
  times or frequencies are kept; both give Redis's errors for the configured maxmemory-policy.
  **TOUCH** counts the keys that exist.
- **DUMP / RESTORE** use Cordis's own payload (core/keyspace/dump_format.h: the logical content,
  a format version and an FNV-1a 64 checksum). Damaged payloads and Redis's RDB payloads are
  rejected with `ERR DUMP payload version or checksum are wrong`. RESTORE accepts REPLACE,
  ABSTTL, IDLETIME and FREQ (validated like Redis; no access data is kept).
- **WATCH** is optimistic locking on this replica: EXEC aborts when a watched key was modified
  here (by any client, by a peer's replicated op, or by expiry) since WATCH; see
  docs/semantics.md.
- **SETBIT, BITFIELD, BITOP** replicate the whole resulting string (LWW, docs/semantics.md), so a
  write to a large bitmap costs O(its length) here, where Redis's SETBIT is O(1).
- **COPY, MOVE, SWAPDB, LMOVE, *STORE, SORT ... STORE** replicate as compositions of ordinary ops;
  SWAPDB rewrites every key of both databases (O(keys)), see docs/semantics.md.
- **CONFIG**: Redis's encoding thresholds (`list-max-listpack-size`, `list-compress-depth`,
  `set-max-intset-entries`, `zset-max-listpack-entries`/`-value`, `hash-max-listpack-entries`/
  `-value`, `stream-node-max-bytes`/`-entries`, and their `ziplist` aliases) are known, validated
  and stored with Redis's defaults so clients and tools that set them work; this server's
  encodings do not depend on them (the sorted-set listpack tracking uses Redis's defaults, 128
  entries / 64 bytes). `maxmemory-policy` is validated (it only affects OBJECT FREQ/IDLETIME; there
  is no eviction). CONFIG REWRITE answers like Redis without a config file: settings come from
  flags.
- **MEMORY USAGE** reports the entry, key and the value's own accounting, CRDT metadata included
  (tombstones, concurrent registers); SAMPLES is validated and ignored (the whole value is
  counted). MEMORY DOCTOR/STATS/MALLOC-STATS/PURGE are not supported.
- **SLOWLOG** works as in Redis 7.0 (slowlog-log-slower-than, slowlog-max-len; 32 arguments of
  128 bytes at most per entry); commands are timed with the driver's monotonic clock (the
  simulator has none: every command takes 0 us there).
- **LATENCY** LATEST, HISTORY, RESET and DOCTOR work as in Redis for the events `command` and
  `fast-command` (latency-monitor-threshold); GRAPH lists the samples as text instead of Redis's
  ASCII chart; HISTOGRAM is not supported (no per-command histograms are kept).
- **DEBUG SLEEP** stalls the whole server as in Redis (the driver sleeps after the batch; the
  stall counts in the command's SLOWLOG time). DEBUG RELOAD is not supported.
- **CLIENT PAUSE / UNPAUSE** hold commands as Redis does (WRITE: commands that write, and EXEC of
  a queue that writes; ALL: every command, CLIENT UNPAUSE included); held commands keep their
  order; active expiry waits too. **CLIENT KILL** takes Redis 7.0's filters (ID, ADDR, LADDR,
  TYPE, USER, SKIPME) and the old `ip:port` form. CLIENT REPLY ON/OFF/SKIP works as in Redis;
  CLIENT NO-EVICT is accepted (nothing is evicted here).
"""


def docs(client):
    raw = client.execute_command("COMMAND DOCS")  # one string: skips redis-py's COMMAND parser
    out = {}
    for i in range(0, len(raw), 2):
        name = raw[i].decode()
        fields = raw[i + 1]
        d = {fields[j].decode(): fields[j + 1] for j in range(0, len(fields), 2)}
        out[name] = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in d.items()}
    return out


def main():
    server = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build/bin/cordis-server")
    srv = harness.start_server(server)
    ours = docs(srv.client())
    srv.stop()
    theirs = {}
    if os.path.exists("/usr/bin/redis-server"):
        ref = harness.start_reference()
        theirs = docs(ref.client())
        ref.stop()
    lines = ["# Commands", "",
             "Generated by `scripts/gen_commands_doc.py` from the server's own command table "
             "(`COMMAND DOCS`). Replies and errors follow Redis 7.0; the differential tests in "
             "`tests/e2e/test_differential_*.py` compare them with a real redis-server.", ""]
    for g in GROUPS:
        names = sorted(n for n, d in ours.items() if d.get("group") == g)
        if not names:
            continue
        lines += ["## " + g, "", "| command | since | summary |", "| --- | --- | --- |"]
        for n in names:
            d = ours[n]
            lines.append("| %s | %s | %s |" % (n.upper(), d.get("since", ""), d.get("summary", "")))
        missing = sorted(n for n, d in theirs.items()
                         if d.get("group") == g and n not in ours and "|" not in n)
        if missing:
            lines += ["", "Not supported yet (planned in the command-coverage issue unless noted): " +
                      ", ".join(m.upper() for m in missing) + "."]
        lines.append("")
    lines += NOTES.split("\n")
    with open(os.path.join(ROOT, "docs", "commands.md"), "w") as f:
        f.write("\n".join(lines))
    print("wrote docs/commands.md: %d commands" % len(ours))


if __name__ == "__main__":
    main()
