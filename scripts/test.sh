#!/bin/bash
# Sets up and runs every test: installs the packages, builds, runs ctest. As root every layer
# runs (e2e and dbus tests make network namespaces, a private system bus and a real polkitd);
# without root those tests fail loudly or skip with the reason.
# All tests also means the sanitizer builds (scripts/sanitize.sh): the unit tests under ASan +
# UBSan, the fuzz harnesses' bounded runs, and the threads' tests under ThreadSanitizer.
#   sudo ./scripts/test.sh            all tests, then the sanitizer builds
#   sudo ./scripts/test.sh -L unit    one layer (labels follow tests/: unit, root, e2e, dbus, gui, package...), no sanitizers
#   sudo ./scripts/sanitize.sh asan   only the ASan + UBSan build (labels unit, fuzz there)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
ctest --test-dir build --output-on-failure --no-tests=error "$@"
if [ $# -eq 0 ]; then
    scripts/sanitize.sh all
fi
