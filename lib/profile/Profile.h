// The one definition of a peertun profile: value types, JSON parse, validation, serialization.
// Used by peertun-helper, peertunctl and the app alike, so every binary rejects the same
// input with the same words.
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>
#include <optional>

namespace peertun {

inline constexpr int kProfileSchemaVersion = 1;
inline constexpr qsizetype kMaxProfileBytes = qsizetype{64} * 1024;
inline constexpr quint16 kDefaultPort = 8285; // flannel's UDP backend port

// An address with a prefix length, e.g. 10.244.2.2/24. For interface addresses the host bits
// may be set; for subnets they must not be.
struct Cidr
{
    QHostAddress address;
    int prefixLength = 0;

    bool isIPv6() const { return address.protocol() == QAbstractSocket::IPv6Protocol; }
    QString toString() const;
    // The network part only (host bits cleared).
    Cidr network() const;
    bool contains(const QHostAddress& a) const;
    bool overlaps(const Cidr& other) const;
    friend bool operator==(const Cidr&, const Cidr&) = default;
};

// host:port. For "listen" the host may be null (any address), written as ":8285". A peer's
// endpoint may name its host instead (hostName set, host null): the helper resolves it.
struct Endpoint
{
    QHostAddress host;
    quint16 port = kDefaultPort;
    QString hostName; // a DNS name (RFC 1123), e.g. "vpn.example.net"; empty for an IP literal

    bool hasHostName() const { return !hostName.isEmpty(); }
    // "10.0.0.1:8285", "[fd00::1]:8285", ":8285", "vpn.example.net:51820"
    QString toString() const;
    friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// DNS names: at most 253 bytes, labels of 1..63 bytes (RFC 1035), letters, digits and '-'
// not at a label's start or end (RFC 1123).
inline constexpr qsizetype kMaxHostNameBytes = 253;
inline constexpr qsizetype kMaxHostLabelBytes = 63;

// To add a mode: one enumerator here, one row in the name table in Profile.cpp, and its keys
// in ProfileJson.cpp's allowed-key lists and readers.
// Plain: the raw IP packet in UDP (flannel's UDP backend), unencrypted and unauthenticated.
// WireGuard: the WireGuard protocol (encrypted; interoperates with wireguard-go and `wg`).
enum class TunnelMode { Plain, WireGuard };

// What an editor should preselect for a new profile. The Profile struct itself still defaults
// to Plain (a default-constructed Profile has no keys, so WireGuard would not validate).
inline constexpr TunnelMode kDefaultModeForNewProfiles = TunnelMode::WireGuard;

// WireGuard keys are 32 bytes in standard base64 with padding: 44 characters, as `wg` writes.
inline constexpr qsizetype kWireGuardKeyLength = 44;
inline constexpr int kMaxPersistentKeepalive = 65535; // seconds, as `wg`

struct PeerConfig
{
    QString name;
    // Required in plain mode. In WireGuard mode it may be left out (null host, port 0): the
    // peer connects to us and its endpoint is learned from its first handshake.
    Endpoint endpoint;
    QList<Cidr> subnets;
    // WireGuard mode only (empty / absent in plain mode).
    QString publicKey;                      // required in WireGuard mode
    QString presharedKey;                   // optional secret; empty = none
    std::optional<int> persistentKeepalive; // seconds, 0 = off; absent = off
    friend bool operator==(const PeerConfig&, const PeerConfig&) = default;
};

// Name servers and search domains for the tunnel's link, applied through systemd-resolved.
inline constexpr int kMaxDnsServers = 8;
inline constexpr int kMaxDnsDomains = 32;

struct DnsConfig
{
    QList<QHostAddress> servers; // IPv4/IPv6 literals, either family whatever the tunnel's
    // Search domains; a leading '~' marks a routing-only domain (resolved's notion: names under
    // it go to these servers, but it is not appended to single-label names).
    QStringList domains;
    bool isEmpty() const { return servers.isEmpty() && domains.isEmpty(); }
    friend bool operator==(const DnsConfig&, const DnsConfig&) = default;
};

struct InterfaceConfig
{
    QString name;           // device name: 1..15 ASCII letters, digits, '-', '_', '.'
    Cidr address;           // the tunnel address of this host, e.g. 10.244.2.2/24
    std::optional<int> mtu; // absent: underlay MTU to the first peer minus overhead
    // UDP address to bind; host may be null. Port 0 (WireGuard mode only, written by leaving
    // "listen" out): a random free port, as `wg` picks one.
    Endpoint listen;
    // WireGuard mode only: this host's private key (a secret: never put it in a message).
    QString privateKey;
    DnsConfig dns;
    // While the tunnel is up (and after the helper dies, until it is disconnected), drop every
    // packet that would leave outside the tunnel; allowLan exempts the underlay's subnets.
    bool killSwitch = false;
    bool allowLan = false;
    friend bool operator==(const InterfaceConfig&, const InterfaceConfig&) = default;
};

// A mesh profile's coordination store: an etcd cluster holding flannel's subnet leases
// (docs/mesh.md). The lease decides the tunnel address and the peers.
inline constexpr const char* kDefaultMeshPrefix = "/peertun/network";
// Seconds. The minimum leaves room for a keep-alive (every TTL/3) to time out (3 s) and the
// next one to land before the lease ends; the maximum is flannel's own lease time.
inline constexpr int kDefaultMeshLeaseTtl = 30;
inline constexpr int kMinMeshLeaseTtl = 10;
inline constexpr int kMaxMeshLeaseTtl = 86400;
struct MeshConfig
{
    QStringList etcd;                                         // "http://10.0.0.1:2379", ...
    QString prefix = QString::fromLatin1(kDefaultMeshPrefix); // keys live under it
    QString caFile;                                           // TLS: trusted CA (PEM)
    QString certFile;                                         // TLS client certificate (PEM)
    QString keyFile;                                          // its private key (PEM)
    QString username;                                         // etcd authentication
    QString password;                                         // a secret, like privateKey
    // The TTL of this host's etcd lease: a host that dies unannounced is gone after it.
    int leaseTtl = kDefaultMeshLeaseTtl;
    friend bool operator==(const MeshConfig&, const MeshConfig&) = default;
};

struct Profile
{
    int version = kProfileSchemaVersion;
    QString name;
    InterfaceConfig interface;
    TunnelMode mode = TunnelMode::Plain;
    QList<PeerConfig> peers;
    // Set: a mesh profile (no peers, no interface.address: both come from etcd).
    std::optional<MeshConfig> mesh;
    friend bool operator==(const Profile&, const Profile&) = default;
};

// One problem with a profile. `field` is a JSON path such as "interface.address" or
// "peers[1].subnets[0]" (empty for document-level problems) so an editor can put the message
// next to the right widget; `message` is a full sentence naming the bad value.
struct ProfileError
{
    // Syntax: the text itself is broken (JSON, a wg-quick line), so no complete profile exists.
    // Validator: a complete profile that validateProfile() refuses; an editor can mend it.
    enum class Origin { Validator, Syntax };

    QString field;
    QString message;
    int line = 0;   // 1-based, for malformed JSON only
    int column = 0; // 1-based, for malformed JSON only
    Origin origin = Origin::Validator;
};

struct ProfileParseResult
{
    std::optional<Profile> profile; // set only when errors is empty
    QList<ProfileError> errors;
    bool ok() const { return errors.isEmpty(); }
    // All errors joined into one readable text ("field: message; ...").
    QString errorText() const;
};

// Cap on reported errors, so a hostile 64 KiB document cannot produce millions of them.
inline constexpr int kMaxProfileErrors = 100;

QString modeToString(TunnelMode mode);
std::optional<TunnelMode> modeFromString(const QString& s);

// Parses and validates. Rejects documents over kMaxProfileBytes, malformed JSON (with line
// and column), unknown keys, wrong types, and everything validateProfile rejects.
ProfileParseResult parseProfile(const QByteArray& json);

// Semantic checks on an in-memory profile (the editor builds one from its widgets).
QList<ProfileError> validateProfile(const Profile& profile);

// A peer takes 0.0.0.0/0 or ::/0: everything goes through the tunnel (a mesh has no such peer).
bool isFullTunnel(const Profile& profile);
// For a profile made from elsewhere (an imported wg-quick file): a full tunnel gets the kill
// switch, where the profile allows one (a peer with an endpoint to let through). Whoever sends
// everything through a VPN expects nothing to leak past it when it drops; wg-quick has no such
// setting. True if it turned it on: the caller tells the user, and how to turn it off.
bool proposeKillSwitch(Profile* profile);

// Stable, indented JSON; parseProfile(serializeProfile(p)) == p for every valid p.
QByteArray serializeProfile(const Profile& profile);

// Overwrites and clears the profile's secrets (private and preshared keys): for a copy kept
// after the keys went into locked memory. Best effort: earlier temporary copies are freed,
// not wiped.
void wipeSecrets(Profile& profile);

// Field-level parsers shared with the editor. On failure they return nullopt and set *error
// (if given) to a full sentence that quotes the bad text.
// "a.b.c.d/n" or "v6/n". IPv4 must be plain dotted decimal ("10.1" or "010.0.0.1" are
// rejected as ambiguous); scope IDs ("%eth0") and IPv4-mapped IPv6 are rejected.
// requireNetwork: the host bits must be zero (peer subnets).
std::optional<Cidr> parseCidr(const QString& text, QString* error, bool requireNetwork);
// "a.b.c.d:port", "[v6]:port", and with hostOptional also ":port" (any address). A host
// without a port is rejected with a message suggesting ":8285" rather than silently
// defaulted: a bare "fd00::1:8285" would be ambiguous, and the port a peer is reached on
// should be visible in the profile (the serialized form always spells it out). The 8285
// default applies only when "listen" is left out entirely (in plain mode; WireGuard mode then
// takes a random port). A peer's endpoint (hostOptional false) may be "name:port" with a DNS
// name checked by checkHostName; "listen" needs an address.
std::optional<Endpoint> parseEndpoint(const QString& text, QString* error, bool hostOptional);
// A DNS search domain ("corp.example", "~corp.example" routing-only, "~." everything): empty if
// acceptable, else the reason as a sentence. RFC 1123 labels: letters, digits, '-' (not at
// either end), 1 to 63 bytes each, 253 in all; one trailing dot is allowed.
QString checkDnsDomain(const QString& domain);
// A DNS server's address: an IPv4 or IPv6 literal, no port, no scope ID.
std::optional<QHostAddress> parseDnsServer(const QString& text, QString* error);
// wg-quick's "DNS =" value (entries separated by commas or blanks): IP literals are servers,
// the other entries domains. Entries that are neither give one sentence each in *errors.
DnsConfig parseDnsList(const QString& text, QStringList* errors);
// Empty if `name` is a usable DNS host name, else the reason as a sentence naming the label.
QString checkHostName(const QString& name);
// Each returns an empty string if the name is acceptable, else the reason as a sentence.
QString checkInterfaceName(const QString& name);
QString checkProfileName(const QString& name); // becomes a file name in the app
QString checkPeerName(const QString& name);
// A WireGuard key's text: empty if it is 44 characters of canonical base64 for 32 bytes (and,
// for a secret, not all zeros), else the reason as a sentence that names `field` and never
// contains the key.
QString checkWireGuardKey(const QString& text, const QString& field, bool secret);
// One etcd endpoint of a mesh profile: http:// or https:// with an IP literal host, an
// optional port (2379 when absent) and nothing else. Empty if acceptable, else the reason.
QString checkEtcdUrl(const QString& url, const QString& field);
// The checks on a profile's "mesh" section (validateProfile runs them for a mesh profile).
QList<ProfileError> validateMeshConfig(const MeshConfig& mesh);
// A mesh key prefix: starts with '/', no trailing '/', printable ASCII without spaces.
QString checkMeshPrefix(const QString& prefix);

} // namespace peertun
