// WorkerPool: every index of a job runs exactly once, whatever the thread count, job after job
// (the pattern of the forwarding threads: many small jobs back to back), and a pool that is
// destroyed at once or between jobs joins its threads.
#include "WorkerPool.h"

#include <QTest>
#include <atomic>
#include <set>
#include <thread>
#include <vector>

using peertun::engine::WorkerPool;

class TestWorkerPool : public QObject
{
    Q_OBJECT

private slots:
    void everyIndexOnce_data()
    {
        QTest::addColumn<unsigned>("threads");
        QTest::addColumn<int>("n");
        for (unsigned t : {1u, 2u, 3u, 8u}) {
            for (int n : {0, 1, 7, 8, 9, 45, 128, 1000}) {
                QTest::addRow("%u threads, %d items", t, n) << t << n;
            }
        }
    }

    void everyIndexOnce()
    {
        QFETCH(unsigned, threads);
        QFETCH(int, n);
        WorkerPool pool(threads);
        QCOMPARE(pool.threads(), threads);
        const size_t count = static_cast<size_t>(n);
        std::vector<std::atomic<int>> hits(count + 1);
        std::set<std::thread::id> ran;
        std::vector<std::thread::id> who(count);
        auto fn = [&](size_t i) {
            hits[i].fetch_add(1);
            who[i] = std::this_thread::get_id();
        };
        pool.run(size_t(n), fn);
        for (int i = 0; i < n; ++i) {
            QCOMPARE(hits[size_t(i)].load(), 1);
            ran.insert(who[size_t(i)]);
        }
        QCOMPARE(hits[size_t(n)].load(), 0);
        if (threads == 1 || n < int(WorkerPool::kMinParallel)) {
            QVERIFY(n == 0 || (ran.size() == 1 && *ran.begin() == std::this_thread::get_id()));
        } else {
            QVERIFY(ran.size() >= 2); // the work was shared
        }
    }

    void manyJobsBackToBack()
    {
        WorkerPool pool(3);
        std::vector<int> data(64);
        uint64_t total = 0;
        for (int job = 0; job < 20000; ++job) {
            const size_t n = 8 + size_t(job % 57);
            auto fn = [&](size_t i) { data[i] = job + int(i); };
            pool.run(n, fn);
            for (size_t i = 0; i < n; ++i) { // all done when run() returns
                if (data[i] != job + int(i)) {
                    QFAIL("a job returned before all its items ran");
                }
                total += uint64_t(data[i]);
            }
        }
        QVERIFY(total > 0);
    }

    void defaultThreads_data()
    {
        QTest::addColumn<unsigned>("cores");
        QTest::addColumn<unsigned>("threads");
        QTest::newRow("unknown (0 cores)") << 0u << 1u;
        QTest::newRow("1 core") << 1u << 1u;
        QTest::newRow("2 cores: no pool thread") << 2u << 1u;
        QTest::newRow("3 cores") << 3u << 1u;
        QTest::newRow("4 cores") << 4u << 2u;
        QTest::newRow("16 cores") << 16u << 8u;
        QTest::newRow("256 cores: capped") << 256u << WorkerPool::kMaxThreads;
    }
    void defaultThreads()
    {
        QFETCH(unsigned, cores);
        QFETCH(unsigned, threads);
        QCOMPARE(WorkerPool::defaultThreads(cores), threads);
    }

    void zeroMeansTheDefault()
    {
        WorkerPool pool(0);
        QCOMPARE(pool.threads(), WorkerPool::defaultThreads(std::thread::hardware_concurrency()));
    }

    void destroyedAtOnce()
    {
        for (int i = 0; i < 200; ++i) {
            WorkerPool pool(4); // threads that may not have started yet must still end
        }
    }
};

QTEST_APPLESS_MAIN(TestWorkerPool)
#include "tst_workerpool.moc"
