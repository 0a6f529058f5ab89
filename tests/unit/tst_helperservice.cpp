// HelperService on a private bus (dbus-daemon --session, no root) with fake tunnels and a fake
// authorizer: the Connect size limit before authorization, named errors for bad input, refusals
// from the authorizer, StatsUpdated reaching a client, and owners: the service's uid seam gives
// the test's connections the uids of an owner, another user and root, so the actions each
// call asks for and what each caller reads are checked whoever runs the test. The real polkitd and
// helper are tests/root/dbus's.
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
    void actionsPerCaller_data();
    void actionsPerCaller();
    void signalsCarryOnlyWhatEveryoneMaySee();
    void readsShowWhatTheCallerMaySee();

private:
    QDBusError callError(QDBusPendingCall call);
    // A client on its own connection whose uid the service takes to be `uid`.
    std::unique_ptr<HelperClient> clientAs(uint32_t uid);

    QProcess m_busDaemon;
    QString m_address;
    QTemporaryDir m_dir; // the service's syslog socket path (nobody listens): not the host's
    std::shared_ptr<FakeTunnels> m_fakes;
    std::shared_ptr<FakeAuthorizer::State> m_auth;
    std::unique_ptr<HelperService> m_service;
    std::unique_ptr<HelperClient> m_client;
    int m_round = 0;
    // Unique bus name -> the uid the service sees; others: the test's own.
    std::shared_ptr<QHash<QString, uint32_t>> m_uids;
    QStringList m_extraConnections;
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
    m_uids = std::make_shared<QHash<QString, uint32_t>>();
    options.callerUid = [uids = m_uids](const QString& name) -> std::optional<uint32_t> {
        return uids->value(name, ::geteuid());
    };
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
    for (const QString& name : std::as_const(m_extraConnections)) {
        QDBusConnection::disconnectFromBus(name);
    }
    m_extraConnections.clear();
}

std::unique_ptr<HelperClient> TestHelperService::clientAs(uint32_t uid)
{
    const QString name =
        QStringLiteral("as-%1-%2-%3").arg(uid).arg(m_round).arg(m_extraConnections.size());
    QDBusConnection bus = QDBusConnection::connectToBus(m_address, name);
    m_extraConnections << name;
    m_uids->insert(bus.baseService(), uid);
    return std::make_unique<HelperClient>(bus);
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
    error = callError(
        m_client->setPeers(QStringLiteral("nope"), QString::fromUtf8(serializeProfile(next))));
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

namespace {
constexpr uint32_t kOwnerUid = 1000;
constexpr uint32_t kOtherUid = 1001;

Profile fullTunnelProfile()
{
    Profile p = test::officeProfile(QStringLiteral("full"));
    p.interface.name = QStringLiteral("flannel98");
    p.interface.listen.port = 8286;
    QString error;
    p.peers[0].subnets = {*parseCidr(QStringLiteral("0.0.0.0/0"), &error, true)};
    return p;
}
} // namespace

void TestHelperService::actionsPerCaller_data()
{
    QTest::addColumn<uint32_t>("caller");
    QTest::addColumn<QString>("call");
    QTest::addColumn<QString>("refused");   // the action the fake authorizer says no to
    QTest::addColumn<QStringList>("asked"); // the actions asked, in order
    QTest::addColumn<QString>("errorName"); // empty: success; "*": any error but the refusal
    const QString control = dbus::kControlAction;
    const QString privileged = dbus::kPrivilegedAction;
    const QString others = dbus::kControlOthersAction;
    const QString read = dbus::kReadAction;
    const QString denied = dbus::kErrorNotAuthorized;

    QTest::newRow("owner disconnects")
        << kOwnerUid << "disconnect" << QString() << QStringList{control} << QString();
    QTest::newRow("owner refused control")
        << kOwnerUid << "disconnect" << control << QStringList{control} << denied;
    QTest::newRow("other disconnects")
        << kOtherUid << "disconnect" << QString() << QStringList{others} << QString();
    QTest::newRow("other refused")
        << kOtherUid << "disconnect" << others << QStringList{others} << denied;
    QTest::newRow("other holds control only")
        << kOtherUid << "disconnect" << others << QStringList{others} << denied;
    QTest::newRow("root disconnects")
        << 0u << "disconnect" << control << QStringList() << QString();
    QTest::newRow("owner sets peers")
        << kOwnerUid << "setPeers" << QString() << QStringList{control} << QString();
    QTest::newRow("other sets peers")
        << kOtherUid << "setPeers" << QString() << QStringList{others} << QString();
    QTest::newRow("other refused set peers")
        << kOtherUid << "setPeers" << others << QStringList{others} << denied;
    QTest::newRow("owner adds a default route, refused")
        << kOwnerUid << "setPeersFull" << privileged << QStringList{privileged} << denied;
    QTest::newRow("other adds a default route: both asked")
        << kOtherUid << "setPeersFull" << privileged << QStringList{others, privileged} << denied;
    QTest::newRow("other adds a default route, first refused: second not asked")
        << kOtherUid << "setPeersFull" << others << QStringList{others} << denied;
    QTest::newRow("connect full tunnel")
        << kOtherUid << "connectFull" << QString() << QStringList{privileged} << QString();
    QTest::newRow("connect full tunnel, refused")
        << kOtherUid << "connectFull" << privileged << QStringList{privileged} << denied;
    QTest::newRow("connect on port 443, refused")
        << kOtherUid << "connectLowPort" << privileged << QStringList{privileged} << denied;
    QTest::newRow("connect with control only: full tunnel refused")
        << kOwnerUid << "connectFull" << privileged << QStringList{privileged} << denied;
    QTest::newRow("details granted")
        << kOtherUid << "details" << QString() << QStringList{read} << QString();
    QTest::newRow("details refused")
        << kOtherUid << "details" << read << QStringList{read} << denied;
    QTest::newRow("owner reads own stats: no polkit")
        << kOwnerUid << "stats" << read << QStringList() << QString();
    QTest::newRow("other reads stats: refused without polkit")
        << kOtherUid << "stats" << QString() << QStringList() << denied;
}

// The owner connects "office"; then a caller makes one call: which actions the service asks
// for, and the answer.
void TestHelperService::actionsPerCaller()
{
    QFETCH(uint32_t, caller);
    QFETCH(QString, call);
    QFETCH(QString, refused);
    QFETCH(QStringList, asked);
    QFETCH(QString, errorName);
    std::unique_ptr<HelperClient> owner = clientAs(kOwnerUid);
    QDBusPendingReply<QString> up =
        owner->connectTunnel(QString::fromUtf8(serializeProfile(test::officeProfile())));
    awaitReply(up);
    QVERIFY2(!up.isError(), qPrintable(up.error().message()));
    QCOMPARE(m_auth->actions, QStringList{dbus::kControlAction});
    m_auth->actions.clear();
    if (!refused.isEmpty()) {
        m_auth->answers.insert(refused, Authorizer::Result::NotAuthorized);
    }

    std::unique_ptr<HelperClient> client = clientAs(caller);
    Profile next = test::officeProfile();
    next.peers[0].name = QStringLiteral("host-9");
    Profile lowPort = test::officeProfile(QStringLiteral("web"));
    lowPort.interface.name = QStringLiteral("flannel97");
    lowPort.interface.listen.port = 443;
    const QString office = QStringLiteral("office");
    QDBusPendingCall pending =
        call == QLatin1String("disconnect") ? QDBusPendingCall(client->disconnectTunnel(office))
        : call == QLatin1String("setPeers")
            ? QDBusPendingCall(client->setPeers(office, QString::fromUtf8(serializeProfile(next))))
        : call == QLatin1String("setPeersFull")
            ? QDBusPendingCall(client->setPeers(
                  office, QString::fromUtf8(serializeProfile(fullTunnelProfile()))))
        : call == QLatin1String("connectFull")
            ? QDBusPendingCall(
                  client->connectTunnel(QString::fromUtf8(serializeProfile(fullTunnelProfile()))))
        : call == QLatin1String("connectLowPort")
            ? QDBusPendingCall(client->connectTunnel(QString::fromUtf8(serializeProfile(lowPort))))
        : call == QLatin1String("details") ? QDBusPendingCall(client->authorizeDetails())
                                           : QDBusPendingCall(client->stats(office));
    const QDBusError error = callError(pending);
    QCOMPARE(m_auth->actions, asked);
    if (errorName.isEmpty()) {
        QVERIFY2(!error.isValid(), qPrintable(error.message()));
    } else {
        QCOMPARE(error.name(), errorName);
        if (!refused.isEmpty()) {
            QVERIFY2(error.message().contains(refused), qPrintable(error.message()));
        } else {
            QVERIFY2(error.message().contains(dbus::kReadAction), qPrintable(error.message()));
        }
    }
    if (call == QLatin1String("disconnect")) {
        QCOMPARE(m_fakes->alive, errorName.isEmpty() ? 0 : 1);
    }
}

// Signals reach every local user: no reason (it may name a caller or an endpoint), no per-peer
// counters, no log text.
void TestHelperService::signalsCarryOnlyWhatEveryoneMaySee()
{
    std::unique_ptr<HelperClient> owner = clientAs(kOwnerUid);
    std::unique_ptr<HelperClient> other = clientAs(kOtherUid);
    QSignalSpy states(other.get(), &HelperClient::stateChanged);
    QSignalSpy stats(other.get(), &HelperClient::statsUpdated);
    QSignalSpy entries(other.get(), &HelperClient::logEntry);
    awaitReply(owner->connectTunnel(QString::fromUtf8(serializeProfile(test::officeProfile()))));
    QTRY_COMPARE(states.count(), 2);
    for (const QList<QVariant>& s : std::as_const(states)) {
        QCOMPARE(s.at(2).toString(), QString());
    }
    m_fakes->stats.at("office").rxPackets = 7;
    QTRY_VERIFY_WITH_TIMEOUT(stats.count() >= 1, 5000);
    const QVariantMap totals = stats.last().first().value<QVariantMapList>().first();
    QVERIFY(!totals.contains(dbus::key::kPeers));
    QCOMPARE(totals.value(dbus::key::kRxPackets).toULongLong(), 7ull);
    QTRY_VERIFY(entries.count() >= 1);
    for (const QList<QVariant>& e : std::as_const(entries)) {
        const QVariantMap entry = e.first().toMap();
        QCOMPARE(entry.keys(), QStringList{dbus::key::kSeq});
    }
    // The owner reads the full counters.
    QDBusPendingReply<QVariantMap> full = owner->stats(QStringLiteral("office"));
    awaitReply(full);
    QVERIFY2(!full.isError(), qPrintable(full.error().message()));
    QVERIFY(HelperClient::toPlain(full.value()).contains(dbus::key::kPeers));
}

// ListTunnels and GetLog per caller; AuthorizeDetails grants one connection, not the uid.
void TestHelperService::readsShowWhatTheCallerMaySee()
{
    std::unique_ptr<HelperClient> owner = clientAs(kOwnerUid);
    std::unique_ptr<HelperClient> other = clientAs(kOtherUid);
    std::unique_ptr<HelperClient> otherAgain = clientAs(kOtherUid);
    awaitReply(owner->connectTunnel(QString::fromUtf8(serializeProfile(test::officeProfile()))));
    const auto list = [&](HelperClient& c) {
        QDBusPendingReply<QVariantMapList> r = c.listTunnels();
        awaitReply(r);
        return dbus::TunnelInfo::fromVariant(HelperClient::toPlain(r.value()).value(0));
    };
    const auto logTexts = [&](HelperClient& c) {
        QDBusPendingReply<QVariantMapList> r = c.log(0);
        awaitReply(r);
        QStringList tunnels;
        for (const QVariantMap& e : HelperClient::toPlain(r.value())) {
            tunnels << e.value(dbus::key::kTunnel).toString() + u':' +
                           e.value(dbus::key::kText).toString();
        }
        return tunnels.join(u'\n');
    };
    QCOMPARE(list(*owner).ownerUid, std::optional<quint32>(kOwnerUid));
    QVERIFY(!list(*owner).peers.isEmpty());
    QVERIFY(list(*other).detailsWithheld);
    QCOMPARE(list(*other).name, QStringLiteral("office"));
    QVERIFY(list(*other).peers.isEmpty());
    QVERIFY2(logTexts(*owner).contains(QStringLiteral("office:connected")),
             qPrintable(logTexts(*owner)));
    QVERIFY2(!logTexts(*other).contains(QStringLiteral("office:")), qPrintable(logTexts(*other)));
    QVERIFY2(!logTexts(*other).contains(QString::number(kOwnerUid)), qPrintable(logTexts(*other)));

    const QDBusError granted = callError(other->authorizeDetails());
    QVERIFY2(!granted.isValid(), qPrintable(granted.message()));
    QCOMPARE(list(*other).ownerUid, std::optional<quint32>(kOwnerUid));
    QVERIFY(logTexts(*other).contains(QStringLiteral("office:connected")));
    QDBusPendingReply<QVariantMap> stats = other->stats(QStringLiteral("office"));
    awaitReply(stats);
    QVERIFY2(!stats.isError(), qPrintable(stats.error().message()));
    QVERIFY(list(*otherAgain).detailsWithheld); // the grant is the connection's
}

QTEST_GUILESS_MAIN(TestHelperService)
#include "tst_helperservice.moc"
