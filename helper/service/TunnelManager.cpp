#include "TunnelManager.h"

#include "Capabilities.h"
#include "EngineToContract.h"
#include "ProfileToSpec.h"
#include "TunnelError.h"

#include <QDateTime>
#include <algorithm>

namespace peertun {
namespace {

bool sameCounters(const engine::TunnelStats& a, const engine::TunnelStats& b)
{
    if (a.txPackets != b.txPackets || a.rxPackets != b.rxPackets || a.txBytes != b.txBytes ||
        a.rxBytes != b.rxBytes || a.drops != b.drops || a.handshakesDone != b.handshakesDone ||
        a.handshakesFailed != b.handshakesFailed || a.decryptionFailures != b.decryptionFailures ||
        a.replaysRejected != b.replaysRejected || a.peers.size() != b.peers.size() ||
        a.networkChangedUnixMs != b.networkChangedUnixMs) {
        return false;
    }
    for (size_t i = 0; i < a.peers.size(); ++i) {
        const auto &p = a.peers[i], &q = b.peers[i];
        if (p.txPackets != q.txPackets || p.rxPackets != q.rxPackets || p.txBytes != q.txBytes ||
            p.rxBytes != q.rxBytes || p.sendErrors != q.sendErrors ||
            p.unreachable != q.unreachable || p.lastRxUnixMs != q.lastRxUnixMs ||
            p.handshakesDone != q.handshakesDone || p.initiationsSent != q.initiationsSent ||
            p.lastHandshakeUnixMs != q.lastHandshakeUnixMs) {
            return false;
        }
    }
    return true;
}

TunnelManager::Failure failureFromTunnelError(const engine::TunnelError& e)
{
    using Kind = engine::TunnelError::Kind;
    const QString text = QString::fromStdString(e.what());
    switch (e.kind()) {
    case Kind::InvalidConfig:
        return {dbus::kErrorInvalidProfile, text};
    case Kind::Busy:
    case Kind::AddressInUse:
        return {dbus::kErrorBusy, text};
    case Kind::PermissionDenied:
        return {dbus::kErrorFailed,
                text + QStringLiteral(" (the helper lacks CAP_NET_ADMIN; is it running as root?)")};
    case Kind::Failed:
        break;
    }
    return {dbus::kErrorFailed, text};
}

} // namespace

TunnelManager::TunnelManager(TunnelFactory factory, QObject* parent)
    : QObject(parent), m_factory(factory ? std::move(factory) : engineTunnelFactory())
{
    // The engine may log from its forwarding threads; hop to this thread before emitting.
    m_log.setListener([this](const engine::LogEntry& e) {
        QMetaObject::invokeMethod(
            this, [this, v = recordFromEngine(e).toVariant()] { emit logEntry(v); },
            Qt::QueuedConnection);
    });
    m_statsTimer.setInterval(kStatsIntervalMs);
    connect(&m_statsTimer, &QTimer::timeout, this, &TunnelManager::publishStatsIfChanged);
    adoptLeftoverKillSwitches();
}

void TunnelManager::adoptLeftoverKillSwitches()
{
    try {
        m_leftovers = engine::listKillSwitches();
    } catch (const engine::TunnelError& e) {
        log(engine::LogLevel::Error, QString(),
            QStringLiteral("cannot read the kill switch table: %1")
                .arg(QString::fromStdString(e.what())));
        return;
    }
    for (const engine::LeftoverKillSwitch& c : m_leftovers) {
        const QString owner = QString::fromStdString(c.owner.empty() ? c.ifName : c.owner);
        log(engine::LogLevel::Warning, owner,
            QStringLiteral("kill switch of %1 left by an earlier helper: traffic outside the "
                           "tunnel stays blocked until \"%2\" is connected or disconnected")
                .arg(QString::fromStdString(c.ifName), owner));
    }
}

std::optional<engine::LeftoverKillSwitch> TunnelManager::takeLeftover(const QString& nameOrDevice)
{
    for (auto it = m_leftovers.begin(); it != m_leftovers.end(); ++it) {
        if (QString::fromStdString(it->owner) == nameOrDevice ||
            QString::fromStdString(it->ifName) == nameOrDevice) {
            engine::LeftoverKillSwitch c = *it;
            m_leftovers.erase(it);
            return c;
        }
    }
    return std::nullopt;
}

TunnelManager::~TunnelManager()
{
    m_tunnels.clear(); // joins the forwarding threads before the log goes away
    m_log.setListener({});
}

void TunnelManager::log(engine::LogLevel level, const QString& tunnel, const QString& text)
{
    m_log.add(level, tunnel.toStdString(), text.toStdString());
}

std::optional<TunnelManager::Failure> TunnelManager::connectTunnel(const Profile& profile,
                                                                   const QString& reason)
{
    const QString& name = profile.name;
    if (m_tunnels.count(name) != 0) {
        return Failure{dbus::kErrorAlreadyConnected,
                       QStringLiteral("A tunnel named \"%1\" is already up; disconnect it first "
                                      "or give the profile another name.")
                           .arg(name)};
    }
    for (const auto& [otherName, other] : m_tunnels) {
        if (other.profile.interface.name == profile.interface.name) {
            return Failure{dbus::kErrorBusy,
                           QStringLiteral("The interface name \"%1\" is already used by tunnel "
                                          "\"%2\"; choose another interface name.")
                               .arg(profile.interface.name, otherName)};
        }
    }
    if (tunnelCount() >= kMaxTunnels) {
        return Failure{dbus::kErrorBusy,
                       QStringLiteral("The helper already runs %1 tunnels, the most it allows; "
                                      "disconnect one first.")
                           .arg(kMaxTunnels)};
    }

    setState(name, dbus::TunnelState::Connecting, QString());
    log(engine::LogLevel::Info, name, QStringLiteral("connecting (%1)").arg(reason));
    std::unique_ptr<RunningTunnel> tunnel;
    try {
        ScopedBindServiceCapability bindCap(profile.interface.listen.port != 0 &&
                                            profile.interface.listen.port < 1024);
        tunnel = m_factory(specFromProfile(profile), m_log);
    } catch (const engine::TunnelError& e) {
        const Failure failure = failureFromTunnelError(e);
        log(engine::LogLevel::Error, name, QStringLiteral("failed: %1").arg(failure.message));
        setState(name, dbus::TunnelState::Failed, failure.message);
        return failure;
    } catch (const std::exception& e) {
        const QString text = QString::fromStdString(e.what());
        log(engine::LogLevel::Error, name, QStringLiteral("failed: %1").arg(text));
        setState(name, dbus::TunnelState::Failed, text);
        return Failure{dbus::kErrorFailed, text};
    }

    // A leftover of this device: the new tunnel's kill switch took its chains over; without
    // one, connecting is the user's word that traffic may flow, so it goes.
    if (auto leftover = takeLeftover(profile.interface.name)) {
        if (!tunnel->killSwitchOn()) {
            try {
                engine::removeKillSwitch(*leftover);
            } catch (const engine::TunnelError& e) {
                log(engine::LogLevel::Error, name, QString::fromStdString(e.what()));
            }
        }
    }
    Entry entry;
    if (!profile.interface.dns.servers.isEmpty()) {
        entry.dns =
            std::make_unique<ResolvedLink>(tunnel->ifindex(), profile.interface.name,
                                           profile.interface.dns, tunnel->carriesDefaultRoute());
        if (entry.dns->applied()) {
            log(engine::LogLevel::Info, name, entry.dns->summary());
        } else {
            log(engine::LogLevel::Warning, name, entry.dns->problem());
        }
    }
    entry.profile = profile;
    wipeSecrets(entry.profile); // the engine holds its own locked copies
    entry.tunnel = std::move(tunnel);
    entry.state = dbus::TunnelState::Connected;
    entry.sinceUnixMs = QDateTime::currentMSecsSinceEpoch();
    entry.lastPublished = entry.tunnel->stats();
    m_tunnels.emplace(name, std::move(entry));
    log(engine::LogLevel::Info, name, QStringLiteral("connected"));
    setState(name, dbus::TunnelState::Connected, QString());
    if (!m_statsTimer.isActive()) {
        m_statsTimer.start();
    }
    return std::nullopt;
}

std::optional<TunnelManager::Failure> TunnelManager::disconnectTunnel(const QString& name,
                                                                      const QString& reason)
{
    const auto it = m_tunnels.find(name);
    if (it == m_tunnels.end()) {
        if (auto leftover = takeLeftover(name)) {
            const QString tunnelName = name; // NOLINT(performance-unnecessary-copy-initialization)
            try {
                engine::removeKillSwitch(*leftover);
            } catch (const engine::TunnelError& e) {
                m_leftovers.push_back(*leftover);
                return Failure{dbus::kErrorFailed, QString::fromStdString(e.what())};
            }
            log(engine::LogLevel::Info, tunnelName,
                QStringLiteral("kill switch of %1 removed (%2)")
                    .arg(QString::fromStdString(leftover->ifName), reason));
            setState(tunnelName, dbus::TunnelState::Disconnected, reason);
            return std::nullopt;
        }
        return Failure{dbus::kErrorNotFound,
                       QStringLiteral("There is no tunnel named \"%1\"; `peertunctl status` lists "
                                      "the tunnels that are up.")
                           .arg(name)};
    }
    // `name` may refer to the map's own key (disconnectAll): copy before erasing.
    const QString tunnelName = name; // NOLINT(performance-unnecessary-copy-initialization)
    it->second.state = dbus::TunnelState::Disconnecting;
    setState(tunnelName, dbus::TunnelState::Disconnecting, reason);
    log(engine::LogLevel::Info, tunnelName, QStringLiteral("disconnecting (%1)").arg(reason));
    m_tunnels.erase(it); // ~Tunnel stops the threads and removes routes and device
    log(engine::LogLevel::Info, tunnelName, QStringLiteral("disconnected"));
    setState(tunnelName, dbus::TunnelState::Disconnected, reason);
    if (m_tunnels.empty()) {
        m_statsTimer.stop();
    }
    return std::nullopt;
}

void TunnelManager::setState(const QString& name, dbus::TunnelState state, const QString& reason)
{
    emit stateChanged(name, dbus::stateName(state), reason);
}

void TunnelManager::disconnectAll(const QString& reason)
{
    while (!m_tunnels.empty()) {
        const QString name = m_tunnels.begin()->first; // a copy: erasing frees the key
        disconnectTunnel(name, reason);
    }
}

QVariantMapList TunnelManager::tunnels() const
{
    QVariantMapList list;
    for (const auto& [name, entry] : m_tunnels) {
        const InterfaceConfig& itf = entry.profile.interface;
        dbus::TunnelInfo info;
        info.name = name;
        info.state = entry.state;
        info.mode =
            entry.profile.mode == TunnelMode::WireGuard ? dbus::Mode::WireGuard : dbus::Mode::Plain;
        info.sinceUnixMs = entry.sinceUnixMs;
        info.interface = itf.name;
        info.address = itf.address.toString();
        // The bound address: a WireGuard profile without "listen" has a random port.
        info.listen = entry.tunnel && itf.listen.port == 0
                          ? QString::fromStdString(entry.tunnel->listenEndpoint().toString())
                          : itf.listen.toString();
        info.mtu = entry.tunnel ? entry.tunnel->mtu() : 0;
        const std::vector<engine::PeerEndpointStatus> endpoints =
            entry.tunnel ? entry.tunnel->endpoints() : std::vector<engine::PeerEndpointStatus>{};
        for (qsizetype i = 0; i < entry.profile.peers.size(); ++i) {
            const PeerConfig& peer = entry.profile.peers[i];
            QStringList subnets;
            for (const Cidr& c : peer.subnets) {
                subnets << c.toString();
            }
            dbus::PeerInfo& p = info.peers.emplace_back(
                dbus::PeerInfo{peer.name, peer.endpoint.toString(), subnets, peer.publicKey, {}});
            if (size_t(i) < endpoints.size()) {
                p.endpointStatus = endpointFromEngine(endpoints[size_t(i)]);
            }
        }
        for (const QHostAddress& a : itf.dns.servers) {
            info.dnsServers << a.toString();
        }
        info.dnsDomains = itf.dns.domains;
        info.dnsApplied = entry.dns && entry.dns->applied();
        info.dnsStatus = entry.dns ? entry.dns->problem() : QString();
        info.killSwitch = entry.tunnel && entry.tunnel->killSwitchOn();
        info.networkChangedUnixMs = entry.tunnel ? entry.tunnel->stats().networkChangedUnixMs : 0;
        list << info.toVariant();
    }
    for (const engine::LeftoverKillSwitch& c : m_leftovers) {
        dbus::TunnelInfo info;
        info.interface = QString::fromStdString(c.ifName);
        info.name = c.owner.empty() ? info.interface : QString::fromStdString(c.owner);
        info.state = dbus::TunnelState::Blocked;
        info.killSwitch = true;
        list << info.toVariant();
    }
    return list;
}

QVariantMap TunnelManager::statsToVariant(const QString& name, const Entry& entry,
                                          const engine::TunnelStats& s)
{
    QStringList peerNames;
    for (const PeerConfig& peer : entry.profile.peers) {
        peerNames << peer.name;
    }
    return countersFromEngine(name, s, peerNames, entry.tunnel->endpoints()).toVariant();
}

std::optional<QVariantMap> TunnelManager::stats(const QString& name) const
{
    const auto it = m_tunnels.find(name);
    if (it == m_tunnels.end()) {
        return std::nullopt;
    }
    return statsToVariant(name, it->second, it->second.tunnel->stats());
}

void TunnelManager::publishStatsIfChanged()
{
    bool changed = false;
    QVariantMapList all;
    for (auto& [name, entry] : m_tunnels) {
        const engine::TunnelStats s = entry.tunnel->stats();
        keepDns(name, entry, s);
        if (!sameCounters(s, entry.lastPublished)) {
            changed = true;
            entry.lastPublished = s;
        }
        all << statsToVariant(name, entry, s);
    }
    if (changed) {
        emit statsUpdated(all);
    }
}

void TunnelManager::keepDns(const QString& name, Entry& entry, const engine::TunnelStats& stats)
{
    if (stats.networkChangedUnixMs == entry.networkChangeSeen) {
        return;
    }
    entry.networkChangeSeen = stats.networkChangedUnixMs;
    if (!entry.dns) {
        return;
    }
    const QString what = entry.dns->reapplyIfLost();
    if (!what.isEmpty()) {
        log(entry.dns->applied() ? engine::LogLevel::Info : engine::LogLevel::Warning, name, what);
    }
}

void TunnelManager::underlayChanged(const QString& reason)
{
    for (auto& [name, entry] : m_tunnels) {
        if (entry.tunnel) {
            entry.tunnel->underlayChanged(reason.toStdString());
        }
    }
    publishStatsIfChanged(); // the DNS check and the new time, without waiting for the timer
}

QVariantMapList TunnelManager::logSince(quint64 afterSeq) const
{
    QVariantMapList list;
    for (const engine::LogEntry& e : m_log.since(afterSeq, kMaxLogEntriesPerCall)) {
        list << recordFromEngine(e).toVariant();
    }
    return list;
}

} // namespace peertun
