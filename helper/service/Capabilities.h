// Capability handling of the D-Bus helper: right after start it keeps CAP_NET_ADMIN (TUN
// devices, addresses, routes) effective and CAP_NET_BIND_SERVICE only permitted, raised just
// around bringing up a tunnel that listens on a port below 1024. Every other capability leaves
// the effective, permitted, inheritable and bounding sets, and no_new_privs is set, so nothing
// the helper could be tricked into running regains them.
#pragma once

#include <QString>

namespace peertun {

// Must run before any thread exists (capabilities are per thread). Returns false with a
// reason if the kernel refused.
bool dropCapabilities(QString* error);

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
