#!/bin/bash
# Runs README's first command the way a server user without a display meets it
# (`scripts/demo.sh --headless --no-setup`), and checks what it shows and what it leaves.
#
# Safety: the demo runs in a machine of its own (tests/root/demo/sandbox.sh), with HOME in a temp
# dir and no system bus (the demo then starts its own private bus and polkitd, as on a bare
# machine).
#
# Usage: demo_headless_test.sh BUILD_DIR wireguard|plain
set -u
BUILD=$(cd "$1" && pwd); MODE=$2
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
if [ "$(id -u)" != 0 ]; then
    echo "SKIP: needs root (network and mount namespaces, TUN); run the tests as root" >&2
    exit 77
fi
T=$(mktemp -d /tmp/peertun-demotest.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/home"
plain=; [ "$MODE" = plain ] && plain=--plain

# shellcheck source=tests/root/demo/sandbox.sh
. "$REPO/tests/root/demo/sandbox.sh"
# shellcheck disable=SC2016  # expanded inside the sandbox
in_demo_sandbox "$T" env T="$T" BUILD="$BUILD" REPO="$REPO" PLAIN="$plain" bash -c '
    env -u SUDO_USER -u DISPLAY -u WAYLAND_DISPLAY HOME="$T/home" PEERTUN_BUILD_DIR="$BUILD" \
        DBUS_SYSTEM_BUS_ADDRESS="unix:path=$T/no-system-bus-here" \
        "$REPO/scripts/demo.sh" --headless --no-setup $PLAIN
    echo "demo exit code: $?"
' > "$T/out" 2>&1
cat "$T/out"

expect() { demo_expect "$T/out" "$@"; }
expect "the demo succeeded" -Fx "demo exit code: 0"
expect "it started its own bus and polkitd" -F "no system bus runs here"
expect "peertunctl brought the tunnel up" -E "peertun-demo +connected|peertun-demo.*connected"
expect "host 2 answered ping through the tunnel" -E "packets transmitted, ([3-9]|[1-9][0-9]+) received, 0% packet loss"
expect "the demo web app answered curl" -F '{"Age":12,"Msg":"hello world\nTun VPN\n"}'
expect "stats show packets received from host 2" -E "rx: [1-9][0-9]* packets"
if [ "$MODE" = wireguard ]; then
    expect "stats show a WireGuard handshake" -E "handshakes: [1-9][0-9]* done"
    expect "the private key is not printed" -F '"privateKey": "(hidden)"'
else
    expect "plain mode is what ran" -F '"mode": "plain"'
fi
expect "demo OK" -F "demo OK"
# The demo's own work dir (named in its output; other demos may run beside this one).
for d in $(grep -o '/tmp/peertun-demo\.[A-Za-z0-9]*' "$T/out" | sort -u); do
    [ -e "$d" ] && echo "LEFT: the demo's work dir $d" >> "$T/out"
done
# The real root namespace saw nothing of it.
if ip -o link show | grep -q "ptdemo"; then echo "LEFT: a ptdemo link in the root namespace" >> "$T/out"; fi
demo_verdict "$T/out"
