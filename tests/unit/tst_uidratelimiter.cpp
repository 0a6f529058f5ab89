// UidRateLimiter: per-uid fixed windows with an injected clock. Each row is a script of events
// (time, uid) and whether each is allowed; then exhausted() and the time left per uid.
#include "UidRateLimiter.h"

#include <QTest>

using peertun::UidRateLimiter;

class TestUidRateLimiter : public QObject
{
    Q_OBJECT

private slots:
    void script_data();
    void script();
    void exhaustedCountsNothing();
    void trackedUidsStayBounded();
};

void TestUidRateLimiter::script_data()
{
    QTest::addColumn<int>("limit");
    QTest::addColumn<qint64>("windowMs");
    QTest::addColumn<QList<qint64>>("times");
    QTest::addColumn<QList<uint>>("uids");
    QTest::addColumn<QList<bool>>("allowed");

    QTest::newRow("within the limit") << 3 << qint64(1000) << QList<qint64>{0, 10, 20}
                                      << QList<uint>{7, 7, 7} << QList<bool>{true, true, true};
    QTest::newRow("past the limit")
        << 3 << qint64(1000) << QList<qint64>{0, 1, 2, 3, 999} << QList<uint>{7, 7, 7, 7, 7}
        << QList<bool>{true, true, true, false, false};
    QTest::newRow("a new window at exactly windowMs")
        << 2 << qint64(1000) << QList<qint64>{0, 1, 2, 1000, 1001, 1002}
        << QList<uint>{7, 7, 7, 7, 7, 7} << QList<bool>{true, true, false, true, true, false};
    QTest::newRow("the window starts at the first event, not at zero")
        << 1 << qint64(1000) << QList<qint64>{500, 1400, 1500} << QList<uint>{7, 7, 7}
        << QList<bool>{true, false, true};
    QTest::newRow("uids are independent")
        << 2 << qint64(1000) << QList<qint64>{0, 1, 2, 3, 4, 5} << QList<uint>{1, 1, 1, 2, 2, 0}
        << QList<bool>{true, true, false, true, true, true};
    QTest::newRow("root is limited like anyone") << 1 << qint64(1000) << QList<qint64>{0, 1}
                                                 << QList<uint>{0, 0} << QList<bool>{true, false};
    QTest::newRow("limit 0 allows nothing") << 0 << qint64(1000) << QList<qint64>{0, 5000}
                                            << QList<uint>{7, 7} << QList<bool>{false, false};
    QTest::newRow("refused events do not extend the window")
        << 1 << qint64(100) << QList<qint64>{0, 50, 99, 100} << QList<uint>{7, 7, 7, 7}
        << QList<bool>{true, false, false, true};
    QTest::newRow("the highest uid")
        << 1 << qint64(100) << QList<qint64>{0, 1} << QList<uint>{4294967295u, 4294967295u}
        << QList<bool>{true, false};
}

void TestUidRateLimiter::script()
{
    QFETCH(int, limit);
    QFETCH(qint64, windowMs);
    QFETCH(QList<qint64>, times);
    QFETCH(QList<uint>, uids);
    QFETCH(QList<bool>, allowed);
    QCOMPARE(times.size(), uids.size());
    QCOMPARE(times.size(), allowed.size());
    int64_t now = 0;
    UidRateLimiter limiter(limit, windowMs, [&] { return now; });
    for (qsizetype i = 0; i < times.size(); ++i) {
        now = times.at(i);
        QVERIFY2(
            limiter.record(uids.at(i)) == allowed.at(i),
            qPrintable(
                QStringLiteral("event %1 (t=%2, uid %3)").arg(i).arg(times.at(i)).arg(uids.at(i))));
    }
}

void TestUidRateLimiter::exhaustedCountsNothing()
{
    int64_t now = 1000;
    UidRateLimiter limiter(2, 60000, [&] { return now; });
    QVERIFY(!limiter.exhausted(5));
    QCOMPARE(limiter.msUntilReset(5), 0);
    for (int i = 0; i < 10; ++i) {
        QVERIFY(!limiter.exhausted(5)); // asking does not count
    }
    QVERIFY(limiter.record(5));
    now += 1000;
    QVERIFY(!limiter.exhausted(5));
    QVERIFY(limiter.record(5));
    QVERIFY(limiter.exhausted(5));
    QVERIFY(!limiter.exhausted(6));
    QCOMPARE(limiter.msUntilReset(5), 59000);
    now += 58999;
    QVERIFY(limiter.exhausted(5));
    QCOMPARE(limiter.msUntilReset(5), 1);
    now += 1;
    QVERIFY(!limiter.exhausted(5));
    QCOMPARE(limiter.msUntilReset(5), 0);
    QVERIFY(limiter.record(5));
}

void TestUidRateLimiter::trackedUidsStayBounded()
{
    int64_t now = 0;
    UidRateLimiter limiter(1, 1000000, [&] { return now; });
    // More uids than it keeps, all inside one window: the oldest make room.
    for (uint uid = 0; uid < uint(UidRateLimiter::kMaxTracked) + 100; ++uid) {
        now = uid; // each uid's window starts a millisecond later
        QVERIFY(limiter.record(uid));
        QVERIFY(limiter.tracked() <= UidRateLimiter::kMaxTracked);
    }
    const uint newest = uint(UidRateLimiter::kMaxTracked) + 99;
    QVERIFY(limiter.exhausted(newest)); // the newest are still counted
    QVERIFY(!limiter.record(newest));
    // Once their windows end, a new uid replaces expired ones instead of the newest.
    QVERIFY(!limiter.exhausted(0)); // the oldest went
    now += 2000000;
    QVERIFY(limiter.record(999999));
    QCOMPARE(limiter.tracked(), 1);
}

QTEST_GUILESS_MAIN(TestUidRateLimiter)
#include "tst_uidratelimiter.moc"
