#!/bin/bash
# bench/callgrind.sh -- instructions per packet of WireGuard mode's seal and open paths, counted
# by valgrind's callgrind (the same on a busy machine as on an idle one, unlike a clock).
# Runs build/bench/bench_wg_seal_open, which dumps one profile per phase; the figure is that
# phase's total instructions (every thread of the process) divided by the packet count. This
# is not a test: it only prints figures.
#
# Usage:  bench/callgrind.sh [PATH/TO/bench_wg_seal_open]   (default build/bench/bench_wg_seal_open)
# Env:    PACKETS=20000 INNER=1420 (inner packet bytes) BATCH=45 (packets per sealBatch/openBatch,
#         1 = packet by packet) THREADS=1 (crypto threads per direction)
#         OUT=/tmp/peertun-callgrind/<time>
# Needs:  valgrind (scripts/deps.sh --bench)
set -u
export LC_ALL=C
REPO=$(cd "$(dirname "$0")/.." && pwd)
PROG=${1:-$REPO/build/bench/bench_wg_seal_open}
PACKETS=${PACKETS:-20000}
INNER=${INNER:-1420}
BATCH=${BATCH:-45}
THREADS=${THREADS:-1}
OUT=${OUT:-/tmp/peertun-callgrind/$(date +%Y%m%d-%H%M%S)}

command -v valgrind >/dev/null || { echo "callgrind: valgrind is not installed (scripts/deps.sh --bench)" >&2; exit 1; }
[ -x "$PROG" ] || { echo "callgrind: no program at $PROG (cmake --build build --target bench_wg_seal_open)" >&2; exit 1; }
mkdir -p "$OUT" || exit 1

valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out.%p" \
    "$PROG" "$PACKETS" "$INNER" "$BATCH" "$THREADS" >"$OUT/program.txt" 2>"$OUT/valgrind.log"
rc=$?
cat "$OUT/program.txt"
[ $rc = 0 ] || { echo "callgrind: the program failed (exit $rc); see $OUT/valgrind.log" >&2; exit 1; }

# Each dump names its trigger ("Client Request: seal") and ends with "totals: <Ir>".
for phase in seal open; do
    f=$(grep -l "^desc: Trigger: Client Request: $phase\$" "$OUT"/callgrind.out.* 2>/dev/null | head -n 1)
    [ -n "$f" ] || { echo "callgrind: no dump for $phase in $OUT" >&2; exit 1; }
    ir=$(sed -n 's/^totals: \([0-9]*\).*/\1/p' "$f")
    [ -n "$ir" ] || ir=$(sed -n 's/^summary: \([0-9]*\).*/\1/p' "$f")
    echo "$phase: $((ir / PACKETS)) instructions per packet ($ir over $PACKETS packets of $INNER bytes, batch $BATCH, $THREADS thread(s))"
done
echo "profiles: $OUT (callgrind_annotate --inclusive=yes FILE)"
