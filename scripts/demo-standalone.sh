#!/bin/bash
# scripts/demo-standalone.sh -- the blog post's two-host test with two `--standalone` helpers
# (the server way: no D-Bus, no install), on one machine.
#
# Two network namespaces play the blog's two hosts, joined by a veth pair (underlay
# 10.211.55.122/24 <-> 10.211.55.123/24). Each runs `peertun-helper --standalone` with the
# blog post's tunnel addresses (flannel99, 10.244.2.2/24 <-> 10.244.3.3/24). Host 2 serves the
# blog's web app on 10.244.3.3:9090; host 1 pings across and runs `curl 10.244.3.3:9090`.
# Then both helpers print their counters (SIGUSR1) and everything is torn down -- on every
# exit path, Ctrl-C included. Nothing is configured in the root namespace.
#
# Usage:  sudo scripts/demo-standalone.sh             installs missing packages (deps.sh),
#                                                   builds (build.sh), then runs the demo
#         sudo scripts/demo-standalone.sh HELPER      runs it with that binary, no setup
#         (PEERTUN_HELPER=... works like the argument)
# Needs:  root; iproute2, iputils-ping, curl, python3 (deps.sh installs them).
set -u
export LC_ALL=C

REPO=$(cd "$(dirname "$0")/.." && pwd)
HELPER=${1:-${PEERTUN_HELPER:-}}
SETUP=
[ -n "$HELPER" ] || { HELPER=$REPO/build/helper/peertun-helper; SETUP=1; }
SERVER=$REPO/tests/root/e2e/web_app.py
NS1=ptdemo$$a; NS2=ptdemo$$b            # unique per run
WORK=
HELPER1=; HELPER2=; WEB=

say()  { printf '\n\033[1m== %s\033[0m\n' "$*"; }
fail() { echo "demo: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "needs root (network namespaces, TUN devices): sudo $0 $*"
if [ -n "$SETUP" ]; then
    say "setting up: packages (scripts/deps.sh) and build (scripts/build.sh)"
    "$REPO/scripts/deps.sh" || fail "installing packages failed"
    "$REPO/scripts/build.sh" || fail "the build failed"
fi
[ -x "$HELPER" ] || fail "no helper binary at $HELPER (build it first, or pass its path)"
for t in ip ping curl python3; do command -v $t >/dev/null || fail "$t is not installed"; done

stop_pid() {   # stop_pid PID: TERM, then KILL after 2 s (only our own children)
    local pid=$1 i
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for i in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}
cleanup() {
    trap - EXIT INT TERM HUP
    stop_pid "$WEB"; stop_pid "$HELPER1"; stop_pid "$HELPER2"
    ip netns del "$NS1" 2>/dev/null; ip netns del "$NS2" 2>/dev/null
    [ -n "$WORK" ] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

WORK=$(mktemp -d /tmp/peertun-demo.XXXXXX) || fail "mktemp failed"

say "two hosts: namespaces $NS1 (10.211.55.122) and $NS2 (10.211.55.123), joined by a veth pair"
ip netns add "$NS1" && ip netns add "$NS2" || fail "cannot create namespaces"
ip -n "$NS1" link add veth1 type veth peer name veth2 netns "$NS2" || fail "cannot create veth pair"
ip -n "$NS1" addr add 10.211.55.122/24 dev veth1
ip -n "$NS2" addr add 10.211.55.123/24 dev veth2
for ns in "$NS1" "$NS2"; do ip -n "$ns" link set lo up; done
ip -n "$NS1" link set veth1 up; ip -n "$NS2" link set veth2 up

profile() {   # profile NAME ADDRESS LISTEN PEER-NAME PEER-ENDPOINT PEER-SUBNET
    cat <<EOF
{ "version": 1, "name": "$1",
  "interface": { "name": "flannel99", "address": "$2", "listen": "$3" },
  "mode": "plain",
  "peers": [ { "name": "$4", "endpoint": "$5", "subnets": ["$6"] } ] }
EOF
}
profile office 10.244.2.2/24 10.211.55.122:8285 host-2 10.211.55.123:8285 10.244.3.0/24 > "$WORK/host1.json"
profile branch 10.244.3.3/24 10.211.55.123:8285 host-1 10.211.55.122:8285 10.244.2.0/24 > "$WORK/host2.json"
say "profile of host 1 ($WORK/host1.json)"
cat "$WORK/host1.json"

say "starting peertun-helper --standalone on both hosts"
ip netns exec "$NS1" "$HELPER" --standalone "$WORK/host1.json" 2> >(sed -u 's/^/[host 1] /' >&2) &
HELPER1=$!
ip netns exec "$NS2" "$HELPER" --standalone "$WORK/host2.json" 2> >(sed -u 's/^/[host 2] /' >&2) &
HELPER2=$!
up() { ip -n "$1" -br addr show dev flannel99 2>/dev/null | grep -q "$2"; }
for i in $(seq 50); do up "$NS1" 10.244.2.2 && up "$NS2" 10.244.3.3 && break; sleep 0.1; done
kill -0 "$HELPER1" 2>/dev/null && kill -0 "$HELPER2" 2>/dev/null || fail "a helper exited (see its message above)"
up "$NS1" 10.244.2.2 && up "$NS2" 10.244.3.3 || fail "the tunnel did not come up within 5 s"
ip -n "$NS1" route show dev flannel99 | sed 's/^/[host 1 routes] /'

say "host 2: the blog's web app on 10.244.3.3:9090"
ip netns exec "$NS2" python3 "$SERVER" --bind 10.244.3.3 --port 9090 > "$WORK/web.out" 2> "$WORK/web.log" &
WEB=$!
for i in $(seq 50); do grep -q ready "$WORK/web.out" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$WORK/web.out" || fail "web app did not start: $(cat "$WORK/web.log")"

rc=0
say "host 1: ping 10.244.3.3"
ip netns exec "$NS1" ping -c 3 -i 0.2 -w 5 10.244.3.3 || rc=1
say "host 2: ping 10.244.2.2"
ip netns exec "$NS2" ping -c 3 -i 0.2 -w 5 10.244.2.2 || rc=1
say "host 1: curl 10.244.3.3:9090"
ip netns exec "$NS1" curl -sS -m 10 10.244.3.3:9090 || rc=1
echo

say "counters (SIGUSR1)"
kill -USR1 "$HELPER1" "$HELPER2"
sleep 0.5

say "tearing down"
stop_pid "$WEB"; WEB=
stop_pid "$HELPER1"; HELPER1=
stop_pid "$HELPER2"; HELPER2=
ip -n "$NS1" link show flannel99 >/dev/null 2>&1 && { echo "flannel99 still present on host 1" >&2; rc=1; }
if [ $rc = 0 ]; then say "demo OK"; else say "demo FAILED"; fi
exit $rc
