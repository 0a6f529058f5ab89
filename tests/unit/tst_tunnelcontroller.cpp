// TunnelController against FakeHelper (no bus, no root): the reconnect offer after an edit of a
// running tunnel's profile, through a refused disconnect, a rename and a delete; and the
// wg-quick import flow's outcomes, fixable or not, decided from structured errors.
#include "FakeHelper.h"
#include "GuiTestProfiles.h"
#include "ProfileStore.h"
#include "TunnelController.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace peertun;
using dbus::TunnelState;

namespace {

const char kPrivate[] = "aBy4JGXWUWH/M1bspC9wiHhBXR9v+2aP5VPKplXFIVw=";
const char kPeerPublic[] = "G++urO4Rrc3etDK5kSLX4dUUfJTkerYXTFSKupLMSy0=";

QByteArray wgQuick(const QByteArray& privateKeyLine, const QByteArray& extra = {})
{
    return "[Interface]\n" + privateKeyLine + "\nAddress = 10.244.2.2/24\nListenPort = 51820\n" +
           extra + "\n[Peer]\nPublicKey = " + kPeerPublic +
           "\nAllowedIPs = 10.244.3.0/24\nEndpoint = 10.211.55.123:51820\n";
}

} // namespace

class TestTunnelController : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void connectOrDisconnectFollowsTheState();
    void offerAfterEditingARunningTunnel();
    void noOfferWhenDownOrUnchanged();
    void offerComesBackAfterARefusedDisconnect();
    void offerFollowsARename();
    void offerDroppedOnDelete();
    void offerDroppedWhenTheTunnelGoesDownByItself();
    void importWgQuick_data();
    void importWgQuick();
    void importKeepsExistingProfiles();
    void fixableOnlyForValidatorErrors();
    void fullTunnelImportsWithTheKillSwitch_data();
    void fullTunnelImportsWithTheKillSwitch();

private:
    Profile edited(const Profile& p) const;

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ProfileStore> m_store;
    std::unique_ptr<FakeHelper> m_helper;
    std::unique_ptr<TunnelController> m_controller;
};

void TestTunnelController::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_store = std::make_unique<ProfileStore>(m_dir->path());
    m_helper = std::make_unique<FakeHelper>();
    m_controller = std::make_unique<TunnelController>(m_store.get(), m_helper.get());
    QString error;
    QVERIFY2(m_store->save(test::officeProfile(), QString(), &error), qPrintable(error));
}

void TestTunnelController::cleanup()
{
    m_controller.reset();
    m_helper.reset();
    m_store.reset();
    m_dir.reset();
}

Profile TestTunnelController::edited(const Profile& p) const
{
    Profile after = p;
    after.interface.mtu = 1400;
    return after;
}

void TestTunnelController::connectOrDisconnectFollowsTheState()
{
    m_controller->connectOrDisconnect(QStringLiteral("office"));
    QCOMPARE(m_helper->calls, QStringList{QStringLiteral("connect office")});
    m_controller->connectOrDisconnect(QStringLiteral("office")); // pending: nothing
    QCOMPARE(m_helper->calls.size(), 1);
    m_helper->setState(QStringLiteral("office"), TunnelState::Connected);
    m_controller->connectOrDisconnect(QStringLiteral("office"));
    QCOMPARE(m_helper->calls.last(), QStringLiteral("disconnect office"));
    m_controller->connectOrDisconnect(QStringLiteral("nobody")); // no profile: nothing
    QCOMPARE(m_helper->calls.size(), 2);
    // A blocked tunnel (a killed helper's kill switch still on): the button lifts it, it does
    // not connect over it.
    m_helper->setState(QStringLiteral("office"), TunnelState::Blocked);
    m_controller->connectOrDisconnect(QStringLiteral("office"));
    QCOMPARE(m_helper->calls.last(), QStringLiteral("disconnect office"));
    QCOMPARE(m_helper->calls.size(), 3);
}

void TestTunnelController::offerAfterEditingARunningTunnel()
{
    const Profile before = *m_store->find(QStringLiteral("office"))->profile;
    m_helper->setState(QStringLiteral("office"), TunnelState::Connected);
    QSignalSpy changed(m_controller.get(), &TunnelController::reconnectOfferChanged);
    const Profile after = edited(before);
    QString error;
    QVERIFY2(m_store->save(after, before.name, &error), qPrintable(error));
    m_controller->profileEdited(before, after);

    QVERIFY(m_controller->reconnectOffer().has_value());
    QCOMPARE(m_controller->reconnectOffer()->running, QStringLiteral("office"));
    QCOMPARE(m_controller->reconnectOffer()->saved, QStringLiteral("office"));
    QVERIFY(!m_controller->reconnectOffer()->reconnecting);
    QCOMPARE(changed.count(), 1);
    QVERIFY(m_helper->logLines.last().contains(QStringLiteral("runs the old settings")));

    m_controller->reconnect();
    QVERIFY(m_controller->reconnectOffer()->reconnecting);
    QCOMPARE(m_helper->calls.last(), QStringLiteral("disconnect office"));
    m_controller->reconnect(); // taken already: no second disconnect
    QCOMPARE(m_helper->calls.size(), 1);

    m_helper->setState(QStringLiteral("office"), TunnelState::Disconnecting);
    QVERIFY(m_controller->reconnectOffer().has_value());
    m_helper->setState(QStringLiteral("office"), TunnelState::Disconnected);
    QVERIFY(!m_controller->reconnectOffer().has_value());
    QCOMPARE(m_helper->calls.last(), QStringLiteral("connect office"));
    QCOMPARE(m_helper->connected.last().interface.mtu, std::optional<int>(1400)); // saved ones
}

void TestTunnelController::noOfferWhenDownOrUnchanged()
{
    const Profile before = *m_store->find(QStringLiteral("office"))->profile;
    m_controller->profileEdited(before, edited(before)); // down: nothing runs old settings
    QVERIFY(!m_controller->reconnectOffer());
    m_helper->setState(QStringLiteral("office"), TunnelState::Connected);
    m_controller->profileEdited(before, before); // saved without a change
    QVERIFY(!m_controller->reconnectOffer());
    QVERIFY(m_helper->calls.isEmpty());
}

void TestTunnelController::offerComesBackAfterARefusedDisconnect()
{
    const Profile before = *m_store->find(QStringLiteral("office"))->profile;
    m_helper->setState(QStringLiteral("office"), TunnelState::Connected);
    m_controller->profileEdited(before, edited(before));
    m_controller->reconnect();
    QVERIFY(m_controller->reconnectOffer()->reconnecting);
    QSignalSpy changed(m_controller.get(), &TunnelController::reconnectOfferChanged);
    m_helper->refuse(QStringLiteral("office")); // polkit said no: still connected
    QVERIFY(m_controller->reconnectOffer().has_value());
    QVERIFY(!m_controller->reconnectOffer()->reconnecting);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(m_helper->calls, QStringList{QStringLiteral("disconnect office")}); // no connect
    m_controller->reconnect(); // offered again, so it can be taken again
    QCOMPARE(m_helper->calls.size(), 2);
}

void TestTunnelController::offerFollowsARename()
{
    const Profile before = *m_store->find(QStringLiteral("office"))->profile;
    m_helper->setState(QStringLiteral("office"), TunnelState::Connected);
    Profile renamed = before;
    renamed.name = QStringLiteral("branch");
    QString error;
    QVERIFY2(m_store->save(renamed, before.name, &error), qPrintable(error));
    m_controller->profileRenamed(before.name, renamed.name);
    QCOMPARE(m_controller->reconnectOffer()->running, QStringLiteral("office"));
    QCOMPARE(m_controller->reconnectOffer()->saved, QStringLiteral("branch"));
    QCOMPARE(m_controller->runningTunnelFor(QStringLiteral("branch")), QStringLiteral("office"));

    // An edit of the renamed profile keeps leading from the running tunnel.
    const Profile after = edited(renamed);
    QVERIFY2(m_store->save(after, renamed.name, &error), qPrintable(error));
    m_controller->profileEdited(renamed, after);
    QCOMPARE(m_controller->reconnectOffer()->running, QStringLiteral("office"));

    m_controller->reconnect();
    QCOMPARE(m_helper->calls.last(), QStringLiteral("disconnect office"));
    m_helper->setState(QStringLiteral("office"), TunnelState::Disconnected);
    QCOMPARE(m_helper->calls.last(), QStringLiteral("connect branch"));
    QVERIFY(!m_controller->reconnectOffer());
}

void TestTunnelController::offerDroppedOnDelete()
{
    const Profile before = *m_store->find(QStringLiteral("office"))->profile;
    m_helper->setState(QStringLiteral("office"), TunnelState::Connected);
    m_controller->profileEdited(before, edited(before));
    QVERIFY(m_controller->reconnectOffer());
    QString error;
    QVERIFY2(m_store->remove(before.name, &error), qPrintable(error));
    m_controller->profileDeleted(before.name);
    QVERIFY(!m_controller->reconnectOffer());
    QVERIFY(m_helper->logLines.last().contains(QStringLiteral("stays up")));
    QVERIFY(m_helper->calls.isEmpty()); // deleting never takes a tunnel down
}

void TestTunnelController::offerDroppedWhenTheTunnelGoesDownByItself()
{
    const Profile before = *m_store->find(QStringLiteral("office"))->profile;
    m_helper->setState(QStringLiteral("office"), TunnelState::Connected);
    m_controller->profileEdited(before, edited(before));
    m_helper->setState(QStringLiteral("office"), TunnelState::Failed);
    QVERIFY(!m_controller->reconnectOffer());
    QVERIFY(m_helper->calls.isEmpty()); // not taken: no reconnect
}

void TestTunnelController::importWgQuick_data()
{
    using Outcome = TunnelController::WgImport::Outcome;
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<int>("outcome");
    QTest::addColumn<QString>("mentions"); // in an error line, or the imported name

    const QByteArray key = QByteArray("PrivateKey = ") + kPrivate;
    QTest::newRow("valid") << wgQuick(key) << int(Outcome::Imported) << "phone";
    QTest::newRow("unsupported key is a note")
        << wgQuick(key, "DNS = 1.1.1.1") << int(Outcome::Imported) << "phone";
    QTest::newRow("missing private key: fixable")
        << wgQuick(QByteArray()) << int(Outcome::Fixable) << "interface.privateKey";
    QTest::newRow("bad private key: fixable")
        << wgQuick("PrivateKey = abc") << int(Outcome::Fixable) << "interface.privateKey";
    QTest::newRow("line without '=': unfixable")
        << wgQuick(key, "garbage") << int(Outcome::Unfixable) << "line";
    QTest::newRow("no [Interface]: unfixable")
        << QByteArray("PrivateKey = x\n") << int(Outcome::Unfixable) << "line";
}

void TestTunnelController::importWgQuick()
{
    QFETCH(QByteArray, text);
    QFETCH(int, outcome);
    QFETCH(QString, mentions);
    using Outcome = TunnelController::WgImport::Outcome;
    QTemporaryDir files;
    const QString path = files.filePath(QStringLiteral("phone.conf"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(text);
    f.close();

    const TunnelController::WgImport r = m_controller->importWgQuickFile(path);
    QCOMPARE(int(r.outcome), outcome);
    if (r.outcome == Outcome::Imported) {
        QCOMPARE(r.profileName, mentions);
        QVERIFY(m_store->find(mentions) != nullptr);
        QVERIFY(r.errors.isEmpty());
    } else {
        QVERIFY2(r.errors.join(u'\n').contains(mentions), qPrintable(r.errors.join(u'\n')));
        QVERIFY(m_store->find(QStringLiteral("phone")) == nullptr); // nothing saved
    }
    if (r.outcome == Outcome::Fixable) {
        QCOMPARE(r.draft.name, QStringLiteral("phone"));
        QCOMPARE(r.draft.mode, TunnelMode::WireGuard);
        QCOMPARE(r.draft.peers.size(), 1);
    }
}

void TestTunnelController::importKeepsExistingProfiles()
{
    using Outcome = TunnelController::WgImport::Outcome;
    QTemporaryDir files;
    const QString path = files.filePath(QStringLiteral("office.conf")); // "office" exists
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(wgQuick(QByteArray("PrivateKey = ") + kPrivate));
    f.close();
    const TunnelController::WgImport r = m_controller->importWgQuickFile(path);
    QCOMPARE(r.outcome, Outcome::Imported);
    QVERIFY(r.profileName != QStringLiteral("office"));
    QVERIFY(r.notes.first().contains(r.profileName));
    QCOMPARE(m_store->find(QStringLiteral("office"))->profile->mode, TunnelMode::Plain);

    const TunnelController::WgImport missing =
        m_controller->importWgQuickFile(files.filePath(QStringLiteral("none.conf")));
    QCOMPARE(missing.outcome, Outcome::Unreadable);
    QVERIFY(!missing.error.isEmpty());
}

void TestTunnelController::fixableOnlyForValidatorErrors()
{
    ProfileError validator{QStringLiteral("interface.address"), QStringLiteral("x")};
    ProfileError syntax{QStringLiteral("line 3"), QStringLiteral("x")};
    syntax.origin = ProfileError::Origin::Syntax;
    // A translated field name must not matter: only where the error came from does.
    ProfileError unnamed{QString(), QStringLiteral("x")};
    QVERIFY(TunnelController::fixable({validator}));
    QVERIFY(TunnelController::fixable({validator, unnamed}));
    QVERIFY(!TunnelController::fixable({validator, syntax}));
    QVERIFY(!TunnelController::fixable({}));
}

void TestTunnelController::fullTunnelImportsWithTheKillSwitch_data()
{
    QTest::addColumn<QByteArray>("allowedIps");
    QTest::addColumn<QByteArray>("endpoint");
    QTest::addColumn<bool>("killSwitch");
    QTest::newRow("provider's full tunnel")
        << QByteArray("0.0.0.0/0, ::/0") << QByteArray("vpn.example.net:51820") << true;
    QTest::newRow("IPv4 only") << QByteArray("0.0.0.0/0") << QByteArray("10.211.55.123:51820")
                               << true;
    QTest::newRow("split tunnel") << QByteArray("10.244.3.0/24")
                                  << QByteArray("vpn.example.net:51820") << false;
    // Nobody to connect to: the switch would cut the host off (the validator refuses it).
    QTest::newRow("full tunnel without endpoint")
        << QByteArray("0.0.0.0/0") << QByteArray() << false;
}

void TestTunnelController::fullTunnelImportsWithTheKillSwitch()
{
    QFETCH(QByteArray, allowedIps);
    QFETCH(QByteArray, endpoint);
    QFETCH(bool, killSwitch);
    QTemporaryDir files;
    const QString path = files.filePath(QStringLiteral("vpn.conf"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray("[Interface]\nPrivateKey = ") + kPrivate +
            "\nAddress = 10.66.0.2/32\nDNS = 10.2.0.1\n\n[Peer]\nPublicKey = " + kPeerPublic +
            "\nAllowedIPs = " + allowedIps +
            (endpoint.isEmpty() ? QByteArray() : "\nEndpoint = " + endpoint) + "\n");
    f.close();
    const TunnelController::WgImport r = m_controller->importWgQuickFile(path);
    QCOMPARE(int(r.outcome), int(TunnelController::WgImport::Outcome::Imported));
    QCOMPARE(r.killSwitchProposed, killSwitch);
    const StoredProfile* stored = m_store->find(r.profileName);
    QVERIFY(stored != nullptr && stored->ok());
    QCOMPARE(stored->profile->interface.killSwitch, killSwitch);
    QCOMPARE(stored->profile->interface.dns.servers.size(), 1);
    QCOMPARE(m_helper->logLines.join('\n').contains(QStringLiteral("kill switch is on")),
             killSwitch);
}

QTEST_GUILESS_MAIN(TestTunnelController)
#include "tst_tunnelcontroller.moc"
