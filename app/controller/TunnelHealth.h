// What the counters say about a connected tunnel beyond its state: whether a WireGuard tunnel
// is finding its peers again after the underlay changed (Wi-Fi to Ethernet, a resume). A pure
// decision over the helper's counters, so the window and the tray show the same thing.
#pragma once

#include "Payloads.h"

namespace peertun {

// True while the underlay changed (networkChangedUnixMs) after a peer's last handshake and no
// handshake followed: the tunnel is up but that peer is not reached yet. Peers that never had
// a handshake do not count (they are connecting, not reconnecting); plain mode has no
// handshakes, so it is never reconnecting.
bool isReconnecting(const dbus::TunnelCounters& counters, bool wireGuard);

} // namespace peertun
