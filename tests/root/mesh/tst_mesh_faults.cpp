// A mesh's faults and scale through the real helper, with real tunnels and traffic: host 1
// connects through the D-Bus helper (private system bus, DBusHarness), hosts 2-6 run
// `peertun-helper --standalone`, each host in its own namespace; one etcd runs in the
// namespace that routes between them. Both backends run side by side on every host (two
// networks under two prefixes, two tunnels per host), so one set of namespaces, one etcd and
// one minute with etcd stopped cover both. In order, sharing that state:
// - four hosts: distinct /24s, all twelve ordered pairs ping;
// - a fifth joins under a steady ping between hosts 1 and 2: reachable from all within 2 s,
//   nobody restarted, no ping lost;
// - it disconnects: gone from the others within 2 s;
// - bad leases written with etcdctl: ignored, counted in the status (D-Bus meshStatus, the
//   standalone SIGUSR1 line), logged at most 10 times a minute, the tunnels keep running;
// - host 4 is SIGKILLed: gone after its lease's TTL (mesh.leaseTtl, 10 s), not before;
// - etcd stopped for a minute: traffic between the hosts goes on, every helper says the store
//   is unreachable (storeUnreachableSinceUnixMs set); etcd back: 0 again, a sixth host joins
//   and everyone reaches it, no ping lost across it all;
// - 1,000 leases (999 simulated hosts written with etcdctl): the D-Bus helper's tunnel has
//   999 peers within a few seconds; time and the helper's RSS are printed.
#include "DBusHarness.h"
#include "HelperClient.h"
#include "Keys.h"
#include "MeshLab.h"
#include "NetnsLab.h"
#include "Payloads.h"

#include <QElapsedTimer>
#include <QFile>
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
constexpr int kLeaseTtl = 10; // mesh.leaseTtl of every host: its minimum
constexpr int kHosts = 6;     // host 1 (D-Bus) and hosts 2-6 (standalone)

struct Backend
{
    const char* tag; // in tunnel names: m1p, m1w
    bool wireguard;
    const char* prefix;
    const char* network;
    const char* iface;
    int port;
};
constexpr Backend kBackends[] = {
    {"p", false, "/peertun/plain", "10.244.0.0/16", "ptmp0", 8285},
    {"w", true, "/peertun/wg", "10.245.0.0/16", "ptmw0", 51820},
};

QString keyText()
{
    const peertun::keys::LockedSecretKey k = peertun::keys::generateKey();
    std::array<char, peertun::keys::kBase64KeyLen + 1> out{};
    peertun::keys::encodeSecretKey(k.bytes(), out);
    return QString::fromLatin1(out.data());
}

QString tunnelName(int host, const Backend& b)
{
    return QStringLiteral("m%1%2").arg(host).arg(QLatin1String(b.tag));
}

QByteArray meshProfile(int host, const Backend& b, const QString& prefix = {},
                       const QString& iface = {}, int port = 0)
{
    QJsonObject itf{{QStringLiteral("name"), iface.isEmpty() ? QLatin1String(b.iface) : iface},
                    {QStringLiteral("listen"), QStringLiteral(":%1").arg(port ? port : b.port)}};
    if (b.wireguard) {
        itf.insert(QStringLiteral("privateKey"), keyText());
    }
    return QJsonDocument(
               QJsonObject{
                   {QStringLiteral("version"), 1},
                   {QStringLiteral("name"), tunnelName(host, b)},
                   {QStringLiteral("mode"),
                    b.wireguard ? QStringLiteral("wireguard") : QStringLiteral("plain")},
                   {QStringLiteral("interface"), itf},
                   {QStringLiteral("mesh"),
                    QJsonObject{{QStringLiteral("etcd"), QJsonArray{kEtcdUrl}},
                                {QStringLiteral("prefix"),
                                 prefix.isEmpty() ? QString::fromLatin1(b.prefix) : prefix},
                                {QStringLiteral("leaseTtl"), kLeaseTtl}}},
               })
        .toJson();
}

QString subnetOf(const QString& address)
{
    return address.section(QLatin1Char('.'), 0, 2) + QStringLiteral(".0/24");
}

// "5 packets transmitted, 5 received" -> {5, 5}
std::pair<int, int> pingCounts(const QByteArray& output)
{
    const QRegularExpressionMatch m =
        QRegularExpression(QStringLiteral("(\\d+) packets transmitted, (\\d+) received"))
            .match(QString::fromUtf8(output));
    return m.hasMatch() ? std::pair{m.captured(1).toInt(), m.captured(2).toInt()}
                        : std::pair{-1, -1};
}

qint64 rssKiB(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly)) {
        return -1;
    }
    const QRegularExpressionMatch m = QRegularExpression(QStringLiteral("VmRSS:\\s+(\\d+) kB"))
                                          .match(QString::fromLatin1(f.readAll()));
    return m.hasMatch() ? m.captured(1).toLongLong() : -1;
}

} // namespace

class TestMeshFaults : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();
    void fourHostsAllPairs();
    void fifthJoinsUnderTraffic();
    void fifthDisconnects();
    void badLeasesThroughTheHelper();
    void killedHostGoneAfterItsTtl();
    void etcdDownForAMinuteThenSixthJoins();
    void thousandLeases();

private:
    struct Host
    {
        QString ns;
        std::array<LabProcess*, 2> helper{}; // standalone hosts, per backend
        std::array<QString, 2> address;      // tunnel address per backend
    };

    bool startEtcd();
    peertun::testlab::CommandResult etcdctl(const QStringList& args);
    bool ping(const QString& ns, const QString& to, int count = 1, const char* wait = "0.5");
    qint64 msUntilReachable(const QString& ns, const QString& to, int limitMs);
    QVariantMap helperTunnel(const QString& name);
    QStringList dbusPeers(const QString& name);
    // A standalone helper's SIGUSR1 report: its peers (by subnet) and its mesh status line.
    QStringList standalonePeers(LabProcess* helper, const QString& tunnel,
                                QString* meshLine = nullptr);
    QStringList peersOf(int host, int backend, QString* status = nullptr);
    bool bringUp(int host);
    bool allPairsPing(const QList<int>& hosts, QString* failed);
    LabProcess* steadyPing(int from, int to, int backend, int count);

    DBusHarness m_harness;
    std::unique_ptr<NetnsLab> m_lab;
    std::unique_ptr<HelperClient> m_client;
    QString m_etcdDir;
    LabProcess* m_etcd = nullptr;
    int m_etcdRuns = 0;
    std::array<Host, kHosts + 1> m_hosts; // 1-based
    uint m_helperPid = 0;
};

void TestMeshFaults::initTestCase()
{
    if (::geteuid() != 0) {
        QSKIP("needs root: namespaces, TUN devices, a private system bus, etcd");
    }
    QElapsedTimer took;
    took.start();
    m_etcdDir = qEnvironmentVariable("PEERTUN_ETCD_DIR");
    QVERIFY2(QFile::exists(m_etcdDir + QStringLiteral("/usr/bin/etcd")),
             "etcd is not unpacked at PEERTUN_ETCD_DIR (the mesh_etcd_unpack test does it)");
    QString error;
    QVERIFY2(m_harness.setUp(&error), qPrintable(error));
    m_client = std::make_unique<HelperClient>(m_harness.bus());
    m_lab = std::make_unique<NetnsLab>();
    // ns2 (10.211.55.123, etcd) routes between ns1 (host 1, the D-Bus helper's, .122) and
    // hosts 2-6 at 10.211.(54+N).2.
    const QString ns1 = m_harness.ns1();
    const QString ns2 = m_harness.ns2();
    m_hosts[1].ns = ns1;
    for (int n = 2; n <= kHosts; ++n) {
        const QString ns = m_lab->addNamespace();
        QVERIFY2(!ns.isEmpty(), qPrintable(m_lab->lastError()));
        m_hosts[n].ns = ns;
        const QString net = QStringLiteral("10.211.%1").arg(54 + n);
        QVERIFY2(m_lab->addVethPair(ns2, QStringLiteral("vh%1").arg(n), ns, QStringLiteral("up0")),
                 qPrintable(m_lab->lastError()));
        QVERIFY(
            m_lab->addAddress(ns2, QStringLiteral("vh%1").arg(n), net + QStringLiteral(".1/24")));
        QVERIFY(m_lab->addAddress(ns, QStringLiteral("up0"), net + QStringLiteral(".2/24")));
        QVERIFY(m_lab->ip({"-n", ns, "route", "add", "default", "via", net + ".1"}).ok());
        QVERIFY(m_lab->ip({"-n", ns1, "route", "add", net + ".0/24", "via", "10.211.55.123"}).ok());
    }
    QVERIFY(m_lab->runOk(ns2, {"sysctl", "-qw", "net.ipv4.ip_forward=1"}));
    QVERIFY2(ping(m_hosts[2].ns, QStringLiteral("10.211.55.122"), 1, "2"), "underlay 2 -> 1");
    QVERIFY2(ping(m_hosts[6].ns, QStringLiteral("10.211.56.2"), 1, "2"), "underlay 6 -> 2");
    QVERIFY(startEtcd());
    // The networks, written the way a user does it; a /12 for the thousand leases.
    for (const auto& [prefix, network, backend] :
         {std::tuple{"/peertun/plain", "10.244.0.0/16", "udp"},
          std::tuple{"/peertun/wg", "10.245.0.0/16", "wireguard"},
          std::tuple{"/peertun/scale", "10.128.0.0/12", "udp"}}) {
        const auto r =
            m_lab->run(ns2, {qEnvironmentVariable("PEERTUNCTL"), "mesh", "init", "--etcd", kEtcdUrl,
                             "--network", network, "--backend", backend, "--prefix", prefix});
        QVERIFY2(r.ok(), r.output.constData());
    }
    qInfo("set up in %lld ms", took.elapsed());
}

bool TestMeshFaults::startEtcd()
{
    const QString data = m_lab->tempPath(QStringLiteral("etcd-data"));
    m_etcd = m_lab->start(m_harness.ns2(),
                          {m_etcdDir + QStringLiteral("/usr/bin/etcd"), "--name", "t", "--data-dir",
                           data, "--listen-client-urls", kEtcdUrl, "--advertise-client-urls",
                           kEtcdUrl, "--listen-peer-urls", "http://127.0.0.1:2380",
                           "--initial-advertise-peer-urls", "http://127.0.0.1:2380",
                           "--initial-cluster", "t=http://127.0.0.1:2380"},
                          QStringLiteral("etcd-%1").arg(++m_etcdRuns));
    if (!m_etcd) {
        return false;
    }
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 10000) {
        if (etcdctl({"endpoint", "health"}).ok()) {
            return true;
        }
        QTest::qWait(100);
    }
    qWarning().noquote() << "etcd did not answer:" << m_etcd->output().right(2000);
    return false;
}

peertun::testlab::CommandResult TestMeshFaults::etcdctl(const QStringList& args)
{
    return m_lab->run(m_harness.ns2(), QStringList{m_etcdDir + QStringLiteral("/usr/bin/etcdctl"),
                                                   QStringLiteral("--endpoints"), kEtcdUrl} +
                                           args);
}

void TestMeshFaults::cleanup()
{
    if (QTest::currentTestFailed()) {
        m_harness.dumpLogs();
        peertun::testlab::printProcessOutputs(*m_lab, 3000);
    }
}

void TestMeshFaults::cleanupTestCase()
{
    m_client.reset();
    m_lab.reset(); // etcd and the standalone hosts, their namespaces
    m_harness.tearDown();
}

bool TestMeshFaults::ping(const QString& ns, const QString& to, int count, const char* wait)
{
    return peertun::testlab::pingFrom(*m_lab, ns, to, count, wait);
}

qint64 TestMeshFaults::msUntilReachable(const QString& ns, const QString& to, int limitMs)
{
    return peertun::testlab::msUntilReachable(*m_lab, ns, to, limitMs);
}

QVariantMap TestMeshFaults::helperTunnel(const QString& name)
{
    auto reply = m_client->listTunnels();
    reply.waitForFinished();
    return HelperClient::tunnelNamed(HelperClient::toPlain(reply.value()), name);
}

QStringList TestMeshFaults::dbusPeers(const QString& name)
{
    QStringList names;
    for (const auto& p : peertun::dbus::TunnelInfo::fromVariant(helperTunnel(name)).peers) {
        names << p.name;
    }
    return names;
}

QStringList TestMeshFaults::standalonePeers(LabProcess* helper, const QString& tunnel,
                                            QString* meshLine)
{
    const qsizetype from = helper->output().size();
    helper->sendSignal(SIGUSR1);
    // The mesh line comes after the stats block: then the block is complete.
    const QByteArray needle = "mesh tunnel=" + tunnel.toUtf8() + ' ';
    if (!helper->waitForOutput(needle, 3000, from)) {
        return {QStringLiteral("(no stats)")};
    }
    const QByteArray out = helper->output().mid(from);
    if (meshLine) {
        const qsizetype at = out.indexOf(needle);
        *meshLine = QString::fromUtf8(out.mid(at, out.indexOf('\n', at) - at));
    }
    const auto stats = peertun::testlab::parseStats(out, tunnel);
    return stats ? QStringList(stats->peers.keys()) : QStringList{};
}

QStringList TestMeshFaults::peersOf(int host, int backend, QString* status)
{
    const Backend& b = kBackends[backend];
    if (host == 1) {
        const auto info = peertun::dbus::TunnelInfo::fromVariant(helperTunnel(tunnelName(1, b)));
        if (status) {
            *status = info.meshStatus;
        }
        QStringList names;
        for (const auto& p : info.peers) {
            names << p.name;
        }
        return names;
    }
    return standalonePeers(m_hosts[host].helper[backend], tunnelName(host, b), status);
}

bool TestMeshFaults::bringUp(int host)
{
    Host& h = m_hosts[host];
    for (int i = 0; i < 2; ++i) {
        const Backend& b = kBackends[i];
        if (host == 1) {
            auto c = m_client->connectTunnel(QString::fromUtf8(meshProfile(1, b)));
            c.waitForFinished();
            if (c.isError()) {
                qWarning().noquote() << "Connect:" << c.error().message();
                return false;
            }
            continue;
        }
        const QString name = tunnelName(host, b);
        const QString path = m_lab->writeFile(name + QStringLiteral(".json"), meshProfile(host, b));
        h.helper[i] = m_lab->start(
            h.ns, {m_harness.helperBinary(), QStringLiteral("--standalone"), path}, name);
        if (!h.helper[i]) {
            return false;
        }
    }
    // Both tunnels up, with the lease's address.
    for (int i = 0; i < 2; ++i) {
        const Backend& b = kBackends[i];
        if (host == 1) {
            const QString name = tunnelName(1, b);
            if (!QTest::qWaitFor(
                    [&] {
                        return helperTunnel(name).value(key::kState).toString() ==
                               QLatin1String("connected");
                    },
                    10000)) {
                qWarning().noquote() << name << "not connected:" << helperTunnel(name);
                return false;
            }
            h.address[i] =
                helperTunnel(name).value(key::kAddress).toString().section(QLatin1Char('/'), 0, 0);
        } else {
            const QByteArray up = QByteArray("tunnel up: ") + b.iface + ' ';
            if (!h.helper[i]->waitForOutput(up, 10000)) {
                return false;
            }
            const QRegularExpressionMatch m =
                QRegularExpression(QString::fromLatin1(up) + QStringLiteral("([0-9.]+)/"))
                    .match(QString::fromUtf8(h.helper[i]->output()));
            h.address[i] = m.captured(1);
        }
        if (!h.address[i].startsWith(QLatin1String(b.network).left(7))) {
            qWarning().noquote() << "host" << host << "address" << h.address[i];
            return false;
        }
    }
    return true;
}

bool TestMeshFaults::allPairsPing(const QList<int>& hosts, QString* failed)
{
    for (int i = 0; i < 2; ++i) {
        for (const int from : hosts) {
            for (const int to : hosts) {
                if (from != to &&
                    msUntilReachable(m_hosts[from].ns, m_hosts[to].address[i], 5000) < 0) {
                    *failed = QStringLiteral("%1: host %2 -> host %3 (%4)")
                                  .arg(QLatin1String(kBackends[i].tag))
                                  .arg(from)
                                  .arg(to)
                                  .arg(m_hosts[to].address[i]);
                    return false;
                }
            }
        }
    }
    return true;
}

LabProcess* TestMeshFaults::steadyPing(int from, int to, int backend, int count)
{
    return m_lab->start(m_hosts[from].ns,
                        {"ping", "-D", "-O", "-c", QString::number(count), "-i", "0.1", "-W", "2",
                         m_hosts[to].address[backend]},
                        QStringLiteral("ping %1->%2 %3")
                            .arg(from)
                            .arg(to)
                            .arg(QLatin1String(kBackends[backend].tag)));
}

void TestMeshFaults::fourHostsAllPairs()
{
    QElapsedTimer took;
    took.start();
    for (int host = 1; host <= 4; ++host) {
        QVERIFY2(bringUp(host), qPrintable(QStringLiteral("host %1 did not come up").arg(host)));
    }
    m_helperPid = m_harness.helperPid();
    QVERIFY(m_helperPid != 0);
    for (int i = 0; i < 2; ++i) {
        QSet<QString> subnets;
        for (int host = 1; host <= 4; ++host) {
            subnets.insert(subnetOf(m_hosts[host].address[i]));
        }
        QCOMPARE(subnets.size(), 4); // distinct /24s
    }
    // One MTU on every host whatever the order they joined in: the 1500 of the veths less
    // the IPv4 overhead of the mode (the first host came up alone, without a peer to look at).
    for (int host = 1; host <= 4; ++host) {
        for (int i = 0; i < 2; ++i) {
            const QByteArray link =
                m_lab->run(m_hosts[host].ns, {"ip", "link", "show", "dev", kBackends[i].iface})
                    .output;
            QVERIFY2(link.contains(kBackends[i].wireguard ? " mtu 1440 " : " mtu 1472 "),
                     link.constData());
        }
    }
    QString failed;
    QVERIFY2(allPairsPing({1, 2, 3, 4}, &failed), qPrintable(failed));
    for (int i = 0; i < 2; ++i) {
        const auto info =
            peertun::dbus::TunnelInfo::fromVariant(helperTunnel(tunnelName(1, kBackends[i])));
        QVERIFY(info.mesh);
        QVERIFY2(info.meshStatus.startsWith(QLatin1String("running: subnet ")),
                 qPrintable(info.meshStatus));
        QVERIFY2(info.meshStatus.contains(QLatin1String(", 3 members")),
                 qPrintable(info.meshStatus));
        QCOMPARE(info.storeUnreachableSinceUnixMs, 0);
        QCOMPARE(info.peers.size(), 3);
    }
    qInfo("four hosts, both backends, 24 ordered pairs ping: %lld ms", took.elapsed());
}

void TestMeshFaults::fifthJoinsUnderTraffic()
{
    QVERIFY(m_hosts[4].helper[0]);
    // A steady ping between hosts 1 and 2 on each backend, through the join.
    LabProcess* steady[2] = {steadyPing(1, 2, 0, 40), steadyPing(2, 1, 1, 40)};
    QVERIFY(steady[0] && steady[1]);
    QTest::qWait(500);
    QElapsedTimer started;
    started.start();
    qInfo("host 5 starts at %.3f", QDateTime::currentMSecsSinceEpoch() / 1000.0);
    QVERIFY2(bringUp(5), "host 5 did not come up");
    qInfo("host 5 up at %.3f", QDateTime::currentMSecsSinceEpoch() / 1000.0);
    const qint64 upMs = started.elapsed();
    QElapsedTimer joined;
    joined.start();
    for (int i = 0; i < 2; ++i) {
        for (int from = 1; from <= 4; ++from) {
            const qint64 ms = msUntilReachable(m_hosts[from].ns, m_hosts[5].address[i],
                                               int(kJoinLimitMs - joined.elapsed()));
            QVERIFY2(ms >= 0, qPrintable(QStringLiteral("%1: host 5 not reachable from host %2 "
                                                        "within 2 s of its tunnel coming up")
                                             .arg(QLatin1String(kBackends[i].tag))
                                             .arg(from)));
        }
    }
    const qint64 reachMs = joined.elapsed();
    QString failed;
    QVERIFY2(allPairsPing({5, 1, 2, 3, 4}, &failed), qPrintable(failed));
    for (LabProcess* p : steady) {
        QVERIFY2(p->waitForExit(15000), p->output().constData());
        const auto [sent, received] = pingCounts(p->output());
        QVERIFY2(sent == 40 && received == 40,
                 qPrintable(p->label() + QStringLiteral(": ") + QString::fromUtf8(p->output())));
    }
    // Nobody restarted: the same helper processes, the D-Bus tunnels still connected.
    QCOMPARE(m_harness.helperPid(), m_helperPid);
    for (int host = 2; host <= 4; ++host) {
        QVERIFY(m_hosts[host].helper[0]->isRunning() && m_hosts[host].helper[1]->isRunning());
    }
    qInfo("figure: host 5 up %lld ms after its start; reachable from hosts 1-4 on both "
          "backends %lld ms after its tunnels were up; 80 steady pings between hosts 1 and 2, "
          "none lost",
          (long long)upMs, (long long)reachMs);
}

void TestMeshFaults::fifthDisconnects()
{
    Host& h5 = m_hosts[5];
    QVERIFY(h5.helper[0] && h5.helper[1]);
    const QString gone[2] = {subnetOf(h5.address[0]), subnetOf(h5.address[1])};
    QVERIFY(dbusPeers(tunnelName(1, kBackends[0])).contains(gone[0]));
    QVERIFY(h5.helper[0]->sendSignal(SIGTERM) && h5.helper[1]->sendSignal(SIGTERM));
    QElapsedTimer leaving;
    leaving.start();
    QVERIFY(h5.helper[0]->waitForExit(5000) && h5.helper[1]->waitForExit(5000));
    h5.helper = {};
    for (int i = 0; i < 2; ++i) {
        for (int host = 1; host <= 4; ++host) {
            QVERIFY2(QTest::qWaitFor([&] { return !peersOf(host, i).contains(gone[i]); },
                                     int(std::max<qint64>(0, kJoinLimitMs - leaving.elapsed()))),
                     qPrintable(QStringLiteral("%1: host 5 still a peer of host %2 after %3 ms")
                                    .arg(QLatin1String(kBackends[i].tag))
                                    .arg(host)
                                    .arg(leaving.elapsed())));
        }
    }
    const qint64 leaveMs = leaving.elapsed();
    QVERIFY2(!ping(m_hosts[1].ns, h5.address[0], 1, "0.3"), "host 5 still answers");
    QString failed;
    QVERIFY2(allPairsPing({1, 2, 3, 4}, &failed), qPrintable(failed));
    qInfo("figure: host 5 gone from all peers of hosts 1-4 on both backends %lld ms after "
          "SIGTERM",
          (long long)leaveMs);
}

void TestMeshFaults::badLeasesThroughTheHelper()
{
    const Backend& plain = kBackends[0];
    const QString subnets = QLatin1String(plain.prefix) + QStringLiteral("/subnets/");
    const QString ownKey =
        subnets + subnetOf(m_hosts[1].address[0]).replace(QLatin1Char('/'), QLatin1Char('-'));
    const QByteArray h2Before = m_hosts[2].helper[0]->output();
    const qsizetype logFrom = [&] {
        QFile f(m_harness.helperLogPath());
        return f.open(QIODevice::ReadOnly) ? f.readAll().size() : 0;
    }();
    // 14 malformed values in one transaction (more than the 10 log lines a minute), one too
    // big, two bad subnet keys, one that claims host 1's subnet; a bad key in WireGuard's.
    // Subnets no host holds (a value written over a host's own key is that host's
    // claims-our-subnet, not a malformed lease).
    QList<int> free;
    for (int octet = 200; free.size() < 15; ++octet) {
        bool held = false;
        for (int host = 1; host <= 4; ++host) {
            held =
                held || m_hosts[host].address[0].section(QLatin1Char('.'), 2, 2).toInt() == octet;
        }
        if (!held) {
            free << octet;
        }
    }
    QByteArray txn = "\n"; // no compares: the puts are the success branch
    for (int i = 0; i < 14; ++i) {
        txn += QStringLiteral("put %1 \"not json %2\"\n")
                   .arg(subnets + QStringLiteral("10.244.%1.0-24").arg(free[i]))
                   .arg(i)
                   .toUtf8();
    }
    txn += "\n\n";
    const QString file = m_lab->writeFile(QStringLiteral("bad.txn"), txn);
    const auto r = m_lab->run(m_harness.ns2(),
                              {"sh", "-c",
                               QStringLiteral("exec %1/usr/bin/etcdctl --endpoints %2 txn < %3")
                                   .arg(m_etcdDir, kEtcdUrl, file)});
    QVERIFY2(r.ok() && r.output.contains("SUCCESS"), r.output.constData());
    const QString foreign = QStringLiteral(
        R"({"PublicIP":"10.211.99.9","BackendType":"udp","BackendData":{"Port":8285}})");
    QVERIFY(etcdctl({"put", subnets + QStringLiteral("10.244.%1.0-24").arg(free[14]),
                     QStringLiteral(R"({"PublicIP":"10.211.99.9","BackendType":"udp","Pad":"%1"})")
                         .arg(QString(5000, QLatin1Char('x')))})
                .ok());
    QVERIFY(etcdctl({"put", subnets + "10.244.221.7-24", foreign}).ok());
    QVERIFY(etcdctl({"put", subnets + "10.244.0.0-33", foreign}).ok());
    QVERIFY(etcdctl({"put", ownKey, foreign}).ok());
    QVERIFY(etcdctl({"put", QLatin1String(kBackends[1].prefix) + "/subnets/10.245.200.0-24",
                     R"({"PublicIP":"10.211.99.9","BackendType":"wireguard",)"
                     R"("BackendData":{"PublicKey":"not a key","Port":51820}})"})
                .ok());

    // Host 1 takes its subnet back: our value again, on our lease.
    QVERIFY2(QTest::qWaitFor(
                 [&] {
                     return etcdctl({"get", ownKey, "--print-value-only"})
                         .output.contains("10.211.55.122");
                 },
                 3000),
             etcdctl({"get", ownKey}).output.constData());
    // Counted by reason, in the status of every host's tunnel.
    const QString plainCounts = QStringLiteral("bad-subnet 2, malformed 14, too-big 1");
    QString status;
    QVERIFY2(QTest::qWaitFor(
                 [&] {
                     peersOf(1, 0, &status); // by reason, in name order
                     return status.contains(QStringLiteral("ignored leases: bad-subnet 2, "
                                                           "claims-our-subnet 1, malformed 14, "
                                                           "too-big 1"));
                 },
                 3000),
             qPrintable(status));
    QVERIFY2(QTest::qWaitFor(
                 [&] {
                     peersOf(2, 0, &status);
                     return status.contains(QStringLiteral("ignored leases: ") + plainCounts);
                 },
                 3000),
             qPrintable(status));
    QVERIFY2(QTest::qWaitFor(
                 [&] {
                     peersOf(3, 1, &status);
                     return status.contains(QStringLiteral("ignored leases: bad-key 1"));
                 },
                 3000),
             qPrintable(status));
    QVERIFY2(QTest::qWaitFor(
                 [&] {
                     peersOf(1, 1, &status);
                     return status.contains(QStringLiteral("ignored leases: bad-key 1"));
                 },
                 3000),
             qPrintable(status));
    // Logged, at most 10 lines a minute per tunnel, naming the network.
    const QByteArray h2Log = m_hosts[2].helper[0]->output().mid(h2Before.size());
    QCOMPARE(h2Log.count("ignoring the lease " + subnets.toUtf8()), 10);
    QVERIFY2(h2Log.contains("-24 (malformed): its value is not JSON"), h2Log.constData());
    QFile log(m_harness.helperLogPath());
    QVERIFY(log.open(QIODevice::ReadOnly));
    const QByteArray dbusLog = log.readAll().mid(logFrom);
    QVERIFY2(dbusLog.contains("ignoring the lease " + subnets.toUtf8()),
             dbusLog.right(3000).constData());
    QVERIFY2(dbusLog.contains("ignoring the lease " + QByteArray(kBackends[1].prefix) +
                              "/subnets/10.245.200.0-24 (bad-key)"),
             dbusLog.right(3000).constData());
    // The tunnels keep running on the same members.
    for (int i = 0; i < 2; ++i) {
        QCOMPARE(peersOf(1, i).size(), 3);
        QCOMPARE(peersOf(2, i).size(), 3);
    }
    QString failed;
    QVERIFY2(allPairsPing({1, 2, 3, 4}, &failed), qPrintable(failed));
    QCOMPARE(m_harness.helperPid(), m_helperPid);
}

void TestMeshFaults::killedHostGoneAfterItsTtl()
{
    Host& h4 = m_hosts[4];
    QVERIFY(h4.helper[0] && h4.helper[1]);
    const QString gone[2] = {subnetOf(h4.address[0]), subnetOf(h4.address[1])};
    QVERIFY(h4.helper[0]->sendSignal(SIGKILL) && h4.helper[1]->sendSignal(SIGKILL));
    QElapsedTimer killed;
    killed.start();
    QVERIFY(h4.helper[0]->waitForExit(3000) && h4.helper[1]->waitForExit(3000));
    h4.helper = {};
    // Its lease was last kept alive at most TTL/3 before the kill: a member until then.
    QTest::qWait(kLeaseTtl * 1000 * 2 / 3 - 1500);
    QVERIFY2(peersOf(1, 0).contains(gone[0]) && peersOf(2, 1).contains(gone[1]),
             "host 4 gone before its lease could have expired");
    for (int i = 0; i < 2; ++i) {
        for (int host = 1; host <= 3; ++host) {
            QVERIFY2(QTest::qWaitFor(
                         [&] { return !peersOf(host, i).contains(gone[i]); },
                         int(std::max<qint64>(0, (kLeaseTtl + 3) * 1000 - killed.elapsed()))),
                     qPrintable(QStringLiteral("%1: host 4 still a peer of host %2 %3 ms after "
                                               "SIGKILL")
                                    .arg(QLatin1String(kBackends[i].tag))
                                    .arg(host)
                                    .arg(killed.elapsed())));
        }
    }
    qInfo("figure: a SIGKILLed host gone from all others %lld ms after the kill (TTL %d s)",
          killed.elapsed(), kLeaseTtl);
}

void TestMeshFaults::etcdDownForAMinuteThenSixthJoins()
{
    // Steady pings on both backends, one each way, through a minute without etcd, its
    // return and the sixth host's join: 80 s at 10 a second.
    constexpr int kPings = 800;
    LabProcess* steady[] = {steadyPing(1, 2, 0, kPings), steadyPing(3, 1, 1, kPings),
                            steadyPing(2, 3, 0, kPings)};
    for (LabProcess* p : steady) {
        QVERIFY(p);
    }
    QTest::qWait(300);
    const qint64 stoppedAt = QDateTime::currentMSecsSinceEpoch();
    m_etcd->stop(3000);
    QElapsedTimer down;
    down.start();
    // Every helper notices and says so (the next keep-alive fails: within TTL/3 + 3 s).
    for (int i = 0; i < 2; ++i) {
        const QString name = tunnelName(1, kBackends[i]);
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         return peertun::dbus::TunnelInfo::fromVariant(helperTunnel(name))
                                    .storeUnreachableSinceUnixMs != 0;
                     },
                     kLeaseTtl * 1000 / 3 + 5000),
                 qPrintable(helperTunnel(name).value(key::kMeshStatus).toString()));
        const auto info = peertun::dbus::TunnelInfo::fromVariant(helperTunnel(name));
        QVERIFY2(info.storeUnreachableSinceUnixMs >= stoppedAt - 1000 &&
                     info.storeUnreachableSinceUnixMs <= QDateTime::currentMSecsSinceEpoch(),
                 qPrintable(QString::number(info.storeUnreachableSinceUnixMs - stoppedAt)));
        QVERIFY2(info.meshStatus.contains(QLatin1String("coordination store unreachable since")),
                 qPrintable(info.meshStatus));
        QCOMPARE(info.state, peertun::dbus::TunnelState::Connected);
        QCOMPARE(info.peers.size(), 2);
        // GetStats carries it too.
        auto stats = m_client->stats(name);
        stats.waitForFinished();
        QVERIFY(peertun::dbus::TunnelCounters::fromVariant(HelperClient::toPlain(stats.value()))
                    .storeUnreachableSinceUnixMs != 0);
        for (int host = 2; host <= 3; ++host) {
            QString line;
            QVERIFY2(QTest::qWaitFor(
                         [&] {
                             peersOf(host, i, &line);
                             return line.contains(
                                 QLatin1String("coordination store unreachable since"));
                         },
                         5000),
                     qPrintable(line));
            QCOMPARE(peersOf(host, i).size(), 2);
        }
    }
    const qint64 noticedMs = down.elapsed();
    // Traffic goes on between the existing hosts, all pairs, the whole minute.
    int rounds = 0;
    while (down.elapsed() < 60000) {
        QString failed;
        QVERIFY2(allPairsPing({1, 2, 3}, &failed),
                 qPrintable(failed +
                            QStringLiteral(" after %1 s without etcd").arg(down.elapsed() / 1000)));
        ++rounds;
        QTest::qWait(int(std::min<qint64>(10000, std::max<qint64>(0, 60000 - down.elapsed()))));
    }
    for (int host = 2; host <= 3; ++host) {
        QVERIFY(m_hosts[host].helper[0]->isRunning() && m_hosts[host].helper[1]->isRunning());
    }
    QCOMPARE(m_harness.helperPid(), m_helperPid);

    // etcd back: reachable again (0 on D-Bus), the leases still ours, a sixth host joins.
    QVERIFY(startEtcd());
    QElapsedTimer back;
    back.start();
    for (int i = 0; i < 2; ++i) {
        const QString name = tunnelName(1, kBackends[i]);
        QVERIFY2(QTest::qWaitFor(
                     [&] {
                         return peertun::dbus::TunnelInfo::fromVariant(helperTunnel(name))
                                    .storeUnreachableSinceUnixMs == 0;
                     },
                     10000),
                 qPrintable(helperTunnel(name).value(key::kMeshStatus).toString()));
        QVERIFY2(!helperTunnel(name)
                      .value(key::kMeshStatus)
                      .toString()
                      .contains(QLatin1String("unreachable")),
                 qPrintable(helperTunnel(name).value(key::kMeshStatus).toString()));
    }
    const qint64 reachableMs = back.elapsed();
    QVERIFY2(bringUp(6), "host 6 did not come up");
    QElapsedTimer joined;
    joined.start();
    for (int i = 0; i < 2; ++i) {
        for (int from = 1; from <= 3; ++from) {
            QVERIFY2(msUntilReachable(m_hosts[from].ns, m_hosts[6].address[i],
                                      int(kJoinLimitMs - joined.elapsed())) >= 0,
                     qPrintable(QStringLiteral("%1: host 6 not reachable from host %2")
                                    .arg(QLatin1String(kBackends[i].tag))
                                    .arg(from)));
        }
    }
    const qint64 sixthMs = joined.elapsed();
    QString failed;
    QVERIFY2(allPairsPing({1, 2, 3, 6}, &failed), qPrintable(failed));
    for (int i = 0; i < 2; ++i) {
        for (int host : {1, 2, 3, 6}) {
            QCOMPARE(peersOf(host, i).size(), 3);
        }
    }
    for (LabProcess* p : steady) {
        QVERIFY2(p->waitForExit(int(kPings * 100 + 20000)), qPrintable(p->label()));
        const auto [sent, received] = pingCounts(p->output());
        QVERIFY2(sent == kPings && received == kPings,
                 qPrintable(p->label() + QStringLiteral(": ") + QString::fromUtf8(p->output())));
    }
    qInfo("figure: etcd stopped: every helper said so within %lld ms; %d rounds of all pairs "
          "pinged in the minute without it; reachable again %lld ms after it was started; host "
          "6 reachable from hosts 1-3 %lld ms after its tunnels were up; %d steady pings, none "
          "lost",
          (long long)noticedMs, rounds, (long long)reachableMs, (long long)sixthMs, kPings * 3);
}

void TestMeshFaults::thousandLeases()
{
    // Host 1 joins a third network, plain, beside its two tunnels; 999 simulated hosts are
    // then written with etcdctl (etcd allows 128 operations in a transaction).
    const Backend& plain = kBackends[0];
    const QString name = QStringLiteral("m1s");
    QByteArray profile =
        meshProfile(1, plain, QStringLiteral("/peertun/scale"), QStringLiteral("ptms0"), 8300);
    profile.replace("\"m1p\"", "\"m1s\"");
    const qint64 rssBefore = rssKiB(m_helperPid);
    auto c = m_client->connectTunnel(QString::fromUtf8(profile));
    c.waitForFinished();
    QVERIFY2(!c.isError(), qPrintable(c.error().message()));
    QTRY_COMPARE_WITH_TIMEOUT(helperTunnel(name).value(key::kState).toString(),
                              QStringLiteral("connected"), 10000);
    const qint64 rssJoined = rssKiB(m_helperPid);
    const QString own = subnetOf(helperTunnel(name).value(key::kAddress).toString());
    QElapsedTimer t;
    t.start();
    int written = 0;
    for (int batch = 0; written < 999; ++batch) {
        QByteArray txn = "\n"; // no compares: the puts are the success branch
        for (int ops = 0; ops < 125 && written < 999; ++ops) {
            const int k = written + 1;
            const QString subnet = QStringLiteral("10.%1.%2.0").arg(128 + k / 256).arg(k % 256);
            ++written;
            if (subnet + QStringLiteral("/24") == own) {
                --ops;
                continue; // not over our own lease: written as the thousandth below
            }
            txn += QStringLiteral("put /peertun/scale/subnets/%1-24 "
                                  "\"{\\\"PublicIP\\\":\\\"10.99.%2.%3\\\",\\\"BackendType\\\":"
                                  "\\\"udp\\\"}\"\n")
                       .arg(subnet)
                       .arg(k / 250)
                       .arg(k % 250 + 1)
                       .toUtf8();
        }
        txn += "\n\n";
        const QString file = m_lab->writeFile(QStringLiteral("scale-%1.txn").arg(batch), txn);
        const auto r = m_lab->run(m_harness.ns2(),
                                  {"sh", "-c",
                                   QStringLiteral("exec %1/usr/bin/etcdctl --endpoints %2 txn < %3")
                                       .arg(m_etcdDir, kEtcdUrl, file)});
        QVERIFY2(r.ok() && r.output.contains("SUCCESS"), r.output.left(2000).constData());
    }
    // Our own subnet was among 1-999: one more simulated host beyond them.
    int members = 0;
    for (int k = 1; k <= 999; ++k) {
        members += QStringLiteral("10.%1.%2.0/24").arg(128 + k / 256).arg(k % 256) != own;
    }
    if (members < 999) {
        QVERIFY(etcdctl({"put", "/peertun/scale/subnets/10.131.232.0-24",
                         R"({"PublicIP":"10.99.9.9","BackendType":"udp"})"})
                    .ok());
    }
    const qint64 writtenMs = t.elapsed();
    QVERIFY2(QTest::qWaitFor(
                 [&] {
                     QTest::qWait(20); // the helper rate-limits a caller's requests
                     return dbusPeers(name).size() == 999;
                 },
                 15000),
             qPrintable(
                 QStringLiteral("%1; %2 peers on D-Bus, %3 in GetStats; helper log: %4")
                     .arg(helperTunnel(name).value(key::kMeshStatus).toString())
                     .arg(dbusPeers(name).size())
                     .arg([&] {
                         auto s = m_client->stats(name);
                         s.waitForFinished();
                         return peertun::dbus::TunnelCounters::fromVariant(s.value()).peers.size();
                     }())
                     .arg([&] {
                         QFile f(m_harness.helperLogPath());
                         return f.open(QIODevice::ReadOnly)
                                    ? QString::fromUtf8(f.readAll().right(1500))
                                    : QStringLiteral("(none)");
                     }())));
    const qint64 convergedMs = t.elapsed();
    const qint64 rssAfter = rssKiB(m_helperPid);
    // The engine has them all: one counter set per peer.
    auto stats = m_client->stats(name);
    stats.waitForFinished();
    QVERIFY2(!stats.isError(), qPrintable(stats.error().message()));
    QCOMPARE(peertun::dbus::TunnelCounters::fromVariant(HelperClient::toPlain(stats.value()))
                 .peers.size(),
             999);
    QVERIFY2(helperTunnel(name)
                 .value(key::kMeshStatus)
                 .toString()
                 .contains(QLatin1String("999 members")),
             qPrintable(helperTunnel(name).value(key::kMeshStatus).toString()));
    // The other tunnels did not notice.
    QString failed;
    QVERIFY2(allPairsPing({1, 2}, &failed), qPrintable(failed));
    qInfo("figure: 999 leases written with etcdctl in %lld ms; the D-Bus helper's tunnel had "
          "999 peers %lld ms after the first write; helper RSS %lld KiB before the join, %lld "
          "KiB joined, %lld KiB with 999 peers (+%lld KiB)",
          (long long)writtenMs, (long long)convergedMs, (long long)rssBefore, (long long)rssJoined,
          (long long)rssAfter, (long long)(rssAfter - rssJoined));
    auto down = m_client->disconnectTunnel(name);
    down.waitForFinished();
    QVERIFY2(!down.isError(), qPrintable(down.error().message()));
}

QTEST_GUILESS_MAIN(TestMeshFaults)
#include "tst_mesh_faults.moc"