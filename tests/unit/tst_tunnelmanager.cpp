// TunnelManager over fake tunnels (no root, no TUN device): its limits, named errors for what
// it refuses, the contract's payloads, and StatsUpdated at most twice a second and only when a
// counter changed.
#include "FakeTunnel.h"
#include "GuiTestProfiles.h"
#include "TunnelManager.h"

#include <QElapsedTimer>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

using namespace peertun;

namespace {

Profile profileNumber(int i)
{
    Profile p = test::officeProfile(QStringLiteral("t%1").arg(i));
    p.interface.name = QStringLiteral("pt%1").arg(i);
    return p;
}

} // namespace

class TestTunnelManager : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void connectAndDisconnect();
    void refusals_data();
    void refusals();
    void engineErrorsAreNamed_data();
    void engineErrorsAreNamed();
    void atMostMaxTunnels();
    void listAndStatsUseTheContract();
    void statsUpdatedOnlyOnChange();
    void statsUpdatedAtMostTwiceASecond();
    void logPagesAreBounded();
    void setPeersReplacesThePeers();
    void setPeersRefusals();
    void underlayChangeReachesEveryTunnel();
    void ownersSeeTheirTunnelsInFull();
    void logIsFilteredByOwnerAcrossANameChangingHands();

private:
    std::shared_ptr<FakeTunnels> m_fakes;
    std::unique_ptr<TunnelManager> m_manager;
};

void TestTunnelManager::init()
{
    m_manager.reset();
    m_fakes = std::make_shared<FakeTunnels>();
    m_manager = std::make_unique<TunnelManager>(fakeTunnelFactory(m_fakes));
}

void TestTunnelManager::connectAndDisconnect()
{
    QSignalSpy states(m_manager.get(), &TunnelManager::stateChanged);
    QVERIFY(!m_manager->connectTunnel(test::officeProfile(), QStringLiteral("test")));
    QCOMPARE(m_fakes->alive, 1);
    QCOMPARE(m_fakes->specs.at("office").ifName, std::string("flannel99"));
    QCOMPARE(states.count(), 2);
    QCOMPARE(states.at(0).at(1).toString(), dbus::stateName(dbus::TunnelState::Connecting));
    QCOMPARE(states.at(1).at(1).toString(), dbus::stateName(dbus::TunnelState::Connected));

    QVERIFY(!m_manager->disconnectTunnel(QStringLiteral("office"), QStringLiteral("test")));
    QCOMPARE(m_fakes->alive, 0);
    QCOMPARE(states.count(), 4);
    QCOMPARE(states.at(3).at(1).toString(), dbus::stateName(dbus::TunnelState::Disconnected));
    QCOMPARE(states.at(3).at(2).toString(), QStringLiteral("test"));
}

void TestTunnelManager::refusals_data()
{
    QTest::addColumn<bool>("sameName"); // else: another name on the same interface
    QTest::addColumn<QString>("errorName");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("same name") << true << dbus::kErrorAlreadyConnected << "office";
    QTest::newRow("same interface") << false << dbus::kErrorBusy << "flannel99";
}

void TestTunnelManager::refusals()
{
    QFETCH(bool, sameName);
    QFETCH(QString, errorName);
    QFETCH(QString, mentions);
    QVERIFY(!m_manager->connectTunnel(test::officeProfile(), QString()));
    Profile second =
        test::officeProfile(sameName ? QStringLiteral("office") : QStringLiteral("home"));
    if (sameName) {
        second.interface.name = QStringLiteral("other0");
    }
    QSignalSpy states(m_manager.get(), &TunnelManager::stateChanged);
    const auto failure = m_manager->connectTunnel(second, QString());
    QVERIFY(failure.has_value());
    QCOMPARE(failure->errorName, errorName);
    QVERIFY2(failure->message.contains(mentions), qPrintable(failure->message));
    QCOMPARE(states.count(), 0); // refused before anything started
    QCOMPARE(m_fakes->alive, 1);
    QCOMPARE(m_manager->tunnelCount(), 1);
}

void TestTunnelManager::engineErrorsAreNamed_data()
{
    using Kind = engine::TunnelError::Kind;
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("errorName");
    QTest::newRow("invalid") << int(Kind::InvalidConfig) << dbus::kErrorInvalidProfile;
    QTest::newRow("busy") << int(Kind::Busy) << dbus::kErrorBusy;
    QTest::newRow("address in use") << int(Kind::AddressInUse) << dbus::kErrorBusy;
    QTest::newRow("permission") << int(Kind::PermissionDenied) << dbus::kErrorFailed;
    QTest::newRow("failed") << int(Kind::Failed) << dbus::kErrorFailed;
}

void TestTunnelManager::engineErrorsAreNamed()
{
    QFETCH(int, kind);
    QFETCH(QString, errorName);
    m_fakes->failNext = engine::TunnelError(engine::TunnelError::Kind(kind), "port 8285 in use");
    QSignalSpy states(m_manager.get(), &TunnelManager::stateChanged);
    const auto failure = m_manager->connectTunnel(test::officeProfile(), QString());
    QVERIFY(failure.has_value());
    QCOMPARE(failure->errorName, errorName);
    QVERIFY2(failure->message.contains(QStringLiteral("port 8285 in use")),
             qPrintable(failure->message));
    QCOMPARE(states.last().at(1).toString(), dbus::stateName(dbus::TunnelState::Failed));
    QCOMPARE(m_manager->tunnelCount(), 0); // a failed tunnel is not kept
    QVERIFY(m_manager->tunnels().isEmpty());
}

void TestTunnelManager::atMostMaxTunnels()
{
    for (int i = 0; i < TunnelManager::kMaxTunnels; ++i) {
        const auto failure = m_manager->connectTunnel(profileNumber(i), QString());
        QVERIFY2(!failure, failure ? qPrintable(failure->message) : "");
    }
    const auto failure = m_manager->connectTunnel(profileNumber(99), QString());
    QVERIFY(failure.has_value());
    QCOMPARE(failure->errorName, dbus::kErrorBusy);
    QVERIFY2(failure->message.contains(QString::number(TunnelManager::kMaxTunnels)),
             qPrintable(failure->message));
    QCOMPARE(m_fakes->alive, TunnelManager::kMaxTunnels);
    m_manager->disconnectAll(QStringLiteral("test"));
    QCOMPARE(m_fakes->alive, 0);
    QCOMPARE(m_manager->tunnelCount(), 0);
}

void TestTunnelManager::listAndStatsUseTheContract()
{
    Profile wg = test::officeWireGuardProfile();
    QVERIFY(!m_manager->connectTunnel(wg, QString()));
    const QVariantMapList list = m_manager->tunnels();
    QCOMPARE(list.size(), 1);
    const dbus::TunnelInfo info = dbus::TunnelInfo::fromVariant(list.first());
    QCOMPARE(info.name, QStringLiteral("office"));
    QCOMPARE(info.state, dbus::TunnelState::Connected);
    QCOMPARE(info.mode, dbus::Mode::WireGuard);
    QCOMPARE(info.mtu, 1400);
    QCOMPARE(info.peers.size(), 1);
    QCOMPARE(info.peers.first().publicKey, wg.peers.first().publicKey);
    // Secrets never leave the helper, under no key.
    for (const QVariant& v : list.first()) {
        QVERIFY(!v.toString().contains(wg.interface.privateKey));
    }
    QVERIFY(!QVariant(list.first()).toString().contains(test::kNearPrivateKey));

    engine::TunnelStats& s = m_fakes->stats.at("office");
    s.txPackets = 5;
    s.drops[0] = 2;
    s.peers[0].rxBytes = 77;
    const auto map = m_manager->stats(QStringLiteral("office"));
    QVERIFY(map.has_value());
    const dbus::TunnelCounters c = dbus::TunnelCounters::fromVariant(*map);
    QCOMPARE(c.name, QStringLiteral("office"));
    QCOMPARE(c.txPackets, quint64(5));
    QCOMPARE(c.totalDrops, quint64(2));
    QCOMPARE(c.peers.size(), 1);
    QCOMPARE(c.peers.first().name, QStringLiteral("host-2"));
    QCOMPARE(c.peers.first().rxBytes, quint64(77));
    QVERIFY(!m_manager->stats(QStringLiteral("nobody")).has_value());
}

void TestTunnelManager::statsUpdatedOnlyOnChange()
{
    QVERIFY(!m_manager->connectTunnel(test::officeProfile(), QString()));
    QSignalSpy updates(m_manager.get(), &TunnelManager::statsUpdated);
    QTest::qWait(3 * TunnelManager::kStatsIntervalMs);
    QCOMPARE(updates.count(), 0); // nothing changed
    m_fakes->stats.at("office").rxPackets = 1;
    QTRY_COMPARE_WITH_TIMEOUT(updates.count(), 1, 5000);
    const QVariantMapList all = updates.first().first().value<QVariantMapList>();
    QCOMPARE(dbus::TunnelCounters::fromVariant(all.first()).rxPackets, quint64(1));
    QTest::qWait(3 * TunnelManager::kStatsIntervalMs);
    QCOMPARE(updates.count(), 1); // and not again until the next change
}

void TestTunnelManager::statsUpdatedAtMostTwiceASecond()
{
    QVERIFY(!m_manager->connectTunnel(test::officeProfile(), QString()));
    QSignalSpy updates(m_manager.get(), &TunnelManager::statsUpdated);
    // Counters change all the time (every 10 ms): the signal still comes at its own pace.
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 2000) {
        ++m_fakes->stats.at("office").txPackets;
        QTest::qWait(10);
    }
    const qint64 elapsed = clock.elapsed();
    QVERIFY2(updates.count() >= 1, "no StatsUpdated while counters changed");
    // At most one per interval (a timer fires no sooner than its interval).
    QVERIFY2(updates.count() <= elapsed / TunnelManager::kStatsIntervalMs,
             qPrintable(QStringLiteral("%1 updates in %2 ms").arg(updates.count()).arg(elapsed)));
}

void TestTunnelManager::logPagesAreBounded()
{
    for (int i = 0; i < 700; ++i) {
        m_manager->log(engine::LogLevel::Info, QString(), QStringLiteral("line %1").arg(i));
    }
    const QVariantMapList page = m_manager->logSince(0);
    QCOMPARE(page.size(), qsizetype(TunnelManager::kMaxLogEntriesPerCall));
    const dbus::LogRecord first = dbus::LogRecord::fromVariant(page.first());
    QCOMPARE(first.seq, quint64(1));
    QCOMPARE(first.level, dbus::LogLevel::Info);
    const dbus::LogRecord last = dbus::LogRecord::fromVariant(page.last());
    QCOMPARE(m_manager->logSince(last.seq).size(), qsizetype(200));
}

void TestTunnelManager::setPeersReplacesThePeers()
{
    QVERIFY(!m_manager->connectTunnel(test::officeProfile(), QStringLiteral("test")));
    QSignalSpy changed(m_manager.get(), &TunnelManager::peersChanged);
    Profile next = test::officeProfile();
    QString error;
    PeerConfig third;
    third.name = QStringLiteral("host-3");
    third.endpoint = *parseEndpoint(QStringLiteral("10.211.55.124:8285"), &error, false);
    third.subnets << *parseCidr(QStringLiteral("10.244.4.0/24"), &error, true);
    next.peers << third;
    QVERIFY(!m_manager->setPeers(QStringLiteral("office"), next, QStringLiteral("test")));
    QCOMPARE(m_fakes->peerChanges, 1);
    QCOMPARE(m_fakes->alive, 1); // the same tunnel, not a new one
    const auto& peers = m_fakes->specs.at("office").peers;
    QCOMPARE(peers.size(), size_t(2));
    QCOMPARE(peers[1].name, std::string("host-3"));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).toString(), QStringLiteral("office"));
    // ListTunnels tells the new peers.
    const QVariantMapList list = m_manager->tunnels();
    QCOMPARE(list.size(), 1);
    QCOMPARE(list[0].value(QStringLiteral("peers")).toList().size(), 2);
}

void TestTunnelManager::setPeersRefusals()
{
    QVERIFY(!m_manager->connectTunnel(test::officeProfile(), QStringLiteral("test")));
    QSignalSpy changed(m_manager.get(), &TunnelManager::peersChanged);
    auto missing =
        m_manager->setPeers(QStringLiteral("nope"), test::officeProfile(), QStringLiteral("test"));
    QVERIFY(missing);
    QCOMPARE(missing->errorName, dbus::kErrorNotFound);

    auto mode = m_manager->setPeers(QStringLiteral("office"), test::officeWireGuardProfile(),
                                    QStringLiteral("test"));
    QVERIFY(mode);
    QCOMPARE(mode->errorName, dbus::kErrorInvalidProfile);
    QVERIFY(mode->message.contains(QStringLiteral("takes a reconnect")));

    // The engine refuses: its sentence comes back under its kind's name, the peers stay.
    m_fakes->failNext =
        engine::TunnelError(engine::TunnelError::Kind::InvalidConfig, "two peers are named x");
    auto engineNo = m_manager->setPeers(QStringLiteral("office"), test::officeProfile(),
                                        QStringLiteral("test"));
    QVERIFY(engineNo);
    QCOMPARE(engineNo->errorName, dbus::kErrorInvalidProfile);
    QCOMPARE(engineNo->message, QStringLiteral("two peers are named x"));
    QCOMPARE(m_fakes->peerChanges, 0);
    QCOMPARE(changed.count(), 0);
}

void TestTunnelManager::underlayChangeReachesEveryTunnel()
{
    QVERIFY(!m_manager->connectTunnel(profileNumber(1), QString()));
    QVERIFY(!m_manager->connectTunnel(profileNumber(2), QString()));
    QSignalSpy updates(m_manager.get(), &TunnelManager::statsUpdated);
    m_manager->underlayChanged(QStringLiteral("resume from suspend"));
    QCOMPARE(m_fakes->underlayChanges,
             (std::vector<std::string>{"resume from suspend", "resume from suspend"}));

    // The engine's time of the change reaches both payloads, and StatsUpdated says it.
    m_fakes->stats.at("t1").networkChangedUnixMs = 1764590001000;
    QTRY_VERIFY_WITH_TIMEOUT(updates.count() >= 1, 5000);
    const auto map = m_manager->stats(QStringLiteral("t1"));
    QVERIFY(map.has_value());
    QCOMPARE(dbus::TunnelCounters::fromVariant(*map).networkChangedUnixMs, 1764590001000);
    bool found = false;
    for (const QVariantMap& t : m_manager->tunnels()) {
        const dbus::TunnelInfo info = dbus::TunnelInfo::fromVariant(t);
        if (info.name == QLatin1String("t1")) {
            QCOMPARE(info.networkChangedUnixMs, 1764590001000);
            found = true;
        } else {
            QCOMPARE(info.networkChangedUnixMs, 0);
        }
    }
    QVERIFY(found);
}

// The uid that connected a tunnel owns it: its list entry carries ownerUid for the owner and
// for a viewer that sees all; another uid gets name, state, mode and since only.
void TestTunnelManager::ownersSeeTheirTunnelsInFull()
{
    constexpr uint32_t kOwner = 1000;
    constexpr uint32_t kOther = 1001;
    QVERIFY(!m_manager->connectTunnel(test::officeProfile(), QStringLiteral("test"), kOwner));
    QCOMPARE(m_manager->ownerOf(QStringLiteral("office")), std::optional<uint32_t>(kOwner));
    QCOMPARE(m_manager->ownerOf(QStringLiteral("nobody")), std::optional<uint32_t>());

    const QVariantMapList own = m_manager->tunnels({kOwner, false});
    QCOMPARE(own.size(), qsizetype(1));
    const dbus::TunnelInfo mine = dbus::TunnelInfo::fromVariant(own.first());
    QVERIFY(!mine.detailsWithheld);
    QCOMPARE(mine.ownerUid, std::optional<quint32>(kOwner));
    QCOMPARE(mine.peers.size(), qsizetype(1));
    QCOMPARE(mine.interface, QStringLiteral("flannel99"));

    const QVariantMapList others = m_manager->tunnels({kOther, false});
    QCOMPARE(others.size(), qsizetype(1));
    const QVariantMap raw = others.first();
    QCOMPARE(QSet<QString>(raw.keyBegin(), raw.keyEnd()),
             (QSet<QString>{dbus::key::kName, dbus::key::kState, dbus::key::kMode,
                            dbus::key::kSinceUnixMs, dbus::key::kDetailsWithheld}));
    const dbus::TunnelInfo theirs = dbus::TunnelInfo::fromVariant(raw);
    QVERIFY(theirs.detailsWithheld);
    QCOMPARE(theirs.name, QStringLiteral("office"));
    QCOMPARE(theirs.state, dbus::TunnelState::Connected);
    QVERIFY(!theirs.ownerUid.has_value());
    QVERIFY(theirs.peers.isEmpty());

    const dbus::TunnelInfo admin =
        dbus::TunnelInfo::fromVariant(m_manager->tunnels({kOther, true}).first());
    QVERIFY(!admin.detailsWithheld);
    QCOMPARE(admin.ownerUid, std::optional<quint32>(kOwner));
}

// A tunnel's entries are its owner's at the time they were written; entries about a uid are
// that uid's; helper-wide entries about no one are everyone's.
void TestTunnelManager::logIsFilteredByOwnerAcrossANameChangingHands()
{
    constexpr uint32_t kFirst = 1000;
    constexpr uint32_t kSecond = 1001;
    constexpr uint32_t kStranger = 1002;
    m_manager->log(engine::LogLevel::Info, QString(), QStringLiteral("helper started"));
    m_manager->log(engine::LogLevel::Warning, QString(), QStringLiteral("Connect denied to 1002"),
                   kStranger);
    QVERIFY(!m_manager->connectTunnel(test::officeProfile(), QStringLiteral("first"), kFirst));
    m_manager->log(engine::LogLevel::Info, QStringLiteral("office"), QStringLiteral("first's"));
    QVERIFY(!m_manager->disconnectTunnel(QStringLiteral("office"), QStringLiteral("bye")));
    QVERIFY(!m_manager->connectTunnel(test::officeProfile(), QStringLiteral("second"), kSecond));
    m_manager->log(engine::LogLevel::Info, QStringLiteral("office"), QStringLiteral("second's"));

    const auto texts = [&](TunnelManager::Viewer viewer) {
        QStringList out;
        for (const QVariantMap& e : m_manager->logSince(0, viewer)) {
            out << dbus::LogRecord::fromVariant(e).text;
        }
        return out;
    };
    const QStringList first = texts({kFirst, false});
    const QStringList second = texts({kSecond, false});
    const QStringList stranger = texts({kStranger, false});
    const QStringList all = texts({kStranger, true});
    QVERIFY2(first.contains(QStringLiteral("helper started")), qPrintable(first.join('|')));
    QVERIFY(first.contains(QStringLiteral("first's")));
    QVERIFY(first.contains(QStringLiteral("disconnected"))); // its own tunnel going
    QVERIFY(!first.contains(QStringLiteral("second's")));
    QVERIFY(!first.contains(QStringLiteral("Connect denied to 1002")));
    QVERIFY(second.contains(QStringLiteral("second's")));
    QVERIFY(!second.contains(QStringLiteral("first's")));
    QVERIFY(!second.contains(QStringLiteral("disconnected")));
    QCOMPARE(stranger, (QStringList{QStringLiteral("helper started"),
                                    QStringLiteral("Connect denied to 1002")}));
    QVERIFY(all.contains(QStringLiteral("first's")) && all.contains(QStringLiteral("second's")));
    QCOMPARE(all.size(), m_manager->logSince(0).size());
}

QTEST_GUILESS_MAIN(TestTunnelManager)
#include "tst_tunnelmanager.moc"
