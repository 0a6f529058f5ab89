// Full tunnel (a peer's AllowedIPs 0.0.0.0/0 or ::/0) end to end, as root, in network
// namespaces made by NetnsLab (names carry the PID; removed after every test function, and on
// interruption):
//
//   A: peertun --standalone --veth-- B: wireguard-go (`wg`), a router --veth-- C: "internet"
//
// A's main table has a default route via B's underlay address, and it reaches B's endpoint (an
// address on B's lo) only through that default route: without the socket mark the handshake
// would loop into the tunnel. C has a route back to the tunnel subnet only, so its replies
// prove that A's packets came out of B's tunnel. Checks: the rules and table are there, the
// UDP socket is marked, traffic to C goes through the tunnel (counters on both ends), a more
// specific main-table route in A still wins, deleted rules and routes come back, and after
// SIGTERM no rule, table route, marked socket or device is left.
#include "NetnsLab.h"
#include "WireGuardGo.h"
#include "Keys.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QTest>
#include <csignal>
#include <unistd.h>

namespace {

using peertun::testlab::CommandResult;
using peertun::testlab::KeyPair;
using peertun::testlab::LabProcess;
using peertun::testlab::makeKeys;
using peertun::testlab::NetnsLab;
using peertun::testlab::WireGuardGo;
using peertun::testlab::writePrivateFile;

constexpr int kPort = 51820;
const QString kDevice = QStringLiteral("ptft0");
const QString kTable = QStringLiteral("51820"); // a fresh namespace: wg-quick's first choice

// The addresses of one test row (one IP family).
struct Plan
{
    QString family; // "-4" or "-6"
    QString defaultRoute;
    QString tunnelA, tunnelB, tunnelPrefix; // tunnel addresses and their prefix length
    QString tunnelSubnet;
    QString underlayA, underlayB, underlayPrefix;
    QString endpointB;          // on B's lo, reached from A by its default route only
    QString routerB, internetC; // the B--C link; C is the "internet" host
    QString internetPrefix;     // of the B--C link
    QString specificRoute;      // a main-table route in A that covers endpointB
    QString forwardingSysctl;   // in B
};

Plan planFor(const QString& family)
{
    if (family == "ipv6") {
        return {"-6",
                "::/0",
                "fd00:211::1",
                "fd00:211::2",
                "64",
                "fd00:211::/64",
                "fd00:192::1",
                "fd00:192::2",
                "64",
                "2001:db8:113::10",
                "2001:db8:100::fe",
                "2001:db8:100::1",
                "64",
                "2001:db8:113::/64",
                "net.ipv6.conf.all.forwarding=1"};
    }
    return {"-4", "0.0.0.0/0",      "10.211.0.1",           "10.211.0.2",
            "24", "10.211.0.0/24",  "192.168.211.1",        "192.168.211.2",
            "24", "203.0.113.10",   "198.51.100.254",       "198.51.100.1",
            "24", "203.0.113.0/24", "net.ipv4.ip_forward=1"};
}

QString hostPrefix(const Plan& p)
{
    return p.family == "-6" ? "/128" : "/32";
}

QString withPort(const QString& address, int port)
{
    return (address.contains(u':') ? "[" + address + "]" : address) + ":" + QString::number(port);
}

QString text(const CommandResult& r)
{
    return QString::fromUtf8(r.output);
}

} // namespace

// Runs a void helper that may fail a check, and stops the test there if it did.
#define CHECKED(call)                                                                              \
    do {                                                                                           \
        call;                                                                                      \
        if (QTest::currentTestFailed()) {                                                          \
            return;                                                                                \
        }                                                                                          \
    } while (false)
#define LAB_VERIFY(expr) QVERIFY2((expr), qPrintable(m_lab->lastError()))

class TestE2eFullTunnel final : public QObject
{
    Q_OBJECT

    std::unique_ptr<NetnsLab> m_lab;
    std::unique_ptr<WireGuardGo> m_wg;
    QString m_a, m_b, m_c;

    // Pings until one reply comes back within `timeoutMs`.
    bool pingWithin(const QString& ns, const QString& address, int timeoutMs)
    {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs) {
            if (m_lab->run(ns, {"ping", "-c", "1", "-W", "1", "-n", "-q", address}).ok()) {
                return true;
            }
        }
        return false;
    }

    // Received packets of `dev` in `ns` as the kernel counts them; -1 if unreadable.
    qint64 rxPackets(const QString& ns, const QString& dev)
    {
        const auto r = m_lab->ip({"-n", ns, "-j", "-s", "link", "show", "dev", dev});
        const QJsonArray a = QJsonDocument::fromJson(r.output).array();
        if (!r.ok() || a.isEmpty()) {
            return -1;
        }
        const QJsonObject stats = a.first().toObject().value("stats64").toObject();
        return stats.value("rx").toObject().value("packets").toInteger(-1);
    }

    QString rulesOfA(const Plan& p) { return text(m_lab->ip({"-n", m_a, p.family, "rule"})); }
    QString tableOfA(const Plan& p)
    {
        // IPv6 calls an empty table missing; the text is empty either way.
        const auto r = m_lab->ip({"-n", m_a, p.family, "route", "show", "table", kTable});
        return r.ok() ? text(r) : QString();
    }
    QString udpSocketsOfA() { return text(m_lab->run(m_a, {"ss", "-H", "-u", "-a", "-n", "-e"})); }

    // A "server": no endpoint for A, learned from A's handshake (which must get out).
    LabProcess* startWireGuardGo(const Plan& p, const KeyPair& keysB, const QString& publicKeyOfA)
    {
        return m_wg->start(*m_lab, m_b, keysB, kPort,
                           {"peer", publicKeyOfA, "allowed-ips", p.tunnelA + hostPrefix(p)},
                           p.tunnelB + "/" + p.tunnelPrefix);
    }

    // A's underlay (its only way out is its default route via B), B routing between its
    // tunnel and C, C (the "internet") answering the tunnel subnet only.
    void setUpWorld(const Plan& p)
    {
        LAB_VERIFY(m_lab->addAddress(m_a, "vab", p.underlayA + "/" + p.underlayPrefix));
        LAB_VERIFY(m_lab->addAddress(m_b, "vba", p.underlayB + "/" + p.underlayPrefix));
        LAB_VERIFY(m_lab->runOk(
            m_a, {"ip", p.family, "route", "add", "default", "via", p.underlayB, "dev", "vab"}));
        LAB_VERIFY(m_lab->addAddress(m_b, "lo", p.endpointB + hostPrefix(p)));
        // New namespaces copy the host's IPv4 settings; a strict host must not fail the test
        // (see strictReversePathFilterIsNamed). 2 is systemd's default.
        LAB_VERIFY(m_lab->runOk(m_a, {"sysctl", "-qw", "net.ipv4.conf.all.rp_filter=2"}));
        // B routes between its tunnel and C; C can answer the tunnel subnet only.
        LAB_VERIFY(m_lab->runOk(m_b, {"sysctl", "-qw", p.forwardingSysctl}));
        LAB_VERIFY(m_lab->addAddress(m_b, "vbc", p.routerB + "/" + p.internetPrefix));
        LAB_VERIFY(m_lab->addAddress(m_c, "vcb", p.internetC + "/" + p.internetPrefix));
        LAB_VERIFY(m_lab->runOk(
            m_c, {"ip", p.family, "route", "add", p.tunnelSubnet, "via", p.routerB, "dev", "vcb"}));
    }

private slots:
    void initTestCase()
    {
        if (::geteuid() != 0) {
            QSKIP("needs root: creates network namespaces, TUN devices and veth pairs");
        }
        QVERIFY2(!qEnvironmentVariable("PEERTUN_HELPER").isEmpty(), "PEERTUN_HELPER not set");
        for (const char* tool : {"wireguard-go", "wg", "ping", "ss", "sysctl"}) {
            QVERIFY2(!QStandardPaths::findExecutable(tool).isEmpty(),
                     qPrintable(QStringLiteral("%1 is not installed").arg(tool)));
        }
    }

    void init()
    {
        m_lab = std::make_unique<NetnsLab>();
        QVERIFY(m_lab->isValid());
        m_wg = std::make_unique<WireGuardGo>(QStringLiteral("ptft%1").arg(::getpid()));
        m_a = m_lab->addNamespace();
        LAB_VERIFY(!m_a.isEmpty());
        m_b = m_lab->addNamespace();
        LAB_VERIFY(!m_b.isEmpty());
        m_c = m_lab->addNamespace();
        LAB_VERIFY(!m_c.isEmpty());
        LAB_VERIFY(m_lab->addVethPair(m_a, "vab", m_b, "vba"));
        LAB_VERIFY(m_lab->addVethPair(m_b, "vbc", m_c, "vcb"));
    }

    void cleanup()
    {
        // Stops the processes and deletes the namespaces, whatever the test did.
        const QStringList namespacesLeft = peertun::testlab::tearDownLab(m_lab);
        m_wg.reset();
        LAB_VERIFY_NOTHING_LEFT(namespacesLeft);
    }

    void fullTunnelThroughWireGuardGo_data()
    {
        QTest::addColumn<QString>("family");
        QTest::newRow("ipv4 0.0.0.0/0") << "ipv4";
        QTest::newRow("ipv6 ::/0") << "ipv6";
    }

    void fullTunnelThroughWireGuardGo()
    {
        QFETCH(QString, family);
        const Plan p = planFor(family);

        CHECKED(setUpWorld(p));

        const KeyPair a = makeKeys();
        const KeyPair b = makeKeys();
        const QString profile =
            QStringLiteral(R"({"version": 1, "name": "everything",
            "interface": {"name": "%1", "address": "%2/%3", "listen": ":%4", "privateKey": "%5"},
            "mode": "wireguard",
            "peers": [{"name": "other", "endpoint": "%6", "subnets": ["%7"], "publicKey": "%8"}]})")
                .arg(kDevice, p.tunnelA, p.tunnelPrefix)
                .arg(kPort)
                .arg(a.privateKey, withPort(p.endpointB, kPort), p.defaultRoute, b.publicKey);
        const QString profilePath = m_lab->tempPath("a.json");
        QVERIFY(writePrivateFile(profilePath, profile));
        LabProcess* helper = m_lab->start(
            m_a, {qEnvironmentVariable("PEERTUN_HELPER"), "--standalone", profilePath}, "helper");
        QVERIFY(helper);
        QVERIFY2(helper->waitForOutput("tunnel up:", 10000), helper->output().constData());
        QVERIFY2(helper->output().contains("all traffic (table 51820)"),
                 helper->output().constData());
        QVERIFY2(startWireGuardGo(p, b, a.publicKey), qPrintable(m_lab->lastError()));

        // What wg-quick would have set up: two rules, a table, a marked socket.
        const QString notFwmark = "not from all fwmark 0xca6c lookup 51820 proto static";
        const QString suppress = "from all lookup main suppress_prefixlength 0 proto static";
        QVERIFY2(rulesOfA(p).contains("32765:\t" + notFwmark), qPrintable(rulesOfA(p)));
        QVERIFY2(rulesOfA(p).contains("32764:\t" + suppress), qPrintable(rulesOfA(p)));
        QVERIFY2(tableOfA(p).startsWith("default dev " + kDevice), qPrintable(tableOfA(p)));
        QVERIFY2(udpSocketsOfA().contains(QString(":%1 ").arg(kPort)) &&
                     udpSocketsOfA().contains("fwmark:0xca6c"),
                 qPrintable(udpSocketsOfA()));
        // Routing decisions: the world through the tunnel, the marked underlay past it.
        const QString toC = text(m_lab->ip({"-n", m_a, "route", "get", p.internetC}));
        QVERIFY2(toC.contains("dev " + kDevice + " table 51820"), qPrintable(toC));
        const QString underlay =
            text(m_lab->ip({"-n", m_a, "route", "get", p.endpointB, "mark", kTable}));
        QVERIFY2(underlay.contains("via " + p.underlayB + " dev vab"), qPrintable(underlay));

        // C is reached through the tunnel: the handshake got out (no loop), and the packets
        // arrive at B by its tunnel device.
        QVERIFY2(pingWithin(m_a, p.internetC, 10000), helper->output().constData());
        const auto before = helper->readStats("everything", 1);
        const qint64 tunnelRxB = rxPackets(m_b, m_wg->name());
        QVERIFY(before && tunnelRxB >= 0);
        QVERIFY(m_lab->runOk(m_a,
                             {"ping", "-c", "5", "-i", "0.2", "-W", "2", "-n", "-q", p.internetC}));
        const auto after = helper->readStats("everything", 1);
        QVERIFY(after);
        QVERIFY(after->counter("handshakes_done") >= 1);
        QVERIFY2(after->counter("tx_packets") - before->counter("tx_packets") >= 5,
                 qPrintable(after->values.value("tx_packets")));
        QVERIFY2(after->counter("rx_packets") - before->counter("rx_packets") >= 5,
                 qPrintable(after->values.value("rx_packets")));
        QVERIFY(rxPackets(m_b, m_wg->name()) - tunnelRxB >= 5);

        // A's more specific main-table route still wins (suppress_prefixlength 0 lets it).
        LAB_VERIFY(m_lab->runOk(m_a, {"ip", p.family, "route", "add", p.specificRoute, "via",
                                      p.underlayB, "dev", "vab"}));
        const QString specific = text(m_lab->ip({"-n", m_a, "route", "get", p.endpointB}));
        QVERIFY2(specific.contains("via " + p.underlayB + " dev vab") &&
                     !specific.contains("table"),
                 qPrintable(specific));
        const qint64 tunnelRxBeforeSpecific = rxPackets(m_b, m_wg->name());
        QVERIFY(m_lab->runOk(m_a,
                             {"ping", "-c", "3", "-i", "0.2", "-W", "2", "-n", "-q", p.endpointB}));
        QCOMPARE(rxPackets(m_b, m_wg->name()), tunnelRxBeforeSpecific); // not via the tunnel
        LAB_VERIFY(m_lab->runOk(m_a, {"ip", p.family, "route", "del", p.specificRoute}));

        // The route guard puts back what someone deletes.
        LAB_VERIFY(m_lab->runOk(m_a, {"ip", p.family, "rule", "del", "pref", "32765"}));
        QTRY_VERIFY_WITH_TIMEOUT(rulesOfA(p).contains("32765:\t" + notFwmark), 5000);
        LAB_VERIFY(m_lab->runOk(m_a, {"ip", p.family, "rule", "del", "pref", "32764"}));
        QTRY_VERIFY_WITH_TIMEOUT(rulesOfA(p).contains("32764:\t" + suppress), 5000);
        LAB_VERIFY(m_lab->runOk(m_a, {"ip", p.family, "route", "flush", "table", kTable}));
        QTRY_VERIFY_WITH_TIMEOUT(tableOfA(p).startsWith("default dev " + kDevice), 5000);
        const QString restored = QString("restored %1 rule 32765: not fwmark 0xca6c lookup 51820")
                                     .arg(p.family == "-6" ? "IPv6" : "IPv4");
        QVERIFY2(helper->output().contains(restored.toUtf8()), helper->output().constData());
        QVERIFY(pingWithin(m_a, p.internetC, 5000));

        // SIGTERM: nothing of the full tunnel is left.
        QVERIFY(helper->sendSignal(SIGTERM));
        QVERIFY(helper->waitForExit(10000));
        QVERIFY2(helper->exitedNormally(), helper->output().constData());
        const QString rulesAfter = rulesOfA(p);
        QVERIFY2(!rulesAfter.contains("51820") && !rulesAfter.contains("suppress_prefixlength"),
                 qPrintable(rulesAfter));
        QCOMPARE(tableOfA(p), QString());
        QVERIFY2(!udpSocketsOfA().contains("fwmark"), qPrintable(udpSocketsOfA()));
        QVERIFY(!m_lab->ip({"-n", m_a, "link", "show", "dev", kDevice}).ok());
        // And the plain default route is A's way out again.
        const QString plain = text(m_lab->ip({"-n", m_a, "route", "get", p.internetC}));
        QVERIFY2(plain.contains("via " + p.underlayB + " dev vab"), qPrintable(plain));
    }

    // A full-tunnel peer beside a peer with a specific subnet (the office behind its gateway):
    // the longest prefix picks the peer, as WireGuard's AllowedIPs do. D is a second peertun,
    // reached over its own link; the world still goes through B.
    void fullTunnelPeerBesideASpecificPeer()
    {
        const Plan p = planFor("ipv4");
        const QString d = m_lab->addNamespace();
        LAB_VERIFY(!d.isEmpty());
        LAB_VERIFY(m_lab->addVethPair(m_a, "vad", d, "vda"));
        LAB_VERIFY(m_lab->addAddress(m_a, "vad", "192.168.212.1/24"));
        LAB_VERIFY(m_lab->addAddress(d, "vda", "192.168.212.2/24"));
        CHECKED(setUpWorld(p));

        const KeyPair a = makeKeys();
        const KeyPair b = makeKeys();
        const KeyPair office = makeKeys();
        const QString profileA =
            QStringLiteral(R"({"version": 1, "name": "roaming",
            "interface": {"name": "%1", "address": "%2/%3", "listen": ":%4", "privateKey": "%5"},
            "mode": "wireguard",
            "peers": [{"name": "world", "endpoint": "%6", "subnets": ["0.0.0.0/0"], "publicKey": "%7"},
                      {"name": "office", "endpoint": "192.168.212.2:%4", "subnets": ["10.212.0.0/24"],
                       "publicKey": "%8"}]})")
                .arg(kDevice, p.tunnelA, p.tunnelPrefix)
                .arg(kPort)
                .arg(a.privateKey, withPort(p.endpointB, kPort), b.publicKey, office.publicKey);
        const QString profileD = QStringLiteral(R"({"version": 1, "name": "office",
            "interface": {"name": "%1", "address": "10.212.0.1/24", "listen": "192.168.212.2:%2",
                          "privateKey": "%3"},
            "mode": "wireguard",
            "peers": [{"name": "roaming", "endpoint": "192.168.212.1:%2", "subnets": ["%4/32"],
                       "publicKey": "%5"}]})")
                                     .arg(kDevice)
                                     .arg(kPort)
                                     .arg(office.privateKey, p.tunnelA, a.publicKey);
        const QString pathA = m_lab->tempPath("a.json");
        const QString pathD = m_lab->tempPath("d.json");
        QVERIFY(writePrivateFile(pathA, profileA) && writePrivateFile(pathD, profileD));
        LabProcess* helperD = m_lab->start(
            d, {qEnvironmentVariable("PEERTUN_HELPER"), "--standalone", pathD}, "office");
        LabProcess* helperA = m_lab->start(
            m_a, {qEnvironmentVariable("PEERTUN_HELPER"), "--standalone", pathA}, "roaming");
        QVERIFY(helperA && helperD);
        QVERIFY2(helperD->waitForOutput("tunnel up:", 10000), helperD->output().constData());
        QVERIFY2(helperA->waitForOutput("tunnel up:", 10000), helperA->output().constData());
        QVERIFY2(startWireGuardGo(p, b, a.publicKey), qPrintable(m_lab->lastError()));

        // The office's subnet by the main table (more specific), the rest by table 51820.
        const QString toOffice = text(m_lab->ip({"-n", m_a, "route", "get", "10.212.0.1"}));
        QVERIFY2(toOffice.contains("dev " + kDevice) && !toOffice.contains("table"),
                 qPrintable(toOffice));
        QVERIFY2(pingWithin(m_a, "10.212.0.1", 10000), helperA->output().constData());
        QVERIFY2(pingWithin(m_a, p.internetC, 10000), helperA->output().constData());

        const qint64 worldRx = rxPackets(m_b, m_wg->name());
        const auto before = helperA->readStats("roaming", 2);
        QVERIFY(before && worldRx >= 0);
        QVERIFY(m_lab->runOk(
            m_a, {"ping", "-c", "4", "-i", "0.2", "-W", "2", "-n", "-q", "10.212.0.1"}));
        const auto after = helperA->readStats("roaming", 2);
        QVERIFY(after);
        QVERIFY(after->peerCounter("office", "rx_packets") -
                    before->peerCounter("office", "rx_packets") >=
                4);
        QCOMPARE(after->peerCounter("world", "tx_packets"),
                 before->peerCounter("world", "tx_packets"));
        QCOMPARE(rxPackets(m_b, m_wg->name()), worldRx); // nothing for the office went to B
        QVERIFY(m_lab->runOk(m_a,
                             {"ping", "-c", "3", "-i", "0.2", "-W", "2", "-n", "-q", p.internetC}));
        const auto world = helperA->readStats("roaming", 2);
        QVERIFY(world);
        QVERIFY(world->peerCounter("world", "rx_packets") -
                    after->peerCounter("world", "rx_packets") >=
                3);
    }

    // Strict reverse-path filtering drops the peer's replies to a marked socket (checked by
    // hand: the ping above then fails). peertun changes no sysctl; it says what to change.
    void strictReversePathFilterIsNamed()
    {
        LAB_VERIFY(m_lab->addAddress(m_a, "vab", "192.168.211.1/24"));
        LAB_VERIFY(m_lab->runOk(m_a, {"ip", "route", "add", "default", "via", "192.168.211.2"}));
        LAB_VERIFY(m_lab->runOk(m_a, {"sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0",
                                      "net.ipv4.conf.vab.rp_filter=1"}));
        const QString profile = QStringLiteral(R"({"version": 1, "name": "strict",
            "interface": {"name": "%1", "address": "10.211.0.1/24", "privateKey": "%2"},
            "mode": "wireguard", "peers": [{"name": "other", "endpoint": "203.0.113.10:%3",
            "subnets": ["0.0.0.0/0"], "publicKey": "%4"}]})")
                                    .arg(kDevice, makeKeys().privateKey)
                                    .arg(kPort)
                                    .arg(makeKeys().publicKey);
        const QString profilePath = m_lab->tempPath("strict.json");
        QVERIFY(writePrivateFile(profilePath, profile));
        LabProcess* helper = m_lab->start(
            m_a, {qEnvironmentVariable("PEERTUN_HELPER"), "--standalone", profilePath}, "helper");
        QVERIFY(helper);
        QVERIFY2(helper->waitForOutput("tunnel up:", 10000), helper->output().constData());
        QVERIFY2(helper->output().contains("strict reverse-path filtering (rp_filter=1) on vab "
                                           "may drop the peer's replies"),
                 helper->output().constData());
        // The effective value is the larger of all and vab. Nothing written by peertun.
        QCOMPARE(text(m_lab->run(m_a, {"sysctl", "-n", "net.ipv4.conf.vab.rp_filter",
                                       "net.ipv4.conf.all.src_valid_mark"}))
                     .split(u'\n', Qt::SkipEmptyParts),
                 QStringList({"1", "0"}));
        QVERIFY(helper->sendSignal(SIGTERM));
        QVERIFY(helper->waitForExit(10000));
        QVERIFY(!text(m_lab->ip({"-n", m_a, "rule"})).contains("51820"));
    }
};

QTEST_GUILESS_MAIN(TestE2eFullTunnel)
#include "tst_e2e_fulltunnel.moc"
