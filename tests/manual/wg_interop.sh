#!/bin/bash
# Manual interop check of peertun's WireGuard core against Debian's wireguard-go, entirely inside
# two network namespaces this script creates (unique names) and deletes on every exit path.
#   A: wireguard-go interface configured with `wg`, 10.99.0.1/24, UDP 10.250.0.1:51820
#   B: wg_interop_probe (peertun's protocol core over a UDP socket), UDP 10.250.0.2
# Phase 1: the probe initiates (with a preshared key) and pings 10.99.0.1 through the tunnel.
# Phase 2: wireguard-go initiates to a second probe identity (no PSK) because `ping 10.99.0.3`
#          runs in A; the probe answers the handshake and the echo requests.
# Phase 3: as phase 2 with a third identity "under load": the probe answers wireguard-go's first
#          initiation with a cookie reply and accepts only its retry, which must carry mac2.
# Usage (root): tests/manual/wg_interop.sh [BUILD_DIR]
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$SRC/build}
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 1; }

TAG=$$
NS_A=ptwgA-$TAG
NS_B=ptwgB-$TAG
IFACE=ptwg$TAG
WORK=$(mktemp -d)
WGPID=
PROBEPID=

cleanup() {
    [ -n "$PROBEPID" ] && kill "$PROBEPID" 2>/dev/null || true
    [ -n "$WGPID" ] && kill "$WGPID" 2>/dev/null || true
    ip netns del "$NS_A" 2>/dev/null || true
    ip netns del "$NS_B" 2>/dev/null || true
    rm -f "/var/run/wireguard/$IFACE.sock"
    rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

ninja -C "$BUILD" peertun_wireguard peertun_wgkeys >/dev/null
g++ -std=c++20 -O1 -I"$SRC/wireguard" -I"$SRC/lib/keys" "$SRC/tests/manual/wg_interop_probe.cpp" \
    "$BUILD/wireguard/libpeertun_wireguard.a" "$BUILD/lib/keys/libpeertun_wgkeys.a" -lsodium -lb2 -o "$WORK/probe"

umask 077
wg genkey >"$WORK/a.key"; wg pubkey <"$WORK/a.key" >"$WORK/a.pub"
wg genkey >"$WORK/b1.key"; wg pubkey <"$WORK/b1.key" >"$WORK/b1.pub"
wg genkey >"$WORK/b2.key"; wg pubkey <"$WORK/b2.key" >"$WORK/b2.pub"
wg genkey >"$WORK/b3.key"; wg pubkey <"$WORK/b3.key" >"$WORK/b3.pub"
wg genpsk >"$WORK/psk"

ip netns add "$NS_A"
ip netns add "$NS_B"
ip link add "va$TAG" netns "$NS_A" type veth peer name "vb$TAG" netns "$NS_B"
ip -n "$NS_A" addr add 10.250.0.1/24 dev "va$TAG"
ip -n "$NS_B" addr add 10.250.0.2/24 dev "vb$TAG"
for ns in "$NS_A" "$NS_B"; do
    ip -n "$ns" link set lo up
done
ip -n "$NS_A" link set "va$TAG" up
ip -n "$NS_B" link set "vb$TAG" up

ip netns exec "$NS_A" wireguard-go -f "$IFACE" >"$WORK/wg-go.log" 2>&1 &
WGPID=$!
for _ in $(seq 50); do
    ip -n "$NS_A" link show "$IFACE" >/dev/null 2>&1 && break
    sleep 0.1
done
ip netns exec "$NS_A" wg set "$IFACE" private-key "$WORK/a.key" listen-port 51820 \
    peer "$(cat "$WORK/b1.pub")" preshared-key "$WORK/psk" allowed-ips 10.99.0.2/32 \
    peer "$(cat "$WORK/b2.pub")" allowed-ips 10.99.0.3/32 endpoint 10.250.0.2:51822 \
    peer "$(cat "$WORK/b3.pub")" allowed-ips 10.99.0.4/32 endpoint 10.250.0.2:51823
ip -n "$NS_A" addr add 10.99.0.1/24 dev "$IFACE"
ip -n "$NS_A" link set "$IFACE" up

echo "== phase 1: peertun initiates (PSK), pings wireguard-go"
ip netns exec "$NS_B" "$WORK/probe" initiate "$WORK/b1.key" "$(cat "$WORK/a.pub")" "$WORK/psk" \
    10.250.0.1 51820 51821 10.99.0.2 10.99.0.1
P1=$?

echo "== phase 2: wireguard-go initiates, pings peertun"
ip netns exec "$NS_B" "$WORK/probe" respond "$WORK/b2.key" "$(cat "$WORK/a.pub")" - \
    51822 10.99.0.3 3 &
PROBEPID=$!
sleep 0.5
ip netns exec "$NS_A" ping -c 3 -i 0.3 -W 3 10.99.0.3 || true
wait "$PROBEPID" && P2=0 || P2=$?
PROBEPID=

echo "== phase 3: wireguard-go initiates to a peertun under load (cookie reply, mac2)"
ip netns exec "$NS_B" "$WORK/probe" respond-under-load "$WORK/b3.key" "$(cat "$WORK/a.pub")" - \
    51823 10.99.0.4 2 &
PROBEPID=$!
sleep 0.5
ip netns exec "$NS_A" ping -c 2 -W 12 10.99.0.4 || true
wait "$PROBEPID" && P3=0 || P3=$?
PROBEPID=

echo "== wg show (wireguard-go's view)"
ip netns exec "$NS_A" wg show "$IFACE" | sed 's/^/   /'
[ "$P1" = 0 ] && [ "$P2" = 0 ] && [ "$P3" = 0 ] && echo "INTEROP OK" || { echo "INTEROP FAILED"; exit 1; }
