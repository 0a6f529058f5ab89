// The two example hosts as profiles (10.244.2.2 on 10.211.55.122, 10.244.3.3 on .123), shared
// by the gui tests.
#pragma once

#include "Profile.h"
#include "Keys.h"

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

inline QString publicKeyOf(const QString& privateKey)
{
    const auto key = keys::parseSecretKey(privateKey.toStdString());
    return key ? QString::fromStdString(keys::encodePublicKey(keys::publicKeyOf(*key)))
               : QString();
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

} // namespace peertun::test
