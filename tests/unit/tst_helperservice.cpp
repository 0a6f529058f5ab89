// HelperService on a private bus (dbus-daemon --session, no root) with fake tunnels and a fake
// authorizer: the Connect size limit before authorization, named errors for bad input, refusals
// from the authorizer, and StatsUpdated reaching a client. The real polkitd and helper are
// tests/root/dbus's.
#include "FakeTunnel.h"
#include "GuiTestProfiles.h"
#include "HelperClient.h"
#include "HelperService.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <unistd.h>

using namespace peertun;

class TestHelperService : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void cleanupTestCase();
    void oversizedProfileIsRefusedBeforeAuthorization();
    void badInputGetsNamedErrors_data();
    void badInputGetsNamedErrors();
    void refusedByTheAuthorizer_data();
    void refusedByTheAuthorizer();
    void connectListStatsDisconnect();
    void refusedUidIsRateLimitedBeforeTheAuthorizer();
    void setPeersOverTheBus();

private:
    QDBusError callError(QDBusPendingCall call);

    QProcess m_busDaemon;
    QString m_address;
    QTemporaryDir m_dir; // the service's syslog socket path (nobody listens): not the host's
    std::shared_ptr<FakeTunnels> m_fakes;
    std::shared_ptr<FakeAuthorizer::State> m_auth;
    std::unique_ptr<HelperService> m_service;
    std::unique_ptr<HelperClient> m_client;
    int m_round = 0;
};

void TestHelperService::initTestCase()
{
    m_busDaemon.start(QStringLiteral("dbus-daemon"),
                      {"--session", "--nofork", "--nosyslog", "--print-address=1"});
    QVERIFY2(m_busDaemon.waitForStarted(5000), "dbus-daemon (package dbus) is needed");
    QVERIFY(m_busDaemon.waitForReadyRead(5000));
    m_address = QString::fromUtf8(m_busDaemon.readLine()).trimmed();
}

void TestHelperService::init()
{
    ++m_round; // fresh connections each test: a service name is owned once per connection
    QDBusConnection serviceBus =
        QDBusConnection::connectToBus(m_address, QStringLiteral("service-%1").arg(m_round));
    QDBusConnection clientBus =
        QDBusConnection::connectToBus(m_address, QStringLiteral("client-%1").arg(m_round));
    QVERIFY(serviceBus.isConnected() && clientBus.isConnected());
    m_fakes = std::make_shared<FakeTunnels>();
    m_auth = std::make_shared<FakeAuthorizer::State>();
    HelperServiceOptions options;
    options.idleExitSeconds = 0;
    options.syslogSocket = m_dir.filePath(QStringLiteral("syslog"));
    m_service = std::make_unique<HelperService>(
        serviceBus, options, std::make_unique<FakeAuthorizer>(m_auth), fakeTunnelFactory(m_fakes));
    QString error;
    QVERIFY2(m_service->start(&error), qPrintable(error));
    m_client = std::make_unique<HelperClient>(clientBus);
}

void TestHelperService::cleanup()
{
    m_client.reset();
    m_service.reset();
    QDBusConnection::disconnectFromBus(QStringLiteral("service-%1").arg(m_round));
    QDBusConnection::disconnectFromBus(QStringLiteral("client-%1").arg(m_round));
}

void TestHelperService::cleanupTestCase()
{
    m_busDaemon.kill();
    m_busDaemon.waitForFinished(3000);
}

// The service runs on this thread: wait in the event loop (waitForFinished() would block it).
void awaitReply(const QDBusPendingCall& call)
{
    QDBusPendingCallWatcher watcher(call);
    QSignalSpy done(&watcher, &QDBusPendingCallWatcher::finished);
    if (!watcher.isFinished()) {
        done.wait(10000);
    }
}

QDBusError TestHelperService::callError(QDBusPendingCall call)
{
    awaitReply(call);
    return call.error();
}

void TestHelperService::oversizedProfileIsRefusedBeforeAuthorization()
{
    const QString huge = QStringLiteral("{\"name\": \"x\", \"padding\": \"%1\"}")
                             .arg(QString(kMaxProfileBytes, u'x'));
    const QDBusError error = callError(m_client->connectTunnel(huge));
    QCOMPARE(error.name(), dbus::kErrorInvalidProfile);
    QVERIFY2(error.message().contains(QString::number(kMaxProfileBytes)),
             qPrintable(error.message()));
    QCOMPARE(m_auth->checks, 0); // neither held nor parsed nor sent to polkit
    QCOMPARE(m_fakes->alive, 0);
}

void TestHelperService::badInputGetsNamedErrors_data()
{
    QTest::addColumn<QString>("call");
    QTest::addColumn<QString>("argument");
    QTest::addColumn<QString>("errorName");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("malformed JSON") << "connect"
                                    << "{\"name\": " << dbus::kErrorInvalidProfile << "not valid";
    QTest::newRow("invalid address")
        << "connect"
        << QString::fromUtf8(serializeProfile(test::officeProfile()))
               .replace(QStringLiteral("10.244.2.2/24"), QStringLiteral("10.244.300.1/24"))
        << dbus::kErrorInvalidProfile << "interface.address";
    QTest::newRow("disconnect unknown") << "disconnect"
                                        << "nobody" << dbus::kErrorNotFound << "nobody";
    QTest::newRow("disconnect huge name")
        << "disconnect" << QString(1000, u'n') << dbus::kErrorNotFound << "no tunnel";
    QTest::newRow("stats unknown") << "stats"
                                   << "nobody" << dbus::kErrorNotFound << "nobody";
}

void TestHelperService::badInputGetsNamedErrors()
{
    QFETCH(QString, call);
    QFETCH(QString, argument);
    QFETCH(QString, errorName);
    QFETCH(QString, mentions);
    const QDBusError error = callError(call == QLatin1String("connect")
                                           ? QDBusPendingCall(m_client->connectTunnel(argument))
                                       : call == QLatin1String("disconnect")
                                           ? QDBusPendingCall(m_client->disconnectTunnel(argument))
                                           : QDBusPendingCall(m_client->stats(argument)));
    QCOMPARE(error.name(), errorName);
    QVERIFY2(error.message().contains(mentions), qPrintable(error.message()));
    QVERIFY2(error.message().size() < 600, "an argument was echoed in full");
    QCOMPARE(m_fakes->alive, 0);
}

void TestHelperService::refusedByTheAuthorizer_data()
{
    QTest::addColumn<int>("answer");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("not authorized") << int(Authorizer::Result::NotAuthorized) << "not allowed";
    QTest::newRow("polkit unavailable") << int(Authorizer::Result::Unavailable) << "polkitd";
}

void TestHelperService::refusedByTheAuthorizer()
{
    if (::geteuid() == 0) {
        QSKIP("As root the helper needs no polkit by design, so the authorizer is not asked; "
              "run as a normal user (tests/root/dbus checks refusals with the real polkitd).");
    }
    QFETCH(int, answer);
    QFETCH(QString, mentions);
    m_auth->answer = Authorizer::Result(answer);
    const QDBusError error = callError(
        m_client->connectTunnel(QString::fromUtf8(serializeProfile(test::officeProfile()))));
    QCOMPARE(error.name(), dbus::kErrorNotAuthorized);
    QVERIFY2(error.message().contains(mentions), qPrintable(error.message()));
    QCOMPARE(m_auth->checks, 1);
    QCOMPARE(m_fakes->alive, 0);
}

// After kMaxRefusalsPerUid refusals the same uid gets RateLimited without the authorizer being
// asked; the reply says for how long.
void TestHelperService::refusedUidIsRateLimitedBeforeTheAuthorizer()
{
    if (::geteuid() == 0) {
        QSKIP("As root the helper needs no polkit by design (and root is never rate-limited); "
              "run as a normal user (tests/root/dbus floods with the real polkitd).");
    }
    m_auth->answer = Authorizer::Result::NotAuthorized;
    const QString profile = QString::fromUtf8(serializeProfile(test::officeProfile()));
    for (int i = 0; i < HelperService::kMaxRefusalsPerUid; ++i) {
        QCOMPARE(callError(m_client->connectTunnel(profile)).name(), dbus::kErrorNotAuthorized);
    }
    QCOMPARE(m_auth->checks, HelperService::kMaxRefusalsPerUid);
    for (int i = 0; i < 5; ++i) {
        const QDBusError error = callError(m_client->connectTunnel(profile));
        QCOMPARE(error.name(), dbus::kErrorRateLimited);
        QVERIFY2(error.message().contains(QStringLiteral("does not ask again for")),
                 qPrintable(error.message()));
    }
    QCOMPARE(m_auth->checks, HelperService::kMaxRefusalsPerUid);
    QCOMPARE(m_fakes->alive, 0);
}

void TestHelperService::connectListStatsDisconnect()
{
    QSignalSpy states(m_client.get(), &HelperClient::stateChanged);
    QSignalSpy updates(m_client.get(), &HelperClient::statsUpdated);
    QDBusPendingReply<QString> connected =
        m_client->connectTunnel(QString::fromUtf8(serializeProfile(test::officeProfile())));
    awaitReply(connected);
    QVERIFY2(!connected.isError(), qPrintable(connected.error().message()));
    QCOMPARE(connected.value(), QStringLiteral("office"));
    QCOMPARE(m_auth->checks, ::geteuid() == 0 ? 0 : 1);
    QTRY_COMPARE(states.count(), 2);
    QCOMPARE(states.last().at(1).toString(), dbus::stateName(dbus::TunnelState::Connected));

    QDBusPendingReply<QVariantMapList> list = m_client->listTunnels();
    awaitReply(list);
    const QVariantMapList tunnels = HelperClient::toPlain(list.value());
    QCOMPARE(tunnels.size(), 1);
    QCOMPARE(dbus::TunnelInfo::fromVariant(tunnels.first()).interface, QStringLiteral("flannel99"));

    m_fakes->stats.at("office").rxPackets = 3;
    QTRY_VERIFY_WITH_TIMEOUT(updates.count() >= 1, 5000);
    const dbus::TunnelCounters c =
        dbus::TunnelCounters::fromVariant(updates.last().first().value<QVariantMapList>().first());
    QCOMPARE(c.rxPackets, quint64(3));

    const QDBusError error = callError(m_client->disconnectTunnel(QStringLiteral("office")));
    QVERIFY2(!error.isValid(), qPrintable(error.message()));
    QCOMPARE(m_fakes->alive, 0);
}

// SetPeers: the size limit before authorization, the profile library's named errors, one
// authorization like Connect, then the new peers and PeersChanged.
void TestHelperService::setPeersOverTheBus()
{
    awaitReply(m_client->connectTunnel(QString::fromUtf8(serializeProfile(test::officeProfile()))));
    QCOMPARE(m_fakes->alive, 1);
    const int checksAfterConnect = m_auth->checks;
    QSignalSpy changed(m_client.get(), &HelperClient::peersChanged);

    const QString huge = QStringLiteral("{\"name\": \"x\", \"padding\": \"%1\"}")
                             .arg(QString(kMaxProfileBytes, u'x'));
    QDBusError error = callError(m_client->setPeers(QStringLiteral("office"), huge));
    QCOMPARE(error.name(), dbus::kErrorInvalidProfile);
    QCOMPARE(m_auth->checks, checksAfterConnect);

    error = callError(m_client->setPeers(QStringLiteral("office"), QStringLiteral("{")));
    QCOMPARE(error.name(), dbus::kErrorInvalidProfile);
    QVERIFY2(error.message().contains(QStringLiteral("not valid")), qPrintable(error.message()));

    Profile next = test::officeProfile();
    next.peers[0].name = QStringLiteral("host-9");
    error = callError(m_client->setPeers(QStringLiteral("nope"),
                                         QString::fromUtf8(serializeProfile(next))));
    QCOMPARE(error.name(), dbus::kErrorNotFound);

    error = callError(
        m_client->setPeers(QStringLiteral("office"), QString::fromUtf8(serializeProfile(next))));
    QVERIFY2(!error.isValid(), qPrintable(error.message()));
    QCOMPARE(m_fakes->peerChanges, 1);
    QCOMPARE(m_fakes->specs.at("office").peers.at(0).name, std::string("host-9"));
    QTRY_COMPARE(changed.count(), 1);
    QCOMPARE(changed.first().first().toString(), QStringLiteral("office"));
    if (::geteuid() != 0) {
        QVERIFY(m_auth->checks > checksAfterConnect); // polkit asked, as for Connect
    }
}

QTEST_GUILESS_MAIN(TestHelperService)
#include "tst_helperservice.moc"
