// The one definition of a peertun profile: value types, JSON parse, validation, serialization.
// Used by peertun-helper, peertunctl and the app alike, so every binary rejects the same
// input with the same words.
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>
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

// host:port. For "listen" the host may be null (any address), written as ":8285".
struct Endpoint
{
    QHostAddress host;
    quint16 port = kDefaultPort;

    QString toString() const; // "10.0.0.1:8285", "[fd00::1]:8285", ":8285"
    friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

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

struct InterfaceConfig
{
    QString name;           // device name: 1..15 ASCII letters, digits, '-', '_', '.'
    Cidr address;           // the tunnel address of this host, e.g. 10.244.2.2/24
    std::optional<int> mtu; // absent: underlay MTU to the first peer minus overhead
    Endpoint listen;        // UDP address to bind; host may be null
    // WireGuard mode only: this host's private key (a secret: never put it in a message).
    QString privateKey;
    friend bool operator==(const InterfaceConfig&, const InterfaceConfig&) = default;
};

struct Profile
{
    int version = kProfileSchemaVersion;
    QString name;
    InterfaceConfig interface;
    TunnelMode mode = TunnelMode::Plain;
    QList<PeerConfig> peers;
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

// Stable, indented JSON; parseProfile(serializeProfile(p)) == p for every valid p.
QByteArray serializeProfile(const Profile& profile);

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
// default applies only when "listen" is left out entirely. Hostnames are rejected: the
// helper runs as root and must not do DNS lookups.
std::optional<Endpoint> parseEndpoint(const QString& text, QString* error, bool hostOptional);
// Each returns an empty string if the name is acceptable, else the reason as a sentence.
QString checkInterfaceName(const QString& name);
QString checkProfileName(const QString& name); // becomes a file name in the app
QString checkPeerName(const QString& name);
// A WireGuard key's text: empty if it is 44 characters of canonical base64 for 32 bytes (and,
// for a secret, not all zeros), else the reason as a sentence that names `field` and never
// contains the key.
QString checkWireGuardKey(const QString& text, const QString& field, bool secret);

} // namespace peertun
