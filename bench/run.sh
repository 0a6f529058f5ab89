#!/bin/bash
# bench/run.sh -- peertun's data plane against raw veth, the blog post's Go program and wireguard-go,
# measured side by side in the same run (method of ../shared/bench/anchors.sh).
#
# Topology: two private network namespaces (unique names) joined by a veth pair, underlay
# 10.211.55.122/24 <-> 10.211.55.123/24, tunnel 10.244.2.2/24 <-> 10.244.3.3/24 as in the blog post.
# Nothing is configured in the root namespace; no traffic leaves the two namespaces. Everything
# is torn down by a trap on every exit path. This is not a test: it only prints figures.
#
# Variants (VARIANTS, in this order):
#   veth         iperf3 straight over the veth pair (the ceiling)
#   peertun      peertun-helper --standalone, plain mode, MTU from the profile default
#   peertun1472  the same with "mtu": 1472 in the profile
#   gotun        the blog post's Go client/server with the per-packet prints removed (MTU 1500, the
#                blog post's default), built from the blog post's text as anchors.sh does
#   gotun1472    the same with flannel99 set to MTU 1472 (not in the default list)
#   mixed        peertun on host 1, gotun's server on host 2: the blog post's wire format both ways
#   wg           wireguard-go (Debian's), MTU 1420, as a reference for a userspace tunnel
#   wireguard    peertun-helper --standalone, WireGuard mode (keys from `wg genkey`), default MTU
#   wireguard1   the same with PEERTUN_CRYPTO_THREADS=1 (the forwarding threads alone do the
#                crypto); wireguard2 with 2 threads per direction (wireguardN: N)
#   NAME-fwdN    any peertun variant above with PEERTUN_FORWARD_THREADS=N: 1, one forwarding
#                thread for both directions (WireGuard mode's default up to 2 cores), or 2, one
#                per direction (plain mode's default, and WireGuard's above 2 cores)
#   NAME-base    any peertun variant above run with the helper named by BASE_HELPER (another
#                build, e.g. main's) instead: before/after figures from the same run
#   vxlan        two kernel VXLAN devices over the same veth (flannel's default backend), MTU 1450:
#                the kernel's own encapsulation, no process to measure
#   wg-modern    the wireguard-go binary named by WGGO_MODERN (a current release, with its TUN
#                and UDP offloads), MTU 1420, set up as wg; a clear line says when it is not given
# Per variant: 20 pings (RTT), iperf3 TCP 1 stream and 4 streams for T s, UDP with ULEN-byte
# datagrams at unlimited rate for UDPT s (packets per second out of the far end of the tunnel,
# and received by iperf3); CPU time of the forwarding processes (both ends) per GB delivered,
# and of the whole box (every CPU's busy time: iperf3 and the kernel too, VXLAN's included).
#
# Usage:  sudo bench/run.sh [PATH/TO/peertun-helper]      (default build/helper/peertun-helper)
# Env:    RUNS=1 T=10 UDPT=10 ULEN=1400 VARIANTS="veth peertun peertun1472 gotun mixed wg wireguard"
#         BLOG_POST=<repo>/../shared/seed/000_68b1cd846b9578c1.txt   OUT=/tmp/peertun-bench/<time>
#         WGGO_MODERN=/path/to/wireguard-go (for wg-modern; not installed by anything here)
#         BASE_HELPER=/path/to/another/peertun-helper (for the -base variants)
# Needs:  root (scripts/deps.sh --bench installs the rest): iproute2, iperf3, iputils-ping, python3; for gotun: golang-go,
#         golang-github-vishvananda-netlink-dev, golang-github-vishvananda-netns-dev,
#         golang-golang-x-sys-dev; for wg: wireguard-go, wireguard-tools.
# Output: two markdown tables on stdout (medians over runs): every metric with ratios
#         tunnel/raw veth and peertun/gotun; then TCP 1 stream and CPU per GB against the
#         references (kernel VXLAN, plain mode, wg-modern). Raw values, logs and iperf3 JSON
#         under $OUT.
set -u
export LC_ALL=C

REPO=$(cd "$(dirname "$0")/.." && pwd)
HELPER=${1:-${PEERTUN_HELPER:-$REPO/build/helper/peertun-helper}}
BLOG_POST=${BLOG_POST:-$REPO/../shared/seed/000_68b1cd846b9578c1.txt}
[ -r "$BLOG_POST" ] || BLOG_POST=/work/shared/seed/000_68b1cd846b9578c1.txt
RUNS=${RUNS:-1}
T=${T:-10}
UDPT=${UDPT:-10}
ULEN=${ULEN:-1400}
VARIANTS=${VARIANTS:-"veth peertun peertun1472 gotun mixed wg wireguard"}
WGGO_MODERN=${WGGO_MODERN:-}
BASE_HELPER=${BASE_HELPER:-}
BASE=/tmp/peertun-bench
OUT=${OUT:-$BASE/$(date +%Y%m%d-%H%M%S)}
BIN=$BASE/bin; SRC=$BASE/src
LOG=$OUT/logs; JS=$OUT/json
NS1=ptbench$$a; NS2=ptbench$$b
WG1=ptwg$$a; WG2=ptwg$$b
U1=10.211.55.122; U2=10.211.55.123
TUN1=10.244.2.2;  TUN2=10.244.3.3
HZ=$(getconf CLK_TCK)
PY=$(command -v python3)
declare -A LIVE=()   # PIDs of children we started and have not reaped

[ "$(id -u)" = 0 ] || { echo "bench: needs root (network namespaces, TUN devices)" >&2; exit 1; }
"$REPO/scripts/deps.sh" --bench >&2 || { echo "bench: could not install the packages it needs" >&2; exit 1; }
for t in ip iperf3 ping python3 ss; do
    command -v $t >/dev/null || { echo "bench: $t is not installed" >&2; exit 1; }
done
mkdir -p "$BIN" "$SRC" "$LOG" "$JS" || exit 1

say() { echo "[$(date +%T)] $*" | tee -a "$OUT/bench.log" >&2; }

# ---------------------------------------------------------------- processes
alive() { local s; s=$(sed 's/.*) //' /proc/$1/stat 2>/dev/null | cut -d' ' -f1); [ -n "$s" ] && [ "$s" != Z ]; }
bgns() {   # bgns LOGFILE NS CMD... -> LASTPID (ip netns exec execs the command: $! is its PID)
    local lf=$1 ns=$2; shift 2
    ip netns exec "$ns" "$@" >"$lf" 2>&1 &
    LASTPID=$!; LIVE[$LASTPID]=1
}
stop() {   # stop PID...: TERM, then KILL after 3 s; only our own children
    local p i
    for p in "$@"; do [ -n "${LIVE[$p]:-}" ] && kill "$p" 2>/dev/null; done
    for p in "$@"; do
        [ -n "${LIVE[$p]:-}" ] || continue
        for i in $(seq 30); do alive "$p" || break; sleep 0.1; done
        alive "$p" && kill -9 "$p" 2>/dev/null
        wait "$p" 2>/dev/null; unset "LIVE[$p]"
    done
}
waitfor() { local t=$1 i; shift; for ((i = 0; i < t * 10; i++)); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }
listening() { ip netns exec "$1" ss -Hln"$3" "sport = :$2" | grep -q .; }   # NS PORT t|u
hasaddr() { ip -n "$1" -4 -br addr show dev "$2" 2>/dev/null | grep -q "$3"; }
devmtu() { ip -n "$1" link show dev "$2" 2>/dev/null | sed -n 's/.* mtu \([0-9]*\) .*/\1/p'; }

cleanup() {
    local p
    trap - EXIT
    for p in "${!LIVE[@]}"; do kill "$p" 2>/dev/null; done
    sleep 0.3
    for p in "${!LIVE[@]}"; do alive "$p" && kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    LIVE=()
    ip netns del $NS1 2>/dev/null; ip netns del $NS2 2>/dev/null
    rm -f /var/run/wireguard/$WG1.sock /var/run/wireguard/$WG2.sock
    [ -n "${WGDIR_MADE:-}" ] && rmdir /var/run/wireguard 2>/dev/null
    rm -rf "$OUT/wg"   # throw-away keys
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---------------------------------------------------------------- the blog post's programs
# Section 2.1 of the blog post is the client, 3.1 the server: the Go code between "N.1、代码如下"
# and "N.2、". Only the address constants are set (to the blog post's own values here) and, for
# "gotun", the per-packet fmt.Printf lines are removed -- as anchors.sh does.
extract() {
    awk -v s="$1" '$0 ~ "^"s"\\.1、代码如下" {f=1; next} $0 ~ "^"s"\\.2、" {f=0} f' "$BLOG_POST" | sed -n '/^package main/,$p'
}
setaddr() {
    sed -e "s|^\(\tlocalAddr  = \)\".*\"|\1\"$1:8285\"|" -e "s|^\(\tremoteAddr = \)\".*\"|\1\"$2:8285\"|" \
        -e "s|^\(\ttunIP      = \)\".*\"|\1\"$3\"|"
}
quiet() {
    sed -e '/fmt\.Printf("tunToUDP/d' -e '/fmt\.Printf("udpToTun/d' \
        -e '/srcIP := GetSrcIP(b)/d' -e '/dstIP := GetDstIP(b)/d' -e '/^\t\tb := packet\[:size\]$/d' \
        -e '/^\tvar addr net\.Addr$/d' -e 's/size, addr, err = udpConn\.ReadFrom/size, _, err = udpConn.ReadFrom/'
}
build_gotun() {   # -> 0 when $BIN/gotun-client and $BIN/gotun-server are ready
    [ -r "$BLOG_POST" ] || { say "blog post text not found at $BLOG_POST: skipping gotun"; return 1; }
    command -v go >/dev/null || { say "go not installed (golang-go): skipping gotun"; return 1; }
    local d
    mkdir -p "$SRC"/{gotun-client,gotun-server}
    extract 2 | setaddr $U1 $U2 $TUN1 | quiet > "$SRC/gotun-client/main.go"
    extract 3 | setaddr $U2 $U1 $TUN2 | quiet > "$SRC/gotun-server/main.go"
    grep -q '^package main' "$SRC/gotun-client/main.go" || { say "could not extract the blog post's Go code: skipping gotun"; return 1; }
    if grep -q 'Printf("tunToUDP\|Printf("udpToTun' "$SRC"/gotun-*/main.go; then
        say "removing the blog post's per-packet prints failed: skipping gotun"; return 1
    fi
    for d in gotun-client gotun-server; do
        (cd "$SRC/$d" && GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE=$BASE/gocache GOFLAGS= \
            CGO_ENABLED=0 go build -o "$BIN/$d" main.go) >"$LOG/build-$d.log" 2>&1 ||
            { say "building $d failed (see $LOG/build-$d.log; needs golang-github-vishvananda-netlink-dev): skipping gotun"; return 1; }
    done
}

# ---------------------------------------------------------------- topology
ns_up() {
    ip netns add $NS1 && ip netns add $NS2 || exit 1
    ip -n $NS1 link add veth1 type veth peer name veth2 netns $NS2 || exit 1
    ip -n $NS1 addr add $U1/24 dev veth1
    ip -n $NS2 addr add $U2/24 dev veth2
    ip -n $NS1 link set lo up; ip -n $NS2 link set lo up
    ip -n $NS1 link set veth1 up; ip -n $NS2 link set veth2 up
    waitfor 5 ip netns exec $NS1 ping -c1 -W1 -q $U2 || { echo "bench: the veth underlay does not work" >&2; exit 1; }
}

# ---------------------------------------------------------------- measurements
rec() { printf '%s\t%s\t%s\t%s\n' "$RUN" "$VAR" "$1" "$2" >> "$OUT/results.tsv"; }
farrx() { ip netns exec $NS2 cat /sys/class/net/$FARDEV/statistics/rx_packets 2>/dev/null || echo 0; }   # far end's device
# Busy ticks of the whole box (user, nice, system, irq, softirq; not idle, iowait or steal):
# what a path costs with its iperf3 ends and the kernel's work, VXLAN's included.
boxticks() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8; exit}' /proc/stat; }
cputicks() { local s=0 p; for p in "$@"; do [ -r /proc/$p/stat ] && s=$((s + $(sed 's/.*) //' /proc/$p/stat | awk '{print $12+$13}'))); done; echo $s; }

iperf() {   # iperf TAG DST iperf3-client-args...
    local tag=$1 dst=$2; shift 2
    local js=$JS/$RUN.$VAR.$tag.json sp c0 c1 b0 b1 t0 t1 rc
    bgns "$LOG/$RUN.$VAR.$tag.iperf3-server.log" $NS2 iperf3 -s -1 -p 5201; sp=$LASTPID
    waitfor 5 listening $NS2 5201 t || { say "iperf3 server did not start"; stop $sp; return 1; }
    c0=$(cputicks $FWD); b0=$(boxticks); t0=$(date +%s.%N); r0=$(farrx)
    ip netns exec $NS1 timeout $((T + UDPT + 30)) iperf3 -c "$dst" -p 5201 --connect-timeout 3000 -J "$@" > "$js" 2>"$js.err"
    rc=$?
    t1=$(date +%s.%N); b1=$(boxticks); c1=$(cputicks $FWD); r1=$(farrx)
    for i in $(seq 50); do alive $sp || break; sleep 0.1; done; stop $sp
    [ $rc = 0 ] || say "$VAR: iperf3 $tag exited $rc: $(head -c 300 "$js.err") $(grep -m1 '"error"' "$js")"
    "$PY" - "$js" "$tag" "$((c1 - c0))" "$HZ" "${FWD:+1}" "$((r1 - r0))" "$((b1 - b0))" <<'EOF' | while read -r k v; do rec "$k" "$v"; done
import json, sys
js, tag, ticks, hz, has_fwd = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "1"
far_rx, box_ticks = int(sys.argv[6]), int(sys.argv[7])
try:
    d = json.load(open(js))
except Exception:
    print(f"{tag}_error 1"); sys.exit()
if "error" in d:
    print(f"{tag}_error 1")
e = d.get("end", {})
moved = 0
if tag.startswith("tcp"):
    r, s = e.get("sum_received", {}), e.get("sum_sent", {})
    if r:
        print(f"{tag}_gbps {r['bits_per_second'] / 1e9:.4f}")
        moved = r["bytes"]
    if s: print(f"{tag}_retrans {s.get('retransmits', 0)}")
else:
    s, r = e.get("sum_sent", {}), e.get("sum_received", {})
    blk = int(d["start"]["test_start"]["blksize"])
    if s: print(f"{tag}_tx_kpps {s['packets'] / s['seconds'] / 1e3:.2f}")
    if r:
        print(f"{tag}_rx_kpps {r['bytes'] / blk / r['seconds'] / 1e3:.2f}")
        print(f"{tag}_rx_gbps {r['bytes'] * 8 / r['seconds'] / 1e9:.4f}")
        print(f"{tag}_loss_pct {r.get('lost_percent', 0):.2f}")
        # packets that came out of the far end of the tunnel (its device's rx counter), whether
        # or not the iperf3 server then kept up with them
        print(f"{tag}_tunnel_kpps {far_rx / r['seconds'] / 1e3:.2f}")
        moved = r["bytes"]
if moved > 0:
    print(f"{tag}_box_cpu_s_per_gb {box_ticks / hz / (moved / 1e9):.2f}")
if has_fwd:
    cpu_s = ticks / hz
    print(f"{tag}_fwd_cpu_s {cpu_s:.2f}")
    if moved > 0:
        print(f"{tag}_fwd_cpu_s_per_gb {cpu_s / (moved / 1e9):.2f}")
EOF
}

pingtest() {   # 20 pings, 0.2 s apart
    local out; out=$(ip netns exec $NS1 ping -c 20 -i 0.2 -q "$1" 2>&1)
    echo "$out" > "$LOG/$RUN.$VAR.ping.log"
    echo "$out" | awk -F'[/ =]+' '/^rtt/{print "rtt_avg_ms", $7}
                                  /packet loss/{for(i=1;i<=NF;i++) if ($i ~ /%$/) {sub("%","",$i); print "ping_loss_pct", $i}}' |
        while read -r k v; do rec "$k" "$v"; done
}

run_tests() {   # run_tests DST
    local dst=$1
    waitfor 10 ip netns exec $NS1 ping -c1 -W1 -q "$dst" || { say "$VAR: $dst unreachable, skipping"; return 1; }
    pingtest "$dst"
    iperf tcp1 "$dst" -t $T -O 1
    iperf tcp4 "$dst" -t $T -O 1 -P 4
    iperf udp "$dst" -u -b 0 -l $ULEN -t $UDPT
}

# ---------------------------------------------------------------- variants
start_peertun() {   # start_peertun [MTU]
    [ -x "$CUR_HELPER" ] || { say "no peertun-helper at $CUR_HELPER: skipping $VAR"; return 1; }
    local mtu=${1:+\"mtu\": $1, }
    cat > "$OUT/host1.json" <<EOF
{ "version": 1, "name": "bench1", "mode": "plain",
  "interface": { "name": "flannel99", "address": "$TUN1/24", ${mtu}"listen": "$U1:8285" },
  "peers": [ { "name": "host-2", "endpoint": "$U2:8285", "subnets": ["10.244.3.0/24"] } ] }
EOF
    cat > "$OUT/host2.json" <<EOF
{ "version": 1, "name": "bench2", "mode": "plain",
  "interface": { "name": "flannel99", "address": "$TUN2/24", ${mtu}"listen": "$U2:8285" },
  "peers": [ { "name": "host-1", "endpoint": "$U1:8285", "subnets": ["10.244.2.0/24"] } ] }
EOF
    bgns "$LOG/$RUN.$VAR.helper1.log" $NS1 env "${FWD_ENV[@]}" "$CUR_HELPER" --standalone "$OUT/host1.json"; P1=$LASTPID
    bgns "$LOG/$RUN.$VAR.helper2.log" $NS2 env "${FWD_ENV[@]}" "$CUR_HELPER" --standalone "$OUT/host2.json"; P2=$LASTPID
    FWD="$P1 $P2"
    waitfor 10 grep -q "tunnel up" "$LOG/$RUN.$VAR.helper1.log" && waitfor 10 grep -q "tunnel up" "$LOG/$RUN.$VAR.helper2.log" ||
        { say "peertun did not come up: $(tail -n 3 "$LOG/$RUN.$VAR.helper1.log" "$LOG/$RUN.$VAR.helper2.log")"; return 1; }
    rec mtu "$(devmtu $NS1 flannel99)"
}
stop_peertun() {
    [ -n "${P1:-}" ] || return 0
    kill -USR1 $P1 $P2 2>/dev/null; sleep 0.3   # counters into the logs
    stop $P1 $P2; FWD=; P1=; P2=
}

# peertun on host 1, the blog post's server (without prints) on host 2: the wire format is the blog post's,
# so they must talk to each other.
start_mixed() {
    [ -n "$GOTUN_OK" ] || { say "gotun not built: skipping mixed"; return 1; }
    [ -x "$HELPER" ] || { say "no peertun-helper at $HELPER: skipping mixed"; return 1; }
    cat > "$OUT/host1.json" <<EOF
{ "version": 1, "name": "bench1", "mode": "plain",
  "interface": { "name": "flannel99", "address": "$TUN1/24", "listen": "$U1:8285" },
  "peers": [ { "name": "host-2", "endpoint": "$U2:8285", "subnets": ["10.244.3.0/24"] } ] }
EOF
    bgns "$LOG/$RUN.$VAR.helper1.log" $NS1 "$CUR_HELPER" --standalone "$OUT/host1.json"; P1=$LASTPID
    bgns "$LOG/$RUN.$VAR.server.log" $NS2 "$BIN/gotun-server"; FS=$LASTPID
    FWD="$P1 $FS"
    waitfor 10 grep -q "tunnel up" "$LOG/$RUN.$VAR.helper1.log" && waitfor 10 hasaddr $NS2 flannel99 $TUN2 &&
        waitfor 10 listening $NS2 8285 u || { say "mixed did not come up"; return 1; }
    ip -n $NS2 route add 10.244.2.0/24 dev flannel99
    rec mtu "$(devmtu $NS1 flannel99)"
}
stop_mixed() {
    [ -n "${P1:-}${FS:-}" ] || return 0
    kill -USR1 $P1 2>/dev/null; sleep 0.3
    stop $P1 $FS; FWD=; P1=; FS=
    ip -n $NS2 link del flannel99 2>/dev/null   # the blog post's device is persistent
}

start_gotun() {   # start_gotun [MTU]
    [ -n "$GOTUN_OK" ] || return 1
    bgns "$LOG/$RUN.$VAR.client.log" $NS1 "$BIN/gotun-client"; FC=$LASTPID
    bgns "$LOG/$RUN.$VAR.server.log" $NS2 "$BIN/gotun-server"; FS=$LASTPID
    FWD="$FC $FS"
    # the program (re)creates flannel99 at start, so routes can only be added once it is up
    waitfor 10 hasaddr $NS1 flannel99 $TUN1 && waitfor 10 hasaddr $NS2 flannel99 $TUN2 &&
        waitfor 10 listening $NS1 8285 u && waitfor 10 listening $NS2 8285 u || { say "gotun did not come up"; return 1; }
    ip -n $NS1 route add 10.244.3.0/24 dev flannel99
    ip -n $NS2 route add 10.244.2.0/24 dev flannel99
    if [ -n "${1:-}" ]; then ip -n $NS1 link set flannel99 mtu "$1"; ip -n $NS2 link set flannel99 mtu "$1"; fi
    rec mtu "$(devmtu $NS1 flannel99)"
}
stop_gotun() {
    [ -n "${FC:-}" ] || return 0
    stop $FC $FS; FWD=; FC=; FS=
    # the blog post's program makes its TUN device persistent: remove it explicitly
    ip -n $NS1 link del flannel99 2>/dev/null; ip -n $NS2 link del flannel99 2>/dev/null
}

start_wg() {   # start_wg [BINARY]  (default: Debian's wireguard-go on PATH)
    local bin=${1:-wireguard-go}
    command -v "$bin" >/dev/null && command -v wg >/dev/null || { say "wireguard-go/wg not installed: skipping $VAR"; return 1; }
    mkdir -p "$OUT/wg"; (umask 077; wg genkey > "$OUT/wg/k1"; wg genkey > "$OUT/wg/k2")
    local p1 p2; p1=$(wg pubkey < "$OUT/wg/k1"); p2=$(wg pubkey < "$OUT/wg/k2")
    [ -d /var/run/wireguard ] || { mkdir -p /var/run/wireguard && WGDIR_MADE=1; }
    bgns "$LOG/$RUN.$VAR.wg1.log" $NS1 env WG_PROCESS_FOREGROUND=1 "$bin" -f $WG1; W1=$LASTPID
    bgns "$LOG/$RUN.$VAR.wg2.log" $NS2 env WG_PROCESS_FOREGROUND=1 "$bin" -f $WG2; W2=$LASTPID
    FWD="$W1 $W2"
    waitfor 10 test -S /var/run/wireguard/$WG1.sock && waitfor 10 test -S /var/run/wireguard/$WG2.sock || { say "wireguard-go did not come up"; return 1; }
    ip netns exec $NS1 wg set $WG1 listen-port 51820 private-key "$OUT/wg/k1" peer "$p2" endpoint $U2:51820 allowed-ips 10.244.3.0/24
    ip netns exec $NS2 wg set $WG2 listen-port 51820 private-key "$OUT/wg/k2" peer "$p1" endpoint $U1:51820 allowed-ips 10.244.2.0/24
    ip -n $NS1 addr add $TUN1/24 dev $WG1; ip -n $NS2 addr add $TUN2/24 dev $WG2
    ip -n $NS1 link set $WG1 mtu 1420 up; ip -n $NS2 link set $WG2 mtu 1420 up
    ip -n $NS1 route add 10.244.3.0/24 dev $WG1; ip -n $NS2 route add 10.244.2.0/24 dev $WG2
    rec mtu 1420
}
stop_wg() {
    [ -n "${W1:-}" ] || return 0
    stop $W1 $W2; FWD=; W1=; W2=
    rm -f /var/run/wireguard/$WG1.sock /var/run/wireguard/$WG2.sock
}

start_wg_modern() {
    if [ -z "$WGGO_MODERN" ]; then
        say "wg-modern: row missing, set WGGO_MODERN=/path/to/wireguard-go"; return 1
    fi
    [ -x "$WGGO_MODERN" ] || { say "wg-modern: row missing, $WGGO_MODERN is not an executable"; return 1; }
    start_wg "$WGGO_MODERN"
}

# The kernel's VXLAN (flannel's default backend) over the same veth: the reference for an
# encapsulation without a userspace hop. VNI 1 and port 8472 as flannel uses them.
start_vxlan() {
    ip -n $NS1 link add vx99 type vxlan id 1 local $U1 remote $U2 dstport 8472 dev veth1 &&
        ip -n $NS2 link add vx99 type vxlan id 1 local $U2 remote $U1 dstport 8472 dev veth2 ||
        { say "cannot create VXLAN devices: skipping vxlan"; return 1; }
    ip -n $NS1 link set vx99 mtu 1450 up; ip -n $NS2 link set vx99 mtu 1450 up
    ip -n $NS1 addr add $TUN1/24 dev vx99; ip -n $NS2 addr add $TUN2/24 dev vx99
    ip -n $NS1 route add 10.244.3.0/24 dev vx99; ip -n $NS2 route add 10.244.2.0/24 dev vx99
    rec mtu "$(devmtu $NS1 vx99)"
}
stop_vxlan() {
    ip -n $NS1 link del vx99 2>/dev/null; ip -n $NS2 link del vx99 2>/dev/null; return 0
}

# peertun in WireGuard mode on both hosts (compare with wg: the same protocol in wireguard-go).
start_peertun_wg() {   # start_peertun_wg [CRYPTO_THREADS]
    local threads=(env "${FWD_ENV[@]}")
    [ -n "${1:-}" ] && threads+=(PEERTUN_CRYPTO_THREADS="$1")
    [ -x "$CUR_HELPER" ] || { say "no peertun-helper at $CUR_HELPER: skipping $VAR"; return 1; }
    command -v wg >/dev/null || { say "wg (wireguard-tools) not installed: skipping $VAR"; return 1; }
    mkdir -p "$OUT/wg"; (umask 077; wg genkey > "$OUT/wg/pk1"; wg genkey > "$OUT/wg/pk2")
    local k1 k2 p1 p2; k1=$(cat "$OUT/wg/pk1"); k2=$(cat "$OUT/wg/pk2")
    p1=$(wg pubkey < "$OUT/wg/pk1"); p2=$(wg pubkey < "$OUT/wg/pk2")
    (umask 077; cat > "$OUT/host1.json" <<EOF
{ "version": 1, "name": "bench1", "mode": "wireguard",
  "interface": { "name": "flannel99", "address": "$TUN1/24", "listen": "$U1:51820", "privateKey": "$k1" },
  "peers": [ { "name": "host-2", "endpoint": "$U2:51820", "subnets": ["10.244.3.0/24"], "publicKey": "$p2" } ] }
EOF
    cat > "$OUT/host2.json" <<EOF
{ "version": 1, "name": "bench2", "mode": "wireguard",
  "interface": { "name": "flannel99", "address": "$TUN2/24", "listen": "$U2:51820", "privateKey": "$k2" },
  "peers": [ { "name": "host-1", "endpoint": "$U1:51820", "subnets": ["10.244.2.0/24"], "publicKey": "$p1" } ] }
EOF
    )
    bgns "$LOG/$RUN.$VAR.helper1.log" $NS1 "${threads[@]}" "$CUR_HELPER" --standalone "$OUT/host1.json"; P1=$LASTPID
    bgns "$LOG/$RUN.$VAR.helper2.log" $NS2 "${threads[@]}" "$CUR_HELPER" --standalone "$OUT/host2.json"; P2=$LASTPID
    FWD="$P1 $P2"
    waitfor 10 grep -q "tunnel up" "$LOG/$RUN.$VAR.helper1.log" && waitfor 10 grep -q "tunnel up" "$LOG/$RUN.$VAR.helper2.log" ||
        { say "peertun (wireguard) did not come up: $(tail -n 3 "$LOG/$RUN.$VAR.helper1.log" "$LOG/$RUN.$VAR.helper2.log")"; return 1; }
    rec mtu "$(devmtu $NS1 flannel99)"
}

run_variant() {
    VAR=$1; FWD=
    case $VAR in veth) FARDEV=veth2 ;; wg | wg-modern) FARDEV=$WG2 ;; vxlan) FARDEV=vx99 ;; *) FARDEV=flannel99 ;; esac
    say "run $RUN: $VAR"
    CUR_HELPER=$HELPER
    local kind=$VAR
    FWD_ENV=()
    if [ "${kind%-base}" != "$kind" ]; then
        [ -n "$BASE_HELPER" ] || { say "$VAR: row missing, set BASE_HELPER=/path/to/peertun-helper"; return; }
        CUR_HELPER=$BASE_HELPER; kind=${kind%-base}
    fi
    case $kind in *-fwd[12]) FWD_ENV=(PEERTUN_FORWARD_THREADS="${kind##*-fwd}"); kind=${kind%-fwd[12]} ;; esac
    case $kind in
        veth)        rec mtu "$(devmtu $NS1 veth1)"; run_tests $U2 ;;
        peertun)     start_peertun && run_tests $TUN2; stop_peertun ;;
        peertun1472) start_peertun 1472 && run_tests $TUN2; stop_peertun ;;
        gotun)       start_gotun && run_tests $TUN2; stop_gotun ;;
        mixed)       start_mixed && run_tests $TUN2; stop_mixed ;;
        gotun1472)   start_gotun 1472 && run_tests $TUN2; stop_gotun ;;
        wg)          start_wg && run_tests $TUN2; stop_wg ;;
        wireguard)   start_peertun_wg && run_tests $TUN2; stop_peertun ;;
        wireguard[0-9]*) start_peertun_wg "${VAR#wireguard}" && run_tests $TUN2; stop_peertun ;;
        vxlan)       start_vxlan && run_tests $TUN2; stop_vxlan ;;
        wg-modern)   start_wg_modern && run_tests $TUN2; stop_wg ;;
        *)           say "unknown variant $VAR" ;;
    esac
}

# ---------------------------------------------------------------- main
GOTUN_OK=
case " $VARIANTS " in *" gotun"* | *" mixed "*) build_gotun && GOTUN_OK=1 ;; esac
{
    echo "date: $(date -Is)"; uname -r; echo "nproc: $(nproc)"; grep -m1 'model name' /proc/cpuinfo
    echo "debian: $(cat /etc/debian_version)"; echo "helper: $HELPER"
    dpkg-query -W iperf3 wireguard-go golang-go 2>/dev/null
    [ -n "$BASE_HELPER" ] && echo "base helper: $BASE_HELPER"
    [ -n "$WGGO_MODERN" ] && echo "wg-modern: $WGGO_MODERN $("$WGGO_MODERN" --version 2>/dev/null | head -n 1)"
    echo "runs=$RUNS T=$T UDPT=$UDPT ULEN=$ULEN variants=$VARIANTS"
} > "$OUT/env.txt" 2>&1
printf 'run\tvariant\tmetric\tvalue\n' > "$OUT/results.tsv"
ns_up
for RUN in $(seq 1 "$RUNS"); do
    VAR=box; rec loadavg_1m "$(cut -d' ' -f1 /proc/loadavg)"
    for v in $VARIANTS; do run_variant "$v"; done
done

"$PY" - "$OUT/results.tsv" "$OUT/env.txt" > "$OUT/summary.md" <<'EOF'
import csv, sys, statistics as st
from collections import defaultdict
d = defaultdict(list)
for r in csv.DictReader(open(sys.argv[1]), delimiter="\t"):
    try:
        d[(r["variant"], r["metric"])].append(float(r["value"]))
    except ValueError:
        pass
env = open(sys.argv[2]).read().splitlines()
def med(v, m):
    x = d.get((v, m))
    return st.median(x) if x else None
def fmt(x, nd=2):
    return "-" if x is None else (f"{x:.{nd}f}" if abs(x) < 1000 else f"{x:.0f}")
def ratio(a, b):
    return "-" if a is None or b is None or b == 0 else f"{a / b:.2f}x"
vars_ = [v for v in dict.fromkeys(k[0] for k in d) if v != "box"]
cpu = next((l.split(":", 1)[1].strip() for l in env if l.startswith("model name")), "?")
nproc = next((l.split(":", 1)[1].strip() for l in env if l.startswith("nproc")), "?")
runs = len(d.get(("box", "loadavg_1m"), [])) or 1
print(f"Machine: {cpu}, {nproc} cores, kernel {env[1] if len(env) > 1 else '?'}; "
      f"median of {runs} run(s); {env[-1]}\n")
print("| variant | MTU | TCP 1 stream Gbit/s | TCP 4 streams Gbit/s | UDP through tunnel kpps "
      "| UDP to iperf3 kpps | UDP loss % | ping avg ms | fwd CPU s/GB (TCP 1) | TCP 1 / veth "
      "| TCP 4 / veth | UDP tunnel kpps / veth | TCP 1 / gotun | UDP tunnel kpps / gotun |")
print("|---" * 14 + "|")
for v in vars_:
    t1, t4, u = med(v, "tcp1_gbps"), med(v, "tcp4_gbps"), med(v, "udp_tunnel_kpps")
    tunnel = v != "veth"
    vs_gotun = v.startswith("peertun")
    print(f"| {v} | {fmt(med(v, 'mtu'), 0)} | {fmt(t1)} | {fmt(t4)} | {fmt(u, 1)} | {fmt(med(v, 'udp_rx_kpps'), 1)} "
          f"| {fmt(med(v, 'udp_loss_pct'), 1)} | {fmt(med(v, 'rtt_avg_ms'), 3)} | {fmt(med(v, 'tcp1_fwd_cpu_s_per_gb'))} "
          f"| {ratio(t1, med('veth', 'tcp1_gbps')) if tunnel else '1'} "
          f"| {ratio(t4, med('veth', 'tcp4_gbps')) if tunnel else '1'} "
          f"| {ratio(u, med('veth', 'udp_tunnel_kpps')) if tunnel else '1'} "
          f"| {ratio(t1, med('gotun', 'tcp1_gbps')) if vs_gotun else ''} "
          f"| {ratio(u, med('gotun', 'udp_tunnel_kpps')) if vs_gotun else ''} |")

# The references, side by side: what a tunnel costs against the kernel's VXLAN (no userspace
# hop), peertun's plain mode and a current wireguard-go (wg-modern).
print("\n| path | TCP 1 stream Gbit/s | CPU s per GB (both processes) | CPU s per GB (whole box) "
      "| TCP 1 vs kernel VXLAN | CPU vs plain | TCP 1 vs wg-modern | CPU vs wg-modern |")
print("|---" * 8 + "|")
names = {"veth": "raw veth", "vxlan": "kernel VXLAN", "peertun": "peertun plain",
         "peertun1472": "peertun plain, MTU 1472", "wireguard": "peertun WireGuard",
         "wg": "Debian's wireguard-go", "wg-modern": "wireguard-go (WGGO_MODERN)",
         "gotun": "the blog post's program", "mixed": "peertun + the blog post's server"}
for v in vars_:
    t1, c = med(v, "tcp1_gbps"), med(v, "tcp1_fwd_cpu_s_per_gb")
    kernel = v in ("veth", "vxlan")
    base = v.endswith("-base")
    core = v[:-len("-base")] if base else v
    fwd = core[-1] if core[:-1].endswith("-fwd") else ""
    core = core[:-len("-fwdN")] if fwd else core
    name = names.get(core, core)
    if core.startswith("wireguard") and core != "wireguard":
        name = f"peertun WireGuard, {core[len('wireguard'):]} crypto thread(s)"
    if fwd:
        name += ", one forwarding thread" if fwd == "1" else ", a forwarding thread per direction"
    if base:
        name += " (BASE_HELPER)"
    print(f"| {name} | {fmt(t1)} | {'(in the kernel)' if kernel else fmt(c)} "
          f"| {fmt(med(v, 'tcp1_box_cpu_s_per_gb'))} "
          f"| {ratio(t1, med('vxlan', 'tcp1_gbps')) if v != 'veth' else ''} "
          f"| {'' if kernel or v == 'peertun' else ratio(c, med('peertun-base' if base else 'peertun', 'tcp1_fwd_cpu_s_per_gb'))} "
          f"| {'' if v in ('veth', 'wg-modern') else ratio(t1, med('wg-modern', 'tcp1_gbps'))} "
          f"| {'' if kernel or v == 'wg-modern' else ratio(c, med('wg-modern', 'tcp1_fwd_cpu_s_per_gb'))} |")
if "wg-modern" not in vars_:
    print("\nwg-modern: row missing, set WGGO_MODERN=/path/to/wireguard-go (and put wg-modern in VARIANTS)")

print("\nUDP through tunnel: packets out of the far end's device (TUN rx) per second during the "
      "unlimited-rate UDP test; UDP to iperf3: what the iperf3 server received (on 2 cores it "
      "competes with the forwarders for CPU); fwd CPU: CPU seconds of both forwarding processes "
      "per GB delivered; whole box: every CPU's busy time (the iperf3 ends and the kernel's "
      "work too, so the kernel's VXLAN has a figure) per GB delivered, which on a box with no "
      "idle core is about its core count over the GB per second.")
EOF
say "done: $OUT (summary.md, results.tsv, logs/, json/)"
cat "$OUT/summary.md"
