#include "NetnsLab.h"

#include "EmergencyCleanup.h"

#include <QDebug>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>
#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <sys/mount.h>
#include <unistd.h>

namespace peertun::testlab {

namespace {

// Namespaces are named ptlab<PID>x<N>: the PID tells whether a leftover is ours to remove.
const QRegularExpression& namespacePattern()
{
    static const QRegularExpression re(QStringLiteral("^ptlab(\\d+)x\\d+$"));
    return re;
}

int g_namespaceCounter = 0;

CommandResult runProgram(const QString& program, const QStringList& args, int timeoutMs)
{
    CommandResult result;
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, args);
    if (!process.waitForStarted(5000)) {
        result.output = process.errorString().toUtf8();
        return result;
    }
    const int slot = trackPid(static_cast<pid_t>(process.processId()));
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(2000);
        untrackPid(slot);
        result.output = process.readAll() + "\n[killed after timeout]";
        return result;
    }
    untrackPid(slot);
    result.output = process.readAll();
    result.finished = process.exitStatus() == QProcess::NormalExit;
    result.exitCode = process.exitCode();
    return result;
}

} // namespace

// ---- stats -------------------------------------------------------------------------------

qint64 TunnelStats::counter(const QString& key) const
{
    bool ok = false;
    const qint64 v = values.value(key).toLongLong(&ok);
    return ok ? v : -1;
}

qint64 TunnelStats::peerCounter(const QString& peer, const QString& key) const
{
    bool ok = false;
    const qint64 v = peers.value(peer).value(key).toLongLong(&ok);
    return ok ? v : -1;
}

std::optional<TunnelStats> parseStats(const QByteArray& text, const QString& tunnel)
{
    static const QByteArray marker = "stats tunnel=";
    std::optional<TunnelStats> current;
    std::optional<TunnelStats> last;
    const qsizetype complete = text.lastIndexOf('\n') + 1; // ignore a line still being written
    const QList<QByteArray> lines = text.left(complete).split('\n');
    for (const QByteArray& line : lines) {
        const qsizetype at = line.indexOf(marker);
        if (at < 0) {
            continue; // other log lines may be interleaved
        }
        QMap<QString, QString> fields;
        const QList<QByteArray> tokens = line.mid(at + 6).simplified().split(' ');
        for (const QByteArray& token : tokens) {
            const qsizetype eq = token.indexOf('=');
            if (eq > 0) {
                fields.insert(QString::fromUtf8(token.left(eq)),
                              QString::fromUtf8(token.mid(eq + 1)));
            }
        }
        if (fields.value(QStringLiteral("tunnel")) != tunnel) {
            continue;
        }
        const QString peer = fields.take(QStringLiteral("peer"));
        fields.remove(QStringLiteral("tunnel"));
        if (peer.isEmpty()) {
            if (current) {
                last = current;
            }
            current = TunnelStats{tunnel, fields, {}};
        } else if (current) {
            current->peers.insert(peer, fields);
        }
    }
    return current ? current : last;
}

// ---- LabProcess --------------------------------------------------------------------------

LabProcess::LabProcess(QString label, QString ns, QStringList argv)
    : m_label(std::move(label)), m_ns(std::move(ns)), m_argv(std::move(argv))
{
    m_process.setProcessChannelMode(QProcess::MergedChannels);
}

LabProcess::~LabProcess()
{
    stop(500);
}

bool LabProcess::start(QString* error)
{
    m_process.start(QStringLiteral("ip"),
                    QStringList{QStringLiteral("netns"), QStringLiteral("exec"), m_ns} + m_argv);
    if (!m_process.waitForStarted(5000)) {
        *error = QStringLiteral("cannot start %1 in %2: %3")
                     .arg(m_argv.join(QLatin1Char(' ')), m_ns, m_process.errorString());
        return false;
    }
    m_pid = m_process.processId();
    m_registrySlot = trackPid(static_cast<pid_t>(m_pid));
    return true;
}

void LabProcess::collect()
{
    m_output += m_process.readAll();
    if (m_process.state() == QProcess::NotRunning && m_registrySlot >= 0) {
        untrackPid(m_registrySlot); // reaped: the PID may be reused, never signal it again
        m_registrySlot = -1;
    }
}

bool LabProcess::isRunning()
{
    collect();
    return m_process.state() != QProcess::NotRunning;
}

QByteArray LabProcess::output()
{
    collect();
    return m_output;
}

bool LabProcess::waitForOutput(const QByteArray& needle, int timeoutMs, qsizetype from)
{
    QElapsedTimer timer;
    timer.start();
    for (;;) {
        collect();
        if (m_output.indexOf(needle, from) >= 0) {
            return true;
        }
        if (m_process.state() == QProcess::NotRunning || timer.elapsed() >= timeoutMs) {
            return false;
        }
        m_process.waitForReadyRead(
            static_cast<int>(qMin<qint64>(100, timeoutMs - timer.elapsed())));
    }
}

bool LabProcess::waitForExit(int timeoutMs)
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.waitForFinished(timeoutMs);
    }
    collect();
    return m_process.state() == QProcess::NotRunning;
}

int LabProcess::exitCode() const
{
    return m_process.exitCode();
}

bool LabProcess::exitedNormally() const
{
    return m_process.state() == QProcess::NotRunning &&
           m_process.exitStatus() == QProcess::NormalExit;
}

bool LabProcess::sendSignal(int signo)
{
    collect();
    if (m_registrySlot < 0 || m_pid <= 0) {
        return false;
    }
    return ::kill(static_cast<pid_t>(m_pid), signo) == 0;
}

std::optional<TunnelStats> LabProcess::readStats(const QString& tunnel, int peerCount,
                                                 int timeoutMs)
{
    collect();
    const qsizetype from = m_output.size();
    if (!sendSignal(SIGUSR1)) {
        return std::nullopt;
    }
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        waitForOutput("\n", 100, m_output.size());
        const auto stats = parseStats(m_output.mid(from), tunnel);
        if (stats && stats->peers.size() >= peerCount) {
            return stats;
        }
        if (!isRunning()) {
            break;
        }
    }
    return std::nullopt;
}

void LabProcess::stop(int graceMs)
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (!m_process.waitForFinished(graceMs)) {
            m_process.kill();
            m_process.waitForFinished(3000);
        }
    }
    collect();
    untrackPid(m_registrySlot);
    m_registrySlot = -1;
}

// ---- NetnsLab ----------------------------------------------------------------------------

NetnsLab::NetnsLab()
    // Named after the PID like the namespaces, so a SIGKILLed run's files can be swept too.
    : m_tempDir(QDir::tempPath() + QStringLiteral("/ptlab%1-XXXXXX").arg(::getpid()))
{
    installCleanupHandlers();
    removeLeftoversOfDeadRuns();
}

NetnsLab::~NetnsLab()
{
    teardown();
}

void NetnsLab::teardown()
{
    for (auto& process : m_processes) {
        process->stop(1000);
    }
    m_processes.clear();
    for (const QString& ns : std::as_const(m_namespaces)) {
        // Anything still inside (e.g. a daemon a test command forked) is ours: end it first.
        const CommandResult pids = ip({QStringLiteral("netns"), QStringLiteral("pids"), ns});
        for (const QByteArray& p : pids.output.split('\n')) {
            bool ok = false;
            const pid_t pid = p.trimmed().toInt(&ok);
            if (ok && pid > 1) {
                ::kill(pid, SIGKILL);
            }
        }
        const CommandResult del = ip({QStringLiteral("netns"), QStringLiteral("del"), ns});
        if (!del.ok() && namespaceExists(ns)) {
            qWarning("NetnsLab: could not delete namespace %s: %s", qPrintable(ns),
                     del.output.constData());
        }
        untrackNamespace(ns);
    }
    m_namespaces.clear();
}

void NetnsLab::removeLeftoversOfDeadRuns()
{
    static const QRegularExpression tempPattern(QStringLiteral("^ptlab(\\d+)-[A-Za-z0-9]{6}$"));
    const QDir temp(QDir::tempPath());
    for (const QString& dir : temp.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const auto match = tempPattern.match(dir);
        const pid_t owner = match.hasMatch() ? match.captured(1).toInt() : 0;
        if (owner > 0 && owner != ::getpid() && ::kill(owner, 0) != 0 && errno == ESRCH) {
            QDir(temp.filePath(dir)).removeRecursively();
        }
    }

    const QStringList entries = QDir(QString::fromLatin1(kNetnsDir)).entryList(QDir::Files);
    for (const QString& ns : entries) {
        const auto match = namespacePattern().match(ns);
        if (!match.hasMatch()) {
            continue;
        }
        const pid_t owner = match.captured(1).toInt();
        if (owner == ::getpid() || ::kill(owner, 0) == 0 || errno != ESRCH) {
            continue; // its test process is still alive (or it is ours)
        }
        const CommandResult pids = runProgram(
            QStringLiteral("ip"), {QStringLiteral("netns"), QStringLiteral("pids"), ns}, 5000);
        for (const QByteArray& p : pids.output.split('\n')) {
            bool ok = false;
            const pid_t pid = p.trimmed().toInt(&ok);
            if (ok && pid > 1) {
                ::kill(pid, SIGKILL);
            }
        }
        runProgram(QStringLiteral("ip"), {QStringLiteral("netns"), QStringLiteral("del"), ns},
                   5000);
        qInfo("NetnsLab: removed namespace %s left by dead test process %d", qPrintable(ns), owner);
    }
}

bool NetnsLab::namespaceExists(const QString& ns)
{
    return QFile::exists(QString::fromLatin1(kNetnsDir) + ns);
}

bool NetnsLab::fail(const QString& what, const CommandResult& r)
{
    m_lastError = QStringLiteral("`%1` %2: %3")
                      .arg(what,
                           r.finished ? QStringLiteral("exited %1").arg(r.exitCode)
                                      : QStringLiteral("did not finish"),
                           QString::fromUtf8(r.output.trimmed()));
    return false;
}

QString NetnsLab::addNamespace()
{
    const QString ns = QStringLiteral("ptlab%1x%2").arg(::getpid()).arg(g_namespaceCounter++);
    trackNamespace(ns); // before creating it: an interrupt right after must still remove it
    const CommandResult add = ip({QStringLiteral("netns"), QStringLiteral("add"), ns});
    if (!add.ok()) {
        untrackNamespace(ns);
        fail(QStringLiteral("ip netns add %1").arg(ns), add);
        return {};
    }
    m_namespaces.append(ns);
    const CommandResult lo =
        ip({QStringLiteral("-n"), ns, QStringLiteral("link"), QStringLiteral("set"),
            QStringLiteral("lo"), QStringLiteral("up")});
    if (!lo.ok()) {
        fail(QStringLiteral("ip -n %1 link set lo up").arg(ns), lo);
        return {};
    }
    return ns;
}

bool NetnsLab::addVethPair(const QString& nsA, const QString& ifA, const QString& nsB,
                           const QString& ifB)
{
    const QStringList add{QStringLiteral("-n"),
                          nsA,
                          QStringLiteral("link"),
                          QStringLiteral("add"),
                          ifA,
                          QStringLiteral("type"),
                          QStringLiteral("veth"),
                          QStringLiteral("peer"),
                          QStringLiteral("name"),
                          ifB,
                          QStringLiteral("netns"),
                          nsB};
    CommandResult r = ip(add);
    if (!r.ok()) {
        return fail(add.join(QLatin1Char(' ')), r);
    }
    for (const auto& [ns, dev] : {std::pair{nsA, ifA}, std::pair{nsB, ifB}}) {
        const QStringList up{QStringLiteral("-n"),  ns,  QStringLiteral("link"),
                             QStringLiteral("set"), dev, QStringLiteral("up")};
        r = ip(up);
        if (!r.ok()) {
            return fail(up.join(QLatin1Char(' ')), r);
        }
    }
    return true;
}

bool NetnsLab::addAddress(const QString& ns, const QString& dev, const QString& cidr)
{
    QStringList args{QStringLiteral("-n"),  ns, QStringLiteral("addr"), QStringLiteral("add"), cidr,
                     QStringLiteral("dev"), dev};
    if (cidr.contains(QLatin1Char(':'))) {
        args.append(QStringLiteral("nodad")); // usable at once, no duplicate detection delay
    }
    const CommandResult r = ip(args);
    return r.ok() || fail(QStringLiteral("ip ") + args.join(QLatin1Char(' ')), r);
}

std::optional<RoutedWorld> NetnsLab::addRoutedWorld()
{
    RoutedWorld w;
    w.a = addNamespace();
    w.b = addNamespace();
    w.c = addNamespace();
    const QString slash24 = QStringLiteral("/24");
    const bool ok =
        !w.a.isEmpty() && !w.b.isEmpty() && !w.c.isEmpty() &&
        addVethPair(w.a, QStringLiteral("vab"), w.b, QStringLiteral("vba")) &&
        addVethPair(w.b, QStringLiteral("vbc"), w.c, QStringLiteral("vcb")) &&
        addAddress(w.a, QStringLiteral("vab"), RoutedWorld::kClientAddress + slash24) &&
        addAddress(w.b, QStringLiteral("vba"), RoutedWorld::kRouterToClient + slash24) &&
        addAddress(w.b, QStringLiteral("vbc"), RoutedWorld::kRouterToServer + slash24) &&
        addAddress(w.c, QStringLiteral("vcb"), RoutedWorld::kServerAddress + slash24) &&
        runOk(w.b, {QStringLiteral("sysctl"), QStringLiteral("-qw"),
                    QStringLiteral("net.ipv4.ip_forward=1")}) &&
        runOk(w.a,
              {QStringLiteral("ip"), QStringLiteral("route"), QStringLiteral("add"),
               QStringLiteral("default"), QStringLiteral("via"), RoutedWorld::kRouterToClient}) &&
        runOk(w.c, {QStringLiteral("ip"), QStringLiteral("route"), QStringLiteral("add"),
                    QStringLiteral("10.91.0.0/16"), QStringLiteral("via"),
                    RoutedWorld::kRouterToServer});
    if (!ok) {
        return std::nullopt;
    }
    return w;
}

CommandResult NetnsLab::ip(const QStringList& args, int timeoutMs)
{
    return runProgram(QStringLiteral("ip"), args, timeoutMs);
}

CommandResult NetnsLab::run(const QString& ns, const QStringList& argv, int timeoutMs)
{
    return runProgram(QStringLiteral("ip"),
                      QStringList{QStringLiteral("netns"), QStringLiteral("exec"), ns} + argv,
                      timeoutMs);
}

bool NetnsLab::runOk(const QString& ns, const QStringList& argv, int timeoutMs)
{
    const CommandResult r = run(ns, argv, timeoutMs);
    return r.ok() || fail(QStringLiteral("in %1: ").arg(ns) + argv.join(QLatin1Char(' ')), r);
}

LabProcess* NetnsLab::start(const QString& ns, const QStringList& argv, const QString& label)
{
    auto process = std::make_unique<LabProcess>(label, ns, argv);
    if (!process->start(&m_lastError)) {
        return nullptr;
    }
    m_processes.push_back(std::move(process));
    return m_processes.back().get();
}

QString NetnsLab::writeFile(const QString& name, const QByteArray& contents)
{
    const QString path = m_tempDir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        file.write(contents) != contents.size()) {
        m_lastError = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return {};
    }
    return path;
}

void printProcessOutputs(const NetnsLab& lab, qsizetype tailBytes)
{
    for (const auto& p : lab.processes()) {
        const QByteArray output = p->output();
        qInfo().noquote() << "---- output of" << p->label() << "----\n"
                          << QString::fromUtf8(tailBytes < 0 ? output : output.right(tailBytes));
    }
}

QStringList tearDownLab(std::unique_ptr<NetnsLab>& lab, qsizetype tailBytes)
{
    if (!lab) {
        return {};
    }
    if (QTest::currentTestFailed()) {
        printProcessOutputs(*lab, tailBytes);
    }
    const QStringList namespaces = lab->namespaces();
    lab.reset();
    QStringList left;
    for (const QString& ns : namespaces) {
        if (NetnsLab::namespaceExists(ns)) {
            left << ns;
        }
    }
    return left;
}

} // namespace peertun::testlab
