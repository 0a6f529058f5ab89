#include "Payloads.h"

#include <array>

namespace peertun::dbus {
namespace {

template <typename E, size_t N>
std::optional<E> parseName(const std::array<QString, N>& names, const QString& text)
{
    for (size_t i = 0; i < N; ++i) {
        if (names[i] == text) {
            return E(i);
        }
    }
    return std::nullopt;
}

// Index = enum value.
const std::array<QString, 6> kStateNames{
    QStringLiteral("connecting"),   QStringLiteral("connected"), QStringLiteral("disconnecting"),
    QStringLiteral("disconnected"), QStringLiteral("failed"),    QStringLiteral("blocked")};
const std::array<QString, 2> kModeNames{QStringLiteral("plain"), QStringLiteral("wireguard")};
const std::array<QString, 4> kLevelNames{QStringLiteral("debug"), QStringLiteral("info"),
                                         QStringLiteral("warning"), QStringLiteral("error")};

QVariant u64(quint64 v)
{
    return QVariant::fromValue<qulonglong>(v);
}

QVariant i64(qint64 v)
{
    return QVariant::fromValue<qlonglong>(v);
}

} // namespace

QString stateName(TunnelState state)
{
    return kStateNames[size_t(state)];
}

std::optional<TunnelState> parseState(const QString& text)
{
    return parseName<TunnelState>(kStateNames, text);
}

bool isUp(TunnelState state)
{
    return state == TunnelState::Connecting || state == TunnelState::Connected ||
           state == TunnelState::Disconnecting;
}

QString modeName(Mode mode)
{
    return kModeNames[size_t(mode)];
}

std::optional<Mode> parseMode(const QString& text)
{
    return parseName<Mode>(kModeNames, text);
}

QString levelName(LogLevel level)
{
    return kLevelNames[size_t(level)];
}

std::optional<LogLevel> parseLevel(const QString& text)
{
    return parseName<LogLevel>(kLevelNames, text);
}

void EndpointStatus::insertInto(QVariantMap& map) const
{
    map.insert(key::kEndpointHost, host);
    map.insert(key::kEndpointAddress, address);
    map.insert(key::kEndpointState, state);
    map.insert(key::kResolvedAtUnixMs, i64(resolvedAtUnixMs));
    map.insert(key::kResolveError, error);
}

EndpointStatus EndpointStatus::fromVariant(const QVariantMap& map)
{
    EndpointStatus e;
    e.host = map.value(key::kEndpointHost).toString();
    e.address = map.value(key::kEndpointAddress).toString();
    e.state = map.value(key::kEndpointState).toString();
    e.resolvedAtUnixMs = map.value(key::kResolvedAtUnixMs).toLongLong();
    e.error = map.value(key::kResolveError).toString();
    return e;
}

QVariantMap TunnelInfo::toVariant() const
{
    if (detailsWithheld) {
        return {
            {key::kName, name},
            {key::kState, stateName(state)},
            {key::kMode, modeName(mode)},
            {key::kSinceUnixMs, i64(sinceUnixMs)},
            {key::kDetailsWithheld, true},
        };
    }
    QVariantList peerList;
    for (const PeerInfo& peer : peers) {
        QVariantMap p{{key::kName, peer.name},
                      {key::kEndpoint, peer.endpoint},
                      {key::kSubnets, peer.subnets}};
        if (!peer.publicKey.isEmpty()) { // public by definition; secrets never leave
            p.insert(key::kPublicKey, peer.publicKey);
        }
        peer.endpointStatus.insertInto(p);
        peerList << p;
    }
    QVariantMap map{
        {key::kName, name},
        {key::kState, stateName(state)},
        {key::kMode, modeName(mode)},
        {key::kSinceUnixMs, i64(sinceUnixMs)},
        {key::kInterface, interface},
        {key::kAddress, address},
        {key::kListen, listen},
        {key::kMtu, mtu},
        {key::kPeers, peerList},
        {key::kDns, QVariantMap{{key::kDnsServers, dnsServers}, {key::kDnsDomains, dnsDomains}}},
        {key::kDnsApplied, dnsApplied},
        {key::kDnsStatus, dnsStatus},
        {key::kKillSwitch, killSwitch},
        {key::kNetworkChangedUnixMs, i64(networkChangedUnixMs)},
        {key::kMesh, mesh},
        {key::kMeshStatus, meshStatus},
        {key::kStoreUnreachableSinceUnixMs, i64(storeUnreachableSinceUnixMs)},
    };
    if (ownerUid) {
        map.insert(key::kOwnerUid, uint(*ownerUid));
    }
    return map;
}

TunnelInfo TunnelInfo::fromVariant(const QVariantMap& map)
{
    TunnelInfo t;
    t.name = map.value(key::kName).toString();
    t.stateText = map.value(key::kState).toString();
    t.state = parseState(t.stateText).value_or(TunnelState::Disconnected);
    t.modeText = map.value(key::kMode).toString();
    t.mode = parseMode(t.modeText).value_or(Mode::Plain);
    t.sinceUnixMs = map.value(key::kSinceUnixMs).toLongLong();
    t.interface = map.value(key::kInterface).toString();
    t.address = map.value(key::kAddress).toString();
    t.listen = map.value(key::kListen).toString();
    t.mtu = map.value(key::kMtu).toInt();
    for (const QVariant& v : map.value(key::kPeers).toList()) {
        const QVariantMap p = v.toMap();
        t.peers << PeerInfo{p.value(key::kName).toString(), p.value(key::kEndpoint).toString(),
                            p.value(key::kSubnets).toStringList(),
                            p.value(key::kPublicKey).toString(), EndpointStatus::fromVariant(p)};
    }
    const QVariantMap dns = map.value(key::kDns).toMap();
    t.dnsServers = dns.value(key::kDnsServers).toStringList();
    t.dnsDomains = dns.value(key::kDnsDomains).toStringList();
    t.dnsApplied = map.value(key::kDnsApplied).toBool();
    t.dnsStatus = map.value(key::kDnsStatus).toString();
    t.killSwitch = map.value(key::kKillSwitch).toBool();
    t.networkChangedUnixMs = map.value(key::kNetworkChangedUnixMs).toLongLong();
    t.mesh = map.value(key::kMesh).toBool();
    t.meshStatus = map.value(key::kMeshStatus).toString();
    t.storeUnreachableSinceUnixMs = map.value(key::kStoreUnreachableSinceUnixMs).toLongLong();
    if (map.contains(key::kOwnerUid)) {
        t.ownerUid = quint32(map.value(key::kOwnerUid).toUInt());
    }
    t.detailsWithheld = map.value(key::kDetailsWithheld).toBool();
    return t;
}

QVariantMap PeerCounters::toVariant() const
{
    QVariantMap map{
        {key::kName, name},
        {key::kTxPackets, u64(txPackets)},
        {key::kTxBytes, u64(txBytes)},
        {key::kRxPackets, u64(rxPackets)},
        {key::kRxBytes, u64(rxBytes)},
        {key::kSendErrors, u64(sendErrors)},
        {key::kUnreachable, u64(unreachable)},
        {key::kLastRxUnixMs, i64(lastRxUnixMs)},
        {key::kHandshakesDone, u64(handshakesDone)},
        {key::kInitiationsSent, u64(initiationsSent)},
        {key::kLastHandshakeUnixMs, i64(lastHandshakeUnixMs)},
    };
    endpointStatus.insertInto(map);
    return map;
}

PeerCounters PeerCounters::fromVariant(const QVariantMap& map)
{
    PeerCounters p;
    p.name = map.value(key::kName).toString();
    p.txPackets = map.value(key::kTxPackets).toULongLong();
    p.txBytes = map.value(key::kTxBytes).toULongLong();
    p.rxPackets = map.value(key::kRxPackets).toULongLong();
    p.rxBytes = map.value(key::kRxBytes).toULongLong();
    p.sendErrors = map.value(key::kSendErrors).toULongLong();
    p.unreachable = map.value(key::kUnreachable).toULongLong();
    p.lastRxUnixMs = map.value(key::kLastRxUnixMs).toLongLong();
    p.handshakesDone = map.value(key::kHandshakesDone).toULongLong();
    p.initiationsSent = map.value(key::kInitiationsSent).toULongLong();
    p.lastHandshakeUnixMs = map.value(key::kLastHandshakeUnixMs).toLongLong();
    p.endpointStatus = EndpointStatus::fromVariant(map);
    return p;
}

QVariantMap TunnelCounters::toVariant() const
{
    QVariantMap dropMap;
    for (const auto& [reason, count] : drops) {
        dropMap.insert(reason, u64(count));
    }
    QVariantList peerList;
    for (const PeerCounters& p : peers) {
        peerList << p.toVariant();
    }
    return {
        {key::kName, name},
        {key::kTxPackets, u64(txPackets)},
        {key::kTxBytes, u64(txBytes)},
        {key::kRxPackets, u64(rxPackets)},
        {key::kRxBytes, u64(rxBytes)},
        {key::kDrops, dropMap},
        {key::kTotalDrops, u64(totalDrops)},
        {key::kHandshakesDone, u64(handshakesDone)},
        {key::kHandshakesFailed, u64(handshakesFailed)},
        {key::kDecryptionFailures, u64(decryptionFailures)},
        {key::kReplaysRejected, u64(replaysRejected)},
        {key::kNetworkChangedUnixMs, i64(networkChangedUnixMs)},
        {key::kStoreUnreachableSinceUnixMs, i64(storeUnreachableSinceUnixMs)},
        {key::kPeers, peerList},
    };
}

TunnelCounters TunnelCounters::fromVariant(const QVariantMap& map)
{
    TunnelCounters s;
    s.name = map.value(key::kName).toString();
    s.txPackets = map.value(key::kTxPackets).toULongLong();
    s.txBytes = map.value(key::kTxBytes).toULongLong();
    s.rxPackets = map.value(key::kRxPackets).toULongLong();
    s.rxBytes = map.value(key::kRxBytes).toULongLong();
    const QVariantMap dropMap = map.value(key::kDrops).toMap();
    for (auto it = dropMap.cbegin(); it != dropMap.cend(); ++it) {
        s.drops.append({it.key(), it.value().toULongLong()});
    }
    s.totalDrops = map.value(key::kTotalDrops).toULongLong();
    s.handshakesDone = map.value(key::kHandshakesDone).toULongLong();
    s.handshakesFailed = map.value(key::kHandshakesFailed).toULongLong();
    s.decryptionFailures = map.value(key::kDecryptionFailures).toULongLong();
    s.replaysRejected = map.value(key::kReplaysRejected).toULongLong();
    s.networkChangedUnixMs = map.value(key::kNetworkChangedUnixMs).toLongLong();
    s.storeUnreachableSinceUnixMs = map.value(key::kStoreUnreachableSinceUnixMs).toLongLong();
    for (const QVariant& v : map.value(key::kPeers).toList()) {
        s.peers << PeerCounters::fromVariant(v.toMap());
    }
    return s;
}

QVariantMap LogRecord::toVariant() const
{
    return {
        {key::kSeq, u64(seq)},  {key::kUnixMs, i64(unixMs)}, {key::kLevel, levelName(level)},
        {key::kTunnel, tunnel}, {key::kText, text},
    };
}

LogRecord LogRecord::fromVariant(const QVariantMap& map)
{
    LogRecord e;
    e.seq = map.value(key::kSeq).toULongLong();
    e.unixMs = map.value(key::kUnixMs).toLongLong();
    e.levelText = map.value(key::kLevel).toString();
    e.level = parseLevel(e.levelText).value_or(LogLevel::Info);
    e.tunnel = map.value(key::kTunnel).toString();
    e.text = map.value(key::kText).toString();
    return e;
}

QString lineName(const QString& key)
{
    static const QString kTimeSuffix = QStringLiteral("UnixMs");
    const bool time = key.endsWith(kTimeSuffix);
    const QString stem = time ? key.chopped(kTimeSuffix.size()) : key;
    QString out;
    for (const QChar c : stem) {
        if (c.isUpper()) {
            out += u'_';
            out += c.toLower();
        } else {
            out += c;
        }
    }
    return time ? out + QStringLiteral("_ms_ago") : out;
}

QString dropLineName(const QString& reason)
{
    return QStringLiteral("drop_") + QString(reason).replace(u'-', u'_');
}

} // namespace peertun::dbus
