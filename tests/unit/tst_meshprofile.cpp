// A mesh profile plus this host's subnet and the members -> the static profile the engine runs.
#include "MeshProfile.h"

#include <QTest>

using namespace peertun;
using namespace peertun::mesh;

namespace {

const QString kKeyA = QStringLiteral("xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=");
const QString kKeyB = QStringLiteral("HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=");

Profile meshProfile(TunnelMode mode)
{
    Profile p;
    p.name = QStringLiteral("mesh");
    p.interface.name = QStringLiteral("ptmesh0");
    p.mode = mode;
    if (mode == TunnelMode::WireGuard) {
        p.interface.privateKey = QStringLiteral("oK56DE9Ue9zK76rAc8pBl6opph+1v36lm7cXXsQKrQM=");
    }
    p.mesh = MeshConfig{};
    p.mesh->etcd = {QStringLiteral("http://10.0.0.1:2379")};
    return p;
}

Member member(const char* subnet, const char* ip, quint16 port, const QString& key = {})
{
    Member m;
    m.subnet = *parseCidr(QString::fromLatin1(subnet), nullptr, true);
    m.endpoint = Endpoint{QHostAddress(QString::fromLatin1(ip)), port, {}};
    m.publicKey = key;
    return m;
}

const Cidr kOwn{QHostAddress(QStringLiteral("10.244.1.0")), 24};

} // namespace

class TestMeshProfile : public QObject
{
    Q_OBJECT
private slots:
    void plain()
    {
        QVERIFY(validateProfile(meshProfile(TunnelMode::Plain)).isEmpty());
        const ResolvedProfile r = resolveMeshProfile(meshProfile(TunnelMode::Plain), kOwn,
                                                     {member("10.244.2.0/24", "10.99.0.2", 8285),
                                                      member("10.244.3.0/24", "10.99.0.3", 9000)});
        QVERIFY2(r.profile, qPrintable(r.errors.value(0).message));
        QVERIFY(!r.profile->mesh);
        QCOMPARE(r.profile->interface.address.toString(), QStringLiteral("10.244.1.1/24"));
        QCOMPARE(r.profile->peers.size(), 2);
        QCOMPARE(r.profile->peers[1].name, QStringLiteral("10.244.3.0/24"));
        QCOMPARE(r.profile->peers[1].endpoint.toString(), QStringLiteral("10.99.0.3:9000"));
        QCOMPARE(r.profile->peers[1].subnets.size(), 1);
        QCOMPARE(r.profile->peers[1].subnets[0].toString(), QStringLiteral("10.244.3.0/24"));
        QVERIFY(r.dropped.isEmpty());
    }
    void wireGuard()
    {
        const ResolvedProfile r =
            resolveMeshProfile(meshProfile(TunnelMode::WireGuard), kOwn,
                               {member("10.244.2.0/24", "10.99.0.2", 51820, kKeyA),
                                member("10.244.3.0/24", "10.99.0.3", 51820, kKeyB)});
        QVERIFY2(r.profile, qPrintable(r.errors.value(0).message));
        QCOMPARE(r.profile->peers[0].publicKey, kKeyA);
        QCOMPARE(r.profile->peers[1].publicKey, kKeyB);
    }
    void duplicatesLeftOut()
    {
        const ResolvedProfile plain =
            resolveMeshProfile(meshProfile(TunnelMode::Plain), kOwn,
                               {member("10.244.2.0/24", "10.99.0.2", 8285),
                                member("10.244.3.0/24", "10.99.0.2", 8285)});
        QVERIFY(plain.profile);
        QCOMPARE(plain.profile->peers.size(), 1);
        QCOMPARE(plain.dropped.size(), 1);
        QVERIFY(plain.dropped[0].startsWith(QLatin1String("10.244.3.0/24: endpoint")));
        const ResolvedProfile wg =
            resolveMeshProfile(meshProfile(TunnelMode::WireGuard), kOwn,
                               {member("10.244.2.0/24", "10.99.0.2", 51820, kKeyA),
                                member("10.244.3.0/24", "10.99.0.3", 51820, kKeyA)});
        QVERIFY(wg.profile);
        QCOMPARE(wg.profile->peers.size(), 1);
        QVERIFY(wg.dropped.value(0).contains(QLatin1String("public key")));
    }
    void alone()
    {
        // The first host of a network: a tunnel without peers, its address from the lease.
        const ResolvedProfile r = resolveMeshProfile(meshProfile(TunnelMode::Plain), kOwn, {});
        QVERIFY2(r.profile, qPrintable(r.errors.value(0).message));
        QVERIFY(r.profile->peers.isEmpty());
        QVERIFY(r.errors.isEmpty());
        QVERIFY(!r.profile->mesh);
    }
    void thousandMembers()
    {
        QList<Member> members;
        for (int i = 0; i < 999; ++i) {
            Member m;
            m.subnet = Cidr{QHostAddress(QHostAddress(QStringLiteral("10.0.1.0")).toIPv4Address() +
                                         quint32(i) * 256),
                            24};
            m.endpoint = Endpoint{QHostAddress(quint32(0x0a640001) + quint32(i)), 8285, {}};
            members << m;
        }
        const ResolvedProfile r =
            resolveMeshProfile(meshProfile(TunnelMode::Plain),
                               Cidr{QHostAddress(QStringLiteral("10.3.255.0")), 24}, members);
        QVERIFY2(r.profile, qPrintable(r.errors.value(0).message));
        QCOMPARE(r.profile->peers.size(), 999);
    }
};

QTEST_GUILESS_MAIN(TestMeshProfile)
#include "tst_meshprofile.moc"
