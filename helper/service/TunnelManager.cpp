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
        recordOwner(owner, kEveryone);
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

void TunnelManager::log(engine::LogLevel level, const QString& tunnel, const QString& text,
                        std::optional<uint32_t> subjectUid)
{
    m_log.add(level, tunnel.toStdString(), text.toStdString(),
              subjectUid ? int64_t(*subjectUid) : -1);
}

void TunnelManager::recordOwner(const QString& name, uint32_t uid)
{
    // Records older than the ring's oldest entry decide nothing any more, except the newest
    // one of each name (it still covers what follows).
    const std::vector<engine::LogEntry> oldest = m_log.since(0, 1);
    const uint64_t firstSeq = oldest.empty() ? m_log.lastSeq() + 1 : oldest.front().seq;
    std::vector<Ownership> kept;
    for (size_t i = 0; i < m_ownerships.size(); ++i) {
        const Ownership& o = m_ownerships[i];
        bool superseded = false;
        for (size_t j = i + 1; j < m_ownerships.size(); ++j) {
            if (m_ownerships[j].name == o.name && m_ownerships[j].fromSeq <= firstSeq) {
                superseded = true;
                break;
            }
        }
        if (!superseded) {
            kept.push_back(o);
        }
    }
    kept.push_back(Ownership{name, uid, m_log.lastSeq() + 1});
    m_ownerships = std::move(kept);
}

bool TunnelManager::ownedAt(const QString& name, uint64_t seq, uint32_t uid) const
{
    const Ownership* found = nullptr;
    for (const Ownership& o : m_ownerships) {
        if (o.fromSeq > seq) {
            break;
        }
        if (o.name == name) {
            found = &o;
        }
    }
    return found != nullptr && (found->uid == uid || found->uid == kEveryone);
}

std::optional<uint32_t> TunnelManager::ownerOf(const QString& name) const
{
    if (const auto it = m_tunnels.find(name); it != m_tunnels.end()) {
        return it->second.ownerUid;
    }
    return std::nullopt;
}

std::optional<TunnelManager::Failure>
TunnelManager::connectTunnel(const Profile& profile, const QString& reason, uint32_t ownerUid)
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

    recordOwner(name, ownerUid); // from here on the name's entries are the owner's
    setState(name, dbus::TunnelState::Connecting, QString());
    log(engine::LogLevel::Info, name, QStringLiteral("connecting (%1)").arg(reason));
    if (profile.mesh) {
        auto failure = joinMesh(profile);
        if (const auto it = m_tunnels.find(name); it != m_tunnels.end()) {
            it->second.ownerUid = ownerUid;
        }
        return failure;
    }
    Entry entry;
    entry.ownerUid = ownerUid;
    if (auto failure = bringUp(name, profile, entry)) {
        return failure;
    }
    m_tunnels.emplace(name, std::move(entry));
    connected(name);
    return std::nullopt;
}

std::optional<TunnelManager::Failure> TunnelManager::bringUp(const QString& name,
                                                             const Profile& profile, Entry& entry)
{
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
    return std::nullopt;
}

void TunnelManager::connected(const QString& name)
{
    log(engine::LogLevel::Info, name, QStringLiteral("connected"));
    setState(name, dbus::TunnelState::Connected, QString());
    if (!m_statsTimer.isActive()) {
        m_statsTimer.start();
    }
}

std::optional<TunnelManager::Failure> TunnelManager::joinMesh(const Profile& profile)
{
    const QString name = profile.name;
    auto runner = std::make_unique<MeshRunner>(profile);
    QString error;
    if (!runner->prepare(&error)) {
        const Failure failure{dbus::kErrorInvalidProfile,
                              QStringLiteral("The mesh profile cannot join: %1.").arg(error)};
        log(engine::LogLevel::Error, name, QStringLiteral("failed: %1").arg(failure.message));
        setState(name, dbus::TunnelState::Failed, failure.message);
        return failure;
    }
    MeshRunner* r = runner.get();
    connect(r, &MeshRunner::resolved, this, [this, name](const Profile& resolved, bool first) {
        const auto it = m_tunnels.find(name);
        if (it == m_tunnels.end()) {
            return;
        }
        Entry& entry = it->second;
        if (first) {
            // The lease is ours: the tunnel comes up with its address and the members so far.
            Entry up;
            if (bringUp(name, resolved, up)) {
                dropMesh(name);
                return;
            }
            entry.tunnel = std::move(up.tunnel);
            entry.dns = std::move(up.dns);
            entry.profile.interface.address = resolved.interface.address;
            entry.profile.peers = resolved.peers;
            wipeSecrets(entry.profile);
            entry.state = dbus::TunnelState::Connected;
            entry.sinceUnixMs = up.sinceUnixMs;
            entry.lastPublished = entry.tunnel->stats();
            connected(name);
            emit peersChanged(name);
            return;
        }
        if (!entry.tunnel) {
            return;
        }
        try {
            entry.tunnel->setPeers(peerSpecsFromProfile(resolved));
        } catch (const engine::TunnelError& e) {
            log(engine::LogLevel::Error, name,
                QStringLiteral("the mesh's new members cannot be applied: %1")
                    .arg(QString::fromStdString(e.what())));
            return;
        }
        entry.profile.peers = resolved.peers;
        wipeSecrets(entry.profile);
        log(engine::LogLevel::Info, name,
            QStringLiteral("mesh members changed: %1 peers").arg(resolved.peers.size()));
        emit peersChanged(name);
        publishStatsIfChanged();
    });
    if (const mesh::MeshAgent* agent = r->agent()) {
        // In the tunnel's log (the app's and peertunctl's), not only in the helper's journal.
        connect(agent, &mesh::MeshAgent::reachabilityChanged, this, [this, name, agent](bool up) {
            log(up ? engine::LogLevel::Info : engine::LogLevel::Warning, name,
                up ? QStringLiteral("coordination store reachable again")
                   : QStringLiteral("coordination store unreachable (%1); the members stay as "
                                    "last known")
                         .arg(agent->lastError()));
            publishStatsIfChanged();
        });
    }
    connect(r, &MeshRunner::failed, this, [this, name](const QString& why) {
        log(engine::LogLevel::Error, name, QStringLiteral("mesh: %1").arg(why));
        setState(name, dbus::TunnelState::Failed, why);
        dropMesh(name);
    });
    Entry entry;
    entry.profile = profile;
    wipeSecrets(entry.profile);
    entry.sinceUnixMs = QDateTime::currentMSecsSinceEpoch();
    entry.mesh = std::move(runner);
    m_tunnels.emplace(name, std::move(entry));
    log(engine::LogLevel::Info, name,
        QStringLiteral("joining the mesh at %1")
            .arg(profile.mesh->etcd.join(QStringLiteral(", "))));
    r->start();
    if (!m_statsTimer.isActive()) {
        m_statsTimer.start();
    }
    return std::nullopt;
}

void TunnelManager::dropMesh(const QString& name)
{
    // Not from inside the runner's own signal: on the next turn of the event loop.
    QTimer::singleShot(0, this, [this, name] {
        const auto it = m_tunnels.find(name);
        if (it != m_tunnels.end() && it->second.mesh) {
            m_tunnels.erase(it);
        }
    });
}

std::optional<TunnelManager::Failure>
TunnelManager::setPeers(const QString& name, const Profile& profile, const QString& reason)
{
    const auto it = m_tunnels.find(name);
    if (it == m_tunnels.end()) {
        return Failure{dbus::kErrorNotFound,
                       QStringLiteral("There is no tunnel named \"%1\"; `peertunctl status` lists "
                                      "the tunnels that are up.")
                           .arg(name)};
    }
    Entry& entry = it->second;
    if (profile.mesh || entry.mesh) {
        return Failure{dbus::kErrorInvalidProfile,
                       QStringLiteral("This is a mesh profile: its peers come from etcd, not from "
                                      "a peer list.")};
    }
    if (profile.mode != entry.profile.mode) {
        return Failure{
            dbus::kErrorInvalidProfile,
            QStringLiteral("The profile's mode is \"%1\" but tunnel \"%2\" runs in "
                           "mode \"%3\"; changing the mode takes a reconnect.")
                .arg(modeToString(profile.mode), name, modeToString(entry.profile.mode))};
    }
    try {
        entry.tunnel->setPeers(peerSpecsFromProfile(profile));
    } catch (const engine::TunnelError& e) {
        const Failure failure = failureFromTunnelError(e);
        log(engine::LogLevel::Warning, name,
            QStringLiteral("peers not changed: %1").arg(failure.message));
        return failure;
    }
    entry.profile.peers = profile.peers;
    wipeSecrets(entry.profile);
    log(engine::LogLevel::Info, name,
        QStringLiteral("peers replaced: %1 now (%2)").arg(profile.peers.size()).arg(reason));
    emit peersChanged(name);
    publishStatsIfChanged();
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
    if (it->second.mesh) {
        // The lease is revoked (the others drop this host at once) while the tunnel goes; the
        // agent lives on until etcd answered, at most a few seconds, off this call.
        MeshRunner* runner = it->second.mesh.release();
        disconnect(runner, nullptr, this, nullptr);
        runner->setParent(this);
        connect(runner, &MeshRunner::left, runner, &QObject::deleteLater);
        runner->leave();
    }
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

QVariantMapList TunnelManager::tunnels(const Viewer& viewer) const
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
        if (!viewer.mayRead(entry.ownerUid)) {
            info.detailsWithheld = true;
            list << info.toVariant();
            continue;
        }
        info.ownerUid = entry.ownerUid;
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
        if (entry.mesh) {
            info.mesh = true;
            info.meshStatus = entry.mesh->agent() ? entry.mesh->agent()->statusText() : QString();
            info.storeUnreachableSinceUnixMs = storeUnreachableSince(entry);
        }
        list << info.toVariant();
    }
    for (const engine::LeftoverKillSwitch& c : m_leftovers) {
        dbus::TunnelInfo info;
        info.interface = QString::fromStdString(c.ifName);
        info.name = c.owner.empty() ? info.interface : QString::fromStdString(c.owner);
        info.state = dbus::TunnelState::Blocked;
        info.killSwitch = true; // all there is to it: no peers, no owner
        list << info.toVariant();
    }
    return list;
}

qint64 TunnelManager::storeUnreachableSince(const Entry& entry)
{
    const mesh::MeshAgent* agent = entry.mesh ? entry.mesh->agent() : nullptr;
    return agent && !agent->isReachable() && agent->unreachableSince().isValid()
               ? agent->unreachableSince().toMSecsSinceEpoch()
               : 0;
}

QVariantMap TunnelManager::statsToVariant(const QString& name, const Entry& entry,
                                          const engine::TunnelStats& s)
{
    QStringList peerNames;
    for (const PeerConfig& peer : entry.profile.peers) {
        peerNames << peer.name;
    }
    dbus::TunnelCounters counters = countersFromEngine(
        name, s, peerNames,
        entry.tunnel ? entry.tunnel->endpoints() : std::vector<engine::PeerEndpointStatus>{});
    counters.storeUnreachableSinceUnixMs = storeUnreachableSince(entry);
    return counters.toVariant();
}

std::optional<QVariantMap> TunnelManager::stats(const QString& name) const
{
    const auto it = m_tunnels.find(name);
    if (it == m_tunnels.end()) {
        return std::nullopt;
    }
    return statsToVariant(name, it->second,
                          it->second.tunnel ? it->second.tunnel->stats() : engine::TunnelStats{});
}

void TunnelManager::publishStatsIfChanged()
{
    bool changed = false;
    QVariantMapList all;
    for (auto& [name, entry] : m_tunnels) {
        if (!entry.tunnel) {
            continue; // a mesh tunnel still joining
        }
        const engine::TunnelStats s = entry.tunnel->stats();
        keepDns(name, entry, s);
        const qint64 unreachableSince = storeUnreachableSince(entry);
        if (!sameCounters(s, entry.lastPublished) ||
            unreachableSince != entry.storeUnreachablePublished) {
            changed = true;
            entry.lastPublished = s;
            entry.storeUnreachablePublished = unreachableSince;
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

QVariantMapList TunnelManager::logSince(quint64 afterSeq, const Viewer& viewer) const
{
    QVariantMapList list;
    if (viewer.seesAll) {
        for (const engine::LogEntry& e : m_log.since(afterSeq, kMaxLogEntriesPerCall)) {
            list << recordFromEngine(e).toVariant();
        }
        return list;
    }
    // Filtered first, then paged: a page is full (kMaxLogEntriesPerCall) whenever more
    // readable entries follow.
    for (const engine::LogEntry& e : m_log.since(afterSeq)) {
        const bool aboutViewer = e.subjectUid == int64_t(viewer.uid);
        const bool readable =
            aboutViewer ||
            (e.tunnel.empty() ? e.subjectUid < 0
                              : ownedAt(QString::fromStdString(e.tunnel), e.seq, viewer.uid));
        if (!readable) {
            continue;
        }
        list << recordFromEngine(e).toVariant();
        if (size_t(list.size()) == kMaxLogEntriesPerCall) {
            break;
        }
    }
    return list;
}

} // namespace peertun
