#include "ProfileToSpec.h"

#include "Keys.h"
#include "ResolvedDnsServers.h"
#include "TunnelError.h"

#include <cerrno>
#include <cstdlib>
#include <string>
#include <string_view>

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
    // 0.0.0.0/0 and ::/0 are subnets of their family (a full tunnel), not "any address".
    engine::IpPrefix out{toEngine(c.address), c.prefixLength};
    if (out.address.isUnspecified()) {
        const uint8_t zeros[16] = {};
        out.address = c.isIPv6() ? engine::IpAddress::v6(zeros) : engine::IpAddress::v4(zeros);
    }
    return out;
}

engine::UdpEndpoint toEngine(const Endpoint& e)
{
    return {toEngine(e.host), e.port};
}

// The key text goes through one Latin-1 buffer that is wiped after parsing. Errors name the
// field, never the key (the profile was validated, so this is a second line of defence).
engine::SharedSecretKey secretKey(const QString& text, const char* field)
{
    QByteArray latin1 = text.toLatin1();
    std::string why;
    auto key =
        keys::parseSecretKey(std::string_view(latin1.constData(), size_t(latin1.size())), &why);
    latin1.fill('\0');
    if (!key) {
        throw engine::TunnelError(engine::TunnelError::Kind::InvalidConfig,
                                  std::string(field) + ": " + why);
    }
    return std::make_shared<const keys::LockedSecretKey>(std::move(*key));
}

keys::PublicKey publicKey(const QString& text, const std::string& field)
{
    const QByteArray latin1 = text.toLatin1();
    std::string why;
    const auto key =
        keys::parsePublicKey(std::string_view(latin1.constData(), size_t(latin1.size())), &why);
    if (!key) {
        throw engine::TunnelError(engine::TunnelError::Kind::InvalidConfig, field + ": " + why);
    }
    return *key;
}

} // namespace

namespace {

// A thread count from the environment: 0 if unset, else `min`..`max` or a TunnelError.
unsigned threadsFromEnvironment(const char* name, unsigned long max, const char* what)
{
    const char* text = std::getenv(name);
    if (!text) {
        return 0;
    }
    char* end = nullptr;
    errno = 0;
    const unsigned long n = std::strtoul(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || n < 1 || n > max) {
        throw engine::TunnelError(engine::TunnelError::Kind::InvalidConfig,
                                  std::string(name) + " must be a number from 1 to " +
                                      std::to_string(max) + " (" + what + "), not \"" + text +
                                      "\"");
    }
    return unsigned(n);
}

} // namespace

unsigned cryptoThreadsFromEnvironment()
{
    return threadsFromEnvironment("PEERTUN_CRYPTO_THREADS", 64, "threads per direction");
}

unsigned forwardThreadsFromEnvironment()
{
    return threadsFromEnvironment("PEERTUN_FORWARD_THREADS", 2,
                                  "1: one thread for both directions, 2: one each");
}

engine::TunnelSpec specFromProfile(const Profile& profile)
{
    if (profile.mesh) {
        // A mesh profile's address and peers come from etcd (lib/mesh's agent); the service
        // layer turns them into a static profile (resolveMeshProfile) before it gets here.
        throw engine::TunnelError(engine::TunnelError::Kind::InvalidConfig,
                                  "this is a mesh profile: its address and peers come from etcd, "
                                  "and this helper does not run the mesh agent; see the members "
                                  "with `peertunctl mesh status`");
    }
    engine::TunnelSpec spec;
    spec.name = profile.name.toStdString();
    spec.ifName = profile.interface.name.toStdString();
    spec.address = toEngine(profile.interface.address);
    spec.mtu = profile.interface.mtu.value_or(0);
    spec.listen = toEngine(profile.interface.listen);
    const bool wg = profile.mode == TunnelMode::WireGuard;
    spec.mode = wg ? engine::TunnelMode::WireGuard : engine::TunnelMode::Plain;
    spec.killSwitch = profile.interface.killSwitch;
    spec.allowLan = profile.interface.allowLan;
    spec.dnsServers = std::make_shared<ResolvedDnsServers>();
    spec.forwardThreads = forwardThreadsFromEnvironment();
    if (wg) {
        spec.privateKey = secretKey(profile.interface.privateKey, "interface.privateKey");
        spec.cryptoThreads = cryptoThreadsFromEnvironment();
    }
    spec.peers = peerSpecsFromProfile(profile);
    return spec;
}

std::vector<engine::PeerSpec> peerSpecsFromProfile(const Profile& profile)
{
    const bool wg = profile.mode == TunnelMode::WireGuard;
    std::vector<engine::PeerSpec> peers;
    for (qsizetype i = 0; i < profile.peers.size(); ++i) {
        const PeerConfig& peer = profile.peers[i];
        engine::PeerSpec p;
        p.name = peer.name.toStdString();
        p.endpoint = toEngine(peer.endpoint);
        if (peer.endpoint.hasHostName()) {
            p.endpointHost = peer.endpoint.hostName.toStdString();
        }
        for (const Cidr& subnet : peer.subnets) {
            p.subnets.push_back(toEngine(subnet));
        }
        if (wg) {
            const std::string path = "peers[" + std::to_string(i) + "]";
            p.publicKey = publicKey(peer.publicKey, path + ".publicKey");
            if (!peer.presharedKey.isEmpty()) {
                p.presharedKey = secretKey(peer.presharedKey, (path + ".presharedKey").c_str());
            }
            p.persistentKeepaliveSeconds = peer.persistentKeepalive.value_or(0);
        }
        peers.push_back(std::move(p));
    }
    return peers;
}

} // namespace peertun
