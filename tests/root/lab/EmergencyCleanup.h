// What a root test leaves running or mounted when it is interrupted (SIGINT, SIGTERM, SIGHUP,
// SIGQUIT, SIGABRT): the processes it started and the network namespaces it made. Both lab
// fixtures (NetnsLab, DBusHarness) track them here, and one signal handler kills and removes
// them. The handler only touches fixed-size, lock-free storage and only calls async-signal-safe
// functions (kill, umount2, unlink, sigaction, raise): no fork, no allocation. What it cannot
// remove safely (temporary directories) carries the test's PID, and the fixtures' next run
// sweeps it once that process is gone.
#pragma once

#include <QString>
#include <sys/types.h>

namespace peertun::testlab {

// Where `ip netns` keeps its namespaces (bind mounts named after them).
inline constexpr const char kNetnsDir[] = "/run/netns/";

// Installs the handler once per process; later calls do nothing.
void installCleanupHandlers();

// Returns a slot for untrackPid(), or -1 when all slots are taken (the process is then only
// killed by its parent-death signal).
int trackPid(pid_t pid);
void untrackPid(int slot); // -1 is ignored

// By name, as under /run/netns. Track before creating it: an interrupt right after must still
// remove it.
void trackNamespace(const QString& name);
void untrackNamespace(const QString& name);

} // namespace peertun::testlab
