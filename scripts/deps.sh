#!/bin/bash
# Installs the Debian 12 packages peertun needs to build and test; with --bench also what only
# the benchmarks need (valgrind for bench/callgrind.sh). Idempotent: only
# missing packages are installed. Needs root.
set -euo pipefail
PACKAGES=(
  # build
  cmake ninja-build pkg-config g++ qt6-base-dev qt6-tools-dev qt6-tools-dev-tools
  qt6-l10n-tools qt6-svg-dev libnl-3-dev libnl-route-3-dev libsodium-dev libb2-dev libnftables-dev libssl-dev
  libc-ares-dev
  # run and test: the helper's system pieces, network namespaces, traffic
  dbus polkitd iproute2 iputils-ping curl python3 procps util-linux
  nftables       # kill switch counters in tests
  dnsmasq-base   # a real DNS server in tests (the binary, no service of its own)
  openssl        # certificates for the mesh tests' TLS etcd
  systemd  # systemd-analyze checks the units
  libseccomp-dev  # the units' system call filter, applied to the helper in a test
  # sanitizer builds and fuzzing (scripts/sanitize.sh, scripts/fuzz.sh)
  clang-14 libclang-rt-14-dev
  # Debian packages: dpkg-shlibdeps for their Depends, lintian, and the clean Debian root
  # of their test
  dpkg-dev lintian debootstrap debian-archive-keyring
  # GUI tests and screenshots
  xvfb xauth trayer imagemagick x11-utils fonts-wqy-microhei
  # benchmark references
  iperf3 wireguard-go wireguard-tools
  # the blog post's Go program (flannel interop test, benchmarks), built from its text
  golang-go golang-github-vishvananda-netlink-dev golang-github-vishvananda-netns-dev
  golang-golang-x-sys-dev
)
if [ "${1:-}" = --bench ]; then
  PACKAGES+=(valgrind)
fi
# etcd-server and etcd-client (the mesh tests' coordination store) are unpacked, never
# installed: the server's postinst would start an etcd service on the host. The tests unpack
# them into the build tree themselves (scripts/unpack-etcd.sh); fetch them now when we can.
unpack_etcd() {
  if [ "$(id -u)" = 0 ]; then
    "$(dirname "$0")/unpack-etcd.sh" "$(dirname "$0")/../build/etcd" ||
      echo "deps.sh: could not unpack etcd now; the mesh tests try again" >&2
  fi
}
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  unpack_etcd
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "deps.sh: missing packages (${missing[*]}); run as root to install them" >&2
  exit 1
fi
echo "deps.sh: installing ${missing[*]}" >&2
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
unpack_etcd
