#!/usr/bin/env bash
# Crash test users can run: SIGKILLs cordis-server 100 times while clients write with
# appendfsync always (and 25 times with everysec), restarting it on the same --dir each time and
# checking that every acknowledged write survived (tests/e2e/test_crash_recovery.py).
# Usage: scripts/crash-test.sh [KILLS]   (CRASH_SEED=N to replay a run)
source "$(dirname "$0")/common.sh"
install_missing
build "$ROOT/build" Release -- cordis-server >&2
export CRASH_KILLS="${1:-100}"
exec /usr/bin/python3 "$ROOT/tests/e2e/test_crash_recovery.py" --server "$ROOT/build/bin/cordis-server" \
  CrashRecoveryTest.test_always_loses_no_acknowledged_write \
  CrashRecoveryTest.test_everysec_loses_at_most_a_second
