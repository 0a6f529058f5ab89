#!/bin/bash
# The Debian packages on a clean Debian 12 root, the way an administrator meets them:
#   1. install: on a bare debootstrap'ed root, `apt-get install ./peertun*.deb` pulls in the
#      runtime dependencies only (no -dev package, no build tool; apt's resolution, which is
#      installed first so that step 5 can compare exactly), then installs; the three binaries
#      and the helper's Version() report the package's version;
#   2. a tunnel: with the root's own system bus (dbus-daemon --system, activation through its
#      launch helper) and polkitd started here, the installed `peertunctl up`, run by a user
#      whom the shipped polkit rules file lets in, brings a WireGuard tunnel up to a far side in
#      another namespace: ping, HTTP, stats; a user outside the group is refused by polkit;
#   3. `apt-get remove` with the tunnel up takes it down (the helper's own stop), keeps an
#      administrator's profile in /etc/peertun and the user's home;
#   4. upgrade: a lower version of the same tree, a tunnel up, then the current packages over
#      it: the bus is told to reload, the tunnel stays up, the administrator's edited profile
#      stays as it was;
#   5. `apt-get purge` with the tunnel up: the root's file list (paths, modes, owners) equals the
#      one right before peertun's install, apart from the administrator's own files (which dpkg
#      keeps, as policy says); no user, unit, enablement link, bus or polkit file is left.
#
# Nothing of peertun comes from the build tree: the near side runs only what the packages
# installed in the root; the far side ("another host") runs the helper unpacked from the
# package. Tunnel traffic stays in two network namespaces made here; apt reaches the Debian
# mirror this machine uses. Everything runs in a pid and mount namespace of its own: the
# maintainer scripts see only this test's processes, every mount goes with the test.
#
# Usage: package_lifecycle_test.sh PACKAGE_DIR (with debs/ and debs-old/ from build_packages.sh;
#        the root's cache is kept in PACKAGE_DIR/cache)
set -u
export LC_ALL=C
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)

if [ "$(id -u)" != 0 ]; then
    echo "SKIP: needs root (debootstrap, chroot, namespaces, TUN); run the tests as root" >&2
    exit 77
fi
for t in debootstrap chroot unshare ip ping curl python3 tar dpkg-deb; do
    command -v $t >/dev/null || { echo "FAIL: $t is not installed (scripts/deps.sh installs it)" >&2; exit 1; }
done

if [ -z "${PEERTUN_PKGTEST_INNER:-}" ]; then
    PKG=$(cd "$1" && pwd) || exit 1
    # shellcheck source=tests/root/package/debian_root.sh
    . "$HERE/debian_root.sh"
    start=$(date +%s)
    TARBALL=$(debian_root_tarball "$PKG/cache") || { echo "FAIL: no Debian root" >&2; exit 1; }
    echo "Debian root: $TARBALL ($(($(date +%s) - start)) s)"
    exec unshare --pid --fork --mount --propagation private --mount-proc -- \
        env PEERTUN_PKGTEST_INNER=1 PKG="$PKG" TARBALL="$TARBALL" "$0" "$@"
fi

# --- from here on: pid 1 of our own pid namespace, in our own mount namespace ------------------
T=$(mktemp -d /tmp/peertun-pkgtest.XXXXXX)
ROOT=$T/root
NEAR=ptpkg-near-$$-$RANDOM FAR=ptpkg-far-$$-$RANDOM
failures=0
ok()   { echo "ok: $*"; }
bad()  { echo "FAIL: $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; return 1; fi; }
fatal() { echo "FAIL: $*"; exit 1; }
say()  { printf '\n== %s (%s s)\n' "$*" $(($(date +%s) - T0)); }
T0=$(date +%s)

cleanup() {
    # Everything we started lives in this pid namespace and dies with it; the namespaces and
    # the mounts go with the mount namespace. Stop the processes first so that none holds a
    # mount or a namespace, then remove the work dir.
    trap - EXIT
    kill -TERM -1 2>/dev/null; sleep 0.3; kill -KILL -1 2>/dev/null
    ip netns del "$NEAR" 2>/dev/null; ip netns del "$FAR" 2>/dev/null
    umount -R "$ROOT" 2>/dev/null
    # Never through a mount that is still there (the apt cache is bound into the root).
    if grep -qF " $T/" /proc/self/mounts; then
        echo "cleanup: mounts under $T remain; not removing it:" >&2
        grep -F " $T/" /proc/self/mounts >&2
    else
        rm -rf --one-file-system "$T"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# inroot CMD...: CMD in the root, clean environment, this machine's network (apt).
inroot() {
    chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive "$@"
}
# innear CMD...: the same inside the near side's network namespace.
innear() { ip netns exec "$NEAR" chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LANG=C.UTF-8 "$@"; }
# as USER CMD...: CMD in the root as USER (with the groups the group database gives them).
as() { local u=$1; shift
    chroot --userspec="$u:$u" --groups="$(inroot id -Gn "$u" | tr ' ' ,)" "$ROOT" /usr/bin/env -i \
        PATH=/usr/bin:/bin HOME="/home/$u" LANG=C.UTF-8 "$@"; }
apt_in_root() { inroot apt-get -y -q -o Dpkg::Use-Pty=0 "$@"; }

# --- the root ----------------------------------------------------------------------------------
say "unpacking the Debian root"
mkdir -p "$ROOT" && mount --bind "$ROOT" "$ROOT" && tar -C "$ROOT" -xf "$TARBALL" ||
    fatal "cannot unpack $TARBALL"   # (a mount point, so that umount -R takes all below it)
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
mount -t proc proc "$ROOT/proc" || fatal "cannot mount proc in the root"
mount -t tmpfs -o mode=0755 peertun-pkgtest "$ROOT/dev" || fatal "cannot mount the root's /dev"
for n in null zero full random urandom tty; do
    touch "$ROOT/dev/$n" && mount --bind "/dev/$n" "$ROOT/dev/$n" || fatal "cannot bind /dev/$n"
done
mkdir -p "$ROOT/dev/net" "$ROOT/dev/pts" "$ROOT/dev/shm" && touch "$ROOT/dev/net/tun" &&
    mount --bind /dev/net/tun "$ROOT/dev/net/tun" || fatal "cannot bind /dev/net/tun"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$ROOT/dev/pts" && ln -s pts/ptmx "$ROOT/dev/ptmx"
ln -s /proc/self/fd "$ROOT/dev/fd"
mount -t tmpfs -o mode=0755 peertun-pkgtest "$ROOT/run" || fatal "cannot mount the root's /run"
mkdir -p "$ROOT/run/lock" "$ROOT/run/dbus"
# Downloaded packages are kept between runs.
mkdir -p "$PKG/cache/archives/partial" &&
    mount --bind "$PKG/cache/archives" "$ROOT/var/cache/apt/archives" || fatal "cannot bind the apt cache"
# Named namespaces live in a private /run/netns: none is visible outside this test.
mkdir -p "$T/netns" /run/netns && mount --bind "$T/netns" /run/netns || fatal "cannot make /run/netns private"

# The people of this machine, before anything of peertun: an administrator (root), a user who
# may control tunnels (group netdev, with the shipped rules file) and one who may not. Their
# homes must come through everything untouched.
inroot groupadd --system netdev &&
    inroot useradd --create-home --shell /bin/sh --groups netdev alice &&
    inroot useradd --create-home --shell /bin/sh bob || fatal "cannot create the test users"
# alice's profile lives in her home, as the app keeps it (written in full once keys exist).
ALICE_PROFILE=/home/alice/.config/peertun/profiles/office.json
as alice sh -c "mkdir -p ${ALICE_PROFILE%/*} && umask 077 && echo '{}' > $ALICE_PROFILE" ||
    fatal "cannot write alice's profile"

# The file list of the root (what purge must bring back), with the places that change on
# every apt run or belong to the running system left out, as piuparts does.
snapshot() {
    (cd "$ROOT" && find . -xdev \( -path ./proc -o -path ./dev -o -path ./run -o -path ./tmp \
        -o -path ./var/cache -o -path ./var/lib/apt -o -path ./var/log -o -path ./var/lib/dpkg \
        -o -path ./etc/ld.so.cache \) -prune -o -printf '%p %M %u:%g\n' | sort) > "$1"
}

# --- 1. install ------------------------------------------------------------------------------
NEW=("$PKG"/debs/peertun*.deb) OLD=("$PKG"/debs-old/peertun*.deb)
[ -f "${NEW[0]}" ] && [ -f "${OLD[0]}" ] || fatal "no packages in $PKG/debs and $PKG/debs-old (package_build makes them)"
VERSION=$(dpkg-deb -f "$PKG"/debs/peertun-helper_*.deb Version)
OLD_VERSION=$(dpkg-deb -f "$PKG"/debs-old/peertun-helper_*.deb Version)
mkdir -p "$ROOT/tmp/debs" "$ROOT/tmp/debs-old"
cp "${NEW[@]}" "$ROOT/tmp/debs/" && cp "${OLD[@]}" "$ROOT/tmp/debs-old/" || fatal "cannot copy the packages"
NEW_IN_ROOT=() OLD_IN_ROOT=()   # their paths as apt in the root sees them
for d in "${NEW[@]}"; do NEW_IN_ROOT+=("/tmp/debs/${d##*/}"); done
for d in "${OLD[@]}"; do OLD_IN_ROOT+=("/tmp/debs-old/${d##*/}"); done

# What `apt-get install ./peertun*.deb` pulls in on the bare root, as apt resolves it; those
# are installed first, so that the file list before peertun's own install is the one purge
# must bring back exactly (the dependencies' own leftovers are not peertun's to answer for).
say "apt-get install ./peertun*.deb ($VERSION) on the bare root: what apt pulls in"
simulate() { apt_in_root install --simulate --no-install-recommends "${NEW_IN_ROOT[@]}" > "$T/simulate.log" 2>&1; }
if ! simulate; then
    # The lists came with the cached root and may be older than the mirror: refresh, retry.
    apt_in_root update > "$T/update.log" 2>&1
    simulate || { cat "$T/simulate.log"; fatal "apt cannot install the packages on a bare root"; }
fi
sed -n 's/^Inst \([^ ]*\) .*/\1/p' "$T/simulate.log" | sort > "$T/pulled"
grep -v '^peertun' "$T/pulled" > "$T/deps"
echo "apt pulls in $(wc -l < "$T/deps") packages besides peertun's two: $(tr '\n' ' ' < "$T/deps")"
check "both packages are among them" test "$(grep -c '^peertun' "$T/pulled")" = 2
# A server installs the helper alone: that must not bring Qt's GUI (the point of the split).
HELPER_DEB=$(cd "$PKG/debs" && echo peertun-helper_*.deb)
apt_in_root install --simulate --no-install-recommends "/tmp/debs/$HELPER_DEB" \
    > "$T/simulate-helper.log" 2>&1 || { cat "$T/simulate-helper.log"; bad "apt cannot install peertun-helper alone"; }
sed -n 's/^Inst \([^ ]*\) .*/\1/p' "$T/simulate-helper.log" | grep -v '^peertun' | sort > "$T/deps-helper"
echo "peertun-helper alone pulls in $(wc -l < "$T/deps-helper") packages"
check "peertun-helper alone needs no Qt GUI or Widgets" sh -c "! grep -qE '^libqt6(gui|widgets)6$' '$T/deps-helper'"
for p in dbus polkitd libqt6widgets6 libnl-route-3-200 libsodium23; do
    check "the dependency $p came along" grep -qx "$p" "$T/pulled"
done
tools=$(grep -E -- '-dev$|^(gcc|g\+\+|cpp|clang|cmake|make|ninja-build|pkg-config|binutils)(-|$)|^qt6-.*tools' "$T/pulled")
check "no -dev package or build tool among them${tools:+ (got: $tools)}" test -z "$tools"
say "installing the dependencies, then apt-get install ./peertun*.deb"
apt_in_root install --no-install-recommends $(cat "$T/deps") > "$T/deps.log" 2>&1 ||
    { cat "$T/deps.log"; fatal "installing the dependencies failed"; }
snapshot "$T/before.files"
cut -d: -f1 "$ROOT/etc/passwd" | sort > "$T/before.users"
cut -d: -f1 "$ROOT/etc/group" | sort > "$T/before.groups"
apt_in_root install --no-install-recommends "${NEW_IN_ROOT[@]}" > "$T/install.log" 2>&1 ||
    { cat "$T/install.log"; fatal "apt-get install of the packages failed"; }
tail -2 "$T/install.log"
check "only peertun's two packages were left to install" \
    test "$(grep -c '^Setting up ' "$T/install.log")" = 2
check "peertunctl --version says $VERSION" test "$(inroot peertunctl --version)" = "peertunctl $VERSION"
check "peertun --version says $VERSION (no display needed)" test "$(inroot peertun --version)" = "peertun $VERSION"
check "peertun-helper --version says $VERSION" \
    test "$(inroot /usr/libexec/peertun-helper --version)" = "peertun-helper $VERSION"

# --- 2. a tunnel -------------------------------------------------------------------------------
say "the far side: a network namespace with the packaged helper (unpacked, run --standalone)"
ip netns add "$NEAR" && ip netns add "$FAR" || fatal "cannot create the namespaces"
ip -n "$NEAR" link set lo up && ip -n "$FAR" link set lo up
ip link add ptpkg$$ netns "$NEAR" type veth peer name eth0 netns "$FAR" || fatal "cannot create the veth pair"
ip -n "$NEAR" link set ptpkg$$ name eth0
ip -n "$NEAR" addr add 10.211.55.122/24 dev eth0 && ip -n "$NEAR" link set eth0 up &&
    ip -n "$FAR" addr add 10.211.55.123/24 dev eth0 && ip -n "$FAR" link set eth0 up ||
    fatal "cannot configure the underlay"
mkdir -p "$T/far" && dpkg-deb -x "$PKG"/debs/peertun-helper_*.deb "$T/far" || fatal "cannot unpack the helper"
NEAR_KEY=$(inroot peertunctl genkey) && FAR_KEY=$(inroot peertunctl genkey) &&
    NEAR_PUB=$(echo "$NEAR_KEY" | inroot peertunctl pubkey) &&
    FAR_PUB=$(echo "$FAR_KEY" | inroot peertunctl pubkey) || fatal "peertunctl genkey/pubkey failed"
profile() {   # profile NAME ADDRESS LISTEN OWN-KEY PEER-ENDPOINT PEER-SUBNET PEER-KEY
    cat <<EOF
{ "version": 1, "name": "$1",
  "interface": { "name": "flannel99", "address": "$2", "listen": "$3", "privateKey": "$4" },
  "mode": "wireguard",
  "peers": [ { "name": "other", "endpoint": "$5", "subnets": ["$6"], "publicKey": "$7" } ] }
EOF
}
(umask 077 && profile far 10.244.3.3/24 10.211.55.123:51820 "$FAR_KEY" 10.211.55.122:51820 \
    10.244.2.0/24 "$NEAR_PUB" > "$T/far.json")
ip netns exec "$FAR" "$T/far/usr/libexec/peertun-helper" --standalone "$T/far.json" 2>"$T/far.log" &
FAR_HELPER=$!
ip netns exec "$FAR" python3 "$REPO/tests/root/e2e/web_app.py" --bind 10.244.3.3 --port 9090 \
    > "$T/web.out" 2>"$T/web.log" &
for _ in $(seq 50); do grep -q ready "$T/web.out" 2>/dev/null && break; sleep 0.1; done
grep -q ready "$T/web.out" || fatal "the far side's web app did not start: $(cat "$T/web.log" "$T/far.log")"

profile office 10.244.2.2/24 10.211.55.122:51820 "$NEAR_KEY" 10.211.55.123:51820 10.244.3.0/24 \
    "$FAR_PUB" | as alice sh -c "cat > $ALICE_PROFILE"
# What an administrator does to let group netdev in without a prompt (README).
cp "$ROOT/usr/share/doc/peertun-helper/polkit/50-peertun-netdev.rules" "$ROOT/etc/polkit-1/rules.d/"

BUS_PID='' POLKIT_PID=''
start_bus() {   # the root's own system bus and polkitd, inside the near namespace
    innear dbus-daemon --system --nofork --nopidfile --nosyslog > "$T/bus.log" 2>&1 &
    BUS_PID=$!
    for _ in $(seq 50); do [ -S "$ROOT/run/dbus/system_bus_socket" ] && break; sleep 0.1; done
    [ -S "$ROOT/run/dbus/system_bus_socket" ] || fatal "the root's system bus did not start: $(cat "$T/bus.log")"
    innear /usr/lib/polkit-1/polkitd --no-debug > "$T/polkit.log" 2>&1 &
    POLKIT_PID=$!
    for _ in $(seq 50); do
        inroot dbus-send --system --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
            org.freedesktop.DBus.NameHasOwner string:org.freedesktop.PolicyKit1 2>/dev/null |
            grep -q 'boolean true' && return 0
        sleep 0.1
    done
    fatal "polkitd did not come up: $(cat "$T/polkit.log")"
}
helper_pid() {
    inroot dbus-send --system --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.GetConnectionUnixProcessID string:io.peertun.Helper1 2>/dev/null | awk '{print $2}'
}
tunnel_works() {   # tunnel_works LABEL: ping and HTTP through the tunnel from the near side
    check "$1: ping through the tunnel" \
        ip netns exec "$NEAR" ping -c 2 -i 0.2 -w 10 -q 10.244.3.3
    check "$1: HTTP through the tunnel" sh -c \
        "ip netns exec '$NEAR' curl -sS -m 10 10.244.3.3:9090 | grep -qF 'hello world'"
}
near_device() { ip -n "$NEAR" link show flannel99 >/dev/null 2>&1; }
gone() { [ ! -e "/proc/$1" ] || grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null; }   # or a zombie

say "the root's system bus and polkitd; alice: peertunctl up"
start_bus
if as alice peertunctl up "$ALICE_PROFILE" > "$T/up.log" 2>&1; then ok "alice: peertunctl up"; else
    bad "alice: peertunctl up ($(cat "$T/up.log"))"; fi
check "the helper was started by the bus (launch helper), in the near namespace" near_device
# The desktop app from its package starts (platform and image plugins are there) and talks to
# the helper; offscreen, as there is no display here. It runs until timeout stops it.
as alice env QT_QPA_PLATFORM=offscreen DBUS_SESSION_BUS_ADDRESS=disabled: \
    timeout 3 peertun > "$T/app.log" 2>&1
rc=$?
check "the installed app ran until stopped (exit 124, got $rc)" test $rc = 124
check "no Qt plugin of the app failed to load" sh -c "! grep -qiE 'could not (load|find)|failed to load|cannot load' '$T/app.log'" ||
    sed 's/^/    app: /' "$T/app.log"
HELPER_PID=$(helper_pid)
check "the bus-activated helper runs the installed binary" \
    test "$(readlink "/proc/$HELPER_PID/exe" 2>/dev/null)" = "$ROOT/usr/libexec/peertun-helper"
check "postinst created the system user peertun" inroot getent passwd peertun
check "the helper runs as peertun, not root" \
    test "$(awk '/^Uid:/ { print $2 $3 $4 $5 }' "/proc/$HELPER_PID/status")" = "$(inroot id -u peertun | sed 's/.*/&&&&/')"
check "the helper keeps CAP_NET_ADMIN and CAP_NET_BIND_SERVICE only" \
    test "$(awk '/^CapPrm:/ { print $2 }' "/proc/$HELPER_PID/status")" = 0000000000001400
tunnel_works "fresh install"
as alice peertunctl stats office > "$T/stats.log" 2>&1
check "stats: packets came back from the far side" grep -qE "rx: [1-9][0-9]* packets" "$T/stats.log"
check "stats: a WireGuard handshake" grep -qE "handshakes: [1-9][0-9]* done" "$T/stats.log"
check "the helper's Version() says $VERSION" sh -c \
    "chroot '$ROOT' peertunctl version | grep -qx 'peertun-helper $VERSION'"
as bob peertunctl down office > "$T/bob.log" 2>&1
rc=$?
check "bob (not in netdev) is refused by polkit (exit 3, got $rc)" test $rc = 3
check "the tunnel is still up after bob's attempt" near_device

# --- 3. remove with the tunnel up --------------------------------------------------------------
say "apt-get remove with the tunnel up"
(umask 077 && mkdir -p "$ROOT/etc/peertun" &&
    profile office 10.244.2.2/24 :51820 "$NEAR_KEY" 10.211.55.123:51820 10.244.3.0/24 "$FAR_PUB" \
        > "$ROOT/etc/peertun/office.json")
apt_in_root remove peertun peertun-helper > "$T/remove.log" 2>&1 || { cat "$T/remove.log"; bad "apt-get remove failed"; }
check "the tunnel device is gone" sh -c "! ip -n '$NEAR' link show flannel99 >/dev/null 2>&1"
check "the routes through it are gone" test -z "$(ip -n "$NEAR" route show 10.244.3.0/24)"
check "the helper has stopped" gone "$HELPER_PID"
check "the far side's helper was not touched" kill -0 "$FAR_HELPER"
check "the binaries are gone" test ! -e "$ROOT/usr/bin/peertunctl" -a ! -e "$ROOT/usr/libexec/peertun-helper"
check "the bus policy and activation file are gone" \
    test ! -e "$ROOT/usr/share/dbus-1/system.d/io.peertun.Helper1.conf" -a \
         ! -e "$ROOT/usr/share/dbus-1/system-services/io.peertun.Helper1.service"
check "the administrator's profile in /etc/peertun is kept" test -s "$ROOT/etc/peertun/office.json"
check "alice's profile is untouched" test -s "$ROOT$ALICE_PROFILE"

# --- 4. upgrade ------------------------------------------------------------------------------
say "install $OLD_VERSION, tunnel up, then upgrade to $VERSION"
apt_in_root install --no-install-recommends "${OLD_IN_ROOT[@]}" > "$T/old.log" 2>&1 ||
    { cat "$T/old.log"; fatal "apt-get install of $OLD_VERSION failed"; }
check "$OLD_VERSION is installed" test "$(inroot dpkg-query -W -f='${Version}' peertun-helper)" = "$OLD_VERSION"
# The administrator edits their profile between the versions.
sed -i 's/"name": "office"/"name": "office-edited"/' "$ROOT/etc/peertun/office.json"
sum_before=$(md5sum < "$ROOT/etc/peertun/office.json")
as alice peertunctl up "$ALICE_PROFILE" > "$T/up-old.log" 2>&1 ||
    bad "alice: peertunctl up with $OLD_VERSION ($(cat "$T/up-old.log"))"
check "the tunnel is up with $OLD_VERSION" near_device
innear dbus-monitor --system "type='method_call',interface='org.freedesktop.DBus',member='ReloadConfig'" \
    > "$T/monitor.log" 2>&1 &
MONITOR=$!
sleep 1   # dbus-monitor has become a monitor
apt_in_root install --no-install-recommends "${NEW_IN_ROOT[@]}" > "$T/upgrade.log" 2>&1 ||
    { cat "$T/upgrade.log"; bad "the upgrade failed"; }
sleep 0.5; kill "$MONITOR" 2>/dev/null; wait "$MONITOR" 2>/dev/null
check "upgraded to $VERSION" test "$(inroot dpkg-query -W -f='${Version}' peertun-helper)" = "$VERSION"
check "the upgrade told the bus to reload its configuration" grep -q "member=ReloadConfig" "$T/monitor.log"
check "the tunnel stayed up through the upgrade" near_device
tunnel_works "after the upgrade"
check "the administrator's edited profile is unchanged" \
    test "$(md5sum < "$ROOT/etc/peertun/office.json")" = "$sum_before"

# --- 5. purge --------------------------------------------------------------------------------
say "apt-get purge with the tunnel up"
HELPER_PID=$(helper_pid)
# The administrator had enabled the standalone unit (what `systemctl enable peertun@office` links).
mkdir -p "$ROOT/etc/systemd/system/multi-user.target.wants"
ln -s /lib/systemd/system/peertun@.service "$ROOT/etc/systemd/system/multi-user.target.wants/peertun@office.service"
apt_in_root purge peertun peertun-helper > "$T/purge.log" 2>&1 || { cat "$T/purge.log"; bad "apt-get purge failed"; }
check "purge took the tunnel down" sh -c "! ip -n '$NEAR' link show flannel99 >/dev/null 2>&1"
check "the helper (started before the upgrade) has stopped" gone "$HELPER_PID"
check "dpkg knows nothing of peertun any more" \
    sh -c "! chroot '$ROOT' dpkg-query -W -f='\${Status}\n' peertun peertun-helper 2>/dev/null | grep -q ."
check "the administrator's profile is kept (dpkg leaves it)" test -s "$ROOT/etc/peertun/office.json"
check "the admin's copy of the rules file is kept" test -e "$ROOT/etc/polkit-1/rules.d/50-peertun-netdev.rules"
# The administrator's own files go by the administrator's hand; everything else must be gone.
rm -rf "$ROOT/etc/peertun" "$ROOT/etc/polkit-1/rules.d/50-peertun-netdev.rules"
snapshot "$T/after.files"
cut -d: -f1 "$ROOT/etc/passwd" | sort > "$T/after.users"
cut -d: -f1 "$ROOT/etc/group" | sort > "$T/after.groups"
diff "$T/before.files" "$T/after.files" > "$T/files.diff"
if [ -s "$T/files.diff" ]; then
    bad "the root's files differ from before the install:"; sed 's/^/    /' "$T/files.diff"
else
    ok "the root's file list (paths, modes, owners) is the same as before peertun's install"
fi
check "no file with peertun in its name (outside the homes)" \
    test -z "$(grep -v '^\./home/' "$T/after.files" | grep -i peertun)"
check "no dpkg state of peertun left" test -z "$(ls "$ROOT"/var/lib/dpkg/info/peertun* 2>/dev/null)"
check "no new user" diff "$T/before.users" "$T/after.users"
check "no new group" diff "$T/before.groups" "$T/after.groups"
check "alice's home is untouched" test -s "$ROOT$ALICE_PROFILE"

say "done"
if [ $failures = 0 ]; then echo PASS; exit 0; fi
echo "$failures check(s) failed"
exit 1
