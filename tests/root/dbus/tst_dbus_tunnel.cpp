// A real tunnel through the D-Bus helper: the allowed user brings it up with peertunctl in
// network namespace ns1, `peertun-helper --standalone` is the far side in ns2, ping crosses
// it, status/stats/log/signals show it, `down` removes it; a SIGKILLed helper leaves no
// device or route behind and the next call activates a new one.
#include "DBusHarness.h"
#include "HelperClient.h"
#include "Keys.h"
#include "TestKeys.h"
#include "TestProfiles.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>
#include <array>
#include <csignal>

using namespace peertun;
using namespace peertun::test;

class TestDBusTunnel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();
    void pingCrossesTunnel();
    void watchAndFollow();
    void downRemovesDevice();
    void sigkillLeavesNothingAndReactivates();
    void sigtermTearsDown();
    void wireguardTunnelKeepsKeysSecret();
    void hostNameEndpointInStatus();
    void lossOfTheBusTearsDown(); // last: stops the bus

private:
    const TunnelParams m_near{QStringLiteral("office"),
                              QStringLiteral("pt0"),
                              QStringLiteral("10.244.1.1/24"),
                              8285,
                              kUnderlayAddress2 + QStringLiteral(":8285"),
                              QStringLiteral("10.244.2.0/24")};
    const TunnelParams m_far{QStringLiteral("home"),
                             QStringLiteral("pt0"),
                             QStringLiteral("10.244.2.1/24"),
                             8285,
                             kUnderlayAddress1 + QStringLiteral(":8285"),
                             QStringLiteral("10.244.1.0/24")};
    CommandResult ping(int count);
    bool nearDeviceExists() { return m_harness.ipNs1({"link", "show", "pt0"}).exitCode == 0; }
    QJsonObject statsJson();
    void bringUp();

    DBusHarness m_harness;
    std::unique_ptr<HelperClient> m_client;
};

void TestDBusTunnel::initTestCase()
{
    QString error;
    if (!m_harness.setUp(&error)) {
        QFAIL(qPrintable(error));
    }
    m_client = std::make_unique<HelperClient>(m_harness.bus());
    QProcess* far = m_harness.startFarSide(m_harness.writeFile("far.json", profileJson(m_far)));
    QVERIFY(far->state() == QProcess::Running);
    // The far side is up once its device exists in ns2.
    QTRY_VERIFY_WITH_TIMEOUT(
        DBusHarness::run(DBusHarness::ipBinary(), {"-n", m_harness.ns2(), "link", "show", "pt0"})
                .exitCode == 0,
        10000);
}

void TestDBusTunnel::cleanup()
{
    if (QTest::currentTestFailed()) {
        m_harness.dumpLogs();
    }
}

void TestDBusTunnel::cleanupTestCase()
{
    m_client.reset();
    m_harness.tearDown();
}

CommandResult TestDBusTunnel::ping(int count)
{
    return DBusHarness::run(DBusHarness::ipBinary(),
                            {"netns", "exec", m_harness.ns1(), "ping", "-c", QString::number(count),
                             "-i", "0.2", "-W", "2", "10.244.2.1"},
                            30000);
}

QJsonObject TestDBusTunnel::statsJson()
{
    const CommandResult r = m_harness.runCtl(kAllowedUser, {"stats", "office", "--json"});
    return r.exitCode == 0 ? QJsonDocument::fromJson(r.out.toUtf8()).object() : QJsonObject{};
}

void TestDBusTunnel::bringUp()
{
    const QString path = m_harness.writeFile("office.json", profileJson(m_near));
    const CommandResult r = m_harness.runCtl(kAllowedUser, {"up", path});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(nearDeviceExists());
}

void TestDBusTunnel::pingCrossesTunnel()
{
    QSignalSpy statsSpy(m_client.get(), &HelperClient::statsUpdated);
    QSignalSpy logSpy(m_client.get(), &HelperClient::logEntry);
    bringUp();
    const QJsonObject before = statsJson();
    QVERIFY(!before.isEmpty());

    const CommandResult p = ping(5);
    QVERIFY2(p.exitCode == 0, qPrintable(p.describe()));
    QVERIFY2(p.out.contains(QStringLiteral("5 received")), qPrintable(p.out));

    // Counters grew by at least the pings, each way, overall and for the peer.
    const QJsonObject after = statsJson();
    QVERIFY2(after.value("txPackets").toInteger() >= before.value("txPackets").toInteger() + 5,
             QJsonDocument(after).toJson().constData());
    QVERIFY(after.value("rxPackets").toInteger() >= before.value("rxPackets").toInteger() + 5);
    QVERIFY(after.value("txBytes").toInteger() > before.value("txBytes").toInteger());
    const QJsonObject peer = after.value("peers").toArray().at(0).toObject();
    QCOMPARE(peer.value("name").toString(), QStringLiteral("far"));
    QVERIFY(peer.value("rxPackets").toInteger() >= 5);
    QVERIFY(peer.value("lastRxUnixMs").toInteger() > 0);

    // Status as another user shows it connected, without its details; its owner sees them.
    const CommandResult status = m_harness.runCtl(kDeniedUser, {"status"});
    QVERIFY2(status.exitCode == 0, qPrintable(status.describe()));
    QVERIFY(status.out.contains(QStringLiteral("office")));
    QVERIFY(status.out.contains(QStringLiteral("connected")));
    QVERIFY2(status.out.contains(QStringLiteral("details withheld")) &&
                 !status.out.contains(QStringLiteral("10.211.55.122")),
             qPrintable(status.out));
    const CommandResult refused = m_harness.runCtl(kDeniedUser, {"stats", "office"});
    QVERIFY2(refused.exitCode == 3 && refused.err.contains(QStringLiteral("another user")),
             qPrintable(refused.describe()));
    const CommandResult human = m_harness.runCtl(kAllowedUser, {"stats", "office"});
    QVERIFY2(human.exitCode == 0 && human.out.contains(QStringLiteral("peer far")),
             qPrintable(human.describe()));

    // StatsUpdated came with our tunnel's counters (the last one has all the pings).
    auto lastRx = [&statsSpy]() -> qulonglong {
        if (statsSpy.isEmpty()) {
            return 0;
        }
        const QVariantMapList update = statsSpy.last().at(0).value<QVariantMapList>();
        return update.size() == 1 && update.at(0).value("name").toString() == "office"
                   ? update.at(0).value("rxPackets").toULongLong()
                   : 0;
    };
    QTRY_VERIFY_WITH_TIMEOUT(lastRx() >= 5, 3000);

    // At most twice a second while traffic flows...
    statsSpy.clear();
    QElapsedTimer window;
    window.start();
    const CommandResult burst =
        DBusHarness::run(DBusHarness::ipBinary(), {"netns", "exec", m_harness.ns1(), "ping", "-c",
                                                   "40", "-i", "0.05", "-W", "2", "10.244.2.1"});
    QVERIFY2(burst.exitCode == 0, qPrintable(burst.describe()));
    QTest::qWait(600);
    const qint64 elapsedMs = window.elapsed();
    QVERIFY(statsSpy.size() >= 2);
    QVERIFY2(statsSpy.size() <= elapsedMs / 500 + 1,
             qPrintable(QStringLiteral("%1 updates in %2 ms").arg(statsSpy.size()).arg(elapsedMs)));
    // ...each one different from the one before...
    for (qsizetype i = 1; i < statsSpy.size(); ++i) {
        QVERIFY(statsSpy.at(i).at(0).value<QVariantMapList>() !=
                statsSpy.at(i - 1).at(0).value<QVariantMapList>());
    }
    // ...and none while nothing changes.
    QTest::qWait(700);
    const qsizetype quiet = statsSpy.size();
    QTest::qWait(1500);
    QVERIFY2(
        statsSpy.size() == quiet,
        QJsonDocument::fromVariant(
            QVariant(HelperClient::toPlain(statsSpy.last().at(0).value<QVariantMapList>()).at(0)))
            .toJson()
            .constData());
    QVERIFY(!logSpy.isEmpty());

    const CommandResult log = m_harness.runCtl(kAllowedUser, {"log"});
    QVERIFY2(log.out.contains(QStringLiteral("[office] connected")), qPrintable(log.out));
    const CommandResult strangers = m_harness.runCtl(kDeniedUser, {"log"});
    QVERIFY2(strangers.exitCode == 0 && !strangers.out.contains(QStringLiteral("[office]")),
             qPrintable(strangers.out));
}

void TestDBusTunnel::watchAndFollow()
{
    // `stats --watch` prints a line per update while traffic flows; `log --follow` prints
    // entries as they happen.
    if (!nearDeviceExists()) {
        bringUp();
    }
    std::unique_ptr<QProcess> watch =
        m_harness.startCtl(kAllowedUser, {"stats", "office", "--watch", "--json"});
    std::unique_ptr<QProcess> follow = m_harness.startCtl(kAllowedUser, {"log", "--follow"});
    QVERIFY(watch->state() == QProcess::Running && follow->state() == QProcess::Running);
    // Both subscribe before their first read, so their first output means they listen.
    QByteArray watched;
    QByteArray followed;
    QTRY_VERIFY_WITH_TIMEOUT((watched += watch->readAllStandardOutput()).contains('\n'), 10000);
    QTRY_VERIFY_WITH_TIMEOUT((followed += follow->readAllStandardOutput()).contains('\n'), 10000);
    QVERIFY(ping(6).exitCode == 0);
    QTRY_VERIFY_WITH_TIMEOUT((watched += watch->readAllStandardOutput()).count('\n') >= 2, 5000);
    QTest::qWait(800);
    watched += watch->readAllStandardOutput();
    const QList<QByteArray> lines = watched.trimmed().split('\n');
    QVERIFY2(lines.size() >= 2, lines.join('\n').constData()); // the first read + updates
    const QJsonObject last = QJsonDocument::fromJson(lines.last()).object();
    QCOMPARE(last.value("name").toString(), QStringLiteral("office"));
    QVERIFY(last.value("rxPackets").toInteger() >
            QJsonDocument::fromJson(lines.first()).object().value("rxPackets").toInteger());

    // A second tunnel comes and goes: the follower sees it live.
    const QString path = m_harness.writeFile(
        "second.json", profileJson({"second", "pt1", "10.244.21.1/24", 8290,
                                    kUnderlayAddress2 + ":8291", "10.244.22.0/24"}));
    QVERIFY(m_harness.runCtl(kAllowedUser, {"up", path}).exitCode == 0);
    QVERIFY(m_harness.runCtl(kAllowedUser, {"down", "second"}).exitCode == 0);
    QTRY_VERIFY2_WITH_TIMEOUT(
        (followed += follow->readAllStandardOutput()).contains("[second] disconnected"),
        followed.constData(), 8000);
    QVERIFY2(followed.contains("[second] connected"), followed.constData());
    watch->kill();
    follow->kill();
    watch->waitForFinished(2000);
    follow->waitForFinished(2000);
}

void TestDBusTunnel::downRemovesDevice()
{
    const CommandResult r = m_harness.runCtl(kAllowedUser, {"down", "office"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(!nearDeviceExists());
    QVERIFY(!m_harness.ipNs1({"route", "show"}).out.contains(QStringLiteral("10.244.2.0")));
    QVERIFY(ping(1).exitCode != 0);
    const CommandResult status = m_harness.runCtl(kDeniedUser, {"status"});
    QVERIFY(status.out.contains(QStringLiteral("no tunnels")));
}

void TestDBusTunnel::sigkillLeavesNothingAndReactivates()
{
    bringUp();
    QVERIFY(ping(2).exitCode == 0);
    const uint pid = m_harness.helperPid();
    QVERIFY(pid != 0);
    ::kill(pid_t(pid), SIGKILL);
    QTRY_VERIFY_WITH_TIMEOUT(m_harness.helperPid() == 0, 10000);
    // The TUN device goes with the fd, its routes with the device.
    QTRY_VERIFY_WITH_TIMEOUT(!nearDeviceExists(), 5000);
    QVERIFY2(!m_harness.ipNs1({"route", "show"}).out.contains(QStringLiteral("10.244.")),
             qPrintable(m_harness.ipNs1({"route", "show"}).out));

    const CommandResult status = m_harness.runCtl(kDeniedUser, {"status"});
    QVERIFY2(status.exitCode == 0, qPrintable(status.describe()));
    QVERIFY(status.out.contains(QStringLiteral("no tunnels")));
    const uint newPid = m_harness.helperPid();
    QVERIFY(newPid != 0 && newPid != pid);
    QCOMPARE(DBusHarness::netnsOf(newPid), m_harness.ns1());
    // And it works again.
    bringUp();
    QVERIFY(ping(2).exitCode == 0);
}

void TestDBusTunnel::sigtermTearsDown()
{
    if (!nearDeviceExists()) {
        bringUp();
    }
    QTest::qWait(300); // let earlier signals (the re-activation above) drain
    QSignalSpy states(m_client.get(), &HelperClient::stateChanged);
    QSignalSpy owner(m_client.get(), &HelperClient::helperPresenceChanged);
    const uint pid = m_harness.helperPid();
    QVERIFY(pid != 0);
    ::kill(pid_t(pid), SIGTERM);
    // It says goodbye properly: the tunnel is disconnected before the helper leaves.
    QTRY_VERIFY_WITH_TIMEOUT(!owner.isEmpty(), 10000);
    QCOMPARE(owner.size(), 1);
    QCOMPARE(owner.last().at(0).toBool(), false);
    QVERIFY(!states.isEmpty());
    QCOMPARE(states.last().at(0).toString(), QStringLiteral("office"));
    QCOMPARE(states.last().at(1).toString(), QStringLiteral("disconnected"));
    QVERIFY(!nearDeviceExists());
    QVERIFY(!m_harness.ipNs1({"route", "show"}).out.contains(QStringLiteral("10.244.")));
}

using peertun::testlab::KeyPair;
using peertun::testlab::makeKeys;

void TestDBusTunnel::wireguardTunnelKeepsKeysSecret()
{
    // A WireGuard tunnel through the helper: it works, and the private key never comes back
    // out of the helper (status, stats, log, signals, its own output).
    const KeyPair near = makeKeys();
    const KeyPair far = makeKeys();
    const QString farProfile = m_harness.writeFile(
        "wg-far.json",
        profileJson({"wg-home", "ptwg", "10.244.32.1/24", 8295, kUnderlayAddress1 + ":8295",
                     "10.244.31.0/24", far.privateKey, near.publicKey}));
    QProcess* farSide = m_harness.startFarSide(farProfile);
    QVERIFY(farSide->state() == QProcess::Running);
    QTRY_VERIFY_WITH_TIMEOUT(
        DBusHarness::run(DBusHarness::ipBinary(), {"-n", m_harness.ns2(), "link", "show", "ptwg"})
                .exitCode == 0,
        10000);

    QSignalSpy logSpy(m_client.get(), &HelperClient::logEntry);
    const QString nearProfile = m_harness.writeFile(
        "wg-near.json",
        profileJson({"wg-office", "ptwg", "10.244.31.1/24", 8295, kUnderlayAddress2 + ":8295",
                     "10.244.32.0/24", near.privateKey, far.publicKey}));
    CommandResult r = m_harness.runCtl(kAllowedUser, {"up", nearProfile});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const CommandResult p =
        DBusHarness::run(DBusHarness::ipBinary(), {"netns", "exec", m_harness.ns1(), "ping", "-c",
                                                   "5", "-i", "0.3", "-W", "2", "10.244.32.1"});
    QVERIFY2(p.exitCode == 0, qPrintable(p.describe()));

    const CommandResult status = m_harness.runCtl(kAllowedUser, {"status", "wg-office", "--json"});
    QVERIFY2(status.exitCode == 0, qPrintable(status.describe()));
    const QJsonObject tunnel = QJsonDocument::fromJson(status.out.toUtf8()).object();
    QCOMPARE(tunnel.value("mode").toString(), QStringLiteral("wireguard"));
    QCOMPARE(tunnel.value("peers").toArray().at(0).toObject().value("publicKey").toString(),
             far.publicKey);
    const CommandResult stats = m_harness.runCtl(kAllowedUser, {"stats", "wg-office", "--json"});
    QVERIFY2(stats.exitCode == 0, qPrintable(stats.describe()));
    const QJsonObject counters = QJsonDocument::fromJson(stats.out.toUtf8()).object();
    QVERIFY(counters.value("handshakesDone").toInteger() >= 1);
    QVERIFY(counters.value("rxPackets").toInteger() >= 4);
    const CommandResult human = m_harness.runCtl(kAllowedUser, {"stats", "wg-office"});
    QVERIFY2(human.out.contains(QStringLiteral("handshakes: ")) &&
                 human.out.contains(QStringLiteral("last handshake 20")),
             qPrintable(human.describe()));
    const CommandResult detail = m_harness.runCtl(kAllowedUser, {"status", "wg-office"});
    QVERIFY2(detail.out.contains(QStringLiteral("mode:      wireguard")) &&
                 detail.out.contains(far.publicKey),
             qPrintable(detail.describe()));
    const CommandResult log = m_harness.runCtl(kAllowedUser, {"log"});
    QVERIFY(log.out.contains(QStringLiteral("[wg-office] connected")));

    r = m_harness.runCtl(kAllowedUser, {"down", "wg-office"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));

    QFile helperLog(m_harness.helperLogPath());
    QVERIFY(helperLog.open(QIODevice::ReadOnly));
    QString signalled;
    for (const QList<QVariant>& args : std::as_const(logSpy)) {
        signalled += args.at(0).toMap().value("text").toString() + '\n';
    }
    const QString everything = r.out + r.err + status.out + stats.out + human.out + detail.out +
                               log.out + signalled + QString::fromUtf8(helperLog.readAll());
    QVERIFY(!everything.contains(near.privateKey));
    QVERIFY(!everything.contains(near.privateKey.left(20)));
    m_harness.stopFarSide();
}

void TestDBusTunnel::hostNameEndpointInStatus()
{
    // A peer named by its host: "localhost" comes from /etc/hosts (no DNS traffic leaves the
    // test). ListTunnels and `peertunctl status` show the name and the address in use; the
    // profile has no listen, so the tunnel got a random port and says which.
    const KeyPair near = makeKeys();
    const KeyPair far = makeKeys();
    Profile profile = makeProfile({"wg-named", "ptnamed", "10.244.33.1/24", 0, "localhost:9",
                                   "10.244.34.0/24", near.privateKey, far.publicKey});
    QVERIFY(validateProfile(profile).isEmpty());
    QCOMPARE(profile.peers[0].endpoint.hostName, QStringLiteral("localhost"));
    const QString path = m_harness.writeFile("wg-named.json", serializeProfile(profile));
    CommandResult r = m_harness.runCtl(kAllowedUser, {"up", path});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));

    QJsonObject tunnel;
    QJsonObject peer;
    QTRY_VERIFY_WITH_TIMEOUT(
        (tunnel = QJsonDocument::fromJson(
                      m_harness.runCtl(kAllowedUser, {"status", "wg-named", "--json"}).out.toUtf8())
                      .object(),
         peer = tunnel.value("peers").toArray().at(0).toObject(),
         peer.value("endpointState").toString() == QLatin1String("resolved")),
        5000);
    QCOMPARE(peer.value("endpoint").toString(), QStringLiteral("localhost:9"));
    QCOMPARE(peer.value("endpointHost").toString(), QStringLiteral("localhost"));
    const QString address = peer.value("endpointAddress").toString();
    QVERIFY2(address == QLatin1String("127.0.0.1:9") || address == QLatin1String("[::1]:9"),
             qPrintable(address));
    QVERIFY(peer.value("resolvedAtUnixMs").toInteger() > 0);
    QCOMPARE(peer.value("resolveError").toString(), QString());
    const QString listen = tunnel.value("listen").toString();
    QVERIFY2(!listen.endsWith(QLatin1String(":0")) && !listen.endsWith(QLatin1String(":51820")),
             qPrintable(listen));

    const CommandResult stats = m_harness.runCtl(kAllowedUser, {"stats", "wg-named", "--json"});
    QVERIFY2(stats.exitCode == 0, qPrintable(stats.describe()));
    const QJsonObject counters = QJsonDocument::fromJson(stats.out.toUtf8()).object();
    QCOMPARE(counters.value("peers").toArray().at(0).toObject().value("endpointHost").toString(),
             QStringLiteral("localhost"));
    const CommandResult detail = m_harness.runCtl(kAllowedUser, {"status", "wg-named"});
    QVERIFY2(
        detail.out.contains(QStringLiteral("peer far: localhost:9 (%1, resolved ").arg(address)),
        qPrintable(detail.describe()));

    r = m_harness.runCtl(kAllowedUser, {"down", "wg-named"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
}

void TestDBusTunnel::lossOfTheBusTearsDown()
{
    bringUp();
    const uint pid = m_harness.helperPid();
    QVERIFY(pid != 0);
    m_client.reset();
    m_harness.stopBus();
    // Nobody could control the tunnels any more: the helper removes them and leaves.
    QTRY_VERIFY_WITH_TIMEOUT(::kill(pid_t(pid), 0) != 0, 10000);
    QVERIFY(!nearDeviceExists());
    // And peertunctl says it cannot reach the helper.
    const CommandResult r = m_harness.runCtl(kDeniedUser, {"status"});
    QCOMPARE(r.exitCode, 8);
    QVERIFY2(r.err.contains(QStringLiteral("system bus")), qPrintable(r.err));
}

QTEST_GUILESS_MAIN(TestDBusTunnel)
#include "tst_dbus_tunnel.moc"
