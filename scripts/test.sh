#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, runs every test through ctest, then
# runs the unit and property tests again under AddressSanitizer + UBSan.
source "$(dirname "$0")/common.sh"
install_missing
JOBS="$(nproc)"

build "$ROOT/build" Release -DCORDIS_WERROR=ON
(cd "$ROOT/build" && ctest --output-on-failure -j "$JOBS" --timeout 600 -LE e2e)
(cd "$ROOT/build" && ctest --output-on-failure -j 1 --timeout 600 -L e2e)

build "$ROOT/build-asan" Debug -DCORDIS_WERROR=ON -DCORDIS_SANITIZE=ON \
  -- cordis_unit_tests cordis_property_tests cordis-server cordis-maelstrom cordis_maelstrom_tests
# Everything again under the sanitizers; ctest's summary line is the last thing printed.
(cd "$ROOT/build-asan" && ctest --output-on-failure -j "$JOBS" --timeout 900)
