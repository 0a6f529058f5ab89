// The kill switch end to end, as root, in namespaces made by NetnsLab:
//
//   A: peertun --standalone --veth-- B: wireguard-go, a router --veth-- C: "internet"
//
// A and C are dual-stack; B forwards both the tunnel's traffic and A's clear traffic to C, so
// without a kill switch A reaches C directly. C counts what arrives from A's underlay
// addresses (in the clear) and from A's tunnel address (through B's tunnel) with nftables
// counters in its own namespace. Checks: the counters see a clear ping before the tunnel;
// while connected C is reached only through the tunnel, also by `ping -I <underlay>`; with
// the far side stopped, then with the helper SIGKILLed, nothing reaches C in the clear (pings,
// DNS queries, the other IP family); a restarted helper takes the leftover chains over and
// removes them on a clean stop, after which direct traffic works again.
#include "NetnsLab.h"
#include "WireGuardGo.h"

#include <QElapsedTimer>
#include <QRegularExpression>
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
const QString kDevice = QStringLiteral("ptks0");

struct Family
{
    QString flag;         // "-4" / "-6"
    QString defaultRoute; // 0.0.0.0/0 / ::/0
    QString tunnelA, tunnelB, tunnelPrefix, tunnelSubnet;
    QString underlayA, underlayB, underlayPrefix, underlaySubnet;
    QString endpointB; // on B's lo
    QString routerB, internetC, internetPrefix;
    QString nftFamily; // "ip" / "ip6"
};

const Family kV4{"-4",
                 "0.0.0.0/0",
                 "10.212.0.1",
                 "10.212.0.2",
                 "24",
                 "10.212.0.0/24",
                 "192.168.212.1",
                 "192.168.212.2",
                 "24",
                 "192.168.212.0/24",
                 "203.0.113.20",
                 "198.51.100.254",
                 "198.51.100.1",
                 "24",
                 "ip"};
const Family kV6{"-6",
                 "::/0",
                 "fd00:212::1",
                 "fd00:212::2",
                 "64",
                 "fd00:212::/64",
                 "fd00:193::1",
                 "fd00:193::2",
                 "64",
                 "fd00:193::/64",
                 "2001:db8:114::20",
                 "2001:db8:101::fe",
                 "2001:db8:101::1",
                 "64",
                 "ip6"};

QString withPort(const QString& address, int port)
{
    return (address.contains(u':') ? "[" + address + "]" : address) + ":" + QString::number(port);
}

} // namespace

#define LAB_VERIFY(expr) QVERIFY2((expr), qPrintable(m_lab->lastError()))

class TestE2eKillSwitch final : public QObject
{
    Q_OBJECT

    std::unique_ptr<NetnsLab> m_lab;
    std::unique_ptr<WireGuardGo> m_wg;
    QString m_a, m_b, m_c;

    void setUpWorld()
    {
        LAB_VERIFY(m_lab->runOk(m_a, {"sysctl", "-qw", "net.ipv4.conf.all.rp_filter=2"}));
        LAB_VERIFY(m_lab->runOk(m_b, {"sysctl", "-qw", "net.ipv4.ip_forward=1"}));
        LAB_VERIFY(m_lab->runOk(m_b, {"sysctl", "-qw", "net.ipv6.conf.all.forwarding=1"}));
        for (const Family& f : {kV4, kV6}) {
            LAB_VERIFY(m_lab->addAddress(m_a, "vab", f.underlayA + "/" + f.underlayPrefix));
            LAB_VERIFY(m_lab->addAddress(m_b, "vba", f.underlayB + "/" + f.underlayPrefix));
            LAB_VERIFY(m_lab->runOk(
                m_a, {"ip", f.flag, "route", "add", "default", "via", f.underlayB, "dev", "vab"}));
            LAB_VERIFY(
                m_lab->addAddress(m_b, "lo", f.endpointB + (f.flag == "-6" ? "/128" : "/32")));
            LAB_VERIFY(m_lab->addAddress(m_b, "vbc", f.routerB + "/" + f.internetPrefix));
            LAB_VERIFY(m_lab->addAddress(m_c, "vcb", f.internetC + "/" + f.internetPrefix));
            for (const QString& back : {f.tunnelSubnet, f.underlaySubnet}) {
                LAB_VERIFY(m_lab->runOk(
                    m_c, {"ip", f.flag, "route", "add", back, "via", f.routerB, "dev", "vcb"}));
            }
        }
        // C's view: what comes from A in the clear and what comes out of B's tunnel.
        const QString rules =
            QStringLiteral("table inet count {\n"
                           "  counter clear4 {}\n  counter clear6 {}\n"
                           "  counter tunnel4 {}\n  counter tunnel6 {}\n"
                           "  chain in { type filter hook prerouting priority -300;\n"
                           "    ip saddr %1 counter name clear4\n"
                           "    ip6 saddr %2 counter name clear6\n"
                           "    ip saddr %3 counter name tunnel4\n"
                           "    ip6 saddr %4 counter name tunnel6\n  }\n}\n")
                .arg(kV4.underlayA, kV6.underlayA, kV4.tunnelA, kV6.tunnelA);
        LAB_VERIFY(m_lab->runOk(m_c, {"nft", "-f", m_lab->writeFile("count.nft", rules.toUtf8())}));
    }

    qint64 counterAtC(const QString& name)
    {
        const CommandResult r = m_lab->run(m_c, {"nft", "list", "counter", "inet", "count", name});
        const auto m = QRegularExpression("packets (\\d+)").match(QString::fromUtf8(r.output));
        return r.ok() && m.hasMatch() ? m.captured(1).toLongLong() : -1;
    }
    qint64 clearAtC() { return counterAtC("clear4") + counterAtC("clear6"); }

    QString tableOfA()
    {
        const CommandResult r = m_lab->run(m_a, {"nft", "list", "table", "inet", "peertun"});
        return r.ok() ? QString::fromUtf8(r.output) : QString();
    }

    bool pingOnce(const QString& address, const QStringList& extra = {})
    {
        return m_lab
            ->run(m_a, QStringList{"ping", "-c", "1", "-W", "1", "-n", "-q"} + extra +
                           QStringList{address})
            .ok();
    }
    // A ping that should not get an answer: a dropped one fails at once (sendmsg: EPERM);
    // the short wait covers one that got out.
    bool blockedPing(const QString& address, const QStringList& extra = {})
    {
        return !m_lab
                    ->run(m_a, QStringList{"ping", "-c", "1", "-W", "0.3", "-n", "-q"} + extra +
                                   QStringList{address})
                    .ok();
    }
    bool pingWithin(const QString& address, int timeoutMs)
    {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs) {
            if (pingOnce(address)) {
                return true;
            }
        }
        return false;
    }

    // Everything a leak could be: pings of both families (also bound to the underlay device)
    // and DNS queries over UDP and TCP, to C. None may get out; each must fail at A.
    void tryToLeak()
    {
        for (const Family& f : {kV4, kV6}) {
            QVERIFY2(blockedPing(f.internetC), qPrintable(f.internetC + " answered"));
            QVERIFY2(blockedPing(f.internetC, {"-I", "vab"}),
                     qPrintable("ping -I vab " + f.internetC));
            // A resolver's queries to C's port 53 (bash's /dev/udp sends one datagram).
            m_lab->run(
                m_a, {"timeout", "0.5", "bash", "-c", "echo q > /dev/udp/" + f.internetC + "/53"});
            m_lab->run(
                m_a, {"timeout", "0.5", "bash", "-c", "echo q > /dev/tcp/" + f.internetC + "/53"});
        }
    }

    QString profile(const Family& f, const KeyPair& a, const KeyPair& b, bool allowLan = false)
    {
        const QString text =
            QStringLiteral(R"({"version": 1, "name": "guarded",
            "interface": {"name": "%1", "address": "%2/%3", "listen": ":%4", "privateKey": "%5",
                          "killSwitch": true%9},
            "mode": "wireguard",
            "peers": [{"name": "vpn", "endpoint": "%6", "subnets": ["%7"], "publicKey": "%8"}]})")
                .arg(kDevice, f.tunnelA, f.tunnelPrefix)
                .arg(kPort)
                .arg(a.privateKey, withPort(f.endpointB, kPort), f.defaultRoute, b.publicKey,
                     allowLan ? QStringLiteral(", \"allowLan\": true") : QString());
        const QString path = m_lab->tempPath("a.json");
        return writePrivateFile(path, text) ? path : QString();
    }

private slots:
    void initTestCase()
    {
        if (::geteuid() != 0) {
            QSKIP("needs root: creates network namespaces, TUN devices and nftables tables");
        }
        QVERIFY2(!qEnvironmentVariable("PEERTUN_HELPER").isEmpty(), "PEERTUN_HELPER not set");
        for (const char* tool : {"wireguard-go", "wg", "ping", "nft", "bash"}) {
            QVERIFY2(!QStandardPaths::findExecutable(tool).isEmpty(),
                     qPrintable(QStringLiteral("%1 is not installed").arg(tool)));
        }
    }

    void init()
    {
        m_lab = std::make_unique<NetnsLab>();
        QVERIFY(m_lab->isValid());
        m_wg = std::make_unique<WireGuardGo>(QStringLiteral("ptks%1").arg(::getpid()));
        m_a = m_lab->addNamespace();
        m_b = m_lab->addNamespace();
        m_c = m_lab->addNamespace();
        LAB_VERIFY(!m_a.isEmpty() && !m_b.isEmpty() && !m_c.isEmpty());
        LAB_VERIFY(m_lab->addVethPair(m_a, "vab", m_b, "vba"));
        LAB_VERIFY(m_lab->addVethPair(m_b, "vbc", m_c, "vcb"));
        setUpWorld();
    }

    void cleanup()
    {
        m_lab.reset();
        m_wg.reset();
    }

    void blocksEverythingOutsideTheTunnel_data()
    {
        QTest::addColumn<bool>("ipv6");
        QTest::newRow("ipv4 full tunnel, IPv6 must not leak") << false;
        QTest::newRow("ipv6 full tunnel, IPv4 must not leak") << true;
    }
    void blocksEverythingOutsideTheTunnel()
    {
        QFETCH(bool, ipv6);
        const Family& f = ipv6 ? kV6 : kV4;
        const Family& other = ipv6 ? kV4 : kV6;

        // The counters see a clear packet: without the kill switch A reaches C directly.
        QVERIFY(pingWithin(kV4.internetC, 5000) && pingWithin(kV6.internetC, 5000));
        QVERIFY(counterAtC("clear4") >= 1 && counterAtC("clear6") >= 1);

        const KeyPair a = makeKeys();
        const KeyPair b = makeKeys();
        const QString path = profile(f, a, b);
        QVERIFY(!path.isEmpty());
        const QStringList helperArgv{qEnvironmentVariable("PEERTUN_HELPER"), "--standalone", path};
        LabProcess* helper = m_lab->start(m_a, helperArgv, "helper");
        QVERIFY(helper);
        QVERIFY2(helper->waitForOutput("tunnel up:", 10000), helper->output().constData());
        QVERIFY2(helper->output().contains("kill switch on: traffic outside " + kDevice.toUtf8() +
                                           " is blocked"),
                 helper->output().constData());
        QVERIFY2(tableOfA().contains("chain out-" + kDevice) &&
                     tableOfA().contains("chain fwd-" + kDevice),
                 qPrintable(tableOfA()));
        LabProcess* server =
            m_wg->start(*m_lab, m_b, b, kPort,
                        {"peer", a.publicKey, "allowed-ips", f.tunnelA + (ipv6 ? "/128" : "/32")},
                        f.tunnelB + "/" + f.tunnelPrefix);
        QVERIFY2(server, qPrintable(m_lab->lastError()));

        // Connected: C is reached, only through the tunnel.
        const qint64 clearBefore = clearAtC();
        const QString tunnelCounter = ipv6 ? "tunnel6" : "tunnel4";
        const qint64 tunnelBefore = counterAtC(tunnelCounter);
        QVERIFY2(pingWithin(f.internetC, 10000), helper->output().constData());
        QVERIFY(m_lab->runOk(m_a,
                             {"ping", "-c", "3", "-i", "0.2", "-W", "2", "-n", "-q", f.internetC}));
        QVERIFY(counterAtC(tunnelCounter) - tunnelBefore >= 4);
        // The other family has no tunnel route: it must not go out in the clear either.
        QVERIFY(blockedPing(other.internetC));
        // A socket bound to the underlay device is no way around it.
        QVERIFY(blockedPing(f.internetC, {"-I", "vab"}));
        QCOMPARE(clearAtC(), clearBefore);

        // The far side goes away: nothing falls back to the clear.
        server->stop();
        tryToLeak();
        QCOMPARE(clearAtC(), clearBefore);
        QVERIFY2(QRegularExpression("counter packets [1-9]\\d* bytes \\d+ drop")
                     .match(tableOfA())
                     .hasMatch(),
                 qPrintable(tableOfA())); // A's own drops were counted

        // The helper is killed: the device goes, the chains stay.
        QVERIFY(helper->sendSignal(SIGKILL));
        QVERIFY(helper->waitForExit(5000));
        QTRY_VERIFY_WITH_TIMEOUT(!m_lab->ip({"-n", m_a, "link", "show", "dev", kDevice}).ok(),
                                 5000);
        QVERIFY2(tableOfA().contains("chain out-" + kDevice), qPrintable(tableOfA()));
        tryToLeak();
        QCOMPARE(clearAtC(), clearBefore);

        // Started again, it takes the leftover over (one chain set, not two); a clean stop is
        // the disconnect that removes it, and A reaches C directly again.
        LabProcess* again = m_lab->start(m_a, helperArgv, "helper again");
        QVERIFY(again);
        QVERIFY2(again->waitForOutput("tunnel up:", 10000), again->output().constData());
        QCOMPARE(tableOfA().count("chain out-"), 1);
        QCOMPARE(QRegularExpression("0x[0-9a-f]{8}").globalMatch(tableOfA()).hasNext(), true);
        QVERIFY(again->sendSignal(SIGTERM));
        QVERIFY(again->waitForExit(10000));
        QVERIFY2(again->exitedNormally(), again->output().constData());
        QVERIFY2(again->output().contains("kill switch off"), again->output().constData());
        QCOMPARE(tableOfA(), QString()); // the table is gone
        QVERIFY(pingWithin(f.internetC, 5000));
        QVERIFY(pingWithin(other.internetC, 5000));
        QVERIFY(clearAtC() > clearBefore);
    }

    // allowLan lets the underlay's subnet through and nothing further; without it, even the
    // LAN is blocked. No far side needed: the switch is on as soon as the tunnel is.
    void allowLanLetsTheUnderlaySubnetThrough()
    {
        const KeyPair a = makeKeys();
        const KeyPair b = makeKeys();
        for (const bool allowLan : {false, true}) {
            const QString path = profile(kV4, a, b, allowLan);
            LabProcess* helper = m_lab->start(
                m_a, {qEnvironmentVariable("PEERTUN_HELPER"), "--standalone", path}, "helper");
            QVERIFY(helper);
            QVERIFY2(helper->waitForOutput("tunnel up:", 10000), helper->output().constData());
            QCOMPARE(!blockedPing(kV4.underlayB), allowLan);
            QCOMPARE(!blockedPing(kV6.underlayB), allowLan);
            QVERIFY(blockedPing(kV4.internetC));
            QVERIFY(blockedPing(kV6.internetC));
            if (allowLan) {
                QVERIFY2(helper->output().contains("LAN allowed: " + kV4.underlaySubnet.toUtf8()),
                         helper->output().constData());
            }
            helper->stop();
            QCOMPARE(tableOfA(), QString());
        }
        QCOMPARE(counterAtC("clear4") + counterAtC("clear6"), 0);
    }
};

QTEST_GUILESS_MAIN(TestE2eKillSwitch)
#include "tst_e2e_killswitch.moc"
