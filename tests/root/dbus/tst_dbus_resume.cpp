// Resume from suspend through the D-Bus helper: a test object owns org.freedesktop.login1 on
// the harness's private system bus (allowed by a policy file in that bus's own system.d, never
// the host's) with logind's interface and PrepareForSleep(b) signal. A WireGuard tunnel runs
// from ns1 to `peertun-helper --standalone` in ns2; PrepareForSleep(true) changes nothing,
// PrepareForSleep(false) makes the helper log the change, note its time and send a handshake
// initiation at once; the far side, on the same bus, shows that --standalone does it too.
#include "DBusContract.h"
#include "DBusHarness.h"
#include "HelperClient.h"
#include "Keys.h"
#include "Payloads.h"
#include "TestKeys.h"
#include "TestProfiles.h"

#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <array>

using namespace peertun;
using namespace peertun::test;

namespace {

const QString kLogind = QStringLiteral("org.freedesktop.login1");

// What the bus needs to let the test (root) own logind's name.
const QByteArray kLogindPolicy =
    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN\"\n"
    " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
    "<busconfig>\n"
    "  <policy user=\"root\"><allow own=\"org.freedesktop.login1\"/></policy>\n"
    "</busconfig>\n";

using peertun::testlab::KeyPair;
using peertun::testlab::makeKeys;

} // namespace

// logind's Manager as far as sleep goes: the real interface name and signal signature.
class FakeLogind : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.login1.Manager")
signals:
    void PrepareForSleep(bool start);
};

class TestDBusResume : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();
    void resumeStartsAHandshakeAtOnce();

private:
    // The helper's counters as `peertunctl stats --json` prints them (the contract's keys).
    dbus::TunnelCounters counters()
    {
        const CommandResult r = m_harness.runCtl(kAllowedUser, {"stats", "wg-office", "--json"});
        const QVariantMap map = QJsonDocument::fromJson(r.out.toUtf8()).object().toVariantMap();
        return dbus::TunnelCounters::fromVariant(map);
    }
    qint64 initiations()
    {
        const dbus::TunnelCounters c = counters();
        return c.peers.isEmpty() ? -1 : qint64(c.peers.first().initiationsSent);
    }
    QByteArray helperLog()
    {
        QFile f(m_harness.helperLogPath());
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

    DBusHarness m_harness;
    std::unique_ptr<HelperClient> m_client;
    FakeLogind m_logind;
    QString m_logindConnection = QStringLiteral("fake-logind");
};

void TestDBusResume::initTestCase()
{
    QString error;
    if (!m_harness.setUp(&error)) {
        QFAIL(qPrintable(error));
    }
    // The policy goes into this bus's own configuration directory; the bus reads it again.
    QFile policy(m_harness.dir() + QStringLiteral("/system.d/test-login1.conf"));
    QVERIFY(policy.open(QIODevice::WriteOnly) &&
            policy.write(kLogindPolicy) == kLogindPolicy.size());
    policy.close();
    const QDBusMessage reload = m_harness.bus().call(QDBusMessage::createMethodCall(
        QStringLiteral("org.freedesktop.DBus"), QStringLiteral("/org/freedesktop/DBus"),
        QStringLiteral("org.freedesktop.DBus"), QStringLiteral("ReloadConfig")));
    QVERIFY2(reload.type() == QDBusMessage::ReplyMessage, qPrintable(reload.errorMessage()));

    QDBusConnection logind =
        QDBusConnection::connectToBus(m_harness.busAddress(), m_logindConnection);
    QVERIFY(logind.isConnected());
    QVERIFY(logind.registerObject(QStringLiteral("/org/freedesktop/login1"), &m_logind,
                                  QDBusConnection::ExportAllSignals));
    QVERIFY2(logind.registerService(kLogind), qPrintable(logind.lastError().message()));

    m_client = std::make_unique<HelperClient>(m_harness.bus());
}

void TestDBusResume::cleanup()
{
    if (QTest::currentTestFailed()) {
        m_harness.dumpLogs();
    }
}

void TestDBusResume::cleanupTestCase()
{
    m_client.reset();
    {
        QDBusConnection logind(m_logindConnection);
        logind.unregisterService(kLogind);
    }
    QDBusConnection::disconnectFromBus(m_logindConnection);
    m_harness.tearDown();
}

void TestDBusResume::resumeStartsAHandshakeAtOnce()
{
    const KeyPair near = makeKeys();
    const KeyPair far = makeKeys();
    QProcess* farSide = m_harness.startFarSide(m_harness.writeFile(
        "wg-far.json",
        profileJson({"wg-home", "ptwg", "10.244.42.1/24", 8296, kUnderlayAddress1 + ":8296",
                     "10.244.41.0/24", far.privateKey, near.publicKey})));
    QVERIFY(farSide->state() == QProcess::Running);
    QTRY_VERIFY_WITH_TIMEOUT(
        DBusHarness::run(DBusHarness::ipBinary(), {"-n", m_harness.ns2(), "link", "show", "ptwg"})
                .exitCode == 0,
        10000);
    const CommandResult up = m_harness.runCtl(
        kAllowedUser,
        {"up", m_harness.writeFile("wg-near.json",
                                   profileJson({"wg-office", "ptwg", "10.244.41.1/24", 8296,
                                                kUnderlayAddress2 + ":8296", "10.244.42.0/24",
                                                near.privateKey, far.publicKey}))});
    QVERIFY2(up.exitCode == 0, qPrintable(up.describe()));
    // The helper was activated by that call: it watches logind from its start.
    QVERIFY2(helperLog().contains("watching logind for resume from suspend"),
             helperLog().constData());
    const CommandResult ping =
        DBusHarness::run(DBusHarness::ipBinary(), {"netns", "exec", m_harness.ns1(), "ping", "-c",
                                                   "2", "-i", "0.3", "-W", "2", "10.244.42.1"});
    QVERIFY2(ping.exitCode == 0, qPrintable(ping.describe()));
    const qint64 before = initiations();
    QVERIFY(before >= 1);
    QCOMPARE(counters().networkChangedUnixMs, 0);

    // Going to sleep is not a change.
    emit m_logind.PrepareForSleep(true);
    QTest::qWait(500);
    QCOMPARE(initiations(), before);
    QCOMPARE(counters().networkChangedUnixMs, 0);

    const qint64 sent = QDateTime::currentMSecsSinceEpoch();
    QElapsedTimer clock;
    clock.start();
    emit m_logind.PrepareForSleep(false);
    qint64 initiationMs = -1;
    while (clock.elapsed() < 3000) {
        if (initiations() > before) {
            initiationMs = clock.elapsed();
            break;
        }
        QTest::qWait(20);
    }
    qInfo("handshake initiation %lld ms after PrepareForSleep(false)", initiationMs);
    QVERIFY2(initiationMs >= 0, "no handshake initiation after the resume");
    const dbus::TunnelCounters after = counters();
    QVERIFY2(after.networkChangedUnixMs >= sent - 1000,
             qPrintable(QString::number(after.networkChangedUnixMs)));
    const CommandResult log = m_harness.runCtl(kAllowedUser, {"log"});
    QVERIFY2(log.out.contains(QStringLiteral("[wg-office] network changed: resume from suspend")),
             qPrintable(log.describe()));
    // --standalone (the far side, on the same bus) handles it the same way.
    const auto farLog = [this] {
        QFile f(m_harness.dir() + QStringLiteral("/far-side.log"));
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    };
    QTRY_VERIFY_WITH_TIMEOUT(farLog().contains("wg-home: network changed: resume from suspend"),
                             3000);
    // The new session works.
    QTRY_VERIFY_WITH_TIMEOUT(counters().handshakesDone >= 2, 5000);
    const CommandResult again =
        DBusHarness::run(DBusHarness::ipBinary(), {"netns", "exec", m_harness.ns1(), "ping", "-c",
                                                   "1", "-W", "2", "10.244.42.1"});
    QVERIFY2(again.exitCode == 0, qPrintable(again.describe()));

    QVERIFY(m_harness.runCtl(kAllowedUser, {"down", "wg-office"}).exitCode == 0);
    m_harness.stopFarSide();
}

QTEST_GUILESS_MAIN(TestDBusResume)
#include "tst_dbus_resume.moc"
