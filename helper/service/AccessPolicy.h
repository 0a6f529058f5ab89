// Which polkit actions a call needs: a pure decision from the caller's uid (from the bus
// daemon), the tunnel's owner and what the call asks for. HelperService asks polkit for each
// action named, in order, and runs the call only when all of them said yes. docs/security.md
// explains each action; docs/dbus-api.md lists what each method needs.
#pragma once

#include "Profile.h"

#include <QStringList>
#include <cstdint>
#include <optional>

namespace peertun {

enum class Access {
    Connect,    // a new tunnel; the caller becomes its owner
    Disconnect, // an existing tunnel (a kill switch a killed helper left has no owner)
    SetPeers,   // an existing tunnel's peers
    ReadDetails // peers, keys, endpoints, per-peer counters and log of someone's tunnel
};

struct AccessRequest
{
    uint32_t callerUid = 0;
    // Owner of the tunnel the call is about; nullopt when there is no such tunnel (Connect,
    // or a name the helper does not know: the call fails after authorization as NotFound).
    std::optional<uint32_t> ownerUid;
    Access access = Access::Connect;
    // Connect/SetPeers: the profile routes everything (a peer with 0.0.0.0/0 or ::/0) or
    // listens on a port below 1024 (see needsPrivilegedAction).
    bool privileged = false;
};

struct AccessDecision
{
    // Empty: allowed without asking polkit (root, or the owner reading their own tunnel).
    QStringList actions;
    bool withoutPolkit() const { return actions.isEmpty(); }
};

AccessDecision decideAccess(const AccessRequest& request);

// A peer routes every address of a family (a full tunnel, which captures every local user's
// traffic), or the tunnel listens on a port below 1024 (Connect: the listen port; SetPeers:
// only the peers count, the listen port of a running tunnel does not change).
bool routesEverything(const Profile& profile);
bool listensOnPrivilegedPort(const Profile& profile);

} // namespace peertun
