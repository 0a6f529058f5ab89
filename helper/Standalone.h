// `peertun-helper --standalone PROFILE.json`: one tunnel in the foreground, no D-Bus, log on
// stderr, counters on SIGUSR1, clean teardown on SIGINT/SIGTERM.
#pragma once

#include <QString>

namespace peertun {

// Returns the process exit code: standaloneExitCode() of lib/contract ExitCode.h (README).
int runStandalone(const QString& profilePath);

} // namespace peertun
