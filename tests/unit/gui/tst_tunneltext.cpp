// TunnelText from given payloads (the contract's typed structs, as ListTunnels and GetStats
// carry them): the state line with "reconnecting…" after a network change, the DNS and
// kill-switch lines, a blocked tunnel's lines, each peer's endpoint as configured with the
// address in use, a mesh tunnel's lines ("coordination store unreachable since …", the agent's
// state, its members), and the tray's tooltip.
#include "AppSetup.h"
#include "TunnelText.h"

#include <QCoreApplication>
#include <QTest>

using namespace peertun;

Q_DECLARE_METATYPE(peertun::TunnelStatus)

namespace {

constexpr qint64 kChanged = 1'700'000'000'000;

// A connected WireGuard tunnel's counters: one peer with its last handshake at `handshake`.
TunnelStatus connected(qint64 handshake, qint64 networkChanged)
{
    dbus::TunnelCounters c;
    c.name = QStringLiteral("vpn");
    c.networkChangedUnixMs = networkChanged;
    dbus::PeerCounters p;
    p.name = QStringLiteral("server");
    p.lastHandshakeUnixMs = handshake;
    c.peers << p;
    TunnelStatus s;
    s.state = dbus::TunnelState::Connected;
    s.stats = c.toVariant();
    return s;
}

dbus::TunnelInfo info(const QVariantMap& extra)
{
    QVariantMap map{{dbus::key::kName, QStringLiteral("vpn")},
                    {dbus::key::kState, dbus::stateName(dbus::TunnelState::Connected)}};
    for (auto it = extra.cbegin(); it != extra.cend(); ++it) {
        map.insert(it.key(), it.value());
    }
    return dbus::TunnelInfo::fromVariant(map);
}

} // namespace

class TestTunnelText : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void stateLine_data();
    void stateLine();
    void protection_data();
    void protection();
    void endpoint_data();
    void endpoint();
    void trayToolTip();
    void meshLines_data();
    void meshLines();
    void trayToolTipOfAMeshCutOffFromEtcd();
};

namespace {
// A connected plain mesh tunnel with `members` peers; `listed`/`counted`: since when etcd is
// unreachable as ListTunnels and GetStats say (0 = reachable); `counters` false: no GetStats yet.
TunnelStatus meshStatus(const QString& agent, qint64 listed, qint64 counted, int members,
                        bool counters = true, bool mesh = true)
{
    dbus::TunnelInfo i;
    i.name = QStringLiteral("mesh");
    i.state = dbus::TunnelState::Connected;
    i.mesh = mesh;
    i.meshStatus = agent;
    i.storeUnreachableSinceUnixMs = listed;
    dbus::TunnelCounters c;
    c.name = i.name;
    c.storeUnreachableSinceUnixMs = counted;
    for (int n = 0; n < members; ++n) {
        dbus::PeerInfo peer;
        peer.name = QStringLiteral("10.244.%1.0/24").arg(n + 2);
        i.peers << peer;
        dbus::PeerCounters p;
        p.name = peer.name;
        c.peers << p;
    }
    TunnelStatus s;
    s.state = dbus::TunnelState::Connected;
    // Through the wire format, as the session gets them.
    s.info = dbus::TunnelInfo::fromVariant(i.toVariant());
    if (counters) {
        s.stats = c.toVariant();
    }
    return s;
}
} // namespace

void TestTunnelText::initTestCase()
{
    qputenv("TZ", "UTC"); // the unreachable line's time, in local time
    setUpApplication(*QCoreApplication::instance(), QLocale(QStringLiteral("en")));
}

void TestTunnelText::stateLine_data()
{
    QTest::addColumn<qint64>("handshake");
    QTest::addColumn<qint64>("changed");
    QTest::addColumn<bool>("wireGuard");
    QTest::addColumn<QString>("expected");
    QTest::newRow("connected") << kChanged << qint64(0) << true << "connected";
    QTest::newRow("handshake older than the network change")
        << kChanged - 1000 << kChanged << true << "reconnecting…";
    QTest::newRow("fresh handshake after the change")
        << kChanged + 1000 << kChanged << true << "connected";
    QTest::newRow("plain mode has no handshakes")
        << kChanged - 1000 << kChanged << false << "connected";
}

void TestTunnelText::stateLine()
{
    QFETCH(qint64, handshake);
    QFETCH(qint64, changed);
    QFETCH(bool, wireGuard);
    QFETCH(QString, expected);
    QCOMPARE(stateLineText(connected(handshake, changed), wireGuard), expected);
}

void TestTunnelText::protection_data()
{
    using dbus::key::kDns;
    using dbus::key::kDnsApplied;
    using dbus::key::kDnsDomains;
    using dbus::key::kDnsServers;
    using dbus::key::kDnsStatus;
    using dbus::key::kKillSwitch;
    QTest::addColumn<QVariantMap>("keys");
    QTest::addColumn<QStringList>("expected");
    const QString killLine =
        QStringLiteral("Kill switch on: traffic outside the tunnel is blocked");
    QTest::newRow("nothing") << QVariantMap() << QStringList();
    QTest::newRow("DNS applied") << QVariantMap{{kDns, QVariantMap{{kDnsServers,
                                                                    QStringList{"10.2.0.1"}}}},
                                                {kDnsApplied, true}}
                                 << QStringList{"DNS: 10.2.0.1"};
    QTest::newRow("DNS with domains")
        << QVariantMap{{kDns, QVariantMap{{kDnsServers, QStringList{"10.2.0.1", "fd00::53"}},
                                          {kDnsDomains, QStringList{"corp.example", "~."}}}},
                       {kDnsApplied, true}}
        << QStringList{"DNS: 10.2.0.1, fd00::53 (domains corp.example, ~.)"};
    QTest::newRow("DNS not applied: the helper's words")
        << QVariantMap{{kDns, QVariantMap{{kDnsServers, QStringList{"10.2.0.1"}}}},
                       {kDnsApplied, false},
                       {kDnsStatus,
                        QStringLiteral("DNS not applied: systemd-resolved is not running")}}
        << QStringList{"DNS not applied: systemd-resolved is not running"};
    QTest::newRow("kill switch") << QVariantMap{{kKillSwitch, true}} << QStringList{killLine};
    QTest::newRow("DNS and kill switch")
        << QVariantMap{{kDns, QVariantMap{{kDnsServers, QStringList{"10.2.0.1"}}}},
                       {kDnsApplied, true},
                       {kKillSwitch, true}}
        << QStringList{"DNS: 10.2.0.1", killLine};
    QTest::newRow("blocked")
        << QVariantMap{{dbus::key::kState, dbus::stateName(dbus::TunnelState::Blocked)},
                       {kKillSwitch, true}}
        << QStringList{killLine, "The tunnel is down, and its kill switch still blocks all "
                                 "traffic; disconnect to lift it."};
    QTest::newRow("another user's: withheld, whatever else is there")
        << QVariantMap{{dbus::key::kDetailsWithheld, true}, {kKillSwitch, true}}
        << QStringList{"Another user connected this tunnel: only they and administrators see "
                       "its peers, endpoints, counters and log (`peertunctl status --details` "
                       "asks for authorization)."};
}

void TestTunnelText::protection()
{
    QFETCH(QVariantMap, keys);
    QFETCH(QStringList, expected);
    QCOMPARE(protectionLines(info(keys)), expected);
}

void TestTunnelText::endpoint_data()
{
    QTest::addColumn<QString>("configured");
    QTest::addColumn<QVariantMap>("status"); // the endpoint keys of a GetStats peer
    QTest::addColumn<QString>("expected");
    using namespace dbus::key;
    const QString resolved = dbus::EndpointStatus::kResolved;
    const QString resolving = dbus::EndpointStatus::kResolving;
    QTest::newRow("host name resolved") << "vpn.example.net:51820"
                                        << QVariantMap{{kEndpointHost, "vpn.example.net"},
                                                       {kEndpointAddress, "198.51.100.7:51820"},
                                                       {kEndpointState, resolved}}
                                        << "vpn.example.net:51820 → 198.51.100.7:51820";
    QTest::newRow("host name not resolving")
        << "vpn.example.net:51820"
        << QVariantMap{{kEndpointHost, "vpn.example.net"},
                       {kEndpointState, resolving},
                       {kResolveError, "no such host (asked 192.0.2.53)"}}
        << "vpn.example.net:51820 → resolving: no such host (asked 192.0.2.53)";
    QTest::newRow("host name, first lookup under way")
        << "vpn.example.net:51820"
        << QVariantMap{{kEndpointHost, "vpn.example.net"}, {kEndpointState, resolving}}
        << "vpn.example.net:51820 → resolving…";
    QTest::newRow("host name, a later lookup failed")
        << "vpn.example.net:51820"
        << QVariantMap{{kEndpointHost, "vpn.example.net"},
                       {kEndpointAddress, "198.51.100.7:51820"},
                       {kEndpointState, resolved},
                       {kResolveError, "timed out"}}
        << "vpn.example.net:51820 → 198.51.100.7:51820 (the last lookup failed: timed out)";
    QTest::newRow("address") << "10.211.55.123:8285"
                             << QVariantMap{{kEndpointAddress, "10.211.55.123:8285"}}
                             << "10.211.55.123:8285";
    QTest::newRow("address, roamed")
        << "10.211.55.123:8285" << QVariantMap{{kEndpointAddress, "10.211.55.99:4000"}}
        << "10.211.55.123:8285 → 10.211.55.99:4000";
    QTest::newRow("peer calls us, not yet")
        << ":0" << QVariantMap() << "not known until the peer connects";
    QTest::newRow("peer calls us, learned")
        << "" << QVariantMap{{kEndpointAddress, "192.0.2.9:51820"}}
        << "192.0.2.9:51820 (where the peer connected from)";
}

void TestTunnelText::endpoint()
{
    QFETCH(QString, configured);
    QFETCH(QVariantMap, status);
    QFETCH(QString, expected);
    QCOMPARE(endpointText(configured, dbus::EndpointStatus::fromVariant(status)), expected);
}

void TestTunnelText::trayToolTip()
{
    const QString killLine =
        QStringLiteral("Kill switch on: traffic outside the tunnel is blocked");
    QCOMPARE(trayToolTipText({}), QStringLiteral("peertun: no tunnel is up"));
    TunnelStatus down;
    QCOMPARE(trayToolTipText({{QStringLiteral("office"), down, true}}),
             QStringLiteral("peertun: no tunnel is up"));

    TunnelStatus up = connected(kChanged, 0);
    up.info = info({{dbus::key::kKillSwitch, true}});
    const QString withSwitch = trayToolTipText({{QStringLiteral("vpn"), up, true}});
    QVERIFY2(withSwitch.startsWith(QStringLiteral("peertun\nvpn: connected, ↓ ")),
             qPrintable(withSwitch));
    QVERIFY2(withSwitch.endsWith(QLatin1Char('\n') + killLine), qPrintable(withSwitch));

    up.info = info({});
    QVERIFY(!trayToolTipText({{QStringLiteral("vpn"), up, true}}).contains(killLine));

    TunnelStatus again = connected(kChanged - 1, kChanged);
    QCOMPARE(trayToolTipText({{QStringLiteral("vpn"), again, true}}),
             QStringLiteral("peertun\nvpn: reconnecting…"));

    TunnelStatus blocked;
    blocked.state = dbus::TunnelState::Blocked;
    blocked.info = info({{dbus::key::kState, dbus::stateName(dbus::TunnelState::Blocked)},
                         {dbus::key::kKillSwitch, true}});
    QCOMPARE(trayToolTipText(
                 {{QStringLiteral("vpn"), blocked, true}, {QStringLiteral("office"), down, true}}),
             QStringLiteral("peertun\nvpn: blocked\n") + killLine);
}

void TestTunnelText::meshLines_data()
{
    QTest::addColumn<TunnelStatus>("status");
    QTest::addColumn<QString>("lines");
    const QString running = QStringLiteral("running: subnet 10.244.3.0/24, 2 members");
    QTest::newRow("reachable") << meshStatus(running, 0, 0, 2)
                               << "Mesh: " + running + "\n2 other members reached as peers";
    QTest::newRow("alone") << meshStatus(QStringLiteral("running: subnet 10.244.3.0/24, 0 members"),
                                         0, 0, 0)
                           << QStringLiteral("Mesh: running: subnet 10.244.3.0/24, 0 members\n"
                                             "0 other members reached as peers");
    const QString cutOff =
        running + "; coordination store unreachable since 22:13:20 (connection refused)";
    QTest::newRow("unreachable")
        << meshStatus(cutOff, kChanged, kChanged, 2)
        << "Coordination store unreachable since 2023-11-14 22:13:20; the members stay as last "
           "known.\nMesh: " +
               cutOff + "\n2 other members reached as peers";
    // GetStats is newer than the list: its time counts (StatsUpdated comes when it changes).
    QTest::newRow("unreachable, list not refreshed yet")
        << meshStatus(running, 0, kChanged + 1000, 1)
        << "Coordination store unreachable since 2023-11-14 22:13:21; the members stay as last "
           "known.\nMesh: " +
               running + "\n1 other member reached as peers";
    QTest::newRow("back") << meshStatus(running, kChanged, 0, 2)
                          << "Mesh: " + running + "\n2 other members reached as peers";
    QTest::newRow("before the counters")
        << meshStatus(QStringLiteral("joining"), kChanged, 0, 3, false)
        << QStringLiteral("Coordination store unreachable since 2023-11-14 "
                          "22:13:20; the members stay as last known.\n"
                          "Mesh: joining\n3 other members reached as peers");
    QTest::newRow("not a mesh") << meshStatus(QString(), 0, 0, 2, true, false) << QString();
    TunnelStatus unlisted = meshStatus(running, 0, 0, 2);
    unlisted.info.reset();
    QTest::newRow("not listed yet") << unlisted << QString();
}

void TestTunnelText::meshLines()
{
    QFETCH(TunnelStatus, status);
    QFETCH(QString, lines);
    QCOMPARE(peertun::meshLines(status).join(QLatin1Char('\n')), lines);
}

void TestTunnelText::trayToolTipOfAMeshCutOffFromEtcd()
{
    const QString line = QStringLiteral("Coordination store unreachable since 2023-11-14 22:13:20");
    const TunnelStatus cutOff = meshStatus(QStringLiteral("running"), kChanged, kChanged, 2);
    const QString tip = trayToolTipText({{QStringLiteral("mesh"), cutOff, false}});
    QVERIFY2(tip.startsWith(QStringLiteral("peertun\nmesh: connected, ↓ ")), qPrintable(tip));
    QVERIFY2(tip.endsWith(QLatin1Char('\n') + line), qPrintable(tip));
    const TunnelStatus fine = meshStatus(QStringLiteral("running"), 0, 0, 2);
    QVERIFY(!trayToolTipText({{QStringLiteral("mesh"), fine, false}}).contains(line));
}

QTEST_MAIN(TestTunnelText)
#include "tst_tunneltext.moc"
