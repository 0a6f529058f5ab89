// A helper that gave up root must still create TUN devices, one fresh /dev/net/tun fd each.
// Debian's udev makes that node 0666; where it is root's alone (mode 0600, as on a machine
// without udev), the helper forks a broker before it switches user: a process of the same
// user that keeps CAP_DAC_OVERRIDE and nothing else, and does one thing: for each request on
// a socketpair it opens /dev/net/tun and passes the fd back. The engine gets the fds through
// setTunControlOpener; the broker exits with the helper.
#pragma once

#include <QString>
#include <sys/types.h>

namespace peertun {

// True if uid/gid could not open /dev/net/tun read-write by its mode bits alone.
bool tunNodeNeedsBroker(uid_t uid, gid_t gid);

// Forks the broker (the caller is still root and has one thread) and installs the engine's
// opener. The broker switches to uid/gid itself.
bool startTunBroker(uid_t uid, gid_t gid, QString* error);

} // namespace peertun
