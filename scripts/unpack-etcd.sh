#!/bin/bash
# Unpacks Debian's etcd-server and etcd-client into DEST (DEST/usr/bin/etcd, etcdctl) for the
# mesh tests. Never installs them: etcd-server's postinst starts an etcd service on the host
# (invoke-rc.d etcd start), listening on the host's loopback. Idempotent.
set -euo pipefail
dest=$1
version=$(apt-cache policy etcd-server 2>/dev/null | sed -n 's/^ *Candidate: //p')
if [ -z "$version" ] || [ "$version" = "(none)" ]; then
  echo "unpack-etcd.sh: apt knows no etcd-server (run apt-get update)" >&2
  exit 1
fi
if [ -x "$dest/usr/bin/etcd" ] && [ -x "$dest/usr/bin/etcdctl" ] &&
   [ "$(cat "$dest/.version" 2>/dev/null)" = "$version" ]; then
  exit 0
fi
work=$(mktemp -d)
chmod 755 "$work" # apt-get download drops to user _apt
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -q "etcd-server=$version" "etcd-client=$version" >/dev/null)
rm -rf "$dest"
mkdir -p "$dest"
for deb in "$work"/*.deb; do
  dpkg-deb -x "$deb" "$dest"
done
echo "$version" > "$dest/.version"
