#!/bin/bash
# Sanitizer builds of the tests, with clang 14, each building only what its tests need:
#   asan  build-asan: ASan + UBSan. The unit tests, and the fuzz harnesses' bounded runs
#         (ctest -L 'unit|fuzz'; tests/fuzz, PEERTUN_FUZZ).
#   tsan  build-tsan: ThreadSanitizer. The tests of threads: the counters (one writer per
#         counter, readers on other threads), two WireGuard devices used from several threads,
#         and the e2e tunnel tests, whose helper (two forwarding threads, the route guard, the
#         stats reader) is the TSan build. Needs root for the e2e part.
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
        ctest --test-dir build-asan -L 'unit|fuzz' --output-on-failure --no-tests=error
    echo "sanitize.sh: asan took $((SECONDS - start)) s in all" >&2
fi

if [ "$what" = tsan ] || [ "$what" = all ]; then
    start=$SECONDS
    configure build-tsan -DPEERTUN_SANITIZER=thread
    cmake --build build-tsan -j "$jobs" --target tst_counters tst_wg_handshake tst_e2e_tunnel \
        peertun-helper
    echo "sanitize.sh: tsan build took $((SECONDS - start)) s" >&2
    reports=$PWD/build-tsan/tsan-reports
    rm -rf "$reports"
    mkdir -p "$reports"
    # Reports go to files: the helpers run in the background of the e2e tests, where an
    # exit code would be lost. Without ASLR, clang 14's TSan works on kernels with more mmap
    # randomization than it knows (vm.mmap_rnd_bits > 28).
    status=0
    TSAN_OPTIONS="halt_on_error=0:second_deadlock_stack=1:log_path=$reports/report" \
        setarch "$(uname -m)" -R \
        ctest --test-dir build-tsan -R '^(tst_counters|tst_wg_handshake|tst_e2e_tunnel)$' \
        --output-on-failure --no-tests=error || status=$?
    if compgen -G "$reports/report*" >/dev/null; then
        cat "$reports"/report* >&2
        echo "sanitize.sh: ThreadSanitizer reported the above" >&2
        status=1
    fi
    echo "sanitize.sh: tsan took $((SECONDS - start)) s in all" >&2
    exit $status
fi
