// The app against the real helper: a private system bus, real polkitd, the helper bus-activated
// in network namespace ns1 and the far side (10.244.3.3/24) standalone in ns2, all from
// tests/root/lab/DBusHarness. The GUI itself (gui_driver) runs as the allowed or the denied test
// user; this process (root) pings through the tunnel all along, kills the helper and takes
// screenshots when the driver asks. Runs offscreen in English and Chinese, and once under Xvfb
// with trayer as the tray host. The far side is also reachable by a name (far.peertun.test, in
// the hosts file the helper reads), which the driver types into the editor with DNS and the
// kill switch; the kill switch's nftables table lives in ns1 only (the helper is killed with it
// on once: the table stays, and the app disconnects the "blocked" tunnel to lift it). A third
// host (10.244.5.5, standalone in its own namespace ns3, joined to ns1 by a second veth pair)
// is added to the connected tunnel in the editor as a new peer: the app applies it live, and
// this process checks it is reachable while the device, the connect time and a steady ping
// through the unchanged peer go on. A mesh profile typed into the editor joins a network in a
// real etcd (in ns2, with two `--standalone` members there): the window lists the members as
// they come and go, and while etcd is stopped the details, the tray and `peertunctl status`
// say since when the coordination store is unreachable, the members still answering.
// Screenshots go to <build>/tests/root/gui/artifacts/.
#include "DBusHarness.h"
#include "EmergencyCleanup.h"
#include "GuiTestProfiles.h"
#include "Profile.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QTest>
#include <algorithm>
#include <csignal>
#include <map>
#include <pwd.h>
#include <unistd.h>

using namespace peertun;
using namespace peertun::test;

namespace {

const QString kFarAddress = QStringLiteral("10.244.3.3");
// The far side's underlay address by name, from the helper's hosts file (gui_driver types it).
const QString kFarName = QStringLiteral("far.peertun.test");

// The third host: in its own namespace, reached from ns1 over a second veth pair.
const QString kThirdAddress = QStringLiteral("10.244.5.5");
const QString kNs1ThirdLink = QStringLiteral("10.211.56.1");
const QString kThirdUnderlay = QStringLiteral("10.211.56.2");

Profile thirdHostProfile()
{
    QString error;
    Profile p;
    p.name = QStringLiteral("third");
    p.mode = TunnelMode::WireGuard;
    p.interface.privateKey = kThirdPrivateKey;
    p.interface.name = QStringLiteral("flannel99");
    p.interface.address = *parseCidr(kThirdAddress + QStringLiteral("/24"), &error, false);
    p.interface.listen = *parseEndpoint(kThirdUnderlay + QStringLiteral(":8285"), &error, true);
    PeerConfig peer;
    peer.name = QStringLiteral("host-1");
    peer.endpoint = *parseEndpoint(kUnderlayAddress1 + QStringLiteral(":8285"), &error, false);
    peer.subnets << *parseCidr(QStringLiteral("10.244.2.0/24"), &error, true);
    peer.publicKey = publicKeyOf(kNearPrivateKey);
    p.peers << peer;
    return p;
}

// The mesh: etcd in ns2 on the far side's underlay address; member 1 in ns2, member 2 in ns3
// (each host's routes to the others' subnets are its own: one namespace, one member).
const QString kEtcdUrl = QStringLiteral("http://10.211.55.123:2379");
const QString kMeshPrefix = QStringLiteral("/peertun/gui");
const QString kNs2ThirdLink = QStringLiteral("10.211.57.1");
const QString kThirdToNs2 = QStringLiteral("10.211.57.2");

Profile meshMemberProfile(int n)
{
    Profile p;
    p.name = QStringLiteral("member%1").arg(n);
    p.mode = TunnelMode::Plain;
    p.interface.name = QStringLiteral("ptmesh%1").arg(n);
    // The listen address is the PublicIP its lease names.
    p.interface.listen = *parseEndpoint((n == 1 ? kUnderlayAddress2 : kThirdUnderlay) +
                                            QStringLiteral(":%1").arg(8295 + n),
                                        nullptr, true);
    MeshConfig mesh;
    mesh.etcd << kEtcdUrl;
    mesh.prefix = kMeshPrefix;
    p.mesh = mesh;
    return p;
}

Profile farSideProfile()
{
    // The second host: 10.244.3.3/24 on 10.211.55.123, reaching 10.244.2.0/24, in
    // WireGuard mode (the app's "office" profile holds the other key pair).
    QString error;
    Profile p;
    p.name = QStringLiteral("far");
    p.mode = TunnelMode::WireGuard;
    p.interface.privateKey = kFarPrivateKey;
    p.interface.name = QStringLiteral("flannel99");
    p.interface.address = *parseCidr(QStringLiteral("10.244.3.3/24"), &error, false);
    p.interface.listen = *parseEndpoint(kUnderlayAddress2 + QStringLiteral(":8285"), &error, true);
    PeerConfig peer;
    peer.name = QStringLiteral("host-1");
    peer.endpoint = *parseEndpoint(kUnderlayAddress1 + QStringLiteral(":8285"), &error, false);
    peer.subnets << *parseCidr(QStringLiteral("10.244.2.0/24"), &error, true);
    peer.publicKey = publicKeyOf(kNearPrivateKey);
    p.peers << peer;
    return p;
}

} // namespace

class TestGuiHelper : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void allowedUserOffscreenEnglish();
    void deniedUserSeesRefusal();
    void allowedUserOffscreenChinese();
    void tunnelAlreadyUpIsPickedUp();
    void refusedReconnectKeepsTheOffer();
    void autoconnectBringsUpTheMarkedProfile();
    void meshTunnelInTheApp();
    void underXvfbWithTrayer();

private:
    // Runs gui_driver as `user` with the given extra environment and driver arguments,
    // answering its requests; returns its exit code (Qt Test: number of failures).
    int runDriver(const QString& user, const QStringList& environment, const QStringList& args,
                  int timeoutMs = 180000);
    QString userDir(const QString& user, const QString& name);
    // ns3, joined to ns1 by a veth pair (and, with toNs2, to ns2 by another).
    bool makeNs3(bool toNs2, QString* error);
    bool startThirdHost(QString* error);
    void stopThirdHost();
    // From ns1: some ping to `address` answers within `timeoutMs`.
    bool pingAnswers(const QString& address, int timeoutMs);
    QString deviceIndex();
    bool startEtcd(QString* error);
    void stopEtcd();
    bool startMeshMember(int n, QString* error);
    void stopMeshMember(int n);
    // The member's tunnel address, from its "tunnel up: ptmeshN 10.250.X.1/24" line.
    QString meshMemberAddress(int n);
    // Stops a tracked process: TERM, then KILL.
    static void stopProcess(std::unique_ptr<QProcess>& process, int& slot);
    bool startXvfb(QString* error);
    void stopXvfb();

    DBusHarness m_harness;
    QProcess m_traffic;
    std::unique_ptr<QProcess> m_xvfb;
    std::unique_ptr<QProcess> m_trayer;
    int m_display = 0;
    QString m_artifacts;
    QString m_ns3;
    bool m_ns3ToNs2 = false;
    std::unique_ptr<QProcess> m_third;
    int m_thirdSlot = -1;
    std::unique_ptr<QProcess> m_steadyPing;
    QString m_rememberedDevice;
    std::unique_ptr<QProcess> m_etcd;
    int m_etcdSlot = -1;
    std::map<int, std::unique_ptr<QProcess>> m_members;
    std::map<int, int> m_memberSlots;
};

void TestGuiHelper::initTestCase()
{
    if (::geteuid() != 0) {
        QSKIP("needs root: private system bus, polkitd, network namespaces, test users");
    }
    QString error;
    if (!m_harness.setUp(&error)) {
        QFAIL(qPrintable(error));
    }
    m_artifacts = QStringLiteral(PEERTUN_GUI_ARTIFACTS_DIR);
    QVERIFY(QDir().mkpath(m_artifacts));
    // The test users write their screenshots here. Their names differ per run (each test
    // process makes its own users), so an earlier run's files are another user's: remove them.
    QFile::setPermissions(m_artifacts, QFileDevice::Permissions(0x7777));
    for (const QString& old : QDir(m_artifacts).entryList({QStringLiteral("*.png")}, QDir::Files)) {
        QVERIFY(QFile::remove(m_artifacts + QLatin1Char('/') + old));
    }

    QVERIFY(m_harness.addHelperHost(kUnderlayAddress2, kFarName));

    QProcess* far =
        m_harness.startFarSide(m_harness.writeFile("far.json", serializeProfile(farSideProfile())));
    QVERIFY(far->state() == QProcess::Running);
    QTRY_VERIFY_WITH_TIMEOUT(DBusHarness::run(DBusHarness::ipBinary(),
                                              {"-n", m_harness.ns2(), "link", "show", "flannel99"})
                                     .exitCode == 0,
                             10000);
    // Traffic through the tunnel whenever it is up (pings fail quietly while it is down).
    m_traffic.start(
        QStringLiteral("sh"),
        {"-c", QStringLiteral("while :; do %1 netns exec %2 ping -q -c 40 -i 0.05 -s 1200 -W 1 "
                              "%3 >/dev/null 2>&1; sleep 0.2; done")
                   .arg(DBusHarness::ipBinary(), m_harness.ns1(), kFarAddress)});
    QVERIFY(m_traffic.waitForStarted());
}

void TestGuiHelper::cleanupTestCase()
{
    if (m_traffic.state() != QProcess::NotRunning) {
        m_traffic.kill();
        m_traffic.waitForFinished(3000);
    }
    if (m_steadyPing) {
        m_steadyPing->kill();
        m_steadyPing->waitForFinished(3000);
        m_steadyPing.reset();
    }
    stopThirdHost();
    for (auto& [n, process] : m_members) {
        stopProcess(process, m_memberSlots[n]);
    }
    stopEtcd();
    stopXvfb();
    m_harness.tearDown();
}

bool TestGuiHelper::makeNs3(bool toNs2, QString* error)
{
    QList<QStringList> steps;
    if (m_ns3.isEmpty()) {
        m_ns3 = QStringLiteral("ptgui3-%1").arg(::getpid());
        testlab::trackNamespace(m_ns3); // before it exists: an interrupt must still remove it
        steps = {
            {"netns", "add", m_ns3},
            {"-n", m_ns3, "link", "set", "lo", "up"},
            {"-n", m_harness.ns1(), "link", "add", "veth-pt3", "type", "veth", "peer", "name",
             "veth-pt4", "netns", m_ns3},
            {"-n", m_harness.ns1(), "addr", "add", kNs1ThirdLink + "/24", "dev", "veth-pt3"},
            {"-n", m_ns3, "addr", "add", kThirdUnderlay + "/24", "dev", "veth-pt4"},
            {"-n", m_harness.ns1(), "link", "set", "veth-pt3", "up"},
            {"-n", m_ns3, "link", "set", "veth-pt4", "up"},
            // Back to the near host's tunnel socket, bound to its address on the first pair.
            {"-n", m_ns3, "route", "add", kUnderlayAddress1 + "/32", "via", kNs1ThirdLink},
        };
    }
    if (toNs2 && !m_ns3ToNs2) {
        m_ns3ToNs2 = true;
        steps += QList<QStringList>{
            {"-n", m_harness.ns2(), "link", "add", "veth-pt5", "type", "veth", "peer", "name",
             "veth-pt6", "netns", m_ns3},
            {"-n", m_harness.ns2(), "addr", "add", kNs2ThirdLink + "/24", "dev", "veth-pt5"},
            {"-n", m_ns3, "addr", "add", kThirdToNs2 + "/24", "dev", "veth-pt6"},
            {"-n", m_harness.ns2(), "link", "set", "veth-pt5", "up"},
            {"-n", m_ns3, "link", "set", "veth-pt6", "up"},
            // etcd and member 1, on the far side's address.
            {"-n", m_ns3, "route", "add", kUnderlayAddress2 + "/32", "via", kNs2ThirdLink},
        };
    }
    for (const QStringList& step : std::as_const(steps)) {
        const CommandResult r = DBusHarness::run(DBusHarness::ipBinary(), step);
        if (r.exitCode != 0) {
            *error = QStringLiteral("ip %1: %2").arg(step.join(u' '), r.describe());
            return false;
        }
    }
    return true;
}

bool TestGuiHelper::startThirdHost(QString* error)
{
    if (m_third) {
        return true;
    }
    const QString ip = DBusHarness::ipBinary();
    if (!makeNs3(false, error)) {
        return false;
    }
    const QString profile = m_harness.writeFile("third.json", serializeProfile(thirdHostProfile()));
    m_third = std::make_unique<QProcess>();
    m_third->setStandardOutputFile(QDir(m_harness.dir()).filePath("third-host.log"));
    m_third->setStandardErrorFile(QDir(m_harness.dir()).filePath("third-host.log"),
                                  QIODevice::Append);
    m_third->start(ip, {"netns", "exec", m_ns3, m_harness.helperBinary(), "--standalone", profile});
    if (!m_third->waitForStarted(5000)) {
        *error = QStringLiteral("the third host's helper did not start");
        return false;
    }
    m_thirdSlot = testlab::trackPid(pid_t(m_third->processId()));
    QElapsedTimer wait;
    wait.start();
    while (DBusHarness::run(ip, {"-n", m_ns3, "link", "show", "flannel99"}).exitCode != 0) {
        if (wait.elapsed() > 10000 || m_third->state() != QProcess::Running) {
            *error = QStringLiteral("the third host's tunnel did not come up");
            return false;
        }
        QTest::qWait(100);
    }
    return true;
}

void TestGuiHelper::stopThirdHost()
{
    if (m_third) {
        m_third->terminate();
        if (!m_third->waitForFinished(3000)) {
            m_third->kill();
            m_third->waitForFinished(3000);
        }
        testlab::untrackPid(m_thirdSlot);
        m_thirdSlot = -1;
        m_third.reset();
    }
    if (!m_ns3.isEmpty()) {
        // Deleting the namespace takes its veth end, and so the pair, with it.
        DBusHarness::run(DBusHarness::ipBinary(), {"netns", "del", m_ns3});
        testlab::untrackNamespace(m_ns3);
        m_ns3.clear();
        m_ns3ToNs2 = false;
    }
}

void TestGuiHelper::stopProcess(std::unique_ptr<QProcess>& process, int& slot)
{
    if (!process) {
        return;
    }
    process->terminate();
    if (!process->waitForFinished(5000)) {
        process->kill();
        process->waitForFinished(3000);
    }
    testlab::untrackPid(slot);
    slot = -1;
    process.reset();
}

bool TestGuiHelper::startEtcd(QString* error)
{
    const QString etcd = qEnvironmentVariable("PEERTUN_ETCD_DIR") + QStringLiteral("/usr/bin/etcd");
    if (!QFile::exists(etcd)) {
        *error = QStringLiteral("etcd is not unpacked at PEERTUN_ETCD_DIR (the mesh_etcd_unpack "
                                "test does it)");
        return false;
    }
    // Its data stays in the test's folder, so a restart finds the leases again.
    const QString data = QDir(m_harness.dir()).filePath(QStringLiteral("etcd-data"));
    m_etcd = std::make_unique<QProcess>();
    m_etcd->setStandardOutputFile(QDir(m_harness.dir()).filePath("etcd.log"), QIODevice::Append);
    m_etcd->setStandardErrorFile(QDir(m_harness.dir()).filePath("etcd.log"), QIODevice::Append);
    m_etcd->start(DBusHarness::ipBinary(),
                  {"netns", "exec", m_harness.ns2(), etcd, "--name", "gui", "--data-dir", data,
                   "--listen-client-urls", kEtcdUrl, "--advertise-client-urls", kEtcdUrl,
                   "--listen-peer-urls", "http://127.0.0.1:2380", "--initial-advertise-peer-urls",
                   "http://127.0.0.1:2380", "--initial-cluster", "gui=http://127.0.0.1:2380"});
    if (!m_etcd->waitForStarted(5000)) {
        *error = QStringLiteral("etcd did not start");
        return false;
    }
    m_etcdSlot = testlab::trackPid(pid_t(m_etcd->processId()));
    // The network, as a user writes it (again after a restart: it is there, unchanged).
    QElapsedTimer wait;
    wait.start();
    CommandResult init;
    do {
        init =
            DBusHarness::run(DBusHarness::ipBinary(),
                             {"netns", "exec", m_harness.ns2(), qEnvironmentVariable("PEERTUNCTL"),
                              "mesh", "init", "--etcd", kEtcdUrl, "--network", "10.250.0.0/16",
                              "--backend", "udp", "--prefix", kMeshPrefix});
    } while (init.exitCode != 0 && wait.elapsed() < 15000 && (QTest::qWait(200), true));
    if (init.exitCode != 0) {
        *error = QStringLiteral("peertunctl mesh init: %1").arg(init.describe());
        return false;
    }
    return true;
}

void TestGuiHelper::stopEtcd()
{
    stopProcess(m_etcd, m_etcdSlot);
}

bool TestGuiHelper::startMeshMember(int n, QString* error)
{
    stopProcess(m_members[n], m_memberSlots[n]);
    if (n != 1 && !makeNs3(true, error)) {
        return false;
    }
    const QString profile = m_harness.writeFile(QStringLiteral("member%1.json").arg(n),
                                                serializeProfile(meshMemberProfile(n)));
    const QString log = QDir(m_harness.dir()).filePath(QStringLiteral("member%1.log").arg(n));
    QFile::remove(log);
    auto& process = m_members[n];
    process = std::make_unique<QProcess>();
    process->setStandardOutputFile(log);
    process->setStandardErrorFile(log, QIODevice::Append);
    process->start(DBusHarness::ipBinary(), {"netns", "exec", n == 1 ? m_harness.ns2() : m_ns3,
                                             m_harness.helperBinary(), "--standalone", profile});
    if (!process->waitForStarted(5000)) {
        *error = QStringLiteral("mesh member %1 did not start").arg(n);
        return false;
    }
    m_memberSlots[n] = testlab::trackPid(pid_t(process->processId()));
    QElapsedTimer wait;
    wait.start();
    while (meshMemberAddress(n).isEmpty()) {
        if (wait.elapsed() > 15000 || process->state() != QProcess::Running) {
            *error = QStringLiteral("mesh member %1 did not come up").arg(n);
            return false;
        }
        QTest::qWait(100);
    }
    return true;
}

void TestGuiHelper::stopMeshMember(int n)
{
    stopProcess(m_members[n], m_memberSlots[n]); // SIGTERM: it revokes its lease
}

QString TestGuiHelper::meshMemberAddress(int n)
{
    QFile log(QDir(m_harness.dir()).filePath(QStringLiteral("member%1.log").arg(n)));
    if (!log.open(QIODevice::ReadOnly)) {
        return QString();
    }
    const QRegularExpression up(QStringLiteral("tunnel up: ptmesh%1 ([0-9.]+)/").arg(n));
    return up.match(QString::fromUtf8(log.readAll())).captured(1);
}

bool TestGuiHelper::pingAnswers(const QString& address, int timeoutMs)
{
    QElapsedTimer wait;
    wait.start();
    do {
        if (DBusHarness::run(DBusHarness::ipBinary(), {"netns", "exec", m_harness.ns1(), "ping",
                                                       "-c", "1", "-W", "1", "-n", "-q", address})
                .exitCode == 0) {
            return true;
        }
    } while (wait.elapsed() < timeoutMs);
    return false;
}

QString TestGuiHelper::deviceIndex()
{
    // "7: flannel99: <...>": the index changes when the device is made anew (a reconnect).
    const CommandResult link = m_harness.ipNs1({"-o", "link", "show", "flannel99"});
    return link.exitCode == 0 ? link.out.section(u':', 0, 0).trimmed() : QString();
}

QString TestGuiHelper::userDir(const QString& user, const QString& name)
{
    // Owned by the test user: its HOME (fontconfig cache, Qt's runtime dir) and profiles.
    QString path = QDir(m_harness.dir()).filePath(name);
    QDir().mkpath(path);
    if (const passwd* pw = getpwnam(user.toLocal8Bit().constData())) {
        if (::chown(QFile::encodeName(path).constData(), pw->pw_uid, pw->pw_gid) != 0) {
            qWarning("chown %s failed", qPrintable(path));
        }
    }
    QFile::setPermissions(path,
                          QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    // The harness dir itself must let the user through.
    QFile::setPermissions(m_harness.dir(), QFile::permissions(m_harness.dir()) |
                                               QFileDevice::ExeOther | QFileDevice::ExeGroup);
    return path;
}

int TestGuiHelper::runDriver(const QString& user, const QStringList& environment,
                             const QStringList& args, int timeoutMs)
{
    const QString home = userDir(user, QStringLiteral("home-") + user);
    const QString runtime = userDir(user, QStringLiteral("runtime-") + user);
    const QStringList env =
        QStringList{QStringLiteral("HOME=") + home, QStringLiteral("XDG_RUNTIME_DIR=") + runtime,
                    QStringLiteral("DBUS_SESSION_BUS_ADDRESS=disabled:")} +
        environment;
    std::unique_ptr<QProcess> driver = m_harness.startAsUser(
        user, QStringLiteral("/usr/bin/env"),
        env +
            QStringList{qEnvironmentVariable("PEERTUN_GUI_DRIVER"), QStringLiteral("--profiles"),
                        userDir(user, QStringLiteral("profiles-") + user),
                        QStringLiteral("--artifacts"), m_artifacts} +
            args);
    driver->setProcessChannelMode(QProcess::MergedChannels);
    if (driver->state() != QProcess::Running) {
        qWarning("cannot start the driver as %s", qPrintable(user));
        return -1;
    }
    QByteArray pending;
    QElapsedTimer clock;
    clock.start();
    while (driver->state() == QProcess::Running && clock.elapsed() < timeoutMs) {
        driver->waitForReadyRead(200);
        pending += driver->readAll();
        qsizetype newline;
        while ((newline = pending.indexOf('\n')) >= 0) {
            const QByteArray line = pending.left(newline);
            pending.remove(0, newline + 1);
            qInfo("[%s] %s", qPrintable(user), line.constData());
            if (!line.startsWith("@@ ")) {
                continue;
            }
            const QList<QByteArray> words = line.mid(3).split(' ');
            bool ok = false;
            if (words.value(0) == "kill-helper") {
                const uint pid = m_harness.helperPid();
                if (pid != 0 && ::kill(pid_t(pid), SIGKILL) == 0) {
                    QElapsedTimer wait;
                    wait.start();
                    while (m_harness.helperPid() != 0 && wait.elapsed() < 10000) {
                        QTest::qWait(100);
                    }
                    ok = m_harness.helperPid() == 0;
                }
            } else if (words.value(0) == "check-mtu") {
                // The device runs the MTU the app's edited profile asked for.
                const CommandResult link = m_harness.ipNs1({"link", "show", "flannel99"});
                ok = link.exitCode == 0 && link.out.contains(QStringLiteral("mtu %1 ").arg(
                                               QString::fromUtf8(words.value(1))));
            } else if (words.value(0) == "start-third-host") {
                QString error;
                ok = startThirdHost(&error);
                if (!ok) {
                    qWarning("third host: %s", qPrintable(error));
                }
            } else if (words.value(0) == "check-ping") {
                ok = pingAnswers(QString::fromUtf8(words.value(1)), 15000);
            } else if (words.value(0) == "check-no-ping") {
                ok = !pingAnswers(QString::fromUtf8(words.value(1)), 2000);
            } else if (words.value(0) == "remember-device") {
                m_rememberedDevice = deviceIndex();
                ok = !m_rememberedDevice.isEmpty();
            } else if (words.value(0) == "check-same-device") {
                const QString now = deviceIndex();
                qInfo("device index %s, before %s", qPrintable(now),
                      qPrintable(m_rememberedDevice));
                ok = !now.isEmpty() && now == m_rememberedDevice;
            } else if (words.value(0) == "start-steady-ping") {
                // 20 pings a second through the unchanged peer while the peers change.
                m_steadyPing = std::make_unique<QProcess>();
                m_steadyPing->setProcessChannelMode(QProcess::MergedChannels);
                m_steadyPing->start(DBusHarness::ipBinary(),
                                    {"netns", "exec", m_harness.ns1(), "ping", "-n", "-c", "1000",
                                     "-i", "0.05", "-W", "1", kFarAddress});
                ok = m_steadyPing->waitForStarted(5000);
            } else if (words.value(0) == "check-steady-ping" && m_steadyPing) {
                // Every request up to the last one answered has its reply: none lost while
                // the peers changed (the one in flight when ping stops is not a gap).
                QTest::qWait(500);
                ::kill(pid_t(m_steadyPing->processId()), SIGINT);
                m_steadyPing->waitForFinished(5000);
                const QString out = QString::fromUtf8(m_steadyPing->readAll());
                m_steadyPing.reset();
                QSet<int> answered;
                static const QRegularExpression reply(QStringLiteral("icmp_seq=(\\d+) "));
                for (auto it = reply.globalMatch(out); it.hasNext();) {
                    answered.insert(it.next().captured(1).toInt());
                }
                const int last =
                    answered.isEmpty() ? 0 : *std::max_element(answered.cbegin(), answered.cend());
                qInfo("steady ping through the unchanged peer: %d replies, last icmp_seq %d",
                      int(answered.size()), last);
                ok = last >= 20 && answered.size() == last;
            } else if (words.value(0) == "start-mesh-member" ||
                       words.value(0) == "stop-mesh-member") {
                const int n = words.value(1).toInt();
                QString error;
                if (words.value(0) == "stop-mesh-member") {
                    stopMeshMember(n);
                    ok = true;
                } else if (!(ok = startMeshMember(n, &error))) {
                    qWarning("%s", qPrintable(error));
                }
            } else if (words.value(0) == "check-mesh-ping") {
                const QString address = meshMemberAddress(words.value(1).toInt());
                ok = !address.isEmpty() && pingAnswers(address, 10000);
                qInfo("mesh member %s at %s: %s", words.value(1).constData(), qPrintable(address),
                      ok ? "answers" : "no answer");
            } else if (words.value(0) == "stop-etcd") {
                stopEtcd();
                ok = true;
            } else if (words.value(0) == "start-etcd") {
                QString error;
                if (!(ok = startEtcd(&error))) {
                    qWarning("%s", qPrintable(error));
                }
            } else if (words.value(0) == "check-ctl-unreachable" ||
                       words.value(0) == "check-ctl-reachable") {
                // What `peertunctl status NAME` prints for the mesh tunnel.
                const CommandResult status =
                    m_harness.runCtl(kAllowedUser, {"status", QString::fromUtf8(words.value(1))});
                qInfo("peertunctl status: %s", qPrintable(status.out));
                const bool unreachable =
                    status.out.contains(QStringLiteral("coordination store unreachable since 20"));
                ok = status.exitCode == 0 &&
                     status.out.contains(QStringLiteral("  mesh:      running")) &&
                     unreachable == (words.value(0) == "check-ctl-unreachable");
            } else if (words.value(0) == "check-device") {
                ok = m_harness.ipNs1({"link", "show", "flannel99"}).exitCode == 0;
            } else if (words.value(0) == "check-no-device") {
                ok = m_harness.ipNs1({"link", "show", "flannel99"}).exitCode != 0;
            } else if (words.value(0) == "check-killswitch" ||
                       words.value(0) == "check-no-killswitch") {
                // The helper's nftables table in ns1, and what it does: the far side's underlay
                // address, outside the tunnel, answers a ping only while the switch is off.
                const bool want = words.value(0) == "check-killswitch";
                const bool table = DBusHarness::run(DBusHarness::ipBinary(),
                                                    {"netns", "exec", m_harness.ns1(), "nft",
                                                     "list", "table", "inet", "peertun"})
                                       .exitCode == 0;
                const bool direct =
                    DBusHarness::run(DBusHarness::ipBinary(),
                                     {"netns", "exec", m_harness.ns1(), "ping", "-c", "1", "-W",
                                      "1", "-n", "-q", kUnderlayAddress2})
                        .exitCode == 0;
                qInfo("kill switch table %s, direct ping %s", table ? "present" : "absent",
                      direct ? "answered" : "blocked");
                ok = want ? (table && !direct) : (!table && direct);
            } else if (words.value(0) == "screenshot" && m_display != 0) {
                const QString path =
                    QStringLiteral("%1/%2.png").arg(m_artifacts, QString::fromUtf8(words.value(1)));
                ok = DBusHarness::run(QStringLiteral("import"),
                                      {"-display", QStringLiteral(":%1").arg(m_display), "-window",
                                       "root", path})
                         .exitCode == 0;
                qInfo("screenshot %s", qPrintable(path));
            }
            driver->write(ok ? "ok\n" : "failed\n");
        }
    }
    if (driver->state() == QProcess::Running) {
        qWarning("the driver timed out");
        driver->kill();
        driver->waitForFinished(3000);
        return -1;
    }
    qInfo("[%s] %s", qPrintable(user), (pending + driver->readAll()).constData());
    return driver->exitStatus() == QProcess::NormalExit ? driver->exitCode() : -1;
}

void TestGuiHelper::allowedUserOffscreenEnglish()
{
    const int failures = runDriver(
        kAllowedUser, {"QT_QPA_PLATFORM=offscreen", "LANG=C.UTF-8"},
        {"--lang", "en", "helperIsFoundAndTrayIsThere", "connectReachesConnected",
         "countersAndGraphMoveWithTraffic", "screenshots", "editingARunningTunnelOffersReconnect",
         "renamingARunningTunnelReconnectsUnderTheNewName",
         "addingAPeerToARunningTunnelAppliesItLive", "disconnectReturnsToDisconnected",
         "hostNameDnsAndKillSwitchFromTheEditor", "killedHelperShowsBannerAndAppRecovers"});
    if (failures != 0) {
        m_harness.dumpLogs();
    }
    QCOMPARE(failures, 0);
    QVERIFY(QFile::exists(m_artifacts + "/main-connected-en.png"));
    QVERIFY(QFile::exists(m_artifacts + "/editor-en.png"));
}

void TestGuiHelper::deniedUserSeesRefusal()
{
    const int failures = runDriver(kDeniedUser, {"QT_QPA_PLATFORM=offscreen", "LANG=C.UTF-8"},
                                   {"--lang", "en", "deniedUserSeesRefusal"});
    if (failures != 0) {
        m_harness.dumpLogs();
    }
    QCOMPARE(failures, 0);
    // Nothing changed in ns1.
    QVERIFY(m_harness.ipNs1({"link", "show", "flannel99"}).exitCode != 0);
}

void TestGuiHelper::allowedUserOffscreenChinese()
{
    const int failures = runDriver(kAllowedUser, {"QT_QPA_PLATFORM=offscreen", "LANG=zh_CN.UTF-8"},
                                   {"--lang", "zh_CN", "helperIsFoundAndTrayIsThere",
                                    "connectReachesConnected", "countersAndGraphMoveWithTraffic",
                                    "screenshots", "disconnectReturnsToDisconnected"});
    if (failures != 0) {
        m_harness.dumpLogs();
    }
    QCOMPARE(failures, 0);
    QVERIFY(QFile::exists(m_artifacts + "/main-connected-zh_CN.png"));
    QVERIFY(QFile::exists(m_artifacts + "/editor-zh_CN.png"));
}

void TestGuiHelper::tunnelAlreadyUpIsPickedUp()
{
    // Brought up outside the app (peertunctl), before the app starts.
    Profile other = test::officeProfile(QStringLiteral("elsewhere"));
    other.interface.name = QStringLiteral("pt-else");
    other.interface.address = *parseCidr(QStringLiteral("10.244.20.2/24"), nullptr, false);
    other.interface.listen = *parseEndpoint(QStringLiteral(":8299"), nullptr, true);
    other.peers[0].endpoint = *parseEndpoint(kUnderlayAddress2 + ":8299", nullptr, false);
    other.peers[0].subnets = {*parseCidr(QStringLiteral("10.244.21.0/24"), nullptr, true)};
    const QString path = m_harness.writeFile("elsewhere.json", serializeProfile(other));
    const CommandResult up = m_harness.runCtl(kAllowedUser, {"up", path});
    QVERIFY2(up.exitCode == 0, qPrintable(up.describe()));
    QVERIFY(m_harness.ipNs1({"link", "show", "pt-else"}).exitCode == 0);

    const int failures = runDriver(kAllowedUser, {"QT_QPA_PLATFORM=offscreen", "LANG=C.UTF-8"},
                                   {"--lang", "en", "picksUpTunnelsAlreadyUp"});
    if (failures != 0) {
        m_harness.dumpLogs();
    }
    QCOMPARE(failures, 0);
    QVERIFY(m_harness.ipNs1({"link", "show", "pt-else"}).exitCode != 0); // taken down
}

void TestGuiHelper::refusedReconnectKeepsTheOffer()
{
    // The denied user cannot bring a tunnel up, so the allowed user does (peertunctl, the
    // profile the denied user's app holds); the denied user's app then edits it and asks to
    // reconnect, and the disconnect half is refused.
    Profile office = test::officeWireGuardProfile();
    office.interface.mtu.reset();
    const QString path = m_harness.writeFile("office-up.json", serializeProfile(office));
    const CommandResult up = m_harness.runCtl(kAllowedUser, {"up", path});
    QVERIFY2(up.exitCode == 0, qPrintable(up.describe()));
    const CommandResult before = m_harness.ipNs1({"link", "show", "flannel99"});
    QCOMPARE(before.exitCode, 0);

    const int failures = runDriver(kDeniedUser, {"QT_QPA_PLATFORM=offscreen", "LANG=C.UTF-8"},
                                   {"--lang", "en", "refusedReconnectKeepsTheOffer"});
    if (failures != 0) {
        m_harness.dumpLogs();
    }
    // Still up, as it was (same MTU), after the app refused, renamed and deleted around it.
    const CommandResult after = m_harness.ipNs1({"link", "show", "flannel99"});
    const CommandResult down = m_harness.runCtl(kAllowedUser, {"down", "office"});
    QCOMPARE(failures, 0);
    QCOMPARE(after.exitCode, 0);
    const QRegularExpression mtu(QStringLiteral("mtu \\d+"));
    QCOMPARE(mtu.match(after.out).captured(), mtu.match(before.out).captured());
    QVERIFY2(down.exitCode == 0, qPrintable(down.describe()));
    QVERIFY(m_harness.ipNs1({"link", "show", "flannel99"}).exitCode != 0);
}

void TestGuiHelper::autoconnectBringsUpTheMarkedProfile()
{
    // `peertun --autoconnect` as the autostart entry starts it at login: the real app, as the
    // allowed user (offscreen, so without a tray its window shows), connects the profile
    // marked "Connect when I log in" and no other.
    const QString profiles = userDir(kAllowedUser, QStringLiteral("profiles-login"));
    const passwd* pw = getpwnam(kAllowedUser.toLocal8Bit().constData());
    QVERIFY(pw != nullptr);
    const auto writeOwned = [&](const QString& name, const QByteArray& bytes) {
        QFile file(profiles + "/" + name);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(bytes);
        file.close();
        QVERIFY(file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
        QCOMPARE(::chown(QFile::encodeName(file.fileName()).constData(), pw->pw_uid, pw->pw_gid),
                 0);
    };
    writeOwned(QStringLiteral("office.json"), serializeProfile(test::officeWireGuardProfile()));
    Profile spare = test::officeProfile(QStringLiteral("spare"));
    spare.interface.name = QStringLiteral("pt-spare");
    writeOwned(QStringLiteral("spare.json"), serializeProfile(spare));
    writeOwned(QStringLiteral(".connect-at-login"), "office\n");
    QVERIFY(m_harness.ipNs1({"link", "show", "flannel99"}).exitCode != 0);

    const QString home = userDir(kAllowedUser, QStringLiteral("home-") + kAllowedUser);
    const QString runtime = userDir(kAllowedUser, QStringLiteral("runtime-") + kAllowedUser);
    std::unique_ptr<QProcess> app = m_harness.startAsUser(
        kAllowedUser, QStringLiteral("/usr/bin/env"),
        {QStringLiteral("HOME=") + home, QStringLiteral("XDG_RUNTIME_DIR=") + runtime,
         QStringLiteral("XDG_CONFIG_HOME=") + home + "/.config",
         QStringLiteral("DBUS_SESSION_BUS_ADDRESS=disabled:"),
         QStringLiteral("QT_QPA_PLATFORM=offscreen"), QStringLiteral("LANG=C.UTF-8"),
         qEnvironmentVariable("PEERTUN_APP"), QStringLiteral("--autoconnect"),
         QStringLiteral("--profiles-dir"), profiles});
    QCOMPARE(app->state(), QProcess::Running);
    QTRY_VERIFY_WITH_TIMEOUT(m_harness.ipNs1({"link", "show", "flannel99"}).exitCode == 0, 20000);
    // Traffic flows through it (the background pings use it too).
    QTRY_VERIFY_WITH_TIMEOUT(
        DBusHarness::run(DBusHarness::ipBinary(), {"netns", "exec", m_harness.ns1(), "ping", "-c",
                                                   "1", "-W", "1", kFarAddress})
                .exitCode == 0,
        15000);
    const CommandResult status = m_harness.runCtl(kAllowedUser, {"status"});
    app->kill();
    app->waitForFinished(5000);
    QVERIFY2(status.out.contains(QStringLiteral("office")), qPrintable(status.describe()));
    QVERIFY2(!status.out.contains(QStringLiteral("spare")), qPrintable(status.describe()));
    QVERIFY(m_harness.ipNs1({"link", "show", "pt-spare"}).exitCode != 0);
    // The tunnel belongs to the helper and outlives the app.
    QVERIFY(m_harness.ipNs1({"link", "show", "flannel99"}).exitCode == 0);
    const CommandResult down = m_harness.runCtl(kAllowedUser, {"down", "office"});
    QVERIFY2(down.exitCode == 0, qPrintable(down.describe()));
    QVERIFY(m_harness.ipNs1({"link", "show", "flannel99"}).exitCode != 0);
}

void TestGuiHelper::meshTunnelInTheApp()
{
    QString error;
    QVERIFY2(startEtcd(&error), qPrintable(error));
    QVERIFY2(startMeshMember(1, &error), qPrintable(error));
    const int failures = runDriver(kAllowedUser, {"QT_QPA_PLATFORM=offscreen", "LANG=C.UTF-8"},
                                   {"--lang", "en", "meshProfileShowsMembersAndTheStore"});
    for (int n : {1, 2}) {
        stopMeshMember(n);
    }
    stopEtcd();
    if (failures != 0) {
        m_harness.dumpLogs();
        for (const char* name : {"member1.log", "member2.log", "etcd.log"}) {
            QFile f(QDir(m_harness.dir()).filePath(QLatin1String(name)));
            if (f.open(QIODevice::ReadOnly)) {
                qWarning("--- %s ---\n%s", name, f.readAll().right(3000).constData());
            }
        }
    }
    QCOMPARE(failures, 0);
    QVERIFY(m_harness.ipNs1({"link", "show", "ptmesh0"}).exitCode != 0); // disconnected
}

bool TestGuiHelper::startXvfb(QString* error)
{
    const QString xvfb = QStandardPaths::findExecutable(QStringLiteral("Xvfb"));
    const QString trayer = QStandardPaths::findExecutable(QStringLiteral("trayer"));
    if (xvfb.isEmpty() || trayer.isEmpty()) {
        *error = QStringLiteral("Xvfb or trayer is not installed (packages xvfb, trayer)");
        return false;
    }
    // A display number of our own; -ac lets the test users connect.
    for (int n = 50 + ::getpid() % 200; n < 400; ++n) {
        if (!QFile::exists(QStringLiteral("/tmp/.X11-unix/X%1").arg(n)) &&
            !QFile::exists(QStringLiteral("/tmp/.X%1-lock").arg(n))) {
            m_display = n;
            break;
        }
    }
    m_xvfb = std::make_unique<QProcess>();
    m_xvfb->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_xvfb->start(xvfb, {QStringLiteral(":%1").arg(m_display), "-screen", "0", "1280x800x24", "-ac",
                         "-nolisten", "tcp"});
    QElapsedTimer wait;
    wait.start();
    while (!QFile::exists(QStringLiteral("/tmp/.X11-unix/X%1").arg(m_display)) &&
           wait.elapsed() < 10000) {
        QTest::qWait(100);
    }
    if (!QFile::exists(QStringLiteral("/tmp/.X11-unix/X%1").arg(m_display))) {
        *error = QStringLiteral("Xvfb :%1 did not start").arg(m_display);
        return false;
    }
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DISPLAY"), QStringLiteral(":%1").arg(m_display));
    env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QStringLiteral("disabled:"));
    m_trayer = std::make_unique<QProcess>();
    m_trayer->setProcessEnvironment(env);
    m_trayer->start(trayer,
                    {"--edge", "top", "--align", "right", "--widthtype", "pixel", "--width", "160",
                     "--height", "32", "--transparent", "false", "--SetDockType", "true"});
    if (!m_trayer->waitForStarted(5000)) {
        *error = QStringLiteral("trayer did not start");
        return false;
    }
    QTest::qWait(1000); // trayer takes the tray selection
    return true;
}

void TestGuiHelper::stopXvfb()
{
    for (auto* p : {m_trayer.get(), m_xvfb.get()}) {
        if (p != nullptr && p->state() != QProcess::NotRunning) {
            p->terminate();
            if (!p->waitForFinished(3000)) {
                p->kill();
                p->waitForFinished(3000);
            }
        }
    }
    m_trayer.reset();
    m_xvfb.reset();
    m_display = 0;
}

void TestGuiHelper::underXvfbWithTrayer()
{
    QString error;
    if (!startXvfb(&error)) {
        stopXvfb();
        QFAIL(qPrintable(error));
    }
    const int failures = runDriver(
        kAllowedUser,
        {"QT_QPA_PLATFORM=xcb", QStringLiteral("DISPLAY=:%1").arg(m_display), "LANG=C.UTF-8"},
        {"--lang", "en", "--expect-tray", "helperIsFoundAndTrayIsThere", "connectReachesConnected",
         "countersAndGraphMoveWithTraffic", "screenshots", "disconnectReturnsToDisconnected",
         "closingKeepsTheAppInTheTray"});
    stopXvfb();
    if (failures != 0) {
        m_harness.dumpLogs();
    }
    QCOMPARE(failures, 0);
    QVERIFY(QFile::exists(m_artifacts + "/screen-with-tray-en.png"));
}

QTEST_GUILESS_MAIN(TestGuiHelper)
#include "tst_gui_helper.moc"
