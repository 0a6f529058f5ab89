# shellcheck shell=bash
# Sourced by the package tests: a clean Debian 12 root, made once by debootstrap and kept in
# the build tree as a tarball.
#
# debian_mirror: the Debian archive this machine's apt uses (for bookworm), from
# /etc/apt/sources.list and sources.list.d/*.{list,sources}; deb.debian.org if none is named.
debian_mirror() {
    local f uri
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        uri=$(sed -nE 's/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+)[[:space:]]+bookworm[[:space:]].*/\2/p' "$f" | head -1)
        [ -n "$uri" ] && { echo "${uri%/}"; return; }
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        # deb822 stanzas: the URIs of the first one whose Suites has "bookworm" itself.
        uri=$(awk 'BEGIN{RS=""; FS="\n"} {u=""; s=0
                 for (i=1;i<=NF;i++) { if ($i ~ /^URIs:/) { sub(/^URIs:[ \t]*/,"",$i); split($i,a,/[ \t]+/); u=a[1] }
                                       if ($i ~ /^Suites:/ && $i ~ /[ \t]bookworm([ \t]|$)/) s=1 }
                 if (s && u != "") { print u; exit } }' "$f")
        [ -n "$uri" ] && { echo "${uri%/}"; return; }
    done
    echo http://deb.debian.org/debian
}

# debian_root_tarball CACHE_DIR: prints the path of CACHE_DIR/bookworm-minbase.tar, making it
# first if it is not there (debootstrap --variant=minbase, then apt-get update inside so that
# the lists come along). Needs root and the network (the mirror). Progress goes to stderr.
debian_root_tarball() {
    local cache=$1 tarball=$1/bookworm-minbase.tar mirror dir rc
    if [ -f "$tarball" ]; then echo "$tarball"; return 0; fi
    mkdir -p "$cache" || return 1
    mirror=$(debian_mirror)
    dir=$(mktemp -d "$cache/root.XXXXXX") && chmod 0755 "$dir" || return 1
    echo "making a Debian 12 root: debootstrap --variant=minbase bookworm from $mirror" >&2
    # In a mount namespace of its own: whatever debootstrap mounts in the root goes with it.
    unshare --mount --propagation private -- \
        debootstrap --variant=minbase bookworm "$dir" "$mirror" > "$cache/debootstrap.log" 2>&1
    rc=$?
    if [ $rc != 0 ]; then
        echo "debootstrap failed ($rc); the end of $cache/debootstrap.log:" >&2
        tail -20 "$cache/debootstrap.log" >&2
        rm -rf "$dir"; return 1
    fi
    cp /etc/resolv.conf "$dir/etc/resolv.conf"
    if ! unshare --mount --propagation private -- sh -c '
            mount -t proc proc "$1/proc" && chroot "$1" apt-get update -q' sh "$dir" >> "$cache/debootstrap.log" 2>&1; then
        echo "apt-get update in the new root failed:" >&2; tail -20 "$cache/debootstrap.log" >&2
        rm -rf "$dir"; return 1
    fi
    rm -f "$dir"/var/cache/apt/archives/*.deb "$dir"/var/cache/apt/*.bin
    tar -C "$dir" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball" || { rm -rf "$dir"; return 1; }
    rm -rf "$dir"
    echo "$tarball"
}
