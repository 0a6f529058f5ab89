// Owners and the polkit actions, end to end: the real helper, bus-activated on the harness's
// private system bus, a real polkitd with the shipped policy and the harness's test rules, and
// peertunctl run as the test users: an owner and another user (io.peertun.control only), an
// admin-group member (every action), a denied user (none) and a member of the shipped netdev
// rule's group. Each action is allowed and refused for the right users; reads show each user
// what it may see.
#include "DBusContract.h"
#include "DBusHarness.h"
#include "HelperClient.h"
#include "TestProfiles.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>
#include <grp.h>
#include <pwd.h>

using namespace peertun;
using namespace peertun::test;

class TestDBusOwners : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void ownerConnectsAndControlsOwnTunnel();
    void othersSeeNamesAndStatesOnly();
    void detailsNeedTheReadAction();
    void anotherUsersTunnelNeedsControlOthers();
    void fullTunnelAndLowPortNeedThePrivilegedAction();
    void netdevRuleGrantsControlOnly();
    void broadcastsCarryNoDetails();

private:
    bool linkExists(const QString& ifName)
    {
        return m_harness.ipNs1({"link", "show", ifName}).exitCode == 0;
    }
    static uint uidOf(const QString& user)
    {
        const passwd* pw = getpwnam(user.toLocal8Bit().constData());
        return pw ? pw->pw_uid : 0;
    }
    QString writeProfile(const TunnelParams& p)
    {
        return m_harness.writeFile(p.name + QStringLiteral(".json"), profileJson(p));
    }
    void expectRefused(const CommandResult& r, const QString& action)
    {
        QVERIFY2(r.exitCode == 3, qPrintable(r.describe()));
        QVERIFY2(r.err.contains(dbus::kErrorNotAuthorized) && r.err.contains(action),
                 qPrintable(r.describe()));
    }

    // The owner's tunnel; its peer's endpoint is what others must not see.
    const TunnelParams m_own{QStringLiteral("own"),
                             QStringLiteral("ptown"),
                             QStringLiteral("10.244.51.1/24"),
                             8401,
                             QStringLiteral("10.211.55.123:8402"),
                             QStringLiteral("10.244.52.0/24")};
    DBusHarness m_harness;
    std::unique_ptr<HelperClient> m_client; // root
    std::unique_ptr<QSignalSpy> m_states;
    std::unique_ptr<QSignalSpy> m_stats;
    std::unique_ptr<QSignalSpy> m_entries;
};

void TestDBusOwners::initTestCase()
{
    QString error;
    if (!m_harness.setUp(&error)) {
        QFAIL(qPrintable(error));
    }
    m_client = std::make_unique<HelperClient>(m_harness.bus());
    m_states = std::make_unique<QSignalSpy>(m_client.get(), &HelperClient::stateChanged);
    m_stats = std::make_unique<QSignalSpy>(m_client.get(), &HelperClient::statsUpdated);
    m_entries = std::make_unique<QSignalSpy>(m_client.get(), &HelperClient::logEntry);
}

void TestDBusOwners::cleanupTestCase()
{
    m_states.reset();
    m_stats.reset();
    m_entries.reset();
    m_client.reset();
    m_harness.tearDown();
    // The harness's users and groups are gone with it.
    for (const QString& user : {kOwnerUser, kOtherUser, kAdminUser, kDeniedUser}) {
        QVERIFY2(getpwnam(user.toLocal8Bit().constData()) == nullptr, qPrintable(user));
    }
    QVERIFY(getgrnam(kAdminGroup.toLocal8Bit().constData()) == nullptr);
}

void TestDBusOwners::ownerConnectsAndControlsOwnTunnel()
{
    CommandResult r = m_harness.runCtl(kOwnerUser, {"up", writeProfile(m_own)});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(linkExists(QStringLiteral("ptown")));
    r = m_harness.runCtl(kOwnerUser, {"status", "own"});
    QVERIFY2(r.exitCode == 0 &&
                 r.out.contains(QStringLiteral("owner:     uid %1").arg(uidOf(kOwnerUser))) &&
                 r.out.contains(QStringLiteral("10.211.55.123:8402")),
             qPrintable(r.describe()));
    r = m_harness.runCtl(kOwnerUser, {"stats", "own"});
    QVERIFY2(r.exitCode == 0 && r.out.contains(QStringLiteral("peer far")),
             qPrintable(r.describe()));
    // Its peers change under io.peertun.control.
    TunnelParams renamed = m_own;
    renamed.peerEndpoint = QStringLiteral("10.211.55.123:8403");
    r = m_harness.runCtl(
        kOwnerUser, {"set-peers", "own", m_harness.writeFile("own-2.json", profileJson(renamed))});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    r = m_harness.runCtl(kOwnerUser, {"log"});
    QVERIFY2(r.out.contains(QStringLiteral("[own] connected")) &&
                 r.out.contains(QStringLiteral("uid %1").arg(uidOf(kOwnerUser))),
             qPrintable(r.out));
    // Down and up again, both its own.
    r = m_harness.runCtl(kOwnerUser, {"down", "own"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(!linkExists(QStringLiteral("ptown")));
    r = m_harness.runCtl(kOwnerUser, {"up", writeProfile(m_own)});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
}

void TestDBusOwners::othersSeeNamesAndStatesOnly()
{
    CommandResult r = m_harness.runCtl(kOtherUser, {"status"});
    QVERIFY2(r.exitCode == 0 && r.out.contains(QStringLiteral("own")) &&
                 r.out.contains(QStringLiteral("connected")) &&
                 r.out.contains(QStringLiteral("details withheld")),
             qPrintable(r.describe()));
    r = m_harness.runCtl(kOtherUser, {"status", "own", "--json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const QJsonObject entry = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(entry.value("detailsWithheld").toBool(), true);
    QCOMPARE(entry.value("state").toString(), QStringLiteral("connected"));
    QVERIFY2(!entry.contains("peers") && !entry.contains("ownerUid") && !entry.contains("listen"),
             qPrintable(r.out));
    expectRefused(m_harness.runCtl(kOtherUser, {"stats", "own"}), dbus::kReadAction);
    r = m_harness.runCtl(kOtherUser, {"log"});
    QVERIFY2(r.exitCode == 0 && r.out.contains(QStringLiteral("started")) &&
                 !r.out.contains(QStringLiteral("[own]")) &&
                 !r.out.contains(QStringLiteral("uid %1").arg(uidOf(kOwnerUser))),
             qPrintable(r.out));
}

void TestDBusOwners::detailsNeedTheReadAction()
{
    // polkit says no to the other user and the denied user...
    expectRefused(m_harness.runCtl(kOtherUser, {"status", "--details"}), dbus::kReadAction);
    expectRefused(m_harness.runCtl(kDeniedUser, {"status", "--details"}), dbus::kReadAction);
    // ...and yes to the admin, whose one connection then sees everything.
    const CommandResult r = m_harness.runCtl(kAdminUser, {"status", "own", "--details"});
    QVERIFY2(r.exitCode == 0 && r.out.contains(QStringLiteral("10.211.55.123:8402")) &&
                 r.out.contains(QStringLiteral("owner:     uid %1").arg(uidOf(kOwnerUser))),
             qPrintable(r.describe()));
    // Without --details the admin is just another user.
    const CommandResult plain = m_harness.runCtl(kAdminUser, {"status", "own"});
    QVERIFY2(plain.out.contains(QStringLiteral("details withheld")), qPrintable(plain.describe()));
}

void TestDBusOwners::anotherUsersTunnelNeedsControlOthers()
{
    expectRefused(m_harness.runCtl(kOtherUser, {"down", "own"}), dbus::kControlOthersAction);
    expectRefused(m_harness.runCtl(kOtherUser, {"set-peers", "own", writeProfile(m_own)}),
                  dbus::kControlOthersAction);
    expectRefused(m_harness.runCtl(kDeniedUser, {"down", "own"}), dbus::kControlOthersAction);
    QVERIFY(linkExists(QStringLiteral("ptown")));
    // The admin may change and take down anyone's.
    CommandResult r = m_harness.runCtl(kAdminUser, {"set-peers", "own", writeProfile(m_own)});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    r = m_harness.runCtl(kAdminUser, {"down", "own"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(!linkExists(QStringLiteral("ptown")));
    // The owner sees in its log who did it.
    r = m_harness.runCtl(kOwnerUser, {"log"});
    QVERIFY2(
        r.out.contains(QStringLiteral("disconnected on request of uid %1").arg(uidOf(kAdminUser))),
        qPrintable(r.out));
}

void TestDBusOwners::fullTunnelAndLowPortNeedThePrivilegedAction()
{
    const TunnelParams full{QStringLiteral("full"),
                            QStringLiteral("ptfull"),
                            QStringLiteral("10.244.53.1/24"),
                            8404,
                            QStringLiteral("10.211.55.123:8405"),
                            QStringLiteral("0.0.0.0/0")};
    const TunnelParams low{QStringLiteral("low"),
                           QStringLiteral("ptlow"),
                           QStringLiteral("10.244.55.1/24"),
                           853,
                           QStringLiteral("10.211.55.123:853"),
                           QStringLiteral("10.244.56.0/24")};
    // io.peertun.control is not enough.
    expectRefused(m_harness.runCtl(kOwnerUser, {"up", writeProfile(full)}),
                  dbus::kPrivilegedAction);
    expectRefused(m_harness.runCtl(kOwnerUser, {"up", writeProfile(low)}), dbus::kPrivilegedAction);
    QVERIFY(!linkExists(QStringLiteral("ptfull")) && !linkExists(QStringLiteral("ptlow")));
    // The admin holds it.
    CommandResult r = m_harness.runCtl(kAdminUser, {"up", writeProfile(low)});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(linkExists(QStringLiteral("ptlow")));
    r = m_harness.runCtl(kAdminUser, {"down", "low"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
}

void TestDBusOwners::netdevRuleGrantsControlOnly()
{
    const TunnelParams mine{QStringLiteral("mine"),
                            QStringLiteral("ptmine"),
                            QStringLiteral("10.244.57.1/24"),
                            8406,
                            QStringLiteral("10.211.55.123:8407"),
                            QStringLiteral("10.244.58.0/24")};
    const TunnelParams low{QStringLiteral("low2"),
                           QStringLiteral("ptlow2"),
                           QStringLiteral("10.244.59.1/24"),
                           854,
                           QStringLiteral("10.211.55.123:854"),
                           QStringLiteral("10.244.60.0/24")};
    CommandResult r = m_harness.runCtl(kGroupMemberUser, {"up", writeProfile(mine)});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    expectRefused(m_harness.runCtl(kGroupMemberUser, {"up", writeProfile(low)}),
                  dbus::kPrivilegedAction);
    expectRefused(m_harness.runCtl(kOwnerUser, {"down", "mine"}), dbus::kControlOthersAction);
    r = m_harness.runCtl(kGroupMemberUser, {"down", "mine"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
}

// Every local user could have received these: no reason, no per-peer counters, no log text.
void TestDBusOwners::broadcastsCarryNoDetails()
{
    // The signals queued up while peertunctl ran: deliver them.
    QTRY_VERIFY_WITH_TIMEOUT(m_states->size() >= 8 && !m_entries->isEmpty(), 5000);
    for (const QList<QVariant>& s : std::as_const(*m_states)) {
        QCOMPARE(s.at(2).toString(), QString());
    }
    for (const QList<QVariant>& e : std::as_const(*m_entries)) {
        QCOMPARE(HelperClient::toPlain(e.at(0).toMap()).keys(), QStringList{dbus::key::kSeq});
    }
    for (const QList<QVariant>& s : std::as_const(*m_stats)) {
        for (const QVariantMap& t : s.at(0).value<QVariantMapList>()) {
            QVERIFY(!t.contains(dbus::key::kPeers));
        }
    }
}

QTEST_GUILESS_MAIN(TestDBusOwners)
#include "tst_dbus_owners.moc"
