// `peertun-helper --standalone PROFILE.json`: one tunnel in the foreground, no D-Bus, log on
// stderr, counters on SIGUSR1, clean teardown on SIGINT/SIGTERM.
#pragma once

#include <QString>

namespace peertun {

// Process exit codes of the standalone mode (documented in README).
enum StandaloneExit : int {
    ExitOk = 0,
    ExitFailed = 1,     // runtime failure
    ExitUsage = 2,      // bad arguments, unreadable or invalid profile
    ExitBusy = 3,       // device name or UDP port in use, address on another interface
    ExitPermission = 4, // not root / no CAP_NET_ADMIN
};

int runStandalone(const QString& profilePath);

} // namespace peertun
