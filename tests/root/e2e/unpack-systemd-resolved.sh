#!/bin/bash
# Unpacks Debian's systemd-resolved into DEST (never installs it: the package's postinst
# would point the host's /etc/resolv.conf at a stub resolver). The version is the installed
# systemd's, so the binary finds the libsystemd-shared it was built against. Idempotent.
set -euo pipefail
dest=$1
version=$(dpkg-query -W -f='${Version}' systemd)
if [ -x "$dest/lib/systemd/systemd-resolved" ] && [ "$(cat "$dest/.version" 2>/dev/null)" = "$version" ]; then
  exit 0
fi
work=$(mktemp -d)
chmod 755 "$work" # apt-get download drops to user _apt
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download -q "systemd-resolved=$version" >/dev/null)
rm -rf "$dest"
mkdir -p "$dest"
dpkg-deb -x "$work"/systemd-resolved_*.deb "$dest"
echo "$version" > "$dest/.version"
