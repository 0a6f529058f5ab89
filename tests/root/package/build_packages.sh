#!/bin/bash
# Builds the packages the package tests install, with CPack from this build tree:
# OUT/debs (the project's version) and OUT/debs-old (the same tree as version VERSION~old1,
# which sorts lower: what an upgrade comes from).
# Usage: build_packages.sh BUILD_DIR OUT_DIR
set -eu
BUILD=$1 OUT=$2
version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$BUILD/CPackConfig.cmake")
[ -n "$version" ] || { echo "FAIL: no CPACK_PACKAGE_VERSION in $BUILD/CPackConfig.cmake" >&2; exit 1; }
rm -rf "$OUT/debs" "$OUT/debs-old"
cpack --config "$BUILD/CPackConfig.cmake" -G DEB -B "$OUT/debs" > "$OUT/cpack.log" 2>&1 ||
    { cat "$OUT/cpack.log"; exit 1; }
cpack --config "$BUILD/CPackConfig.cmake" -G DEB -B "$OUT/debs-old" \
    -D CPACK_PACKAGE_VERSION="$version~old1" >> "$OUT/cpack.log" 2>&1 || { cat "$OUT/cpack.log"; exit 1; }
rm -rf "$OUT/debs/_CPack_Packages" "$OUT/debs-old/_CPack_Packages"
for d in "$OUT"/debs/*.deb "$OUT"/debs-old/*.deb; do
    echo "$(basename "$d"): $(stat -c %s "$d") bytes"
    dpkg-deb -f "$d" Depends | sed 's/^/  Depends: /'
done
# Each package holds what its name says; nothing in /usr/local.
for p in peertun-helper peertun; do
    [ -f "$OUT/debs/${p}_${version}_$(dpkg --print-architecture).deb" ] ||
        { echo "FAIL: ${p}_${version}_*.deb was not made" >&2; exit 1; }
done
if dpkg-deb -c "$OUT"/debs/*.deb | grep -q '/usr/local/'; then
    echo "FAIL: the packages hold files in /usr/local" >&2; exit 1
fi
