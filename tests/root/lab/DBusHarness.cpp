#include "DBusHarness.h"

#include "EmergencyCleanup.h"

#include <QCoreApplication>
#include <QDBusConnectionInterface>
#include <QDBusReply>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QThread>
#include <csignal>
#include <cstring>
#include <functional>
#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

namespace peertun::test {
namespace {

const QString kHelperName = QStringLiteral("io.peertun.Helper1");
const QString kPolkitName = QStringLiteral("org.freedesktop.PolicyKit1");
const QString kPolkitd = QStringLiteral("/usr/lib/polkit-1/polkitd");

// Children die with the test even if it is SIGKILLed.
void dieWithParent(QProcess& process)
{
    process.setChildProcessModifier([] { prctl(PR_SET_PDEATHSIG, SIGKILL); });
}

bool writeText(const QString& path, const QByteArray& text, QFileDevice::Permissions perms)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(text) != text.size()) {
        return false;
    }
    f.close();
    return f.setPermissions(perms);
}

constexpr QFileDevice::Permissions kWorldReadable = QFileDevice::ReadOwner |
                                                    QFileDevice::WriteOwner |
                                                    QFileDevice::ReadGroup | QFileDevice::ReadOther;
constexpr QFileDevice::Permissions kWorldExecutable =
    kWorldReadable | QFileDevice::ExeOwner | QFileDevice::ExeGroup | QFileDevice::ExeOther;
constexpr QFileDevice::Permissions kOpenDir = kWorldExecutable;

QString findBinary(const char* envName, const QString& fallbackName)
{
    const QString fromEnv = qEnvironmentVariable(envName);
    if (!fromEnv.isEmpty()) {
        return fromEnv;
    }
    return QStandardPaths::findExecutable(fallbackName);
}

// Test rules: one allowed, one denied, one allowed after a delay (to have a call in flight);
// an owner and another user with io.peertun.control only; an admin group with every action.
QByteArray testRules()
{
    return QStringLiteral("// peertun D-Bus tests: written by tests/root/lab/DBusHarness.cpp\n"
                          "polkit.addRule(function (action, subject) {\n"
                          "    if (action.id.indexOf(\"io.peertun.\") == 0 &&\n"
                          "        subject.isInGroup(\"%6\")) {\n"
                          "        return polkit.Result.YES;\n"
                          "    }\n"
                          "    if (action.id != \"io.peertun.control\") {\n"
                          "        return polkit.Result.NOT_HANDLED;\n"
                          "    }\n"
                          "    if (subject.user == \"%7\" || subject.user == \"%8\") {\n"
                          "        return polkit.Result.YES;\n"
                          "    }\n"
                          "    if (subject.user == \"%1\") {\n"
                          "        return polkit.Result.YES;\n"
                          "    }\n"
                          "    if (subject.user == \"%2\" || subject.user == \"%5\") {\n"
                          "        return polkit.Result.NO;\n"
                          "    }\n"
                          "    if (subject.user == \"%3\") {\n"
                          "        polkit.spawn([\"/bin/sleep\", \"%4\"]);\n"
                          "        return polkit.Result.YES;\n"
                          "    }\n"
                          "    return polkit.Result.NOT_HANDLED;\n"
                          "});\n")
        .arg(kAllowedUser, kDeniedUser, kSlowUser)
        .arg(kSlowUserDelaySeconds)
        .arg(kFloodUser, kAdminGroup, kOwnerUser, kOtherUser)
        .toUtf8();
}

// A file of helper/data that must still say `needle` (what the harness adapts).
bool readShipped(const QString& path, const QByteArray& needle, QByteArray* text, QString* error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1").arg(path);
        return false;
    }
    *text = f.readAll();
    if (!text->contains(needle)) {
        *error = QStringLiteral("%1 no longer says %2").arg(path, QString::fromUtf8(needle));
        return false;
    }
    return true;
}

} // namespace

QString DBusHarness::helperUser()
{
    return getpwnam("peertun") != nullptr ? QStringLiteral("peertun") : QStringLiteral("nobody");
}

QString CommandResult::describe() const
{
    return QStringLiteral("exit %1\nstdout: %2\nstderr: %3").arg(exitCode).arg(out, err);
}

DBusHarness::DBusHarness()
{
    const qint64 pid = QCoreApplication::applicationPid();
    m_ns1 = QStringLiteral("ptdbus1-%1").arg(pid);
    m_ns2 = QStringLiteral("ptdbus2-%1").arg(pid);
    m_connectionName = QStringLiteral("peertun-test-%1").arg(pid);
}

DBusHarness::~DBusHarness()
{
    tearDown();
}

QString DBusHarness::ipBinary()
{
    static const QString ip = [] {
        QString found = QStandardPaths::findExecutable(QStringLiteral("ip"));
        if (found.isEmpty()) {
            found = QStringLiteral("/usr/sbin/ip");
        }
        return found;
    }();
    return ip;
}

void DBusHarness::registerForEmergencyCleanup()
{
    testlab::installCleanupHandlers();
    testlab::trackNamespace(m_ns1);
    testlab::trackNamespace(m_ns2);
}

void DBusHarness::setEmergencyPid(int slot, qint64 pid)
{
    testlab::untrackPid(m_trackedPids[slot]);
    m_trackedPids[slot] = pid > 0 ? testlab::trackPid(pid_t(pid)) : -1;
}

CommandResult DBusHarness::run(const QString& program, const QStringList& args, int timeoutMs)
{
    QProcess p;
    dieWithParent(p);
    p.start(program, args);
    CommandResult r;
    if (!p.waitForStarted(5000)) {
        r.err = QStringLiteral("cannot start %1: %2").arg(program, p.errorString());
        return r;
    }
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(2000);
        r.err = QStringLiteral("%1 timed out").arg(program);
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = QString::fromLocal8Bit(p.readAllStandardOutput());
    r.err = QString::fromLocal8Bit(p.readAllStandardError());
    return r;
}

// Runs an account tool (useradd, groupadd, usermod) until `done` holds; another test binary
// may hold the lock on /etc/passwd right now (ctest -j).
static bool retryAccountTool(const QString& tool, const QStringList& args,
                             const std::function<bool()>& done, QString* error)
{
    CommandResult r;
    for (int attempt = 0; attempt < 10 && !done(); ++attempt) {
        r = DBusHarness::run(tool, args);
        if (!done()) {
            QThread::msleep(300);
        }
    }
    if (!done()) {
        *error = QStringLiteral("%1 %2 failed: %3").arg(tool, args.join(' '), r.describe());
        return false;
    }
    return true;
}

bool DBusHarness::ensureUser(const QString& name, const QString& group, QString* error)
{
    const QByteArray user = name.toLocal8Bit();
    const QByteArray groupName = group.toLocal8Bit();
    if (!group.isEmpty() && getgrnam(groupName.constData()) == nullptr) {
        m_createdGroups << group; // before it exists: a half-done groupadd is removed too
        if (!retryAccountTool(
                QStringLiteral("groupadd"), {QStringLiteral("--system"), group},
                [&] { return getgrnam(groupName.constData()) != nullptr; }, error)) {
            return false;
        }
    }
    if (getpwnam(user.constData()) == nullptr) {
        m_createdUsers << name;
    }
    if (!retryAccountTool(
            QStringLiteral("useradd"),
            {QStringLiteral("--system"), QStringLiteral("--no-create-home"),
             QStringLiteral("--user-group"), QStringLiteral("--shell"),
             QStringLiteral("/usr/sbin/nologin"), name},
            [&] { return getpwnam(user.constData()) != nullptr; }, error)) {
        return false;
    }
    if (group.isEmpty()) {
        return true;
    }
    auto isMember = [&] {
        const struct group* g = getgrnam(groupName.constData());
        for (char** member = g ? g->gr_mem : nullptr; member && *member; ++member) {
            if (user == *member) {
                return true;
            }
        }
        return false;
    };
    return retryAccountTool(QStringLiteral("usermod"),
                            {QStringLiteral("-a"), QStringLiteral("-G"), group, name}, isMember,
                            error);
}

void DBusHarness::removeAccounts(const QStringList& users, const QStringList& groups)
{
    QString ignored;
    for (const QString& name : users) {
        const QByteArray user = name.toLocal8Bit();
        // Its private group goes with it (USERGROUPS_ENAB); retried while another test holds
        // the lock on /etc/passwd or a process of the user is still ending.
        retryAccountTool(
            QStringLiteral("userdel"), {name},
            [&] { return getpwnam(user.constData()) == nullptr; }, &ignored);
        const QByteArray own = name.toLocal8Bit();
        if (getgrnam(own.constData()) != nullptr) {
            retryAccountTool(
                QStringLiteral("groupdel"), {name},
                [&] { return getgrnam(own.constData()) == nullptr; }, &ignored);
        }
    }
    for (const QString& name : groups) {
        const QByteArray group = name.toLocal8Bit();
        retryAccountTool(
            QStringLiteral("groupdel"), {name},
            [&] { return getgrnam(group.constData()) == nullptr; }, &ignored);
    }
}

bool DBusHarness::setUp(QString* error)
{
    if (geteuid() != 0) {
        *error = QStringLiteral("needs root (private system bus, polkitd, network namespaces)");
        return false;
    }
    m_helperBinary = findBinary("PEERTUN_HELPER", QStringLiteral("peertun-helper"));
    const QString ctl = findBinary("PEERTUNCTL", QStringLiteral("peertunctl"));
    if (m_helperBinary.isEmpty() || ctl.isEmpty()) {
        *error = QStringLiteral("PEERTUN_HELPER and PEERTUNCTL must name the built binaries");
        return false;
    }
    if (!QFileInfo::exists(kPolkitd)) {
        *error = QStringLiteral("%1 is missing (package polkitd)").arg(kPolkitd);
        return false;
    }
    registerForEmergencyCleanup();
    sweepLeftoversOfKilledRuns();
    for (const QString& user :
         {kAllowedUser, kDeniedUser, kSlowUser, kFloodUser, kOwnerUser, kOtherUser}) {
        if (!ensureUser(user, QString(), error)) {
            tearDown();
            return false;
        }
    }
    if (!ensureUser(kGroupMemberUser, kControlGroup, error) ||
        !ensureUser(kAdminUser, kAdminGroup, error)) {
        tearDown();
        return false;
    }

    m_dir = std::make_unique<QTemporaryDir>(
        QDir::tempPath() +
        QStringLiteral("/peertun-dbus-%1-XXXXXX").arg(QCoreApplication::applicationPid()));
    if (!m_dir->isValid()) {
        *error = QStringLiteral("cannot create a temporary directory");
        return false;
    }
    // Test users and polkitd (its own user) must reach the socket, peertunctl and files.
    QFile::setPermissions(dir(), kOpenDir);
    const QDir d(dir());
    for (const char* sub :
         {"bin", "system.d", "services", "polkit-actions", "polkit-rules", "polkit-etc-rules"}) {
        d.mkpath(QLatin1String(sub));
        QFile::setPermissions(d.filePath(QLatin1String(sub)), kOpenDir);
    }
    // The test users cannot be trusted to reach the build tree: give them their own copy.
    m_ctlBinary = d.filePath(QStringLiteral("bin/peertunctl"));
    if (!QFile::copy(ctl, m_ctlBinary) || !QFile::setPermissions(m_ctlBinary, kWorldExecutable)) {
        *error = QStringLiteral("cannot copy %1").arg(ctl);
        tearDown();
        return false;
    }
    setHelperIdleExit(0);

    if ((m_confined && !prepareConfinement(error)) || !createNamespaces(error) ||
        !startBus(error) || !startPolkit(error)) {
        tearDown();
        return false;
    }
    return true;
}

bool DBusHarness::prepareConfinement(QString* error)
{
    const QString seccompExec = qEnvironmentVariable("PEERTUN_SECCOMP_EXEC");
    if (seccompExec.isEmpty() || !QFileInfo(seccompExec).isExecutable()) {
        *error = QStringLiteral("PEERTUN_SECCOMP_EXEC must name the built seccomp_exec");
        return false;
    }
    for (const char* tool : {"setpriv", "systemd-analyze"}) {
        if (QStandardPaths::findExecutable(QLatin1String(tool)).isEmpty()) {
            *error = QStringLiteral("%1 is not installed").arg(QLatin1String(tool));
            return false;
        }
    }
    const QString unit =
        QStringLiteral(PEERTUN_SOURCE_DIR "/helper/data/peertun-helper.service.in");
    const QDir d(dir());
    const CommandResult expanded =
        run(QStringLiteral(PEERTUN_SOURCE_DIR "/tests/root/lab/unit-syscall-filter.sh"), {unit});
    const QString syscalls = d.filePath(QStringLiteral("syscalls"));
    if (expanded.exitCode != 0 || !writeText(syscalls, expanded.out.toUtf8(), kWorldReadable)) {
        *error = QStringLiteral("cannot expand the unit's system call filter: %1")
                     .arg(expanded.describe());
        return false;
    }
    // The capabilities the unit grants; the bounding set must be the same ones.
    QFile unitFile(unit);
    if (!unitFile.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1").arg(unit);
        return false;
    }
    QStringList ambient, bounding;
    for (const QByteArray& raw : unitFile.readAll().split('\n')) {
        const QString line = QString::fromUtf8(raw).trimmed();
        auto capsOf = [&](const QString& key) {
            QStringList caps;
            for (const QString& cap : line.mid(key.size()).split(u' ', Qt::SkipEmptyParts)) {
                caps << cap.toLower().remove(QStringLiteral("cap_"));
            }
            caps.sort();
            return caps;
        };
        if (line.startsWith(QStringLiteral("AmbientCapabilities="))) {
            ambient += capsOf(QStringLiteral("AmbientCapabilities="));
        } else if (line.startsWith(QStringLiteral("CapabilityBoundingSet="))) {
            bounding += capsOf(QStringLiteral("CapabilityBoundingSet="));
        }
    }
    if (ambient.isEmpty() || ambient != bounding) {
        *error = QStringLiteral("%1: AmbientCapabilities= (%2) and CapabilityBoundingSet= (%3) "
                                "should name the same capabilities")
                     .arg(unit, ambient.join(u' '), bounding.join(u' '));
        return false;
    }
    m_confinedCaps = ambient;
    const passwd* pw = getpwnam(helperUser().toLocal8Bit().constData());
    if (pw == nullptr) {
        *error = QStringLiteral("no user %1").arg(helperUser());
        return false;
    }
    // The helper opens /dev/net/tun itself, as the unit's helper does; this machine's node is
    // root's alone, a udev-managed one is 0666.
    const QByteArray tun = d.filePath(QStringLiteral("dev-net-tun")).toLocal8Bit();
    if (::mknod(tun.constData(), S_IFCHR | 0666, makedev(10, 200)) != 0 ||
        ::chmod(tun.constData(), 0666) != 0) {
        *error = QStringLiteral("mknod %1: %2")
                     .arg(QString::fromLocal8Bit(tun), QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    const QString caps = QStringLiteral("+") + ambient.join(QStringLiteral(",+"));
    m_confinementPrefix =
        QStringLiteral("setpriv --reuid=%1 --regid=%2 --clear-groups --inh-caps=-all,%3 "
                       "--ambient-caps=%3 --bounding-set=-all,%3 %4 %5 ")
            .arg(pw->pw_uid)
            .arg(pw->pw_gid)
            .arg(caps, seccompExec, syscalls);
    return true;
}

void DBusHarness::sweepLeftoversOfKilledRuns()
{
    // A SIGKILLed run cannot clean up: its namespaces and directory carry its PID, so the
    // next run removes those whose process is gone.
    auto gone = [](const QString& pid) {
        return ::kill(pid_t(pid.toLongLong()), 0) != 0 && errno == ESRCH;
    };
    static const QRegularExpression nsName(QStringLiteral("^ptdbus[12]-(\\d+)\\b"));
    const QStringList namespaces =
        run(ipBinary(), {QStringLiteral("netns"), QStringLiteral("list")}).out.split('\n');
    for (const QString& line : namespaces) {
        const QRegularExpressionMatch m = nsName.match(line);
        if (m.hasMatch() && gone(m.captured(1))) {
            run(ipBinary(), {QStringLiteral("netns"), QStringLiteral("del"),
                             line.section(QLatin1Char(' '), 0, 0)});
        }
    }
    // Test users and groups of killed runs ("peertun-test-ROLE-PID").
    static const QRegularExpression accountName(QStringLiteral("^peertun-test-[a-z]+-(\\d+)$"));
    QStringList users, groups;
    for (const auto& [file, list] : {std::pair{QStringLiteral("/etc/passwd"), &users},
                                     std::pair{QStringLiteral("/etc/group"), &groups}}) {
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly)) {
            continue;
        }
        for (const QByteArray& line : f.readAll().split('\n')) {
            const QString name = QString::fromLocal8Bit(line.left(line.indexOf(':')));
            const QRegularExpressionMatch m = accountName.match(name);
            if (m.hasMatch() && gone(m.captured(1))) {
                *list << name;
            }
        }
    }
    removeAccounts(users, groups);
    static const QRegularExpression dirName(QStringLiteral("^peertun-dbus-(\\d+)-"));
    const QDir tmp(QDir::tempPath());
    for (const QString& entry : tmp.entryList({QStringLiteral("peertun-dbus-*")}, QDir::Dirs)) {
        const QRegularExpressionMatch m = dirName.match(entry);
        if (m.hasMatch() && gone(m.captured(1))) {
            QDir(tmp.filePath(entry)).removeRecursively();
        }
    }
}

bool DBusHarness::createNamespaces(QString* error)
{
    const QString ip = ipBinary();
    const QList<QStringList> steps = {
        {"netns", "add", m_ns1},
        {"netns", "add", m_ns2},
        {"-n", m_ns1, "link", "add", "veth-pt1", "type", "veth", "peer", "name", "veth-pt2",
         "netns", m_ns2},
        {"-n", m_ns1, "addr", "add", kUnderlayAddress1 + "/24", "dev", "veth-pt1"},
        {"-n", m_ns2, "addr", "add", kUnderlayAddress2 + "/24", "dev", "veth-pt2"},
        {"-n", m_ns1, "link", "set", "veth-pt1", "up"},
        {"-n", m_ns2, "link", "set", "veth-pt2", "up"},
        {"-n", m_ns1, "link", "set", "lo", "up"},
        {"-n", m_ns2, "link", "set", "lo", "up"},
        // No IPv6 chatter (router solicitations, MLD) on the tunnels: tests count packets.
        {"netns", "exec", m_ns1, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
         "net.ipv6.conf.default.disable_ipv6=1"},
        {"netns", "exec", m_ns2, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1",
         "net.ipv6.conf.default.disable_ipv6=1"},
    };
    m_namespacesCreated = true;
    for (const QStringList& step : steps) {
        const CommandResult r = run(ip, step);
        if (r.exitCode != 0) {
            *error = QStringLiteral("ip %1 failed: %2").arg(step.join(' '), r.describe());
            return false;
        }
    }
    return true;
}

bool DBusHarness::startBus(QString* error)
{
    QFile systemConf(QStringLiteral("/usr/share/dbus-1/system.conf"));
    if (!systemConf.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read /usr/share/dbus-1/system.conf (package dbus)");
        return false;
    }
    const QDir d(dir());
    // The real system bus configuration (so the real default-deny policy applies to the
    // project's policy file), pointed at our own socket, policy dir and activation dir; no
    // user switch or launch helper (they cannot work on a private bus).
    QString conf = QString::fromUtf8(systemConf.readAll());
    auto drop = [&conf](const QString& pattern) {
        conf.remove(QRegularExpression(pattern, QRegularExpression::DotMatchesEverythingOption));
    };
    drop(QStringLiteral("<user>[^<]*</user>"));
    drop(QStringLiteral("<fork/>"));
    drop(QStringLiteral("<syslog/>"));
    drop(QStringLiteral("<servicehelper>[^<]*</servicehelper>"));
    drop(QStringLiteral("<include[^>]*>[^<]*</include>"));
    drop(QStringLiteral("<includedir>[^<]*</includedir>"));
    conf.replace(QRegularExpression(QStringLiteral("<pidfile>[^<]*</pidfile>")),
                 QStringLiteral("<pidfile>%1</pidfile>").arg(d.filePath("bus.pid")));
    conf.replace(
        QRegularExpression(QStringLiteral("<listen>[^<]*</listen>")),
        QStringLiteral("<listen>unix:path=%1</listen>").arg(d.filePath("system_bus_socket")));
    conf.replace(QStringLiteral("<standard_system_servicedirs/>"),
                 QStringLiteral("<servicedir>%1</servicedir>").arg(d.filePath("services")));
    conf.replace(
        QStringLiteral("</busconfig>"),
        QStringLiteral("  <includedir>%1</includedir>\n</busconfig>").arg(d.filePath("system.d")));
    if (!conf.contains(d.filePath("services")) || !conf.contains(d.filePath("system_bus_socket"))) {
        *error = QStringLiteral("unexpected layout of /usr/share/dbus-1/system.conf");
        return false;
    }
    const QString source = QStringLiteral(PEERTUN_SOURCE_DIR);
    // The shipped policy as it is, and beside it the same right for nobody: the helper runs as
    // nobody where the machine has no user peertun (also if one appears during the run).
    QByteArray policy;
    if (!readShipped(source + "/helper/data/io.peertun.Helper1.conf",
                     "<policy user=\"peertun\">\n    <allow own=\"io.peertun.Helper1\"/>", &policy,
                     error)) {
        return false;
    }
    const QByteArray nobodyPolicy =
        "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN\"\n"
        " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
        "<busconfig>\n  <policy user=\"nobody\">\n    <allow own=\"io.peertun.Helper1\"/>\n"
        "  </policy>\n</busconfig>\n";
    const bool filesOk =
        writeText(d.filePath("system.conf"), conf.toUtf8(), kWorldReadable) &&
        writeText(d.filePath("system.d/io.peertun.Helper1.conf"), policy, kWorldReadable) &&
        writeText(d.filePath("system.d/io.peertun.Helper1-test-nobody.conf"), nobodyPolicy,
                  kWorldReadable) &&
        QFile::copy(QStringLiteral("/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf"),
                    d.filePath("system.d/org.freedesktop.PolicyKit1.conf"));
    // Activation runs the helper inside ns1, with the idle-exit setting of the test, and with
    // the harness's hosts file over /etc/hosts (in a mount namespace of its own, so the host's
    // file is untouched): names the tests add there resolve for the helper's endpoints.
    QFile hosts(QStringLiteral("/etc/hosts"));
    const QByteArray hostsText =
        hosts.open(QIODevice::ReadOnly) ? hosts.readAll() : QByteArray("127.0.0.1 localhost\n");
    const QString wrapper = d.filePath("bin/helper-in-ns1");
    // Confined, the helper also gets the harness's 0666 tun node over /dev/net/tun.
    const QString mounts = m_confined
                               ? QStringLiteral("mount --bind \"$0\" /etc/hosts && mount --bind %1 "
                                                "/dev/net/tun")
                                     .arg(d.filePath("dev-net-tun"))
                               : QStringLiteral("mount --bind \"$0\" /etc/hosts");
    const QByteArray wrapperText =
        QStringLiteral("#!/bin/sh\n"
                       "exec unshare --mount --propagation private sh -c "
                       "'%7 && exec \"$@\"' %6 "
                       "%1 netns exec %2 %3 --idle-exit \"$(cat %4)\" >>%5 2>&1\n")
            .arg(ipBinary(), m_ns1,
                 m_confinementPrefix + m_helperBinary + QStringLiteral(" --syslog-socket ") +
                     syslogSocketPath(),
                 d.filePath("helper-idle-exit"), helperLogPath(), helperHostsPath(), mounts)
            .toUtf8();
    const QByteArray serviceText = QStringLiteral("[D-BUS Service]\nName=%1\nExec=%2\nUser=root\n")
                                       .arg(kHelperName, wrapper)
                                       .toUtf8();
    if (!filesOk || !writeText(wrapper, wrapperText, kWorldExecutable) ||
        !writeText(helperHostsPath(), hostsText.endsWith('\n') ? hostsText : hostsText + '\n',
                   kWorldReadable) ||
        !writeText(d.filePath("services/io.peertun.Helper1.service"), serviceText,
                   kWorldReadable)) {
        *error = QStringLiteral("cannot write the bus configuration in %1").arg(dir());
        return false;
    }

    // The helper's syslog: a datagram socket of ours, writable by the helper's user.
    m_syslog.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    qstrncpy(address.sun_path, syslogSocketPath().toLocal8Bit().constData(),
             sizeof address.sun_path);
    if (!m_syslog.valid() ||
        ::bind(m_syslog.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::chmod(address.sun_path, 0666) != 0) {
        *error = QStringLiteral("cannot bind the syslog socket %1").arg(syslogSocketPath());
        return false;
    }

    m_bus = std::make_unique<QProcess>();
    dieWithParent(*m_bus);
    m_bus->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_bus->setStandardOutputFile(QProcess::nullDevice());
    m_bus->start(QStringLiteral("dbus-daemon"),
                 {QStringLiteral("--config-file=") + d.filePath("system.conf"),
                  QStringLiteral("--nofork"), QStringLiteral("--nosyslog")});
    if (!m_bus->waitForStarted(5000)) {
        *error = QStringLiteral("cannot start dbus-daemon: %1").arg(m_bus->errorString());
        return false;
    }
    setEmergencyPid(0, m_bus->processId());
    const QDeadlineTimer deadline(10000);
    while (!QFileInfo::exists(d.filePath("system_bus_socket")) && !deadline.hasExpired()) {
        if (m_bus->waitForFinished(50)) {
            *error = QStringLiteral("dbus-daemon exited at start (see stderr)");
            return false;
        }
    }
    qputenv("DBUS_SYSTEM_BUS_ADDRESS", busAddress().toLocal8Bit());
    QDBusConnection connection = QDBusConnection::connectToBus(busAddress(), m_connectionName);
    if (!connection.isConnected()) {
        *error = QStringLiteral("cannot connect to the private bus: %1")
                     .arg(connection.lastError().message());
        return false;
    }
    return true;
}

bool DBusHarness::startPolkit(QString* error)
{
    const QDir d(dir());
    const QString source = QStringLiteral(PEERTUN_SOURCE_DIR);
    QFile::remove(d.filePath("polkit-actions/io.peertun.policy"));
    QFile::remove(d.filePath("polkit-rules/50-peertun-netdev.rules"));
    // The shipped optional rules file, with its group renamed to the test group (so the
    // test needs no real "netdev" group).
    QFile shippedRules(source + "/helper/data/50-peertun-netdev.rules");
    if (!shippedRules.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1").arg(shippedRules.fileName());
        return false;
    }
    QByteArray rules = shippedRules.readAll();
    if (!rules.contains("isInGroup(\"netdev\")")) {
        *error = QStringLiteral("50-peertun-netdev.rules no longer tests isInGroup(\"netdev\")");
        return false;
    }
    rules.replace("isInGroup(\"netdev\")", "isInGroup(\"" + kControlGroup.toUtf8() + "\")");
    // The action's owner (who may ask polkit about others) is the helper's user: peertun as
    // shipped, and nobody too (see the bus policy above).
    QByteArray actions;
    if (!readShipped(source + "/helper/data/io.peertun.policy", "unix-user:peertun<", &actions,
                     error)) {
        return false;
    }
    actions.replace("unix-user:peertun<", "unix-user:peertun unix-user:nobody<");
    if (!writeText(d.filePath("polkit-actions/io.peertun.policy"), actions, kWorldReadable) ||
        !writeText(d.filePath("polkit-rules/50-peertun-netdev.rules"), rules, kWorldReadable) ||
        !writeText(d.filePath("polkit-etc-rules/10-peertun-test.rules"), testRules(),
                   kWorldReadable)) {
        *error = QStringLiteral("cannot write the polkit directories");
        return false;
    }
    for (const QString& f : {d.filePath("polkit-actions/io.peertun.policy"),
                             d.filePath("polkit-rules/50-peertun-netdev.rules")}) {
        QFile::setPermissions(f, kWorldReadable);
    }
    // polkitd reads only fixed directories: give it a private mount namespace with ours
    // bind-mounted over them.
    const QString script = QStringLiteral("set -e\n"
                                          "mount --bind %1 /usr/share/polkit-1/actions\n"
                                          "mount --bind %2 /usr/share/polkit-1/rules.d\n"
                                          "mount --bind %3 /etc/polkit-1/rules.d\n"
                                          "exec %4 --no-debug\n")
                               .arg(d.filePath("polkit-actions"), d.filePath("polkit-rules"),
                                    d.filePath("polkit-etc-rules"), kPolkitd);
    m_polkit = std::make_unique<QProcess>();
    dieWithParent(*m_polkit);
    m_polkit->setStandardOutputFile(d.filePath("polkitd.log"));
    m_polkit->setStandardErrorFile(d.filePath("polkitd.log"), QIODevice::Append);
    m_polkit->start(QStringLiteral("unshare"),
                    {QStringLiteral("--mount"), QStringLiteral("--propagation"),
                     QStringLiteral("private"), QStringLiteral("/bin/sh"), QStringLiteral("-c"),
                     script});
    if (!m_polkit->waitForStarted(5000)) {
        *error = QStringLiteral("cannot start polkitd: %1").arg(m_polkit->errorString());
        return false;
    }
    setEmergencyPid(1, m_polkit->processId());
    if (!waitForName(kPolkitName, 15000)) {
        QFile log(d.filePath("polkitd.log"));
        log.open(QIODevice::ReadOnly);
        *error = QStringLiteral("polkitd did not appear on the bus: %1")
                     .arg(QString::fromLocal8Bit(log.readAll()));
        return false;
    }
    return true;
}

bool DBusHarness::waitForName(const QString& name, int timeoutMs) const
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (bus().interface()->isServiceRegistered(name)) {
            return true;
        }
        QThread::msleep(50);
    }
    return false;
}

void DBusHarness::killProcess(QProcess* process)
{
    if (process == nullptr || process->state() == QProcess::NotRunning) {
        return;
    }
    process->terminate();
    if (!process->waitForFinished(5000)) {
        process->kill();
        process->waitForFinished(2000);
    }
}

void DBusHarness::tearDown()
{
    stopFarSide();
    // The helper first, while the bus can still tell us who it is; SIGTERM lets it remove
    // its tunnels, SIGKILL is the fallback (its TUN devices vanish with it).
    if (m_bus && m_bus->state() == QProcess::Running) {
        if (const uint pid = helperPid(); pid != 0) {
            kill(pid_t(pid), SIGTERM);
            const QDeadlineTimer deadline(5000);
            while (kill(pid_t(pid), 0) == 0 && !deadline.hasExpired()) {
                QThread::msleep(20);
            }
            kill(pid_t(pid), SIGKILL);
        }
    }
    killProcess(m_polkit.get());
    m_polkit.reset();
    setEmergencyPid(1, 0);
    QDBusConnection::disconnectFromBus(m_connectionName);
    killProcess(m_bus.get());
    m_bus.reset();
    setEmergencyPid(0, 0);
    if (m_namespacesCreated) {
        run(ipBinary(), {QStringLiteral("netns"), QStringLiteral("del"), m_ns1});
        run(ipBinary(), {QStringLiteral("netns"), QStringLiteral("del"), m_ns2});
        m_namespacesCreated = false;
    }
    m_syslog.reset();
    m_syslogLines.clear();
    testlab::untrackNamespace(m_ns1);
    testlab::untrackNamespace(m_ns2);
    m_dir.reset();
    // Last: no process of a test user is left once the bus, polkitd and helper are gone (the
    // callers kill their own peertunctl processes).
    removeAccounts(m_createdUsers, m_createdGroups);
    m_createdUsers.clear();
    m_createdGroups.clear();
}

QString DBusHarness::busAddress() const
{
    return QStringLiteral("unix:path=%1").arg(QDir(dir()).filePath("system_bus_socket"));
}

QDBusConnection DBusHarness::bus() const
{
    return QDBusConnection(m_connectionName);
}

QString DBusHarness::syslogSocketPath() const
{
    return QDir(dir()).filePath(QStringLiteral("syslog.sock"));
}

QStringList DBusHarness::syslogLines()
{
    char buf[8192];
    for (;;) {
        const ssize_t n = m_syslog.valid() ? ::recv(m_syslog.get(), buf, sizeof buf, 0) : -1;
        if (n < 0) {
            break;
        }
        m_syslogLines << QString::fromUtf8(buf, int(n));
    }
    return m_syslogLines;
}

QString DBusHarness::helperLogPath() const
{
    return QDir(dir()).filePath(QStringLiteral("helper.log"));
}

void DBusHarness::setHelperIdleExit(int seconds)
{
    writeText(QDir(dir()).filePath("helper-idle-exit"), QByteArray::number(seconds),
              kWorldReadable);
}

QString DBusHarness::helperHostsPath() const
{
    return QDir(dir()).filePath(QStringLiteral("helper-hosts"));
}

bool DBusHarness::addHelperHost(const QString& address, const QString& name)
{
    // Appended in place: the helper's bind mount follows the file, not its name.
    QFile file(helperHostsPath());
    return file.open(QIODevice::WriteOnly | QIODevice::Append) &&
           file.write(QStringLiteral("%1 %2\n").arg(address, name).toUtf8()) > 0;
}

QString DBusHarness::writeFile(const QString& name, const QByteArray& contents)
{
    const QString path = QDir(dir()).filePath(name);
    writeText(path, contents, kWorldReadable);
    return path;
}

std::unique_ptr<QProcess> DBusHarness::startAsUser(const QString& user, const QString& program,
                                                   const QStringList& args)
{
    const passwd* pw = getpwnam(user.toLocal8Bit().constData());
    auto process = std::make_unique<QProcess>();
    dieWithParent(*process);
    if (pw == nullptr) {
        return process;
    }
    // Only the bus address crosses over into the user's environment.
    process->start(QStringLiteral("setpriv"),
                   QStringList{QStringLiteral("--reuid=%1").arg(pw->pw_uid),
                               QStringLiteral("--regid=%1").arg(pw->pw_gid),
                               QStringLiteral("--init-groups"), QStringLiteral("--reset-env"),
                               QStringLiteral("/usr/bin/env"),
                               QStringLiteral("DBUS_SYSTEM_BUS_ADDRESS=") + busAddress(), program} +
                       args);
    process->waitForStarted(5000);
    return process;
}

std::unique_ptr<QProcess> DBusHarness::startCtl(const QString& user, const QStringList& args)
{
    return startAsUser(user, m_ctlBinary, args);
}

CommandResult DBusHarness::runAsUser(const QString& user, const QString& program,
                                     const QStringList& args, int timeoutMs)
{
    std::unique_ptr<QProcess> p = startAsUser(user, program, args);
    CommandResult r;
    if (p->state() == QProcess::NotRunning && p->exitStatus() != QProcess::NormalExit) {
        r.err = QStringLiteral("cannot start %1 as %2").arg(program, user);
        return r;
    }
    if (!p->waitForFinished(timeoutMs)) {
        p->kill();
        p->waitForFinished(2000);
        r.err = QStringLiteral("%1 %2 timed out").arg(program, args.join(' '));
        return r;
    }
    r.exitCode = p->exitStatus() == QProcess::NormalExit ? p->exitCode() : -1;
    r.out = QString::fromLocal8Bit(p->readAllStandardOutput());
    r.err = QString::fromLocal8Bit(p->readAllStandardError());
    return r;
}

CommandResult DBusHarness::runCtl(const QString& user, const QStringList& args, int timeoutMs)
{
    return runAsUser(user, m_ctlBinary, args, timeoutMs);
}

uint DBusHarness::helperPid() const
{
    if (!bus().isConnected() || !bus().interface()->isServiceRegistered(kHelperName)) {
        return 0;
    }
    const QDBusReply<uint> pid = bus().interface()->servicePid(kHelperName);
    return pid.isValid() ? pid.value() : 0;
}

QString DBusHarness::netnsOf(uint pid)
{
    return run(ipBinary(),
               {QStringLiteral("netns"), QStringLiteral("identify"), QString::number(pid)})
        .out.trimmed();
}

QProcess* DBusHarness::startFarSide(const QString& profilePath)
{
    stopFarSide();
    m_farSide = std::make_unique<QProcess>();
    dieWithParent(*m_farSide);
    m_farSide->setStandardOutputFile(QDir(dir()).filePath("far-side.log"), QIODevice::Append);
    m_farSide->setStandardErrorFile(QDir(dir()).filePath("far-side.log"), QIODevice::Append);
    m_farSide->start(ipBinary(), {QStringLiteral("netns"), QStringLiteral("exec"), m_ns2,
                                  m_helperBinary, QStringLiteral("--standalone"), profilePath});
    m_farSide->waitForStarted(5000);
    setEmergencyPid(2, m_farSide->processId());
    return m_farSide.get();
}

void DBusHarness::dumpLogs() const
{
    for (const char* name : {"helper.log", "polkitd.log", "far-side.log"}) {
        QFile f(QDir(dir()).filePath(QLatin1String(name)));
        if (!f.open(QIODevice::ReadOnly)) {
            continue;
        }
        const QList<QByteArray> lines = f.readAll().split('\n');
        qWarning("--- last lines of %s ---", name);
        for (qsizetype i = std::max<qsizetype>(0, lines.size() - 30); i < lines.size(); ++i) {
            qWarning("%s", lines.at(i).constData());
        }
    }
}

void DBusHarness::stopBus()
{
    QDBusConnection::disconnectFromBus(m_connectionName);
    killProcess(m_bus.get());
    m_bus.reset();
    setEmergencyPid(0, 0);
}

void DBusHarness::stopPolkit()
{
    killProcess(m_polkit.get());
    m_polkit.reset();
    setEmergencyPid(1, 0);
    const QDeadlineTimer deadline(5000);
    while (bus().interface()->isServiceRegistered(kPolkitName) && !deadline.hasExpired()) {
        QThread::msleep(20);
    }
}

void DBusHarness::stopFarSide()
{
    killProcess(m_farSide.get());
    m_farSide.reset();
    setEmergencyPid(2, 0);
}

} // namespace peertun::test
