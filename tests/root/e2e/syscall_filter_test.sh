#!/bin/bash
# The systemd units' confinement, applied to the real helper without systemd as PID 1: a
# WireGuard tunnel with the kill switch (nftables) and a listen port below 1024, started as
# peertun@.service starts it:
#   - as the helper's user (peertun, or nobody where the machine has none) with CAP_NET_ADMIN
#     and CAP_NET_BIND_SERVICE ambient and in the bounding set (setpriv), the profile a copy
#     only that user can read (LoadCredential=);
#   - under SystemCallFilter=@system-service, SystemCallErrorNumber=EPERM,
#     SystemCallArchitectures=native and NoNewPrivileges=yes (seccomp_exec, the group expanded
#     by this machine's own systemd-analyze, tests/root/lab/unit-syscall-filter.sh);
#   - /dev/net/tun 0666 as udev makes it (a node of the test's own in a private mount
#     namespace; this machine's is root's alone).
# Checks: the tunnel comes up, ping and counters through it, the process's /proc status
# (Seccomp 2, NoNewPrivs 1, not root, CapEff net_admin only, CapAmb empty), no "Operation not
# permitted" in its log, a clean stop on SIGTERM (exit 0, device gone, nftables table gone).
# Usage: syscall_filter_test.sh HELPER PEERTUNCTL SECCOMP_EXEC SOURCE_DIR. Exit 77 (skip) only
# when not root.
set -uo pipefail
helper=$1 ctl=$2 seccomp_exec=$3 src=$4
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (namespaces, TUN, nftables, users)"; exit 77; }
for tool in systemd-analyze setpriv unshare ip nft ping; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed"; exit 1; }
done
user=peertun
id peertun >/dev/null 2>&1 || user=nobody
uid=$(id -u "$user") gid=$(id -g "$user")

tag=$$
A=ptscA$tag B=ptscB$tag
dir=$(mktemp -d /tmp/peertun-seccomp.XXXXXX)
chmod 755 "$dir"
pids=()
failures=0
cleanup() {
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
    wait 2>/dev/null
    ip netns del "$A" 2>/dev/null
    ip netns del "$B" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

# --- the filter: the unit's SystemCallFilter= as systemd expands it -------------------------
"$src/tests/root/lab/unit-syscall-filter.sh" "$src/helper/data/peertun@.service.in" > "$dir/syscalls" \
    || { echo "FAIL: cannot expand the unit's system call filter"; exit 1; }
n=$(wc -l < "$dir/syscalls")
echo "note: the unit's filter is $n system calls here; running as $user (uid $uid)"

# --- namespaces, keys, profiles -------------------------------------------------------------
ip netns add "$A" && ip netns add "$B" || exit 1
ip -n "$A" link set lo up; ip -n "$B" link set lo up
ip link add vsca$tag netns "$A" type veth peer name vscb$tag netns "$B"
ip -n "$A" addr add 192.168.214.1/24 dev vsca$tag; ip -n "$B" addr add 192.168.214.2/24 dev vscb$tag
ip -n "$A" link set vsca$tag up; ip -n "$B" link set vscb$tag up
keyA=$("$ctl" genkey) keyB=$("$ctl" genkey)
pubA=$(echo "$keyA" | "$ctl" pubkey) pubB=$(echo "$keyB" | "$ctl" pubkey)
cat > "$dir/b.json" <<JSON
{"version": 1, "name": "far", "mode": "wireguard",
 "interface": {"name": "ptsc0", "address": "10.215.0.2/24", "listen": "192.168.214.2:51820", "privateKey": "$keyB"},
 "peers": [{"name": "near", "endpoint": "192.168.214.1:443", "subnets": ["10.215.0.1/32"], "publicKey": "$pubA"}]}
JSON
chmod 600 "$dir/b.json"
mkdir "$dir/credentials"
cat > "$dir/credentials/profile" <<JSON
{"version": 1, "name": "near", "mode": "wireguard",
 "interface": {"name": "ptsc0", "address": "10.215.0.1/24", "listen": "192.168.214.1:443", "privateKey": "$keyA",
               "killSwitch": true},
 "peers": [{"name": "far", "endpoint": "192.168.214.2:51820", "subnets": ["10.215.0.0/24"], "publicKey": "$pubB"}]}
JSON
chown -R "$uid:$gid" "$dir/credentials"; chmod 500 "$dir/credentials"; chmod 400 "$dir/credentials/profile"

ip netns exec "$B" "$helper" --standalone "$dir/b.json" 2>"$dir/b.log" &
pids+=($!)

# --- A: as peertun@.service would run it ----------------------------------------------------
mkdir "$dir/dev" && mknod "$dir/dev/tun" c 10 200 && chmod 666 "$dir/dev/tun" || { echo "FAIL: mknod"; exit 1; }
ip netns exec "$A" unshare --mount --propagation private sh -c '
    mount --bind "$1" /dev/net/tun && shift && exec "$@"' sh "$dir/dev/tun" \
    setpriv --reuid="$uid" --regid="$gid" --clear-groups \
        --inh-caps=-all,+net_admin,+net_bind_service --ambient-caps=+net_admin,+net_bind_service \
        --bounding-set=-all,+net_admin,+net_bind_service \
        "$seccomp_exec" "$dir/syscalls" "$helper" --standalone "$dir/credentials/profile" \
    2>"$dir/a.log" &
launcher=$!
pids+=($launcher)
for _ in $(seq 100); do grep -q "tunnel up" "$dir/a.log" && break; sleep 0.1; done
grep -q "tunnel up" "$dir/a.log" && pass "the tunnel came up under the filter" || fail "no tunnel: $(cat "$dir/a.log")"
pid=$(pgrep -f -- "--standalone $dir/credentials/profile" | while read -r p; do
    [ "$(readlink /proc/$p/exe)" = "$(readlink -f "$helper")" ] && echo "$p"; done | head -1)
[ -n "$pid" ] || { fail "no helper process"; pid=0; }
field() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status" 2>/dev/null; }
[ "$(field Seccomp)" = 2 ] && pass "Seccomp: 2 (filter)" || fail "Seccomp: $(field Seccomp)"
[ "$(field NoNewPrivs)" = 1 ] && pass "NoNewPrivs: 1" || fail "NoNewPrivs: $(field NoNewPrivs)"
[ "$(field Uid)" = "$uid" ] && pass "Uid $uid ($user)" || fail "Uid: $(field Uid)"
[ "$(field CapEff)" = 0000000000001000 ] && pass "CapEff: net_admin" || fail "CapEff: $(field CapEff)"
[ "$(field CapPrm)" = 0000000000001400 ] && pass "CapPrm: net_admin net_bind_service" || fail "CapPrm: $(field CapPrm)"
[ "$(field CapAmb)" = 0000000000000000 ] && pass "CapAmb: empty (trimmed by the helper)" || fail "CapAmb: $(field CapAmb)"
ip netns exec "$A" ss -ulnp 2>/dev/null | grep -q "192.168.214.1:443 " && pass "listening on port 443" \
    || fail "not on port 443: $(ip netns exec "$A" ss -ulnp)"
ip netns exec "$A" nft list table inet peertun >/dev/null 2>&1 && pass "kill switch table in nftables" \
    || fail "no kill switch table"
ip netns exec "$A" ping -c 3 -i 0.2 -W 2 -q 10.215.0.2 >/dev/null && pass "ping through the tunnel" \
    || fail "no ping: $(tail -5 "$dir/a.log")"
kill -USR1 "$pid"; sleep 0.3
grep -qE "stats tunnel=near tx_packets=[1-9]" "$dir/a.log" && grep -qE "handshakes_done=[1-9]" "$dir/a.log" \
    && pass "counters and a handshake (SIGUSR1)" || fail "stats: $(grep stats "$dir/a.log")"
kill -TERM "$pid"
wait "$launcher"; rc=$?
[ $rc = 0 ] && pass "clean exit on SIGTERM" || fail "exit $rc: $(tail -5 "$dir/a.log")"
grep -qi "not permitted\|EPERM\|bad system call" "$dir/a.log" && fail "a refused call: $(grep -i 'not permitted\|EPERM' "$dir/a.log")" \
    || pass "no refused system call in the log"
ip -n "$A" link show ptsc0 >/dev/null 2>&1 && fail "the device is still there" || pass "the device is gone"
ip netns exec "$A" nft list table inet peertun >/dev/null 2>&1 && fail "the kill switch table is still there" \
    || pass "the kill switch table is gone"

if [ "$failures" -gt 0 ]; then
    echo "--- helper log"; cat "$dir/a.log"
    echo "$failures check(s) failed"; exit 1
fi
echo "all checks passed"
