#!/bin/bash
# DNS through a real systemd-resolved, and the kill switch through the D-Bus helper, as root,
# nothing of the host touched:
#   - Debian's systemd-resolved unpacked into the build tree (never installed), run in the
#     client namespace A inside its own mount namespace (tmpfs on /run/systemd), on a private
#     system bus of this test;
#   - polkitd on that bus with the shipped rule that lets the helper's user (it runs as
#     peertun, or nobody here) set its link's DNS;
#   - B, the far side: a second peertun-helper --standalone and dnsmasq on B's tunnel address,
#     the tunnel's DNS server, the only one that knows only.tunnel.test.
# Checks: split DNS (a domain) resolves through resolved to the tunnel's server; a full tunnel
# sends queries for any name there (dnsmasq's log) and sets ~.; after disconnect the link has
# no DNS; after resolved dropped the link's DNS, a network change puts it back; with resolved
# stopped the tunnel comes up and says "DNS not applied: ..."; through the D-Bus helper
# (peertunctl as root), ListTunnels and `peertunctl status` show DNS and the kill switch, a
# SIGKILLed helper leaves the kill switch, the next helper lists it as blocked
# and `peertunctl down` removes it.
# Usage: resolved_dns_test.sh HELPER PEERTUNCTL SOURCE_DIR WORK_DIR (the unpacked package
# stays in WORK_DIR between runs). Exit 77 (skip) only when not root.
set -uo pipefail
helper=$1
ctl=$2
src=$3
resolved_root=$4/systemd-resolved
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (namespaces, TUN, nftables, a private bus)"; exit 77; }
for tool in dbus-daemon dbus-monitor busctl dnsmasq nft ip unshare; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed"; exit 1; }
done
"$src/tests/root/e2e/unpack-systemd-resolved.sh" "$resolved_root" || { echo "FAIL: cannot unpack systemd-resolved"; exit 1; }
resolvectl=$resolved_root/usr/bin/resolvectl
if ! id systemd-resolve >/dev/null 2>&1; then
    useradd --system --no-create-home --home-dir /run/systemd --shell /usr/sbin/nologin systemd-resolve
    echo "note: added the system user systemd-resolve (systemd-resolved runs as it)"
fi

tag=$$
A=ptdnsA$tag B=ptdnsB$tag
dir=$(mktemp -d /tmp/peertun-resolved.XXXXXX)
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

# The helper runs as its own user peertun, or as nobody where the machine has no peertun: the
# shipped bus policy and polkit rule name peertun, so the test grants nobody the same beside it.
helper_user=peertun
id peertun >/dev/null 2>&1 || helper_user=nobody

# --- the private system bus, with resolved's, polkitd's and the helper's policies ------------
mkdir -p "$dir/system.d" "$dir/services"
cp "$resolved_root/usr/share/dbus-1/system.d/org.freedesktop.resolve1.conf" \
    /usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf "$dir/system.d/"
cp "$src/helper/data/io.peertun.Helper1.conf" "$dir/system.d/"
grep -q '<policy user="peertun">' "$dir/system.d/io.peertun.Helper1.conf" || { echo "FAIL: the bus policy no longer names peertun"; exit 1; }
sed 's|<policy user="peertun">|<policy user="nobody">|' "$src/helper/data/io.peertun.Helper1.conf" \
    > "$dir/system.d/io.peertun.Helper1-test-nobody.conf"
sed -e '/<user>/d; /<fork\/>/d; /<syslog\/>/d; /<pidfile>/d; /<servicehelper>/d' \
    -e "s|<listen>.*</listen>|<listen>unix:path=$dir/bus</listen>|" \
    -e "s|<standard_system_servicedirs/>|<servicedir>$dir/services</servicedir>|" \
    -e "s|<includedir>system.d</includedir>|<includedir>$dir/system.d</includedir>|" \
    -e '/\/etc\/dbus-1/d' \
    /usr/share/dbus-1/system.conf > "$dir/system.conf"
dbus-daemon --config-file="$dir/system.conf" --nofork --nosyslog 2>"$dir/bus.log" &
pids+=($!)
for _ in $(seq 50); do [ -S "$dir/bus" ] && break; sleep 0.1; done
export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$dir/bus

# --- polkitd: resolved asks it before a non-root caller (the helper) sets a link's DNS; the
#     shipped rule (60-peertun-resolved.rules) says yes for the helper's user.
mkdir -p "$dir/polkit-actions" "$dir/polkit-rules" "$dir/polkit-etc-rules"
cp "$resolved_root/usr/share/polkit-1/actions/org.freedesktop.resolve1.policy" "$dir/polkit-actions/"
sed 's|subject.user == "peertun"|(subject.user == "peertun" \|\| subject.user == "nobody")|' \
    "$src/helper/data/60-peertun-resolved.rules" > "$dir/polkit-rules/60-peertun-resolved.rules"
grep -qF '(subject.user == "peertun" || subject.user == "nobody")' "$dir/polkit-rules/60-peertun-resolved.rules" || { echo "FAIL: the rule no longer names peertun"; exit 1; }
chmod -R a+rX "$dir/polkit-actions" "$dir/polkit-rules" "$dir/polkit-etc-rules"
unshare --mount --propagation private sh -c "
    mount --bind '$dir/polkit-actions' /usr/share/polkit-1/actions &&
    mount --bind '$dir/polkit-rules' /usr/share/polkit-1/rules.d &&
    mount --bind '$dir/polkit-etc-rules' /etc/polkit-1/rules.d &&
    exec /usr/lib/polkit-1/polkitd --no-debug" >"$dir/polkitd.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do busctl --system status org.freedesktop.PolicyKit1 >/dev/null 2>&1 && break; sleep 0.1; done
busctl --system status org.freedesktop.PolicyKit1 >/dev/null 2>&1 || { echo "FAIL: polkitd did not come up: $(cat "$dir/polkitd.log")"; exit 1; }

# --- namespaces: A (client) -- B (far side) ----------------------------------------------
ip netns add "$A" && ip netns add "$B" || exit 1
ip -n "$A" link set lo up; ip -n "$B" link set lo up
ip link add vdnsa$tag netns "$A" type veth peer name vdnsb$tag netns "$B"
ip -n "$A" link set vdnsa$tag name eth0; ip -n "$B" link set vdnsb$tag name eth0
ip -n "$A" addr add 192.168.213.1/24 dev eth0; ip -n "$B" addr add 192.168.213.2/24 dev eth0
ip -n "$A" link set eth0 up; ip -n "$B" link set eth0 up

profile() { # NAME SUBNET EXTRA-INTERFACE-JSON
    cat > "$dir/$1.json" <<JSON
{"version": 1, "name": "$1", "mode": "plain",
 "interface": {"name": "ptdns0", "address": "10.213.0.1/24", "listen": "192.168.213.1:8285"$3},
 "peers": [{"name": "far", "endpoint": "192.168.213.2:8285", "subnets": ["$2"]}]}
JSON
    echo "$dir/$1.json"
}
cat > "$dir/far.json" <<JSON
{"version": 1, "name": "far", "mode": "plain",
 "interface": {"name": "ptdns0", "address": "10.213.0.2/24", "listen": "192.168.213.2:8285"},
 "peers": [{"name": "client", "endpoint": "192.168.213.1:8285", "subnets": ["10.213.0.0/24"]}]}
JSON
ip netns exec "$B" "$helper" --standalone "$dir/far.json" 2>"$dir/far.log" &
pids+=($!)
for _ in $(seq 50); do ip -n "$B" addr show dev ptdns0 2>/dev/null | grep -q 10.213.0.2 && break; sleep 0.1; done
ip netns exec "$B" dnsmasq --keep-in-foreground --no-resolv --no-hosts --bind-interfaces \
    --listen-address=10.213.0.2 --address=/only.tunnel.test/10.213.0.99 \
    --log-queries --log-facility="$dir/dnsmasq.log" --pid-file="$dir/dnsmasq.pid" &
pids+=($!)

start_resolved() {
    ip netns exec "$A" unshare --mount --propagation private bash -c "
        mount -t tmpfs tmpfs /run/systemd && mkdir -p /run/systemd/resolve &&
        chown systemd-resolve: /run/systemd/resolve &&
        exec $resolved_root/lib/systemd/systemd-resolved" 2>"$dir/resolved.log" &
    resolved_pid=$!
    pids+=($resolved_pid)
    for _ in $(seq 50); do
        busctl --system status org.freedesktop.resolve1 >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "resolved did not come up: $(cat "$dir/resolved.log")"; return 1
}
start_resolved || exit 1
# Watches the calls to resolved (resolved logs no line for RevertLink).
dbus-monitor --system "interface='org.freedesktop.resolve1.Manager'" >"$dir/monitor.log" 2>&1 &
pids+=($!)
sleep 0.2
# resolved's own list of every link's servers: "a(iiay) N IFINDEX FAMILY 4 B B B B ...".
resolved_servers() {
    busctl --system get-property org.freedesktop.resolve1 /org/freedesktop/resolve1 \
        org.freedesktop.resolve1.Manager DNS 2>&1
}

up_standalone() { # PROFILE LOG
    ip netns exec "$A" "$helper" --standalone "$1" 2>"$2" &
    client_pid=$!
    for _ in $(seq 100); do grep -q "tunnel up" "$2" && break; sleep 0.1; done
    sleep 0.3
}
down_standalone() { kill -TERM "$client_pid"; wait "$client_pid" 2>/dev/null; }

started=$(date +%s.%N)
# 1. Split DNS: the tunnel's domain goes to the tunnel's server through resolved.
up_standalone "$(profile split 10.213.0.0/24 ', "dns": {"servers": ["10.213.0.2"], "domains": ["tunnel.test"]}')" "$dir/split.log"
grep -q "running as $helper_user (uid $(id -u $helper_user))" "$dir/split.log" \
    && pass "split: the helper runs as $helper_user" || fail "split: not as $helper_user: $(cat "$dir/split.log")"
grep -q "DNS on ptdns0 through systemd-resolved: servers 10.213.0.2, domains tunnel.test" "$dir/split.log" \
    && pass "split: applied" || fail "split: not applied: $(cat "$dir/split.log")"
answer=$("$resolvectl" query --cache=no only.tunnel.test 2>&1)
echo "$answer" | grep -q "10.213.0.99" && pass "split: only.tunnel.test resolves through resolved" \
    || fail "split: resolvectl query: $answer"
grep -q "query\[A\] only.tunnel.test from 10.213.0.1" "$dir/dnsmasq.log" \
    && pass "split: the query reached the tunnel's server" || fail "split: dnsmasq saw no query"
link=$(ip netns exec "$A" "$resolvectl" status ptdns0 2>&1)
echo "$link" | grep -q "DNS Servers: 10.213.0.2" && echo "$link" | grep -q "DNS Domain: tunnel.test" \
    && pass "split: link has the server and the domain" || fail "split: link status: $link"
resolved_servers | grep -q " 2 4 10 213 0 2" && pass "split: resolved lists the server" \
    || fail "split: resolved's DNS property: $(resolved_servers)"
# resolved drops the link's DNS (as after a link flap); the next network change puts it back.
ip netns exec "$A" "$resolvectl" revert ptdns0
resolved_servers | grep -q " 2 4 10 213 0 2" && fail "split: revert left the server: $(resolved_servers)"
ip -n "$A" addr add 192.168.214.1/24 dev eth0
for _ in $(seq 30); do grep -q "DNS re-applied after a network change" "$dir/split.log" && break; sleep 0.1; done
grep -q "network changed: address 192.168.214.1 on eth0 added" "$dir/split.log" \
    && pass "split: the network change is seen" || fail "split: no network change: $(cat "$dir/split.log")"
grep -q "DNS re-applied after a network change" "$dir/split.log" && resolved_servers | grep -q " 2 4 10 213 0 2" \
    && pass "split: DNS re-applied after the change" || fail "split: not re-applied: $(resolved_servers)"
ip -n "$A" addr del 192.168.214.1/24 dev eth0
down_standalone
resolved_servers | grep -q " 4 10 213 0 2" && fail "split: the link's DNS is still there: $(resolved_servers)" \
    || pass "split: after disconnect the link's DNS is gone"
grep -q "member=RevertLink" "$dir/monitor.log" && pass "split: reverted by RevertLink" \
    || fail "split: no RevertLink call on the bus"

# 2. Full tunnel: every name goes to the tunnel's server (~. and the DNS default route).
up_standalone "$(profile full 0.0.0.0/0 ', "dns": {"servers": ["10.213.0.2"]}')" "$dir/full.log"
grep -q "every name (~.) goes to these servers" "$dir/full.log" && pass "full: ~. applied" \
    || fail "full: $(cat "$dir/full.log")"
ip netns exec "$A" "$resolvectl" domain ptdns0 2>&1 | grep -q "~\." && pass "full: link has ~." || fail "full: no ~. on the link"
"$resolvectl" query --cache=no anything-$tag.example.org >/dev/null 2>&1
grep -q "query\[A\] anything-$tag.example.org from 10.213.0.1" "$dir/dnsmasq.log" \
    && pass "full: a query for any name went to the tunnel's server" || fail "full: dnsmasq saw no query for anything-$tag.example.org"
down_standalone
resolved_servers | grep -q " 4 10 213 0 2" && fail "full: link DNS left" || pass "full: link DNS gone"

# 3. Through the D-Bus helper: DNS and the kill switch in ListTunnels and peertunctl status;
#    SIGKILL leaves the kill switch; the next helper lists it blocked; down removes it.
ip netns exec "$A" "$helper" --idle-exit 0 2>"$dir/service.log" &
service_pid=$!
pids+=($service_pid)
for _ in $(seq 50); do "$ctl" status >/dev/null 2>&1 && break; sleep 0.1; done
kprofile=$(profile guarded 0.0.0.0/0 ', "dns": {"servers": ["10.213.0.2"]}, "killSwitch": true')
"$ctl" up "$kprofile" >/dev/null 2>"$dir/up.err" || fail "dbus: up failed: $(cat "$dir/up.err")"
status=$("$ctl" status guarded)
echo "$status" | grep -q "Kill switch on: traffic outside the tunnel is blocked" && pass "dbus: status shows the kill switch" \
    || fail "dbus: status: $status"
echo "$status" | grep -q "DNS: 10.213.0.2" && pass "dbus: status shows DNS" || fail "dbus: status: $status"
json=$("$ctl" status --json)
echo "$json" | grep -q '"killSwitch": true' && echo "$json" | grep -q '"dnsApplied": true' \
    && pass "dbus: ListTunnels has killSwitch and dnsApplied" || fail "dbus: json: $json"
"$resolvectl" query --cache=no only.tunnel.test 2>&1 | grep -q 10.213.0.99 \
    && pass "dbus: resolves through the tunnel with the kill switch on" || fail "dbus: no answer through the tunnel"
ip netns exec "$A" ping -c1 -W0.3 -I eth0 192.168.213.2 >/dev/null 2>&1 && fail "dbus: ping -I eth0 got out" \
    || pass "dbus: ping -I eth0 is blocked"
kill -9 "$service_pid"; wait "$service_pid" 2>/dev/null
ip netns exec "$A" nft list chain inet peertun out-ptdns0 >/dev/null 2>&1 && pass "dbus: SIGKILL left the kill switch" \
    || fail "dbus: the kill switch went with the helper"
ip netns exec "$A" ping -c1 -W0.3 192.168.213.2 >/dev/null 2>&1 && fail "dbus: traffic passes after SIGKILL" \
    || pass "dbus: still blocked after SIGKILL"
ip netns exec "$A" "$helper" --idle-exit 0 2>"$dir/service2.log" &
service_pid=$!
pids+=($service_pid)
for _ in $(seq 50); do "$ctl" status >/dev/null 2>&1 && break; sleep 0.1; done
status=$("$ctl" status)
echo "$status" | grep -q "guarded *blocked" && pass "dbus: the new helper lists it as blocked" || fail "dbus: status: $status"
"$ctl" down guarded >/dev/null 2>"$dir/down.err" && pass "dbus: down accepted" || fail "dbus: down: $(cat "$dir/down.err")"
ip netns exec "$A" nft list table inet peertun >/dev/null 2>&1 && fail "dbus: the table is still there" \
    || pass "dbus: the table is gone"
ip netns exec "$A" ping -c1 -W1 192.168.213.2 >/dev/null 2>&1 && pass "dbus: direct traffic works again" \
    || fail "dbus: direct traffic still blocked"
kill -TERM "$service_pid"; wait "$service_pid" 2>/dev/null

# 4. resolved stopped: the tunnel comes up and says plainly that DNS is not applied.
kill -TERM "$resolved_pid"; wait "$resolved_pid" 2>/dev/null
for _ in $(seq 30); do busctl --system status org.freedesktop.resolve1 >/dev/null 2>&1 || break; sleep 0.1; done
up_standalone "$(profile split 10.213.0.0/24 ', "dns": {"servers": ["10.213.0.2"]}')" "$dir/noresolved.log"
grep -q "tunnel up" "$dir/noresolved.log" && pass "no resolved: the tunnel is up" || fail "no resolved: $(cat "$dir/noresolved.log")"
grep -q "\[warning\] split: DNS not applied: systemd-resolved is not running" "$dir/noresolved.log" \
    && pass "no resolved: the warning is there" || fail "no resolved: no warning: $(cat "$dir/noresolved.log")"
ip netns exec "$A" ping -c1 -W1 10.213.0.2 >/dev/null 2>&1 && pass "no resolved: traffic flows" || fail "no resolved: no ping"
down_standalone

echo "time: $(echo "$(date +%s.%N) - $started" | bc 2>/dev/null || echo '?') s for the checks"
if [ "$failures" -gt 0 ]; then
    echo "--- resolved log"; tail -20 "$dir/resolved.log"
    echo "--- service log"; tail -20 "$dir/service.log" "$dir/service2.log" 2>/dev/null
    echo "$failures check(s) failed"; exit 1
fi
echo "all checks passed"
