// EventLog (bounded ring, sequence numbers, listener) and RateLimiter.
#include "EventLog.h"

#include <QTest>

using peertun::engine::EventLog;
using peertun::engine::LogEntry;
using peertun::engine::LogLevel;
using peertun::engine::RateLimiter;

class TestEventLog final : public QObject
{
    Q_OBJECT

private slots:
    void ringKeepsNewestWithIncreasingSeq()
    {
        EventLog log(3);
        for (int i = 1; i <= 5; ++i) {
            log.add(LogLevel::Info, "office", "entry " + std::to_string(i));
        }
        QCOMPARE(log.lastSeq(), 5u);
        const auto all = log.since(0);
        QCOMPARE(all.size(), size_t(3));
        QCOMPARE(all[0].seq, 3u);
        QCOMPARE(all[0].text, std::string("entry 3"));
        QCOMPARE(all[2].seq, 5u);
        QCOMPARE(all[2].tunnel, std::string("office"));
        QVERIFY(all[2].unixMs > 0);
        QCOMPARE(log.since(4).size(), size_t(1));
        QCOMPARE(log.since(5).size(), size_t(0));
        QCOMPARE(log.since(0, 2).size(), size_t(2));
    }

    void listenerSeesEveryEntry()
    {
        EventLog log;
        std::vector<LogEntry> seen;
        log.setListener([&](const LogEntry& e) { seen.push_back(e); });
        log.add(LogLevel::Warning, "", "helper-wide");
        log.add(LogLevel::Error, "t", "bad");
        QCOMPARE(seen.size(), size_t(2));
        QCOMPARE(seen[1].level, LogLevel::Error);
        QCOMPARE(seen[1].seq, 2u);
    }

    void rateLimiter_data()
    {
        QTest::addColumn<QList<qint64>>("times");
        QTest::addColumn<QList<bool>>("allowed");
        QTest::addColumn<QList<int>>("suppressed"); // reported when allowed
        QTest::newRow("first always passes")
            << QList<qint64>{0} << QList<bool>{true} << QList<int>{0};
        QTest::newRow("flood within interval")
            << QList<qint64>{0, 1, 2, 3, 999} << QList<bool>{true, false, false, false, false}
            << QList<int>{0, 0, 0, 0, 0};
        QTest::newRow("after interval reports held")
            << QList<qint64>{0, 10, 20, 1000, 1001} << QList<bool>{true, false, false, true, false}
            << QList<int>{0, 0, 0, 2, 0};
        QTest::newRow("spaced out")
            << QList<qint64>{0, 1000, 2000} << QList<bool>{true, true, true} << QList<int>{0, 0, 0};
    }
    void rateLimiter()
    {
        QFETCH(QList<qint64>, times);
        QFETCH(QList<bool>, allowed);
        QFETCH(QList<int>, suppressed);
        RateLimiter limiter(1000);
        for (qsizetype i = 0; i < times.size(); ++i) {
            uint64_t held = 99;
            const bool ok = limiter.allow(times[i], &held);
            QCOMPARE(ok, allowed[i]);
            if (ok) {
                QCOMPARE(held, uint64_t(suppressed[i]));
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestEventLog)
#include "tst_eventlog.moc"
