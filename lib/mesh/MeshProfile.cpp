#include "MeshProfile.h"

#include <QSet>

namespace peertun::mesh {

ResolvedProfile resolveMeshProfile(const Profile& meshProfile, const Cidr& subnet,
                                   const QList<Member>& members)
{
    ResolvedProfile result;
    Profile p = meshProfile;
    p.mesh.reset();
    p.interface.address = tunnelAddressOf(subnet);
    p.peers.clear();
    p.peers.reserve(members.size());
    QSet<QString> endpoints;
    QSet<QString> keys;
    const bool wg = p.mode == TunnelMode::WireGuard;
    for (const Member& m : members) {
        const QString endpoint = m.endpoint.toString();
        if (endpoints.contains(endpoint)) {
            result.dropped << QStringLiteral("%1: endpoint %2 is an earlier member's")
                                  .arg(m.subnet.toString(), endpoint);
            continue;
        }
        if (wg && keys.contains(m.publicKey)) {
            result.dropped << QStringLiteral("%1: its public key is an earlier member's")
                                  .arg(m.subnet.toString());
            continue;
        }
        endpoints.insert(endpoint);
        keys.insert(m.publicKey);
        PeerConfig peer;
        peer.name = m.subnet.toString();
        peer.endpoint = m.endpoint;
        peer.subnets = {m.subnet};
        if (wg) {
            peer.publicKey = m.publicKey;
        }
        p.peers.append(peer);
    }
    result.errors = validateProfile(p);
    if (p.peers.isEmpty()) {
        // Alone in the network (so far): the tunnel comes up without peers and takes them
        // as hosts join. Every other check still applies.
        result.errors.removeIf(
            [](const ProfileError& e) { return e.field == QLatin1String("peers"); });
    }
    if (result.errors.isEmpty()) {
        result.profile = std::move(p);
    }
    return result;
}

} // namespace peertun::mesh
