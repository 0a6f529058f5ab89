// io.peertun.Helper1 over a private system bus with a real polkitd: activation, authorization
// (allowed/denied/slow users), bad input with named errors, limits, a vanishing caller and
// concurrent clients. The helper runs in a private network namespace; see DBusHarness.h.
#include "AuditLog.h"
#include "DBusHarness.h"
#include "HelperClient.h"
#include "HelperService.h"
#include "TestProfiles.h"

#include <QDir>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <csignal>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>

using namespace peertun;
using namespace peertun::test;

class TestDBusApi : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();

    void cliUsage_data();
    void cliUsage();
    void activationRunsHelperConfined();
    void readingNeedsNoAuthorization();
    void allowedUserConnects();
    void helperRunsUnprivilegedWithTunnelUp();
    void deniedUserCannotControl();
    void groupMemberAllowedByShippedRules();
    void badInput_data();
    void badInput();
    void disconnectUnknownName();
    void statsOfUnknownName();
    void vanishingCallerIsDropped();
    void twoClientsConnectAtOnce();
    void tunnelLimit();
    void lowPortRaisesBindCapabilityBriefly();
    void requestsInFlightPerCaller();
    void busPolicy();
    void polkitUnavailable();
    void logIsBoundedAndPaged();
    void allowedUserDisconnects();
    void securityEventsReachSyslog();
    void refusedFloodIsRateLimitedBeforePolkit();
    void pendingRequestsPerUid();
    void idleHelperExitsAndComesBack();

private:
    // The baseline tunnel every bad-input row must leave untouched.
    const TunnelParams m_base{QStringLiteral("base"),
                              QStringLiteral("ptbase"),
                              QStringLiteral("10.244.1.1/24"),
                              8301,
                              QStringLiteral("10.211.55.123:8302"),
                              QStringLiteral("10.244.2.0/24")};
    void verifyHelperServesAndBaseUntouched();
    bool linkExists(const QString& ifName)
    {
        return m_harness.ipNs1({"link", "show", ifName}).exitCode == 0;
    }
    QVariantMapList listTunnels();
    QString floodClient(); // dbus_flood, where the test users may run it
    QVariantMapList logSince(quint64 afterSeq);

    DBusHarness m_harness;
    std::unique_ptr<HelperClient> m_client; // the test's own (root) client
};

void TestDBusApi::initTestCase()
{
    QString error;
    if (!m_harness.setUp(&error)) {
        QFAIL(qPrintable(error));
    }
    m_client = std::make_unique<HelperClient>(m_harness.bus());
}

void TestDBusApi::cleanup()
{
    if (QTest::currentTestFailed()) {
        m_harness.dumpLogs();
    }
}

void TestDBusApi::cleanupTestCase()
{
    m_client.reset();
    m_harness.tearDown();
}

QVariantMapList TestDBusApi::listTunnels()
{
    auto reply = m_client->listTunnels();
    reply.waitForFinished();
    return reply.isError() ? QVariantMapList{} : HelperClient::toPlain(reply.value());
}

void TestDBusApi::cliUsage_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("output"); // expected in stdout (exit 0) or stderr

    QTest::newRow("--help") << QStringList{"--help"} << 0 << QStringLiteral("status [NAME]");
    for (const char* command : {"up", "down", "status", "stats", "log", "version"}) {
        QTest::addRow("%s --help", command)
            << QStringList{command, "--help"} << 0 << QStringLiteral("peertunctl %1").arg(command);
    }
    QTest::newRow("no command") << QStringList{} << 2 << QStringLiteral("usage");
    QTest::newRow("unknown command")
        << QStringList{"frobnicate"} << 2 << QStringLiteral("unknown command");
    QTest::newRow("up without profile") << QStringList{"up"} << 2 << QStringLiteral("usage");
    QTest::newRow("down two names")
        << QStringList{"down", "a", "b"} << 2 << QStringLiteral("usage");
    QTest::newRow("unknown option")
        << QStringList{"status", "--frob"} << 2 << QStringLiteral("frob");
    QTest::newRow("missing profile file")
        << QStringList{"up", "/nonexistent/p.json"} << 2 << QStringLiteral("cannot read");
}

void TestDBusApi::cliUsage()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QFETCH(QString, output);
    const CommandResult r = m_harness.runCtl(kDeniedUser, args);
    QVERIFY2(r.exitCode == exitCode, qPrintable(r.describe()));
    QVERIFY2((exitCode == 0 ? r.out : r.err).contains(output), qPrintable(r.describe()));
    QCOMPARE(m_harness.helperPid(), 0u); // none of these needs the helper
}

void TestDBusApi::activationRunsHelperConfined()
{
    QCOMPARE(m_harness.helperPid(), 0u); // nobody started it yet
    const CommandResult r = m_harness.runCtl(kDeniedUser, {"version"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY2(r.out.contains(QStringLiteral("peertun-helper 0.1")), qPrintable(r.out));

    const uint pid = m_harness.helperPid();
    QVERIFY(pid != 0);
    QCOMPARE(DBusHarness::netnsOf(pid), m_harness.ns1());
    // Only CAP_NET_ADMIN effective; CAP_NET_BIND_SERVICE permitted; nothing else anywhere.
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    QVERIFY(status.open(QIODevice::ReadOnly));
    const QString text = QString::fromLatin1(status.readAll());
    auto field = [&](const char* name) {
        const QRegularExpression re(QStringLiteral("^%1:\\s*(\\S+)$").arg(QLatin1String(name)),
                                    QRegularExpression::MultilineOption);
        return re.match(text).captured(1);
    };
    QCOMPARE(field("CapEff"), QStringLiteral("0000000000001000"));
    QCOMPARE(field("CapPrm"), QStringLiteral("0000000000001400"));
    QCOMPARE(field("CapBnd"), QStringLiteral("0000000000001400"));
    QCOMPARE(field("CapInh"), QStringLiteral("0000000000000000"));
    QCOMPARE(field("NoNewPrivs"), QStringLiteral("1"));
}

void TestDBusApi::readingNeedsNoAuthorization()
{
    for (const QString& user : {kDeniedUser, kAllowedUser}) {
        CommandResult r = m_harness.runCtl(user, {"status"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        QVERIFY2(r.out.contains(QStringLiteral("no tunnels")), qPrintable(r.out));
        r = m_harness.runCtl(user, {"status", "--json"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        QCOMPARE(QJsonDocument::fromJson(r.out.toUtf8()).array().size(), 0);
        r = m_harness.runCtl(user, {"log"});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        QVERIFY2(r.out.contains(QStringLiteral("started")), qPrintable(r.out));
    }
}

void TestDBusApi::allowedUserConnects()
{
    const QString path = m_harness.writeFile("base.json", profileJson(m_base));
    QSignalSpy states(m_client.get(), &HelperClient::stateChanged);
    const CommandResult r = m_harness.runCtl(kAllowedUser, {"up", path});
    QVERIFY2(r.exitCode == 0,
             qPrintable(r.describe() + "\nhelper log in " + m_harness.helperLogPath()));
    QVERIFY(r.out.contains(QStringLiteral("base")));
    QVERIFY(linkExists(QStringLiteral("ptbase")));
    QTRY_VERIFY(states.size() >= 2);
    QCOMPARE(states.at(0).at(0).toString(), QStringLiteral("base"));
    QCOMPARE(states.at(0).at(1).toString(), QStringLiteral("connecting"));
    QCOMPARE(states.at(1).at(1).toString(), QStringLiteral("connected"));

    const QVariantMapList tunnels = listTunnels();
    QCOMPARE(tunnels.size(), 1);
    QCOMPARE(tunnels.at(0).value("name").toString(), QStringLiteral("base"));
    QCOMPARE(tunnels.at(0).value("state").toString(), QStringLiteral("connected"));
    QCOMPARE(tunnels.at(0).value("interface").toString(), QStringLiteral("ptbase"));
    QCOMPARE(tunnels.at(0).value("peers").toList().size(), 1);
}

namespace {

// "Name:\tvalue" lines of /proc/PID/status.
QMap<QString, QString> procStatus(uint pid)
{
    QMap<QString, QString> fields;
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly)) {
        return fields;
    }
    for (const QByteArray& line : status.readAll().split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0) {
            fields.insert(QString::fromLatin1(line.left(colon)),
                          QString::fromLatin1(line.mid(colon + 1).trimmed()));
        }
    }
    return fields;
}

} // namespace

// While a tunnel is up: the helper is its own user (peertun, or nobody here when the machine
// has no peertun), not root, with CAP_NET_ADMIN effective and CAP_NET_BIND_SERVICE permitted
// only, nothing else in any set, no_new_privs, not dumpable; a TUN broker, if /dev/net/tun is
// root's alone, has CAP_DAC_OVERRIDE and nothing else.
void TestDBusApi::helperRunsUnprivilegedWithTunnelUp()
{
    QCOMPARE(listTunnels().size(), 1); // "base", from allowedUserConnects
    const uint pid = m_harness.helperPid();
    QVERIFY(pid != 0);
    const passwd* pw = getpwnam(DBusHarness::helperUser().toLocal8Bit().constData());
    QVERIFY(pw != nullptr); // getpwnam's buffer: read it before anything else calls it
    const QString uid = QString::number(pw->pw_uid);
    const group* nogroup = getgrnam("nogroup");
    const QString gid = QString::number(
        DBusHarness::helperUser() == QLatin1String("nobody") && nogroup ? nogroup->gr_gid
                                                                        : pw->pw_gid);
    QVERIFY(pw->pw_uid != 0);
    const QMap<QString, QString> st = procStatus(pid);
    QCOMPARE(st.value("Uid"), QStringList(4, uid).join('\t'));
    QCOMPARE(st.value("Gid"), QStringList(4, gid).join('\t'));
    QCOMPARE(st.value("Groups"), QString());
    QCOMPARE(st.value("CapEff"), QStringLiteral("0000000000001000")); // net_admin
    QCOMPARE(st.value("CapPrm"), QStringLiteral("0000000000001400")); // + net_bind_service
    QCOMPARE(st.value("CapBnd"), QStringLiteral("0000000000001400"));
    QCOMPARE(st.value("CapInh"), QStringLiteral("0000000000000000"));
    QCOMPARE(st.value("CapAmb"), QStringLiteral("0000000000000000"));
    QCOMPARE(st.value("NoNewPrivs"), QStringLiteral("1"));
    QVERIFY(st.contains("Seccomp")); // a filter only under systemd (SystemCallFilter=)
    // Not dumpable: the kernel makes its /proc files root's.
    QCOMPARE(QFileInfo(QStringLiteral("/proc/%1/environ").arg(pid)).ownerId(), 0u);

    const CommandResult log = m_harness.runCtl(kDeniedUser, {"log"});
    QVERIFY2(log.out.contains(QStringLiteral("running as %1 (uid %2, gid %3)")
                                  .arg(DBusHarness::helperUser(), uid, gid)),
             qPrintable(log.out));
    if (DBusHarness::helperUser() == QLatin1String("nobody")) {
        QVERIFY2(log.out.contains(QStringLiteral("the system user peertun does not exist")),
                 qPrintable(log.out));
    }

    // The broker, if any: a child of the helper.
    QFile children(QStringLiteral("/proc/%1/task/%1/children").arg(pid));
    QVERIFY(children.open(QIODevice::ReadOnly));
    const QStringList kids = QString::fromLatin1(children.readAll()).split(' ', Qt::SkipEmptyParts);
    struct stat tun
    {};
    QVERIFY(::stat("/dev/net/tun", &tun) == 0);
    const bool brokerNeeded = (tun.st_mode & 0006) != 0006;
    QCOMPARE(kids.size(), brokerNeeded ? 1 : 0);
    for (const QString& kid : kids) {
        const QMap<QString, QString> b = procStatus(kid.toUInt());
        QCOMPARE(b.value("Name"), QStringLiteral("peertun-tunopen"));
        QCOMPARE(b.value("Uid"), QStringList(4, uid).join('\t'));
        QCOMPARE(b.value("CapEff"), QStringLiteral("0000000000000002")); // dac_override
        QCOMPARE(b.value("CapPrm"), QStringLiteral("0000000000000002"));
        QCOMPARE(b.value("CapBnd"), QStringLiteral("0000000000000000"));
        QCOMPARE(b.value("NoNewPrivs"), QStringLiteral("1"));
    }
}

void TestDBusApi::verifyHelperServesAndBaseUntouched()
{
    const CommandResult r =
        m_harness.runCtl(kAllowedUser, {"status", "base", "--json"}); // its owner
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const QJsonObject base = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(base.value("state").toString(), QStringLiteral("connected"));
    QCOMPARE(base.value("interface").toString(), QStringLiteral("ptbase"));
    QVERIFY(linkExists(QStringLiteral("ptbase")));
}

void TestDBusApi::deniedUserCannotControl()
{
    const QString linksBefore = m_harness.ipNs1({"-o", "link"}).out;
    const QString other =
        m_harness.writeFile("denied.json", profileJson({"denied", "ptdenied", "10.244.5.1/24", 8305,
                                                        "10.211.55.123:8306", "10.244.6.0/24"}));
    CommandResult r = m_harness.runCtl(kDeniedUser, {"up", other});
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.err.contains(QStringLiteral("io.peertun.Error.NotAuthorized")), qPrintable(r.err));
    r = m_harness.runCtl(kDeniedUser, {"down", "base"});
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.err.contains(QStringLiteral("io.peertun.Error.NotAuthorized")), qPrintable(r.err));
    // Unknown names too: a denied caller learns nothing from Disconnect.
    r = m_harness.runCtl(kDeniedUser, {"down", "no-such-tunnel"});
    QCOMPARE(r.exitCode, 3);

    QCOMPARE(m_harness.ipNs1({"-o", "link"}).out, linksBefore);
    QCOMPARE(listTunnels().size(), 1);
    verifyHelperServesAndBaseUntouched();
    r = m_harness.runCtl(kDeniedUser, {"log"});
    QVERIFY2(r.out.contains(QStringLiteral("denied")), qPrintable(r.out));
}

void TestDBusApi::groupMemberAllowedByShippedRules()
{
    const QString path = m_harness.writeFile(
        "member.json", profileJson({"member", "ptmember", "10.244.15.1/24", 8315,
                                    "10.211.55.123:8316", "10.244.16.0/24"}));
    CommandResult r = m_harness.runCtl(kGroupMemberUser, {"up", path});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(linkExists(QStringLiteral("ptmember")));
    r = m_harness.runCtl(kGroupMemberUser, {"down", "member"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(!linkExists(QStringLiteral("ptmember")));
    verifyHelperServesAndBaseUntouched();
}

void TestDBusApi::badInput_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("errorName");
    QTest::addColumn<QString>("mentions"); // the sentence must name this (field, value, limit)

    const TunnelParams bad{QStringLiteral("bad"),
                           QStringLiteral("ptbad"),
                           QStringLiteral("10.244.3.1/24"),
                           8303,
                           QStringLiteral("10.211.55.123:8304"),
                           QStringLiteral("10.244.4.0/24")};
    const QByteArray good = profileJson(bad);
    const QString invalid = QStringLiteral("io.peertun.Error.InvalidProfile");

    QTest::newRow("malformed JSON")
        << QByteArray("{\"name\": \"bad\", \"interface\": {") << 4 << invalid << QString();
    QByteArray huge =
        "{\"name\": \"bad\", \"padding\": \"" + QByteArray(10 * 1024 * 1024, 'x') + "\"}";
    QTest::newRow("10 MB profile") << huge << 4 << invalid << QStringLiteral("65536");
    QTest::newRow("invalid CIDR") << withField(good, "interface.address", "10.244.300.1/24") << 4
                                  << invalid << QStringLiteral("interface.address");
    QTest::newRow("CIDR prefix 33") << withField(good, "peers[0].subnets[0]", "10.244.4.0/33") << 4
                                    << invalid << QStringLiteral("peers[0].subnets[0]");
    QTest::newRow("listen port 0") << withField(good, "interface.listen", ":0") << 4 << invalid
                                   << QStringLiteral("interface.listen");
    QTest::newRow("peer port 70000") << withField(good, "peers[0].endpoint", "10.211.55.123:70000")
                                     << 4 << invalid << QStringLiteral("peers[0].endpoint");
    QTest::newRow("interface ../x") << withField(good, "interface.name", "../x") << 4 << invalid
                                    << QStringLiteral("interface.name");
    QTest::newRow("interface 16 bytes") << withField(good, "interface.name", "abcdefghijklmnop")
                                        << 4 << invalid << QStringLiteral("interface.name");
    QTest::newRow("not an object") << QByteArray("[1, 2, 3]") << 4 << invalid << QString();
    QTest::newRow("duplicate tunnel name")
        << profileJson(m_base) << 5 << QStringLiteral("io.peertun.Error.AlreadyConnected")
        << QStringLiteral("base");
    QTest::newRow("port of another tunnel")
        << withField(good, "interface.listen", ":8301") << 7
        << QStringLiteral("io.peertun.Error.Busy") << QStringLiteral("8301");
    QTest::newRow("interface name taken by a non-tunnel device")
        << withField(good, "interface.name", "ptother") << 7
        << QStringLiteral("io.peertun.Error.Busy") << QStringLiteral("ptother");
    QTest::newRow("interface of another tunnel")
        << withField(good, "interface.name", "ptbase") << 7
        << QStringLiteral("io.peertun.Error.Busy") << QStringLiteral("ptbase");
}

void TestDBusApi::badInput()
{
    QFETCH(QByteArray, json);
    QFETCH(int, exitCode);
    QFETCH(QString, errorName);
    QFETCH(QString, mentions);

    // A device the helper did not make (a veth; no dummy module on every kernel), for the
    // "taken by a non-tunnel device" row.
    if (!linkExists(QStringLiteral("ptother"))) {
        QCOMPARE(
            m_harness
                .ipNs1({"link", "add", "ptother", "type", "veth", "peer", "name", "ptother-peer"})
                .exitCode,
            0);
    }
    const QString path = m_harness.writeFile("bad.json", json);
    const CommandResult r = m_harness.runCtl(kAllowedUser, {"up", path});
    QVERIFY2(r.exitCode == exitCode, qPrintable(r.describe()));
    QVERIFY2(r.err.contains(errorName), qPrintable(r.err));
    QVERIFY2(r.err.contains(mentions), qPrintable(r.err));
    QVERIFY2(r.err.size() < 2000, "the error sentence should be a sentence, not the input");
    QVERIFY(!linkExists(QStringLiteral("ptbad")));
    QCOMPARE(listTunnels().size(), 1);
    verifyHelperServesAndBaseUntouched();
}

void TestDBusApi::disconnectUnknownName()
{
    const CommandResult r = m_harness.runCtl(kAllowedUser, {"down", "no-such-tunnel"});
    QCOMPARE(r.exitCode, 6);
    QVERIFY2(r.err.contains(QStringLiteral("io.peertun.Error.NotFound")), qPrintable(r.err));
    QVERIFY(r.err.contains(QStringLiteral("no-such-tunnel")));
    verifyHelperServesAndBaseUntouched();
}

void TestDBusApi::statsOfUnknownName()
{
    CommandResult r = m_harness.runCtl(kDeniedUser, {"stats", "no-such-tunnel"});
    QCOMPARE(r.exitCode, 6);
    QVERIFY2(r.err.contains(QStringLiteral("io.peertun.Error.NotFound")), qPrintable(r.err));
    // A huge name is not echoed back in full (nor for down).
    const QString huge(100000, QLatin1Char('n'));
    r = m_harness.runCtl(kDeniedUser, {"stats", huge});
    QCOMPARE(r.exitCode, 6);
    QVERIFY2(r.err.size() < 2000, qPrintable(r.err.left(200)));
    r = m_harness.runCtl(kAllowedUser, {"down", huge});
    QCOMPARE(r.exitCode, 6);
    QVERIFY2(r.err.size() < 2000, qPrintable(r.err.left(200)));
    verifyHelperServesAndBaseUntouched();
}

void TestDBusApi::vanishingCallerIsDropped()
{
    // The slow user is allowed, but polkit takes a few seconds: the caller leaves meanwhile.
    const QString path =
        m_harness.writeFile("vanish.json", profileJson({"vanish", "ptvanish", "10.244.7.1/24", 8307,
                                                        "10.211.55.123:8308", "10.244.8.0/24"}));
    auto logAfter = [this](quint64 seq) {
        auto reply = m_client->log(seq);
        reply.waitForFinished();
        return HelperClient::toPlain(reply.value());
    };
    quint64 lastSeq = 0;
    for (QVariantMapList page = logAfter(0); !page.isEmpty(); page = logAfter(lastSeq)) {
        lastSeq = page.last().value("seq").toULongLong();
    }
    std::unique_ptr<QProcess> ctl = m_harness.startCtl(kSlowUser, {"up", path});
    QVERIFY(ctl->state() == QProcess::Running);
    // Wait until the helper has the request and is waiting for polkit.
    auto asked = [&] {
        for (const QVariantMap& e : logAfter(lastSeq)) {
            if (e.value("text").toString().contains(QStringLiteral("asking polkit"))) {
                return true;
            }
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(asked(), 10000);
    ::kill(pid_t(ctl->processId()), SIGKILL);
    QVERIFY(ctl->waitForFinished(5000));

    QTest::qWait((kSlowUserDelaySeconds + 1) * 1000); // polkit has answered by now
    QVERIFY(!linkExists(QStringLiteral("ptvanish")));
    QCOMPARE(listTunnels().size(), 1);
    const CommandResult log = m_harness.runCtl(kDeniedUser, {"log"});
    QVERIFY2(log.out.contains(QStringLiteral("left the bus before authorization finished")),
             qPrintable(log.out));
    verifyHelperServesAndBaseUntouched();
}

void TestDBusApi::twoClientsConnectAtOnce()
{
    const QString a =
        m_harness.writeFile("conc-a.json", profileJson({"conc-a", "ptconca", "10.244.11.1/24", 8311,
                                                        "10.211.55.123:8312", "10.244.12.0/24"}));
    const QString b =
        m_harness.writeFile("conc-b.json", profileJson({"conc-b", "ptconcb", "10.244.13.1/24", 8313,
                                                        "10.211.55.123:8314", "10.244.14.0/24"}));
    // One is the slow user, so both calls are surely in flight together.
    std::unique_ptr<QProcess> first = m_harness.startCtl(kSlowUser, {"up", a});
    std::unique_ptr<QProcess> second = m_harness.startCtl(kAllowedUser, {"up", b});
    QVERIFY(first->waitForFinished(30000));
    QVERIFY(second->waitForFinished(30000));
    QVERIFY2(first->exitCode() == 0, first->readAllStandardError().constData());
    QVERIFY2(second->exitCode() == 0, second->readAllStandardError().constData());
    QVERIFY(linkExists(QStringLiteral("ptconca")));
    QVERIFY(linkExists(QStringLiteral("ptconcb")));
    QCOMPARE(listTunnels().size(), 3);

    // Each by its owner.
    for (const auto& [owner, name] : {std::pair{kSlowUser, "conc-a"}, {kAllowedUser, "conc-b"}}) {
        const CommandResult r = m_harness.runCtl(owner, {"down", name});
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    }
    QVERIFY(!linkExists(QStringLiteral("ptconca")));
    QVERIFY(!linkExists(QStringLiteral("ptconcb")));
    verifyHelperServesAndBaseUntouched();
}

void TestDBusApi::tunnelLimit()
{
    // The test itself is root (polkit allows uid 0): fill up to the limit directly.
    QStringList extra;
    for (int i = 1; listTunnels().size() < 16; ++i) {
        const QString name = QStringLiteral("lim%1").arg(i);
        auto reply = m_client->connectTunnel(QString::fromUtf8(profileJson(
            {name, QStringLiteral("ptlim%1").arg(i), QStringLiteral("10.245.%1.1/24").arg(i),
             quint16(8400 + i), QStringLiteral("10.211.55.123:%1").arg(8500 + i),
             QStringLiteral("10.246.%1.0/24").arg(i)})));
        reply.waitForFinished();
        QVERIFY2(!reply.isError(), qPrintable(reply.error().message()));
        extra << name;
        QVERIFY(i < 20);
    }
    auto reply = m_client->connectTunnel(
        QString::fromUtf8(profileJson({"one-too-many", "ptlim99", "10.245.99.1/24", 8499,
                                       "10.211.55.123:8599", "10.246.99.0/24"})));
    reply.waitForFinished();
    QVERIFY(reply.isError());
    QCOMPARE(reply.error().name(), QStringLiteral("io.peertun.Error.Busy"));
    QVERIFY(!linkExists(QStringLiteral("ptlim99")));

    for (const QString& name : extra) {
        auto down = m_client->disconnectTunnel(name);
        down.waitForFinished();
        QVERIFY2(!down.isError(), qPrintable(down.error().message()));
    }
    QCOMPARE(listTunnels().size(), 1);
    verifyHelperServesAndBaseUntouched();
}

void TestDBusApi::lowPortRaisesBindCapabilityBriefly()
{
    // CAP_NET_BIND_SERVICE is only permitted; the helper raises it just for this bind. A port
    // below 1024 takes io.peertun.control-privileged: the admin has it (tst_dbus_owners checks
    // the refusals).
    const QString path =
        m_harness.writeFile("lowport.json", profileJson({"lowport", "ptlow", "10.244.17.1/24", 853,
                                                         "10.211.55.123:853", "10.244.18.0/24"}));
    CommandResult r = m_harness.runCtl(kAdminUser, {"up", path});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    const CommandResult sockets = m_harness.ipNs1({"-o", "link"}); // device is there
    QVERIFY(sockets.out.contains(QStringLiteral("ptlow")));
    QFile status(QStringLiteral("/proc/%1/status").arg(m_harness.helperPid()));
    QVERIFY(status.open(QIODevice::ReadOnly));
    QVERIFY2(status.readAll().contains("CapEff:\t0000000000001000"), "not lowered again");
    r = m_harness.runCtl(kAdminUser, {"down", "lowport"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
}

void TestDBusApi::requestsInFlightPerCaller()
{
    // One connection, five Connects at once while polkit is slow: four wait, one is refused.
    QStringList paths;
    for (int i = 1; i <= 5; ++i) {
        paths << m_harness.writeFile(
            QStringLiteral("flight%1.json").arg(i),
            profileJson({QStringLiteral("flight%1").arg(i), QStringLiteral("ptflight%1").arg(i),
                         QStringLiteral("10.247.%1.1/24").arg(i), quint16(8600 + i),
                         QStringLiteral("10.211.55.123:%1").arg(8700 + i),
                         QStringLiteral("10.248.%1.0/24").arg(i)}));
    }
    const CommandResult r = m_harness.runCtl(kSlowUser, QStringList{"up"} + paths,
                                             (5 * kSlowUserDelaySeconds + 10) * 1000);
    QCOMPARE(r.exitCode, 7);
    QCOMPARE(r.err.count(QStringLiteral("io.peertun.Error.Busy")), 1);
    QCOMPARE(r.out.count(QStringLiteral(": connected")), 4);
    QCOMPARE(listTunnels().size(), 5);
    for (const QVariantMap& t : listTunnels()) {
        const QString name = t.value("name").toString();
        if (name.startsWith(QStringLiteral("flight"))) {
            // The slow user's tunnels: root takes them down without polkit's delay.
            auto down = m_client->disconnectTunnel(name);
            down.waitForFinished();
            QVERIFY2(!down.isError(), qPrintable(down.error().message()));
        }
    }
    verifyHelperServesAndBaseUntouched();
}

void TestDBusApi::busPolicy()
{
    // A non-root user may not own the helper's name...
    CommandResult r = m_harness.runAsUser(
        kDeniedUser, QStringLiteral("dbus-send"),
        {"--system", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
         "org.freedesktop.DBus.RequestName", "string:io.peertun.Helper1", "uint32:0"});
    QVERIFY2(r.exitCode != 0 && r.err.contains(QStringLiteral("AccessDenied")),
             qPrintable(r.describe()));
    // ...but may introspect and ping it.
    r = m_harness.runAsUser(kDeniedUser, QStringLiteral("dbus-send"),
                            {"--system", "--print-reply", "--dest=io.peertun.Helper1",
                             "/io/peertun/Helper1",
                             "org.freedesktop.DBus.Introspectable.Introspect"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(r.out.contains(QStringLiteral("<method name=\"Connect\">")));
    QVERIFY(r.out.contains(QStringLiteral("<signal name=\"StatsUpdated\">")));
    r = m_harness.runAsUser(kDeniedUser, QStringLiteral("dbus-send"),
                            {"--system", "--print-reply", "--dest=io.peertun.Helper1",
                             "/io/peertun/Helper1", "org.freedesktop.DBus.Peer.Ping"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    // Other interfaces of the helper's connection stay closed to non-root users.
    r = m_harness.runAsUser(kDeniedUser, QStringLiteral("dbus-send"),
                            {"--system", "--print-reply", "--dest=io.peertun.Helper1",
                             "/io/peertun/Helper1", "org.example.Other.Method"});
    QVERIFY2(r.exitCode != 0 && r.err.contains(QStringLiteral("AccessDenied")),
             qPrintable(r.describe()));
}

void TestDBusApi::polkitUnavailable()
{
    // Without polkit nobody is authorized, and the sentence says why; reading still works.
    m_harness.stopPolkit();
    const QString path = m_harness.writeFile(
        "nopolkit.json", profileJson({"nopolkit", "ptnopk", "10.244.9.1/24", 8309,
                                      "10.211.55.123:8310", "10.244.10.0/24"}));
    const CommandResult r = m_harness.runCtl(kAllowedUser, {"up", path});
    QCOMPARE(r.exitCode, 3);
    QVERIFY2(r.err.contains(QStringLiteral("polkit")), qPrintable(r.err));
    QVERIFY(!linkExists(QStringLiteral("ptnopk")));
    verifyHelperServesAndBaseUntouched();
    // root (this test) needs no polkit: servers without polkitd can use peertunctl.
    auto up = m_client->connectTunnel(QString::fromUtf8(profileJson(
        {"nopolkit", "ptnopk", "10.244.9.1/24", 8309, "10.211.55.123:8310", "10.244.10.0/24"})));
    up.waitForFinished();
    QVERIFY2(!up.isError(), qPrintable(up.error().message()));
    QVERIFY(linkExists(QStringLiteral("ptnopk")));
    auto down = m_client->disconnectTunnel(QStringLiteral("nopolkit"));
    down.waitForFinished();
    QVERIFY2(!down.isError(), qPrintable(down.error().message()));
    QString error;
    QVERIFY2(m_harness.startPolkit(&error), qPrintable(error));
}

void TestDBusApi::logIsBoundedAndPaged()
{
    // 2100 refused requests (root: no polkit round trip) each leave one entry: the ring keeps
    // the newest 2000, GetLog hands out at most 500 per call, peertunctl pages through all.
    // In batches: the bus allows 128 outstanding calls per connection.
    for (int batch = 0; batch < 21; ++batch) {
        QList<QDBusPendingReply<QString>> replies;
        for (int i = 0; i < 100; ++i) {
            replies << m_client->connectTunnel(QStringLiteral("{ not json %1").arg(i));
        }
        for (auto& reply : replies) {
            reply.waitForFinished();
            QCOMPARE(reply.error().name(), QStringLiteral("io.peertun.Error.InvalidProfile"));
        }
    }
    auto first = m_client->log(0);
    first.waitForFinished();
    QCOMPARE(first.value().size(), 500);
    const quint64 oldest = HelperClient::toPlain(first.value()).first().value("seq").toULongLong();
    QVERIFY(oldest > 1); // the start-up entries are gone

    // As root, who reads every entry (the refused requests are about root's uid).
    const CommandResult r = m_harness.runCtl(QStringLiteral("root"), {"log", "--json"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QStringList lines = r.out.trimmed().split(QLatin1Char('\n'));
    QVERIFY2(lines.size() >= 2000 && lines.size() <= 2010,
             qPrintable(QString::number(lines.size())));
    quint64 previous = 0;
    for (const QString& line : lines) {
        const quint64 seq =
            QJsonDocument::fromJson(line.toUtf8()).object().value("seq").toInteger();
        QVERIFY(seq > previous); // in order, no repeats across pages
        previous = seq;
    }
    // The flood's entries fill the ring; a tunnel's late entry (base's underlay watcher, after
    // the previous test's tunnels went) may come between or after them.
    const qsizetype refused = lines.filter(QStringLiteral("refused")).size();
    QVERIFY2(refused >= 1990, qPrintable(QString::number(refused)));
    verifyHelperServesAndBaseUntouched();
}

void TestDBusApi::allowedUserDisconnects()
{
    QSignalSpy states(m_client.get(), &HelperClient::stateChanged);
    const CommandResult r = m_harness.runCtl(kAllowedUser, {"down", "base"});
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QVERIFY(!linkExists(QStringLiteral("ptbase")));
    QTRY_VERIFY(!states.isEmpty() &&
                states.last().at(1).toString() == QStringLiteral("disconnected"));
    QCOMPARE(listTunnels().size(), 0);
}

QString TestDBusApi::floodClient()
{
    const QString target = QDir(m_harness.dir()).filePath(QStringLiteral("bin/dbus_flood"));
    if (!QFile::exists(target)) {
        QFile::copy(qEnvironmentVariable("PEERTUN_DBUS_FLOOD"), target);
        QFile::setPermissions(target, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                          QFileDevice::ExeOwner | QFileDevice::ReadGroup |
                                          QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                          QFileDevice::ExeOther);
    }
    return target;
}

QVariantMapList TestDBusApi::logSince(quint64 afterSeq)
{
    QVariantMapList all;
    for (;;) {
        auto reply = m_client->log(afterSeq);
        reply.waitForFinished();
        const QVariantMapList page = HelperClient::toPlain(reply.value());
        if (reply.isError() || page.isEmpty()) {
            return all;
        }
        all += page;
        afterSeq = page.last().value("seq").toULongLong();
    }
}

// The earlier tests' connects, disconnects and refusals, as syslog got them: RFC 3164 lines
// with facility authpriv (notice 85, warning 84), the tag peertun-helper[PID], the caller's uid
// and the tunnel's name.
void TestDBusApi::securityEventsReachSyslog()
{
    const QStringList lines = m_harness.syslogLines();
    auto uidOf = [](const QString& user) {
        const passwd* pw = getpwnam(user.toLocal8Bit().constData());
        return pw ? QString::number(pw->pw_uid) : QStringLiteral("?");
    };
    const QString header = QStringLiteral("^<%1>[A-Z][a-z]{2} {1,2}\\d{1,2} \\d\\d:\\d\\d:\\d\\d "
                                          "peertun-helper\\[\\d+\\]: ");
    const struct
    {
        int priority;
        QString text;
    } expected[] = {
        {85,
         QStringLiteral("tunnel base: connected on request of uid %1 ").arg(uidOf(kAllowedUser))},
        {84, QStringLiteral("Connect denied to uid %1 ").arg(uidOf(kDeniedUser))},
        {84, QStringLiteral("Disconnect denied to uid %1 ").arg(uidOf(kDeniedUser))},
        {85, QStringLiteral("tunnel member: connected on request of uid %1 ")
                 .arg(uidOf(kGroupMemberUser))},
        {85, QStringLiteral("tunnel member: disconnected on request of uid %1 ")
                 .arg(uidOf(kGroupMemberUser))},
        // (The allowed user's disconnect of base is not among them: its badInput rows used
        // up its share of the window.)
    };
    for (const auto& e : expected) {
        const QRegularExpression re(header.arg(e.priority) + QRegularExpression::escape(e.text));
        QVERIFY2(std::any_of(lines.cbegin(), lines.cend(),
                             [&](const QString& l) { return re.match(l).hasMatch(); }),
                 qPrintable(e.text + QStringLiteral(" not among:\n") + lines.join('\n')));
    }
    // Reads are no security events.
    QVERIFY(lines.filter(QStringLiteral("ListTunnels")).isEmpty());
}

// A uid that polkit refuses floods Connect: polkit is asked kMaxRefusalsPerUid times, then
// the helper answers RateLimited at once; the in-memory log and syslog get at most
// kEventsPerWindow of its events per window plus one "suppressed" line, so older entries stay.
void TestDBusApi::refusedFloodIsRateLimitedBeforePolkit()
{
    constexpr int kCalls = 2500; // unlimited, their entries alone would wrap the 2000-entry ring
    const QString profile =
        m_harness.writeFile("flood.json", profileJson({"flood", "ptflood", "10.244.41.1/24", 8341,
                                                       "10.211.55.123:8342", "10.244.42.0/24"}));
    // Every CheckAuthorization on the bus, whoever asks.
    QProcess monitor;
    monitor.setProcessChannelMode(QProcess::MergedChannels);
    monitor.start(QStringLiteral("dbus-monitor"),
                  {QStringLiteral("--address"), m_harness.busAddress(),
                   QStringLiteral("type='method_call',interface='org.freedesktop.PolicyKit1."
                                  "Authority',member='CheckAuthorization'")});
    QVERIFY(monitor.waitForStarted(5000));
    QTRY_VERIFY_WITH_TIMEOUT(monitor.bytesAvailable() > 0, 5000); // it announces its name
    QThread::msleep(200);
    const QByteArray before = monitor.readAll();

    const QVariantMapList old = logSince(0);
    QVERIFY(!old.isEmpty());
    const quint64 newestBefore = old.last().value("seq").toULongLong();
    const qsizetype syslogBefore = m_harness.syslogLines().size();

    QElapsedTimer elapsed;
    elapsed.start();
    const CommandResult r =
        m_harness.runAsUser(kFloodUser, floodClient(), {QString::number(kCalls), profile}, 120000);
    const qint64 floodMs = elapsed.elapsed();
    QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
    QMap<QString, int> outcomes;
    for (const QString& line : r.out.split('\n', Qt::SkipEmptyParts)) {
        outcomes.insert(line.section(' ', 0, 0), line.section(' ', 1).toInt());
    }
    // The refusal window is 60 s: a flood that took longer gets polkit's answer once more.
    const int refusalWindows = 1 + int(floodMs / HelperService::kRefusalWindowMs);
    const int refusals = HelperService::kMaxRefusalsPerUid * refusalWindows;
    QCOMPARE(outcomes.value("io.peertun.Error.NotAuthorized"), refusals);
    QCOMPARE(outcomes.value("io.peertun.Error.RateLimited"), kCalls - refusals);
    QCOMPARE(outcomes.size(), 2);

    // polkit was asked exactly that often.
    QThread::msleep(300);
    monitor.terminate();
    monitor.waitForFinished(5000);
    const QByteArray seen = before + monitor.readAll();
    QCOMPARE(int(seen.count("member=CheckAuthorization")), refusals);

    // The in-memory ring kept what came before; the flood's share is bounded.
    const passwd* pw = getpwnam(kFloodUser.toLocal8Bit().constData());
    QVERIFY(pw != nullptr);
    const QString uid = QString::number(pw->pw_uid);
    const QVariantMapList after = logSince(newestBefore - 1);
    QVERIFY(!after.isEmpty());
    QCOMPARE(after.first().value("seq").toULongLong(), newestBefore);
    const int windows = 1 + int(floodMs / AuditLog::kWindowMs);
    int ofFlood = 0;
    for (const QVariantMap& e : after) {
        ofFlood += e.value("text").toString().contains(QStringLiteral("uid %1 ").arg(uid)) ? 1 : 0;
    }
    QVERIFY2(ofFlood >= AuditLog::kEventsPerWindow &&
                 ofFlood <= AuditLog::kEventsPerWindow * windows + windows,
             qPrintable(QString::number(ofFlood)));

    // syslog: the refusals (not the traces), at most kEventsPerWindow per window.
    QStringList floodLines;
    QTRY_VERIFY_WITH_TIMEOUT(
        (floodLines = m_harness.syslogLines().mid(syslogBefore))
                .filter(QStringLiteral("security events of uid %1 were suppressed").arg(uid))
                .size() >= 1,
        AuditLog::kWindowMs + 3000);
    QVERIFY(floodLines.filter(QStringLiteral("Connect denied to uid %1 ").arg(uid)).size() >=
            HelperService::kMaxRefusalsPerUid);
    QVERIFY(floodLines.filter(QStringLiteral("asking polkit")).isEmpty());
    QVERIFY2(floodLines.size() <= AuditLog::kEventsPerWindow * windows + windows,
             qPrintable(floodLines.join('\n')));
    // The suppressed count, in memory too.
    const QVariantMapList summary = logSince(newestBefore);
    QVERIFY(std::any_of(summary.cbegin(), summary.cend(), [&](const QVariantMap& e) {
        return e.value("text").toString().contains(
            QStringLiteral("security events of uid %1 were suppressed").arg(uid));
    }));
    // Another uid is not affected.
    const CommandResult denied = m_harness.runCtl(kDeniedUser, {"up", profile});
    QCOMPARE(denied.exitCode, 3);
    QVERIFY2(denied.err.contains(QStringLiteral("io.peertun.Error.NotAuthorized")),
             qPrintable(denied.err));
    // peertunctl names it.
    const CommandResult limited = m_harness.runCtl(kFloodUser, {"up", profile});
    QCOMPARE(limited.exitCode, 10);
    QVERIFY2(limited.err.contains(QStringLiteral("io.peertun.Error.RateLimited")),
             qPrintable(limited.err));
    QCOMPARE(listTunnels().size(), 0);
    qInfo("flood of %d calls: %lld ms", kCalls, floodMs);
}

// Requests waiting for polkit are capped per uid too, however many connections it opens:
// three connections of one (slow) user with three requests each, one more than the cap.
void TestDBusApi::pendingRequestsPerUid()
{
    static_assert(3 * 3 == HelperService::kMaxPendingCallsPerUid + 1);
    static_assert(3 <= HelperService::kMaxPendingCallsPerCaller);
    const QString profile = m_harness.writeFile("pending.json", "{ not json"); // never connects
    std::vector<std::unique_ptr<QProcess>> clients;
    for (int i = 0; i < 3; ++i) {
        clients.push_back(
            m_harness.startAsUser(kSlowUser, floodClient(), {"--parallel", "3", profile}));
    }
    QByteArray out;
    const auto busyReplies = [&] {
        for (auto& c : clients) {
            out += c->readAllStandardOutput();
        }
        return out.count("reply io.peertun.Error.Busy");
    };
    QTRY_VERIFY_WITH_TIMEOUT(busyReplies() == 1, 5000);
    QThread::msleep(200);
    QCOMPARE(busyReplies(), 1); // the other eight wait for polkit
    QVERIFY2(!out.contains("NotAuthorized") && !out.contains("InvalidProfile"), out.constData());
    for (auto& c : clients) { // the helper drops their requests
        c->kill();
        c->waitForFinished(2000);
    }
    const QVariantMapList entries = logSince(0);
    QVERIFY(std::any_of(entries.cbegin(), entries.cend(), [](const QVariantMap& e) {
        return e.value("text").toString().contains(
            QStringLiteral("refused: too many of its requests are waiting for authorization"));
    }));
}

void TestDBusApi::idleHelperExitsAndComesBack()
{
    // Restart the helper with a short idle period: it must leave on its own, and the next
    // call must bring it back through activation.
    const uint oldPid = m_harness.helperPid();
    QVERIFY(oldPid != 0);
    m_harness.setHelperIdleExit(2);
    ::kill(pid_t(oldPid), SIGTERM);
    QTRY_VERIFY_WITH_TIMEOUT(m_harness.helperPid() == 0, 10000);
    QVERIFY(m_harness.runCtl(kDeniedUser, {"version"}).exitCode == 0);
    const uint newPid = m_harness.helperPid();
    QVERIFY(newPid != 0 && newPid != oldPid);
    QTRY_VERIFY_WITH_TIMEOUT(m_harness.helperPid() == 0, 10000);
    QVERIFY(m_harness.runCtl(kDeniedUser, {"version"}).exitCode == 0);
    QVERIFY(m_harness.helperPid() != 0);
    m_harness.setHelperIdleExit(0);
}

QTEST_GUILESS_MAIN(TestDBusApi)
#include "tst_dbus_api.moc"
