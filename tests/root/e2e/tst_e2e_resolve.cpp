// Host-name endpoints end to end, as root, in network namespaces made by NetnsLab:
//   A (peertun --standalone) --veth-- B (Debian's wireguard-go, configured with `wg`)
//   A --veth-- R (Debian's dnsmasq answering vpn.example.test from a hosts file)
// A's /etc/resolv.conf (a bind mount in A's own mount namespace) names R. peertun connects by
// the name; the record then moves to B's second address while B's first goes away, and the
// traffic comes back on its own. In the full-tunnel case the only route to R is in a table
// that an `ip rule fwmark M` reaches: a query without the tunnel's mark would go into the
// tunnel and never be answered. Also: a name that does not resolve yet (the tunnel comes up,
// the peer says why, and it connects once the record exists), a name of the other family,
// and names the helper refuses.
#include "NetnsLab.h"
#include "WireGuardGo.h"

#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTest>
#include <csignal>
#include <unistd.h>

namespace {

constexpr const char* kUnderlayA = "192.168.211.1";
constexpr const char* kServerFirst = "192.168.211.2";
constexpr const char* kServerSecond = "192.168.211.3";
constexpr const char* kResolverSideA = "192.168.212.1";
constexpr const char* kResolver = "192.168.212.53";
constexpr const char* kTunnelA = "10.211.0.1";
constexpr const char* kTunnelB = "10.211.0.2";
constexpr int kServerPort = 51820;
constexpr const char* kName = "vpn.example.test";

using peertun::testlab::KeyPair;
using peertun::testlab::LabProcess;
using peertun::testlab::makeKeys;
using peertun::testlab::NetnsLab;
using peertun::testlab::WireGuardGo;
using peertun::testlab::writePrivateFile;

QString wgProfile(const QString& privateKey, const QString& endpoint, const QString& subnet,
                  const QString& publicKey, const QString& listen = {})
{
    return QStringLiteral(R"({
    "version": 1,
    "name": "byname",
    "interface": { "name": "ptres0", "address": "%1/24", %2"privateKey": "%3" },
    "mode": "wireguard",
    "peers": [ { "name": "server", "endpoint": "%4", "subnets": ["%5"], "publicKey": "%6" } ]
})")
        .arg(kTunnelA, listen.isEmpty() ? QString() : QStringLiteral("\"listen\": \"%1\", ").arg(listen),
             privateKey, endpoint, subnet, publicKey);
}

// One ping at a time until one is answered; the time it took, or -1.
qint64 pingWithin(NetnsLab& lab, const QString& ns, const QString& address, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
        if (lab.run(ns, {"ping", "-c", "1", "-W", "1", "-n", "-q", address}).ok()) {
            return t.elapsed();
        }
    }
    return -1;
}

} // namespace

#define LAB_VERIFY(expr) QVERIFY2((expr), qPrintable(m_lab->lastError()))

class TestE2eResolve final : public QObject
{
    Q_OBJECT

    std::unique_ptr<NetnsLab> m_lab;
    std::unique_ptr<WireGuardGo> m_wg;
    QString m_a, m_b, m_r;
    QString m_hosts; // dnsmasq's addn-hosts file
    LabProcess* m_dnsmasq = nullptr;

    bool writeHosts(const QByteArray& text)
    {
        QFile f(m_hosts);
        return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(text) == text.size();
    }
    // dnsmasq re-reads its hosts file on SIGHUP; wait until it says so.
    bool reloadHosts()
    {
        const qsizetype from = m_dnsmasq->output().size();
        return m_dnsmasq->sendSignal(SIGHUP) && m_dnsmasq->waitForOutput("read ", 5000, from);
    }

    // peertun-helper --standalone in A, with A's resolv.conf naming R (a bind mount in the
    // process's own mount namespace) and no system bus (so no systemd-resolved of the host).
    LabProcess* startHelper(const QString& profileText, const QByteArray& waitFor = "tunnel up:")
    {
        const QString profile = m_lab->tempPath("byname.json");
        const QString resolvConf = m_lab->writeFile(
            "resolv.conf", QByteArray("nameserver 127.0.0.53\nnameserver ") + kResolver + "\n");
        if (!writePrivateFile(profile, profileText) || resolvConf.isEmpty()) {
            return nullptr;
        }
        LabProcess* p = m_lab->start(
            m_a,
            {"env", "DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent", "unshare", "--mount",
             "--propagation", "private", "sh", "-c",
             "mount --bind \"$0\" /etc/resolv.conf && exec \"$@\"", resolvConf,
             qEnvironmentVariable("PEERTUN_HELPER"), "--standalone", profile},
            "peertun");
        if (p && !waitFor.isEmpty() && !p->waitForOutput(waitFor, 10000)) {
            qWarning("%s", p->output().constData());
            return nullptr;
        }
        return p;
    }

    // The stats line of the peer: its endpoint fields.
    QMap<QString, QString> peerStats(LabProcess* helper)
    {
        const auto s = helper->readStats("byname", 1);
        return s ? s->peers.value("server") : QMap<QString, QString>{};
    }

    LabProcess* startServer(const KeyPair& server, const QString& publicKeyOfA)
    {
        return m_wg->start(*m_lab, m_b, server, kServerPort,
                           {"peer", publicKeyOfA, "allowed-ips", QString(kTunnelA) + "/32"},
                           QString(kTunnelB) + "/24");
    }

private slots:
    void initTestCase()
    {
        if (::geteuid() != 0) {
            QSKIP("needs root: creates network namespaces, TUN devices and veth pairs");
        }
        QVERIFY2(!qEnvironmentVariable("PEERTUN_HELPER").isEmpty(), "PEERTUN_HELPER not set");
        for (const char* tool : {"wireguard-go", "wg", "ping", "dnsmasq", "unshare"}) {
            QVERIFY2(!QStandardPaths::findExecutable(tool, {"/usr/sbin", "/usr/bin", "/sbin", "/bin"})
                          .isEmpty(),
                     qPrintable(QStringLiteral("%1 is not installed (scripts/deps.sh)").arg(tool)));
        }
    }

    void init()
    {
        m_lab = std::make_unique<NetnsLab>();
        QVERIFY(m_lab->isValid());
        m_wg = std::make_unique<WireGuardGo>(QStringLiteral("ptrs%1").arg(::getpid()));
        m_a = m_lab->addNamespace();
        LAB_VERIFY(!m_a.isEmpty());
        m_b = m_lab->addNamespace();
        LAB_VERIFY(!m_b.isEmpty());
        m_r = m_lab->addNamespace();
        LAB_VERIFY(!m_r.isEmpty());
        LAB_VERIFY(m_lab->addVethPair(m_a, "vab", m_b, "vba"));
        LAB_VERIFY(m_lab->addVethPair(m_a, "var", m_r, "vra"));
        LAB_VERIFY(m_lab->addAddress(m_a, "vab", QString(kUnderlayA) + "/24"));
        LAB_VERIFY(m_lab->addAddress(m_b, "vba", QString(kServerFirst) + "/24"));
        LAB_VERIFY(m_lab->addAddress(m_a, "var", QString(kResolverSideA) + "/24"));
        LAB_VERIFY(m_lab->addAddress(m_r, "vra", QString(kResolver) + "/24"));

        m_hosts = m_lab->tempPath("hosts");
        QVERIFY(writeHosts(QByteArray(kServerFirst) + " " + kName + "\n"));
        // Names under example.test that the file lacks get NXDOMAIN, not REFUSED.
        m_dnsmasq = m_lab->start(
            m_r,
            {"dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv",
             "--no-hosts", "--addn-hosts=" + m_hosts, "--local=/example.test/",
             "--listen-address=" + QString(kResolver), "--bind-interfaces", "--user=root",
             "--pid-file=", "--log-queries", "--log-facility=-"},
            "dnsmasq");
        QVERIFY(m_dnsmasq);
        QVERIFY2(m_dnsmasq->waitForOutput("read " + m_hosts.toUtf8(), 5000),
                 m_dnsmasq->output().constData());
    }

    void cleanup()
    {
        m_dnsmasq = nullptr;
        const QStringList namespacesLeft = peertun::testlab::tearDownLab(m_lab);
        m_wg.reset();
        LAB_VERIFY_NOTHING_LEFT(namespacesLeft);
    }

    // A full tunnel to wireguard-go by name; its queries must carry the tunnel's mark (the only
    // way to R); then the record moves with the server and traffic resumes within 15 s.
    void fullTunnelByNameFollowsTheRecord()
    {
        const KeyPair a = makeKeys();
        const KeyPair b = makeKeys();
        QVERIFY2(startServer(b, a.publicKey), qPrintable(m_lab->lastError()));
        // R is reachable only in table 100, and only for packets with the tunnel's mark.
        LAB_VERIFY(m_lab->ip({"-n", m_a, "route", "del", "192.168.212.0/24", "dev", "var"}).ok());
        LabProcess* helper = startHelper(wgProfile(
            a.privateKey, QStringLiteral("%1:%2").arg(kName).arg(kServerPort), "0.0.0.0/0",
            b.publicKey));
        QVERIFY(helper);
        const QRegularExpressionMatch mark =
            QRegularExpression("not fwmark (0x[0-9a-f]+) lookup").match(QString::fromUtf8(helper->output()));
        QVERIFY2(mark.hasMatch(), helper->output().constData());
        LAB_VERIFY(m_lab->ip({"-n", m_a, "route", "add", "192.168.212.0/24", "dev", "var", "table",
                              "100"})
                       .ok());
        LAB_VERIFY(m_lab->ip({"-n", m_a, "rule", "add", "priority", "100", "fwmark",
                              mark.captured(1), "lookup", "100"})
                       .ok());
        QVERIFY2(helper->waitForOutput(QByteArray("server: ") + kName + " is " + kServerFirst +
                                           ":51820",
                                       10000),
                 helper->output().constData());
        QVERIFY2(pingWithin(*m_lab, m_a, kTunnelB, 10000) >= 0, helper->output().constData());
        QVERIFY2(m_dnsmasq->waitForOutput(QByteArray("query[A] ") + kName + " from " +
                                              kResolverSideA,
                                          2000),
                 m_dnsmasq->output().constData());
        QMap<QString, QString> peer = peerStats(helper);
        QCOMPARE(peer.value("endpoint_host"), QString(kName));
        QCOMPARE(peer.value("endpoint"), QStringLiteral("%1:%2").arg(kServerFirst).arg(kServerPort));
        QCOMPARE(peer.value("resolving"), QStringLiteral("0"));
        // No listen in the profile: a random port, not 51820.
        QVERIFY2(!helper->output().contains("listening on :51820,"), helper->output().constData());

        // The server moves to its second address and the record follows; nobody tells peertun.
        const qsizetype logFrom = helper->output().size();
        // Without promote_secondaries the kernel drops the second address with the first.
        LAB_VERIFY(m_lab->runOk(m_b, {"sysctl", "-q", "-w", "net.ipv4.conf.vba.promote_secondaries=1"}));
        LAB_VERIFY(m_lab->addAddress(m_b, "vba", QString(kServerSecond) + "/24"));
        QVERIFY(writeHosts(QByteArray(kServerSecond) + " " + kName + "\n"));
        QVERIFY2(reloadHosts(), m_dnsmasq->output().constData());
        LAB_VERIFY(m_lab->ip({"-n", m_b, "addr", "del", QString(kServerFirst) + "/24", "dev", "vba"})
                       .ok());
        const qint64 recovered = pingWithin(*m_lab, m_a, kTunnelB, 15000);
        QVERIFY2(recovered >= 0, helper->output().constData());
        qInfo("traffic resumed %lld ms after the server moved and the record changed", recovered);
        QVERIFY2(helper->waitForOutput(QByteArray("server: ") + kName + " now " + kServerSecond +
                                           ":51820",
                                       1000, logFrom),
                 helper->output().constData());
        peer = peerStats(helper);
        QCOMPARE(peer.value("endpoint"), QStringLiteral("%1:%2").arg(kServerSecond).arg(kServerPort));
    }

    // Plain mode between two peertuns: the far side's helper moves to another address (the
    // old one now answers with ICMP port unreachable) and its record follows; the burst of
    // unreachable errors makes peertun look the name up again.
    void plainPeerAfterIcmpUnreachable()
    {
        const auto plainProfile = [](const QString& listen, const QString& endpoint,
                                     const QString& address, const QString& subnet) {
            return QStringLiteral(R"({
    "version": 1, "name": "byname",
    "interface": { "name": "ptres0", "address": "%1/24", "listen": "%2" },
    "mode": "plain",
    "peers": [ { "name": "server", "endpoint": "%3", "subnets": ["%4"] } ]
})")
                .arg(address, listen, endpoint, subnet);
        };
        const auto startFarSide = [&](const QString& listenAddress) -> LabProcess* {
            const QString path = m_lab->tempPath("far-" + listenAddress + ".json");
            if (!writePrivateFile(path, plainProfile(listenAddress + ":8285",
                                                     QString(kUnderlayA) + ":8285", kTunnelB,
                                                     QString(kTunnelA) + "/32"))) {
                return nullptr;
            }
            LabProcess* p = m_lab->start(
                m_b, {qEnvironmentVariable("PEERTUN_HELPER"), "--standalone", path}, "far");
            return p && p->waitForOutput("tunnel up:", 10000) ? p : nullptr;
        };
        LabProcess* far = startFarSide(kServerFirst);
        QVERIFY(far);
        LabProcess* helper = startHelper(plainProfile(":8285", QStringLiteral("%1:8285").arg(kName),
                                                      kTunnelA, QString(kTunnelB) + "/32"));
        QVERIFY(helper);
        QVERIFY2(pingWithin(*m_lab, m_a, kTunnelB, 10000) >= 0, helper->output().constData());

        const qsizetype logFrom = helper->output().size();
        far->stop();
        LAB_VERIFY(m_lab->runOk(m_b, {"sysctl", "-q", "-w", "net.ipv4.conf.vba.promote_secondaries=1"}));
        LAB_VERIFY(m_lab->addAddress(m_b, "vba", QString(kServerSecond) + "/24"));
        QVERIFY(startFarSide(kServerSecond));
        QVERIFY(writeHosts(QByteArray(kServerSecond) + " " + kName + "\n"));
        QVERIFY2(reloadHosts(), m_dnsmasq->output().constData());
        QElapsedTimer t;
        t.start();
        // Steady traffic, as an application would send: each datagram to the old address gets
        // a port unreachable back.
        LabProcess* ping = m_lab->start(m_a, {"ping", "-i", "0.2", "-n", kTunnelB}, "ping");
        QVERIFY(ping);
        QVERIFY2(helper->waitForOutput(QByteArray("server: ") + kName + " now " + kServerSecond +
                                           ":8285 (ICMP unreachable)",
                                       15000, logFrom),
                 helper->output().constData());
        const qint64 recovered = pingWithin(*m_lab, m_a, kTunnelB, 15000 - int(t.elapsed()));
        QVERIFY2(recovered >= 0, helper->output().constData());
        qInfo("plain: traffic resumed %lld ms after the far side moved", t.elapsed());
        QVERIFY(peerStats(helper).value("unreachable").toLongLong() > 0);
    }

    // A name that does not resolve at connect: the tunnel is up anyway, the peer says why, and
    // it connects by itself once the record exists.
    void nameThatResolvesLater()
    {
        const KeyPair a = makeKeys();
        const KeyPair b = makeKeys();
        QVERIFY2(startServer(b, a.publicKey), qPrintable(m_lab->lastError()));
        LabProcess* helper = startHelper(
            wgProfile(a.privateKey, QStringLiteral("later.example.test:%1").arg(kServerPort),
                      "10.211.0.0/24", b.publicKey));
        QVERIFY(helper);
        QVERIFY2(helper->waitForOutput("server: later.example.test does not resolve: no such host",
                                       5000),
                 helper->output().constData());
        QMap<QString, QString> peer = peerStats(helper);
        QCOMPARE(peer.value("resolving"), QStringLiteral("1"));
        QCOMPARE(peer.value("endpoint"), QStringLiteral("none"));
        QVERIFY(!m_lab->run(m_a, {"ping", "-c", "1", "-W", "1", "-n", "-q", kTunnelB}).ok());

        QVERIFY(writeHosts(QByteArray(kServerFirst) + " later.example.test\n"));
        QVERIFY2(reloadHosts(), m_dnsmasq->output().constData());
        const qint64 connected = pingWithin(*m_lab, m_a, kTunnelB, 20000);
        QVERIFY2(connected >= 0, helper->output().constData());
        qInfo("connected %lld ms after the record appeared", connected);
        QVERIFY(helper->isRunning());
        peer = peerStats(helper);
        QCOMPARE(peer.value("resolving"), QStringLiteral("0"));
    }

    // The listen socket is IPv4; a name with only an AAAA record gets a named error.
    void nameOfTheOtherFamily()
    {
        const KeyPair a = makeKeys();
        const KeyPair b = makeKeys();
        QVERIFY(writeHosts("fd00:211::2 v6only.example.test\n"));
        QVERIFY2(reloadHosts(), m_dnsmasq->output().constData());
        LabProcess* helper = startHelper(
            wgProfile(a.privateKey, QStringLiteral("v6only.example.test:%1").arg(kServerPort),
                      "10.211.0.0/24", b.publicKey, QStringLiteral("%1:51999").arg(kUnderlayA)));
        QVERIFY(helper);
        QVERIFY2(helper->waitForOutput(
                     "v6only.example.test does not resolve: the name has only IPv6 addresses "
                     "(fd00:211::2), but the tunnel's UDP socket is IPv4",
                     5000),
                 helper->output().constData());
        QCOMPARE(peerStats(helper).value("resolving"), QStringLiteral("1"));
        QVERIFY(helper->isRunning());
    }

    // Names the profile validator refuses never reach the resolver: exit code 2, the reason.
    void refusesBadNames_data()
    {
        QTest::addColumn<QString>("endpoint");
        QTest::addColumn<QString>("reason");
        QTest::newRow("bad character") << "vpn_1.example.test:51820" << "it contains '_'";
        QTest::newRow("64-byte label")
            << QString(64, u'a') + ".example.test:51820" << "is 64 bytes long; a label has at most 63";
    }
    void refusesBadNames()
    {
        QFETCH(QString, endpoint);
        QFETCH(QString, reason);
        const KeyPair a = makeKeys();
        const KeyPair b = makeKeys();
        LabProcess* helper =
            startHelper(wgProfile(a.privateKey, endpoint, "10.211.0.0/24", b.publicKey), {});
        QVERIFY(helper);
        QVERIFY(helper->waitForExit(10000));
        QCOMPARE(helper->exitCode(), 2);
        QVERIFY2(helper->output().contains(reason.toUtf8()), helper->output().constData());
    }
};

QTEST_GUILESS_MAIN(TestE2eResolve)
#include "tst_e2e_resolve.moc"
