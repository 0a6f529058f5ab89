// The payloads of io.peertun.Helper1, named once: the a{sv} keys, the wire strings of states,
// modes and log levels, and the value types with their QVariantMap conversion. The helper
// writes and the clients read through these, so a key is spelled in one place.
// docs/dbus-api.md documents every key and the `--standalone` spelling of the counters.
#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <QVariantMap>
#include <optional>
#include <utility>

namespace peertun::dbus {

// Keys of the a{sv} dictionaries. A key shared by several payloads (name, state, ...) is one
// constant. Clients ignore keys they do not know, so adding one here is compatible.
namespace key {
// ListTunnels entries
inline const QString kName = QStringLiteral("name");
inline const QString kState = QStringLiteral("state");
inline const QString kMode = QStringLiteral("mode");
inline const QString kSinceUnixMs = QStringLiteral("sinceUnixMs");
inline const QString kInterface = QStringLiteral("interface");
inline const QString kAddress = QStringLiteral("address");
inline const QString kListen = QStringLiteral("listen");
inline const QString kMtu = QStringLiteral("mtu");
inline const QString kPeers = QStringLiteral("peers");
inline const QString kDns = QStringLiteral("dns"); // {servers: as, domains: as}
inline const QString kDnsServers = QStringLiteral("servers");
inline const QString kDnsDomains = QStringLiteral("domains");
inline const QString kDnsApplied = QStringLiteral("dnsApplied");
inline const QString kDnsStatus = QStringLiteral("dnsStatus");
inline const QString kKillSwitch = QStringLiteral("killSwitch");
// ListTunnels and GetStats: when the underlay last changed (network change, resume); 0 = never
inline const QString kNetworkChangedUnixMs = QStringLiteral("networkChangedUnixMs");
// ListTunnels: a mesh tunnel (its peers come from etcd) and its agent's state in words
inline const QString kMesh = QStringLiteral("mesh");
inline const QString kMeshStatus = QStringLiteral("meshStatus");
// ListTunnels and GetStats: since when a mesh tunnel's etcd cannot be reached; 0 = reachable
inline const QString kStoreUnreachableSinceUnixMs = QStringLiteral("storeUnreachableSinceUnixMs");
// ListTunnels: the uid that connected the tunnel (only with the details, see below)
inline const QString kOwnerUid = QStringLiteral("ownerUid");
// ListTunnels: true when the entry is another user's tunnel and the caller may not see its
// details (then only name, state, mode and sinceUnixMs are there)
inline const QString kDetailsWithheld = QStringLiteral("detailsWithheld");
// ListTunnels peers
inline const QString kEndpoint = QStringLiteral("endpoint");
inline const QString kSubnets = QStringLiteral("subnets");
inline const QString kPublicKey = QStringLiteral("publicKey");
// ListTunnels and GetStats peers: the endpoint in use (see EndpointStatus)
inline const QString kEndpointHost = QStringLiteral("endpointHost");
inline const QString kEndpointAddress = QStringLiteral("endpointAddress");
inline const QString kEndpointState = QStringLiteral("endpointState");
inline const QString kResolvedAtUnixMs = QStringLiteral("resolvedAtUnixMs");
inline const QString kResolveError = QStringLiteral("resolveError");
// GetStats / StatsUpdated, tunnel and peers
inline const QString kTxPackets = QStringLiteral("txPackets");
inline const QString kTxBytes = QStringLiteral("txBytes");
inline const QString kRxPackets = QStringLiteral("rxPackets");
inline const QString kRxBytes = QStringLiteral("rxBytes");
inline const QString kDrops = QStringLiteral("drops");
inline const QString kTotalDrops = QStringLiteral("totalDrops");
inline const QString kHandshakesDone = QStringLiteral("handshakesDone");
inline const QString kHandshakesFailed = QStringLiteral("handshakesFailed");
inline const QString kDecryptionFailures = QStringLiteral("decryptionFailures");
inline const QString kReplaysRejected = QStringLiteral("replaysRejected");
inline const QString kSendErrors = QStringLiteral("sendErrors");
inline const QString kUnreachable = QStringLiteral("unreachable");
inline const QString kLastRxUnixMs = QStringLiteral("lastRxUnixMs");
inline const QString kInitiationsSent = QStringLiteral("initiationsSent");
inline const QString kLastHandshakeUnixMs = QStringLiteral("lastHandshakeUnixMs");
// GetLog / LogEntry
inline const QString kSeq = QStringLiteral("seq");
inline const QString kUnixMs = QStringLiteral("unixMs");
inline const QString kLevel = QStringLiteral("level");
inline const QString kTunnel = QStringLiteral("tunnel");
inline const QString kText = QStringLiteral("text");
} // namespace key

// Tunnel states as StateChanged and ListTunnels carry them.
// Blocked: not up, but a kill switch a killed helper left still blocks traffic (until the
// profile is connected again or disconnected).
enum class TunnelState { Connecting, Connected, Disconnecting, Disconnected, Failed, Blocked };
QString stateName(TunnelState state); // "connecting", ...
// Unknown text (a newer helper) reads as nullopt.
std::optional<TunnelState> parseState(const QString& text);
// Connecting, Connected or Disconnecting: the helper holds (or is making) the tunnel.
bool isUp(TunnelState state);

enum class Mode { Plain, WireGuard };
QString modeName(Mode mode); // "plain", "wireguard"
std::optional<Mode> parseMode(const QString& text);

enum class LogLevel { Debug, Info, Warning, Error };
QString levelName(LogLevel level); // "debug", "info", "warning", "error"
std::optional<LogLevel> parseLevel(const QString& text);

// Where a peer's datagrams go: the address in use and, for a host-name endpoint, its
// resolution. Part of both ListTunnels and GetStats peers.
struct EndpointStatus
{
    QString host;    // empty: the endpoint is an address
    QString address; // host:port in use; empty while never resolved (or not yet learned)
    // "resolving" (no address yet, or the last attempt failed) or "resolved"; empty for an
    // address endpoint.
    QString state;
    qint64 resolvedAtUnixMs = 0; // 0 = never
    QString error;               // why the last resolution failed; empty if it succeeded

    static inline const QString kResolving = QStringLiteral("resolving");
    static inline const QString kResolved = QStringLiteral("resolved");
    void insertInto(QVariantMap& map) const;
    static EndpointStatus fromVariant(const QVariantMap& map);
};

// One peer of a ListTunnels entry. Secrets never appear here.
struct PeerInfo
{
    QString name;
    QString endpoint; // as configured: host:port, a name or an address
    QStringList subnets;
    QString publicKey; // WireGuard only; empty otherwise (then the key is left out)
    EndpointStatus endpointStatus;
};

// One ListTunnels entry.
struct TunnelInfo
{
    QString name;
    TunnelState state = TunnelState::Disconnected;
    QString stateText; // as sent; kept for display when the state is one this client lacks
    Mode mode = Mode::Plain;
    QString modeText; // as sent; empty if the helper did not say
    qint64 sinceUnixMs = 0;
    QString interface;
    QString address;
    QString listen;
    int mtu = 0;
    QList<PeerInfo> peers;
    QStringList dnsServers; // the profile's interface.dns
    QStringList dnsDomains;
    bool dnsApplied = false; // systemd-resolved took them for the link
    QString dnsStatus;       // why not, when they were not applied
    bool killSwitch = false; // on: traffic outside the tunnel is blocked
    qint64 networkChangedUnixMs = 0;
    bool mesh = false; // a mesh profile: the members come and go with their etcd leases
    // The mesh agent's state in words ("running: subnet 10.244.3.0/24, 4 members").
    QString meshStatus;
    qint64 storeUnreachableSinceUnixMs = 0; // 0 = etcd reachable (or not a mesh)
    // Who connected it (the caller's uid as the bus daemon reported it); nullopt when the
    // details are withheld or the helper did not say.
    std::optional<quint32> ownerUid;
    // Another user's tunnel whose details the caller may not see: only name, state, mode and
    // sinceUnixMs are meaningful (toVariant then writes only those).
    bool detailsWithheld = false;

    QVariantMap toVariant() const;
    static TunnelInfo fromVariant(const QVariantMap& map);
};

// Counters of one peer (GetStats "peers").
struct PeerCounters
{
    QString name;
    quint64 txPackets = 0;
    quint64 txBytes = 0;
    quint64 rxPackets = 0;
    quint64 rxBytes = 0;
    quint64 sendErrors = 0;
    quint64 unreachable = 0;
    qint64 lastRxUnixMs = 0; // 0 = never
    quint64 handshakesDone = 0;
    quint64 initiationsSent = 0;
    qint64 lastHandshakeUnixMs = 0; // 0 = never
    EndpointStatus endpointStatus;

    QVariantMap toVariant() const;
    static PeerCounters fromVariant(const QVariantMap& map);
};

// Counters of one tunnel (GetStats, StatsUpdated entries).
struct TunnelCounters
{
    QString name;
    quint64 txPackets = 0;
    quint64 txBytes = 0;
    quint64 rxPackets = 0;
    quint64 rxBytes = 0;
    // By reason (`no-peer-for-destination`, ...), in the helper's order; a reason this client
    // does not know still arrives here.
    QList<std::pair<QString, quint64>> drops;
    quint64 totalDrops = 0;
    quint64 handshakesDone = 0;
    quint64 handshakesFailed = 0;
    quint64 decryptionFailures = 0;
    quint64 replaysRejected = 0;
    qint64 networkChangedUnixMs = 0;        // 0 = never
    qint64 storeUnreachableSinceUnixMs = 0; // a mesh tunnel's etcd; 0 = reachable
    QList<PeerCounters> peers;

    QVariantMap toVariant() const;
    static TunnelCounters fromVariant(const QVariantMap& map);
};

// One GetLog / LogEntry entry.
struct LogRecord
{
    quint64 seq = 0;
    qint64 unixMs = 0;
    LogLevel level = LogLevel::Info;
    QString levelText; // as sent
    QString tunnel;
    QString text;

    QVariantMap toVariant() const;
    static LogRecord fromVariant(const QVariantMap& map);
};

// The one mapping of counter names between the D-Bus keys (camelCase) and the `key=value`
// lines of `peertun-helper --standalone` (snake_case): "txPackets" -> "tx_packets", a drop
// reason "no-peer-for-destination" -> "drop_no_peer_for_destination". Times (…UnixMs) appear
// in the lines as ages: "lastRxUnixMs" -> "last_rx_ms_ago".
QString lineName(const QString& key);
QString dropLineName(const QString& reason);

} // namespace peertun::dbus
