#include "MeshRunner.h"

#include "Keys.h"
#include "MeshProfile.h"
#include "Tunnel.h"

#include <QNetworkInterface>
#include <QTimer>
#include <QUrl>
#include <algorithm>

namespace peertun {

namespace {

// The MTU of the (non-loopback) interface that has `address`, else Ethernet's 1500.
int publicInterfaceMtu(const QHostAddress& address)
{
    for (const QNetworkInterface& itf : QNetworkInterface::allInterfaces()) {
        if (itf.type() == QNetworkInterface::Loopback || itf.maximumTransmissionUnit() <= 0) {
            continue;
        }
        for (const QNetworkAddressEntry& entry : itf.addressEntries()) {
            if (entry.ip() == address) {
                return itf.maximumTransmissionUnit();
            }
        }
    }
    return 1500;
}

} // namespace

MeshRunner::MeshRunner(const Profile& meshProfile, QObject* parent)
    : QObject(parent), m_profile(meshProfile)
{
    if (m_profile.mode == TunnelMode::WireGuard) {
        if (const auto key = keys::parseSecretKey(m_profile.interface.privateKey.toStdString())) {
            m_publicKey = QString::fromStdString(keys::encodePublicKey(keys::publicKeyOf(*key)));
        }
    }
}

MeshRunner::~MeshRunner()
{
    wipeSecrets(m_profile);
}

bool MeshRunner::prepare(QString* error)
{
    if (!m_profile.mesh) {
        *error = QStringLiteral("not a mesh profile");
        return false;
    }
    if (m_profile.mode == TunnelMode::WireGuard && m_publicKey.isEmpty()) {
        *error = QStringLiteral("the interface's private key cannot be used");
        return false;
    }
    // PublicIP: interface.listen's address when it names one (meshAgentSettings), else the
    // source address of the route towards the first etcd endpoint that has one.
    std::optional<QHostAddress> source;
    for (const QString& url : m_profile.mesh->etcd) {
        if (const QHostAddress host(QUrl(url).host()); !host.isNull()) {
            if ((source = mesh::sourceAddressTowards(host))) {
                break;
            }
        }
    }
    const QHostAddress& listen = m_profile.interface.listen.host;
    const bool specific = !listen.isNull() && listen != QHostAddress(QHostAddress::AnyIPv4) &&
                          listen != QHostAddress(QHostAddress::AnyIPv6);
    if (!source && !specific) {
        *error = QStringLiteral("no route towards any etcd endpoint (%1), so this host's "
                                "PublicIP is unknown; name it in interface.listen")
                     .arg(m_profile.mesh->etcd.join(QStringLiteral(", ")));
        return false;
    }
    if (!m_profile.interface.mtu) {
        // The MTU of the interface holding this host's PublicIP less the IPv4 overhead (a
        // lease's PublicIP is IPv4): every host of the mesh gets the same MTU whatever the
        // order they join in. The engine's default looks at the first peer, and a tunnel that
        // comes up alone has none: it would assume IPv6's larger overhead.
        m_mtu = publicInterfaceMtu(specific ? listen : *source) -
                (m_profile.mode == TunnelMode::WireGuard ? engine::kWireGuardOverheadV4
                                                         : engine::kPlainOverheadV4);
    }
    m_agent = std::make_unique<mesh::MeshAgent>(
        mesh::meshAgentSettings(m_profile, source.value_or(QHostAddress()), m_publicKey));
    connect(m_agent.get(), &mesh::MeshAgent::joined, this, [this](const Cidr& subnet) {
        m_subnet = subnet;
        onMembers();
    });
    connect(m_agent.get(), &mesh::MeshAgent::membersChanged, this, [this] {
        if (m_subnet) {
            onMembers();
        }
    });
    connect(m_agent.get(), &mesh::MeshAgent::stopped, this, &MeshRunner::failed);
    connect(m_agent.get(), &mesh::MeshAgent::left, this, [this] {
        if (m_leaving) {
            m_leaving = false;
            emit left();
        }
    });
    return true;
}

void MeshRunner::start()
{
    m_agent->start();
}

void MeshRunner::leave(int timeoutMs)
{
    if (!m_agent || m_agent->state() == mesh::MeshAgent::State::Stopped) {
        QTimer::singleShot(0, this, &MeshRunner::left);
        return;
    }
    m_leaving = true;
    m_agent->leave();
    QTimer::singleShot(timeoutMs, this, [this] {
        if (m_leaving) { // etcd did not answer: the lease ends with its TTL
            m_leaving = false;
            emit left();
        }
    });
}

void MeshRunner::onMembers()
{
    mesh::ResolvedProfile r = mesh::resolveMeshProfile(m_profile, *m_subnet, m_agent->members());
    if (!r.profile) {
        emit failed(
            QStringLiteral("the mesh's members do not make a valid profile: %1")
                .arg(r.errors.value(0).field + QStringLiteral(": ") + r.errors.value(0).message));
        return;
    }
    const bool first = !m_up;
    m_up = true;
    if (m_mtu > 0) {
        r.profile->interface.mtu = m_mtu;
    }
    emit resolved(*r.profile, first);
}

} // namespace peertun
