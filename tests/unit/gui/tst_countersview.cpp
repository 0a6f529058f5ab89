// CountersView: WireGuard counters (per peer: handshakes, initiations, last handshake; for the
// tunnel: failed handshakes, decryption failures, replays) from a GetStats map; plain mode says
// the tunnel is unencrypted and hides the handshake columns.
#include "CountersView.h"

#include <QDateTime>
#include <QTest>
#include <QTreeWidget>

using namespace peertun;

namespace {

TunnelStatus wireGuardStatus(qint64 lastHandshakeUnixMs)
{
    TunnelStatus status;
    status.state = dbus::TunnelState::Connected;
    QVariantMap peer{{QStringLiteral("name"), QStringLiteral("host-2")},
                     {QStringLiteral("rxPackets"), QVariant::fromValue<qulonglong>(40)},
                     {QStringLiteral("txPackets"), QVariant::fromValue<qulonglong>(41)},
                     {QStringLiteral("handshakesDone"), QVariant::fromValue<qulonglong>(3)},
                     {QStringLiteral("initiationsSent"), QVariant::fromValue<qulonglong>(7)},
                     {QStringLiteral("lastHandshakeUnixMs"),
                      QVariant::fromValue<qlonglong>(lastHandshakeUnixMs)}};
    status.stats =
        QVariantMap{{QStringLiteral("rxPackets"), QVariant::fromValue<qulonglong>(40)},
                    {QStringLiteral("txPackets"), QVariant::fromValue<qulonglong>(41)},
                    {QStringLiteral("handshakesDone"), QVariant::fromValue<qulonglong>(3)},
                    {QStringLiteral("handshakesFailed"), QVariant::fromValue<qulonglong>(2)},
                    {QStringLiteral("decryptionFailures"), QVariant::fromValue<qulonglong>(5)},
                    {QStringLiteral("replaysRejected"), QVariant::fromValue<qulonglong>(11)},
                    {QStringLiteral("peers"), QVariantList{peer}}};
    return status;
}

} // namespace

class TestCountersView : public QObject
{
    Q_OBJECT

private slots:
    void wireGuardCountersAreShown_data();
    void wireGuardCountersAreShown();
    void plainModeSaysUnencrypted();
    void nothingShownWithoutStats();
    void dnsKillSwitchAndEndpointsFromTheTunnelList();
    void meshMembersComeAndGo();
};

void TestCountersView::wireGuardCountersAreShown_data()
{
    QTest::addColumn<qint64>("agoMs");
    QTest::addColumn<QString>("lastHandshake");
    QTest::newRow("never") << qint64(-1) << "never";
    QTest::newRow("seconds") << qint64(7000) << "7 s ago";
    QTest::newRow("minutes") << qint64(5 * 60 * 1000 + 500) << "5 min ago";
}

void TestCountersView::wireGuardCountersAreShown()
{
    QFETCH(qint64, agoMs);
    QFETCH(QString, lastHandshake);
    CountersView view;
    const qint64 when = agoMs < 0 ? 0 : QDateTime::currentMSecsSinceEpoch() - agoMs;
    view.showStatus(wireGuardStatus(when), true);
    const QString text = view.securityText();
    for (const char* part :
         {"Handshakes: 3 done", "2 failed", "Decryption failures: 5", "Replays rejected: 11"}) {
        QVERIFY2(text.contains(QLatin1String(part)), qPrintable(text));
    }
    QTreeWidget* peers = view.peerTable();
    QCOMPARE(peers->topLevelItemCount(), 1);
    for (int column :
         {CountersView::Handshakes, CountersView::Initiations, CountersView::LastHandshake}) {
        QVERIFY(!peers->isColumnHidden(column));
    }
    QTreeWidgetItem* item = peers->topLevelItem(0);
    QCOMPARE(item->text(CountersView::Handshakes), QStringLiteral("3"));
    QCOMPARE(item->text(CountersView::Initiations), QStringLiteral("7"));
    QCOMPARE(item->text(CountersView::LastHandshake), lastHandshake);
}

void TestCountersView::plainModeSaysUnencrypted()
{
    CountersView view;
    view.showStatus(wireGuardStatus(0), false);
    QVERIFY2(view.securityText().contains(QStringLiteral("unencrypted")),
             qPrintable(view.securityText()));
    QVERIFY(!view.securityText().contains(QStringLiteral("Handshakes")));
    for (int column :
         {CountersView::Handshakes, CountersView::Initiations, CountersView::LastHandshake}) {
        QVERIFY(view.peerTable()->isColumnHidden(column));
    }
}

void TestCountersView::nothingShownWithoutStats()
{
    CountersView view;
    view.showStatus(TunnelStatus(), true); // no tunnel yet: no claim either way
    QVERIFY(view.securityText().isEmpty());
}

void TestCountersView::dnsKillSwitchAndEndpointsFromTheTunnelList()
{
    // A provider's full tunnel as ListTunnels and GetStats describe it.
    TunnelStatus status = wireGuardStatus(QDateTime::currentMSecsSinceEpoch());
    dbus::TunnelInfo info;
    info.name = QStringLiteral("vpn");
    info.state = dbus::TunnelState::Connected;
    info.dnsServers = {QStringLiteral("10.2.0.1")};
    info.dnsDomains = {QStringLiteral("~.")};
    info.dnsApplied = true;
    info.killSwitch = true;
    dbus::PeerInfo peer;
    peer.name = QStringLiteral("host-2");
    peer.endpoint = QStringLiteral("vpn.example.net:51820");
    info.peers << peer;
    // Through the wire format, as the session gets it.
    status.info = dbus::TunnelInfo::fromVariant(info.toVariant());
    dbus::TunnelCounters counters = dbus::TunnelCounters::fromVariant(status.stats);
    counters.peers[0].endpointStatus.host = QStringLiteral("vpn.example.net");
    counters.peers[0].endpointStatus.address = QStringLiteral("198.51.100.7:51820");
    counters.peers[0].endpointStatus.state = dbus::EndpointStatus::kResolved;
    status.stats = counters.toVariant();

    CountersView view;
    view.show();
    view.showStatus(status, true);
    QCOMPARE(view.protectionText(),
             QStringLiteral("DNS: 10.2.0.1 (domains ~.)\nKill switch on: traffic outside the "
                            "tunnel is blocked"));
    QTreeWidgetItem* item = view.peerTable()->topLevelItem(0);
    QCOMPARE(item->text(CountersView::Endpoint),
             QStringLiteral("vpn.example.net:51820 → 198.51.100.7:51820"));

    // Without the tunnel's entry (a helper that has not answered ListTunnels yet): no lines.
    status.info.reset();
    view.showStatus(status, true);
    QVERIFY(view.protectionText().isEmpty());
    QCOMPARE(view.peerTable()->topLevelItem(0)->text(CountersView::Endpoint),
             QStringLiteral("198.51.100.7:51820"));
}

// A mesh's members as PeersChanged and StatsUpdated bring them: one joins, one leaves; the
// rows follow, each with its own counters, and the ones that stay keep theirs.
void TestCountersView::meshMembersComeAndGo()
{
    const auto member = [](const QString& subnet, quint64 rx) {
        dbus::PeerCounters p;
        p.name = subnet;
        p.rxPackets = rx;
        p.txPackets = rx + 1;
        p.endpointStatus.address = QStringLiteral("192.0.2.%1:8285").arg(rx);
        return p;
    };
    const auto status = [](const QList<dbus::PeerCounters>& members) {
        dbus::TunnelCounters c;
        c.name = QStringLiteral("mesh");
        c.peers = members;
        TunnelStatus s;
        s.state = dbus::TunnelState::Connected;
        s.stats = c.toVariant();
        return s;
    };
    const auto rows = [](const CountersView& view) {
        QStringList out;
        for (int i = 0; i < view.peerTable()->topLevelItemCount(); ++i) {
            const QTreeWidgetItem* item = view.peerTable()->topLevelItem(i);
            out << item->text(CountersView::Peer) + QLatin1Char(' ') +
                       item->text(CountersView::Endpoint) + QLatin1Char(' ') +
                       item->text(CountersView::ReceivedPackets) + QLatin1Char('/') +
                       item->text(CountersView::SentPackets);
        }
        return out;
    };
    CountersView view;
    view.show();
    view.showStatus(status({member("10.244.2.0/24", 10), member("10.244.4.0/24", 20)}), false);
    QCOMPARE(rows(view), (QStringList{"10.244.2.0/24 192.0.2.10:8285 10/11",
                                      "10.244.4.0/24 192.0.2.20:8285 20/21"}));
    // A fifth host joins.
    view.showStatus(status({member("10.244.2.0/24", 12), member("10.244.4.0/24", 22),
                            member("10.244.5.0/24", 1)}),
                    false);
    QCOMPARE(rows(view), (QStringList{"10.244.2.0/24 192.0.2.12:8285 12/13",
                                      "10.244.4.0/24 192.0.2.22:8285 22/23",
                                      "10.244.5.0/24 192.0.2.1:8285 1/2"}));
    // The first leaves.
    view.showStatus(status({member("10.244.4.0/24", 23), member("10.244.5.0/24", 2)}), false);
    QCOMPARE(rows(view), (QStringList{"10.244.4.0/24 192.0.2.23:8285 23/24",
                                      "10.244.5.0/24 192.0.2.2:8285 2/3"}));
}

QTEST_MAIN(TestCountersView)
#include "tst_countersview.moc"
