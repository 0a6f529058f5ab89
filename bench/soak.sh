#!/bin/bash
# bench/soak.sh [SECONDS] -- the helper through a long day of faults (default 600 s): two
# tunnels (plain, WireGuard) under ping while their far sides restart, routes are deleted, the
# underlay link flaps, ten clients read stats at 20 Hz and a third tunnel comes and goes.
# Prints the helper's memory and fds over time and what was lost; figures, not verdicts.
# Everything runs in namespaces and on a private bus that bench_soak makes and removes
# (tests/root/lab/DBusHarness), like the D-Bus tests. Root; BUILD=build by default.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$REPO/build}
[ "$(id -u)" = 0 ] || { echo "bench/soak.sh: needs root" >&2; exit 2; }
cmake --build "$BUILD" --target bench_soak peertun-helper peertunctl >/dev/null
PEERTUN_HELPER=$BUILD/helper/peertun-helper PEERTUNCTL=$BUILD/app/cli/peertunctl \
    exec "$BUILD/bench/bench_soak" "${1:-600}"
