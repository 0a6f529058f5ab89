// Network changes end to end, as root, in NetnsLab's RoutedWorld (client A -- router B --
// server C): a laptop moving from Wi-Fi to Ethernet (A's link, address and default route go,
// a second link with another address and route comes), with Debian's wireguard-go as the
// server and between two plain peertuns; and a listen address that goes away and comes back.
// Each prints the time from the new route to the first answer through the tunnel.
#include "NetnsLab.h"
#include "WireGuardGo.h"

#include <QElapsedTimer>
#include <QStandardPaths>
#include <QTest>
#include <unistd.h>

namespace {

using peertun::testlab::KeyPair;
using peertun::testlab::LabProcess;
using peertun::testlab::makeKeys;
using peertun::testlab::NetnsLab;
using peertun::testlab::RoutedWorld;
using peertun::testlab::WireGuardGo;
using peertun::testlab::writePrivateFile;

// The issue's bound: traffic resumes within 5 s of the change.
constexpr int kRecoveryBoundMs = 5000;
// The "Ethernet" the laptop moves to: A's vae, B's vea.
constexpr const char* kEthernetClient = "10.91.2.2";
constexpr const char* kEthernetRouter = "10.91.2.1";
// A plain laptop's own address, on its loopback: the server knows it by this one.
constexpr const char* kStableAddress = "10.91.9.1";

QString wgProfile(const KeyPair& self, const QString& serverPublicKey)
{
    return QStringLiteral(R"({"version": 1, "name": "laptop", "mode": "wireguard",
  "interface": {"name": "ptnc0", "address": "10.92.0.1/24", "privateKey": "%1"},
  "peers": [{"name": "server", "endpoint": "%2:51820", "subnets": ["10.92.0.2/32"],
             "publicKey": "%3"}]})")
        .arg(self.privateKey, RoutedWorld::kServerAddress, serverPublicKey);
}

QString plainProfile(const QString& name, const QString& address, const QString& listen,
                     const QString& peer, const QString& peerEndpoint, const QString& peerSubnet)
{
    return QStringLiteral(R"({"version": 1, "name": "%1", "mode": "plain",
  "interface": {"name": "ptnc0", "address": "%2", "listen": "%3"},
  "peers": [{"name": "%4", "endpoint": "%5", "subnets": ["%6"]}]})")
        .arg(name, address, listen, peer, peerEndpoint, peerSubnet);
}

} // namespace

#define LAB_VERIFY(expr) QVERIFY2((expr), qPrintable(m_lab->lastError()))

class TestE2eNetChange final : public QObject
{
    Q_OBJECT

    std::unique_ptr<NetnsLab> m_lab;
    std::unique_ptr<WireGuardGo> m_wg;
    RoutedWorld m_world;

    // peertun-helper --standalone in `ns`, without a system bus (so no resolved, no logind).
    LabProcess* startPeertun(const QString& ns, const QString& name, const QString& profileText)
    {
        const QString profile = m_lab->tempPath(name + ".json");
        if (!writePrivateFile(profile, profileText)) {
            return nullptr;
        }
        LabProcess* p =
            m_lab->start(ns,
                         {"env", "DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent",
                          qEnvironmentVariable("PEERTUN_HELPER"), "--standalone", profile},
                         name);
        if (p && !p->waitForOutput("tunnel up:", 10000)) {
            qWarning("%s", p->output().constData());
            return nullptr;
        }
        return p;
    }

    // One ping at a time until one is answered: the time it took, or -1.
    qint64 pingWithin(const QString& ns, const QString& address, int timeoutMs)
    {
        QElapsedTimer t;
        t.start();
        while (t.elapsed() < timeoutMs) {
            if (m_lab->run(ns, {"ping", "-c", "1", "-W", "1", "-n", "-q", address}).ok()) {
                return t.elapsed();
            }
        }
        return -1;
    }

    // Wi-Fi goes (its link, and with it A's address and default route), Ethernet comes: a new
    // veth pair A vae -- B vea, another subnet, A's default route through it. `clock` starts
    // when the new default route is in place.
    bool moveToEthernet(QElapsedTimer* clock)
    {
        const QString slash24 = QStringLiteral("/24");
        const bool ok =
            m_lab->ip({"-n", m_world.a, "link", "del", "vab"}).ok() &&
            m_lab->addVethPair(m_world.a, "vae", m_world.b, "vea") &&
            m_lab->addAddress(m_world.a, "vae", kEthernetClient + slash24) &&
            m_lab->addAddress(m_world.b, "vea", kEthernetRouter + slash24) &&
            m_lab->runOk(m_world.a, {"ip", "route", "add", "default", "via", kEthernetRouter});
        clock->start();
        return ok;
    }

    // The tunnel's own device, routes and rules are no change of the underlay: nothing was
    // reported while it came up (a debounce period after the first answer).
    bool quietSoFar(LabProcess* helper)
    {
        QTest::qWait(400);
        return !helper->output().contains("network changed");
    }

    qint64 initiations(LabProcess* helper, const QString& tunnel, const QString& peer)
    {
        const auto s = helper->readStats(tunnel, 1);
        return s ? s->peerCounter(peer, "initiations_sent") : -1;
    }

private slots:
    void initTestCase()
    {
        if (::geteuid() != 0) {
            QSKIP("needs root: creates network namespaces, TUN devices and veth pairs");
        }
        QVERIFY2(!qEnvironmentVariable("PEERTUN_HELPER").isEmpty(), "PEERTUN_HELPER not set");
        for (const char* tool : {"wireguard-go", "wg", "ping"}) {
            QVERIFY2(
                !QStandardPaths::findExecutable(tool, {"/usr/sbin", "/usr/bin", "/sbin", "/bin"})
                     .isEmpty(),
                qPrintable(QStringLiteral("%1 is not installed").arg(tool)));
        }
    }

    void init()
    {
        m_lab = std::make_unique<NetnsLab>();
        QVERIFY(m_lab->isValid());
        m_wg = std::make_unique<WireGuardGo>(QStringLiteral("ptnc%1").arg(::getpid()));
        const auto world = m_lab->addRoutedWorld();
        LAB_VERIFY(world);
        m_world = *world;
    }

    void cleanup()
    {
        m_lab.reset(); // processes, then namespaces
        m_wg.reset();
    }

    void wifiToEthernetWireGuard()
    {
        const KeyPair laptop = makeKeys();
        const KeyPair server = makeKeys();
        LAB_VERIFY(m_wg->start(*m_lab, m_world.c, server, 51820,
                               {"peer", laptop.publicKey, "allowed-ips", "10.92.0.1/32"},
                               "10.92.0.2/24"));
        LabProcess* a = startPeertun(m_world.a, "laptop", wgProfile(laptop, server.publicKey));
        QVERIFY(a);
        QVERIFY2(pingWithin(m_world.a, "10.92.0.2", 10000) >= 0, a->output().constData());
        QVERIFY2(quietSoFar(a), a->output().constData());
        const qint64 before = initiations(a, "laptop", "server");
        QVERIFY(before >= 1);

        const qsizetype from = a->output().size();
        QElapsedTimer sinceRoute;
        LAB_VERIFY(moveToEthernet(&sinceRoute));
        const qint64 pingMs = pingWithin(m_world.a, "10.92.0.2", kRecoveryBoundMs);
        const qint64 recovered = pingMs >= 0 ? sinceRoute.elapsed() : -1;
        // The change is seen and described, and a handshake goes out at once: nothing else
        // sends one (no keepalive, and a young session needs no rekey for its traffic).
        qint64 initiationMs = -1;
        while (sinceRoute.elapsed() < 3000) {
            if (initiations(a, "laptop", "server") > before) {
                initiationMs = sinceRoute.elapsed();
                break;
            }
            QTest::qWait(20);
        }
        qInfo("wireguard (against wireguard-go): traffic again %lld ms, initiation by %lld ms "
              "after the new default route",
              recovered, initiationMs);
        QVERIFY2(pingMs >= 0 && recovered <= kRecoveryBoundMs, a->output().mid(from).constData());
        QVERIFY2(initiationMs >= 0, "no handshake initiation after the network change");
        QVERIFY2(a->waitForOutput("default route via 10.91.2.1 dev vae added", 3000, from),
                 a->output().mid(from).constData());
        QVERIFY(a->output().mid(from).contains("network changed: "));
    }

    void wifiToEthernetPlain()
    {
        // Plain mode knows a peer by its address: the laptop keeps one of its own (on lo) that
        // the network routes to wherever it is, as a multi-homed host does.
        LAB_VERIFY(m_lab->addAddress(m_world.a, "lo", QString(kStableAddress) + "/32"));
        LAB_VERIFY(m_lab->runOk(m_world.b, {"ip", "route", "add", QString(kStableAddress) + "/32",
                                            "via", RoutedWorld::kClientAddress}));
        const QString serverEndpoint = QString(RoutedWorld::kServerAddress) + ":8285";
        const QString laptopEndpoint = QString(kStableAddress) + ":8285";
        LabProcess* c = startPeertun(m_world.c, "server",
                                     plainProfile("server", "10.93.0.2/24", serverEndpoint,
                                                  "laptop", laptopEndpoint, "10.93.0.1/32"));
        QVERIFY(c);
        LabProcess* a = startPeertun(m_world.a, "laptop",
                                     plainProfile("laptop", "10.93.0.1/24", laptopEndpoint,
                                                  "server", serverEndpoint, "10.93.0.2/32"));
        QVERIFY(a);
        QVERIFY2(pingWithin(m_world.a, "10.93.0.2", 5000) >= 0, a->output().constData());
        QVERIFY2(quietSoFar(a), a->output().constData());

        const qsizetype from = a->output().size();
        QElapsedTimer sinceRoute;
        LAB_VERIFY(moveToEthernet(&sinceRoute));
        LAB_VERIFY(
            m_lab->runOk(m_world.b, {"ip", "route", "replace", QString(kStableAddress) + "/32",
                                     "via", kEthernetClient}));
        const qint64 pingMs = pingWithin(m_world.a, "10.93.0.2", kRecoveryBoundMs);
        const qint64 recovered = pingMs >= 0 ? sinceRoute.elapsed() : -1;
        qInfo("plain (two peertuns): traffic again %lld ms after the new default route", recovered);
        QVERIFY2(pingMs >= 0 && recovered <= kRecoveryBoundMs, a->output().mid(from).constData());
        QVERIFY2(a->waitForOutput("default route via 10.91.2.1 dev vae added", 3000, from),
                 a->output().mid(from).constData());
    }

    void listenAddressGoesAndComesBack()
    {
        const QString laptopEndpoint = QString(RoutedWorld::kClientAddress) + ":8285";
        const QString serverEndpoint = QString(RoutedWorld::kServerAddress) + ":8285";
        LabProcess* c = startPeertun(m_world.c, "server",
                                     plainProfile("server", "10.93.0.2/24", serverEndpoint,
                                                  "laptop", laptopEndpoint, "10.93.0.1/32"));
        QVERIFY(c);
        LabProcess* a = startPeertun(m_world.a, "laptop",
                                     plainProfile("laptop", "10.93.0.1/24", laptopEndpoint,
                                                  "server", serverEndpoint, "10.93.0.2/32"));
        QVERIFY(a);
        QVERIFY2(pingWithin(m_world.a, "10.93.0.2", 5000) >= 0, a->output().constData());
        QVERIFY2(quietSoFar(a), a->output().constData());

        qsizetype from = a->output().size();
        const QString cidr = QString(RoutedWorld::kClientAddress) + "/24";
        LAB_VERIFY(m_lab->ip({"-n", m_world.a, "addr", "del", cidr, "dev", "vab"}).ok());
        QVERIFY2(a->waitForOutput("listen address 10.91.1.2 is gone", 3000, from),
                 a->output().mid(from).constData());
        QVERIFY(pingWithin(m_world.a, "10.93.0.2", 1500) < 0); // nothing gets through meanwhile

        from = a->output().size();
        QElapsedTimer sinceRoute;
        LAB_VERIFY(m_lab->addAddress(m_world.a, "vab", cidr));
        LAB_VERIFY(m_lab->runOk(
            m_world.a, {"ip", "route", "add", "default", "via", RoutedWorld::kRouterToClient}));
        sinceRoute.start();
        const qint64 pingMs = pingWithin(m_world.a, "10.93.0.2", kRecoveryBoundMs);
        const qint64 recovered = pingMs >= 0 ? sinceRoute.elapsed() : -1;
        qInfo("listen address back: traffic again %lld ms after the address and route", recovered);
        QVERIFY2(pingMs >= 0 && recovered <= kRecoveryBoundMs, a->output().mid(from).constData());
        QVERIFY2(a->waitForOutput("listen address 10.91.1.2 is back", 3000, from),
                 a->output().mid(from).constData());
    }
};

QTEST_GUILESS_MAIN(TestE2eNetChange)
#include "tst_e2e_netchange.moc"
