#!/bin/bash
# Runs README's first command the way a desktop user meets it (`scripts/demo.sh --no-setup`
# with a display and a running system bus) and checks that it opens the app on the demo
# profile, that the tunnel works while the app is open, and that quitting the app ends the
# demo with everything cleaned up.
#
# The desktop is simulated inside a machine of its own (tests/root/demo/sandbox.sh): Xvfb, a system
# bus with polkitd already running (as on a desktop; the demo re-reads its configuration after
# installing), the app run as root (no SUDO_USER). The Connect click is stood in for by
# `peertunctl up` (the gui tests click the real button); the window is screenshotted into
# ARTIFACTS/demo-app.png.
#
# Usage: demo_app_test.sh BUILD_DIR ARTIFACTS_DIR
set -u
BUILD=$(cd "$1" && pwd); ARTIFACTS=$2
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
if [ "$(id -u)" != 0 ]; then
    echo "SKIP: needs root (network and mount namespaces, TUN); run the tests as root" >&2
    exit 77
fi
for t in Xvfb xwininfo import; do
    command -v $t >/dev/null || { echo "FAIL: $t is not installed (scripts/deps.sh)"; exit 1; }
done
mkdir -p "$ARTIFACTS"
T=$(mktemp -d /tmp/peertun-demotest.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/home"
chmod 0755 "$T"

# shellcheck source=tests/root/demo/sandbox.sh
. "$REPO/tests/root/demo/sandbox.sh"
# shellcheck disable=SC2016  # expanded inside the sandbox
in_demo_sandbox "$T" env T="$T" BUILD="$BUILD" REPO="$REPO" ARTIFACTS="$ARTIFACTS" bash -c '
    . "$REPO/scripts/lib/private-system-bus.sh"
    pids=()
    finish() { kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; }
    trap finish EXIT
    # The desktop: a display and a system bus with polkitd, running before the demo starts.
    Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$T/display" 2>"$T/xvfb.log" &
    pids+=($!)
    for _ in $(seq 50); do [ -s "$T/display" ] && break; sleep 0.1; done
    export DISPLAY=:$(cat "$T/display")
    mkdir -p "$T/bus"
    start_private_system_bus "$T/bus" --like-a-desktop || exit 1
    pids+=("$PRIVATE_BUS_PID" "$PRIVATE_POLKIT_PID")
    export DBUS_SESSION_BUS_ADDRESS=disabled: QT_QPA_PLATFORM=xcb

    env -u SUDO_USER -u WAYLAND_DISPLAY HOME="$T/home" PEERTUN_BUILD_DIR="$BUILD" \
        "$REPO/scripts/demo.sh" --no-setup > "$T/demo.out" 2>&1 &
    demo=$!
    for _ in $(seq 300); do grep -q "opening the app" "$T/demo.out" && break; sleep 0.1; done
    window=
    for _ in $(seq 200); do
        window=$(xwininfo -root -tree 2>/dev/null | grep -m1 "\"peertun\"")
        [ -n "$window" ] && break
        sleep 0.1
    done
    [ -n "$window" ] && echo "app window: $window"

    profile="$T/home/.config/peertun/profiles/peertun-demo.json"
    /usr/local/bin/peertunctl up "$profile" && echo "tunnel up"
    ping -c 3 -i 0.2 -w 10 10.244.3.3
    curl -sS -m 10 10.244.3.3:9090; echo
    sleep 3  # the window shows the state and the counters
    import -window root "$ARTIFACTS/demo-app.png" && echo "screenshot saved"

    app=$(pgrep -x peertun | while read -r p; do
        [ "$(readlink /proc/$p/ns/net)" = "$(readlink /proc/self/ns/net)" ] && echo "$p"; done)
    echo "app pid: ${app:-none}"
    [ -n "$app" ] && kill -TERM $app
    for _ in $(seq 200); do kill -0 $demo 2>/dev/null || break; sleep 0.1; done
    wait $demo
    echo "demo exit code: $?"
    echo "--- demo output"; cat "$T/demo.out"; echo "---"
    finish
' > "$T/out" 2>&1
cat "$T/out"

expect() { demo_expect "$T/out" "$@"; }
expect "the demo used the running system bus" -F "system bus: re-read its configuration"
expect "the demo opened the app" -F "opening the app as root"
expect "the app window appeared" -F "app window:"
expect "the profile was there for the app and peertunctl" -Fx "tunnel up"
expect "host 2 answered ping through the tunnel" -E "packets transmitted, ([3-9]|[1-9][0-9]+) received, 0% packet loss"
expect "the demo web app answered curl" -F '{"Age":12,"Msg":"hello world\nTun VPN\n"}'
expect "a screenshot was saved" -Fx "screenshot saved"
expect "quitting the app ended the demo" -F "the app quit; cleaning up"
expect "the demo succeeded" -Fx "demo exit code: 0"
demo_verdict "$T/out"
