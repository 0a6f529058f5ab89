#include "AccessPolicy.h"

#include "DBusContract.h"

namespace peertun {

AccessDecision decideAccess(const AccessRequest& request)
{
    // polkit says yes to root for everything anyway; root callers (servers, scripts) work
    // without a polkitd.
    if (request.callerUid == 0) {
        return {};
    }
    const bool own = request.ownerUid && *request.ownerUid == request.callerUid;
    const bool someoneElses = request.ownerUid && *request.ownerUid != request.callerUid;
    switch (request.access) {
    case Access::Connect:
        // Connecting implies the control action; the privileged one is the stricter of the two
        // (an admin rule may grant control to a group without granting full tunnels).
        return {{request.privileged ? dbus::kPrivilegedAction : dbus::kControlAction}};
    case Access::Disconnect:
        return {{someoneElses ? dbus::kControlOthersAction : dbus::kControlAction}};
    case Access::SetPeers: {
        AccessDecision d;
        d.actions << (someoneElses ? dbus::kControlOthersAction : dbus::kControlAction);
        if (request.privileged) {
            d.actions << dbus::kPrivilegedAction;
        }
        if (d.actions.size() == 2 && d.actions.first() == dbus::kControlAction) {
            d.actions.removeFirst(); // own tunnel: the privileged action alone, as for Connect
        }
        return d;
    }
    case Access::ReadDetails:
        if (own) {
            return {};
        }
        return {{dbus::kReadAction}};
    }
    return {{dbus::kControlOthersAction}}; // unreachable; the strictest answer
}

bool routesEverything(const Profile& profile)
{
    for (const PeerConfig& peer : profile.peers) {
        for (const Cidr& subnet : peer.subnets) {
            if (subnet.prefixLength == 0) {
                return true;
            }
        }
    }
    return false;
}

bool listensOnPrivilegedPort(const Profile& profile)
{
    const quint16 port = profile.interface.listen.port;
    return port != 0 && port < 1024;
}

} // namespace peertun
