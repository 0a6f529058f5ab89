#include "ProfileToSpec.h"

namespace peertun {
namespace {

engine::IpAddress toEngine(const QHostAddress& a)
{
    engine::IpAddress out;
    if (a.isNull() || a == QHostAddress::Any || a == QHostAddress::AnyIPv6) {
        return out; // AF_UNSPEC: any
    }
    bool isV4 = false;
    const quint32 v4 = a.toIPv4Address(&isV4);
    if (isV4 && a.protocol() == QAbstractSocket::IPv4Protocol) {
        const uint8_t b[4] = {uint8_t(v4 >> 24), uint8_t(v4 >> 16), uint8_t(v4 >> 8), uint8_t(v4)};
        return engine::IpAddress::v4(b);
    }
    const Q_IPV6ADDR v6 = a.toIPv6Address();
    return engine::IpAddress::v6(v6.c);
}

engine::IpPrefix toEngine(const Cidr& c)
{
    return {toEngine(c.address), c.prefixLength};
}

engine::UdpEndpoint toEngine(const Endpoint& e)
{
    return {toEngine(e.host), e.port};
}

} // namespace

engine::TunnelSpec specFromProfile(const Profile& profile)
{
    engine::TunnelSpec spec;
    spec.name = profile.name.toStdString();
    spec.ifName = profile.interface.name.toStdString();
    spec.address = toEngine(profile.interface.address);
    spec.mtu = profile.interface.mtu.value_or(0);
    spec.listen = toEngine(profile.interface.listen);
    for (const PeerConfig& peer : profile.peers) {
        engine::PeerSpec p;
        p.name = peer.name.toStdString();
        p.endpoint = toEngine(peer.endpoint);
        for (const Cidr& subnet : peer.subnets) {
            p.subnets.push_back(toEngine(subnet));
        }
        spec.peers.push_back(std::move(p));
    }
    return spec;
}

} // namespace peertun
