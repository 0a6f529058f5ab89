#!/bin/bash
# Runs the libFuzzer harnesses of tests/fuzz for as long as asked, in the clang ASan + UBSan
# build build-asan (configured and built here if needed). Each harness starts from its corpus
# in tests/fuzz/corpus/NAME and from what earlier runs found (build-asan/tests/fuzz/
# work/NAME); a failing input is written to build-asan/tests/fuzz/crashes/. Prints, per
# harness, libFuzzer's last status line (executions, cov: edges covered, corpus size).
#   scripts/fuzz.sh [SECONDS per harness, default 60] [HARNESS...]
#   harnesses: profile wgquick udp_to_tun tso_split wireguard (default: all)
#   e.g. scripts/fuzz.sh 600 udp_to_tun
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(profile wgquick udp_to_tun tso_split wireguard)
fuzz=build-asan/tests/fuzz
declare -A args=(
    [profile]="-dict=tests/fuzz/profile.dict -max_len=4096"
    [wgquick]="-dict=tests/fuzz/wgquick.dict -max_len=4096"
    [udp_to_tun]="-max_len=8192"
    [tso_split]="-max_len=16384"
    [wireguard]="-max_len=4096"
)

cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++-14 -DPEERTUN_SANITIZER=address -DPEERTUN_FUZZ=ON >/dev/null
targets=()
for h in "${harnesses[@]}"; do
    [ -n "${args[$h]+x}" ] || { echo "fuzz.sh: no harness \"$h\"" >&2; exit 2; }
    targets+=("fuzz_$h")
done
cmake --build build-asan -j "$(nproc)" --target "${targets[@]}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
summary=()
for h in "${harnesses[@]}"; do
    mkdir -p "$fuzz/work/$h" "$fuzz/crashes"
    log=$fuzz/$h.log
    echo "fuzz.sh: $h for $seconds s (log: $log)" >&2
    # shellcheck disable=SC2086 # the arguments are words
    if ! "$fuzz/fuzz_$h" -max_total_time="$seconds" -print_final_stats=1 ${args[$h]} \
        -artifact_prefix="$fuzz/crashes/$h-" "$fuzz/work/$h" "tests/fuzz/corpus/$h" \
        >"$log" 2>&1; then
        status=1
        tail -n 40 "$log" >&2
    fi
    summary+=("$h: $(grep -E '^#[0-9]+' "$log" | tail -n 1)")
done
printf '%s\n' "${summary[@]}"
exit $status
