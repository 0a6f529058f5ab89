// TunnelText from given payloads (the contract's typed structs, as ListTunnels and GetStats
// carry them): the state line with "reconnecting…" after a network change, the DNS and
// kill-switch lines, a blocked tunnel's lines, each peer's endpoint as configured with the
// address in use, and the tray's tooltip.
#include "AppSetup.h"
#include "TunnelText.h"

#include <QCoreApplication>
#include <QTest>

using namespace peertun;

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
};

void TestTunnelText::initTestCase()
{
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

QTEST_MAIN(TestTunnelText)
#include "tst_tunneltext.moc"
