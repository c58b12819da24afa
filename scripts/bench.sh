#!/usr/bin/env bash
# Cordis vs real Redis on this machine, side by side (see docs/benchmarks.md).
# Usage: scripts/bench.sh [--rounds N] [--requests N] [--quick] [--persistence]
#   --persistence: SET throughput with appendfsync always/everysec/no next to redis-server's.
source "$(dirname "$0")/common.sh"
install_missing
build "$ROOT/build-release" Release -DCORDIS_TESTS=OFF -- cordis-server >&2
exec /usr/bin/python3 "$ROOT/scripts/bench.py" --cordis "$ROOT/build-release/bin/cordis-server" "$@"
