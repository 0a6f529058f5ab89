// Privileges of the helper. Started as root (bus activation without systemd, `--standalone`,
// the tests), it switches to its own system user `peertun` (or `nobody` with a warning when
// that user does not exist, e.g. run from a build tree) right after opening what needs root,
// keeping only CAP_NET_ADMIN (effective: TUN devices, addresses, routes, nftables, SO_MARK)
// and CAP_NET_BIND_SERVICE (permitted only, raised just around bringing up a tunnel that
// listens on a port below 1024). Under systemd the unit starts it as `peertun` with those two
// as ambient capabilities; then it only trims them the same way. Every other capability
// leaves the effective, permitted, inheritable, ambient and bounding sets; no_new_privs is set
// and the process is not dumpable, so nothing it could be tricked into running regains them
// and no other process of that user can read its memory (keys).
#pragma once

#include <QString>
#include <sys/types.h>

namespace peertun {

struct PrivilegeDrop
{
    QString user; // the user the helper runs as afterwards
    uid_t uid = 0;
    gid_t gid = 0;
    QString warning; // non-empty when it had to fall back (e.g. to nobody)
};

// The helper's own system user, created by the package (sysusers.d).
inline constexpr const char* kHelperUser = "peertun";

// Must run while the process has a single thread (capabilities are per thread; it refuses
// otherwise). Returns false with a reason if the kernel refused; `result` says who the
// process is afterwards.
bool dropPrivileges(PrivilegeDrop* result, QString* error);

// Raises CAP_NET_BIND_SERVICE on the calling thread for its lifetime, if permitted.
class ScopedBindServiceCapability
{
public:
    explicit ScopedBindServiceCapability(bool needed);
    ~ScopedBindServiceCapability();
    ScopedBindServiceCapability(const ScopedBindServiceCapability&) = delete;
    ScopedBindServiceCapability& operator=(const ScopedBindServiceCapability&) = delete;

private:
    bool m_raised = false;
};

} // namespace peertun
