// Setup and teardown failures of the data plane, with a kind the service maps to a D-Bus
// error and a sentence a person can act on. Never thrown on the per-packet path.
#pragma once

#include <stdexcept>
#include <string>

namespace peertun::engine {

class TunnelError : public std::runtime_error
{
public:
    enum class Kind {
        InvalidConfig,    // the spec cannot work (e.g. MTU out of range)
        Busy,             // device name or UDP port already in use
        AddressInUse,     // tunnel address already assigned to another interface
        PermissionDenied, // missing CAP_NET_ADMIN or /dev/net/tun access
        Failed,           // anything else
    };
    TunnelError(Kind kind, const std::string& message) : std::runtime_error(message), m_kind(kind)
    {}
    Kind kind() const { return m_kind; }

    // Kind from an errno of a failed setup call (EPERM/EACCES -> PermissionDenied,
    // EADDRINUSE/EBUSY -> Busy, else Failed).
    static Kind kindFromErrno(int err);

private:
    Kind m_kind;
};

} // namespace peertun::engine
