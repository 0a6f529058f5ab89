// Mesh profiles in the helper, against a real etcd: host 1 connects through the D-Bus helper
// (on a private system bus, DBusHarness), hosts 2 and 3 run `peertun-helper --standalone`,
// each in its own namespace; etcd runs in the namespace that routes between them. Both
// backends: the hosts take distinct subnets, every pair pings over the tunnel, a host that
// joins is reachable from both others within 2 s (nobody restarted), and one that disconnects
// is gone from both others' peers within 2 s (its lease revoked).
#include "DBusHarness.h"
#include "HelperClient.h"
#include "Keys.h"
#include "MeshLab.h"
#include "NetnsLab.h"
#include "Payloads.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>
#include <array>
#include <csignal>
#include <unistd.h>

using peertun::HelperClient;
using peertun::test::DBusHarness;
using peertun::testlab::LabProcess;
using peertun::testlab::NetnsLab;

namespace key = peertun::dbus::key;

namespace {

const QString kEtcdUrl = QStringLiteral("http://10.211.55.123:2379");
constexpr int kJoinLimitMs = 2000;

QString keyText()
{
    const peertun::keys::LockedSecretKey key = peertun::keys::generateKey();
    std::array<char, peertun::keys::kBase64KeyLen + 1> out{};
    peertun::keys::encodeSecretKey(key.bytes(), out);
    return QString::fromLatin1(out.data());
}

QByteArray meshProfile(const QString& name, bool wireguard, const QString& prefix)
{
    QJsonObject iface{{QStringLiteral("name"), QStringLiteral("ptmesh0")},
                      {QStringLiteral("listen"), QStringLiteral(":8285")}};
    if (wireguard) {
        iface.insert(QStringLiteral("privateKey"), keyText());
    }
    return QJsonDocument(QJsonObject{
                             {QStringLiteral("version"), 1},
                             {QStringLiteral("name"), name},
                             {QStringLiteral("mode"),
                              wireguard ? QStringLiteral("wireguard") : QStringLiteral("plain")},
                             {QStringLiteral("interface"), iface},
                             {QStringLiteral("mesh"),
                              QJsonObject{{QStringLiteral("etcd"), QJsonArray{kEtcdUrl}},
                                          {QStringLiteral("prefix"), prefix}}},
                         })
        .toJson();
}

// "tunnel up: ptmesh0 10.244.7.1/24 ..." -> 10.244.7.1
QString tunnelAddressIn(const QByteArray& log)
{
    const QRegularExpression up(QStringLiteral("tunnel up: ptmesh0 ([0-9.]+)/"));
    const QRegularExpressionMatch m = up.match(QString::fromUtf8(log));
    return m.hasMatch() ? m.captured(1) : QString();
}

} // namespace

class TestMeshHelper : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();
    void meshThroughHelperAndStandalone_data();
    void meshThroughHelperAndStandalone();

private:
    bool ping(const QString& ns, const QString& to, int count = 1, const char* wait = "0.3");
    // Milliseconds until `ns` pings `to` (every ~50 ms), or -1 after `limitMs`.
    qint64 msUntilReachable(const QString& ns, const QString& to, int limitMs);
    QVariantMap helperTunnel(const QString& name);
    QStringList standalonePeers(LabProcess* helper, const QString& tunnel);

    DBusHarness m_harness;
    std::unique_ptr<NetnsLab> m_lab;
    std::unique_ptr<HelperClient> m_client;
    QString m_etcdDir;
    QString m_ns3, m_ns4;
};

void TestMeshHelper::initTestCase()
{
    if (::geteuid() != 0) {
        QSKIP("needs root: namespaces, TUN devices, a private system bus, etcd");
    }
    m_etcdDir = qEnvironmentVariable("PEERTUN_ETCD_DIR");
    QVERIFY2(QFile::exists(m_etcdDir + QStringLiteral("/usr/bin/etcd")),
             "etcd is not unpacked at PEERTUN_ETCD_DIR (the mesh_etcd_unpack test does it)");
    QString error;
    QVERIFY2(m_harness.setUp(&error), qPrintable(error));
    m_client = std::make_unique<HelperClient>(m_harness.bus());
    m_lab = std::make_unique<NetnsLab>();
    // ns2 (10.211.55.123, etcd) routes between ns1 (the D-Bus helper's, .122) and two more
    // hosts: ns3 10.211.56.2, ns4 10.211.57.2.
    const QString ns1 = m_harness.ns1();
    const QString ns2 = m_harness.ns2();
    m_ns3 = m_lab->addNamespace();
    m_ns4 = m_lab->addNamespace();
    QVERIFY2(!m_ns3.isEmpty() && !m_ns4.isEmpty(), qPrintable(m_lab->lastError()));
    int n = 3;
    for (const QString& ns : {m_ns3, m_ns4}) {
        const QString net = QStringLiteral("10.211.%1").arg(53 + n);
        QVERIFY2(m_lab->addVethPair(ns2, QStringLiteral("vh%1").arg(n), ns, QStringLiteral("up0")),
                 qPrintable(m_lab->lastError()));
        QVERIFY(
            m_lab->addAddress(ns2, QStringLiteral("vh%1").arg(n), net + QStringLiteral(".1/24")));
        QVERIFY(m_lab->addAddress(ns, QStringLiteral("up0"), net + QStringLiteral(".2/24")));
        QVERIFY(
            m_lab
                ->ip({QStringLiteral("-n"), ns, QStringLiteral("route"), QStringLiteral("add"),
                      QStringLiteral("default"), QStringLiteral("via"), net + QStringLiteral(".1")})
                .ok());
        QVERIFY(m_lab
                    ->ip({QStringLiteral("-n"), ns1, QStringLiteral("route"), QStringLiteral("add"),
                          net + QStringLiteral(".0/24"), QStringLiteral("via"),
                          QStringLiteral("10.211.55.123")})
                    .ok());
        ++n;
    }
    QVERIFY(m_lab->runOk(ns2, {QStringLiteral("sysctl"), QStringLiteral("-qw"),
                               QStringLiteral("net.ipv4.ip_forward=1")}));
    QVERIFY2(ping(m_ns3, QStringLiteral("10.211.55.122"), 1, "2"), "underlay ns3 -> ns1");
    QVERIFY2(ping(m_ns4, QStringLiteral("10.211.56.2"), 1, "2"), "underlay ns4 -> ns3");

    const QString data = m_lab->tempPath(QStringLiteral("etcd-data"));
    LabProcess* etcd = m_lab->start(
        ns2,
        {m_etcdDir + QStringLiteral("/usr/bin/etcd"), QStringLiteral("--name"), QStringLiteral("t"),
         QStringLiteral("--data-dir"), data, QStringLiteral("--listen-client-urls"), kEtcdUrl,
         QStringLiteral("--advertise-client-urls"), kEtcdUrl, QStringLiteral("--listen-peer-urls"),
         QStringLiteral("http://127.0.0.1:2380"), QStringLiteral("--initial-advertise-peer-urls"),
         QStringLiteral("http://127.0.0.1:2380"), QStringLiteral("--initial-cluster"),
         QStringLiteral("t=http://127.0.0.1:2380")},
        QStringLiteral("etcd"));
    QVERIFY(etcd);
    // The two networks, written the way a user does it.
    for (const auto& [prefix, backend] :
         {std::pair{QStringLiteral("/peertun/plain"), QStringLiteral("udp")},
          std::pair{QStringLiteral("/peertun/wg"), QStringLiteral("wireguard")}}) {
        QElapsedTimer t;
        t.start();
        peertun::testlab::CommandResult r;
        do {
            r = m_lab->run(ns2, {qEnvironmentVariable("PEERTUNCTL"), QStringLiteral("mesh"),
                                 QStringLiteral("init"), QStringLiteral("--etcd"), kEtcdUrl,
                                 QStringLiteral("--network"), QStringLiteral("10.244.0.0/16"),
                                 QStringLiteral("--backend"), backend, QStringLiteral("--prefix"),
                                 prefix});
        } while (!r.ok() && t.elapsed() < 10000 && (QTest::qWait(200), true));
        QVERIFY2(r.ok(), r.output.constData());
    }
}

void TestMeshHelper::cleanup()
{
    if (QTest::currentTestFailed()) {
        m_harness.dumpLogs();
        peertun::testlab::printProcessOutputs(*m_lab, 4000);
    }
    // Whatever a failed row left running: the next row starts clean.
    for (const auto& p : m_lab->processes()) {
        if (p->label() != QLatin1String("etcd") && p->isRunning()) {
            p->stop(2000);
        }
    }
    if (!helperTunnel(QStringLiteral("m1")).isEmpty()) {
        auto down = m_client->disconnectTunnel(QStringLiteral("m1"));
        down.waitForFinished();
    }
}

void TestMeshHelper::cleanupTestCase()
{
    m_client.reset();
    m_lab.reset(); // etcd and the standalone hosts, ns3 and ns4
    m_harness.tearDown();
}

bool TestMeshHelper::ping(const QString& ns, const QString& to, int count, const char* wait)
{
    return peertun::testlab::pingFrom(*m_lab, ns, to, count, wait);
}

qint64 TestMeshHelper::msUntilReachable(const QString& ns, const QString& to, int limitMs)
{
    return peertun::testlab::msUntilReachable(*m_lab, ns, to, limitMs);
}

QVariantMap TestMeshHelper::helperTunnel(const QString& name)
{
    auto reply = m_client->listTunnels();
    reply.waitForFinished();
    return HelperClient::tunnelNamed(HelperClient::toPlain(reply.value()), name);
}

QStringList TestMeshHelper::standalonePeers(LabProcess* helper, const QString& tunnel)
{
    const qsizetype from = helper->output().size();
    helper->sendSignal(SIGUSR1);
    // The mesh line comes after the stats block: then the block is complete.
    if (!helper->waitForOutput("mesh tunnel=", 3000, from)) {
        return {QStringLiteral("(no stats)")};
    }
    const auto stats = peertun::testlab::parseStats(helper->output().mid(from), tunnel);
    return stats ? QStringList(stats->peers.keys()) : QStringList{QStringLiteral("(none)")};
}

void TestMeshHelper::meshThroughHelperAndStandalone_data()
{
    QTest::addColumn<bool>("wireguard");
    QTest::newRow("udp backend, plain mode") << false;
    QTest::newRow("wireguard backend") << true;
}

void TestMeshHelper::meshThroughHelperAndStandalone()
{
    QFETCH(bool, wireguard);
    QElapsedTimer took;
    took.start();
    const QString prefix =
        wireguard ? QStringLiteral("/peertun/wg") : QStringLiteral("/peertun/plain");
    const QString ns1 = m_harness.ns1();

    // Host 1 through the D-Bus helper: Connect returns once the agent runs; the tunnel is up
    // when the lease is taken.
    auto connect = m_client->connectTunnel(QString::fromUtf8(meshProfile("m1", wireguard, prefix)));
    connect.waitForFinished();
    QVERIFY2(!connect.isError(), qPrintable(connect.error().message()));
    QTRY_COMPARE_WITH_TIMEOUT(helperTunnel(QStringLiteral("m1")).value(key::kState).toString(),
                              QStringLiteral("connected"), 10000);
    const QString a1 = helperTunnel(QStringLiteral("m1"))
                           .value(key::kAddress)
                           .toString()
                           .section(QLatin1Char('/'), 0, 0);
    QVERIFY2(a1.startsWith(QLatin1String("10.244.")), qPrintable(a1));
    {
        const auto info = peertun::dbus::TunnelInfo::fromVariant(helperTunnel("m1"));
        QVERIFY(info.mesh);
        QVERIFY2(info.meshStatus.startsWith(QLatin1String("running")), qPrintable(info.meshStatus));
        QCOMPARE(info.storeUnreachableSinceUnixMs, 0);
    }

    // Host 2, standalone.
    const QString p2 =
        m_lab->writeFile(QStringLiteral("m2.json"), meshProfile("m2", wireguard, prefix));
    LabProcess* h2 =
        m_lab->start(m_ns3, {m_harness.helperBinary(), QStringLiteral("--standalone"), p2},
                     QStringLiteral("m2"));
    QVERIFY(h2);
    QVERIFY2(h2->waitForOutput("tunnel up", 10000), h2->output().constData());
    QVERIFY2(h2->output().contains(wireguard ? ", WireGuard" : ", plain (unencrypted)"),
             h2->output().constData());
    const QString a2 = tunnelAddressIn(h2->output());
    QVERIFY2(!a2.isEmpty() && a2 != a1, qPrintable(a1 + QStringLiteral(" ") + a2));
    QVERIFY2(msUntilReachable(ns1, a2, 5000) >= 0, "host 1 -> host 2");
    QVERIFY2(msUntilReachable(m_ns3, a1, 5000) >= 0, "host 2 -> host 1");

    // Host 3 joins: both others reach it within 2 s of its tunnel coming up.
    const QString p3 =
        m_lab->writeFile(QStringLiteral("m3.json"), meshProfile("m3", wireguard, prefix));
    LabProcess* h3 =
        m_lab->start(m_ns4, {m_harness.helperBinary(), QStringLiteral("--standalone"), p3},
                     QStringLiteral("m3"));
    QVERIFY(h3);
    QVERIFY2(h3->waitForOutput("tunnel up", 10000), h3->output().constData());
    QElapsedTimer joined;
    joined.start();
    const QString a3 = tunnelAddressIn(h3->output());
    QVERIFY2(!a3.isEmpty() && a3 != a1 && a3 != a2, qPrintable(a3));
    const qint64 from1 = msUntilReachable(ns1, a3, kJoinLimitMs);
    const qint64 from2 = msUntilReachable(m_ns3, a3, kJoinLimitMs);
    const qint64 joinMs = joined.elapsed();
    QVERIFY2(from1 >= 0 && from2 >= 0 && joinMs <= kJoinLimitMs + 300,
             qPrintable(QStringLiteral("host 3 reachable from 1 after %1 ms, from 2 after %2 ms")
                            .arg(from1)
                            .arg(from2)));
    // All pairs, both ways.
    QVERIFY2(ping(m_ns4, a1), "host 3 -> host 1");
    QVERIFY2(ping(m_ns4, a2), "host 3 -> host 2");
    QVERIFY2(ping(ns1, a2), "host 1 -> host 2");
    QVERIFY2(ping(m_ns3, a1), "host 2 -> host 1");
    QCOMPARE(helperTunnel(QStringLiteral("m1")).value(key::kPeers).toList().size(), 2);

    // Host 3 disconnects: gone from both others' peers within 2 s.
    const QString subnet3 = a3.section(QLatin1Char('.'), 0, 2) + QStringLiteral(".0/24");
    QVERIFY(h3->sendSignal(SIGTERM));
    QElapsedTimer leaving;
    leaving.start();
    QVERIFY(h3->waitForExit(5000));
    bool goneFrom1 = false;
    bool goneFrom2 = false;
    while (leaving.elapsed() < kJoinLimitMs && !(goneFrom1 && goneFrom2)) {
        goneFrom1 =
            goneFrom1 || helperTunnel(QStringLiteral("m1")).value(key::kPeers).toList().size() == 1;
        goneFrom2 = goneFrom2 || !standalonePeers(h2, QStringLiteral("m2")).contains(subnet3);
        QTest::qWait(50);
    }
    const qint64 leaveMs = leaving.elapsed();
    QVERIFY2(goneFrom1 && goneFrom2,
             qPrintable(QStringLiteral("host 3 still a peer after %1 ms (of 1: %2, of 2: %3)")
                            .arg(leaveMs)
                            .arg(!goneFrom1)
                            .arg(!goneFrom2)));
    QVERIFY2(!ping(ns1, a3), "host 3 still answers");
    QVERIFY2(ping(ns1, a2), "host 1 -> host 2 after host 3 left");

    // Host 1 disconnects through D-Bus (its lease goes with it), host 2 stops.
    auto down = m_client->disconnectTunnel(QStringLiteral("m1"));
    down.waitForFinished();
    QVERIFY2(!down.isError(), qPrintable(down.error().message()));
    QElapsedTimer gone;
    gone.start();
    while (gone.elapsed() < kJoinLimitMs && !standalonePeers(h2, QStringLiteral("m2")).isEmpty()) {
        QTest::qWait(50);
    }
    QVERIFY2(standalonePeers(h2, QStringLiteral("m2")).isEmpty(), "host 1 still a peer of host 2");
    QVERIFY(h2->sendSignal(SIGTERM));
    QVERIFY(h2->waitForExit(5000));
    qInfo("%s: host 3 reachable from 1 after %lld ms and from 2 after %lld ms of its tunnel "
          "coming up; gone from both %lld ms after SIGTERM; %lld ms in all",
          wireguard ? "wireguard" : "udp", (long long)from1, (long long)(joinMs - from1),
          (long long)leaveMs, (long long)took.elapsed());
}

QTEST_GUILESS_MAIN(TestMeshHelper)
#include "tst_mesh_helper.moc"
