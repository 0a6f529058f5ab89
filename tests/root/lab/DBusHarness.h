// Test harness for the D-Bus helper, all real components, nothing of the host touched:
// - a private dbus-daemon with a system-bus configuration derived from the installed one,
//   the project's bus policy and polkitd's, and an activation file whose Exec= runs
//   peertun-helper inside network namespace ns1 (`ip netns exec`), with a hosts file of the
//   harness bind-mounted over /etc/hosts in its own mount namespace;
// - a real polkitd inside `unshare --mount` with the project's .policy and a test rules file
//   bind-mounted over polkit's actions/rules dirs;
// - two network namespaces joined by a veth pair (10.211.55.122/24 <-> .123/24);
// - a unix datagram socket the helper sends its syslog lines to (--syslog-socket);
// - non-root test users (allowed, denied, slow, flood, group member, owner, other, admin) that
//   run peertunctl with only DBUS_SYSTEM_BUS_ADDRESS in their environment. Their names say
//   they are test users and carry the test's PID, so parallel test programs each have their
//   own and the harness deletes its own (users and groups) in tearDown().
// Everything is torn down by tearDown(), the destructor, and on SIGTERM/SIGINT/SIGABRT/SIGSEGV;
// what a signal handler cannot remove (users, groups: that needs userdel) the next run sweeps
// once the PID in its name is gone.
#pragma once

#include "Fd.h"

#include <QDBusConnection>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <memory>
#include <unistd.h>

namespace peertun::test {

// "peertun-test-ROLE-PID": a test user (or group) of this test process.
inline QString testAccountName(const char* role)
{
    return QStringLiteral("peertun-test-%1-%2").arg(QLatin1String(role)).arg(::getpid());
}
// io.peertun.control yes (the test rules); none of the other actions.
inline const QString kAllowedUser = testAccountName("allow");
// Every action no.
inline const QString kDeniedUser = testAccountName("deny");
// polkit answers yes for this one (io.peertun.control), but only after a few seconds (a person
// typing).
inline const QString kSlowUser = testAccountName("slow");
inline constexpr int kSlowUserDelaySeconds = 3;
// polkit says no to it; the rate-limit test floods the helper as this user.
inline const QString kFloodUser = testAccountName("flood");
// Allowed only through the shipped optional rules file (50-peertun-netdev.rules), whose group
// the harness renames to this one.
inline const QString kGroupMemberUser = testAccountName("member");
inline const QString kControlGroup = testAccountName("netdev");
// Owners: the owner and the other user hold io.peertun.control only (each can connect and
// take down its own tunnels); the admin, a member of kAdminGroup, holds every action, as an
// administrator who typed the password would (auth_admin cannot be answered without an
// agent).
inline const QString kOwnerUser = testAccountName("owner");
inline const QString kOtherUser = testAccountName("other");
inline const QString kAdminUser = testAccountName("admin");
inline const QString kAdminGroup = testAccountName("admins");

inline const QString kUnderlayAddress1 = QStringLiteral("10.211.55.122");
inline const QString kUnderlayAddress2 = QStringLiteral("10.211.55.123");

struct CommandResult
{
    int exitCode = -1;
    QString out;
    QString err;
    QString describe() const; // for failure messages
};

class DBusHarness
{
public:
    DBusHarness();
    ~DBusHarness();
    DBusHarness(const DBusHarness&) = delete;
    DBusHarness& operator=(const DBusHarness&) = delete;

    // Sets everything up; on failure returns false with the reason and leaves nothing behind.
    bool setUp(QString* error);
    void tearDown();

    QString busAddress() const;
    QDBusConnection bus() const; // the test's own (root) connection
    QString ns1() const { return m_ns1; }
    QString ns2() const { return m_ns2; }
    QString dir() const { return m_dir ? m_dir->path() : QString(); }
    QString helperLogPath() const;
    // The helper's syslog (--syslog-socket): every datagram received so far, in order.
    QString syslogSocketPath() const;
    QStringList syslogLines();
    QString helperBinary() const { return m_helperBinary; }

    // Before setUp(): activation runs the helper confined as peertun-helper.service runs it,
    // without systemd as PID 1: already as its own user (helperUser()) with the unit's
    // AmbientCapabilities= ambient, inheritable and as the whole bounding set (setpriv), under
    // the unit's SystemCallFilter= with EPERM for the rest and NoNewPrivileges (seccomp_exec,
    // PEERTUN_SECCOMP_EXEC, the list expanded by this machine's systemd-analyze), with
    // /dev/net/tun 0666 as udev makes it (its own node in the helper's mount namespace).
    void setHelperConfined(bool confined) { m_confined = confined; }
    // The unit's AmbientCapabilities= as setpriv names them ("net_admin", ...); set by setUp()
    // when confined.
    QStringList confinedCapabilities() const { return m_confinedCaps; }

    // Idle-exit seconds for the next activation of the helper (0 = never).
    void setHelperIdleExit(int seconds);

    // peertunctl as a test user; waits up to timeoutMs.
    CommandResult runCtl(const QString& user, const QStringList& args, int timeoutMs = 30000);
    // Same, started and left running (the caller owns the process).
    std::unique_ptr<QProcess> startCtl(const QString& user, const QStringList& args);
    // Any program as a test user, with only DBUS_SYSTEM_BUS_ADDRESS in its environment.
    std::unique_ptr<QProcess> startAsUser(const QString& user, const QString& program,
                                          const QStringList& args);
    CommandResult runAsUser(const QString& user, const QString& program, const QStringList& args,
                            int timeoutMs = 30000);
    // Any command as root, waiting for it.
    static CommandResult run(const QString& program, const QStringList& args,
                             int timeoutMs = 30000);
    // `ip -n ns1 ...`.
    CommandResult ipNs1(const QStringList& args)
    {
        return run(ipBinary(), QStringList{"-n", m_ns1} + args);
    }

    // A world-readable file in the harness dir.
    QString writeFile(const QString& name, const QByteArray& contents);
    // The helper sees this file as its /etc/hosts (a copy of the host's at setUp); a name added
    // here resolves for host-name endpoints from the next lookup on.
    QString helperHostsPath() const;
    bool addHelperHost(const QString& address, const QString& name);

    // PID of the process owning io.peertun.Helper1, or 0.
    uint helperPid() const;
    // Namespace name the process is in (via `ip netns identify`).
    static QString netnsOf(uint pid);
    // Starts `peertun-helper --standalone PROFILE` inside ns2 (the far side of tunnels).
    QProcess* startFarSide(const QString& profilePath);
    void stopFarSide();
    // Stops dbus-daemon (the helper and polkitd lose their bus); only as a test's last step.
    void stopBus();
    // polkitd can be stopped and started again (to test the helper without it).
    void stopPolkit();
    bool startPolkit(QString* error);

    static QString ipBinary();
    // The user the helper switches to: its own system user peertun when the machine has it
    // (an installed package), else nobody. The harness uses the shipped bus policy and polkit
    // action, and grants nobody the same as peertun beside them.
    static QString helperUser();
    // Prints the last lines of the helper's, polkitd's and the far side's logs (after a
    // failure, so CI output explains it).
    void dumpLogs() const;

private:
    bool ensureUser(const QString& name, const QString& group, QString* error);
    // userdel/groupdel of what ensureUser created (and of a killed run's, by PID).
    static void removeAccounts(const QStringList& users, const QStringList& groups);
    bool startBus(QString* error);
    // The setpriv + seccomp_exec prefix of the helper's command line, and the tun node.
    bool prepareConfinement(QString* error);
    bool createNamespaces(QString* error);
    void sweepLeftoversOfKilledRuns();
    bool waitForName(const QString& name, int timeoutMs) const;
    void killProcess(QProcess* process);
    void registerForEmergencyCleanup();
    // Slot 0 the bus, 1 polkitd, 2 the far side; pid 0 stops tracking it.
    void setEmergencyPid(int slot, qint64 pid);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_ns1, m_ns2;
    QString m_helperBinary, m_ctlBinary;
    QString m_connectionName;
    std::unique_ptr<QProcess> m_bus;
    std::unique_ptr<QProcess> m_polkit;
    std::unique_ptr<QProcess> m_farSide;
    engine::Fd m_syslog;
    QStringList m_syslogLines;
    bool m_namespacesCreated = false;
    bool m_confined = false;
    QStringList m_confinedCaps;
    QString m_confinementPrefix;                 // shell words before the helper's path, or empty
    QStringList m_createdUsers, m_createdGroups; // removed in tearDown()
    int m_trackedPids[3] = {-1, -1, -1};         // EmergencyCleanup slots
};

} // namespace peertun::test
