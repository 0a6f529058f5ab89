#!/bin/bash
# Sets up and runs every test: installs the packages, builds, runs ctest. As root every layer
# runs (e2e and dbus tests make network namespaces, a private system bus and a real polkitd);
# without root those tests fail loudly or skip with the reason.
#   sudo ./scripts/test.sh            all tests
#   sudo ./scripts/test.sh -L unit    one layer (labels follow tests/: unit, root, e2e, dbus, gui, package...)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
ctest --test-dir build --output-on-failure --no-tests=error "$@"
