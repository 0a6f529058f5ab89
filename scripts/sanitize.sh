#!/bin/bash
# Sanitizer builds of the tests, with clang 14, each building only what its tests need:
#   asan  build-asan: ASan + UBSan. The unit tests (not the widgets': those build all of the
#         app), and the fuzz harnesses' bounded runs (ctest -L fuzz; tests/fuzz, PEERTUN_FUZZ).
#   tsan  build-tsan: ThreadSanitizer. The tests of threads: the counters (one writer per
#         counter, readers on other threads), the crypto workers (tst_workerpool), the
#         forwarding loop's two threads over the fakes (tst_forwardingloop, also forwarding
#         while the peers change), the live peer table (tst_livepeers: readers and swaps), and
#         the e2e tunnel tests of both modes run
#         against the TSan build of the helper (two forwarding threads, the route guard, the
#         WireGuard timers, the stats reader). Needs root for the e2e part. (tst_wg_handshake
#         counts allocations with its own operator new, which TSan's runtime also defines.)
# A sanitizer report fails the run. scripts/fuzz.sh runs the harnesses for longer.
#   scripts/sanitize.sh [asan|tsan|all]
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
jobs=${JOBS:-$(nproc)}

configure() {
    local dir=$1
    shift
    cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCMAKE_CXX_COMPILER=clang++-14 "$@" >/dev/null
}

if [ "$what" = asan ] || [ "$what" = all ]; then
    start=$SECONDS
    configure build-asan -DPEERTUN_SANITIZER=address -DPEERTUN_FUZZ=ON
    cmake --build build-asan -j "$jobs" --target peertun_unit_tests peertun_fuzzers
    echo "sanitize.sh: asan build took $((SECONDS - start)) s" >&2
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
        ctest --test-dir build-asan -L '^(unit|fuzz)$' -LE '^(gui|not-sanitized)$' \
        --output-on-failure --no-tests=error
    echo "sanitize.sh: asan took $((SECONDS - start)) s in all" >&2
fi

if [ "$what" = tsan ] || [ "$what" = all ]; then
    start=$SECONDS
    configure build-tsan -DPEERTUN_SANITIZER=thread
    cmake --build build-tsan -j "$jobs" --target tst_counters tst_workerpool tst_forwardingloop tst_livepeers peertun-helper
    # The e2e tests themselves come from the normal build: Qt is not built with TSan, and an
    # instrumented QProcess cannot fork under it. What they test, the helper, is the TSan one.
    e2e=build/tests/root/e2e
    [ -x $e2e/tst_e2e_tunnel ] && [ -x $e2e/tst_e2e_wireguard ] ||
        cmake --build build -j "$jobs" --target tst_e2e_tunnel tst_e2e_wireguard
    echo "sanitize.sh: tsan build took $((SECONDS - start)) s" >&2
    reports=$PWD/build-tsan/tsan-reports
    rm -rf "$reports"
    mkdir -p "$reports"
    # Reports go to files: the helpers run in the background of the e2e tests, where an exit
    # code would be lost. Without ASLR (setarch -R), clang 14's TSan also works on kernels with
    # more mmap randomization than it knows (vm.mmap_rnd_bits > 28).
    export TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp:halt_on_error=0:second_deadlock_stack=1:log_path=$reports/report"
    norandom=(setarch "$(uname -m)" -R)
    status=0
    "${norandom[@]}" ctest --test-dir build-tsan -R '^(tst_counters|tst_workerpool|tst_forwardingloop|tst_livepeers)$' --output-on-failure \
        --no-tests=error || status=$?
    for t in tst_e2e_tunnel tst_e2e_wireguard; do
        echo "sanitize.sh: $t with the TSan helper" >&2
        PEERTUN_HELPER=$PWD/build-tsan/helper/peertun-helper \
            "${norandom[@]}" timeout 600 "$e2e/$t" || status=$?
    done
    if compgen -G "$reports/report*" >/dev/null; then
        cat "$reports"/report* >&2
        echo "sanitize.sh: ThreadSanitizer reported the above" >&2
        status=1
    fi
    echo "sanitize.sh: tsan took $((SECONDS - start)) s in all" >&2
    exit $status
fi
