// AuditLog: which security events reach the in-memory log and syslog, per uid at most
// kEventsPerWindow per window with one "suppressed" line after it (an injected clock and a
// collecting sink), and SyslogSink's datagrams as a real unix datagram socket receives them.
#include "AuditLog.h"

#include <QCoreApplication>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>

using peertun::AuditLog;
using peertun::AuditSink;
using peertun::SyslogSink;

namespace {

struct Line
{
    int severity;
    QString text;
};

class CollectingSink final : public AuditSink
{
public:
    explicit CollectingSink(QList<Line>* lines) : m_lines(lines) {}
    void write(int severity, const QString& line) override { m_lines->append({severity, line}); }

private:
    QList<Line>* m_lines;
};

struct Fixture
{
    int64_t now = 0;
    QList<Line> syslog;
    QStringList memory;
    AuditLog log{[this](uint32_t, peertun::engine::LogLevel level, const QString& tunnel,
                        const QString& text) {
                     memory << QStringLiteral("%1|%2|%3")
                                   .arg(peertun::engine::logLevelName(level), tunnel, text);
                 },
                 std::make_unique<CollectingSink>(&syslog), [this] { return now; }};
};

} // namespace

class TestAuditLog : public QObject
{
    Q_OBJECT

private slots:
    void kinds_data();
    void kinds();
    void floodIsBoundedPerUid();
    void suppressedReportedWhenNextEventComes();
    void rootIsNotLimited();
    void syslogSinkSendsRfc3164Datagrams();
    void syslogSinkWithoutReceiverDrops();
};

void TestAuditLog::kinds_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("tunnel");
    QTest::addColumn<QString>("memory"); // level|tunnel|text
    QTest::addColumn<int>("severity");   // -1: not in syslog
    QTest::addColumn<QString>("syslogLine");

    QTest::newRow("trace stays in memory") << int(AuditLog::Kind::Trace) << QString()
                                           << QStringLiteral("info||what") << -1 << QString();
    QTest::newRow("refused: warning")
        << int(AuditLog::Kind::Refused) << QString() << QStringLiteral("warning||what")
        << LOG_WARNING << QStringLiteral("what");
    QTest::newRow("connected: notice, tunnel named")
        << int(AuditLog::Kind::Connected) << QStringLiteral("office")
        << QStringLiteral("info|office|what") << LOG_NOTICE
        << QStringLiteral("tunnel office: what");
    QTest::newRow("disconnected: notice")
        << int(AuditLog::Kind::Disconnected) << QStringLiteral("office")
        << QStringLiteral("info|office|what") << LOG_NOTICE
        << QStringLiteral("tunnel office: what");
}

void TestAuditLog::kinds()
{
    QFETCH(int, kind);
    QFETCH(QString, tunnel);
    QFETCH(QString, memory);
    QFETCH(int, severity);
    QFETCH(QString, syslogLine);
    Fixture f;
    QVERIFY(f.log.event(1000, AuditLog::Kind(kind), tunnel, QStringLiteral("what")));
    QCOMPARE(f.memory, QStringList{memory});
    QCOMPARE(f.syslog.size(), severity < 0 ? 0 : 1);
    if (severity >= 0) {
        QCOMPARE(f.syslog.at(0).severity, severity);
        QCOMPARE(f.syslog.at(0).text, syslogLine);
    }
}

void TestAuditLog::floodIsBoundedPerUid()
{
    Fixture f;
    // A flood of one uid, with another uid's events in between: the second one's all pass.
    for (int i = 0; i < 1000; ++i) {
        f.log.event(1001, AuditLog::Kind::Refused, QString(), QStringLiteral("flood %1").arg(i));
        if (i % 100 == 0) {
            QVERIFY(f.log.event(1002, AuditLog::Kind::Connected, QStringLiteral("t"),
                                QStringLiteral("other %1").arg(i)));
        }
        f.now += 1; // 1000 events in one second
    }
    const int fromFlood = int(f.memory.filter(QStringLiteral("flood ")).size());
    QCOMPARE(fromFlood, AuditLog::kEventsPerWindow);
    QCOMPARE(f.memory.filter(QStringLiteral("other ")).size(), 10);
    QCOMPARE(f.syslog.size(), AuditLog::kEventsPerWindow + 10);
    QVERIFY(f.memory.filter(QStringLiteral("suppressed")).isEmpty()); // window still running

    // The window ends: one line each (memory and syslog) with the count.
    f.now = AuditLog::kWindowMs;
    f.log.flushSuppressed();
    const QString expected = QStringLiteral("%1 more security events of uid 1001 were suppressed "
                                            "(at most %2 per 10 s are logged)")
                                 .arg(1000 - AuditLog::kEventsPerWindow)
                                 .arg(AuditLog::kEventsPerWindow);
    QCOMPARE(f.memory.last(), QStringLiteral("warning||") + expected);
    QCOMPARE(f.syslog.last().text, expected);
    QCOMPARE(f.syslog.last().severity, LOG_WARNING);
    // Reported once.
    f.log.flushSuppressed();
    QCOMPARE(f.memory.filter(QStringLiteral("suppressed")).size(), 1);
    // A new window lets events through again.
    QVERIFY(f.log.event(1001, AuditLog::Kind::Refused, QString(), QStringLiteral("again")));
}

void TestAuditLog::suppressedReportedWhenNextEventComes()
{
    Fixture f;
    for (int i = 0; i < AuditLog::kEventsPerWindow + 3; ++i) {
        f.log.event(7, AuditLog::Kind::Refused, QString(), QStringLiteral("e"));
    }
    f.now = AuditLog::kWindowMs + 5; // the timer has not run: the next event reports first
    QVERIFY(f.log.event(7, AuditLog::Kind::Refused, QString(), QStringLiteral("next")));
    QCOMPARE(f.memory.size(), AuditLog::kEventsPerWindow + 2);
    QVERIFY(f.memory.at(f.memory.size() - 2).contains(QStringLiteral("3 more security events")));
    QCOMPARE(f.memory.last(), QStringLiteral("warning||next"));
}

void TestAuditLog::rootIsNotLimited()
{
    Fixture f;
    for (int i = 0; i < 3 * AuditLog::kEventsPerWindow; ++i) {
        QVERIFY(f.log.event(0, AuditLog::Kind::Refused, QString(), QStringLiteral("root")));
    }
    QCOMPARE(f.memory.size(), 3 * AuditLog::kEventsPerWindow);
    QCOMPARE(f.syslog.size(), 3 * AuditLog::kEventsPerWindow);
}

void TestAuditLog::syslogSinkSendsRfc3164Datagrams()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QByteArray path = dir.filePath(QStringLiteral("log")).toLocal8Bit();
    const int rx = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    QVERIFY(rx >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    qstrncpy(addr.sun_path, path.constData(), sizeof addr.sun_path);
    QVERIFY(::bind(rx, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);

    SyslogSink sink(QString::fromLocal8Bit(path));
    sink.write(LOG_WARNING, QStringLiteral("Connect denied to uid 1001 (:1.7) ünïcode"));
    sink.write(LOG_NOTICE, QStringLiteral("tunnel office: connected"));
    QCOMPARE(sink.sent(), 2u);
    QCOMPARE(sink.dropped(), 0u);
    char buf[1024];
    const QRegularExpression header(
        QStringLiteral("^<(\\d+)>[A-Z][a-z]{2} {1,2}\\d{1,2} \\d\\d:\\d\\d:\\d\\d "
                       "peertun-helper\\[%1\\]: (.*)$")
            .arg(QCoreApplication::applicationPid()));
    ssize_t n = ::recv(rx, buf, sizeof buf, MSG_DONTWAIT);
    QVERIFY(n > 0);
    QRegularExpressionMatch m = header.match(QString::fromUtf8(buf, int(n)));
    QVERIFY2(m.hasMatch(), buf);
    QCOMPARE(m.captured(1).toInt(), LOG_AUTHPRIV | LOG_WARNING); // 84
    QCOMPARE(m.captured(2), QStringLiteral("Connect denied to uid 1001 (:1.7) ünïcode"));
    n = ::recv(rx, buf, sizeof buf, MSG_DONTWAIT);
    QVERIFY(n > 0);
    m = header.match(QString::fromUtf8(buf, int(n)));
    QVERIFY2(m.hasMatch(), buf);
    QCOMPARE(m.captured(1).toInt(), LOG_AUTHPRIV | LOG_NOTICE); // 85
    QCOMPARE(m.captured(2), QStringLiteral("tunnel office: connected"));
    ::close(rx);
}

void TestAuditLog::syslogSinkWithoutReceiverDrops()
{
    QTemporaryDir dir;
    SyslogSink sink(dir.filePath(QStringLiteral("nobody-listens")));
    sink.write(LOG_WARNING, QStringLiteral("lost"));
    QCOMPARE(sink.sent(), 0u);
    QCOMPARE(sink.dropped(), 1u);
}

QTEST_GUILESS_MAIN(TestAuditLog)
#include "tst_auditlog.moc"
