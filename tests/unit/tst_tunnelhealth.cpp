// isReconnecting: a WireGuard tunnel whose peers had a handshake before the last network change
// and none since is "reconnecting"; one fresh handshake after the change ends it.
#include "TunnelHealth.h"

#include <QTest>

using namespace peertun;

class TestTunnelHealth : public QObject
{
    Q_OBJECT

private slots:
    void reconnecting_data();
    void reconnecting();
    void readFromTheWire();
};

namespace {
// Handshake times of the peers, in ms; -1 = no such peer.
dbus::TunnelCounters counters(qint64 changed, const QList<qint64>& handshakes)
{
    dbus::TunnelCounters c;
    c.name = QStringLiteral("vpn");
    c.networkChangedUnixMs = changed;
    for (qint64 at : handshakes) {
        dbus::PeerCounters p;
        p.name = QStringLiteral("peer-%1").arg(c.peers.size());
        p.lastHandshakeUnixMs = at;
        c.peers << p;
    }
    return c;
}
} // namespace

void TestTunnelHealth::reconnecting_data()
{
    QTest::addColumn<qint64>("changed");
    QTest::addColumn<QList<qint64>>("handshakes");
    QTest::addColumn<bool>("wireGuard");
    QTest::addColumn<bool>("expected");
    const qint64 t = 1'700'000'000'000;
    using L = QList<qint64>;
    QTest::newRow("no network change") << qint64(0) << L{t} << true << false;
    QTest::newRow("handshake before the change") << t << L{t - 5000} << true << true;
    QTest::newRow("handshake after the change") << t << L{t + 2000} << true << false;
    QTest::newRow("handshake at the change") << t << L{t} << true << false;
    QTest::newRow("never had a handshake") << t << L{0} << true << false;
    QTest::newRow("no peers") << t << L{} << true << false;
    QTest::newRow("one of two peers back") << t << L{t + 10, t - 10} << true << true;
    QTest::newRow("both peers back") << t << L{t + 10, t + 20} << true << false;
    QTest::newRow("one back, one never connected") << t << L{t + 10, 0} << true << false;
    QTest::newRow("plain mode") << t << L{t - 5000} << false << false;
}

void TestTunnelHealth::reconnecting()
{
    QFETCH(qint64, changed);
    QFETCH(QList<qint64>, handshakes);
    QFETCH(bool, wireGuard);
    QFETCH(bool, expected);
    QCOMPARE(isReconnecting(counters(changed, handshakes), wireGuard), expected);
}

void TestTunnelHealth::readFromTheWire()
{
    // As StatsUpdated carries it: the decision reads the typed payload of the a{sv} map.
    const qint64 t = 1'700'000'000'000;
    const QVariantMap wire = counters(t, {t - 1}).toVariant();
    QVERIFY(wire.contains(dbus::key::kNetworkChangedUnixMs));
    QVERIFY(isReconnecting(dbus::TunnelCounters::fromVariant(wire), true));
    QVERIFY(
        !isReconnecting(dbus::TunnelCounters::fromVariant(counters(t, {t + 1}).toVariant()), true));
}

QTEST_GUILESS_MAIN(TestTunnelHealth)
#include "tst_tunnelhealth.moc"
