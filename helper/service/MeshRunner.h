// A mesh profile in the helper (D-Bus or --standalone): runs lib/mesh's agent for it and turns
// what the agent learns into static profiles for the engine: the first when this host's lease
// is taken (the tunnel comes up with the lease's address), then one per change of the member
// set (the tunnel's new peer list, applied live). The engine never sees etcd.
#pragma once

#include "MeshAgent.h"
#include "Profile.h"

#include <QObject>
#include <memory>
#include <optional>

namespace peertun {

class MeshRunner : public QObject
{
    Q_OBJECT
public:
    // `meshProfile` validated, with a "mesh" section. Its key text stays here (wiped with this
    // object): every resolved profile is validated whole, the key included.
    explicit MeshRunner(const Profile& meshProfile, QObject* parent = nullptr);
    ~MeshRunner() override;

    // Settings from the profile and the route towards etcd; false with a sentence when they
    // cannot be had (no route towards any etcd endpoint, an unusable key).
    bool prepare(QString* error);
    void start();
    // Revokes the lease (the others see this host go at once); emits left() when done or
    // after `timeoutMs`, whichever comes first.
    void leave(int timeoutMs = 2000);

    mesh::MeshAgent* agent() const { return m_agent.get(); }
    const std::optional<Cidr>& subnet() const { return m_subnet; }

signals:
    // The static profile of this moment: the lease's address, one peer per member, the mesh
    // profile's interface otherwise. `first`: bring the tunnel up; else replace its peers.
    void resolved(const peertun::Profile& profile, bool first);
    // A fault the agent cannot mend (see MeshAgent::stopped): the tunnel should go.
    void failed(const QString& error);
    void left();

private:
    void onMembers();

    Profile m_profile; // the mesh profile
    std::unique_ptr<mesh::MeshAgent> m_agent;
    std::optional<Cidr> m_subnet;
    QString m_publicKey;
    // The MTU every resolved profile gets when the mesh profile names none: from this host's
    // own underlay, not from whichever member happens to be first when the lease is taken.
    int m_mtu = 0;
    bool m_up = false;
    bool m_leaving = false;
};

} // namespace peertun
