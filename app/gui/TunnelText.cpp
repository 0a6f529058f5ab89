#include "TunnelText.h"

#include "Format.h"
#include "TunnelHealth.h"

#include <QCoreApplication>
#include <QDateTime>

namespace peertun {

namespace {
// Gives these free functions a translation context ("TunnelText").
class TunnelText
{
    Q_DECLARE_TR_FUNCTIONS(TunnelText)
};

bool reconnecting(const TunnelStatus& status, bool wireGuard)
{
    return status.state == dbus::TunnelState::Connected &&
           isReconnecting(dbus::TunnelCounters::fromVariant(status.stats), wireGuard);
}
} // namespace

QString killSwitchText()
{
    return TunnelText::tr("Kill switch on: traffic outside the tunnel is blocked");
}

QString stateLineText(const TunnelStatus& status, bool wireGuard)
{
    QString line =
        reconnecting(status, wireGuard) ? TunnelText::tr("reconnecting…") : stateText(status.state);
    if (!status.reason.isEmpty()) {
        line = TunnelText::tr("%1: %2").arg(line, status.reason);
    }
    return line;
}

QStringList protectionLines(const dbus::TunnelInfo& info)
{
    QStringList lines;
    if (info.detailsWithheld) {
        lines << TunnelText::tr("Another user connected this tunnel: only they and "
                                "administrators see its peers, endpoints, counters and log "
                                "(`peertunctl status --details` asks for authorization).");
        return lines;
    }
    if (info.state == dbus::TunnelState::Blocked) {
        lines << killSwitchText()
              << TunnelText::tr("The tunnel is down, and its kill switch still blocks all "
                                "traffic; disconnect to lift it.");
        return lines;
    }
    if (!info.dnsServers.isEmpty()) {
        if (info.dnsApplied) {
            const QString servers = info.dnsServers.join(QStringLiteral(", "));
            lines << (info.dnsDomains.isEmpty()
                          ? TunnelText::tr("DNS: %1").arg(servers)
                          : TunnelText::tr("DNS: %1 (domains %2)")
                                .arg(servers, info.dnsDomains.join(QStringLiteral(", "))));
        } else {
            // The helper's own words ("DNS not applied: systemd-resolved is not running").
            lines << (info.dnsStatus.isEmpty() ? TunnelText::tr("DNS not applied")
                                               : info.dnsStatus);
        }
    }
    if (info.killSwitch) {
        lines << killSwitchText();
    }
    return lines;
}

QString endpointText(const QString& configured, const dbus::EndpointStatus& inUse)
{
    const bool none = configured.isEmpty() || configured.endsWith(QLatin1String(":0"));
    if (inUse.host.isEmpty()) {
        if (none) {
            // A peer that calls us: where it called from, once it did.
            return inUse.address.isEmpty()
                       ? TunnelText::tr("not known until the peer connects")
                       : TunnelText::tr("%1 (where the peer connected from)").arg(inUse.address);
        }
        // An address endpoint; a WireGuard peer may roam to another one.
        return inUse.address.isEmpty() || inUse.address == configured
                   ? configured
                   : TunnelText::tr("%1 → %2").arg(configured, inUse.address);
    }
    const QString name = none ? inUse.host : configured;
    if (inUse.address.isEmpty()) {
        return inUse.error.isEmpty() ? TunnelText::tr("%1 → resolving…").arg(name)
                                     : TunnelText::tr("%1 → resolving: %2").arg(name, inUse.error);
    }
    if (!inUse.error.isEmpty()) {
        return TunnelText::tr("%1 → %2 (the last lookup failed: %3)")
            .arg(name, inUse.address, inUse.error);
    }
    return TunnelText::tr("%1 → %2").arg(name, inUse.address);
}

qint64 storeUnreachableSince(const TunnelStatus& status)
{
    if (!status.stats.isEmpty()) {
        return dbus::TunnelCounters::fromVariant(status.stats).storeUnreachableSinceUnixMs;
    }
    return status.info ? status.info->storeUnreachableSinceUnixMs : 0;
}

QString storeUnreachableText(qint64 sinceUnixMs)
{
    if (sinceUnixMs <= 0) {
        return QString();
    }
    return TunnelText::tr("Coordination store unreachable since %1")
        .arg(QDateTime::fromMSecsSinceEpoch(sinceUnixMs)
                 .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
}

QStringList meshLines(const TunnelStatus& status)
{
    QStringList lines;
    if (!status.info || !status.info->mesh) {
        return lines;
    }
    if (const QString unreachable = storeUnreachableText(storeUnreachableSince(status));
        !unreachable.isEmpty()) {
        lines << unreachable + TunnelText::tr("; the members stay as last known.");
    }
    if (!status.info->meshStatus.isEmpty()) {
        // The helper's own words ("running: subnet 10.244.3.0/24, 4 members").
        lines << TunnelText::tr("Mesh: %1").arg(status.info->meshStatus);
    }
    const qsizetype members = status.stats.isEmpty()
                                  ? status.info->peers.size()
                                  : dbus::TunnelCounters::fromVariant(status.stats).peers.size();
    lines << TunnelText::tr("%n other member(s) reached as peers", nullptr, int(members));
    return lines;
}

QString trayToolTipText(const QList<TrayTunnel>& tunnels)
{
    QStringList lines;
    for (const TrayTunnel& t : tunnels) {
        const TunnelStatus& s = t.status;
        if (s.state == dbus::TunnelState::Disconnected) {
            continue;
        }
        if (reconnecting(s, t.wireGuard)) {
            lines << TunnelText::tr("%1: reconnecting…").arg(t.name);
        } else if (s.state == dbus::TunnelState::Connected) {
            lines << TunnelText::tr("%1: connected, ↓ %2 ↑ %3")
                         .arg(t.name, formatRate(s.rxBytesPerSecond),
                              formatRate(s.txBytesPerSecond));
        } else {
            lines << TunnelText::tr("%1: %2").arg(t.name, stateText(s.state));
        }
        if (s.info && s.info->killSwitch) {
            lines << killSwitchText();
        }
        if (const QString unreachable = storeUnreachableText(storeUnreachableSince(s));
            !unreachable.isEmpty()) {
            lines << unreachable;
        }
    }
    return lines.isEmpty()
               ? TunnelText::tr("peertun: no tunnel is up")
               : TunnelText::tr("peertun") + QLatin1Char('\n') + lines.join(QLatin1Char('\n'));
}

} // namespace peertun
