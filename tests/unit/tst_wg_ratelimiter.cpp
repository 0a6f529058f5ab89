// The per-source handshake rate limit used under load: 20 per second, bursts of 5, per IPv4
// address or IPv6 /64, bounded memory.
#include "Device.h"
#include "RateLimiter.h"

#include <QList>
#include <QTest>
#include <sys/socket.h>

using namespace peertun::wireguard;
using namespace peertun::keys;

namespace {

Endpoint source(int which)
{
    Endpoint e;
    switch (which) {
    case 0:
        e.family = AF_INET, e.address = {10, 0, 0, 1};
        break;
    case 1:
        e.family = AF_INET, e.address = {10, 0, 0, 2};
        break;
    case 2:
        e.family = AF_INET6, e.address = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        break;
    case 3:
        e.family = AF_INET6, e.address = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
        break;
    default:
        e.family = AF_INET6, e.address = {0xfd, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1};
        break;
    }
    e.port = uint16_t(1000 + which);
    return e;
}

} // namespace

class TestWgRateLimiter : public QObject
{
    Q_OBJECT

private slots:
    void sequence_data()
    {
        QTest::addColumn<QList<int>>("millis");
        QTest::addColumn<QList<int>>("sources");
        QTest::addColumn<QList<bool>>("allowed");
        QTest::newRow("burst of five, then refused")
            << QList<int>{0, 0, 0, 0, 0, 0} << QList<int>(6, 0)
            << QList<bool>{true, true, true, true, true, false};
        QTest::newRow("refills at twenty per second")
            << QList<int>{0, 0, 0, 0, 0, 0, 49, 50, 100, 101} << QList<int>(10, 0)
            << QList<bool>{true, true, true, true, true, false, false, true, true, false};
        QTest::newRow("sources are independent")
            << QList<int>{0, 0, 0, 0, 0, 0, 0} << QList<int>{0, 0, 0, 0, 0, 1, 0}
            << QList<bool>{true, true, true, true, true, true, false};
        QTest::newRow("an IPv6 /64 shares one bucket")
            << QList<int>{0, 0, 0, 0, 0, 0, 0} << QList<int>{2, 2, 2, 3, 3, 3, 4}
            << QList<bool>{true, true, true, true, true, false, true};
        QTest::newRow("an idle source is full again")
            << QList<int>{0, 0, 0, 0, 0, 0, 2000, 2000, 2000, 2000, 2000, 2000} << QList<int>(12, 0)
            << QList<bool>{true, true, true, true, true, false,
                           true, true, true, true, true, false};
    }

    void sequence()
    {
        QFETCH(QList<int>, millis);
        QFETCH(QList<int>, sources);
        QFETCH(QList<bool>, allowed);
        QCOMPARE(millis.size(), allowed.size());
        QCOMPARE(sources.size(), allowed.size());
        HandshakeRateLimiter limiter;
        const Time base = std::chrono::seconds(1000);
        for (qsizetype i = 0; i < millis.size(); ++i) {
            const bool got =
                limiter.allow(source(sources[i]), base + std::chrono::milliseconds(millis[i]));
            if (got != allowed[i]) {
                QFAIL(
                    qPrintable(QStringLiteral("message #%1: expected %2").arg(i).arg(allowed[i])));
            }
        }
    }

    void memoryIsBounded()
    {
        HandshakeRateLimiter limiter;
        const Time t = std::chrono::seconds(50);
        Endpoint e;
        e.family = AF_INET;
        for (size_t i = 0; i < HandshakeRateLimiter::kMaxSources; ++i) {
            e.address[1] = uint8_t(i >> 16), e.address[2] = uint8_t(i >> 8),
            e.address[3] = uint8_t(i);
            QVERIFY(limiter.allow(e, t));
        }
        QCOMPARE(limiter.trackedSources(), HandshakeRateLimiter::kMaxSources);
        e.address = {192, 0, 2, 1};
        QVERIFY(!limiter.allow(e, t)); // full: a new source waits
        // A second later the idle buckets are dropped and new sources are welcome again.
        QVERIFY(limiter.allow(e, t + std::chrono::seconds(1)));
        QCOMPARE(limiter.trackedSources(), size_t(1));
    }
};

QTEST_APPLESS_MAIN(TestWgRateLimiter)
#include "tst_wg_ratelimiter.moc"
