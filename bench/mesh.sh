#!/bin/bash
# bench/mesh.sh -- a mesh's figures, each against a reference measured in the same run. Not a
# test: it prints figures, never verdicts.
#
# Topology: three private network namespaces (unique names): ns1 (10.211.55.122) and ns3
# (10.211.56.2) each joined by a veth pair to ns2 (10.211.55.123, 10.211.56.1), which routes
# and runs etcd (Debian's, unpacked by scripts/unpack-etcd.sh). Mesh hosts are
# `peertun-helper --standalone` with plain-mode mesh profiles. Nothing is configured in the root
# namespace; everything is torn down by a trap on every exit path.
#
# Figures (medians over RUNS):
#   join      host C's tunnel up (its lease taken) -> reachable from both members (A, B)
#             reference: a static tunnel's "tunnel up" -> reachable from its peer
#   leave     SIGTERM to C -> its subnet's route gone from both members (lease revoked)
#             reference: a lease written and deleted by hand with etcdctl -> route gone
#   converge  998 simulated hosts written with etcdctl (8 transactions) -> host A has 999
#             peers (routes); reference: `etcdctl get --prefix` of the same keys
#   memory    host A's RSS with 999 peers against the same process with 1 peer
#   tput      iperf3 TCP, 1 stream, T s, between mesh hosts A and B; reference: the same two
#             namespaces with static profiles (must be equal within noise)
#
# Usage:  sudo bench/mesh.sh [PATH/TO/peertun-helper]   (default build/helper/peertun-helper)
# Env:    RUNS=3 T=10 ETCD_DIR=build/etcd PEERTUNCTL=build/app/cli/peertunctl
set -u
export LC_ALL=C
REPO=$(cd "$(dirname "$0")/.." && pwd)
HELPER=${1:-${PEERTUN_HELPER:-$REPO/build/helper/peertun-helper}}
PEERTUNCTL=${PEERTUNCTL:-$(dirname "$(dirname "$HELPER")")/app/cli/peertunctl}
ETCD_DIR=${ETCD_DIR:-$(dirname "$(dirname "$HELPER")")/etcd}
RUNS=${RUNS:-3}
T=${T:-10}
OUT=${OUT:-/tmp/peertun-bench-mesh/$(date +%Y%m%d-%H%M%S)}
NS1=ptmesh$$a; NS2=ptmesh$$b; NS3=ptmesh$$c
ETCD=http://10.211.55.123:2379
PY=$(command -v python3)
declare -A LIVE=()

[ "$(id -u)" = 0 ] || { echo "bench/mesh.sh: needs root (network namespaces, TUN devices)" >&2; exit 1; }
[ -x "$HELPER" ] || { echo "bench/mesh.sh: no peertun-helper at $HELPER" >&2; exit 1; }
[ -x "$ETCD_DIR/usr/bin/etcd" ] || "$REPO/scripts/unpack-etcd.sh" "$ETCD_DIR" >&2 ||
    { echo "bench/mesh.sh: no etcd at $ETCD_DIR" >&2; exit 1; }
for t in ip iperf3 ping python3; do
    command -v $t >/dev/null || { echo "bench/mesh.sh: $t is not installed" >&2; exit 1; }
done
mkdir -p "$OUT" || exit 1
say() { echo "[$(date +%T)] $*" | tee -a "$OUT/bench.log" >&2; }

alive() { local s; s=$(sed 's/.*) //' /proc/$1/stat 2>/dev/null | cut -d' ' -f1); [ -n "$s" ] && [ "$s" != Z ]; }
bgns() {   # bgns LOGFILE NS CMD... -> LASTPID
    local lf=$1 ns=$2; shift 2
    ip netns exec "$ns" "$@" >"$lf" 2>&1 &
    LASTPID=$!; LIVE[$LASTPID]=1
}
stop() {   # stop [-SIG] PID...: only our own children
    local sig=TERM p i
    [ "${1#-}" != "$1" ] && { sig=${1#-}; shift; }
    for p in "$@"; do [ -n "${LIVE[$p]:-}" ] && kill -$sig "$p" 2>/dev/null; done
    for p in "$@"; do
        [ -n "${LIVE[$p]:-}" ] || continue
        for i in $(seq 50); do alive "$p" || break; sleep 0.1; done
        alive "$p" && kill -9 "$p" 2>/dev/null
        wait "$p" 2>/dev/null; unset "LIVE[$p]"
    done
}
cleanup() {
    local p
    trap - EXIT
    for p in "${!LIVE[@]}"; do kill "$p" 2>/dev/null; done
    sleep 0.3
    for p in "${!LIVE[@]}"; do alive "$p" && kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    ip netns del $NS1 2>/dev/null; ip netns del $NS2 2>/dev/null; ip netns del $NS3 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
waitfor() { local t=$1 i; shift; for ((i = 0; i < t * 10; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
rec() { printf '%s\t%s\t%s\n' "$RUN" "$1" "$2" >> "$OUT/results.tsv"; }
etcdctl() { ip netns exec $NS2 "$ETCD_DIR/usr/bin/etcdctl" --endpoints $ETCD "$@"; }
rss() { awk '/^VmRSS/{print $2}' /proc/$1/status; }

# Milliseconds (to stdout) from the first line matching PATTERN in FILE until every CHECK
# command succeeds (each polled every few ms); CHECK commands are separated by ';;'.
# Empty PATTERN: from now.
ms_until() {   # ms_until TIMEOUT_S FILE PATTERN CMD... [';;' CMD...]
    "$PY" - "$@" <<'EOF'
import subprocess, sys, time
timeout, path, pattern = float(sys.argv[1]), sys.argv[2], sys.argv[3]
cmds, cur = [], []
for a in sys.argv[4:]:
    if a == ";;":
        cmds.append(cur); cur = []
    else:
        cur.append(a)
if cur: cmds.append(cur)
end = time.monotonic() + timeout
start = time.monotonic()
if pattern:
    while pattern not in open(path, errors="replace").read():
        if time.monotonic() > end: print(-1); sys.exit()
        time.sleep(0.002)
    start = time.monotonic()
pending = list(cmds)
while pending:
    pending = [c for c in pending if subprocess.run(c, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0]
    if time.monotonic() > end:
        print(-1); print("ms_until: still failing:", pending, file=sys.stderr); sys.exit()
print(f"{(time.monotonic() - start) * 1000:.0f}")
EOF
}
tunaddr() { sed -n 's/.*tunnel up: [a-z0-9]* \([0-9.]*\)\/.*/\1/p' "$1" | head -n 1; }
subnet() { echo "${1%.*}.0/24"; }
has_route() { ip -n "$1" route show "$2" dev "$3" | grep -q .; }
no_route() { ! has_route "$@"; }

mesh_profile() {   # mesh_profile NAME ADDRESS -> path
    # The address named: ns2 has two, and its packets to ns3 would leave from the other one.
    cat > "$OUT/$1.json" <<EOF
{ "version": 1, "name": "$1", "mode": "plain",
  "interface": { "name": "ptmesh0", "listen": "$2:8285" },
  "mesh": { "etcd": ["$ETCD"], "prefix": "/bench/mesh" } }
EOF
    echo "$OUT/$1.json"
}
static_profile() {   # static_profile NAME ADDRESS LISTEN PEER_ENDPOINT PEER_SUBNET -> path
    cat > "$OUT/$1.json" <<EOF
{ "version": 1, "name": "$1", "mode": "plain",
  "interface": { "name": "ptstat0", "address": "$2/24", "listen": "$3:8285" },
  "peers": [ { "name": "peer", "endpoint": "$4:8285", "subnets": ["$5"] } ] }
EOF
    echo "$OUT/$1.json"
}
start_host() {   # start_host NAME NS PROFILE -> LASTPID, log $OUT/NAME.$RUN.log
    bgns "$OUT/$1.$RUN.log" "$2" "$HELPER" --standalone "$3"
    waitfor 10 grep -q "tunnel up" "$OUT/$1.$RUN.log" || { say "$1 did not come up: $(tail -n 3 "$OUT/$1.$RUN.log")"; return 1; }
}
tput() {   # tput NS_FROM DST -> Gbit/s
    local sp js=$OUT/iperf.$RUN.$2.json
    bgns "$OUT/iperf3-server.log" $NS2 iperf3 -s -1 -p 5201; sp=$LASTPID
    sleep 0.5
    ip netns exec "$1" timeout $((T + 20)) iperf3 -c "$2" -p 5201 -t "$T" -O 1 -J > "$js" 2>/dev/null
    stop $sp
    "$PY" -c 'import json, sys; print("%.3f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e9))' "$js" 2>/dev/null || echo -1
}

# ---------------------------------------------------------------- topology and etcd
ip netns add $NS1 && ip netns add $NS2 && ip netns add $NS3 || exit 1
ip -n $NS1 link add up0 type veth peer name v1 netns $NS2 || exit 1
ip -n $NS3 link add up0 type veth peer name v3 netns $NS2 || exit 1
ip -n $NS1 addr add 10.211.55.122/24 dev up0; ip -n $NS2 addr add 10.211.55.123/24 dev v1
ip -n $NS3 addr add 10.211.56.2/24 dev up0;  ip -n $NS2 addr add 10.211.56.1/24 dev v3
for ns in $NS1 $NS2 $NS3; do ip -n $ns link set lo up; done
ip -n $NS1 link set up0 up; ip -n $NS3 link set up0 up; ip -n $NS2 link set v1 up; ip -n $NS2 link set v3 up
ip -n $NS1 route add 10.211.56.0/24 via 10.211.55.123; ip -n $NS3 route add default via 10.211.56.1
ip netns exec $NS2 sysctl -qw net.ipv4.ip_forward=1
waitfor 5 ip netns exec $NS3 ping -c1 -W1 -q 10.211.55.122 || { echo "bench/mesh.sh: underlay does not work" >&2; exit 1; }
bgns "$OUT/etcd.log" $NS2 "$ETCD_DIR/usr/bin/etcd" --name b --data-dir "$OUT/etcd-data" \
    --listen-client-urls $ETCD --advertise-client-urls $ETCD --listen-peer-urls http://127.0.0.1:2380 \
    --initial-advertise-peer-urls http://127.0.0.1:2380 --initial-cluster b=http://127.0.0.1:2380
waitfor 10 etcdctl endpoint health || { echo "bench/mesh.sh: etcd did not start" >&2; exit 1; }
ip netns exec $NS2 "$PEERTUNCTL" mesh init --etcd $ETCD --network 10.128.0.0/12 --backend udp \
    --prefix /bench/mesh >/dev/null || exit 1
{ echo "date: $(date -Is)"; uname -r; echo "nproc: $(nproc)"; grep -m1 'model name' /proc/cpuinfo
  echo "helper: $HELPER"; echo "runs=$RUNS T=$T"; } > "$OUT/env.txt"
printf 'run\tmetric\tvalue\n' > "$OUT/results.tsv"

for RUN in $(seq 1 "$RUNS"); do
    say "run $RUN"
    rec loadavg_1m "$(cut -d' ' -f1 /proc/loadavg)"
    # Reference: a static tunnel's "tunnel up" -> reachable from its peer (B is up first), the
    # same addresses and ports as the mesh hosts below.
    start_host sB $NS2 "$(static_profile sB 10.246.2.1 10.211.55.123 10.211.55.122 10.246.1.0/24)" || exit 1; SB=$LASTPID
    bgns "$OUT/sA.$RUN.log" $NS1 "$HELPER" --standalone "$(static_profile sA 10.246.1.1 10.211.55.122 10.211.55.123 10.246.2.0/24)"; SA=$LASTPID
    rec join_ref_ms "$(ms_until 10 "$OUT/sA.$RUN.log" "tunnel up" ip netns exec $NS2 ping -c1 -W0.1 -q 10.246.1.1)"
    # Throughput alternates static, mesh, static, mesh within the run: the box's load drifts.
    tput_static() {
        start_host sB $NS2 "$OUT/sB.json" || exit 1; SB=$LASTPID
        start_host sA $NS1 "$OUT/sA.json" || exit 1; SA=$LASTPID
        waitfor 10 ip netns exec $NS1 ping -c1 -W0.2 -q 10.246.2.1
        rec tput_ref_gbps "$(tput $NS1 10.246.2.1)"
        stop $SA $SB
    }
    stop $SA $SB
    tput_static

    # Mesh hosts A and B; C joins.
    etcdctl del --prefix /bench/mesh/subnets/ >/dev/null
    start_host mA $NS1 "$(mesh_profile mA 10.211.55.122)" || exit 1; MA=$LASTPID
    start_host mB $NS2 "$(mesh_profile mB 10.211.55.123)" || exit 1; MB=$LASTPID
    A=$(tunaddr "$OUT/mA.$RUN.log"); B=$(tunaddr "$OUT/mB.$RUN.log")
    waitfor 10 ip netns exec $NS1 ping -c1 -W0.2 -q "$B" || { say "mesh A -> B unreachable"; exit 1; }
    rec tput_mesh_gbps "$(tput $NS1 "$B")"
    stop $MA $MB
    tput_static
    start_host mA $NS1 "$OUT/mA.json" || exit 1; MA=$LASTPID
    start_host mB $NS2 "$OUT/mB.json" || exit 1; MB=$LASTPID
    A=$(tunaddr "$OUT/mA.$RUN.log"); B=$(tunaddr "$OUT/mB.$RUN.log")
    waitfor 10 ip netns exec $NS1 ping -c1 -W0.2 -q "$B" || { say "mesh A -> B unreachable"; exit 1; }
    rec tput_mesh_gbps "$(tput $NS1 "$B")"
    rss_one=$(rss $MA)
    bgns "$OUT/mC.$RUN.log" $NS3 "$HELPER" --standalone "$(mesh_profile mC 10.211.56.2)"; MC=$LASTPID
    waitfor 10 grep -q "tunnel up" "$OUT/mC.$RUN.log" || { say "mesh C did not come up"; exit 1; }
    C=$(tunaddr "$OUT/mC.$RUN.log")
    rec join_ms "$(ms_until 10 "$OUT/mC.$RUN.log" "tunnel up" ip netns exec $NS1 ping -c1 -W0.1 -q "$C" \
        ';;' ip netns exec $NS2 ping -c1 -W0.1 -q "$C")"
    # Leave: SIGTERM -> the route of C's subnet gone from A and B.
    kill -TERM $MC
    rec leave_ms "$(ms_until 10 "" "" bash -c "! ip -n $NS1 route show $(subnet "$C") | grep -q ." \
        ';;' bash -c "! ip -n $NS2 route show $(subnet "$C") | grep -q .")"
    stop $MC
    # Reference: a lease written by hand, then deleted by hand.
    etcdctl put /bench/mesh/subnets/10.143.255.0-24 '{"PublicIP":"10.211.56.9","BackendType":"udp"}' >/dev/null
    waitfor 5 bash -c "ip -n $NS1 route show 10.143.255.0/24 | grep -q ." || say "hand-written lease never became a route"
    etcdctl del /bench/mesh/subnets/10.143.255.0-24 >/dev/null
    rec leave_ref_ms "$(ms_until 10 "" "" bash -c "! ip -n $NS1 route show 10.143.255.0/24 | grep -q .")"

    # 998 simulated hosts: A has 999 peers.
    own=$(etcdctl get --prefix /bench/mesh/subnets/ --keys-only | sed -n 's|.*/||p' | tr '\n' ' ')
    : > "$OUT/txn.list"; n=0; k=1
    while [ $n -lt 998 ]; do
        key="10.$((128 + k / 256)).$((k % 256)).0-24"; k=$((k + 1))
        case " $own " in *" $key "*) continue ;; esac
        [ $((n % 125)) = 0 ] && { f=$OUT/txn.$n; printf '\n' > "$f"; echo "$f" >> "$OUT/txn.list"; }
        printf 'put /bench/mesh/subnets/%s "{\\"PublicIP\\":\\"10.99.%d.%d\\",\\"BackendType\\":\\"udp\\"}"\n' \
            "$key" $((n / 250)) $((n % 250 + 1)) >> "$f"
        n=$((n + 1))
    done
    t0=$(date +%s%N)
    while read -r f; do printf '\n\n' >> "$f"; ip netns exec $NS2 sh -c "'$ETCD_DIR/usr/bin/etcdctl' --endpoints $ETCD txn < '$f'" >/dev/null; done < "$OUT/txn.list"
    conv=$("$PY" - $NS1 <<'EOF'
import subprocess, sys, time
t0 = time.monotonic()
while time.monotonic() - t0 < 30:
    r = subprocess.run(["ip", "-n", sys.argv[1], "route", "show", "dev", "ptmesh0"], capture_output=True, text=True)
    if sum(1 for l in r.stdout.splitlines() if "proto kernel" not in l) >= 999:
        print(f"{(time.monotonic() - t0) * 1000:.0f}"); sys.exit()
    time.sleep(0.005)
print(-1)
EOF
)
    t1=$(date +%s%N)
    rec converge_ms "$(( (t1 - t0) / 1000000 ))"
    rec converge_after_writes_ms "$conv"
    rec converge_ref_ms "$(ms_until 10 "" "" ip netns exec $NS2 "$ETCD_DIR/usr/bin/etcdctl" --endpoints $ETCD get --prefix /bench/mesh/subnets/ --keys-only)"
    rec rss_1peer_kib "$rss_one"
    rec rss_999peers_kib "$(rss $MA)"
    stop $MA $MB
    etcdctl del --prefix /bench/mesh/subnets/ >/dev/null
done

"$PY" - "$OUT/results.tsv" <<'EOF'
import csv, sys, statistics as st
from collections import defaultdict
d = defaultdict(list)
for r in csv.DictReader(open(sys.argv[1]), delimiter="\t"):
    try:
        v = float(r["value"])
    except ValueError:
        continue
    if v >= 0:
        d[r["metric"]].append(v)
med = lambda m: st.median(d[m]) if d.get(m) else None
def row(name, m, ref, unit, refname):
    a, b = med(m), med(ref)
    ratio = f"{a / b:.2f}x" if a is not None and b else "-"
    f = lambda x: "-" if x is None else f"{x:.3f}" if x < 10 else f"{x:.0f}"
    print(f"| {name} | {f(a)} {unit} | {refname}: {f(b)} {unit} | {ratio} |")
print(f"runs: {len(d.get('loadavg_1m', []))}, load average {med('loadavg_1m')}\n")
print("| figure | mesh | reference (same run) | ratio |")
print("|---|---|---|---|")
row("join: tunnel up -> reachable from both members", "join_ms", "join_ref_ms", "ms", "static tunnel up -> reachable")
row("leave: SIGTERM -> route gone from both members", "leave_ms", "leave_ref_ms", "ms", "hand-written lease deleted -> route gone")
row("converge: 998 leases written -> 999 peers (from the first write)", "converge_ms", "converge_ref_ms", "ms", "etcdctl get --prefix of them")
row("memory: RSS with 999 peers", "rss_999peers_kib", "rss_1peer_kib", "KiB", "with 1 peer")
row("throughput: TCP 1 stream A -> B", "tput_mesh_gbps", "tput_ref_gbps", "Gbit/s", "static profiles, same namespaces")
EOF
say "raw values in $OUT/results.tsv"
