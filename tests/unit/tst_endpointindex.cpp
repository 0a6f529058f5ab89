// EndpointIndex: a changed endpoint reaches the receiving thread at its next batch, never in
// the middle of one; the sending thread sees the generation move.
#include "EndpointIndex.h"

#include <QTest>
#include <thread>

using peertun::engine::EndpointIndex;
using peertun::engine::PeerTable;
using peertun::engine::UdpEndpoint;

namespace {

UdpEndpoint endpoint(const char* address, uint16_t port)
{
    return {*peertun::engine::IpAddress::parse(address), port};
}

sockaddr_storage sockaddrOf(const UdpEndpoint& ep)
{
    sockaddr_storage ss{};
    toSockaddr(ep, ep.address.family, &ss);
    return ss;
}

uint32_t lookup(const EndpointIndex& index, const UdpEndpoint& ep)
{
    const sockaddr_storage ss = sockaddrOf(ep);
    return index.lookup(reinterpret_cast<const sockaddr*>(&ss));
}

} // namespace

class TestEndpointIndex final : public QObject
{
    Q_OBJECT

private slots:
    void swapsAtTheNextBatch()
    {
        const UdpEndpoint first = endpoint("192.0.2.1", 8285);
        const UdpEndpoint moved = endpoint("192.0.2.9", 8285);
        EndpointIndex index({first, UdpEndpoint{}});
        QCOMPARE(lookup(index, first), 0u);
        const uint64_t generation = index.generation()->load();

        index.set(0, moved);
        QCOMPARE(index.get(0), moved);
        QVERIFY(index.generation()->load() != generation);
        // The receiving thread still holds the table of its current batch.
        QCOMPARE(lookup(index, first), 0u);
        QCOMPARE(lookup(index, moved), PeerTable::kNoPeer);
        index.adoptPending();
        QCOMPARE(lookup(index, first), PeerTable::kNoPeer);
        QCOMPARE(lookup(index, moved), 0u);
    }

    void laterChangeReplacesAnUnseenOne()
    {
        const UdpEndpoint a = endpoint("192.0.2.1", 1);
        EndpointIndex index({UdpEndpoint{}, UdpEndpoint{}});
        index.set(1, endpoint("192.0.2.2", 2));
        index.set(1, endpoint("2001:db8::3", 3)); // the first table is never seen
        index.set(0, a);
        index.adoptPending();
        QCOMPARE(lookup(index, a), 0u);
        QCOMPARE(lookup(index, endpoint("192.0.2.2", 2)), PeerTable::kNoPeer);
        QCOMPARE(lookup(index, endpoint("2001:db8::3", 3)), 1u);
        index.set(7, a); // out of range: ignored
        QCOMPARE(index.get(7), UdpEndpoint{});
    }

    // One thread looks up batch after batch while another keeps moving the peer: every
    // lookup sees either address, never freed memory (run under ASan/TSan to see more).
    void concurrentChanges()
    {
        const UdpEndpoint a = endpoint("192.0.2.1", 1);
        const UdpEndpoint b = endpoint("192.0.2.2", 1);
        EndpointIndex index({a});
        std::atomic<bool> stop{false};
        std::atomic<uint64_t> sets{0};
        std::thread writer([&] {
            for (uint64_t i = 0; !stop.load(); ++i) {
                index.set(0, i % 2 ? a : b);
                sets = i + 1;
            }
        });
        uint64_t wrong = 0;
        // Lookups go on until the writer has changed the endpoint many times meanwhile.
        for (int batch = 0; batch < 1000000 && (batch < 20000 || sets.load() < 2000); ++batch) {
            index.adoptPending();
            const uint32_t pa = lookup(index, a);
            const uint32_t pb = lookup(index, b);
            wrong += (pa == 0) == (pb == 0) ? 1 : 0;
        }
        stop = true;
        writer.join();
        QCOMPARE(wrong, 0u);
        QVERIFY(sets.load() >= 2000);
        index.set(0, a);
        index.adoptPending();
        QCOMPARE(lookup(index, a), 0u);
    }
};

QTEST_APPLESS_MAIN(TestEndpointIndex)
#include "tst_endpointindex.moc"
