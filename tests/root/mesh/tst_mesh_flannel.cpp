// flannel compatibility through the real helper: a network config and a subnet lease written
// by hand with etcdctl under flannel's own prefix, exactly as flannel's UDP backend writes
// them, the lease pointing at a namespace that runs the blog post's own Go program (built from
// the text by build_gotun.sh, unchanged); two mesh hosts (`peertun-helper --standalone`, plain
// mode) reach it.
//
//   host 1 (ns A, 10.211.55.122)  --veth--  ns B (10.211.55.123: etcd, the Go program,
//                                            router)  --veth--  host 2 (ns C, 10.211.56.2)
//
// The Go program is point to point: it sends whatever its TUN device gives it to one address,
// 10.211.55.122:8285, host 1. So host 1 and it reach each other both ways; host 2's packets
// reach it straight from host 2 (its lease names it; the program logs each with its source),
// but its answers go to host 1, which drops them: their source is not host 1's subnet.
#include "MeshLab.h"
#include "NetnsLab.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>
#include <csignal>
#include <unistd.h>

using peertun::testlab::LabProcess;
using peertun::testlab::NetnsLab;

namespace {

const QString kEtcdUrl = QStringLiteral("http://10.211.55.123:2379");
const QString kPrefix = QStringLiteral("/coreos.com/network"); // flannel's
const QString kGoSubnet = QStringLiteral("10.244.3.0/24");
const QString kGoAddress = QStringLiteral("10.244.3.3"); // the blog post's tunIP
constexpr int kJoinLimitMs = 2000;

QByteArray meshProfile(const QString& name)
{
    return QJsonDocument(QJsonObject{
                             {QStringLiteral("version"), 1},
                             {QStringLiteral("name"), name},
                             {QStringLiteral("mode"), QStringLiteral("plain")},
                             {QStringLiteral("interface"),
                              QJsonObject{{QStringLiteral("name"), QStringLiteral("ptmesh0")},
                                          {QStringLiteral("listen"), QStringLiteral(":8285")}}},
                             {QStringLiteral("mesh"),
                              QJsonObject{{QStringLiteral("etcd"), QJsonArray{kEtcdUrl}},
                                          {QStringLiteral("prefix"), kPrefix}}},
                         })
        .toJson();
}

} // namespace

class TestMeshFlannel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();
    void meshHostsReachTheGoProgram();

private:
    peertun::testlab::CommandResult etcdctl(const QStringList& args);
    bool ping(const QString& ns, const QString& to, const char* wait = "0.5");
    qint64 msUntilReachable(const QString& ns, const QString& to, int limitMs);
    QStringList peers(LabProcess* helper, const QString& tunnel);

    std::unique_ptr<NetnsLab> m_lab;
    QString m_etcdDir;
    QString m_a, m_b, m_c;
};

void TestMeshFlannel::initTestCase()
{
    if (::geteuid() != 0) {
        QSKIP("needs root: namespaces, TUN devices, etcd");
    }
    m_etcdDir = qEnvironmentVariable("PEERTUN_ETCD_DIR");
    QVERIFY2(QFile::exists(m_etcdDir + QStringLiteral("/usr/bin/etcd")),
             "etcd is not unpacked at PEERTUN_ETCD_DIR (the mesh_etcd_unpack test does it)");
    if (!QFile::exists(qEnvironmentVariable("GOTUN_SERVER"))) {
        // build_gotun.sh skipped: the blog post's text is not on this machine.
        QSKIP("the blog post's Go program is not built (mesh_gotun_build: no blog post text)");
    }
    m_lab = std::make_unique<NetnsLab>();
    m_a = m_lab->addNamespace();
    m_b = m_lab->addNamespace();
    m_c = m_lab->addNamespace();
    QVERIFY2(!m_a.isEmpty() && !m_b.isEmpty() && !m_c.isEmpty(), qPrintable(m_lab->lastError()));
    QVERIFY2(m_lab->addVethPair(m_a, "up0", m_b, "va"), qPrintable(m_lab->lastError()));
    QVERIFY2(m_lab->addVethPair(m_c, "up0", m_b, "vc"), qPrintable(m_lab->lastError()));
    QVERIFY(m_lab->addAddress(m_a, "up0", "10.211.55.122/24"));
    QVERIFY(m_lab->addAddress(m_b, "va", "10.211.55.123/24"));
    QVERIFY(m_lab->addAddress(m_b, "vc", "10.211.56.1/24"));
    QVERIFY(m_lab->addAddress(m_c, "up0", "10.211.56.2/24"));
    QVERIFY(m_lab->ip({"-n", m_a, "route", "add", "10.211.56.0/24", "via", "10.211.55.123"}).ok());
    QVERIFY(m_lab->ip({"-n", m_c, "route", "add", "default", "via", "10.211.56.1"}).ok());
    QVERIFY(m_lab->runOk(m_b, {"sysctl", "-qw", "net.ipv4.ip_forward=1"}));
    QVERIFY2(ping(m_c, "10.211.55.122", "2"), "underlay C -> A");

    const QString data = m_lab->tempPath(QStringLiteral("etcd-data"));
    QVERIFY(m_lab->start(m_b,
                         {m_etcdDir + "/usr/bin/etcd", "--name", "t", "--data-dir", data,
                          "--listen-client-urls", kEtcdUrl, "--advertise-client-urls", kEtcdUrl,
                          "--listen-peer-urls", "http://127.0.0.1:2380",
                          "--initial-advertise-peer-urls", "http://127.0.0.1:2380",
                          "--initial-cluster", "t=http://127.0.0.1:2380"},
                         QStringLiteral("etcd")));
    QVERIFY(QTest::qWaitFor([&] { return etcdctl({"endpoint", "health"}).ok(); }, 10000));
}

void TestMeshFlannel::cleanup()
{
    if (QTest::currentTestFailed() && m_lab) {
        peertun::testlab::printProcessOutputs(*m_lab, 3000);
    }
}

void TestMeshFlannel::cleanupTestCase()
{
    m_lab.reset();
}

peertun::testlab::CommandResult TestMeshFlannel::etcdctl(const QStringList& args)
{
    return m_lab->run(m_b,
                      QStringList{m_etcdDir + "/usr/bin/etcdctl", "--endpoints", kEtcdUrl} + args);
}

bool TestMeshFlannel::ping(const QString& ns, const QString& to, const char* wait)
{
    return peertun::testlab::pingFrom(*m_lab, ns, to, 1, wait);
}

qint64 TestMeshFlannel::msUntilReachable(const QString& ns, const QString& to, int limitMs)
{
    return peertun::testlab::msUntilReachable(*m_lab, ns, to, limitMs);
}

QStringList TestMeshFlannel::peers(LabProcess* helper, const QString& tunnel)
{
    const qsizetype from = helper->output().size();
    helper->sendSignal(SIGUSR1);
    if (!helper->waitForOutput("mesh tunnel=", 3000, from)) {
        return {QStringLiteral("(no stats)")};
    }
    const auto stats = peertun::testlab::parseStats(helper->output().mid(from), tunnel);
    return stats ? QStringList(stats->peers.keys()) : QStringList{};
}

void TestMeshFlannel::meshHostsReachTheGoProgram()
{
    QElapsedTimer took;
    took.start();
    // What a flannel operator writes, and what flannel's UDP backend writes for its host (no
    // BackendData: port 8285), by hand. No TTL'd lease: it stays until deleted.
    QVERIFY(etcdctl({"put", kPrefix + "/config",
                     R"({"Network": "10.244.0.0/16", "Backend": {"Type": "udp"}})"})
                .ok());
    const QString goKey = kPrefix + "/subnets/10.244.3.0-24";
    const QString goLease = R"({"PublicIP":"10.211.55.123","BackendType":"udp"})";
    QVERIFY(etcdctl({"put", goKey, goLease}).ok());

    // The Go program at that address, and the route the blog post adds by hand (here the
    // whole network, as flannel routes it).
    LabProcess* go = m_lab->start(m_b, {qEnvironmentVariable("GOTUN_SERVER")}, "gotun-server");
    QVERIFY(go);
    QVERIFY2(QTest::qWaitFor(
                 [&] {
                     return m_lab->run(m_b, {"ip", "-4", "addr", "show", "dev", "flannel99"})
                         .output.contains("10.244.3.3/24");
                 },
                 10000),
             go->output().constData());
    QVERIFY(m_lab->ip({"-n", m_b, "route", "add", "10.244.0.0/16", "dev", "flannel99"}).ok());

    // Two mesh hosts through the helper, plain mode.
    LabProcess* hosts[2];
    QString address[2];
    const QString ns[2] = {m_a, m_c};
    for (int i = 0; i < 2; ++i) {
        const QString name = QStringLiteral("f%1").arg(i + 1);
        const QString path = m_lab->writeFile(name + ".json", meshProfile(name));
        hosts[i] = m_lab->start(
            ns[i], {qEnvironmentVariable("PEERTUN_HELPER"), "--standalone", path}, name);
        QVERIFY(hosts[i]);
        QVERIFY2(hosts[i]->waitForOutput("tunnel up", 10000), hosts[i]->output().constData());
        address[i] = QRegularExpression(QStringLiteral("tunnel up: ptmesh0 ([0-9.]+)/"))
                         .match(QString::fromUtf8(hosts[i]->output()))
                         .captured(1);
        QVERIFY2(address[i].startsWith("10.244.") && !address[i].startsWith("10.244.3."),
                 qPrintable(address[i]));
        // The hand-written lease is a member (the tunnel comes up as the lease is taken, the
        // members follow).
        QVERIFY2(QTest::qWaitFor([&] { return peers(hosts[i], name).contains(kGoSubnet); }, 3000),
                 qPrintable(peers(hosts[i], name).join(' ')));
    }
    // Host 1 and the Go program, both ways; the two hosts each other.
    QVERIFY2(msUntilReachable(m_a, kGoAddress, 5000) >= 0, "host 1 -> the Go program");
    QVERIFY2(
        m_lab->run(m_b, {"ping", "-c", "3", "-i", "0.2", "-W", "1", "-I", "10.244.3.3", address[0]})
            .ok(),
        "the Go program -> host 1");
    QVERIFY2(ping(m_a, address[1]) && ping(m_c, address[0]), "host 1 <-> host 2");
    // Host 2's echo requests reach the Go program in its wire format, from host 2's address.
    const qsizetype goFrom = go->output().size();
    m_lab->run(m_c, {"ping", "-c", "3", "-i", "0.2", "-W", "0.3", kGoAddress});
    QVERIFY2(go->waitForOutput(
                 "udpToTun--->Write Msg To /dev/net/tun OK! size:84\tsrcIP:10.211.56.2:8285", 2000,
                 goFrom),
             go->output().right(2000).constData());

    // The lease deleted by hand: gone from both hosts within 2 s; written again: back.
    QVERIFY(etcdctl({"del", goKey}).ok());
    QElapsedTimer t;
    t.start();
    for (int i = 0; i < 2; ++i) {
        const QString name = QStringLiteral("f%1").arg(i + 1);
        QVERIFY2(QTest::qWaitFor([&] { return !peers(hosts[i], name).contains(kGoSubnet); },
                                 int(std::max<qint64>(0, kJoinLimitMs - t.elapsed()))),
                 qPrintable(QStringLiteral("host %1 still has the Go program").arg(i + 1)));
    }
    const qint64 goneMs = t.elapsed();
    QVERIFY2(!ping(m_a, kGoAddress, "0.3"), "the Go program still reached without its lease");
    QVERIFY(etcdctl({"put", goKey, goLease}).ok());
    t.restart();
    QVERIFY2(msUntilReachable(m_a, kGoAddress, kJoinLimitMs) >= 0,
             "host 1 -> the Go program, its lease written again");
    QVERIFY2(QTest::qWaitFor([&] { return peers(hosts[1], "f2").contains(kGoSubnet); },
                             int(std::max<qint64>(0, kJoinLimitMs - t.elapsed()))),
             "host 2 has no Go program again");
    const qint64 backMs = t.elapsed();
    for (LabProcess* h : hosts) {
        QVERIFY(h->sendSignal(SIGTERM));
        QVERIFY(h->waitForExit(5000));
    }
    qInfo("figure: a hand-written flannel lease gone from both hosts %lld ms after its delete, "
          "the Go program reachable from host 1 %lld ms after it was written again; %lld ms in "
          "all",
          (long long)goneMs, (long long)backMs, (long long)took.elapsed());
}

QTEST_GUILESS_MAIN(TestMeshFlannel)
#include "tst_mesh_flannel.moc"