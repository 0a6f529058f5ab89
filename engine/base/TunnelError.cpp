#include "TunnelError.h"

#include <cerrno>

namespace peertun::engine {

TunnelError::Kind TunnelError::kindFromErrno(int err)
{
    switch (err) {
    case EPERM:
    case EACCES:
        return Kind::PermissionDenied;
    case EADDRINUSE:
    case EBUSY:
        return Kind::Busy;
    default:
        return Kind::Failed;
    }
}

} // namespace peertun::engine
