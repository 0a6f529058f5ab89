#!/bin/bash
# Runs README's first command the way a server user without a display meets it
# (`scripts/demo.sh --headless --no-setup`), and checks what it shows and what it leaves.
#
# Safety: the demo configures "this machine" (a veth end and the tunnel) and installs files, so
# the test gives it a machine of its own: a fresh network namespace (the demo's root namespace:
# nothing is added to the real one), a mount namespace where /usr is a throwaway overlay (the
# installation vanishes with it) and /run/netns a private tmpfs, HOME in a temp dir, and no
# system bus (the demo then starts its own private bus and polkitd, as on a bare machine).
#
# Usage: demo_headless_test.sh BUILD_DIR wireguard|plain
set -u
BUILD=$(cd "$1" && pwd); MODE=$2
REPO=$(cd "$(dirname "$0")/../.." && pwd)
if [ "$(id -u)" != 0 ]; then
    echo "SKIP: needs root (network and mount namespaces, TUN); run the tests as root" >&2
    exit 77
fi
T=$(mktemp -d /tmp/peertun-demotest.XXXXXX)
trap 'umount -R "$T/mnt" 2>/dev/null; rm -rf "$T"' EXIT
mkdir -p "$T/mnt" "$T/home"
before=$(ls -d /tmp/peertun-demo.* 2>/dev/null | sort)
plain=; [ "$MODE" = plain ] && plain=--plain

unshare --mount --net --propagation private -- env T="$T" BUILD="$BUILD" REPO="$REPO" PLAIN="$plain" \
    bash -c '
    set -e
    mount -t tmpfs peertun-demotest "$T/mnt"
    mkdir "$T/mnt/up" "$T/mnt/work" "$T/mnt/netns"
    mount -t overlay peertun-demotest -o "lowerdir=/usr,upperdir=$T/mnt/up,workdir=$T/mnt/work" /usr
    mkdir -p /run/netns && mount --bind "$T/mnt/netns" /run/netns
    ip link set lo up
    set +e
    env -u SUDO_USER -u DISPLAY -u WAYLAND_DISPLAY HOME="$T/home" PEERTUN_BUILD_DIR="$BUILD" \
        DBUS_SYSTEM_BUS_ADDRESS="unix:path=$T/no-system-bus-here" \
        "$REPO/scripts/demo.sh" --headless --no-setup $PLAIN
    echo "demo exit code: $?"
    # What must be gone once the demo returns (this namespace is the machine of the demo):
    ip link show flannel99 >/dev/null 2>&1 && echo "LEFT: flannel99"
    ip -o link show | grep -q ptdemo && echo "LEFT: a ptdemo veth"
    [ -n "$(ls /run/netns)" ] && echo "LEFT: namespaces $(ls /run/netns)"
    [ -e "$T/home/.config/peertun/profiles/peertun-demo.json" ] && echo "LEFT: the demo profile"
    # Every process still in this network namespace but this shell: a helper, the bus,
    # polkitd or the web app that the demo failed to stop.
    ours=$(readlink /proc/self/ns/net)
    for pid in $(ls -l /proc/[0-9]*/ns/net 2>/dev/null | grep -F -- "-> $ours" |
                 sed "s|.* /proc/\([0-9]*\)/ns/net .*|\1|"); do
        [ "$pid" = $$ ] || [ ! -e "/proc/$pid" ] && continue
        read -r -d "" cmd < "/proc/$pid/cmdline"
        echo "LEFT: process $pid $cmd"
    done
    true
' > "$T/out" 2>&1
cat "$T/out"

failures=0
expect() {   # expect DESCRIPTION GREP-ARGS...
    local what=$1; shift
    if grep -q "$@" "$T/out"; then echo "ok: $what"; else echo "FAIL: $what"; failures=$((failures + 1)); fi
}
expect "the demo succeeded" -Fx "demo exit code: 0"
expect "it started its own bus and polkitd" -F "no system bus runs here"
expect "peertunctl brought the tunnel up" -E "peertun-demo +connected|peertun-demo.*connected"
expect "host 2 answered ping through the tunnel" -E "3 packets transmitted, 3 received"
expect "the seed's web app answered curl" -F '{"Age":12,"Msg":"hello world\nTun VPN\n"}'
expect "stats show packets received from host 2" -E "rx: [1-9][0-9]* packets"
if [ "$MODE" = wireguard ]; then
    expect "stats show a WireGuard handshake" -E "handshakes: [1-9][0-9]* done"
    expect "the private key is not printed" -F '"privateKey": "(hidden)"'
else
    expect "plain mode is what ran" -F '"mode": "plain"'
fi
expect "demo OK" -F "demo OK"
if grep -q "^LEFT:" "$T/out"; then echo "FAIL: the demo left things behind"; failures=$((failures + 1)); fi
after=$(ls -d /tmp/peertun-demo.* 2>/dev/null | sort)
[ "$before" = "$after" ] || { echo "FAIL: the demo left its work dir in /tmp"; failures=$((failures + 1)); }
# The real root namespace saw nothing of it.
if ip -o link show | grep -q "ptdemo"; then echo "FAIL: a ptdemo link in the root namespace"; failures=$((failures + 1)); fi
[ $failures = 0 ] && echo "PASS" || echo "$failures check(s) failed"
exit $((failures != 0))
