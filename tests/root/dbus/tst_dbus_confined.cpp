// The D-Bus helper confined as peertun-helper.service confines it, without systemd as PID 1:
// bus-activated on the harness's private system bus, already as its own user with just the
// unit's capabilities, under the unit's system call filter (EPERM for the rest) and
// no_new_privs (DBusHarness::setHelperConfined). The admin test user connects a WireGuard
// tunnel with the kill switch and a listen port below 1024 to a far side in ns2, pings through
// it, reads stats and the log and disconnects; the helper's /proc status and its output show
// it ran confined the whole time and no system call was refused.
#include "DBusHarness.h"
#include "Keys.h"
#include "TestKeys.h"
#include "TestProfiles.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <array>
#include <pwd.h>

using namespace peertun;
using namespace peertun::test;

class TestDBusConfined : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();
    void tunnelThroughTheConfinedHelper();

private:
    QString statusField(uint pid, const QString& key)
    {
        QFile f(QStringLiteral("/proc/%1/status").arg(pid));
        if (!f.open(QIODevice::ReadOnly)) {
            return QString();
        }
        for (const QByteArray& line : f.readAll().split('\n')) {
            if (line.startsWith(key.toLatin1() + ':')) {
                return QString::fromLatin1(line.mid(key.size() + 1)).simplified();
            }
        }
        return QString();
    }
    CommandResult inNs1(const QStringList& command)
    {
        return DBusHarness::run(DBusHarness::ipBinary(),
                                QStringList{"netns", "exec", m_harness.ns1()} + command);
    }

    DBusHarness m_harness;
};

using peertun::testlab::KeyPair;
using peertun::testlab::makeKeys;

void TestDBusConfined::initTestCase()
{
    m_harness.setHelperConfined(true);
    QString error;
    if (!m_harness.setUp(&error)) {
        QFAIL(qPrintable(error));
    }
    // What the unit grants; the /proc checks below spell these out.
    QCOMPARE(m_harness.confinedCapabilities(),
             (QStringList{QStringLiteral("net_admin"), QStringLiteral("net_bind_service")}));
}

void TestDBusConfined::cleanup()
{
    if (QTest::currentTestFailed()) {
        m_harness.dumpLogs();
    }
}

void TestDBusConfined::cleanupTestCase()
{
    m_harness.tearDown();
}

void TestDBusConfined::tunnelThroughTheConfinedHelper()
{
    const KeyPair near = makeKeys();
    const KeyPair far = makeKeys();
    QProcess* farSide = m_harness.startFarSide(m_harness.writeFile(
        "far.json", profileJson({"far", "ptcf", "10.244.62.1/24", 8461, kUnderlayAddress1 + ":443",
                                 "10.244.61.0/24", far.privateKey, near.publicKey})));
    QVERIFY(farSide->state() == QProcess::Running);
    QTRY_VERIFY_WITH_TIMEOUT(
        DBusHarness::run(DBusHarness::ipBinary(), {"-n", m_harness.ns2(), "link", "show", "ptcf"})
                .exitCode == 0,
        10000);

    // Port 443 and the kill switch: the admin holds io.peertun.control-privileged.
    const QByteArray profile = withField(
        profileJson({"confined", "ptcf", "10.244.61.1/24", 443, kUnderlayAddress2 + ":8461",
                     "10.244.62.0/24", near.privateKey, far.publicKey}),
        QStringLiteral("interface.killSwitch"), true);
    CommandResult r =
        m_harness.runCtl(kAdminUser, {"up", m_harness.writeFile("near.json", profile)});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const uint pid = m_harness.helperPid();
    QVERIFY(pid != 0);

    // Every ping answered: a refused send would lose some and still exit 0.
    r = inNs1({"ping", "-c", "3", "-i", "0.2", "-W", "2", "10.244.62.1"});
    QVERIFY2(r.exitCode == 0 && r.out.contains(QStringLiteral(" 3 received")),
             qPrintable(r.describe()));
    r = inNs1({"ss", "-uln"});
    QVERIFY2(r.out.contains(kUnderlayAddress1 + QStringLiteral(":443 ")) ||
                 r.out.contains(QStringLiteral("*:443 ")) ||
                 r.out.contains(QStringLiteral("0.0.0.0:443 ")),
             qPrintable(r.describe()));
    r = inNs1({"nft", "list", "table", "inet", "peertun"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));

    r = m_harness.runCtl(kAdminUser, {"stats", "confined", "--json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const QJsonObject counters = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QVERIFY2(counters.value("handshakesDone").toInteger() >= 1, qPrintable(r.out));
    QVERIFY2(counters.value("rxPackets").toInteger() >= 3, qPrintable(r.out));
    QVERIFY2(counters.value("totalDrops").toInteger() == 0, qPrintable(r.out));
    r = m_harness.runCtl(kAdminUser, {"log"});
    QVERIFY2(r.exitCode == 0 && r.out.contains(QStringLiteral("[confined] connected")),
             qPrintable(r.describe()));

    // Confined as the unit confines it, while the tunnel runs.
    const passwd* pw = getpwnam(DBusHarness::helperUser().toLocal8Bit().constData());
    QVERIFY(pw != nullptr && pw->pw_uid != 0);
    QCOMPARE(statusField(pid, "Seccomp"), QStringLiteral("2"));
    QCOMPARE(statusField(pid, "NoNewPrivs"), QStringLiteral("1"));
    const QString uids = QString::number(pw->pw_uid);
    QCOMPARE(statusField(pid, "Uid"), QStringList(4, uids).join(u' '));
    // CAP_NET_ADMIN (12) effective; CAP_NET_BIND_SERVICE (10) permitted and raised only while
    // binding; nothing else, not even in the bounding set; the ambient set trimmed.
    QCOMPARE(statusField(pid, "CapEff"), QStringLiteral("0000000000001000"));
    QCOMPARE(statusField(pid, "CapPrm"), QStringLiteral("0000000000001400"));
    QCOMPARE(statusField(pid, "CapBnd"), QStringLiteral("0000000000001400"));
    QCOMPARE(statusField(pid, "CapAmb"), QStringLiteral("0000000000000000"));

    r = m_harness.runCtl(kAdminUser, {"down", "confined"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(m_harness.ipNs1({"link", "show", "ptcf"}).exitCode != 0);
    QVERIFY(inNs1({"nft", "list", "table", "inet", "peertun"}).exitCode != 0);
    QCOMPARE(m_harness.helperPid(), pid); // still serving

    QFile log(m_harness.helperLogPath());
    QVERIFY(log.open(QIODevice::ReadOnly));
    const QString output = QString::fromUtf8(log.readAll());
    QVERIFY2(!output.contains(QStringLiteral("not permitted"), Qt::CaseInsensitive) &&
                 !output.contains(QStringLiteral("EPERM")) &&
                 !output.contains(QStringLiteral("bad system call"), Qt::CaseInsensitive),
             qPrintable(output));
    m_harness.stopFarSide();
}

QTEST_GUILESS_MAIN(TestDBusConfined)
#include "tst_dbus_confined.moc"
