#include "EngineToContract.h"

namespace peertun {

dbus::EndpointStatus endpointFromEngine(const engine::PeerEndpointStatus& e)
{
    dbus::EndpointStatus out;
    out.host = QString::fromStdString(e.host);
    out.address = e.address.port != 0 ? QString::fromStdString(e.address.toString()) : QString();
    if (!e.host.empty()) {
        out.state =
            e.resolving ? dbus::EndpointStatus::kResolving : dbus::EndpointStatus::kResolved;
    }
    out.resolvedAtUnixMs = e.resolvedAtUnixMs;
    out.error = QString::fromStdString(e.error);
    return out;
}

dbus::TunnelCounters countersFromEngine(const QString& name, const engine::TunnelStats& s,
                                        const QStringList& peerNames,
                                        const std::vector<engine::PeerEndpointStatus>& endpoints)
{
    dbus::TunnelCounters c;
    c.name = name;
    c.txPackets = s.txPackets;
    c.txBytes = s.txBytes;
    c.rxPackets = s.rxPackets;
    c.rxBytes = s.rxBytes;
    for (size_t i = 0; i < engine::kDropReasonCount; ++i) {
        const auto reason = engine::dropReasonName(static_cast<engine::DropReason>(i));
        c.drops.append(
            {QString::fromUtf8(reason.data(), qsizetype(reason.size())), quint64(s.drops[i])});
    }
    c.totalDrops = s.totalDrops();
    c.handshakesDone = s.handshakesDone;
    c.handshakesFailed = s.handshakesFailed;
    c.decryptionFailures = s.decryptionFailures;
    c.replaysRejected = s.replaysRejected;
    c.networkChangedUnixMs = s.networkChangedUnixMs;
    for (size_t i = 0; i < s.peers.size(); ++i) {
        const engine::PeerStats& p = s.peers[i];
        dbus::PeerCounters& out = c.peers.emplace_back();
        out.name = qsizetype(i) < peerNames.size() ? peerNames[qsizetype(i)] : QString();
        out.txPackets = p.txPackets;
        out.txBytes = p.txBytes;
        out.rxPackets = p.rxPackets;
        out.rxBytes = p.rxBytes;
        out.sendErrors = p.sendErrors;
        out.unreachable = p.unreachable;
        out.lastRxUnixMs = p.lastRxUnixMs;
        out.handshakesDone = p.handshakesDone;
        out.initiationsSent = p.initiationsSent;
        out.lastHandshakeUnixMs = p.lastHandshakeUnixMs;
        if (i < endpoints.size()) {
            out.endpointStatus = endpointFromEngine(endpoints[i]);
        }
    }
    return c;
}

dbus::LogLevel levelFromEngine(engine::LogLevel level)
{
    switch (level) {
    case engine::LogLevel::Debug:
        return dbus::LogLevel::Debug;
    case engine::LogLevel::Info:
        return dbus::LogLevel::Info;
    case engine::LogLevel::Warning:
        return dbus::LogLevel::Warning;
    case engine::LogLevel::Error:
        break;
    }
    return dbus::LogLevel::Error;
}

dbus::LogRecord recordFromEngine(const engine::LogEntry& e)
{
    dbus::LogRecord r;
    r.seq = e.seq;
    r.unixMs = e.unixMs;
    r.level = levelFromEngine(e.level);
    r.tunnel = QString::fromStdString(e.tunnel);
    r.text = QString::fromStdString(e.text);
    return r;
}

} // namespace peertun
