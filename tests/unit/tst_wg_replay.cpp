// The transport replay window: a data-driven table of counter sequences, plus a randomized
// comparison against a plain model of the same rule.
#include "ReplayWindow.h"

#include <QList>
#include <QTest>
#include <random>
#include <set>

using peertun::wireguard::kRejectAfterMessages;
using peertun::wireguard::ReplayWindow;

class TestWgReplay : public QObject
{
    Q_OBJECT

private slots:
    void constants()
    {
        // 2^64 - 2^13 - 1, as the WireGuard paper and wireguard-go define REJECT_AFTER_MESSAGES.
        QCOMPARE(kRejectAfterMessages, quint64(18446744073709543423ull));
        QVERIFY(ReplayWindow::kRingBlocks * ReplayWindow::kBlockBits >= 2048);
    }

    void sequence_data()
    {
        QTest::addColumn<QList<quint64>>("counters");
        QTest::addColumn<QList<bool>>("accepted");
        const quint64 w = ReplayWindow::kWindowSize;         // 8128
        const quint64 ring = ReplayWindow::kRingBlocks * 64; // 8192
        const quint64 limit = kRejectAfterMessages;

        QTest::newRow("in order") << QList<quint64>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
                                  << QList<bool>(10, true);
        QTest::newRow("reordered within window")
            << QList<quint64>{5, 3, 4, 0, 1, 2, 10, 6, 9, 7, 8} << QList<bool>(11, true);
        QTest::newRow("duplicates")
            << QList<quint64>{0, 0, 1, 2, 1, 2, 3, 0}
            << QList<bool>{true, false, true, true, false, false, true, false};
        QTest::newRow("first packet late duplicate")
            << QList<quint64>{1, 0, 0} << QList<bool>{true, true, false};
        QTest::newRow("across a block boundary")
            << QList<quint64>{62, 63, 64, 65, 63, 64, 127, 128, 64}
            << QList<bool>{true, true, true, true, false, false, true, true, false};
        QTest::newRow("oldest in window accepted, one older rejected")
            << QList<quint64>{10000, 10000 - w, 10000 - w - 1, 10000 - w}
            << QList<bool>{true, true, false, false};
        QTest::newRow("too old") << QList<quint64>{20000, 5, 20000 - w - 1, 20000 - w}
                                 << QList<bool>{true, false, false, true};
        QTest::newRow("far jump ahead clears the ring")
            << QList<quint64>{0, 1, 1000000, 1, 999999, 1000000, 1000001}
            << QList<bool>{true, true, true, false, true, false, true};
        // Counters a ring apart share a bit: after the window moved, the newer one is fresh.
        QTest::newRow("same slot one ring later")
            << QList<quint64>{5, 5 + ring, 5 + ring, 5} << QList<bool>{true, true, false, false};
        QTest::newRow("jump by less than the ring keeps recent bits")
            << QList<quint64>{100, 101, 100 + w, 101, 100, 102}
            << QList<bool>{true, true, true, false, false, true};
        QTest::newRow("counter at the reject limit")
            << QList<quint64>{limit - 2, limit - 1, limit, limit + 1, ~quint64(0), limit - 1}
            << QList<bool>{true, true, false, false, false, false};
        QTest::newRow("limit from a fresh window") << QList<quint64>{limit} << QList<bool>{false};
    }

    void sequence()
    {
        QFETCH(QList<quint64>, counters);
        QFETCH(QList<bool>, accepted);
        QCOMPARE(counters.size(), accepted.size());
        ReplayWindow window;
        for (qsizetype i = 0; i < counters.size(); ++i) {
            const bool got = window.checkAndUpdate(counters[i]);
            if (got != accepted[i]) {
                QFAIL(qPrintable(QStringLiteral("counter #%1 (%2): expected %3, got %4")
                                     .arg(i)
                                     .arg(counters[i])
                                     .arg(accepted[i] ? "accept" : "reject")
                                     .arg(got ? "accept" : "reject")));
            }
        }
    }

    void resetForgetsEverything()
    {
        ReplayWindow window;
        QVERIFY(window.checkAndUpdate(100000));
        QVERIFY(!window.checkAndUpdate(1));
        window.reset();
        QVERIFY(window.checkAndUpdate(1));
        QVERIFY(window.checkAndUpdate(0));
    }

    // Model: accept iff below the limit, not seen, and greatest - c <= window size.
    void matchesModelOnRandomTraffic_data()
    {
        QTest::addColumn<quint32>("seed");
        QTest::addColumn<quint64>("spread");
        QTest::newRow("dense reordering") << 1u << quint64(200);
        QTest::newRow("around the window edge") << 2u << quint64(ReplayWindow::kWindowSize + 300);
        QTest::newRow("wide jumps") << 3u << quint64(40000);
    }

    void matchesModelOnRandomTraffic()
    {
        QFETCH(quint32, seed);
        QFETCH(quint64, spread);
        std::mt19937_64 rng(seed);
        ReplayWindow window;
        std::set<quint64> seen;
        quint64 greatest = 0, base = 0;
        int accepted = 0, rejected = 0;
        for (int i = 0; i < 200000; ++i) {
            base += rng() % 3; // the sender moves forward, the network reorders around it
            const quint64 c = base + rng() % spread - std::min<quint64>(base, spread / 2);
            bool expect =
                !seen.count(c) && (c > greatest || greatest - c <= ReplayWindow::kWindowSize);
            if (expect) {
                seen.insert(c);
                greatest = std::max(greatest, c);
            }
            const bool got = window.checkAndUpdate(c);
            if (got != expect) {
                QFAIL(
                    qPrintable(QStringLiteral("step %1 counter %2 greatest %3: model %4 window %5")
                                   .arg(i)
                                   .arg(c)
                                   .arg(greatest)
                                   .arg(expect)
                                   .arg(got)));
            }
            (got ? accepted : rejected)++;
        }
        QVERIFY(accepted > 1000);
        QVERIFY(rejected > 1000);
    }
};

QTEST_APPLESS_MAIN(TestWgReplay)
#include "tst_wg_replay.moc"
