#!/bin/bash
# scripts/demo.sh -- peertun as a user meets it: the blog post's two-host test, with this machine
# as host 1 and a network namespace as host 2.
#
# 1. Setup: installs missing packages (deps.sh), builds (build.sh), installs peertun
#    (`cmake --install`: the app, peertunctl, the helper and its D-Bus, polkit and systemd
#    files) and tells the system bus and systemd to re-read their configuration.
# 2. Host 2: a network namespace joined to this machine by a veth pair (underlay
#    10.211.55.122/24 here, 10.211.55.123/24 there, the example's addresses), running
#    `peertun-helper --standalone` with the far side (flannel99, 10.244.3.3/24) and the
#    demo web app on 10.244.3.3:9090.
# 3. Host 1 (this machine): a matching profile "peertun-demo" (10.244.2.2/24) in the desktop
#    user's profile folder. WireGuard mode with fresh keys; --plain for flannel's UDP wire format.
# 4. With a display and a system bus: opens the app as the desktop user; connect the profile
#    there (polkit asks for the password), try `curl 10.244.3.3:9090`, quit the app to end.
#    Without a display (or with --headless): the same through peertunctl -- up, ping, curl,
#    stats, down -- and a summary. When no system bus runs (a bare container), the headless
#    demo starts a private one with polkitd for its own use.
# 5. Cleans up on every exit path: host 2, the veth, the demo profile, the tunnel, any bus it
#    started. peertun itself stays installed (`xargs rm < build/install_manifest.txt` removes it).
#
# Usage: sudo scripts/demo.sh [--headless] [--plain] [--no-setup]
#   --no-setup   skip deps.sh and build.sh (still installs from ./build)
# Environment: PEERTUN_BUILD_DIR (default ./build).
set -u
export LC_ALL=C

REPO=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib/private-system-bus.sh
. "$REPO/scripts/lib/private-system-bus.sh"
BUILD=${PEERTUN_BUILD_DIR:-$REPO/build}
SERVER=$REPO/tests/root/e2e/web_app.py
HEADLESS=; SETUP=1; MODE=wireguard
for arg in "$@"; do
    case $arg in
        --headless) HEADLESS=1 ;;
        --plain) MODE=plain ;;
        --no-setup) SETUP= ;;
        -h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "demo: unknown argument $arg (see --help)" >&2; exit 2 ;;
    esac
done

PROFILE_NAME=peertun-demo
FAR=ptdemo-far-$$          # host 2's namespace; unique per run
VETH=ptdemo$$              # this machine's end of the underlay
NEAR_UNDERLAY=10.211.55.122 FAR_UNDERLAY=10.211.55.123
WORK='' FAR_HELPER='' WEB='' BUS_PID='' POLKIT_PID='' PROFILE_FILE='' TUNNEL_UP='' PEERTUNCTL=''

say()  { printf '\n\033[1m== %s\033[0m\n' "$*"; }
fail() { echo "demo: $*" >&2; exit 1; }

stop_pid() {   # stop_pid PID: TERM, then KILL after 5 s; returns once it is gone
    local pid=$1 _
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    # Not always our child (the bus started the helper): wait for /proc, not with `wait`.
    for _ in $(seq 50); do [ -e "/proc/$pid" ] || break; sleep 0.1; done
    wait "$pid" 2>/dev/null
}
helper_pid() {   # the pid of io.peertun.Helper1 on the bus in use, if it runs
    dbus-send --system --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.GetConnectionUnixProcessID string:io.peertun.Helper1 2>/dev/null |
        awk '{print $2}'
}
cleanup() {
    trap - EXIT INT TERM HUP
    if [ -n "$TUNNEL_UP" ] && [ -n "$PEERTUNCTL" ]; then
        "$PEERTUNCTL" down "$PROFILE_NAME" >/dev/null 2>&1
    fi
    if [ -n "$BUS_PID" ]; then   # our private bus: the helper it started goes with it
        local pid; pid=$(helper_pid)
        [ -n "$pid" ] && stop_pid "$pid"
        stop_pid "$POLKIT_PID"; stop_pid "$BUS_PID"
    fi
    stop_pid "$WEB"; stop_pid "$FAR_HELPER"
    ip link del "$VETH" 2>/dev/null
    ip netns del "$FAR" 2>/dev/null
    [ -n "$PROFILE_FILE" ] && rm -f "$PROFILE_FILE"
    [ -n "$WORK" ] && rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

[ "$(id -u)" = 0 ] || fail "needs root (installing, network namespaces): sudo $0 $*"

# --- 1. setup ------------------------------------------------------------------------------
if [ -n "$SETUP" ]; then
    say "setting up: packages (scripts/deps.sh) and build (scripts/build.sh)"
    "$REPO/scripts/deps.sh" || fail "installing packages failed"
    "$REPO/scripts/build.sh" || fail "the build failed"
fi
for t in ip ping curl python3 cmake dbus-send; do
    command -v $t >/dev/null || fail "$t is not installed (scripts/deps.sh installs it)"
done
[ -f "$BUILD/CMakeCache.txt" ] || fail "no build in $BUILD (run without --no-setup)"

say "installing peertun (cmake --install $BUILD)"
cmake --install "$BUILD" >/dev/null || fail "cmake --install failed"
PREFIX=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$BUILD/CMakeCache.txt")
HELPER=$PREFIX/libexec/peertun-helper
PEERTUNCTL=$PREFIX/bin/peertunctl
APP=$PREFIX/bin/peertun
for f in "$HELPER" "$PEERTUNCTL" "$APP"; do [ -x "$f" ] || fail "$f was not installed"; done
echo "installed: $APP, $PEERTUNCTL, $HELPER and the helper's system files"
# The helper's system user, as the package's postinst makes it (the helper runs as peertun).
if ! getent passwd peertun >/dev/null; then
    if command -v systemd-sysusers >/dev/null; then
        systemd-sysusers peertun-helper.conf || fail "systemd-sysusers could not create the user peertun"
    else
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin --comment "peertun VPN helper" peertun ||
            fail "cannot create the system user peertun"
    fi
    echo "created the system user peertun (the helper runs as it)"
fi

WORK=$(mktemp -d /tmp/peertun-demo.XXXXXX) || fail "mktemp failed"
chmod 0755 "$WORK"

# The system bus: the machine's own (re-read so it sees the new policy), or, when none runs, a
# private one with polkitd for this demo only.
SYSTEM_SOCKET=${DBUS_SYSTEM_BUS_ADDRESS:-unix:path=/run/dbus/system_bus_socket}
SYSTEM_SOCKET=${SYSTEM_SOCKET#unix:path=}
if [ -S "$SYSTEM_SOCKET" ] && dbus-send --system --dest=org.freedesktop.DBus --type=method_call \
        --print-reply /org/freedesktop/DBus org.freedesktop.DBus.ReloadConfig >/dev/null 2>&1; then
    echo "system bus: re-read its configuration"
    if [ -d /run/systemd/system ]; then systemctl daemon-reload && echo "systemd: reloaded"; fi
else
    say "no system bus runs here: starting a private one with polkitd for this demo"
    [ -x /usr/lib/polkit-1/polkitd ] || fail "polkitd is not installed (scripts/deps.sh installs it)"
    start_private_system_bus "$WORK"
    started=$?
    BUS_PID=$PRIVATE_BUS_PID POLKIT_PID=$PRIVATE_POLKIT_PID
    [ $started = 0 ] || fail "cannot start a private system bus"
    echo "bus $DBUS_SYSTEM_BUS_ADDRESS, polkitd pid $POLKIT_PID"
    if [ -z "$HEADLESS" ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
        echo "(the app needs the machine's system bus and a polkit agent; showing the demo headless)"
    fi
    HEADLESS=1
fi
[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || HEADLESS=1

# --- 2. host 2 -----------------------------------------------------------------------------
# Refuse rather than disturb: the demo's addresses must be free on this machine.
if ip -o addr show | grep -qE 'inet 10\.(211\.55|244\.[23])\.' ||
   ip -4 route show | grep -qE '^10\.(211\.55|244\.[23])\.' || ip link show flannel99 >/dev/null 2>&1; then
    fail "this machine already uses 10.211.55.0/24, 10.244.2.0/24, 10.244.3.0/24 or flannel99; the demo would disturb them"
fi
say "host 2: namespace $FAR at $FAR_UNDERLAY, joined to this machine ($NEAR_UNDERLAY) by a veth pair"
ip netns add "$FAR" || fail "cannot create the namespace $FAR"
ip link add "$VETH" type veth peer name eth0 netns "$FAR" || fail "cannot create the veth pair"
ip addr add $NEAR_UNDERLAY/24 dev "$VETH" && ip link set "$VETH" up || fail "cannot configure $VETH"
ip -n "$FAR" addr add $FAR_UNDERLAY/24 dev eth0 && ip -n "$FAR" link set eth0 up &&
    ip -n "$FAR" link set lo up || fail "cannot configure host 2's network"

if [ $MODE = wireguard ]; then
    NEAR_KEY=$("$PEERTUNCTL" genkey) && FAR_KEY=$("$PEERTUNCTL" genkey) &&
        NEAR_PUB=$(echo "$NEAR_KEY" | "$PEERTUNCTL" pubkey) &&
        FAR_PUB=$(echo "$FAR_KEY" | "$PEERTUNCTL" pubkey) || fail "cannot generate keys"
fi
profile() {   # profile NAME ADDRESS LISTEN OWN-KEY PEER-NAME PEER-ENDPOINT PEER-SUBNET PEER-KEY
    local key='' peerKey=''
    if [ $MODE = wireguard ]; then key=", \"privateKey\": \"$4\""; peerKey=", \"publicKey\": \"$8\""; fi
    cat <<EOF
{
    "version": 1,
    "name": "$1",
    "interface": { "name": "flannel99", "address": "$2", "listen": "$3"$key },
    "mode": "$MODE",
    "peers": [ { "name": "$5", "endpoint": "$6", "subnets": ["$7"]$peerKey } ]
}
EOF
}
(umask 077 && profile host-2 10.244.3.3/24 $FAR_UNDERLAY:8285 "${FAR_KEY:-}" host-1 \
    $NEAR_UNDERLAY:8285 10.244.2.0/24 "${NEAR_PUB:-}" > "$WORK/far.json")
ip netns exec "$FAR" "$HELPER" --standalone "$WORK/far.json" 2> >(sed -u 's/^/[host 2] /' >&2) &
FAR_HELPER=$!
for _ in $(seq 50); do ip -n "$FAR" -br addr show dev flannel99 2>/dev/null | grep -q 10.244.3.3 && break; sleep 0.1; done
kill -0 "$FAR_HELPER" 2>/dev/null || fail "host 2's helper exited (see its message above)"
ip netns exec "$FAR" python3 "$SERVER" --bind 10.244.3.3 --port 9090 >"$WORK/web.out" 2>"$WORK/web.log" &
WEB=$!
for _ in $(seq 50); do grep -q ready "$WORK/web.out" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$WORK/web.out" || fail "the web app did not start: $(cat "$WORK/web.log")"
echo "host 2: peertun-helper --standalone (10.244.3.3/24, $MODE), web app on 10.244.3.3:9090"

# --- 3. the profile for the desktop user ---------------------------------------------------
DESKTOP_USER=${SUDO_USER:-root}
[ "$DESKTOP_USER" = root ] || id "$DESKTOP_USER" >/dev/null 2>&1 || DESKTOP_USER=root
USER_HOME=$(getent passwd "$DESKTOP_USER" | cut -d: -f6)
[ "$DESKTOP_USER" = root ] && USER_HOME=${HOME:-$USER_HOME}
PROFILE_DIR=$USER_HOME/.config/peertun/profiles
[ -e "$PROFILE_DIR/$PROFILE_NAME.json" ] &&
    fail "$PROFILE_DIR/$PROFILE_NAME.json exists already; move it away and run the demo again"
runuser -u "$DESKTOP_USER" -- mkdir -p "$PROFILE_DIR" || fail "cannot create $PROFILE_DIR"
PROFILE_FILE=$PROFILE_DIR/$PROFILE_NAME.json
profile "$PROFILE_NAME" 10.244.2.2/24 $NEAR_UNDERLAY:8285 "${NEAR_KEY:-}" host-2 \
    $FAR_UNDERLAY:8285 10.244.3.0/24 "${FAR_PUB:-}" |
    runuser -u "$DESKTOP_USER" -- sh -c "umask 077 && cat > '$PROFILE_FILE'" ||
    fail "cannot write $PROFILE_FILE"
say "host 1: profile $PROFILE_FILE (user $DESKTOP_USER)"
sed 's/"privateKey": "[^"]*"/"privateKey": "(hidden)"/' "$PROFILE_FILE"

# --- 4a. the app ---------------------------------------------------------------------------
if [ -z "$HEADLESS" ]; then
    say "opening the app as $DESKTOP_USER"
    cat <<EOF
In the window: select "$PROFILE_NAME" and press Connect (polkit asks for your password).
Then in a terminal:  ping 10.244.3.3   and   curl 10.244.3.3:9090
Quit the app (tray menu -> Quit, or close the window when there is no tray) to end the demo.
EOF
    uid=$(id -u "$DESKTOP_USER")
    runtime=/run/user/$uid
    env_args=(DISPLAY="${DISPLAY:-}" XAUTHORITY="${XAUTHORITY:-$USER_HOME/.Xauthority}"
              HOME="$USER_HOME" LANG="${LANG:-C.UTF-8}")
    if [ -d "$runtime" ]; then
        env_args+=(XDG_RUNTIME_DIR="$runtime")
        [ -n "${WAYLAND_DISPLAY:-}" ] && env_args+=(WAYLAND_DISPLAY="$WAYLAND_DISPLAY")
        [ -S "$runtime/bus" ] && env_args+=(DBUS_SESSION_BUS_ADDRESS="unix:path=$runtime/bus")
    fi
    TUNNEL_UP=1   # the user may connect; take it down on the way out
    runuser -u "$DESKTOP_USER" -- env "${env_args[@]}" "$APP"
    say "the app quit; cleaning up"
    exit 0
fi

# --- 4b. headless, through peertunctl -------------------------------------------------------
rc=0
step() { say "$*"; }
step "peertunctl up $PROFILE_FILE"
TUNNEL_UP=1
"$PEERTUNCTL" up "$PROFILE_FILE" || fail "peertunctl up failed (exit $?)"
"$PEERTUNCTL" status
ip -br addr show dev flannel99
ip route show dev flannel99
step "ping 10.244.3.3 (host 2 through the tunnel)"
ping -c 3 -i 0.2 -w 10 10.244.3.3 || rc=1
step "curl 10.244.3.3:9090 (the demo web app on host 2)"
curl -sS -m 10 10.244.3.3:9090 || rc=1
echo
step "peertunctl stats $PROFILE_NAME"
"$PEERTUNCTL" stats "$PROFILE_NAME" || rc=1
step "peertunctl down $PROFILE_NAME"
"$PEERTUNCTL" down "$PROFILE_NAME" && TUNNEL_UP= || rc=1
ip link show flannel99 >/dev/null 2>&1 && { echo "flannel99 is still there" >&2; rc=1; }
if [ $rc = 0 ]; then say "demo OK: host 2 answered ping and curl through the $MODE tunnel"; else say "demo FAILED"; fi
exit $rc
