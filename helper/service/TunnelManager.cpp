#include "TunnelManager.h"

#include "Capabilities.h"
#include "ProfileToSpec.h"
#include "TunnelError.h"

#include <QDateTime>
#include <algorithm>

namespace peertun {
namespace {

QVariantMap entryToVariant(const engine::LogEntry& e)
{
    return {
        {QStringLiteral("seq"), QVariant::fromValue<qulonglong>(e.seq)},
        {QStringLiteral("unixMs"), QVariant::fromValue<qlonglong>(e.unixMs)},
        {QStringLiteral("level"), QString::fromLatin1(engine::logLevelName(e.level))},
        {QStringLiteral("tunnel"), QString::fromStdString(e.tunnel)},
        {QStringLiteral("text"), QString::fromStdString(e.text)},
    };
}

QVariantMap dnsToVariant(const DnsConfig& dns)
{
    QStringList servers;
    for (const QHostAddress& a : dns.servers) {
        servers << a.toString();
    }
    return {{QStringLiteral("servers"), servers}, {QStringLiteral("domains"), dns.domains}};
}

bool sameCounters(const engine::TunnelStats& a, const engine::TunnelStats& b)
{
    if (a.txPackets != b.txPackets || a.rxPackets != b.rxPackets || a.txBytes != b.txBytes ||
        a.rxBytes != b.rxBytes || a.drops != b.drops || a.handshakesDone != b.handshakesDone ||
        a.handshakesFailed != b.handshakesFailed || a.decryptionFailures != b.decryptionFailures ||
        a.replaysRejected != b.replaysRejected || a.peers.size() != b.peers.size()) {
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

// The copy the manager keeps for ListTunnels must not hold secrets: the engine has its own
// locked copies. Best effort, like standalone mode: overwrite, then drop.
void wipeSecrets(Profile& profile)
{
    const auto wipe = [](QString& s) {
        std::fill(s.begin(), s.end(), QChar(u'\0'));
        s.clear();
    };
    wipe(profile.interface.privateKey);
    for (PeerConfig& peer : profile.peers) {
        wipe(peer.presharedKey);
    }
}

// A peer's endpoint as the tunnel uses it: the address in use and, for a host name, the name,
// when it last resolved and why it does not (see docs/dbus-api.md).
void insertEndpointKeys(QVariantMap& peer, const engine::PeerEndpointStatus& e)
{
    peer.insert(QStringLiteral("endpointAddress"),
                e.address.port != 0 ? QString::fromStdString(e.address.toString()) : QString());
    peer.insert(QStringLiteral("endpointHost"), QString::fromStdString(e.host));
    peer.insert(QStringLiteral("resolvedAt"), QVariant::fromValue<qlonglong>(e.resolvedAtUnixMs));
    peer.insert(QStringLiteral("endpointState"),
                e.host.empty()    ? QString()
                : e.resolving     ? QStringLiteral("resolving")
                                  : QStringLiteral("resolved"));
    peer.insert(QStringLiteral("resolveError"), QString::fromStdString(e.error));
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

TunnelManager::TunnelManager(QObject* parent) : QObject(parent)
{
    // The engine may log from its forwarding threads; hop to this thread before emitting.
    m_log.setListener([this](const engine::LogEntry& e) {
        QMetaObject::invokeMethod(
            this, [this, v = entryToVariant(e)] { emit logEntry(v); }, Qt::QueuedConnection);
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

    emit stateChanged(name, dbus::kStateConnecting, QString());
    log(engine::LogLevel::Info, name, QStringLiteral("connecting (%1)").arg(reason));
    std::unique_ptr<engine::Tunnel> tunnel;
    try {
        ScopedBindServiceCapability bindCap(profile.interface.listen.port != 0 &&
                                            profile.interface.listen.port < 1024);
        tunnel = std::make_unique<engine::Tunnel>(specFromProfile(profile), m_log);
    } catch (const engine::TunnelError& e) {
        const Failure failure = failureFromTunnelError(e);
        log(engine::LogLevel::Error, name, QStringLiteral("failed: %1").arg(failure.message));
        emit stateChanged(name, dbus::kStateFailed, failure.message);
        return failure;
    } catch (const std::exception& e) {
        const QString text = QString::fromStdString(e.what());
        log(engine::LogLevel::Error, name, QStringLiteral("failed: %1").arg(text));
        emit stateChanged(name, dbus::kStateFailed, text);
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
    wipeSecrets(entry.profile);
    entry.tunnel = std::move(tunnel);
    entry.state = dbus::kStateConnected;
    entry.sinceUnixMs = QDateTime::currentMSecsSinceEpoch();
    entry.lastPublished = entry.tunnel->stats();
    m_tunnels.emplace(name, std::move(entry));
    log(engine::LogLevel::Info, name, QStringLiteral("connected"));
    emit stateChanged(name, dbus::kStateConnected, QString());
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
            emit stateChanged(tunnelName, dbus::kStateDisconnected, reason);
            return std::nullopt;
        }
        return Failure{dbus::kErrorNotFound,
                       QStringLiteral("There is no tunnel named \"%1\"; `peertunctl status` lists "
                                      "the tunnels that are up.")
                           .arg(name)};
    }
    // `name` may refer to the map's own key (disconnectAll): copy before erasing.
    const QString tunnelName = name; // NOLINT(performance-unnecessary-copy-initialization)
    it->second.state = dbus::kStateDisconnecting;
    emit stateChanged(tunnelName, dbus::kStateDisconnecting, reason);
    log(engine::LogLevel::Info, tunnelName, QStringLiteral("disconnecting (%1)").arg(reason));
    m_tunnels.erase(it); // ~Tunnel stops the threads and removes routes and device
    log(engine::LogLevel::Info, tunnelName, QStringLiteral("disconnected"));
    emit stateChanged(tunnelName, dbus::kStateDisconnected, reason);
    if (m_tunnels.empty()) {
        m_statsTimer.stop();
    }
    return std::nullopt;
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
        const std::vector<engine::PeerEndpointStatus> endpoints =
            entry.tunnel ? entry.tunnel->endpoints() : std::vector<engine::PeerEndpointStatus>{};
        QVariantList peers;
        for (qsizetype i = 0; i < entry.profile.peers.size(); ++i) {
            const PeerConfig& peer = entry.profile.peers[i];
            QStringList subnets;
            for (const Cidr& c : peer.subnets) {
                subnets << c.toString();
            }
            QVariantMap p{{QStringLiteral("name"), peer.name},
                          {QStringLiteral("endpoint"), peer.endpoint.toString()},
                          {QStringLiteral("subnets"), subnets}};
            if (size_t(i) < endpoints.size()) {
                insertEndpointKeys(p, endpoints[size_t(i)]);
            }
            if (!peer.publicKey.isEmpty()) { // public by definition; secrets never leave
                p.insert(QStringLiteral("publicKey"), peer.publicKey);
            }
            peers << p;
        }
        list << QVariantMap{
            {QStringLiteral("name"), name},
            {QStringLiteral("state"), entry.state},
            {QStringLiteral("mode"), modeToString(entry.profile.mode)},
            {QStringLiteral("sinceUnixMs"), QVariant::fromValue<qlonglong>(entry.sinceUnixMs)},
            {QStringLiteral("interface"), itf.name},
            {QStringLiteral("address"), itf.address.toString()},
            // The bound address: a WireGuard profile without "listen" has a random port.
            {QStringLiteral("listen"),
             entry.tunnel && itf.listen.port == 0
                 ? QString::fromStdString(entry.tunnel->listenEndpoint().toString())
                 : itf.listen.toString()},
            {QStringLiteral("mtu"), entry.tunnel ? entry.tunnel->mtu() : 0},
            {QStringLiteral("peers"), peers},
            {QStringLiteral("dns"), dnsToVariant(entry.profile.interface.dns)},
            {QStringLiteral("dnsApplied"), entry.dns && entry.dns->applied()},
            {QStringLiteral("dnsStatus"), entry.dns ? entry.dns->problem() : QString()},
            {QStringLiteral("killSwitch"), entry.tunnel && entry.tunnel->killSwitchOn()},
        };
    }
    for (const engine::LeftoverKillSwitch& c : m_leftovers) {
        const QString device = QString::fromStdString(c.ifName);
        list << QVariantMap{
            {QStringLiteral("name"), c.owner.empty() ? device : QString::fromStdString(c.owner)},
            {QStringLiteral("state"), dbus::kStateBlocked},
            {QStringLiteral("interface"), device},
            {QStringLiteral("killSwitch"), true},
            {QStringLiteral("peers"), QVariantList()},
        };
    }
    return list;
}

QVariantMap TunnelManager::statsToVariant(const QString& name, const Entry& entry,
                                          const engine::TunnelStats& s) const
{
    QVariantMap drops;
    for (size_t i = 0; i < engine::kDropReasonCount; ++i) {
        const auto reason = engine::dropReasonName(static_cast<engine::DropReason>(i));
        drops.insert(QString::fromUtf8(reason.data(), qsizetype(reason.size())),
                     QVariant::fromValue<qulonglong>(s.drops[i]));
    }
    QVariantList peers;
    const std::vector<engine::PeerEndpointStatus> endpoints = entry.tunnel->endpoints();
    for (size_t i = 0; i < s.peers.size(); ++i) {
        const engine::PeerStats& p = s.peers[i];
        const QString peerName = i < size_t(entry.profile.peers.size())
                                     ? entry.profile.peers[qsizetype(i)].name
                                     : QString();
        QVariantMap peer{
            {QStringLiteral("name"), peerName},
            {QStringLiteral("txPackets"), QVariant::fromValue<qulonglong>(p.txPackets)},
            {QStringLiteral("txBytes"), QVariant::fromValue<qulonglong>(p.txBytes)},
            {QStringLiteral("rxPackets"), QVariant::fromValue<qulonglong>(p.rxPackets)},
            {QStringLiteral("rxBytes"), QVariant::fromValue<qulonglong>(p.rxBytes)},
            {QStringLiteral("sendErrors"), QVariant::fromValue<qulonglong>(p.sendErrors)},
            {QStringLiteral("unreachable"), QVariant::fromValue<qulonglong>(p.unreachable)},
            {QStringLiteral("lastRxUnixMs"), QVariant::fromValue<qlonglong>(p.lastRxUnixMs)},
            {QStringLiteral("handshakesDone"), QVariant::fromValue<qulonglong>(p.handshakesDone)},
            {QStringLiteral("initiationsSent"), QVariant::fromValue<qulonglong>(p.initiationsSent)},
            {QStringLiteral("lastHandshakeUnixMs"),
             QVariant::fromValue<qlonglong>(p.lastHandshakeUnixMs)},
        };
        if (i < endpoints.size()) {
            insertEndpointKeys(peer, endpoints[i]);
        }
        peers << peer;
    }
    return {
        {QStringLiteral("name"), name},
        {QStringLiteral("txPackets"), QVariant::fromValue<qulonglong>(s.txPackets)},
        {QStringLiteral("txBytes"), QVariant::fromValue<qulonglong>(s.txBytes)},
        {QStringLiteral("rxPackets"), QVariant::fromValue<qulonglong>(s.rxPackets)},
        {QStringLiteral("rxBytes"), QVariant::fromValue<qulonglong>(s.rxBytes)},
        {QStringLiteral("drops"), drops},
        {QStringLiteral("totalDrops"), QVariant::fromValue<qulonglong>(s.totalDrops())},
        {QStringLiteral("handshakesDone"), QVariant::fromValue<qulonglong>(s.handshakesDone)},
        {QStringLiteral("handshakesFailed"), QVariant::fromValue<qulonglong>(s.handshakesFailed)},
        {QStringLiteral("decryptionFailures"),
         QVariant::fromValue<qulonglong>(s.decryptionFailures)},
        {QStringLiteral("replaysRejected"), QVariant::fromValue<qulonglong>(s.replaysRejected)},
        {QStringLiteral("peers"), peers},
    };
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

QVariantMapList TunnelManager::logSince(quint64 afterSeq) const
{
    QVariantMapList list;
    for (const engine::LogEntry& e : m_log.since(afterSeq, kMaxLogEntriesPerCall)) {
        list << entryToVariant(e);
    }
    return list;
}

} // namespace peertun
