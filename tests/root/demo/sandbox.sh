# shellcheck shell=bash
# Sourced by the demo tests: a machine of its own for scripts/demo.sh, which configures "this
# machine" (a veth end, the tunnel) and installs files.
#
# in_demo_sandbox DIR COMMAND...: runs COMMAND in a fresh network namespace (the demo's root
# namespace: nothing reaches the real one; lo up) and a private mount namespace where /usr is a
# throwaway overlay (the installation vanishes with it) and /run/netns a private tmpfs (the
# demo's host-2 namespace is never visible outside). DIR is the caller's temp dir (it must
# exist); its mnt/ holds the overlay, its home/ is the demo user's HOME. What the demo must not
# leave when COMMAND returns is listed as "LEFT: ..." lines: a process in that network namespace,
# flannel99, a ptdemo veth, a namespace, the demo profile.
in_demo_sandbox() {
    local dir=$1; shift
    mkdir -p "$dir/mnt" || return 1
    unshare --mount --net --propagation private -- bash -c '
        set -e
        dir=$1; shift
        mount -t tmpfs peertun-demotest "$dir/mnt"
        mkdir "$dir/mnt/up" "$dir/mnt/work" "$dir/mnt/netns"
        mount -t overlay peertun-demotest -o "lowerdir=/usr,upperdir=$dir/mnt/up,workdir=$dir/mnt/work" /usr
        mkdir -p /run/netns && mount --bind "$dir/mnt/netns" /run/netns
        ip link set lo up
        set +e
        "$@"
        rc=$?
        ip link show flannel99 >/dev/null 2>&1 && echo "LEFT: flannel99"
        ip -o link show | grep -q ptdemo && echo "LEFT: a ptdemo veth"
        [ -n "$(ls /run/netns)" ] && echo "LEFT: namespaces $(ls /run/netns)"
        [ -e "$dir/home/.config/peertun/profiles/peertun-demo.json" ] && echo "LEFT: the demo profile"
        ours=$(readlink /proc/self/ns/net)
        for pid in $(ls -l /proc/[0-9]*/ns/net 2>/dev/null | grep -F -- "-> $ours" |
                     sed "s|.* /proc/\([0-9]*\)/ns/net .*|\1|"); do
            [ "$pid" = $$ ] || [ ! -e "/proc/$pid" ] && continue
            read -r -d "" cmd < "/proc/$pid/cmdline"
            echo "LEFT: process $pid $cmd"
            kill -KILL "$pid" 2>/dev/null
        done
        exit $rc
    ' in-demo-sandbox "$dir" "$@"
}

# demo_expect OUT DESCRIPTION GREP-ARGS...: one check on the captured output; counts failures.
demo_failures=0
demo_expect() {
    local out=$1 what=$2; shift 2
    if grep -q "$@" "$out"; then
        echo "ok: $what"
    else
        echo "FAIL: $what"; demo_failures=$((demo_failures + 1))
    fi
}

# demo_verdict OUT: fails on any LEFT line too; prints PASS or the count; returns 0 or 1.
demo_verdict() {
    if grep -q "^LEFT:" "$1"; then
        grep "^LEFT:" "$1"
        echo "FAIL: the demo left things behind"; demo_failures=$((demo_failures + 1))
    fi
    if [ $demo_failures = 0 ]; then echo "PASS"; return 0; fi
    echo "$demo_failures check(s) failed"
    return 1
}
