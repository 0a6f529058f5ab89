// The D-Bus payloads (lib/contract Payloads): each value survives toVariant -> fromVariant,
// the wire spellings stay what docs/dbus-api.md publishes, and unknown input reads safely.
#include "Payloads.h"

#include <QTest>

using namespace peertun::dbus;

class TestPayloads : public QObject
{
    Q_OBJECT

private slots:
    void stateNames_data()
    {
        QTest::addColumn<int>("state");
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("up");
        QTest::newRow("connecting") << int(TunnelState::Connecting) << "connecting" << true;
        QTest::newRow("connected") << int(TunnelState::Connected) << "connected" << true;
        QTest::newRow("disconnecting") << int(TunnelState::Disconnecting) << "disconnecting"
                                       << true;
        QTest::newRow("disconnected") << int(TunnelState::Disconnected) << "disconnected"
                                      << false;
        QTest::newRow("failed") << int(TunnelState::Failed) << "failed" << false;
        QTest::newRow("blocked") << int(TunnelState::Blocked) << "blocked" << false;
    }
    void stateNames()
    {
        QFETCH(int, state);
        QFETCH(QString, text);
        QFETCH(bool, up);
        QCOMPARE(stateName(TunnelState(state)), text);
        QCOMPARE(parseState(text), std::optional<TunnelState>(TunnelState(state)));
        QCOMPARE(isUp(TunnelState(state)), up);
    }

    void unknownWordsReadAsNothing()
    {
        QCOMPARE(parseState(QStringLiteral("hibernating")), std::nullopt);
        QCOMPARE(parseMode(QStringLiteral("ipsec")), std::nullopt);
        QCOMPARE(parseLevel(QStringLiteral("trace")), std::nullopt);
        // A newer helper's state is kept as text for display.
        const TunnelInfo t =
            TunnelInfo::fromVariant({{key::kState, QStringLiteral("hibernating")}});
        QCOMPARE(t.stateText, QStringLiteral("hibernating"));
        QCOMPARE(t.state, TunnelState::Disconnected);
    }

    void lineNames_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("line");
        QTest::newRow("counter") << key::kTxPackets << "tx_packets";
        QTest::newRow("two words") << key::kDecryptionFailures << "decryption_failures";
        QTest::newRow("time") << key::kLastRxUnixMs << "last_rx_ms_ago";
        QTest::newRow("handshake time") << key::kLastHandshakeUnixMs << "last_handshake_ms_ago";
        QTest::newRow("endpoint host") << key::kEndpointHost << "endpoint_host";
        QTest::newRow("resolved at") << key::kResolvedAtUnixMs << "resolved_at_ms_ago";
    }
    void lineNames()
    {
        QFETCH(QString, key);
        QFETCH(QString, line);
        QCOMPARE(lineName(key), line);
    }

    void dropLineNames()
    {
        QCOMPARE(dropLineName(QStringLiteral("no-peer-for-destination")),
                 QStringLiteral("drop_no_peer_for_destination"));
    }

    void tunnelInfoRoundTrip()
    {
        TunnelInfo t;
        t.name = QStringLiteral("office");
        t.state = TunnelState::Connected;
        t.stateText = stateName(t.state);
        t.mode = Mode::WireGuard;
        t.modeText = modeName(t.mode);
        t.sinceUnixMs = 1764590000123;
        t.interface = QStringLiteral("wg-office");
        t.address = QStringLiteral("10.2.0.2/32");
        t.listen = QStringLiteral("0.0.0.0:40312");
        t.mtu = 1420;
        t.dnsServers = {QStringLiteral("10.2.0.1"), QStringLiteral("fd00::1")};
        t.dnsDomains = {QStringLiteral("corp.example")};
        t.dnsApplied = true;
        t.killSwitch = true;
        t.networkChangedUnixMs = 1764590001000;
        t.mesh = true;
        t.meshStatus = QStringLiteral("running: subnet 10.244.3.0/24, 4 members");
        t.storeUnreachableSinceUnixMs = 1764590002000;
        PeerInfo p{QStringLiteral("server"), QStringLiteral("vpn.example.net:51820"),
                   {QStringLiteral("0.0.0.0/0")}, QStringLiteral("AAAA"), {}};
        p.endpointStatus = {QStringLiteral("vpn.example.net"), QStringLiteral("198.51.100.7:51820"),
                            EndpointStatus::kResolved, 1764590000500, QString()};
        t.peers << p;

        const QVariantMap map = t.toVariant();
        QCOMPARE(map.value(key::kState).toString(), QStringLiteral("connected"));
        QCOMPARE(map.value(key::kDns).toMap().value(key::kDnsServers).toStringList(),
                 t.dnsServers);
        const TunnelInfo back = TunnelInfo::fromVariant(map);
        QCOMPARE(back.name, t.name);
        QCOMPARE(back.state, t.state);
        QCOMPARE(back.mode, t.mode);
        QCOMPARE(back.sinceUnixMs, t.sinceUnixMs);
        QCOMPARE(back.interface, t.interface);
        QCOMPARE(back.address, t.address);
        QCOMPARE(back.listen, t.listen);
        QCOMPARE(back.mtu, t.mtu);
        QCOMPARE(back.dnsServers, t.dnsServers);
        QCOMPARE(back.dnsDomains, t.dnsDomains);
        QCOMPARE(back.dnsApplied, true);
        QCOMPARE(back.killSwitch, true);
        QCOMPARE(back.networkChangedUnixMs, t.networkChangedUnixMs);
        QCOMPARE(back.mesh, true);
        QCOMPARE(back.meshStatus, t.meshStatus);
        QCOMPARE(back.storeUnreachableSinceUnixMs, t.storeUnreachableSinceUnixMs);
        QCOMPARE(back.peers.size(), 1);
        const PeerInfo& q = back.peers.front();
        QCOMPARE(q.name, p.name);
        QCOMPARE(q.endpoint, p.endpoint);
        QCOMPARE(q.subnets, p.subnets);
        QCOMPARE(q.publicKey, p.publicKey);
        QCOMPARE(q.endpointStatus.host, p.endpointStatus.host);
        QCOMPARE(q.endpointStatus.address, p.endpointStatus.address);
        QCOMPARE(q.endpointStatus.state, EndpointStatus::kResolved);
        QCOMPARE(q.endpointStatus.resolvedAtUnixMs, p.endpointStatus.resolvedAtUnixMs);
    }

    void plainPeersCarryNoPublicKey()
    {
        TunnelInfo t;
        t.peers << PeerInfo{QStringLiteral("host-2"), QStringLiteral("10.0.0.2:8285"), {}, {}, {}};
        const QVariantMap peer = t.toVariant().value(key::kPeers).toList().front().toMap();
        QVERIFY(!peer.contains(key::kPublicKey));
    }

    void countersRoundTrip()
    {
        TunnelCounters c;
        c.name = QStringLiteral("office");
        c.txPackets = 10;
        c.txBytes = 1000;
        c.rxPackets = 20;
        c.rxBytes = 2000;
        c.drops = {{QStringLiteral("no-peer-for-destination"), 3}, {QStringLiteral("loop"), 1}};
        c.totalDrops = 4;
        c.handshakesDone = 2;
        c.handshakesFailed = 1;
        c.decryptionFailures = 5;
        c.replaysRejected = 6;
        c.networkChangedUnixMs = 1764590001000;
        c.storeUnreachableSinceUnixMs = 1764590002000;
        PeerCounters p;
        p.name = QStringLiteral("server");
        p.txPackets = 7;
        p.rxBytes = 8;
        p.sendErrors = 9;
        p.unreachable = 11;
        p.lastRxUnixMs = 1764590000000;
        p.handshakesDone = 2;
        p.initiationsSent = 3;
        p.lastHandshakeUnixMs = 1764590000100;
        p.endpointStatus.host = QStringLiteral("vpn.example.net");
        p.endpointStatus.state = EndpointStatus::kResolving;
        p.endpointStatus.error = QStringLiteral("no such host");
        c.peers << p;

        const TunnelCounters back = TunnelCounters::fromVariant(c.toVariant());
        QCOMPARE(back.name, c.name);
        QCOMPARE(back.txPackets, c.txPackets);
        QCOMPARE(back.txBytes, c.txBytes);
        QCOMPARE(back.rxPackets, c.rxPackets);
        QCOMPARE(back.rxBytes, c.rxBytes);
        QCOMPARE(back.totalDrops, c.totalDrops);
        QCOMPARE(back.drops.size(), 2);
        for (const auto& [reason, count] : c.drops) {
            QVERIFY(back.drops.contains(std::pair(reason, count)));
        }
        QCOMPARE(back.handshakesDone, c.handshakesDone);
        QCOMPARE(back.handshakesFailed, c.handshakesFailed);
        QCOMPARE(back.decryptionFailures, c.decryptionFailures);
        QCOMPARE(back.replaysRejected, c.replaysRejected);
        QCOMPARE(back.networkChangedUnixMs, c.networkChangedUnixMs);
        QCOMPARE(back.storeUnreachableSinceUnixMs, c.storeUnreachableSinceUnixMs);
        QCOMPARE(back.peers.size(), 1);
        const PeerCounters& q = back.peers.front();
        QCOMPARE(q.name, p.name);
        QCOMPARE(q.txPackets, p.txPackets);
        QCOMPARE(q.rxBytes, p.rxBytes);
        QCOMPARE(q.sendErrors, p.sendErrors);
        QCOMPARE(q.unreachable, p.unreachable);
        QCOMPARE(q.lastRxUnixMs, p.lastRxUnixMs);
        QCOMPARE(q.handshakesDone, p.handshakesDone);
        QCOMPARE(q.initiationsSent, p.initiationsSent);
        QCOMPARE(q.lastHandshakeUnixMs, p.lastHandshakeUnixMs);
        QCOMPARE(q.endpointStatus.host, p.endpointStatus.host);
        QCOMPARE(q.endpointStatus.state, EndpointStatus::kResolving);
        QCOMPARE(q.endpointStatus.error, p.endpointStatus.error);
    }

    void logRecordRoundTrip()
    {
        LogRecord e;
        e.seq = 42;
        e.unixMs = 1764590000000;
        e.level = LogLevel::Warning;
        e.tunnel = QStringLiteral("office");
        e.text = QStringLiteral("network changed: default route gone");
        const LogRecord back = LogRecord::fromVariant(e.toVariant());
        QCOMPARE(back.seq, e.seq);
        QCOMPARE(back.unixMs, e.unixMs);
        QCOMPARE(back.level, LogLevel::Warning);
        QCOMPARE(back.levelText, QStringLiteral("warning"));
        QCOMPARE(back.tunnel, e.tunnel);
        QCOMPARE(back.text, e.text);
    }
};

QTEST_APPLESS_MAIN(TestPayloads)
#include "tst_payloads.moc"
