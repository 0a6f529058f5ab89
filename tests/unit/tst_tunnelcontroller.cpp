// TunnelController against FakeHelper (no bus, no root): what an edit takes (editEffect: live
// peers, reconnect or nothing), a live peer change and its outcome, the reconnect offer after
// an edit of a running tunnel's profile, through a refused disconnect, a rename and a delete;
// and the
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

Q_DECLARE_METATYPE(peertun::Profile)

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
    void editEffect_data();
    void editEffect();
    void livePeersAppliedWithoutAnOffer();
    void livePeersRefusedSaysWhy();
    void liveOnlyWhenUpAndNotOffered();
    void abandonedLiveChangeThatLandsOffersReconnect();
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

namespace {
Cidr cidr(const char* text)
{
    return *parseCidr(QString::fromLatin1(text), nullptr, true);
}
Endpoint endpoint(const char* text)
{
    return *parseEndpoint(QString::fromLatin1(text), nullptr, true);
}
PeerConfig thirdHost()
{
    PeerConfig peer;
    peer.name = QStringLiteral("host-3");
    peer.endpoint = endpoint("10.211.55.124:8285");
    peer.subnets << cidr("10.244.4.0/24");
    return peer;
}
Profile meshOf(const Profile& p)
{
    Profile mesh = p;
    mesh.interface.address = Cidr();
    mesh.peers.clear();
    mesh.mesh = test::meshAt(QStringLiteral("http://10.0.0.1:2379"));
    return mesh;
}
} // namespace

// Every change a profile can get, and what it takes of a running tunnel.
void TestTunnelController::editEffect_data()
{
    using Effect = TunnelController::EditEffect;
    QTest::addColumn<Profile>("before");
    QTest::addColumn<Profile>("after");
    QTest::addColumn<int>("effect");
    const Profile office = test::officeProfile();
    const Profile wg = test::officeWireGuardProfile();
    const auto change = [](Profile p, const auto& f) {
        f(p);
        return p;
    };
    QTest::newRow("same") << office << office << int(Effect::Nothing);
    QTest::newRow("peer added") << office
                                << change(office, [](Profile& p) { p.peers << thirdHost(); })
                                << int(Effect::LivePeers);
    QTest::newRow("peer removed") << change(office, [](Profile& p) { p.peers << thirdHost(); })
                                  << office << int(Effect::LivePeers);
    QTest::newRow("peer endpoint") << office << change(office, [](Profile& p) {
        p.peers[0].endpoint = endpoint("10.211.55.200:8285");
    }) << int(Effect::LivePeers);
    QTest::newRow("peer subnet") << office << change(office, [](Profile& p) {
        p.peers[0].subnets << cidr("10.250.0.0/16");
    }) << int(Effect::LivePeers);
    QTest::newRow("peer renamed") << office << change(office, [](Profile& p) {
        p.peers[0].name = QStringLiteral("renamed");
    }) << int(Effect::LivePeers);
    QTest::newRow("wireguard keepalive")
        << wg << change(wg, [](Profile& p) { p.peers[0].persistentKeepalive = 25; })
        << int(Effect::LivePeers);
    QTest::newRow("wireguard peer key") << wg << change(wg, [](Profile& p) {
        p.peers[0].publicKey = test::publicKeyOf(test::kNearPrivateKey);
    }) << int(Effect::LivePeers);
    QTest::newRow("default route added")
        << office << change(office, [](Profile& p) { p.peers[0].subnets << cidr("0.0.0.0/0"); })
        << int(Effect::Reconnect);
    QTest::newRow("v6 default route added")
        << office << change(office, [](Profile& p) { p.peers[0].subnets << cidr("::/0"); })
        << int(Effect::Reconnect);
    const Profile full =
        change(office, [](Profile& p) { p.peers[0].subnets << cidr("0.0.0.0/0"); });
    QTest::newRow("default route moves to a new peer") << full << change(full, [](Profile& p) {
        p.peers[0].subnets.removeLast();
        p.peers << thirdHost();
        p.peers[1].subnets << cidr("0.0.0.0/0");
    }) << int(Effect::LivePeers);
    QTest::newRow("address") << office << change(office, [](Profile& p) {
        p.interface.address = *parseCidr(QStringLiteral("10.244.2.3/24"), nullptr, false);
    }) << int(Effect::Reconnect);
    QTest::newRow("mtu") << office << change(office, [](Profile& p) { p.interface.mtu = 1400; })
                         << int(Effect::Reconnect);
    QTest::newRow("listen") << office << change(office, [](Profile& p) {
        p.interface.listen = endpoint(":9000");
    }) << int(Effect::Reconnect);
    QTest::newRow("interface name")
        << office << change(office, [](Profile& p) { p.interface.name = QStringLiteral("other0"); })
        << int(Effect::Reconnect);
    QTest::newRow("mode") << office << wg << int(Effect::Reconnect);
    QTest::newRow("private key") << wg << change(wg, [](Profile& p) {
        p.interface.privateKey = test::kFarPrivateKey;
    }) << int(Effect::Reconnect);
    QTest::newRow("dns") << office << change(office, [](Profile& p) {
        p.interface.dns.servers << QHostAddress(QStringLiteral("10.244.3.1"));
    }) << int(Effect::Reconnect);
    QTest::newRow("kill switch") << office << change(office, [](Profile& p) {
        p.interface.killSwitch = true;
    }) << int(Effect::Reconnect);
    QTest::newRow("peers and mtu") << office << change(office, [](Profile& p) {
        p.peers << thirdHost();
        p.interface.mtu = 1400;
    }) << int(Effect::Reconnect);
    QTest::newRow("name") << office << test::officeProfile(QStringLiteral("branch"))
                          << int(Effect::Reconnect);
    QTest::newRow("fixed to mesh") << office << meshOf(office) << int(Effect::Reconnect);
    QTest::newRow("mesh to fixed") << meshOf(office) << office << int(Effect::Reconnect);
    QTest::newRow("mesh etcd") << meshOf(office) << change(meshOf(office), [](Profile& p) {
        p.mesh->etcd << QStringLiteral("http://10.0.0.2:2379");
    }) << int(Effect::Reconnect);
    QTest::newRow("mesh same") << meshOf(office) << meshOf(office) << int(Effect::Nothing);
}

void TestTunnelController::editEffect()
{
    QFETCH(Profile, before);
    QFETCH(Profile, after);
    QFETCH(int, effect);
    QCOMPARE(int(TunnelController::editEffect(before, after)), effect);
}

void TestTunnelController::livePeersAppliedWithoutAnOffer()
{
    const Profile before = *m_store->find(QStringLiteral("office"))->profile;
    m_helper->setState(QStringLiteral("office"), TunnelState::Connected);
    Profile after = before;
    after.peers << thirdHost();
    QVERIFY(m_controller->appliesLive(before, after));
    QSignalSpy applied(m_controller.get(), &TunnelController::peersApplied);
    m_controller->applyPeers(after);
    QCOMPARE(m_helper->calls, QStringList{QStringLiteral("set-peers office")});
    QCOMPARE(m_helper->peersSetWith.last(), after);
    QCOMPARE(applied.count(), 0); // until the helper answers
    m_helper->answerSetPeers(QStringLiteral("office"));
    QCOMPARE(applied.count(), 1);
    QCOMPARE(applied.first().at(1).toBool(), true);
    QString error;
    QVERIFY2(m_store->save(after, before.name, &error), qPrintable(error));
    m_controller->profileEdited(before, after);
    QVERIFY(!m_controller->reconnectOffer()); // the tunnel runs what was saved
    QCOMPARE(m_helper->calls.size(), 1);      // no disconnect, no connect
    // A later edit that needs a reconnect still gets the offer.
    m_controller->profileEdited(after, edited(after));
    QVERIFY(m_controller->reconnectOffer());
}

void TestTunnelController::livePeersRefusedSaysWhy()
{
    const Profile before = *m_store->find(QStringLiteral("office"))->profile;
    m_helper->setState(QStringLiteral("office"), TunnelState::Connected);
    Profile after = before;
    after.peers << thirdHost();
    QSignalSpy applied(m_controller.get(), &TunnelController::peersApplied);
    m_controller->applyPeers(after);
    m_helper->answerSetPeers(QStringLiteral("office"), QStringLiteral("io.peertun.Error.Busy"),
                             QStringLiteral("The route to 10.244.4.0/24 is held by eth1."));
    QCOMPARE(applied.count(), 1);
    QCOMPARE(applied.first().at(1).toBool(), false);
    QCOMPARE(applied.first().at(2).toString(),
             QStringLiteral("The route to 10.244.4.0/24 is held by eth1. (Busy)"));
    // An answer nobody here asked for (peertunctl set-peers) is not ours to report.
    m_helper->answerSetPeers(QStringLiteral("office"));
    QCOMPARE(applied.count(), 1);
}

void TestTunnelController::liveOnlyWhenUpAndNotOffered()
{
    const Profile before = *m_store->find(QStringLiteral("office"))->profile;
    Profile after = before;
    after.peers << thirdHost();
    QVERIFY(!m_controller->appliesLive(before, after)); // down: nothing to apply to
    m_helper->setState(QStringLiteral("office"), TunnelState::Connected);
    QVERIFY(m_controller->appliesLive(before, after));
    // An edit that needs a reconnect is pending: the tunnel runs older settings than `before`,
    // so the peers alone would not bring it to the saved profile.
    m_controller->profileEdited(before, edited(before));
    QVERIFY(m_controller->reconnectOffer());
    QVERIFY(!m_controller->appliesLive(edited(before), after));
}

void TestTunnelController::abandonedLiveChangeThatLandsOffersReconnect()
{
    const Profile before = *m_store->find(QStringLiteral("office"))->profile;
    m_helper->setState(QStringLiteral("office"), TunnelState::Connected);
    Profile after = before;
    after.peers << thirdHost();
    QSignalSpy applied(m_controller.get(), &TunnelController::peersApplied);
    // Refused after the editor closed: nothing changed, nothing to offer.
    m_controller->applyPeers(after);
    m_controller->abandonPeers(QStringLiteral("office"));
    m_helper->answerSetPeers(QStringLiteral("office"), QStringLiteral("io.peertun.Error.Busy"),
                             QStringLiteral("busy"));
    QVERIFY(!m_controller->reconnectOffer());
    // Taken after the editor closed unsaved: the tunnel runs unsaved peers; offer the saved.
    m_controller->applyPeers(after);
    m_controller->abandonPeers(QStringLiteral("office"));
    m_helper->answerSetPeers(QStringLiteral("office"));
    QCOMPARE(applied.count(), 0);
    QVERIFY(m_controller->reconnectOffer());
    QCOMPARE(m_controller->reconnectOffer()->saved, QStringLiteral("office"));
    // A new apply is waited for again.
    m_controller->dismissReconnect();
    m_controller->applyPeers(after);
    m_helper->answerSetPeers(QStringLiteral("office"));
    QCOMPARE(applied.count(), 1);
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
