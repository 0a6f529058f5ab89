// flannel's data in etcd, read and written as flannel does (docs/mesh.md): the network
// config at <prefix>/config and one subnet lease per host at <prefix>/subnets/A.B.C.D-N.
// Pure functions, no I/O: the agent feeds them what etcd returned.
#pragma once

#include "Profile.h"

#include <QByteArray>
#include <QHostAddress>
#include <QSet>
#include <QString>
#include <optional>

namespace peertun::mesh {

// A lease value larger than this is not parsed (flannel's own are about 150 bytes).
inline constexpr qsizetype kMaxLeaseBytes = 4096;
inline constexpr qsizetype kMaxConfigBytes = 4096;
// Ports when a lease's BackendData has none: flannel's defaults for each backend.
inline constexpr quint16 kFlannelUdpPort = 8285;
inline constexpr quint16 kFlannelWireGuardPort = 51820;

enum class Backend { Udp, WireGuard };
QString backendName(Backend backend); // "udp", "wireguard" (flannel's Backend.Type)
// The backend a tunnel mode speaks: plain is flannel's UDP backend.
Backend backendForMode(TunnelMode mode);

// flannel's network config: {"Network": "10.244.0.0/16", "SubnetLen": 24,
// "Backend": {"Type": "udp"}}, optionally "SubnetMin"/"SubnetMax" (first/last subnet's
// address). Keys flannel knows and peertun does not use (EnableIPv6, ...) are ignored.
struct NetworkConfig
{
    Cidr network;
    int subnetLen = 24;
    QHostAddress subnetMin; // first subnet that may be leased
    QHostAddress subnetMax; // last one
    Backend backend = Backend::Udp;
    friend bool operator==(const NetworkConfig&, const NetworkConfig&) = default;
};

struct ConfigParse
{
    std::optional<NetworkConfig> config;
    QString error; // a sentence when config is empty
};
ConfigParse parseNetworkConfig(const QByteArray& json);
// The canonical document `peertunctl mesh init` writes.
QByteArray serializeNetworkConfig(const NetworkConfig& config);
// A config from init's options (flannel's defaults for SubnetMin/Max); error on bad values.
ConfigParse makeNetworkConfig(const QString& network, int subnetLen, const QString& backend);
// Empty when `mode` can join a network of `backend`, else the sentence saying why not.
QString checkModeMatchesBackend(TunnelMode mode, Backend backend);

// "10.244.3.0-24" <-> 10.244.3.0/24 (the last part of a lease's key).
QString subnetKeyName(const Cidr& subnet);
std::optional<Cidr> parseSubnetKeyName(QStringView name);
// The tunnel address of a host that holds `subnet`: its first host address, with the subnet's
// prefix length (10.244.3.0/24 -> 10.244.3.1/24).
Cidr tunnelAddressOf(const Cidr& subnet);

// What a host writes into its lease.
struct LeaseAttrs
{
    QHostAddress publicIp;
    Backend backend = Backend::Udp;
    quint16 port = kFlannelUdpPort;
    QString publicKey; // WireGuard only
    friend bool operator==(const LeaseAttrs&, const LeaseAttrs&) = default;
};
// {"PublicIP":"…","BackendType":"udp","BackendData":{"Port":8285}}; with "PublicKey" in
// BackendData for WireGuard.
QByteArray serializeLease(const LeaseAttrs& attrs);

// Why a lease is not taken as a member. Names are stable (logs, tests, the status output).
enum class BadLease {
    None,
    Malformed,       // not JSON, or a field of the wrong type
    TooBig,          // value over kMaxLeaseBytes
    BadSubnet,       // key is not A.B.C.D-N, has host bits, other length, outside the network
    ClaimsOurSubnet, // overlaps the subnet this host holds
    WrongBackend,    // BackendType is not the network's
    BadPublicIp,     // missing, not IPv4, or not a unicast address
    BadPort,         // BackendData.Port not 1..65535
    BadKey,          // WireGuard: PublicKey missing or not a key
    OurEndpoint,     // names this host's own PublicIP and port
};
QString badLeaseName(BadLease reason); // "malformed", "too-big", ...

// One other host of the mesh, from its lease.
struct Member
{
    Cidr subnet;
    Endpoint endpoint; // PublicIP:Port
    QString publicKey; // WireGuard only
    qint64 leaseId = 0;
    friend bool operator==(const Member&, const Member&) = default;
};

struct LeaseCheck
{
    std::optional<Member> member;
    BadLease reason = BadLease::None;
    QString detail; // a sentence for the log when reason != None
};
// Parses the lease at key `<prefix>/subnets/<keyName>` against the network config. Does not
// know this host; see checkAgainstSelf.
LeaseCheck parseLease(QStringView keyName, const QByteArray& value, const NetworkConfig& config);
// ClaimsOurSubnet / OurEndpoint for a parsed member of another key.
LeaseCheck checkAgainstSelf(LeaseCheck check, const std::optional<Cidr>& ownSubnet,
                            const Endpoint& ownEndpoint);
// The lease value's PublicIP, if it has a readable one (to find our own old lease).
std::optional<QHostAddress> leasePublicIp(const QByteArray& value);

// How many subnets [subnetMin, subnetMax] holds.
quint32 subnetCount(const NetworkConfig& config);
// The index-th of them.
Cidr subnetAt(const NetworkConfig& config, quint32 index);
// A free subnet: the first one not in `taken` (network addresses as IPv4 numbers) at or after
// `start % subnetCount`, wrapping around; nullopt when the network is full. Hosts start at a
// random place so that few of them race for the same subnet.
std::optional<Cidr> chooseSubnet(const NetworkConfig& config, const QSet<quint32>& taken,
                                 quint32 start);

} // namespace peertun::mesh
