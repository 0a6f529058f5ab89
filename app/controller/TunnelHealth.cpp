#include "TunnelHealth.h"

#include <algorithm>

namespace peertun {

bool isReconnecting(const dbus::TunnelCounters& counters, bool wireGuard)
{
    const qint64 changed = counters.networkChangedUnixMs;
    if (!wireGuard || changed <= 0) {
        return false;
    }
    return std::any_of(
        counters.peers.cbegin(), counters.peers.cend(), [changed](const dbus::PeerCounters& peer) {
            return peer.lastHandshakeUnixMs > 0 && peer.lastHandshakeUnixMs < changed;
        });
}

} // namespace peertun
