// The two example hosts as profiles (10.244.2.2 on 10.211.55.122, 10.244.3.3 on .123), shared
// by the gui tests.
#pragma once

#include "Keys.h"
#include "Profile.h"

namespace peertun::test {

inline Profile officeProfile(const QString& name = QStringLiteral("office"))
{
    QString error;
    Profile p;
    p.name = name;
    p.interface.name = QStringLiteral("flannel99");
    p.interface.address = *parseCidr(QStringLiteral("10.244.2.2/24"), &error, false);
    p.interface.mtu = 1472;
    p.interface.listen = *parseEndpoint(QStringLiteral("10.211.55.122:8285"), &error, true);
    PeerConfig peer;
    peer.name = QStringLiteral("host-2");
    peer.endpoint = *parseEndpoint(QStringLiteral("10.211.55.123:8285"), &error, false);
    peer.subnets << *parseCidr(QStringLiteral("10.244.3.0/24"), &error, true);
    p.peers << peer;
    return p;
}

// Fixed WireGuard keys for the tests' two hosts (never use them for anything real).
inline const QString kNearPrivateKey =
    QStringLiteral("wCdpnf/Kl3Z2SP3I7qiBQUGmT5yf28Gxf/GSevHzTHc=");
inline const QString kFarPrivateKey =
    QStringLiteral("IDDGyGxPn5ZMDirMaCi0HJ0Qu2qnM4btTqg6+60Utm0=");
// A third host, added to a running tunnel as a new peer.
inline const QString kThirdPrivateKey =
    QStringLiteral("8PT18zandqJY82Gm72KMjrEQQEXFei4ssPXUHNH5gFg=");

inline QString publicKeyOf(const QString& privateKey)
{
    const auto key = keys::parseSecretKey(privateKey.toStdString());
    return key ? QString::fromStdString(keys::encodePublicKey(keys::publicKeyOf(*key))) : QString();
}

// The near host in WireGuard mode, paired with the far side's kFarPrivateKey.
inline Profile officeWireGuardProfile(const QString& name = QStringLiteral("office"))
{
    Profile p = officeProfile(name);
    p.mode = TunnelMode::WireGuard;
    p.interface.privateKey = kNearPrivateKey;
    p.peers[0].publicKey = publicKeyOf(kFarPrivateKey);
    return p;
}

// A mesh section with one endpoint and every option at its default.
inline MeshConfig meshAt(const QString& etcd)
{
    MeshConfig mesh;
    mesh.etcd << etcd;
    return mesh;
}

// A mesh host: no address, no peers; etcd decides both. Every option of the section is set,
// so a round trip that loses one shows.
inline Profile meshProfile(const QString& name = QStringLiteral("mesh"))
{
    Profile p;
    p.name = name;
    p.mode = TunnelMode::WireGuard;
    p.interface.name = QStringLiteral("ptmesh0");
    p.interface.listen = *parseEndpoint(QStringLiteral(":51820"), nullptr, true);
    p.interface.privateKey = kNearPrivateKey;
    MeshConfig mesh;
    mesh.etcd = QStringList{QStringLiteral("https://10.0.0.1:2379"),
                            QStringLiteral("https://10.0.0.2:2379")};
    mesh.prefix = QStringLiteral("/coreos.com/network");
    mesh.caFile = QStringLiteral("/etc/peertun/etcd-ca.pem");
    mesh.certFile = QStringLiteral("/etc/peertun/etcd-client.pem");
    mesh.keyFile = QStringLiteral("/etc/peertun/etcd-client-key.pem");
    mesh.username = QStringLiteral("peertun");
    mesh.password = QStringLiteral("not a real password");
    mesh.leaseTtl = 20;
    p.mesh = mesh;
    return p;
}

} // namespace peertun::test
