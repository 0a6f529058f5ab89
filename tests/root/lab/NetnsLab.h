// A small test fixture for end-to-end tests in network namespaces: it makes namespaces with
// names unique to this process, veth pairs and addresses inside them, runs processes there,
// and removes all of it in its destructor -- and from a signal handler if the test is
// interrupted, so a Ctrl-C or a watchdog abort leaves nothing behind. It never configures
// anything in the root namespace: every `ip` command it issues is scoped with `-n NS`.
#pragma once

#include <QByteArray>
#include <QMap>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>
#include <memory>
#include <optional>
#include <vector>

namespace peertun::testlab {

// Outcome of a command run to completion.
struct CommandResult
{
    bool finished = false; // false: could not start, or killed at the timeout
    int exitCode = -1;
    QByteArray output; // stdout and stderr merged

    bool ok() const { return finished && exitCode == 0; }
};

// Counters printed by `peertun-helper` on SIGUSR1, one `stats tunnel=...` line per tunnel and
// one `stats tunnel=... peer=...` line per peer.
struct TunnelStats
{
    QString tunnel;
    QMap<QString, QString> values;               // tx_packets -> "12", ...
    QMap<QString, QMap<QString, QString>> peers; // peer name -> its key=value fields

    // The tunnel counter `key`, or -1 when it is missing or not a number.
    qint64 counter(const QString& key) const;
    qint64 peerCounter(const QString& peer, const QString& key) const;
};

// Parses the last complete block of stats lines for `tunnel` found in `text` (a block is the
// tunnel line and the peer lines directly after it). Lines may carry a log prefix.
std::optional<TunnelStats> parseStats(const QByteArray& text, const QString& tunnel);

// A process started inside a namespace with `ip netns exec` (which execs, so pid() is the
// program's own PID and signals reach it directly). Output is collected as it arrives.
class LabProcess
{
public:
    LabProcess(QString label, QString ns, QStringList argv);
    ~LabProcess();
    LabProcess(const LabProcess&) = delete;
    LabProcess& operator=(const LabProcess&) = delete;

    const QString& label() const { return m_label; }
    qint64 pid() const { return m_pid; }
    bool isRunning();
    // Everything printed so far (merged stdout/stderr).
    QByteArray output();

    // Waits until `needle` appears in the output at or after byte `from`; false if the
    // process exits first or the timeout passes.
    bool waitForOutput(const QByteArray& needle, int timeoutMs, qsizetype from = 0);
    // Waits for the process to end; false at the timeout.
    bool waitForExit(int timeoutMs);
    int exitCode() const;
    bool exitedNormally() const; // exited (not killed by a signal)

    bool sendSignal(int signo);

    // Sends SIGUSR1 and waits for a complete stats block of `tunnel` with `peerCount` peer
    // lines printed after the signal.
    std::optional<TunnelStats> readStats(const QString& tunnel, int peerCount,
                                         int timeoutMs = 3000);

    // TERM, then KILL after `graceMs`; waits for it to end.
    void stop(int graceMs = 1000);

private:
    friend class NetnsLab;
    bool start(QString* error);
    void collect();

    QString m_label;
    QString m_ns;
    QStringList m_argv;
    QProcess m_process;
    QByteArray m_output;
    qint64 m_pid = 0;
    int m_registrySlot = -1;
};

// Three namespaces in a row, for a client that reaches its server through a router (IPv4):
//   a: vab kClientAddress/24, default route via kRouterToClient
//   b: vba kRouterToClient/24, vbc kRouterToServer/24, forwarding on
//   c: vcb kServerAddress/24, 10.91.0.0/16 (every client side) via kRouterToServer
struct RoutedWorld
{
    static constexpr const char* kClientAddress = "10.91.1.2";
    static constexpr const char* kRouterToClient = "10.91.1.1";
    static constexpr const char* kRouterToServer = "10.91.3.1";
    static constexpr const char* kServerAddress = "10.91.3.2";
    QString a, b, c; // the namespaces: client, router, server
};

class NetnsLab
{
public:
    NetnsLab();
    ~NetnsLab();
    NetnsLab(const NetnsLab&) = delete;
    NetnsLab& operator=(const NetnsLab&) = delete;

    // Why the last call that returned false failed (command, exit code, output).
    const QString& lastError() const { return m_lastError; }
    bool isValid() const { return m_tempDir.isValid(); }

    // Creates a namespace with a name unique to this process and brings its `lo` up.
    // Returns the name, or an empty string (see lastError()).
    QString addNamespace();

    // A veth pair: `ifA` in `nsA`, `ifB` in `nsB`, both up.
    bool addVethPair(const QString& nsA, const QString& ifA, const QString& nsB,
                     const QString& ifB);
    // `ip addr add CIDR dev DEV` inside `ns`; IPv6 addresses get `nodad` so they are usable at
    // once.
    bool addAddress(const QString& ns, const QString& dev, const QString& cidr);

    // The namespaces and links of RoutedWorld; nothing (see lastError()) on failure.
    std::optional<RoutedWorld> addRoutedWorld();

    // `ip ARGS` run from the root namespace; the caller scopes it with `-n NS` (all helpers
    // here do). Use this for inspecting namespaces: `ip -n NS route show ...`.
    CommandResult ip(const QStringList& args, int timeoutMs = 10000);
    // Runs `argv` to completion inside `ns`.
    CommandResult run(const QString& ns, const QStringList& argv, int timeoutMs = 30000);
    // Same as run(), records the failure in lastError() and returns false when it fails.
    bool runOk(const QString& ns, const QStringList& argv, int timeoutMs = 30000);

    // Starts `argv` inside `ns` and keeps it until the lab is destroyed (or it is stopped).
    // nullptr on failure.
    LabProcess* start(const QString& ns, const QStringList& argv, const QString& label);

    // A file in the lab's temporary directory (removed with the lab).
    QString writeFile(const QString& name, const QByteArray& contents);
    QString tempPath(const QString& name) const { return m_tempDir.filePath(name); }

    const std::vector<std::unique_ptr<LabProcess>>& processes() const { return m_processes; }
    const QStringList& namespaces() const { return m_namespaces; }

    // Whether a namespace of this name exists (for checking teardown).
    static bool namespaceExists(const QString& ns);

private:
    bool fail(const QString& what, const CommandResult& r);
    void teardown();
    static void removeLeftoversOfDeadRuns();

    QTemporaryDir m_tempDir;
    QStringList m_namespaces;
    std::vector<std::unique_ptr<LabProcess>> m_processes;
    QString m_lastError;
};

// Prints each process's output (its last `tailBytes`, all of it when negative), for a test that
// failed.
void printProcessOutputs(const NetnsLab& lab, qsizetype tailBytes = -1);

// The end of a test's lab: prints its processes' output if the current test failed, destroys
// the lab (processes, then namespaces) and returns the namespaces still there afterwards. A
// null lab leaves nothing. Check the result with LAB_VERIFY_NOTHING_LEFT.
QStringList tearDownLab(std::unique_ptr<NetnsLab>& lab, qsizetype tailBytes = -1);

} // namespace peertun::testlab

// Fails the calling test (at the caller's line) when namespaces were left behind, naming them.
// `namespacesLeft` is evaluated once: `LAB_VERIFY_NOTHING_LEFT(tearDownLab(m_lab))`.
#define LAB_VERIFY_NOTHING_LEFT(namespacesLeft)                                                    \
    do {                                                                                           \
        const QStringList labNamespacesLeft = (namespacesLeft);                                    \
        QVERIFY2(labNamespacesLeft.isEmpty(),                                                      \
                 qPrintable(labNamespacesLeft.join(QLatin1String(", ")) +                          \
                            QLatin1String(" left behind")));                                       \
    } while (false)
