#!/usr/bin/env bash
# Installs what is missing, builds Release, and starts cordis-server on port 6379 with its data
# in ./data. Extra arguments go to the server (e.g. --port 7000 --loglevel debug).
source "$(dirname "$0")/common.sh"
install_missing
# Same configuration as test.sh, so switching between the two never rebuilds everything.
build "$ROOT/build" Release -DCORDIS_WERROR=ON -- cordis-server
mkdir -p "$ROOT/data"
exec "$ROOT/build/bin/cordis-server" --port 6379 --dir "$ROOT/data" "$@"
