# shellcheck shell=bash
# Sourced by the demo tests: a machine of its own for scripts/demo.sh, which configures "this
# machine" (a veth end, the tunnel) and installs files.
#
# in_demo_sandbox DIR COMMAND...: runs COMMAND in a fresh network namespace (the demo's root
# namespace: nothing reaches the real one; lo up) and a private mount namespace where /usr is a
# throwaway overlay (the installation vanishes with it) and /run/netns a private tmpfs (the
# demo's host-2 namespace is never visible outside). DIR is the caller's temp dir (it must
# exist); its mnt/ holds the overlay. Every process left in that network namespace when COMMAND
# returns is listed as "LEFT: process PID NAME" (the demo must have stopped them all).
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
