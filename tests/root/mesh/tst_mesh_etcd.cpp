// The mesh agent against a real etcd (Debian's etcd-server 3.4, unpacked into the build tree)
// in a network namespace this test makes. The test process itself enters that namespace, so
// its in-process agents reach etcd on 127.0.0.1; the agent that is killed or cut off runs as
// its own process (mesh_agent_probe) in a second namespace behind a veth pair.
#include "MeshAgent.h"
#include "NetnsLab.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTest>
#include <csignal>
#include <fcntl.h>
#include <memory>
#include <sched.h>
#include <unistd.h>

using namespace peertun;
using namespace peertun::mesh;
using peertun::testlab::CommandResult;
using peertun::testlab::LabProcess;
using peertun::testlab::NetnsLab;

namespace {

constexpr quint16 kClientPort = 23790;
constexpr quint16 kPeerPort = 23800;
constexpr int kTtl = 2; // seconds; etcd's minimum with its default timing

qint64 rssKiB()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly)) {
        return -1;
    }
    for (const QByteArray& line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:")) {
            return line.mid(6).trimmed().split(' ').first().toLongLong();
        }
    }
    return -1;
}

} // namespace

class TestMeshEtcd : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();

    void configRead();
    void leaseInFlannelFormat();
    void secondHostAppearsAndLeaves();
    void racingHostsGetDistinctSubnets();
    void restartTakesSameSubnetBack();
    void killedHostExpiresAfterTtl();
    void partitionedHostTakesItsSubnetBack();
    void partitionedHostWhoseSubnetWasTakenStops();
    void flannelUdpLeaseIsAMember();
    void badLeasesAreIgnored();
    void storeDownKeepsMembersAndResyncs();
    void thousandLeases();
    void failsOverToTheNextEndpoint();
    void tlsWithClientCertificates();
    void usernameAndPassword(); // last: it turns etcd's authentication on and off again

private:
    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(kClientPort); }
    QString probeUrl() const { return QStringLiteral("http://10.77.0.1:%1").arg(kClientPort); }
    bool startEtcd();
    void stopEtcd();
    CommandResult etcdctl(const QStringList& args);
    CommandResult etcdctlTxn(const QByteArray& script);
    void initNetwork(const QString& prefix, const QString& network, const QString& backend,
                     int subnetLen = 24);
    MeshAgentSettings settings(const QString& prefix, const QString& ip,
                               TunnelMode mode = TunnelMode::Plain) const;
    MeshAgent* newAgent(const MeshAgentSettings& s);
    bool waitJoined(MeshAgent* a, int ms = 5000);
    QByteArray etcdValue(const QString& key);
    qint64 etcdLease(const QString& key);
    LabProcess* startProbe(const QString& prefix, const QString& ip);
    static QString probeSubnet(LabProcess* probe); // its "joined" line, as a key name

    std::unique_ptr<NetnsLab> m_lab;
    QString m_ns;      // etcd and this process
    QString m_probeNs; // the probe agent
    QString m_etcdDir;
    int m_rootNs = -1; // this process's own network namespace
    LabProcess* m_etcd = nullptr;
    int m_etcdRuns = 0;
    std::vector<std::unique_ptr<MeshAgent>> m_agents;
};

void TestMeshEtcd::initTestCase()
{
    if (::geteuid() != 0) {
        QSKIP("needs root: creates network namespaces and runs etcd in one");
    }
    m_etcdDir = qEnvironmentVariable("PEERTUN_ETCD_DIR");
    if (!QFile::exists(m_etcdDir + QStringLiteral("/usr/bin/etcd"))) {
        QFAIL(qPrintable(QStringLiteral("etcd is not unpacked at PEERTUN_ETCD_DIR=\"%1\" (the "
                                        "mesh_etcd_unpack test runs scripts/unpack-etcd.sh)")
                             .arg(m_etcdDir)));
    }
    m_lab = std::make_unique<NetnsLab>();
    m_ns = m_lab->addNamespace();
    m_probeNs = m_lab->addNamespace();
    QVERIFY2(!m_ns.isEmpty() && !m_probeNs.isEmpty(), qPrintable(m_lab->lastError()));
    QVERIFY2(m_lab->addVethPair(m_ns, QStringLiteral("ve0"), m_probeNs, QStringLiteral("ve1")),
             qPrintable(m_lab->lastError()));
    QVERIFY(m_lab->addAddress(m_ns, QStringLiteral("ve0"), QStringLiteral("10.77.0.1/24")));
    QVERIFY(m_lab->addAddress(m_probeNs, QStringLiteral("ve1"), QStringLiteral("10.77.0.2/24")));
    // From here on every socket this process opens is in the etcd namespace. The lab ends
    // every process in its namespaces, so this one goes back before the lab is torn down.
    m_rootNs = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    QVERIFY(m_rootNs >= 0);
    const int fd = ::open(qPrintable(QStringLiteral("/run/netns/") + m_ns), O_RDONLY | O_CLOEXEC);
    QVERIFY(fd >= 0);
    QVERIFY2(::setns(fd, CLONE_NEWNET) == 0, strerror(errno));
    ::close(fd);
    QVERIFY(startEtcd());
}

void TestMeshEtcd::cleanupTestCase()
{
    m_agents.clear();
    if (m_rootNs >= 0) {
        QVERIFY2(::setns(m_rootNs, CLONE_NEWNET) == 0, strerror(errno));
        ::close(m_rootNs);
        m_rootNs = -1;
    }
    m_lab.reset(); // stops etcd and the probes, removes the namespaces
}

void TestMeshEtcd::cleanup()
{
    m_agents.clear(); // without leaving: their leases expire, and each test has its own prefix
}

bool TestMeshEtcd::startEtcd()
{
    const QString data = m_lab->tempPath(QStringLiteral("etcd-data"));
    const QString peer = QStringLiteral("http://127.0.0.1:%1").arg(kPeerPort);
    m_etcd = m_lab->start(m_ns,
                          {m_etcdDir + QStringLiteral("/usr/bin/etcd"), QStringLiteral("--name"),
                           QStringLiteral("t"), QStringLiteral("--data-dir"), data,
                           QStringLiteral("--listen-client-urls"), url() + u',' + probeUrl(),
                           QStringLiteral("--advertise-client-urls"), url(),
                           QStringLiteral("--listen-peer-urls"), peer,
                           QStringLiteral("--initial-advertise-peer-urls"), peer,
                           QStringLiteral("--initial-cluster"), QStringLiteral("t=") + peer},
                          QStringLiteral("etcd-%1").arg(++m_etcdRuns));
    if (!m_etcd) {
        qWarning().noquote() << m_lab->lastError();
        return false;
    }
    EtcdSettings s;
    s.endpoints = {QUrl(url())};
    s.timeoutMs = 500;
    EtcdClient client(s);
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 10000) {
        bool done = false;
        QString error;
        client.range("/", {}, [&](const QString& e, const EtcdClient::Range&) {
            error = e;
            done = true;
        });
        if (QTest::qWaitFor([&] { return done; }, 2000) && error.isEmpty()) {
            qInfo("etcd answers after %lld ms", t.elapsed());
            return true;
        }
        QTest::qWait(100);
    }
    qWarning().noquote() << "etcd did not answer:" << m_etcd->output().right(2000);
    return false;
}

void TestMeshEtcd::stopEtcd()
{
    m_etcd->stop(3000);
}

CommandResult TestMeshEtcd::etcdctl(const QStringList& args)
{
    return m_lab->run(m_ns, QStringList{m_etcdDir + QStringLiteral("/usr/bin/etcdctl"),
                                        QStringLiteral("--endpoints"), url()} +
                                args);
}

CommandResult TestMeshEtcd::etcdctlTxn(const QByteArray& script)
{
    static int n = 0;
    const QString file = m_lab->writeFile(QStringLiteral("txn-%1").arg(++n), script);
    return m_lab->run(m_ns, {QStringLiteral("sh"), QStringLiteral("-c"),
                             QStringLiteral("exec %1/usr/bin/etcdctl --endpoints %2 txn < %3")
                                 .arg(m_etcdDir, url(), file)});
}

void TestMeshEtcd::initNetwork(const QString& prefix, const QString& network,
                               const QString& backend, int subnetLen)
{
    // The way a user does it: peertunctl, straight to etcd.
    const CommandResult r = m_lab->run(
        m_ns, {qEnvironmentVariable("PEERTUNCTL"), QStringLiteral("mesh"), QStringLiteral("init"),
               QStringLiteral("--etcd"), url(), QStringLiteral("--network"), network,
               QStringLiteral("--subnet-len"), QString::number(subnetLen),
               QStringLiteral("--backend"), backend, QStringLiteral("--prefix"), prefix});
    QVERIFY2(r.ok(), r.output.constData());
}

MeshAgentSettings TestMeshEtcd::settings(const QString& prefix, const QString& ip,
                                         TunnelMode mode) const
{
    MeshAgentSettings s;
    s.etcd.endpoints = {QUrl(url())};
    s.etcd.timeoutMs = 1000;
    s.prefix = prefix;
    s.mode = mode;
    s.self = Endpoint{QHostAddress(ip), 8285, {}};
    s.leaseTtlSeconds = kTtl;
    s.retryMinMs = 100;
    s.retryMaxMs = 500;
    if (mode == TunnelMode::WireGuard) {
        s.publicKey = QStringLiteral("xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=");
    }
    return s;
}

MeshAgent* TestMeshEtcd::newAgent(const MeshAgentSettings& s)
{
    m_agents.push_back(std::make_unique<MeshAgent>(s));
    return m_agents.back().get();
}

bool TestMeshEtcd::waitJoined(MeshAgent* a, int ms)
{
    return QTest::qWaitFor([a] { return a->state() == MeshAgent::State::Running; }, ms);
}

QByteArray TestMeshEtcd::etcdValue(const QString& key)
{
    const CommandResult r =
        etcdctl({QStringLiteral("get"), key, QStringLiteral("--print-value-only")});
    return r.ok() ? r.output.trimmed() : QByteArray();
}

qint64 TestMeshEtcd::etcdLease(const QString& key)
{
    const CommandResult r =
        etcdctl({QStringLiteral("get"), key, QStringLiteral("-w"), QStringLiteral("json")});
    // Lease IDs use all 64 bits: read the digits, not a JSON double.
    const auto m =
        QRegularExpression(QStringLiteral("\"lease\":(\\d+)")).match(QString::fromUtf8(r.output));
    return m.hasMatch() ? m.captured(1).toLongLong() : 0;
}

LabProcess* TestMeshEtcd::startProbe(const QString& prefix, const QString& ip)
{
    return m_lab->start(m_probeNs,
                        {qEnvironmentVariable("MESH_AGENT_PROBE"), probeUrl(), prefix, ip,
                         QStringLiteral("8285"), QString::number(kTtl)},
                        QStringLiteral("probe"));
}

QString TestMeshEtcd::probeSubnet(LabProcess* probe)
{
    const auto m =
        QRegularExpression(QStringLiteral("^joined (\\S+)$"), QRegularExpression::MultilineOption)
            .match(QString::fromUtf8(probe->output()));
    return m.hasMatch() ? m.captured(1).replace(u'/', u'-') : QString();
}

// ---- cases -------------------------------------------------------------------------------

void TestMeshEtcd::configRead()
{
    const QString prefix = QStringLiteral("/t/config");
    // No config yet: the agent waits for one, says so, and joins once it is written.
    MeshAgent* a = newAgent(settings(prefix, QStringLiteral("10.99.0.1")));
    a->start();
    QVERIFY(QTest::qWaitFor(
        [a] { return a->statusText().contains(QLatin1String("no network config")); }, 3000));
    QCOMPARE(a->state(), MeshAgent::State::Joining);
    initNetwork(prefix, QStringLiteral("10.244.0.0/16"), QStringLiteral("udp"));
    QVERIFY2(waitJoined(a, 8000), qPrintable(a->statusText()));
    QVERIFY(a->networkConfig());
    QCOMPARE(a->networkConfig()->network.toString(), QStringLiteral("10.244.0.0/16"));
    QCOMPARE(a->networkConfig()->subnetLen, 24);
    QCOMPARE(a->networkConfig()->backend, Backend::Udp);
    QVERIFY(a->networkConfig()->network.contains(a->subnet()->address));

    // mode must match the backend: wireguard cannot join a udp network.
    MeshAgent* wg = newAgent(settings(prefix, QStringLiteral("10.99.0.2"), TunnelMode::WireGuard));
    QSignalSpy stopped(wg, &MeshAgent::stopped);
    wg->start();
    QVERIFY(stopped.wait(3000));
    const QString why = stopped.first().first().toString();
    QVERIFY2(why.contains(QLatin1String("backend is \"udp\"")) &&
                 why.contains(QLatin1String("use mode \"plain\"")),
             qPrintable(why));
    QCOMPARE(wg->state(), MeshAgent::State::Stopped);
    QVERIFY(!wg->subnet());

    // A config that is not flannel's: a clear stop.
    const QString badPrefix = QStringLiteral("/t/config-bad");
    QVERIFY(etcdctl({QStringLiteral("put"), badPrefix + QStringLiteral("/config"),
                     QStringLiteral(
                         "{\"Network\": \"10.244.0.0/16\", \"Backend\": {\"Type\": \"vxlan\"}}")})
                .ok());
    MeshAgent* v = newAgent(settings(badPrefix, QStringLiteral("10.99.0.3")));
    QSignalSpy vStopped(v, &MeshAgent::stopped);
    v->start();
    QVERIFY(vStopped.wait(3000));
    QVERIFY2(vStopped.first().first().toString().contains(QLatin1String("\"vxlan\"")),
             qPrintable(vStopped.first().first().toString()));
}

void TestMeshEtcd::leaseInFlannelFormat()
{
    const QString prefix = QStringLiteral("/t/format");
    initNetwork(prefix, QStringLiteral("10.244.0.0/16"), QStringLiteral("udp"));
    MeshAgent* a = newAgent(settings(prefix, QStringLiteral("10.99.0.1")));
    QElapsedTimer t;
    t.start();
    a->start();
    QVERIFY2(waitJoined(a), qPrintable(a->statusText()));
    qInfo("figure: join (config read, lease granted, subnet taken) in %lld ms", t.elapsed());
    const QString key = prefix + QStringLiteral("/subnets/") + subnetKeyName(*a->subnet());
    QVERIFY2(QRegularExpression(QStringLiteral("^/t/format/subnets/10\\.244\\.\\d+\\.0-24$"))
                 .match(key)
                 .hasMatch(),
             qPrintable(key));
    const QJsonObject v = QJsonDocument::fromJson(etcdValue(key)).object();
    QCOMPARE(v.value(QStringLiteral("PublicIP")).toString(), QStringLiteral("10.99.0.1"));
    QCOMPARE(v.value(QStringLiteral("BackendType")).toString(), QStringLiteral("udp"));
    QCOMPARE(
        v.value(QStringLiteral("BackendData")).toObject().value(QStringLiteral("Port")).toInt(),
        8285);
    // On a TTL'd lease that the agent keeps alive.
    QCOMPARE(etcdLease(key), a->leaseId());
    QTest::qWait(kTtl * 1000 + 1000);
    QCOMPARE(etcdLease(key), a->leaseId());

    // peertunctl mesh status shows it with its TTL (as seen by another host: no members here).
    const CommandResult r =
        m_lab->run(m_ns, {qEnvironmentVariable("PEERTUNCTL"), QStringLiteral("mesh"),
                          QStringLiteral("status"), QStringLiteral("--etcd"), url(),
                          QStringLiteral("--prefix"), prefix, QStringLiteral("--json")});
    QVERIFY2(r.ok(), r.output.constData());
    const QJsonArray members =
        QJsonDocument::fromJson(r.output).object().value(QStringLiteral("members")).toArray();
    QCOMPARE(members.size(), 1);
    QCOMPARE(members[0].toObject().value(QStringLiteral("subnet")).toString(),
             a->subnet()->toString());
    QCOMPARE(members[0].toObject().value(QStringLiteral("endpoint")).toString(),
             QStringLiteral("10.99.0.1:8285"));
    const int ttl = members[0].toObject().value(QStringLiteral("leaseTtl")).toInt();
    QVERIFY2(ttl >= 1 && ttl <= kTtl, qPrintable(QString::number(ttl)));

    // WireGuard: the key goes into BackendData.
    const QString wgPrefix = QStringLiteral("/t/format-wg");
    initNetwork(wgPrefix, QStringLiteral("10.245.0.0/16"), QStringLiteral("wireguard"));
    MeshAgent* w = newAgent(settings(wgPrefix, QStringLiteral("10.99.0.2"), TunnelMode::WireGuard));
    w->start();
    QVERIFY2(waitJoined(w), qPrintable(w->statusText()));
    const QJsonObject wv =
        QJsonDocument::fromJson(
            etcdValue(wgPrefix + QStringLiteral("/subnets/") + subnetKeyName(*w->subnet())))
            .object();
    QCOMPARE(wv.value(QStringLiteral("BackendType")).toString(), QStringLiteral("wireguard"));
    QCOMPARE(wv.value(QStringLiteral("BackendData"))
                 .toObject()
                 .value(QStringLiteral("PublicKey"))
                 .toString(),
             QStringLiteral("xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="));
}

void TestMeshEtcd::secondHostAppearsAndLeaves()
{
    const QString prefix = QStringLiteral("/t/second");
    initNetwork(prefix, QStringLiteral("10.244.0.0/16"), QStringLiteral("udp"));
    MeshAgent* a = newAgent(settings(prefix, QStringLiteral("10.99.0.1")));
    a->start();
    QVERIFY(waitJoined(a));
    QVERIFY(a->members().isEmpty());

    MeshAgent* b = newAgent(settings(prefix, QStringLiteral("10.99.0.2")));
    // A tunnel comes up on joined(): the hosts already there must be its peers by then, or a
    // WireGuard handshake they start at once would find it without them.
    qsizetype membersAtJoin = -1;
    connect(b, &MeshAgent::joined, this,
            [&membersAtJoin, b] { membersAtJoin = b->members().size(); });
    QElapsedTimer t;
    t.start();
    b->start();
    QVERIFY(QTest::qWaitFor([a] { return a->members().size() == 1; }, 2000));
    qInfo("figure: a new host is a member of the others %lld ms after it started", t.elapsed());
    QVERIFY(b->subnet());
    QVERIFY(*a->subnet() != *b->subnet());
    const Member m = a->members().first();
    QCOMPARE(m.subnet, *b->subnet());
    QCOMPARE(m.endpoint.toString(), QStringLiteral("10.99.0.2:8285"));
    QCOMPARE(m.leaseId, b->leaseId());
    QVERIFY(QTest::qWaitFor([&membersAtJoin] { return membersAtJoin >= 0; }, 2000));
    QCOMPARE(membersAtJoin, 1);
    QCOMPARE(b->members().first().subnet, *a->subnet());

    QSignalSpy left(b, &MeshAgent::left);
    t.restart();
    b->leave();
    QVERIFY(left.wait(2000));
    QVERIFY(QTest::qWaitFor([a] { return a->members().isEmpty(); }, 2000));
    qInfo("figure: a host that left is gone from the others after %lld ms", t.elapsed());
    QVERIFY(
        etcdValue(prefix + QStringLiteral("/subnets/") + subnetKeyName(*b->subnet())).isEmpty());
}

void TestMeshEtcd::racingHostsGetDistinctSubnets()
{
    const QString prefix = QStringLiteral("/t/race");
    initNetwork(prefix, QStringLiteral("10.244.0.0/16"), QStringLiteral("udp"));
    // Three hosts that all want the same subnet first, started in the same instant.
    QList<MeshAgent*> agents;
    for (int i = 0; i < 3; ++i) {
        MeshAgentSettings s = settings(prefix, QStringLiteral("10.99.0.%1").arg(i + 1));
        s.searchStart = 41;
        agents << newAgent(s);
    }
    for (MeshAgent* a : agents) {
        a->start();
    }
    for (MeshAgent* a : agents) {
        QVERIFY2(waitJoined(a), qPrintable(a->statusText()));
    }
    QSet<QString> subnets;
    for (MeshAgent* a : agents) {
        subnets.insert(a->subnet()->toString());
    }
    QCOMPARE(subnets.size(), 3);
    // The winner has the contested one; the losers took the next free ones.
    QVERIFY(subnets.contains(QStringLiteral("10.244.42.0/24")));
    for (MeshAgent* a : agents) {
        QVERIFY(QTest::qWaitFor([a] { return a->members().size() == 2; }, 2000));
    }
}

void TestMeshEtcd::restartTakesSameSubnetBack()
{
    const QString prefix = QStringLiteral("/t/restart");
    initNetwork(prefix, QStringLiteral("10.244.0.0/16"), QStringLiteral("udp"));
    MeshAgent* a = newAgent(settings(prefix, QStringLiteral("10.99.0.9")));
    a->start();
    QVERIFY(waitJoined(a));
    const Cidr first = *a->subnet();
    const qint64 firstLease = a->leaseId();
    m_agents.clear(); // gone without leaving, as a crashed or rebooted host: the lease stays

    MeshAgent* again = newAgent(settings(prefix, QStringLiteral("10.99.0.9")));
    again->start();
    QVERIFY(waitJoined(again));
    QCOMPARE(*again->subnet(), first);
    QVERIFY(again->leaseId() != firstLease);
    QCOMPARE(etcdLease(prefix + QStringLiteral("/subnets/") + subnetKeyName(first)),
             again->leaseId());

    // Another host never gets it, even while the old lease would still be alive.
    MeshAgent* other = newAgent(settings(prefix, QStringLiteral("10.99.0.10")));
    other->start();
    QVERIFY(waitJoined(other));
    QVERIFY(*other->subnet() != first);
}

void TestMeshEtcd::killedHostExpiresAfterTtl()
{
    const QString prefix = QStringLiteral("/t/kill");
    initNetwork(prefix, QStringLiteral("10.244.0.0/16"), QStringLiteral("udp"));
    MeshAgent* a = newAgent(settings(prefix, QStringLiteral("10.99.0.1")));
    a->start();
    QVERIFY(waitJoined(a));
    LabProcess* probe = startProbe(prefix, QStringLiteral("10.77.0.2"));
    QVERIFY(probe);
    QVERIFY2(probe->waitForOutput("\njoined ", 5000), probe->output().constData());
    QVERIFY(QTest::qWaitFor([a] { return a->members().size() == 1; }, 2000));
    QCOMPARE(a->members().first().endpoint.toString(), QStringLiteral("10.77.0.2:8285"));

    QElapsedTimer t;
    t.start();
    QVERIFY(probe->sendSignal(SIGKILL));
    QVERIFY(QTest::qWaitFor([a] { return a->members().isEmpty(); }, kTtl * 1000 + 3000));
    qInfo("figure: a SIGKILLed host is gone after %lld ms (lease TTL %d s)", t.elapsed(), kTtl);
    QVERIFY2(t.elapsed() >= kTtl * 1000 - 700, "gone before its lease could have expired");

    // And one that is stopped (SIGTERM) leaves at once: it revokes its lease.
    LabProcess* second = startProbe(prefix, QStringLiteral("10.77.0.2"));
    QVERIFY(second && second->waitForOutput("\njoined ", 5000));
    QVERIFY(QTest::qWaitFor([a] { return a->members().size() == 1; }, 2000));
    t.restart();
    second->stop(3000);
    QVERIFY2(second->output().contains("left"), second->output().constData());
    QVERIFY(QTest::qWaitFor([a] { return a->members().isEmpty(); }, 1500));
    qInfo("figure: a stopped host is gone after %lld ms", t.elapsed());
}

void TestMeshEtcd::partitionedHostTakesItsSubnetBack()
{
    const QString prefix = QStringLiteral("/t/partition");
    initNetwork(prefix, QStringLiteral("10.244.0.0/16"), QStringLiteral("udp"));
    LabProcess* probe = startProbe(prefix, QStringLiteral("10.77.0.2"));
    QVERIFY(probe && probe->waitForOutput("\njoined ", 5000));
    const QString key = prefix + QStringLiteral("/subnets/") + probeSubnet(probe);
    const qint64 before = etcdLease(key);
    QVERIFY(before != 0);

    // Cut the host off until its lease has expired and etcd has dropped its key.
    QVERIFY(m_lab
                ->ip({QStringLiteral("-n"), m_probeNs, QStringLiteral("link"),
                      QStringLiteral("set"), QStringLiteral("ve1"), QStringLiteral("down")})
                .ok());
    QVERIFY(QTest::qWaitFor([&] { return etcdValue(key).isEmpty(); }, kTtl * 1000 + 3000));
    const qsizetype mark = probe->output().size();
    QVERIFY(m_lab
                ->ip({QStringLiteral("-n"), m_probeNs, QStringLiteral("link"),
                      QStringLiteral("set"), QStringLiteral("ve1"), QStringLiteral("up")})
                .ok());
    QVERIFY(QTest::qWaitFor([&] { return etcdLease(key) != 0; }, 8000));
    QVERIFY(etcdLease(key) != before);
    QCOMPARE(QJsonDocument::fromJson(etcdValue(key))
                 .object()
                 .value(QStringLiteral("PublicIP"))
                 .toString(),
             QStringLiteral("10.77.0.2"));
    QVERIFY2(probe->waitForOutput("reachable 1", 3000, mark), probe->output().constData());
    QVERIFY(probe->isRunning());
    QVERIFY2(!probe->output().mid(mark).contains("stopped"), probe->output().constData());
}

void TestMeshEtcd::partitionedHostWhoseSubnetWasTakenStops()
{
    const QString prefix = QStringLiteral("/t/stolen");
    initNetwork(prefix, QStringLiteral("10.244.0.0/16"), QStringLiteral("udp"));
    LabProcess* probe = startProbe(prefix, QStringLiteral("10.77.0.2"));
    QVERIFY(probe && probe->waitForOutput("\njoined ", 5000));
    const QString key = prefix + QStringLiteral("/subnets/") + probeSubnet(probe);

    QVERIFY(m_lab
                ->ip({QStringLiteral("-n"), m_probeNs, QStringLiteral("link"),
                      QStringLiteral("set"), QStringLiteral("ve1"), QStringLiteral("down")})
                .ok());
    QVERIFY(QTest::qWaitFor([&] { return etcdValue(key).isEmpty(); }, kTtl * 1000 + 3000));
    // Another host takes the free subnet meanwhile.
    QVERIFY(etcdctl({QStringLiteral("put"), key,
                     QStringLiteral("{\"PublicIP\":\"10.99.0.50\",\"BackendType\":\"udp\"}")})
                .ok());
    QVERIFY(m_lab
                ->ip({QStringLiteral("-n"), m_probeNs, QStringLiteral("link"),
                      QStringLiteral("set"), QStringLiteral("ve1"), QStringLiteral("up")})
                .ok());
    QVERIFY2(probe->waitForExit(10000), probe->output().constData());
    QCOMPARE(probe->exitCode(), 3);
    QVERIFY2(probe->output().contains("another host (10.99.0.50) has taken the subnet"),
             probe->output().constData());
    // It took nothing else.
    QCOMPARE(QJsonDocument::fromJson(etcdValue(key))
                 .object()
                 .value(QStringLiteral("PublicIP"))
                 .toString(),
             QStringLiteral("10.99.0.50"));
    const CommandResult all =
        etcdctl({QStringLiteral("get"), QStringLiteral("--prefix"),
                 prefix + QStringLiteral("/subnets/"), QStringLiteral("--keys-only")});
    QCOMPARE(all.output.trimmed().split('\n').first(), key.toUtf8());
    QCOMPARE(all.output.count("/subnets/"), 1);
}

void TestMeshEtcd::flannelUdpLeaseIsAMember()
{
    const QString prefix = QStringLiteral("/t/flannel");
    initNetwork(prefix, QStringLiteral("10.244.0.0/16"), QStringLiteral("udp"));
    MeshAgent* a = newAgent(settings(prefix, QStringLiteral("10.99.0.1")));
    a->start();
    QVERIFY(waitJoined(a));
    // What flannel's UDP backend writes: a TTL'd lease, PublicIP and BackendType, no data.
    const CommandResult grant =
        etcdctl({QStringLiteral("lease"), QStringLiteral("grant"), QStringLiteral("60")});
    QVERIFY2(grant.ok(), grant.output.constData());
    const QString id = QString::fromUtf8(grant.output.split(' ').value(1));
    const QString key = prefix + QStringLiteral("/subnets/10.244.77.0-24");
    const CommandResult put =
        etcdctl({QStringLiteral("put"), QStringLiteral("--lease=") + id, key,
                 QStringLiteral("{\"PublicIP\":\"10.99.0.7\",\"BackendType\":\"udp\"}")});
    QVERIFY2(put.ok(), put.output.constData());
    QVERIFY(QTest::qWaitFor([a] { return a->members().size() == 1; }, 2000));
    const Member m = a->members().first();
    QCOMPARE(m.subnet.toString(), QStringLiteral("10.244.77.0/24"));
    QCOMPARE(m.endpoint.toString(), QStringLiteral("10.99.0.7:8285"));
    QCOMPARE(m.leaseId, id.toLongLong(nullptr, 16));
    QVERIFY(etcdctl({QStringLiteral("lease"), QStringLiteral("revoke"), id}).ok());
    QVERIFY(QTest::qWaitFor([a] { return a->members().isEmpty(); }, 2000));
}

void TestMeshEtcd::badLeasesAreIgnored()
{
    const QString prefix = QStringLiteral("/t/bad");
    initNetwork(prefix, QStringLiteral("10.244.0.0/16"), QStringLiteral("udp"));
    MeshAgent* a = newAgent(settings(prefix, QStringLiteral("10.99.0.1")));
    a->start();
    QVERIFY(waitJoined(a));
    QSignalSpy bad(a, &MeshAgent::badLease);
    const QString subnets = prefix + QStringLiteral("/subnets/");
    const QString own = subnetKeyName(*a->subnet());
    // Another host's key in the network: never this host's own, which the agent chose at random.
    const auto other = [&own](int third) {
        const QString key = QStringLiteral("10.244.%1.0-24").arg(third);
        return key == own ? QStringLiteral("10.244.%1.0-24").arg(third - 100) : key;
    };
    struct Row
    {
        QString key;
        QByteArray value;
        const char* reason;
    };
    const Row rows[] = {
        {other(200), "{\"PublicIP\":", "malformed"},
        {other(201),
         "{\"PublicIP\":\"10.99.0.201\",\"BackendType\":\"udp\",\"Pad\":\"" +
             QByteArray(4200, 'x') + "\"}",
         "too-big"},
        {QStringLiteral("10.244.202.7-24"),
         "{\"PublicIP\":\"10.99.0.202\",\"BackendType\":\"udp\"}", "bad-subnet"},
        {QStringLiteral("10.250.0.0-24"), "{\"PublicIP\":\"10.99.0.203\",\"BackendType\":\"udp\"}",
         "bad-subnet"},
        {other(204), "{\"PublicIP\":\"10.99.0.204\",\"BackendType\":\"vxlan\"}", "wrong-backend"},
        {other(205), "{\"PublicIP\":\"300.1.1.1\",\"BackendType\":\"udp\"}", "bad-public-ip"},
        {other(206),
         "{\"PublicIP\":\"10.99.0.206\",\"BackendType\":\"udp\",\"BackendData\":{\"Port\":70000}}",
         "bad-port"},
        {other(207), "{\"PublicIP\":\"10.99.0.1\",\"BackendType\":\"udp\"}", "our-endpoint"},
        {own, "{\"PublicIP\":\"10.99.0.66\",\"BackendType\":\"udp\"}", "claims-our-subnet"},
    };
    for (const Row& row : rows) {
        const int seen = int(bad.size());
        const CommandResult put =
            etcdctl({QStringLiteral("put"), subnets + row.key, QString::fromUtf8(row.value)});
        QVERIFY2(put.ok(), put.output.constData());
        QVERIFY2(QTest::qWaitFor([&] { return bad.size() > seen; }, 2000), row.reason);
        QCOMPARE(bad.last().at(0).toString(), row.key);
        QCOMPARE(bad.last().at(1).toString(), QString::fromLatin1(row.reason));
        QVERIFY(!bad.last().at(2).toString().isEmpty());
    }
    QCOMPARE(a->state(), MeshAgent::State::Running);
    QVERIFY(a->members().isEmpty());
    QCOMPARE(a->badLeaseCounts().value(QStringLiteral("bad-subnet")), 2);
    QCOMPARE(a->badLeaseCounts().value(QStringLiteral("malformed")), 1);
    // Our own lease was put back, on our lease.
    QVERIFY(QTest::qWaitFor([&] { return etcdLease(subnets + own) == a->leaseId(); }, 2000));
    QCOMPARE(QJsonDocument::fromJson(etcdValue(subnets + own))
                 .object()
                 .value(QStringLiteral("PublicIP"))
                 .toString(),
             QStringLiteral("10.99.0.1"));
    // Still working: a good lease becomes a member, and a fixed bad one too.
    QVERIFY(etcdctl({QStringLiteral("put"), subnets + other(210),
                     QStringLiteral("{\"PublicIP\":\"10.99.0.210\",\"BackendType\":\"udp\"}")})
                .ok());
    QVERIFY(etcdctl({QStringLiteral("put"), subnets + other(206),
                     QStringLiteral("{\"PublicIP\":\"10.99.0.206\",\"BackendType\":\"udp\","
                                    "\"BackendData\":{\"Port\":7000}}")})
                .ok());
    QVERIFY(QTest::qWaitFor([a] { return a->members().size() == 2; }, 2000));

    // WireGuard: a lease without a usable key.
    const QString wgPrefix = QStringLiteral("/t/bad-wg");
    initNetwork(wgPrefix, QStringLiteral("10.245.0.0/16"), QStringLiteral("wireguard"));
    MeshAgent* w = newAgent(settings(wgPrefix, QStringLiteral("10.99.0.2"), TunnelMode::WireGuard));
    QSignalSpy wgBad(w, &MeshAgent::badLease);
    w->start();
    QVERIFY(waitJoined(w));
    QVERIFY(etcdctl({QStringLiteral("put"), wgPrefix + QStringLiteral("/subnets/10.245.9.0-24"),
                     QStringLiteral("{\"PublicIP\":\"10.99.0.9\",\"BackendType\":\"wireguard\","
                                    "\"BackendData\":{\"PublicKey\":\"short\"}}")})
                .ok());
    QVERIFY(QTest::qWaitFor([&] { return !wgBad.isEmpty(); }, 2000));
    QCOMPARE(wgBad.last().at(1).toString(), QStringLiteral("bad-key"));
    QCOMPARE(w->state(), MeshAgent::State::Running);
}

void TestMeshEtcd::storeDownKeepsMembersAndResyncs()
{
    const QString prefix = QStringLiteral("/t/down");
    initNetwork(prefix, QStringLiteral("10.244.0.0/16"), QStringLiteral("udp"));
    MeshAgent* a = newAgent(settings(prefix, QStringLiteral("10.99.0.1")));
    MeshAgent* b = newAgent(settings(prefix, QStringLiteral("10.99.0.2")));
    a->start();
    b->start();
    QVERIFY(waitJoined(a) && waitJoined(b));
    QVERIFY(QTest::qWaitFor([a] { return a->members().size() == 1; }, 2000));
    const QList<Member> known = a->members();

    QSignalSpy reach(a, &MeshAgent::reachabilityChanged);
    stopEtcd();
    QVERIFY(QTest::qWaitFor([a] { return !a->isReachable(); }, 3000));
    QVERIFY2(a->statusText().contains(QLatin1String("coordination store unreachable since")),
             qPrintable(a->statusText()));
    QVERIFY(a->unreachableSince().isValid());
    // Whatever ended the watch is said in words, never as Qt's "Unknown error".
    QVERIFY2(!a->lastError().isEmpty() && !a->lastError().contains(QLatin1String("Unknown error")),
             qPrintable(a->lastError()));
    // Longer than the lease TTL: the others stay.
    QTest::qWait(kTtl * 1000 + 500);
    QCOMPARE(a->members(), known);
    QCOMPARE(a->state(), MeshAgent::State::Running);

    QVERIFY(startEtcd());
    QElapsedTimer t;
    t.start();
    QVERIFY(QTest::qWaitFor([a] { return a->isReachable(); }, 5000));
    qInfo("figure: reachable again %lld ms after etcd answered", t.elapsed());
    QCOMPARE(reach.size(), 2);
    // The watch is back: a new host shows up.
    MeshAgent* c = newAgent(settings(prefix, QStringLiteral("10.99.0.3")));
    c->start();
    QVERIFY(waitJoined(c));
    QVERIFY(QTest::qWaitFor([a] { return a->members().size() == 2; }, 2000));
    QVERIFY(!a->statusText().contains(QLatin1String("unreachable")));
    // etcd kept our leases through its restart, and the agents kept them alive.
    QCOMPARE(etcdLease(prefix + QStringLiteral("/subnets/") + subnetKeyName(*a->subnet())),
             a->leaseId());
}

void TestMeshEtcd::thousandLeases()
{
    const QString prefix = QStringLiteral("/t/scale");
    initNetwork(prefix, QStringLiteral("10.0.0.0/14"), QStringLiteral("udp")); // 1023 subnets
    MeshAgentSettings s = settings(prefix, QStringLiteral("10.99.0.1"));
    s.searchStart = 1022; // the last subnet, out of the way of the written ones
    MeshAgent* a = newAgent(s);
    a->start();
    QVERIFY(waitJoined(a));
    const qint64 rssBefore = rssKiB();

    // 999 simulated hosts in 8 transactions (etcd allows 128 operations in one).
    const CommandResult grant =
        etcdctl({QStringLiteral("lease"), QStringLiteral("grant"), QStringLiteral("600")});
    QVERIFY(grant.ok());
    const QByteArray lease = grant.output.split(' ').value(1);
    QList<QByteArray> scripts;
    for (int i = 0; i < 999; ++i) {
        if (i % 125 == 0) {
            scripts.append("\n");
        }
        const quint32 net =
            QHostAddress(QStringLiteral("10.0.1.0")).toIPv4Address() + quint32(i) * 256;
        const QByteArray ip =
            QHostAddress(QHostAddress(QStringLiteral("10.100.0.0")).toIPv4Address() + quint32(i) +
                         1)
                .toString()
                .toLatin1();
        scripts.last() += "put --lease=" + lease + " " + prefix.toLatin1() + "/subnets/" +
                          QHostAddress(net).toString().toLatin1() +
                          "-24 "
                          "\"{\\\"PublicIP\\\":\\\"" +
                          ip + "\\\",\\\"BackendType\\\":\\\"udp\\\"}\"\n";
    }
    QElapsedTimer t;
    t.start();
    for (QByteArray& script : scripts) {
        script += "\n\n";
        const CommandResult r = etcdctlTxn(script);
        QVERIFY2(r.ok() && r.output.startsWith("SUCCESS"), r.output.left(500).constData());
    }
    const qint64 written = t.elapsed();
    QVERIFY2(QTest::qWaitFor([a] { return a->members().size() == 999; }, 15000),
             qPrintable(QString::number(a->members().size())));
    const qint64 converged = t.elapsed();
    const qint64 rssAfter = rssKiB();
    qInfo("figure: 999 leases written in %lld ms; the watching agent had 999 members %lld ms "
          "after the first write; RSS %lld KiB -> %lld KiB (+%lld KiB)",
          written, converged, rssBefore, rssAfter, rssAfter - rssBefore);
    QVERIFY(a->badLeaseCounts().isEmpty());

    // A host joining the full network: list, then watch.
    MeshAgentSettings s2 = settings(prefix, QStringLiteral("10.99.0.2"));
    MeshAgent* b = newAgent(s2);
    t.restart();
    b->start();
    QVERIFY(QTest::qWaitFor([b] { return b->members().size() == 1000; }, 15000));
    qInfo("figure: a host joining 1000 leases had all of them as members after %lld ms",
          t.elapsed());
    QVERIFY(QTest::qWaitFor([a] { return a->members().size() == 1000; }, 2000));
    QVERIFY(!b->subnet()->address.isNull());
}

void TestMeshEtcd::failsOverToTheNextEndpoint()
{
    const QString prefix = QStringLiteral("/t/failover");
    initNetwork(prefix, QStringLiteral("10.244.0.0/16"), QStringLiteral("udp"));
    MeshAgentSettings s = settings(prefix, QStringLiteral("10.99.0.1"));
    // Nothing listens on the first one (refused); nobody has the second's address (times out).
    s.etcd.endpoints = {QUrl(QStringLiteral("http://127.0.0.1:23799")),
                        QUrl(QStringLiteral("http://10.77.0.9:23790")), QUrl(url())};
    s.etcd.timeoutMs = 500;
    MeshAgent* a = newAgent(s);
    QElapsedTimer t;
    t.start();
    a->start();
    QVERIFY2(waitJoined(a, 5000), qPrintable(a->statusText()));
    qInfo("figure: joined through the third endpoint after %lld ms", t.elapsed());
    QVERIFY(a->isReachable());
}

void TestMeshEtcd::tlsWithClientCertificates()
{
    // A CA, a server certificate for 127.0.0.1 and a client certificate, all EC P-256.
    const QString dir = m_lab->tempPath(QStringLiteral("tls"));
    QVERIFY(QDir().mkpath(dir));
    const QString serverExt =
        m_lab->writeFile(QStringLiteral("tls/server.ext"),
                         "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n");
    const QString clientExt =
        m_lab->writeFile(QStringLiteral("tls/client.ext"), "extendedKeyUsage=clientAuth\n");
    auto openssl = [&](const QStringList& args) {
        const CommandResult r = m_lab->run(m_ns, QStringList{QStringLiteral("openssl")} + args);
        if (!r.ok()) {
            qWarning().noquote() << r.output;
        }
        return r.ok();
    };
    const QStringList ec{QStringLiteral("-newkey"), QStringLiteral("ec"),
                         QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1"),
                         QStringLiteral("-nodes")};
    QVERIFY(openssl(QStringList{QStringLiteral("req"), QStringLiteral("-x509")} + ec +
                    QStringList{QStringLiteral("-keyout"), dir + QStringLiteral("/ca-key.pem"),
                                QStringLiteral("-out"), dir + QStringLiteral("/ca.pem"),
                                QStringLiteral("-days"), QStringLiteral("1"),
                                QStringLiteral("-subj"), QStringLiteral("/CN=peertun test CA")}));
    for (const QString& who : {QStringLiteral("server"), QStringLiteral("client")}) {
        QVERIFY(openssl(
            QStringList{QStringLiteral("req")} + ec +
            QStringList{QStringLiteral("-keyout"), dir + u'/' + who + QStringLiteral("-key.pem"),
                        QStringLiteral("-out"), dir + u'/' + who + QStringLiteral(".csr"),
                        QStringLiteral("-subj"), QStringLiteral("/CN=") + who}));
        QVERIFY(openssl({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                         dir + u'/' + who + QStringLiteral(".csr"), QStringLiteral("-CA"),
                         dir + QStringLiteral("/ca.pem"), QStringLiteral("-CAkey"),
                         dir + QStringLiteral("/ca-key.pem"), QStringLiteral("-CAcreateserial"),
                         QStringLiteral("-out"), dir + u'/' + who + QStringLiteral(".pem"),
                         QStringLiteral("-days"), QStringLiteral("1"), QStringLiteral("-extfile"),
                         who == u"server" ? serverExt : clientExt}));
    }
    // A second etcd that speaks only TLS and wants a client certificate.
    const QString tlsUrl = QStringLiteral("https://127.0.0.1:23791");
    const QString peer = QStringLiteral("http://127.0.0.1:23801");
    LabProcess* etcd = m_lab->start(m_ns,
                                    {m_etcdDir + QStringLiteral("/usr/bin/etcd"),
                                     QStringLiteral("--name"),
                                     QStringLiteral("tls"),
                                     QStringLiteral("--data-dir"),
                                     m_lab->tempPath(QStringLiteral("etcd-tls-data")),
                                     QStringLiteral("--listen-client-urls"),
                                     tlsUrl,
                                     QStringLiteral("--advertise-client-urls"),
                                     tlsUrl,
                                     QStringLiteral("--listen-peer-urls"),
                                     peer,
                                     QStringLiteral("--initial-advertise-peer-urls"),
                                     peer,
                                     QStringLiteral("--initial-cluster"),
                                     QStringLiteral("tls=") + peer,
                                     QStringLiteral("--cert-file"),
                                     dir + QStringLiteral("/server.pem"),
                                     QStringLiteral("--key-file"),
                                     dir + QStringLiteral("/server-key.pem"),
                                     QStringLiteral("--trusted-ca-file"),
                                     dir + QStringLiteral("/ca.pem"),
                                     QStringLiteral("--client-cert-auth")},
                                    QStringLiteral("etcd-tls"));
    QVERIFY(etcd);
    auto stop = qScopeGuard([etcd] { etcd->stop(3000); });
    const QString prefix = QStringLiteral("/t/tls");
    const CommandResult init = m_lab->run(
        m_ns,
        {m_etcdDir + QStringLiteral("/usr/bin/etcdctl"), QStringLiteral("--endpoints"), tlsUrl,
         QStringLiteral("--cacert"), dir + QStringLiteral("/ca.pem"), QStringLiteral("--cert"),
         dir + QStringLiteral("/client.pem"), QStringLiteral("--key"),
         dir + QStringLiteral("/client-key.pem"), QStringLiteral("--dial-timeout"),
         QStringLiteral("10s"), QStringLiteral("put"), prefix + QStringLiteral("/config"),
         QStringLiteral("{\"Network\": \"10.244.0.0/16\", \"Backend\": {\"Type\": \"udp\"}}")});
    QVERIFY2(init.ok(), init.output.constData());

    MeshAgentSettings s = settings(prefix, QStringLiteral("10.99.0.1"));
    s.etcd.endpoints = {QUrl(tlsUrl)};
    s.etcd.caFile = dir + QStringLiteral("/ca.pem");
    s.etcd.certFile = dir + QStringLiteral("/client.pem");
    s.etcd.keyFile = dir + QStringLiteral("/client-key.pem");
    MeshAgent* a = newAgent(s);
    a->start();
    QVERIFY2(waitJoined(a), qPrintable(a->statusText()));

    // Without a client certificate etcd refuses the handshake; without the CA we refuse etcd.
    MeshAgentSettings noCert = s;
    noCert.self.host = QHostAddress(QStringLiteral("10.99.0.2"));
    noCert.etcd.certFile.clear();
    noCert.etcd.keyFile.clear();
    MeshAgent* b = newAgent(noCert);
    b->start();
    MeshAgentSettings noCa = s;
    noCa.self.host = QHostAddress(QStringLiteral("10.99.0.3"));
    noCa.etcd.caFile.clear();
    MeshAgent* c = newAgent(noCa);
    c->start();
    QVERIFY(QTest::qWaitFor([b, c] { return !b->isReachable() && !c->isReachable(); }, 5000));
    QVERIFY(!b->subnet() && !c->subnet());
    QVERIFY2(c->lastError().contains(QLatin1String("certificate"), Qt::CaseInsensitive),
             qPrintable(c->lastError()));
    QTest::qWait(500);
    QVERIFY(a->members().isEmpty());
}

void TestMeshEtcd::usernameAndPassword()
{
    const QString prefix = QStringLiteral("/t/auth");
    initNetwork(prefix, QStringLiteral("10.244.0.0/16"), QStringLiteral("udp"));
    QVERIFY(
        etcdctl({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("root:pw")}).ok());
    etcdctl({QStringLiteral("role"), QStringLiteral("add"), QStringLiteral("root")}); // may exist
    QVERIFY(etcdctl({QStringLiteral("user"), QStringLiteral("grant-role"), QStringLiteral("root"),
                     QStringLiteral("root")})
                .ok());
    const CommandResult on = etcdctl({QStringLiteral("auth"), QStringLiteral("enable")});
    QVERIFY2(on.ok(), on.output.constData());
    auto authOff = qScopeGuard([this] {
        etcdctl({QStringLiteral("--user"), QStringLiteral("root:pw"), QStringLiteral("auth"),
                 QStringLiteral("disable")});
    });

    MeshAgent* anonymous = newAgent(settings(prefix, QStringLiteral("10.99.0.1")));
    anonymous->start();
    QVERIFY(QTest::qWaitFor([anonymous] { return !anonymous->isReachable(); }, 3000));
    QVERIFY2(anonymous->lastError().contains(QLatin1String("user name is empty")) ||
                 anonymous->lastError().contains(QLatin1String("permission denied")),
             qPrintable(anonymous->lastError()));

    MeshAgentSettings s = settings(prefix, QStringLiteral("10.99.0.2"));
    s.etcd.username = QStringLiteral("root");
    s.etcd.password = QStringLiteral("pw");
    MeshAgent* a = newAgent(s);
    a->start();
    QVERIFY2(waitJoined(a), qPrintable(a->statusText()));

    s.etcd.password = QStringLiteral("wrong");
    MeshAgent* wrong = newAgent(s);
    wrong->start();
    QVERIFY(QTest::qWaitFor([wrong] { return !wrong->isReachable(); }, 3000));
    QVERIFY2(wrong->lastError().contains(QLatin1String("authentication failed")),
             qPrintable(wrong->lastError()));
    QVERIFY2(wrong->statusText().contains(QLatin1String("coordination store refuses requests")),
             qPrintable(wrong->statusText()));
}

QTEST_GUILESS_MAIN(TestMeshEtcd)
#include "tst_mesh_etcd.moc"
