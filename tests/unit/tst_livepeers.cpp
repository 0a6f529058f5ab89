// LivePeers, the forwarding threads' peer table that changes under them: a reader sees one
// whole table per batch, the writer's publish() returns only once no reader can still hold
// the table it replaced, an idle (offline) reader never holds a writer up, and under
// concurrent readers and many swaps every lookup gives the answer of one complete table.
// Runs under ThreadSanitizer in scripts/sanitize.sh, where a table freed under a reader
// would be reported.
#include "LivePeers.h"

#include <QTest>
#include <atomic>
#include <thread>

using namespace peertun::engine;

namespace {

IpPrefix prefix(const char* text)
{
    return *IpPrefix::parse(text);
}

// Version v: one peer in slot v % 4 with 10.0.0.0/8, named "v<v % 4>"; the other slots free.
std::unique_ptr<PeerRoutes> tableFor(uint32_t v)
{
    std::vector<std::vector<IpPrefix>> subnets(4);
    std::vector<std::string> names(4);
    const uint32_t slot = v % 4;
    subnets[slot] = {prefix("10.0.0.0/8")};
    names[slot] = "v" + std::to_string(slot);
    return PeerRoutes::build(subnets, std::vector<UdpEndpoint>(4), names, {slot});
}

const uint8_t kAddress[4] = {10, 1, 2, 3};

} // namespace

class TestLivePeers final : public QObject
{
    Q_OBJECT

private slots:
    void readerSeesCurrentTable()
    {
        LivePeers peers(tableFor(0));
        const PeerRoutes* t = peers.enter(LivePeers::kTxReader);
        QCOMPARE(t->table.lookupAddress(AF_INET, kAddress), 0u);
        peers.leave(LivePeers::kTxReader);
        peers.publish(tableFor(1));
        t = peers.enter(LivePeers::kTxReader);
        QCOMPARE(t->table.lookupAddress(AF_INET, kAddress), 1u);
        QCOMPARE(t->names[1], std::string("v1"));
        QCOMPARE(t->version, uint64_t(1));
        peers.leave(LivePeers::kTxReader);
    }

    void offlineReadersDoNotHoldTheWriter()
    {
        LivePeers peers(tableFor(0));
        // Never entered, and entered then left: publish() returns at once.
        peers.publish(tableFor(1));
        peers.enter(LivePeers::kRxReader);
        peers.leave(LivePeers::kRxReader);
        QCOMPARE(peers.publish(tableFor(2)), 0u);
    }

    void publishWaitsForAReaderInABatch()
    {
        LivePeers peers(tableFor(0));
        const PeerRoutes* held = peers.enter(LivePeers::kRxReader);
        std::atomic<bool> published{false};
        std::thread writer([&] {
            peers.publish(tableFor(1));
            published.store(true);
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        QVERIFY(!published.load());
        // Still readable: not freed while held.
        QCOMPARE(held->table.lookupAddress(AF_INET, kAddress), 0u);
        QCOMPARE(held->names[0], std::string("v0"));
        // The next batch (a quiescent point) releases it.
        const PeerRoutes* next = peers.enter(LivePeers::kRxReader);
        writer.join();
        QVERIFY(published.load());
        QCOMPARE(next->table.lookupAddress(AF_INET, kAddress), 1u);
        peers.leave(LivePeers::kRxReader);
    }

    void concurrentReadersAndSwaps()
    {
        LivePeers peers(tableFor(0));
        std::atomic<bool> stop{false};
        std::atomic<uint64_t> bad{0};
        std::atomic<uint64_t> batches{0};
        auto reader = [&](LivePeers::Reader r) {
            uint64_t lastVersion = 0;
            while (!stop.load(std::memory_order_relaxed)) {
                const PeerRoutes* t = peers.enter(r);
                for (int i = 0; i < 512; ++i) { // a batch of lookups in one table
                    const uint32_t slot = t->table.lookupAddress(AF_INET, kAddress);
                    if (slot >= t->slotCount() || t->names[slot] != "v" + std::to_string(slot) ||
                        t->active.size() != 1 || t->active[0] != slot || slot != t->version % 4) {
                        bad.fetch_add(1);
                    }
                }
                if (t->version < lastVersion) {
                    bad.fetch_add(1); // tables never go back
                }
                lastVersion = t->version;
                peers.leave(r);
                if (batches.fetch_add(1, std::memory_order_relaxed) % 8 == 0) {
                    std::this_thread::yield(); // as a real reader waits for packets
                }
            }
        };
        std::thread tx(reader, LivePeers::kTxReader);
        std::thread rx(reader, LivePeers::kRxReader);
        constexpr uint32_t kSwaps = 1000;
        uint64_t waited = 0;
        for (uint32_t v = 1; v <= kSwaps; ++v) {
            // Now and then until the readers ran a few batches: swaps among their batches,
            // not before them.
            for (const uint64_t seen = batches.load(); v % 50 == 1 && batches.load() < seen + 4;) {
                std::this_thread::yield();
            }
            waited += peers.publish(tableFor(v));
        }
        stop.store(true);
        tx.join();
        rx.join();
        QCOMPARE(bad.load(), uint64_t(0));
        QVERIFY(batches.load() >= 4 * (kSwaps / 50));
        qInfo("%llu reader batches, the writer waited for a reader %llu times",
              (unsigned long long)batches.load(), (unsigned long long)waited);
        QCOMPARE(peers.current().version, uint64_t(kSwaps));
    }
};

QTEST_GUILESS_MAIN(TestLivePeers)
#include "tst_livepeers.moc"
