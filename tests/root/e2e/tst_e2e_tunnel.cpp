// End-to-end: the two-host test, done for real. Two network namespaces play the two hosts of the
// blog post, joined by a veth pair (underlay 10.211.55.122/24 <-> 10.211.55.123/24), each
// running `peertun-helper --standalone` with the two-host example's tunnel addresses (10.244.2.2/24
// <-> 10.244.3.3/24). Everything happens inside namespaces this test makes; nothing is configured
// in the root namespace.
#include "NetnsLab.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTest>
#include <QThread>
#include <csignal>
#include <memory>
#include <unistd.h>

using peertun::testlab::CommandResult;
using peertun::testlab::LabProcess;
using peertun::testlab::NetnsLab;
using peertun::testlab::TunnelStats;

// Helper functions report with QVERIFY/QFAIL; this returns from the caller too when they did.
#define CHECKED(call)                                                                              \
    do {                                                                                           \
        call;                                                                                      \
        if (QTest::currentTestFailed())                                                            \
            return;                                                                                \
    } while (false)

#define LAB_VERIFY(expr) QVERIFY2((expr), qPrintable(m_lab->lastError()))

namespace {

constexpr auto kDevice = "flannel99"; // the example's device name
constexpr int kPort = 8285;
constexpr int kHttpPort = 9090;
constexpr qsizetype kBlobBytes = 20 * 1024 * 1024;
const QByteArray kWebAppJson = R"({"Age":12,"Msg":"hello world\nTun VPN\n"})";

const QStringList kTunnelCounters{
    QStringLiteral("tx_packets"),
    QStringLiteral("tx_bytes"),
    QStringLiteral("rx_packets"),
    QStringLiteral("rx_bytes"),
    QStringLiteral("drop_no_peer_for_destination"),
    QStringLiteral("drop_unknown_source_endpoint"),
    QStringLiteral("drop_malformed"),
    QStringLiteral("drop_source_outside_peer_subnets"),
    QStringLiteral("drop_too_big"),
    QStringLiteral("drop_send_error"),
    QStringLiteral("drop_bad_checksum"),
    QStringLiteral("drop_loop"),
};
const QStringList kPeerCounters{
    QStringLiteral("tx_packets"), QStringLiteral("tx_bytes"),    QStringLiteral("rx_packets"),
    QStringLiteral("rx_bytes"),   QStringLiteral("send_errors"),
};

enum class Family { V4, V6 };

// Addresses of one host of the two-host example.
struct HostPlan
{
    QString tunnelName;    // profile name
    QString peerName;      // how this host calls the other one
    QString tunnelAddress; // with prefix, on flannel99
    QString tunnelHost;    // without prefix
    QString underlay;      // this host's veth address
    QString peerUnderlay;  // the other host's veth address
    QString peerSubnet;    // what the other host owns inside the tunnel
};

QString endpoint(const QString& host, int port)
{
    return host.contains(QLatin1Char(':')) ? QStringLiteral("[%1]:%2").arg(host).arg(port)
                                           : QStringLiteral("%1:%2").arg(host).arg(port);
}

QString httpUrl(const QString& host, const QString& path)
{
    return QStringLiteral("http://%1%2").arg(endpoint(host, kHttpPort), path);
}

// host 1 = the blog's 10.211.55.122 (client side), host 2 = 10.211.55.123 (server side).
std::pair<HostPlan, HostPlan> twoHostPlan(Family inner, Family outer)
{
    HostPlan h1, h2;
    h1.tunnelName = QStringLiteral("office");
    h2.tunnelName = QStringLiteral("branch");
    h1.peerName = QStringLiteral("host-2");
    h2.peerName = QStringLiteral("host-1");
    if (inner == Family::V4) {
        h1.tunnelAddress = QStringLiteral("10.244.2.2/24");
        h2.tunnelAddress = QStringLiteral("10.244.3.3/24");
        h1.peerSubnet = QStringLiteral("10.244.3.0/24");
        h2.peerSubnet = QStringLiteral("10.244.2.0/24");
    } else {
        h1.tunnelAddress = QStringLiteral("fd00:244::2/64");
        h2.tunnelAddress = QStringLiteral("fd00:244::3/64");
        h1.peerSubnet = QStringLiteral("fd00:244::3/128");
        h2.peerSubnet = QStringLiteral("fd00:244::2/128");
    }
    h1.tunnelHost = h1.tunnelAddress.section(QLatin1Char('/'), 0, 0);
    h2.tunnelHost = h2.tunnelAddress.section(QLatin1Char('/'), 0, 0);
    h1.underlay =
        outer == Family::V4 ? QStringLiteral("10.211.55.122") : QStringLiteral("fd00:211::122");
    h2.underlay =
        outer == Family::V4 ? QStringLiteral("10.211.55.123") : QStringLiteral("fd00:211::123");
    h1.peerUnderlay = h2.underlay;
    h2.peerUnderlay = h1.underlay;
    return {h1, h2};
}

QByteArray profileJson(const HostPlan& h, std::optional<int> mtu = std::nullopt)
{
    QJsonObject iface{
        {QStringLiteral("name"), QString::fromLatin1(kDevice)},
        {QStringLiteral("address"), h.tunnelAddress},
        {QStringLiteral("listen"), endpoint(h.underlay, kPort)},
    };
    if (mtu) {
        iface.insert(QStringLiteral("mtu"), *mtu);
    }
    const QJsonObject peer{
        {QStringLiteral("name"), h.peerName},
        {QStringLiteral("endpoint"), endpoint(h.peerUnderlay, kPort)},
        {QStringLiteral("subnets"), QJsonArray{h.peerSubnet}},
    };
    const QJsonObject doc{
        {QStringLiteral("version"), 1},
        {QStringLiteral("name"), h.tunnelName},
        {QStringLiteral("interface"), iface},
        {QStringLiteral("mode"), QStringLiteral("plain")},
        {QStringLiteral("peers"), QJsonArray{peer}},
    };
    return QJsonDocument(doc).toJson();
}

QString python3()
{
    const QString system =
        QStandardPaths::findExecutable(QStringLiteral("python3"), {QStringLiteral("/usr/bin")});
    return system.isEmpty() ? QStringLiteral("python3") : system;
}

QByteArray sha256(const QByteArray& data)
{
    return QCryptographicHash::hash(data, QCryptographicHash::Sha256).toHex();
}

} // namespace

class TstE2eTunnel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void pingBothWays();
    void httpGetReturnsTheWebAppJson();
    void transfer20MiBChecksumMatches();
    void datagramFromNonPeerIsDroppedAndCounted_data();
    void datagramFromNonPeerIsDroppedAndCounted();
    void deletedPeerRouteIsRestoredWithinOneSecond();
    void loopProfileIsRefused();
    void routeIntoTheTunnelMakesNoStorm();
    void segmentWithBadChecksumIsDroppedAndCounted();
    void ipv6TunnelAddresses();
    void ipv6Underlay();
    void sharedNetworkBehindThePeer();
    void defaultMtuFollowsUnderlay_data();
    void defaultMtuFollowsUnderlay();
    void sigkillLeavesNoDeviceAndNoRoute();
    void stopSignalEndsWithinOneSecond_data();
    void stopSignalEndsWithinOneSecond();
    void busyResourceFailsWithClearMessage_data();
    void busyResourceFailsWithClearMessage();

private:
    void setUpHosts();
    void startHelper(const QString& ns, const HostPlan& host, std::optional<int> mtu,
                     LabProcess** out);
    void startTunnel(Family inner, Family outer, std::optional<int> mtu = std::nullopt);
    void verifyPing(const QString& ns, const QString& target);
    void startWebApp(const QString& bindHost, const QString& blobPath = {});
    void verifyNoTunnelLeft(const QString& ns);
    void addPlaceholderDevice(const QString& ns, const QString& name);
    void addThirdHost(QString* ns);
    QByteArray deviceStatistic(const QString& ns, const QString& dev, const QString& name);
    void readStats(LabProcess* helper, const QString& tunnel, TunnelStats* out);

    QString m_helperBinary;
    QString m_serverScript;
    std::unique_ptr<NetnsLab> m_lab;
    QString m_ns1, m_ns2;
    HostPlan m_h1, m_h2;
    LabProcess* m_helper1 = nullptr;
    LabProcess* m_helper2 = nullptr;
};

void TstE2eTunnel::initTestCase()
{
    if (::geteuid() != 0) {
        QSKIP("needs root: creates network namespaces, veth pairs and TUN devices");
    }
    QVERIFY2(QFile::exists(QStringLiteral("/dev/net/tun")), "/dev/net/tun is missing");
    m_helperBinary = qEnvironmentVariable("PEERTUN_HELPER");
    QVERIFY2(!m_helperBinary.isEmpty(), "PEERTUN_HELPER is not set (run the test through ctest)");
    QVERIFY2(QFileInfo(m_helperBinary).isExecutable(), qPrintable(m_helperBinary));
    m_serverScript = QStringLiteral(PEERTUN_SOURCE_DIR "/tests/root/e2e/web_app.py");
    QVERIFY2(QFile::exists(m_serverScript), qPrintable(m_serverScript));
    for (const char* tool : {"ip", "ping", "curl"}) {
        QVERIFY2(!QStandardPaths::findExecutable(QString::fromLatin1(tool)).isEmpty(), tool);
    }
}

void TstE2eTunnel::init()
{
    m_lab = std::make_unique<NetnsLab>();
    QVERIFY(m_lab->isValid());
    m_helper1 = m_helper2 = nullptr;
}

void TstE2eTunnel::cleanup()
{
    LAB_VERIFY_NOTHING_LEFT(peertun::testlab::tearDownLab(m_lab));
}

// ---- setup helpers -----------------------------------------------------------------------

void TstE2eTunnel::setUpHosts()
{
    m_ns1 = m_lab->addNamespace();
    LAB_VERIFY(!m_ns1.isEmpty());
    m_ns2 = m_lab->addNamespace();
    LAB_VERIFY(!m_ns2.isEmpty());
    LAB_VERIFY(m_lab->addVethPair(m_ns1, QStringLiteral("veth1"), m_ns2, QStringLiteral("veth2")));
    LAB_VERIFY(
        m_lab->addAddress(m_ns1, QStringLiteral("veth1"), QStringLiteral("10.211.55.122/24")));
    LAB_VERIFY(
        m_lab->addAddress(m_ns2, QStringLiteral("veth2"), QStringLiteral("10.211.55.123/24")));
    LAB_VERIFY(
        m_lab->addAddress(m_ns1, QStringLiteral("veth1"), QStringLiteral("fd00:211::122/64")));
    LAB_VERIFY(
        m_lab->addAddress(m_ns2, QStringLiteral("veth2"), QStringLiteral("fd00:211::123/64")));
    // The underlay itself must work, or every later failure would be misread as the tunnel's.
    CHECKED(verifyPing(m_ns1, QStringLiteral("10.211.55.123")));
    CHECKED(verifyPing(m_ns1, QStringLiteral("fd00:211::123")));
}

void TstE2eTunnel::startHelper(const QString& ns, const HostPlan& host, std::optional<int> mtu,
                               LabProcess** out)
{
    const QString profile = m_lab->writeFile(ns + QStringLiteral(".json"), profileJson(host, mtu));
    LAB_VERIFY(!profile.isEmpty());
    LabProcess* helper =
        m_lab->start(ns, {m_helperBinary, QStringLiteral("--standalone"), profile},
                     QStringLiteral("peertun-helper in %1 (%2)").arg(ns, host.tunnelName));
    LAB_VERIFY(helper);
    *out = helper;
    if (!helper->waitForOutput("tunnel up", 10000)) {
        QFAIL(qPrintable(QStringLiteral("helper in %1 did not report \"tunnel up\" (running: %2, "
                                        "exit %3): %4")
                             .arg(ns)
                             .arg(helper->isRunning())
                             .arg(helper->exitCode())
                             .arg(QString::fromUtf8(helper->output()))));
    }
}

void TstE2eTunnel::startTunnel(Family inner, Family outer, std::optional<int> mtu)
{
    CHECKED(setUpHosts());
    std::tie(m_h1, m_h2) = twoHostPlan(inner, outer);
    CHECKED(startHelper(m_ns1, m_h1, mtu, &m_helper1));
    CHECKED(startHelper(m_ns2, m_h2, mtu, &m_helper2));
}

void TstE2eTunnel::verifyPing(const QString& ns, const QString& target)
{
    // Three replies within five seconds, 0.2 s apart.
    const CommandResult r =
        m_lab->run(ns,
                   {QStringLiteral("ping"), QStringLiteral("-n"), QStringLiteral("-c"),
                    QStringLiteral("3"), QStringLiteral("-i"), QStringLiteral("0.2"),
                    QStringLiteral("-w"), QStringLiteral("5"), target},
                   15000);
    QVERIFY2(r.ok(), qPrintable(QStringLiteral("ping %1 from %2 failed: %3")
                                    .arg(target, ns, QString::fromUtf8(r.output))));
}

void TstE2eTunnel::startWebApp(const QString& bindHost, const QString& blobPath)
{
    QStringList argv{python3(), m_serverScript,           QStringLiteral("--bind"),
                     bindHost,  QStringLiteral("--port"), QString::number(kHttpPort)};
    if (!blobPath.isEmpty()) {
        argv << QStringLiteral("--blob") << blobPath;
    }
    LabProcess* server = m_lab->start(m_ns2, argv, QStringLiteral("web_app.py"));
    LAB_VERIFY(server);
    QVERIFY2(server->waitForOutput("ready", 10000), server->output().constData());
}

QByteArray TstE2eTunnel::deviceStatistic(const QString& ns, const QString& dev, const QString& name)
{
    // `ip netns exec` mounts the namespace's own /sys, so this is the device inside `ns`.
    const CommandResult r =
        m_lab->run(ns, {QStringLiteral("cat"),
                        QStringLiteral("/sys/class/net/%1/statistics/%2").arg(dev, name)});
    return r.ok() ? r.output.trimmed() : QByteArray();
}

void TstE2eTunnel::readStats(LabProcess* helper, const QString& tunnel, TunnelStats* out)
{
    const auto stats = helper->readStats(tunnel, 1);
    QVERIFY2(stats.has_value(),
             qPrintable(QStringLiteral("no stats block for tunnel %1 after SIGUSR1: %2")
                            .arg(tunnel, QString::fromUtf8(helper->output().right(2000)))));
    for (const QString& key : kTunnelCounters) {
        QVERIFY2(stats->counter(key) >= 0,
                 qPrintable(QStringLiteral("tunnel counter %1").arg(key)));
    }
    QCOMPARE(stats->peers.size(), 1);
    const QString peer = stats->peers.firstKey();
    for (const QString& key : kPeerCounters) {
        QVERIFY2(stats->peerCounter(peer, key) >= 0,
                 qPrintable(QStringLiteral("peer counter %1").arg(key)));
    }
    const QString lastRx = stats->peers.value(peer).value(QStringLiteral("last_rx_ms_ago"));
    bool numeric = false;
    lastRx.toLongLong(&numeric);
    QVERIFY2(numeric || lastRx == QLatin1String("never"), qPrintable(lastRx));
    *out = *stats;
}

void TstE2eTunnel::verifyNoTunnelLeft(const QString& ns)
{
    // The TUN device goes when its fd closes; give the kernel a moment, no more.
    QElapsedTimer timer;
    timer.start();
    CommandResult link, routes4, routes6;
    do {
        link = m_lab->ip({QStringLiteral("-n"), ns, QStringLiteral("link"), QStringLiteral("show"),
                          QString::fromLatin1(kDevice)});
        routes4 =
            m_lab->ip({QStringLiteral("-n"), ns, QStringLiteral("-4"), QStringLiteral("route"),
                       QStringLiteral("show"), QStringLiteral("table"), QStringLiteral("all")});
        routes6 =
            m_lab->ip({QStringLiteral("-n"), ns, QStringLiteral("-6"), QStringLiteral("route"),
                       QStringLiteral("show"), QStringLiteral("table"), QStringLiteral("all")});
        if (!link.ok() && !routes4.output.contains(kDevice) && !routes6.output.contains(kDevice)) {
            break;
        }
        QThread::msleep(50);
    } while (timer.elapsed() < 2000);
    QVERIFY2(!link.ok(), qPrintable(QStringLiteral("%1 still exists in %2: %3")
                                        .arg(QString::fromLatin1(kDevice), ns,
                                             QString::fromUtf8(link.output))));
    QVERIFY2(!routes4.output.contains(kDevice), routes4.output.constData());
    QVERIFY2(!routes6.output.contains(kDevice), routes6.output.constData());
    QVERIFY2(!routes4.output.contains("10.244.3.0/24"), routes4.output.constData());
}

void TstE2eTunnel::addPlaceholderDevice(const QString& ns, const QString& name)
{
    // Some other device that is up, not a TUN. A bridge rather than a dummy: not every kernel
    // has the dummy driver (this machine's has not), bridges are built in nearly everywhere.
    const QStringList args{QStringLiteral("-n"),    ns,   QStringLiteral("link"),
                           QStringLiteral("add"),   name, QStringLiteral("type"),
                           QStringLiteral("bridge")};
    const CommandResult add = m_lab->ip(args);
    QVERIFY2(add.ok(), add.output.constData());
    const CommandResult up = m_lab->ip({QStringLiteral("-n"), ns, QStringLiteral("link"),
                                        QStringLiteral("set"), name, QStringLiteral("up")});
    QVERIFY2(up.ok(), up.output.constData());
}

void TstE2eTunnel::addThirdHost(QString* ns)
{
    // A third host, not a peer, on its own subnet behind host 2: 10.211.56.0/24.
    const QString ns3 = m_lab->addNamespace();
    LAB_VERIFY(!ns3.isEmpty());
    LAB_VERIFY(m_lab->addVethPair(m_ns2, QStringLiteral("veth2b"), ns3, QStringLiteral("veth3")));
    LAB_VERIFY(
        m_lab->addAddress(m_ns2, QStringLiteral("veth2b"), QStringLiteral("10.211.56.1/24")));
    LAB_VERIFY(m_lab->addAddress(ns3, QStringLiteral("veth3"), QStringLiteral("10.211.56.3/24")));
    const CommandResult route = m_lab->ip({QStringLiteral("-n"), ns3, QStringLiteral("route"),
                                           QStringLiteral("add"), QStringLiteral("10.211.55.0/24"),
                                           QStringLiteral("via"), QStringLiteral("10.211.56.1")});
    QVERIFY2(route.ok(), route.output.constData());
    CHECKED(verifyPing(ns3, m_h2.underlay)); // it can reach host 2's UDP port
    *ns = ns3;
}

// ---- tests -------------------------------------------------------------------------------

void TstE2eTunnel::pingBothWays()
{
    CHECKED(startTunnel(Family::V4, Family::V4));
    CHECKED(verifyPing(m_ns1, m_h2.tunnelHost));
    CHECKED(verifyPing(m_ns2, m_h1.tunnelHost));

    // Each side sent at least its 3 requests and 3 replies through the tunnel, and nothing was
    // dropped for reasons that cannot occur between two honest peers.
    for (auto [helper, host] : {std::pair{m_helper1, m_h1}, std::pair{m_helper2, m_h2}}) {
        // The receiving thread adds its counts after writing its batch to the device, so the
        // last reply can reach ping a moment before it is counted (longer under a sanitizer).
        TunnelStats stats;
        QElapsedTimer timer;
        timer.start();
        do {
            CHECKED(readStats(helper, host.tunnelName, &stats));
            if (stats.counter(QStringLiteral("rx_packets")) >= 6 &&
                stats.counter(QStringLiteral("tx_packets")) >= 6) {
                break;
            }
            QThread::msleep(50);
        } while (timer.elapsed() < 2000);
        QVERIFY2(stats.counter(QStringLiteral("tx_packets")) >= 6, qPrintable(host.tunnelName));
        QVERIFY2(stats.counter(QStringLiteral("rx_packets")) >= 6, qPrintable(host.tunnelName));
        QVERIFY(stats.counter(QStringLiteral("tx_bytes")) >= 6 * 84);
        QVERIFY(stats.counter(QStringLiteral("rx_bytes")) >= 6 * 84);
        QCOMPARE(stats.counter(QStringLiteral("drop_unknown_source_endpoint")), 0);
        QCOMPARE(stats.counter(QStringLiteral("drop_malformed")), 0);
        QCOMPARE(stats.counter(QStringLiteral("drop_source_outside_peer_subnets")), 0);
        QCOMPARE(stats.counter(QStringLiteral("drop_send_error")), 0);
        QVERIFY(stats.peers.contains(host.peerName));
        QVERIFY(stats.peerCounter(host.peerName, QStringLiteral("tx_packets")) >= 6);
        QVERIFY(stats.peerCounter(host.peerName, QStringLiteral("rx_packets")) >= 6);
        bool numeric = false;
        stats.peers.value(host.peerName)
            .value(QStringLiteral("last_rx_ms_ago"))
            .toLongLong(&numeric);
        QVERIFY2(numeric, "a peer that answered pings has a last_rx_ms_ago");
    }
}

void TstE2eTunnel::httpGetReturnsTheWebAppJson()
{
    CHECKED(startTunnel(Family::V4, Family::V4));
    CHECKED(startWebApp(m_h2.tunnelHost));
    // The blog's test: `curl 10.244.3.3:9090` on host 1.
    const CommandResult r =
        m_lab->run(m_ns1, {QStringLiteral("curl"), QStringLiteral("-sS"), QStringLiteral("-m"),
                           QStringLiteral("10"), httpUrl(m_h2.tunnelHost, QStringLiteral("/"))});
    QVERIFY2(r.ok(), r.output.constData());
    QCOMPARE(r.output, kWebAppJson);
}

void TstE2eTunnel::transfer20MiBChecksumMatches()
{
    CHECKED(startTunnel(Family::V4, Family::V4));
    QByteArray blob(kBlobBytes, Qt::Uninitialized);
    QRandomGenerator::global()->fillRange(reinterpret_cast<quint32*>(blob.data()),
                                          blob.size() / sizeof(quint32));
    const QString blobPath = m_lab->writeFile(QStringLiteral("blob.bin"), blob);
    LAB_VERIFY(!blobPath.isEmpty());
    CHECKED(startWebApp(m_h2.tunnelHost, blobPath));

    TunnelStats before;
    CHECKED(readStats(m_helper2, m_h2.tunnelName, &before));
    const QString received = m_lab->tempPath(QStringLiteral("received.bin"));
    const CommandResult r = m_lab->run(
        m_ns1,
        {QStringLiteral("curl"), QStringLiteral("-sS"), QStringLiteral("-m"), QStringLiteral("120"),
         QStringLiteral("-o"), received, httpUrl(m_h2.tunnelHost, QStringLiteral("/blob"))},
        150000);
    QVERIFY2(r.ok(), r.output.constData());
    QFile file(received);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray got = file.readAll();
    QCOMPARE(got.size(), blob.size());
    QCOMPARE(sha256(got), sha256(blob));

    // And it really crossed the tunnel: the server side sent at least the file's bytes.
    TunnelStats after;
    CHECKED(readStats(m_helper2, m_h2.tunnelName, &after));
    QVERIFY2(after.counter(QStringLiteral("tx_bytes")) -
                     before.counter(QStringLiteral("tx_bytes")) >=
                 kBlobBytes,
             qPrintable(QString::number(after.counter(QStringLiteral("tx_bytes")))));
}

void TstE2eTunnel::datagramFromNonPeerIsDroppedAndCounted_data()
{
    QTest::addColumn<bool>("fromThirdHost"); // else: from host 1's address, not its port
    QTest::newRow("third host, port 8285") << true;
    QTest::newRow("peer's address, other port") << false;
}

void TstE2eTunnel::datagramFromNonPeerIsDroppedAndCounted()
{
    QFETCH(bool, fromThirdHost);
    CHECKED(startTunnel(Family::V4, Family::V4));
    QString senderNs = m_ns1;
    QString senderAddress = m_h1.underlay;
    int senderPort = kPort + 1;
    if (fromThirdHost) {
        CHECKED(addThirdHost(&senderNs));
        senderAddress = QStringLiteral("10.211.56.3");
        senderPort = kPort;
    }

    TunnelStats before;
    CHECKED(readStats(m_helper2, m_h2.tunnelName, &before));
    const QByteArray tunRxBefore =
        deviceStatistic(m_ns2, QString::fromLatin1(kDevice), QStringLiteral("rx_packets"));
    QVERIFY(!tunRxBefore.isEmpty());

    // Five well-formed ICMP echo requests 10.244.2.2 -> 10.244.3.3 (host 1's tunnel address,
    // so only the outer source gives them away). The blog post's Go server would write each into
    // its TUN device.
    constexpr int kInjected = 5;
    const QString injector = QStringLiteral(R"PY(
import socket, struct, sys
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
icmp = struct.pack("!BBHHH", 8, 0, 0, 0x4242, 1) + b"injected-by-a-stranger"
icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 7, 0, 64, 1, 0,
                 socket.inet_aton("10.244.2.2"), socket.inet_aton("10.244.3.3"))
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[2], int(sys.argv[3])))
for _ in range(int(sys.argv[1])):
    s.sendto(ip + icmp, ("10.211.55.123", 8285))
print("sent", flush=True)
)PY");
    LAB_VERIFY(m_lab->runOk(senderNs,
                            {python3(), QStringLiteral("-c"), injector, QString::number(kInjected),
                             senderAddress, QString::number(senderPort)}));

    // The drops are counted (poll: the helper may still be reading them)...
    TunnelStats after;
    QElapsedTimer timer;
    timer.start();
    do {
        CHECKED(readStats(m_helper2, m_h2.tunnelName, &after));
        if (after.counter(QStringLiteral("drop_unknown_source_endpoint")) -
                before.counter(QStringLiteral("drop_unknown_source_endpoint")) >=
            kInjected) {
            break;
        }
        QThread::msleep(100);
    } while (timer.elapsed() < 3000);
    QCOMPARE(after.counter(QStringLiteral("drop_unknown_source_endpoint")) -
                 before.counter(QStringLiteral("drop_unknown_source_endpoint")),
             qint64(kInjected));
    // ...and none of them reached the far TUN device.
    QCOMPARE(after.counter(QStringLiteral("rx_packets")),
             before.counter(QStringLiteral("rx_packets")));
    QCOMPARE(deviceStatistic(m_ns2, QString::fromLatin1(kDevice), QStringLiteral("rx_packets")),
             tunRxBefore);

    // The same counter does move for the real peer's packets, and the tunnel still works.
    CHECKED(verifyPing(m_ns1, m_h2.tunnelHost));
    QVERIFY(deviceStatistic(m_ns2, QString::fromLatin1(kDevice), QStringLiteral("rx_packets"))
                .toLongLong() >= tunRxBefore.toLongLong() + 3);
}

void TstE2eTunnel::deletedPeerRouteIsRestoredWithinOneSecond()
{
    CHECKED(startTunnel(Family::V4, Family::V4));
    CHECKED(verifyPing(m_ns1, m_h2.tunnelHost));
    const QStringList show{QStringLiteral("-n"),        m_ns1,           QStringLiteral("route"),
                           QStringLiteral("show"),      m_h1.peerSubnet, QStringLiteral("dev"),
                           QString::fromLatin1(kDevice)};
    QVERIFY2(!m_lab->ip(show).output.trimmed().isEmpty(), "the peer route was never added");
    const qsizetype logOffset = m_helper1->output().size();

    // What the blog's author saw happen: the route vanishes.
    const CommandResult del =
        m_lab->ip({QStringLiteral("-n"), m_ns1, QStringLiteral("route"), QStringLiteral("del"),
                   m_h1.peerSubnet, QStringLiteral("dev"), QString::fromLatin1(kDevice)});
    QVERIFY2(del.ok(), del.output.constData());
    QElapsedTimer timer;
    timer.start();
    bool back = false;
    while (timer.elapsed() <= 1000) {
        if (!m_lab->ip(show).output.trimmed().isEmpty()) {
            back = true;
            break;
        }
        QThread::msleep(20);
    }
    const qint64 elapsed = timer.elapsed();
    QVERIFY2(back && elapsed <= 1000,
             qPrintable(QStringLiteral("route not back after %1 ms").arg(elapsed)));
    QVERIFY2(
        m_helper1->waitForOutput("restored route " + m_h1.peerSubnet.toLatin1(), 2000, logOffset),
        "no log entry for the restored route");
    CHECKED(verifyPing(m_ns1, m_h2.tunnelHost));
}

// CPU time (user + system) of a process so far, in clock ticks, from /proc/PID/stat.
qint64 cpuTicks(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly)) {
        return -1;
    }
    const QByteArray stat = f.readAll();
    // Fields after the command name (which may hold spaces) start at state (field 3);
    // utime and stime are fields 14 and 15.
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    return fields.size() > 12 ? fields[11].toLongLong() + fields[12].toLongLong() : -1;
}

// A profile whose endpoint lies inside the peer's own subnet: the helper refuses it with the
// validator's words and leaves nothing behind.
void TstE2eTunnel::loopProfileIsRefused()
{
    CHECKED(setUpHosts());
    std::tie(m_h1, m_h2) = twoHostPlan(Family::V4, Family::V4);
    HostPlan looping = m_h1;
    looping.peerUnderlay = QStringLiteral("10.244.3.1");
    const QString profile = m_lab->writeFile(QStringLiteral("loop.json"), profileJson(looping));
    LAB_VERIFY(!profile.isEmpty());
    LabProcess* helper =
        m_lab->start(m_ns1, {m_helperBinary, QStringLiteral("--standalone"), profile},
                     QStringLiteral("peertun-helper with a looping profile"));
    LAB_VERIFY(helper);
    QVERIFY(helper->waitForExit(5000));
    QVERIFY(helper->exitCode() != 0);
    QVERIFY2(helper->output().contains("Routing loop: the endpoint \"10.244.3.1:8285\" of peer "
                                       "\"host-2\" lies inside the subnet 10.244.3.0/24"),
             helper->output().constData());
    CHECKED(verifyNoTunnelLeft(m_ns1));
}

// A route added under a running plain tunnel sends the peer's endpoint into the tunnel. The
// socket's mark keeps the tunnel's own datagrams out (the kernel refuses to send them: send
// errors), a datagram to the endpoint that does come in through the device (another program's)
// is dropped as `loop`, and nothing spins: the helper's CPU time over 2 s stays small.
void TstE2eTunnel::routeIntoTheTunnelMakesNoStorm()
{
    CHECKED(startTunnel(Family::V4, Family::V4));
    CHECKED(verifyPing(m_ns1, m_h2.tunnelHost));
    QVERIFY2(m_lab->ip({QStringLiteral("-n"), m_ns1, QStringLiteral("rule")})
                 .output.contains("lookup main suppress_ifgroup"),
             "the loop guard's rules are missing");

    const QString endpointRoute = m_h1.peerUnderlay + QStringLiteral("/32");
    LAB_VERIFY(
        m_lab->runOk(m_ns1, {QStringLiteral("ip"), QStringLiteral("route"), QStringLiteral("add"),
                             endpointRoute, QStringLiteral("dev"), QString::fromLatin1(kDevice)}));
    TunnelStats before;
    CHECKED(readStats(m_helper1, m_h1.tunnelName, &before));
    const qint64 cpuBefore = cpuTicks(m_helper1->pid());
    QVERIFY(cpuBefore >= 0);
    QElapsedTimer timer;
    timer.start();

    // Traffic for the peer while its endpoint is routed into the tunnel: 20 pings, none
    // answered, each one send refused by the kernel.
    constexpr int kPings = 20;
    const CommandResult ping =
        m_lab->run(m_ns1, {QStringLiteral("ping"), QStringLiteral("-n"), QStringLiteral("-c"),
                           QString::number(kPings), QStringLiteral("-i"), QStringLiteral("0.05"),
                           QStringLiteral("-W"), QStringLiteral("1"), m_h2.tunnelHost});
    QVERIFY2(ping.finished && ping.exitCode != 0, ping.output.constData());
    // Five datagrams to the endpoint from another program: into the device, and dropped there.
    constexpr int kInjected = 5;
    const QString sender = QStringLiteral(R"PY(
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(int(sys.argv[1])):
    s.sendto(b"from another program", (sys.argv[2], 8285))
)PY");
    LAB_VERIFY(m_lab->runOk(m_ns1, {python3(), QStringLiteral("-c"), sender,
                                    QString::number(kInjected), m_h1.peerUnderlay}));

    TunnelStats after;
    do {
        CHECKED(readStats(m_helper1, m_h1.tunnelName, &after));
        if (after.counter(QStringLiteral("drop_loop")) -
                before.counter(QStringLiteral("drop_loop")) >=
            kInjected) {
            break;
        }
        QThread::msleep(100);
    } while (timer.elapsed() < 3000);
    while (timer.elapsed() < 2000) {
        QThread::msleep(50);
    }
    const qint64 cpuAfter = cpuTicks(m_helper1->pid());
    const qint64 wall = timer.elapsed();
    CHECKED(readStats(m_helper1, m_h1.tunnelName, &after));
    const auto delta = [&](const char* key) {
        return after.counter(QString::fromLatin1(key)) - before.counter(QString::fromLatin1(key));
    };
    const QString figures = QStringLiteral("loop %1, send errors %2, tx %3, cpu %4 ticks in %5 ms")
                                .arg(delta("drop_loop"))
                                .arg(delta("drop_send_error"))
                                .arg(delta("tx_packets"))
                                .arg(cpuAfter - cpuBefore)
                                .arg(wall);
    qInfo().noquote() << figures;
    QCOMPARE(delta("drop_loop"), qint64(kInjected));
    // The pings' datagrams were refused, not sent around: at most one attempt each.
    QVERIFY2(delta("drop_send_error") >= 1 && delta("drop_send_error") <= kPings,
             qPrintable(figures));
    QCOMPARE(delta("tx_packets"), qint64(0));
    // A storm keeps both forwarding threads busy: about 2 s of CPU per 2 s. A generous bound.
    const long hz = ::sysconf(_SC_CLK_TCK);
    QVERIFY2(cpuAfter - cpuBefore < hz / 2, qPrintable(figures));
    QVERIFY(m_helper1->isRunning());

    // The route gone, the tunnel carries traffic again.
    LAB_VERIFY(
        m_lab->runOk(m_ns1, {QStringLiteral("ip"), QStringLiteral("route"), QStringLiteral("del"),
                             endpointRoute, QStringLiteral("dev"), QString::fromLatin1(kDevice)}));
    CHECKED(verifyPing(m_ns1, m_h2.tunnelHost));
}

// TCP data segments from the peer whose checksum is wrong are dropped and counted before they
// could be joined (and handed to the kernel as checked); the right one next to them goes in.
void TstE2eTunnel::segmentWithBadChecksumIsDroppedAndCounted()
{
    CHECKED(startTunnel(Family::V4, Family::V4));
    // Host 1's helper off, so the injector can send from the peer's own address and port.
    m_helper1->stop();
    TunnelStats before;
    CHECKED(readStats(m_helper2, m_h2.tunnelName, &before));
    const QString injector = QStringLiteral(R"PY(
import socket, struct, sys
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff
src, dst = socket.inet_aton("10.244.2.2"), socket.inet_aton("10.244.3.3")
def segment(seq, payload, corrupt):
    tcp = struct.pack("!HHIIBBHHH", 40000, 9, seq, 1, 5 << 4, 0x10, 1000, 0, 0) + payload
    c = csum(src + dst + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    if corrupt:
        tcp = tcp[:-1] + bytes([tcp[-1] ^ 1])
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0, src, dst)
    return ip[:10] + struct.pack("!H", csum(ip)) + ip[12:] + tcp
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.211.55.122", 8285))
payload = bytes(range(256)) * 4
for i in range(int(sys.argv[1])):
    s.sendto(segment(1000 + i * len(payload), payload, True), ("10.211.55.123", 8285))
s.sendto(segment(999999, payload, False), ("10.211.55.123", 8285))
)PY");
    constexpr int kBad = 4;
    LAB_VERIFY(
        m_lab->runOk(m_ns1, {python3(), QStringLiteral("-c"), injector, QString::number(kBad)}));
    TunnelStats after;
    QElapsedTimer timer;
    timer.start();
    do {
        CHECKED(readStats(m_helper2, m_h2.tunnelName, &after));
        if (after.counter(QStringLiteral("rx_packets")) >
            before.counter(QStringLiteral("rx_packets")))
            break;
        QThread::msleep(100);
    } while (timer.elapsed() < 3000);
    QCOMPARE(after.counter(QStringLiteral("drop_bad_checksum")) -
                 before.counter(QStringLiteral("drop_bad_checksum")),
             qint64(kBad));
    QCOMPARE(after.counter(QStringLiteral("rx_packets")) -
                 before.counter(QStringLiteral("rx_packets")),
             qint64(1));
}

void TstE2eTunnel::ipv6TunnelAddresses()
{
    CHECKED(startTunnel(Family::V6, Family::V4));
    CHECKED(verifyPing(m_ns1, m_h2.tunnelHost));
    CHECKED(verifyPing(m_ns2, m_h1.tunnelHost));
    CHECKED(startWebApp(m_h2.tunnelHost));
    const CommandResult r =
        m_lab->run(m_ns1, {QStringLiteral("curl"), QStringLiteral("-sS"), QStringLiteral("-g"),
                           QStringLiteral("-m"), QStringLiteral("10"),
                           httpUrl(m_h2.tunnelHost, QStringLiteral("/"))});
    QVERIFY2(r.ok(), r.output.constData());
    QCOMPARE(r.output, kWebAppJson);
}

// wg-quick's hub style: both hosts in one tunnel network (10.244.2.2/24, 10.244.2.3/24), each
// listing that whole network as the other's subnet. The address's own kernel route already
// covers it, so the helper must not try to add it again (that used to fail as "route exists").
void TstE2eTunnel::sharedNetworkBehindThePeer()
{
    CHECKED(setUpHosts());
    std::tie(m_h1, m_h2) = twoHostPlan(Family::V4, Family::V4);
    m_h2.tunnelAddress = QStringLiteral("10.244.2.3/24");
    m_h2.tunnelHost = QStringLiteral("10.244.2.3");
    m_h1.peerSubnet = m_h2.peerSubnet = QStringLiteral("10.244.2.0/24");
    CHECKED(startHelper(m_ns1, m_h1, std::nullopt, &m_helper1));
    CHECKED(startHelper(m_ns2, m_h2, std::nullopt, &m_helper2));
    CHECKED(verifyPing(m_ns1, m_h2.tunnelHost));
    CHECKED(verifyPing(m_ns2, m_h1.tunnelHost));
    const CommandResult routes =
        m_lab->run(m_ns1, {QStringLiteral("ip"), QStringLiteral("-4"), QStringLiteral("route"),
                           QStringLiteral("show"), QStringLiteral("10.244.2.0/24")});
    QVERIFY(routes.ok());
    QCOMPARE(routes.output.count("10.244.2.0/24"), 1); // the kernel's, not a second one
}

void TstE2eTunnel::ipv6Underlay()
{
    CHECKED(startTunnel(Family::V4, Family::V6));
    CHECKED(verifyPing(m_ns1, m_h2.tunnelHost));
    CHECKED(verifyPing(m_ns2, m_h1.tunnelHost));
    CHECKED(startWebApp(m_h2.tunnelHost));
    const CommandResult r =
        m_lab->run(m_ns1, {QStringLiteral("curl"), QStringLiteral("-sS"), QStringLiteral("-m"),
                           QStringLiteral("10"), httpUrl(m_h2.tunnelHost, QStringLiteral("/"))});
    QVERIFY2(r.ok(), r.output.constData());
    QCOMPARE(r.output, kWebAppJson);
    // The tunnel's packets really went over IPv6: host 2's UDP socket is an IPv6 one.
    TunnelStats stats;
    CHECKED(readStats(m_helper2, m_h2.tunnelName, &stats));
    QVERIFY(stats.counter(QStringLiteral("rx_packets")) >= 6);
    const CommandResult sockets = m_lab->run(
        m_ns2, {QStringLiteral("ss"), QStringLiteral("-Hnul"), QStringLiteral("sport = :8285")});
    QVERIFY2(sockets.output.contains("[fd00:211::123]:8285"), sockets.output.constData());
}

void TstE2eTunnel::defaultMtuFollowsUnderlay_data()
{
    QTest::addColumn<int>("outer");
    QTest::addColumn<int>("profileMtu"); // 0: not set in the profile
    QTest::addColumn<int>("expectedMtu");
    // veth MTU 1500 minus the plain-mode overhead: IPv4+UDP 28 bytes, IPv6+UDP 48 bytes.
    QTest::newRow("ipv4 underlay, default") << int(Family::V4) << 0 << 1472;
    QTest::newRow("ipv6 underlay, default") << int(Family::V6) << 0 << 1452;
    QTest::newRow("explicit 1400") << int(Family::V4) << 1400 << 1400;
}

void TstE2eTunnel::defaultMtuFollowsUnderlay()
{
    QFETCH(int, outer);
    QFETCH(int, profileMtu);
    QFETCH(int, expectedMtu);
    CHECKED(startTunnel(Family::V4, Family(outer),
                        profileMtu ? std::optional<int>(profileMtu) : std::nullopt));
    const CommandResult link = m_lab->ip({QStringLiteral("-n"), m_ns1, QStringLiteral("link"),
                                          QStringLiteral("show"), QString::fromLatin1(kDevice)});
    QVERIFY2(link.output.contains(" mtu " + QByteArray::number(expectedMtu) + " "),
             link.output.constData());
    // A full-size packet crosses in one piece: ping with DF set and a payload filling the MTU.
    const CommandResult ping = m_lab->run(
        m_ns1,
        {QStringLiteral("ping"), QStringLiteral("-n"), QStringLiteral("-c"), QStringLiteral("2"),
         QStringLiteral("-w"), QStringLiteral("5"), QStringLiteral("-M"), QStringLiteral("do"),
         QStringLiteral("-s"), QString::number(expectedMtu - 28), m_h2.tunnelHost},
        15000);
    QVERIFY2(ping.ok(), ping.output.constData());
}

void TstE2eTunnel::sigkillLeavesNoDeviceAndNoRoute()
{
    CHECKED(startTunnel(Family::V4, Family::V4));
    CHECKED(verifyPing(m_ns1, m_h2.tunnelHost));
    QVERIFY(m_helper1->sendSignal(SIGKILL));
    QVERIFY(m_helper1->waitForExit(5000));
    CHECKED(verifyNoTunnelLeft(m_ns1));
}

void TstE2eTunnel::stopSignalEndsWithinOneSecond_data()
{
    QTest::addColumn<int>("signo");
    QTest::newRow("SIGTERM") << SIGTERM;
    QTest::newRow("SIGINT") << SIGINT;
}

void TstE2eTunnel::stopSignalEndsWithinOneSecond()
{
    QFETCH(int, signo);
    CHECKED(startTunnel(Family::V4, Family::V4));
    CHECKED(verifyPing(m_ns1, m_h2.tunnelHost));
    QElapsedTimer timer;
    timer.start();
    QVERIFY(m_helper1->sendSignal(signo));
    QVERIFY2(m_helper1->waitForExit(5000), "still running 5 s after the signal");
    const qint64 elapsed = timer.elapsed();
    QVERIFY2(elapsed < 1000, qPrintable(QStringLiteral("took %1 ms to stop").arg(elapsed)));
    QVERIFY2(m_helper1->exitedNormally(), "killed by the signal instead of handling it");
    QCOMPARE(m_helper1->exitCode(), 0);
    CHECKED(verifyNoTunnelLeft(m_ns1));
}

void TstE2eTunnel::busyResourceFailsWithClearMessage_data()
{
    QTest::addColumn<QString>("setup");
    QTest::addColumn<QByteArray>("message");
    QTest::newRow("udp port held by another process")
        << QStringLiteral("port") << QByteArray("already in use");
    QTest::newRow("device name exists") << QStringLiteral("device") << QByteArray("already exists");
    QTest::newRow("tunnel address on another interface")
        << QStringLiteral("address") << QByteArray("10.244.2.2");
}

void TstE2eTunnel::busyResourceFailsWithClearMessage()
{
    QFETCH(QString, setup);
    QFETCH(QByteArray, message);
    CHECKED(setUpHosts());
    std::tie(m_h1, m_h2) = twoHostPlan(Family::V4, Family::V4);
    const QString ns = m_ns1;

    if (setup == QLatin1String("port")) {
        LabProcess* holder =
            m_lab->start(ns,
                         {python3(), QStringLiteral("-c"),
                          QStringLiteral("import socket, time\n"
                                         "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                                         "s.bind(('10.211.55.122', 8285))\n"
                                         "print('bound', flush=True)\n"
                                         "time.sleep(600)\n")},
                         QStringLiteral("port holder"));
        LAB_VERIFY(holder);
        QVERIFY2(holder->waitForOutput("bound", 10000), holder->output().constData());
    } else if (setup == QLatin1String("device")) {
        CHECKED(addPlaceholderDevice(ns, QString::fromLatin1(kDevice)));
    } else {
        CHECKED(addPlaceholderDevice(ns, QStringLiteral("other0")));
        LAB_VERIFY(
            m_lab->addAddress(ns, QStringLiteral("other0"), QStringLiteral("10.244.2.2/24")));
    }

    const QString profile = m_lab->writeFile(QStringLiteral("busy.json"), profileJson(m_h1));
    LAB_VERIFY(!profile.isEmpty());
    LabProcess* helper = m_lab->start(ns, {m_helperBinary, QStringLiteral("--standalone"), profile},
                                      QStringLiteral("peertun-helper (busy %1)").arg(setup));
    LAB_VERIFY(helper);
    QVERIFY2(helper->waitForExit(5000), "the helper did not give up on a busy resource");
    const QByteArray output = helper->output();
    QVERIFY2(helper->exitedNormally(), output.constData());
    QCOMPARE(helper->exitCode(), 3);
    QVERIFY2(output.contains(message), output.constData());
    QVERIFY2(!output.contains("tunnel up"), output.constData());

    // It failed without touching what was there, and left nothing of its own.
    const CommandResult link =
        m_lab->ip({QStringLiteral("-n"), ns, QStringLiteral("-d"), QStringLiteral("link"),
                   QStringLiteral("show"), QString::fromLatin1(kDevice)});
    if (setup == QLatin1String("device")) {
        QVERIFY2(link.ok() && link.output.contains("bridge"), link.output.constData());
    } else {
        QVERIFY2(!link.ok(), link.output.constData());
    }
    if (setup == QLatin1String("address")) {
        const CommandResult addr = m_lab->ip({QStringLiteral("-n"), ns, QStringLiteral("addr"),
                                              QStringLiteral("show"), QStringLiteral("other0")});
        QVERIFY2(addr.output.contains("10.244.2.2/24"), addr.output.constData());
    }
    const CommandResult routes = m_lab->ip({QStringLiteral("-n"), ns, QStringLiteral("route"),
                                            QStringLiteral("show"), m_h1.peerSubnet});
    QVERIFY2(routes.output.trimmed().isEmpty(), routes.output.constData());
}

QTEST_GUILESS_MAIN(TstE2eTunnel)
#include "tst_e2e_tunnel.moc"
