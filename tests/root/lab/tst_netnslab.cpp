// The e2e fixture itself: the stats parser, and that a lab leaves nothing behind -- neither
// when destroyed nor when its process is interrupted.
#include "EmergencyCleanup.h"
#include "NetnsLab.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTest>
#include <QThread>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <sys/mount.h>
#include <unistd.h>

using peertun::testlab::CommandResult;
using peertun::testlab::NetnsLab;
using peertun::testlab::parseStats;

namespace {

bool processExists(qint64 pid)
{
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH;
}

// Child mode for interruptRemovesNamespacesAndProcesses: builds a lab, reports what it made,
// then waits to be interrupted.
int runChildLab()
{
    NetnsLab lab;
    const QString a = lab.addNamespace();
    const QString b = lab.addNamespace();
    if (a.isEmpty() || b.isEmpty() ||
        !lab.addVethPair(a, QStringLiteral("v1"), b, QStringLiteral("v2"))) {
        std::fprintf(stdout, "error %s\n", qPrintable(lab.lastError()));
        return 1;
    }
    auto* sleeper =
        lab.start(a, {QStringLiteral("sleep"), QStringLiteral("600")}, QStringLiteral("sleep"));
    if (!sleeper) {
        std::fprintf(stdout, "error %s\n", qPrintable(lab.lastError()));
        return 1;
    }
    std::fprintf(stdout, "ready %s %s %lld\n", qPrintable(a), qPrintable(b), sleeper->pid());
    std::fflush(stdout);
    QThread::sleep(600);
    return 0;
}

} // namespace

class TstNetnsLab : public QObject
{
    Q_OBJECT

private slots:
    void parseStats_data();
    void parseStats();
    void namespacesAreConnectedAndRemoved();
    void interruptRemovesNamespacesAndProcesses_data();
    void interruptRemovesNamespacesAndProcesses();
    void tearDownLabNamesWhatSurvives();
};

void TstNetnsLab::parseStats_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("found");
    QTest::addColumn<qint64>("rxPackets");   // tunnel counter, -1 if absent
    QTest::addColumn<QString>("peerLastRx"); // of peer host-2
    QTest::addColumn<int>("peers");

    const QByteArray tunnel =
        "stats tunnel=office tx_packets=5 tx_bytes=420 rx_packets=7 rx_bytes=588 "
        "drop_no_peer_for_destination=0 drop_unknown_source_endpoint=3 drop_malformed=0 "
        "drop_source_outside_peer_subnets=0 drop_too_big=0 drop_send_error=0\n";
    const QByteArray peer = "stats tunnel=office peer=host-2 tx_packets=5 tx_bytes=420 "
                            "rx_packets=7 rx_bytes=588 send_errors=0 last_rx_ms_ago=12\n";
    QTest::newRow("contract lines") << tunnel + peer << true << qint64(7) << "12" << 1;
    QTest::newRow("log prefix") << "peertun-helper: [info] " + tunnel + "peertun-helper: " + peer
                                << true << qint64(7) << "12" << 1;
    QTest::newRow("interleaved log line")
        << tunnel + "peertun-helper: [warn] office: something\n" + peer << true << qint64(7) << "12"
        << 1;
    QTest::newRow("never") << tunnel + QByteArray(peer).replace("last_rx_ms_ago=12",
                                                                "last_rx_ms_ago=never")
                           << true << qint64(7) << "never" << 1;
    QTest::newRow("last block wins")
        << tunnel + peer + QByteArray(tunnel).replace("rx_packets=7", "rx_packets=9") + peer << true
        << qint64(9) << "12" << 1;
    QTest::newRow("other tunnel ignored")
        << QByteArray(tunnel).replace("office", "home") << false << qint64(-1) << "" << 0;
    QTest::newRow("peer line without its tunnel line") << peer << false << qint64(-1) << "" << 0;
    QTest::newRow("unfinished peer line") << tunnel + peer.left(40) << true << qint64(7) << "" << 0;
    QTest::newRow("unfinished tunnel line") << tunnel.left(60) << false << qint64(-1) << "" << 0;
    QTest::newRow("not a number") << QByteArray(tunnel).replace("rx_packets=7", "rx_packets=x")
                                  << true << qint64(-1) << "" << 0;
    QTest::newRow("empty") << QByteArray() << false << qint64(-1) << "" << 0;
}

void TstNetnsLab::parseStats()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, found);
    QFETCH(qint64, rxPackets);
    QFETCH(QString, peerLastRx);
    QFETCH(int, peers);
    const auto stats = peertun::testlab::parseStats(text, QStringLiteral("office"));
    QCOMPARE(stats.has_value(), found);
    if (!found) {
        return;
    }
    QCOMPARE(stats->tunnel, QStringLiteral("office"));
    QCOMPARE(stats->counter(QStringLiteral("rx_packets")), rxPackets);
    QCOMPARE(stats->peers.size(), peers);
    QCOMPARE(stats->peers.value(QStringLiteral("host-2")).value(QStringLiteral("last_rx_ms_ago")),
             peerLastRx);
    if (peers) {
        QCOMPARE(stats->peerCounter(QStringLiteral("host-2"), QStringLiteral("tx_bytes")), 420);
        QCOMPARE(stats->counter(QStringLiteral("drop_unknown_source_endpoint")), 3);
    }
}

void TstNetnsLab::namespacesAreConnectedAndRemoved()
{
    if (::geteuid() != 0) {
        QSKIP("needs root: creates network namespaces");
    }
    QStringList made;
    qint64 sleeperPid = 0;
    {
        NetnsLab lab;
        const QString a = lab.addNamespace();
        const QString b = lab.addNamespace();
        QVERIFY2(!a.isEmpty() && !b.isEmpty(), qPrintable(lab.lastError()));
        QVERIFY(a != b);
        made = {a, b};
        QVERIFY2(lab.addVethPair(a, QStringLiteral("v1"), b, QStringLiteral("v2")),
                 qPrintable(lab.lastError()));
        QVERIFY2(lab.addAddress(a, QStringLiteral("v1"), QStringLiteral("192.0.2.1/24")),
                 qPrintable(lab.lastError()));
        QVERIFY2(lab.addAddress(b, QStringLiteral("v2"), QStringLiteral("192.0.2.2/24")),
                 qPrintable(lab.lastError()));
        QVERIFY2(lab.addAddress(b, QStringLiteral("v2"), QStringLiteral("2001:db8::2/64")),
                 qPrintable(lab.lastError()));
        QVERIFY2(lab.addAddress(a, QStringLiteral("v1"), QStringLiteral("2001:db8::1/64")),
                 qPrintable(lab.lastError()));
        QVERIFY2(lab.runOk(a, {QStringLiteral("ping"), QStringLiteral("-c1"), QStringLiteral("-W2"),
                               QStringLiteral("192.0.2.2")}),
                 qPrintable(lab.lastError()));
        // nodad: usable at once, no 1-2 s of "tentative"
        QVERIFY2(lab.runOk(a, {QStringLiteral("ping"), QStringLiteral("-c1"), QStringLiteral("-W2"),
                               QStringLiteral("2001:db8::2")}),
                 qPrintable(lab.lastError()));
        // The root namespace has none of it.
        const CommandResult root = lab.ip({QStringLiteral("-o"), QStringLiteral("addr")});
        QVERIFY(!root.output.contains("192.0.2.1"));
        auto* sleeper =
            lab.start(a, {QStringLiteral("sleep"), QStringLiteral("600")}, QStringLiteral("sleep"));
        QVERIFY2(sleeper, qPrintable(lab.lastError()));
        sleeperPid = sleeper->pid();
        QVERIFY(sleeper->isRunning());
        for (const QString& ns : made) {
            QVERIFY(NetnsLab::namespaceExists(ns));
        }
    }
    for (const QString& ns : made) {
        QVERIFY2(!NetnsLab::namespaceExists(ns), qPrintable(ns));
    }
    QVERIFY(!processExists(sleeperPid));
}

void TstNetnsLab::interruptRemovesNamespacesAndProcesses_data()
{
    QTest::addColumn<int>("signo");
    QTest::newRow("SIGTERM") << SIGTERM;
    QTest::newRow("SIGINT") << SIGINT;
    QTest::newRow("SIGABRT (QTest watchdog)") << SIGABRT;
}

void TstNetnsLab::interruptRemovesNamespacesAndProcesses()
{
    if (::geteuid() != 0) {
        QSKIP("needs root: creates network namespaces");
    }
    QFETCH(int, signo);
    QProcess child;
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    child.start(QCoreApplication::applicationFilePath(), {QStringLiteral("--child-lab")});
    QVERIFY(child.waitForStarted());
    QByteArray line;
    QElapsedTimer timer;
    timer.start();
    while (!line.endsWith('\n') && timer.elapsed() < 15000 && child.state() == QProcess::Running) {
        child.waitForReadyRead(200);
        line += child.readAll();
    }
    const QList<QByteArray> fields = line.trimmed().split(' ');
    QVERIFY2(fields.size() == 4 && fields[0] == "ready", line.constData());
    const QString a = QString::fromLatin1(fields[1]);
    const QString b = QString::fromLatin1(fields[2]);
    const qint64 sleeperPid = fields[3].toLongLong();
    QVERIFY(NetnsLab::namespaceExists(a) && NetnsLab::namespaceExists(b));
    QVERIFY(processExists(sleeperPid));

    ::kill(static_cast<pid_t>(child.processId()), signo);
    QVERIFY(child.waitForFinished(10000));
    QCOMPARE(child.exitStatus(), QProcess::CrashExit); // ended by the signal, not ignoring it
    QVERIFY2(!NetnsLab::namespaceExists(a), qPrintable(a));
    QVERIFY2(!NetnsLab::namespaceExists(b), qPrintable(b));
    QTRY_VERIFY_WITH_TIMEOUT(!processExists(sleeperPid), 3000);
}

void TstNetnsLab::tearDownLabNamesWhatSurvives()
{
    std::unique_ptr<NetnsLab> noLab;
    QVERIFY(peertun::testlab::tearDownLab(noLab).isEmpty());

    if (::geteuid() != 0) {
        QSKIP("needs root: creates network namespaces");
    }
    auto lab = std::make_unique<NetnsLab>();
    const QString pinned = lab->addNamespace();
    const QString removed = lab->addNamespace();
    QVERIFY2(!pinned.isEmpty() && !removed.isEmpty(), qPrintable(lab->lastError()));
    // A second mount on its file makes `ip netns del` fail (EBUSY) and leave it in place.
    const QByteArray path = QByteArray(peertun::testlab::kNetnsDir) + pinned.toLatin1();
    QVERIFY2(::mount(path.constData(), path.constData(), nullptr, MS_BIND, nullptr) == 0,
             std::strerror(errno));
    const auto unpin = qScopeGuard([&] {
        ::umount2(path.constData(), MNT_DETACH);
        QProcess::execute(QStringLiteral("ip"),
                          {QStringLiteral("netns"), QStringLiteral("del"), pinned});
    });
    QTest::ignoreMessage(
        QtWarningMsg, QRegularExpression(QStringLiteral("could not delete namespace ") + pinned));

    const QStringList left = peertun::testlab::tearDownLab(lab);
    QVERIFY(!lab);
    QCOMPARE(left, QStringList{pinned});
    QVERIFY(!NetnsLab::namespaceExists(removed));
    QEXPECT_FAIL("", "the pinned namespace is left behind", Continue);
    LAB_VERIFY_NOTHING_LEFT(left);
}

int main(int argc, char** argv)
{
    if (argc == 2 && qstrcmp(argv[1], "--child-lab") == 0) {
        QCoreApplication app(argc, argv);
        return runChildLab();
    }
    QCoreApplication app(argc, argv);
    TstNetnsLab test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_netnslab.moc"
