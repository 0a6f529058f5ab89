// The words the window and the tray use for a tunnel beyond its counters: the state line
// ("reconnecting…" after a network change), what DNS and the kill switch do, each peer's
// endpoint as configured and the address in use, and the tray's tooltip. Built from the
// contract's typed payloads only, so unit tests feed them payloads.
#pragma once

#include "HelperApi.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace peertun {

// "Kill switch on: traffic outside the tunnel is blocked"
QString killSwitchText();

// "connected", "reconnecting…" (isReconnecting), "failed: <reason>", ...
QString stateLineText(const TunnelStatus& status, bool wireGuard);

// The DNS and kill-switch lines of a listed tunnel; for a blocked one what that means and how
// to lift it; for another user's tunnel that its details are withheld, and why.
QStringList protectionLines(const dbus::TunnelInfo& info);

// One peer's endpoint: "vpn.example.net:51820 → 198.51.100.7:51820", "vpn.example.net:51820 →
// resolving: <error>", "10.0.0.1:51820", or for a peer that calls us what it called from.
// `configured` is the profile's text ("" or ":0" when the peer has none).
QString endpointText(const QString& configured, const dbus::EndpointStatus& inUse);

// Since when a mesh tunnel's etcd cannot be reached, as the latest counters (or else its
// ListTunnels entry) say; 0 = reachable, or not a mesh.
qint64 storeUnreachableSince(const TunnelStatus& status);
// "Coordination store unreachable since 2026-12-01 15:20:07"; empty for 0.
QString storeUnreachableText(qint64 sinceUnixMs);
// A mesh tunnel's lines for the details: the unreachable line (while it is), the agent's state
// in the helper's words and how many members are peers now; empty for a tunnel that is not a
// mesh.
QStringList meshLines(const TunnelStatus& status);

struct TrayTunnel
{
    QString name;
    TunnelStatus status;
    bool wireGuard = false;
};
// "peertun: no tunnel is up", or "peertun" and a line per tunnel that is not down, with the
// kill-switch line under a tunnel whose switch is on and the unreachable line under a mesh
// tunnel whose etcd cannot be reached.
QString trayToolTipText(const QList<TrayTunnel>& tunnels);

} // namespace peertun
