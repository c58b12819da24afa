#!/usr/bin/env bash
# Replication throughput and lag of cordis-server on this machine (see docs/benchmarks.md).
# Usage: scripts/bench-replication.sh [--rounds N] [--requests N] [--probes N] [--appendonly yes]
source "$(dirname "$0")/common.sh"
install_missing
build "$ROOT/build-release" Release -DCORDIS_TESTS=OFF -- cordis-server >&2
exec /usr/bin/python3 "$ROOT/scripts/bench_replication.py" \
  --cordis "$ROOT/build-release/bin/cordis-server" "$@"
