#!/bin/bash
# Builds the Debian packages into build/packages/ (CPack from the project's install rules):
# peertun-helper_VERSION_ARCH.deb (root helper, its system files, peertunctl: enough for a
# server) and peertun_VERSION_ARCH.deb (the desktop app). Runs lintian on them; an error or a
# warning fails (docs/packaging.md).
#   ./scripts/package.sh                   then: sudo apt install ./build/packages/peertun*.deb
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
out=build/packages
rm -f "$out"/peertun*.deb
cpack --config build/CPackConfig.cmake -G DEB -B "$out" >/dev/null
rm -rf "$out/_CPack_Packages"
ls -l "$out"/peertun*.deb
lintian --fail-on error,warning "$out"/peertun*.deb   # (as root it says so; the verdict is the same)
echo "install: sudo apt install $(ls "$out"/peertun*.deb | sed 's|^|./|' | tr '\n' ' ')"
