// TunnelCounters: single-writer counters read from another thread, and their snapshot.
#include "Counters.h"

#include <QTest>
#include <thread>

using peertun::engine::DropReason;
using peertun::engine::TunnelCounters;
using peertun::engine::TunnelStats;

class TestCounters final : public QObject
{
    Q_OBJECT

private slots:
    void snapshotSumsBothDirections()
    {
        TunnelCounters c(2);
        c.tx.packets.add(3);
        c.tx.bytes.add(300);
        c.rx.packets.add(5);
        c.rx.bytes.add(500);
        c.tx.drops[size_t(DropReason::NoPeerForDestination)].add(7);
        c.rx.drops[size_t(DropReason::UnknownSourceEndpoint)].add(11);
        c.tx.drops[size_t(DropReason::SendError)].add(1);
        c.rx.drops[size_t(DropReason::SendError)].add(2);
        c.peerTx[1].packets.add(3);
        c.peerTx[1].sendErrors.add(1);
        c.peerRx[0].packets.add(5);
        c.peerRx[0].lastRxUnixMs.store(1234);

        const auto s = c.snapshot();
        QCOMPARE(s.txPackets, 3u);
        QCOMPARE(s.txBytes, 300u);
        QCOMPARE(s.rxPackets, 5u);
        QCOMPARE(s.rxBytes, 500u);
        QCOMPARE(s.drops[size_t(DropReason::NoPeerForDestination)], 7u);
        QCOMPARE(s.drops[size_t(DropReason::UnknownSourceEndpoint)], 11u);
        QCOMPARE(s.drops[size_t(DropReason::SendError)], 3u);
        QCOMPARE(s.totalDrops(), 21u);
        QCOMPARE(s.peers.size(), size_t(2));
        QCOMPARE(s.peers[1].txPackets, 3u);
        QCOMPARE(s.peers[1].sendErrors, 1u);
        QCOMPARE(s.peers[0].rxPackets, 5u);
        QCOMPARE(s.peers[0].lastRxUnixMs, 1234);
        QCOMPARE(s.peers[0].txPackets, 0u);
    }

    void snapshotSumsWireGuardCounters()
    {
        TunnelCounters c(2);
        c.peerRx[0].handshakesDone.add(2);
        c.peerRx[1].handshakesDone.add(3);
        c.peerRx[1].lastHandshakeUnixMs.store(777);
        c.peerTimer[0].initiationsSent.add(4);
        c.peerTimer[1].flushedPackets.add(2);
        c.peerTimer[1].flushedBytes.add(300);
        c.peerTx[1].packets.add(1);
        c.rx.handshakesFailed.add(1);
        c.timer.handshakesAbandoned.add(1);
        c.rx.decryptionFailures.add(6);
        c.rx.replaysRejected.add(8);
        c.rx.drops[size_t(DropReason::Replayed)].add(8);

        const auto s = c.snapshot();
        QCOMPARE(s.handshakesDone, 5u);
        QCOMPARE(s.handshakesFailed, 2u); // rejected ones and abandoned attempts
        QCOMPARE(s.decryptionFailures, 6u);
        QCOMPARE(s.replaysRejected, 8u);
        QCOMPARE(s.drops[size_t(DropReason::Replayed)], 8u);
        QCOMPARE(s.peers[0].handshakesDone, 2u);
        QCOMPARE(s.peers[0].initiationsSent, 4u);
        QCOMPARE(s.peers[0].lastHandshakeUnixMs, 0);
        QCOMPARE(s.peers[1].lastHandshakeUnixMs, 777);
        QCOMPARE(s.peers[1].initiationsSent, 0u);
        QCOMPARE(s.peers[1].txPackets, 3u); // 1 from the sending loop + 2 flushed
        QCOMPARE(s.peers[1].txBytes, 300u);
        QCOMPARE(s.txPackets, 2u); // the two flushed (the loop counted none here)
    }

    void readerSeesMonotonicValuesWhileWritersRun()
    {
        // One writer per direction, as in the forwarding loops; the reader never sees a count
        // go backwards and sees the exact total once the writers are done.
        TunnelCounters c(1);
        constexpr uint64_t kIterations = 2'000'000;
        std::thread tx([&] {
            for (uint64_t i = 0; i < kIterations; ++i) {
                c.tx.packets.add(1);
                c.peerTx[0].bytes.add(2);
            }
        });
        std::thread rx([&] {
            for (uint64_t i = 0; i < kIterations; ++i) {
                c.rx.packets.add(1);
            }
        });
        uint64_t lastTx = 0;
        uint64_t lastRx = 0;
        for (int i = 0; i < 1000; ++i) {
            const auto s = c.snapshot();
            QVERIFY(s.txPackets >= lastTx);
            QVERIFY(s.rxPackets >= lastRx);
            lastTx = s.txPackets;
            lastRx = s.rxPackets;
        }
        tx.join();
        rx.join();
        const auto s = c.snapshot();
        QCOMPARE(s.txPackets, kIterations);
        QCOMPARE(s.rxPackets, kIterations);
        QCOMPARE(s.peers[0].txBytes, 2 * kIterations);
    }

    // Slots: a snapshot lists the slots asked for, in that order; a slot grown into is zero,
    // and a reset one (handed to a new peer) starts from zero while the others keep theirs.
    void slotsSnapshotInOrderAndReset()
    {
        TunnelCounters c(2);
        c.peerTx[0].packets.add(7);
        c.peerTx[1].packets.add(9);
        c.ensureSlots(70); // a second chunk
        c.peerTx[69].packets.add(4);
        c.peerRx[69].lastRxUnixMs.store(55);
        TunnelStats s = c.snapshot({69, 0});
        QCOMPARE(s.peers.size(), size_t(2));
        QCOMPARE(s.peers[0].txPackets, uint64_t(4));
        QCOMPARE(s.peers[0].lastRxUnixMs, int64_t(55));
        QCOMPARE(s.peers[1].txPackets, uint64_t(7));
        c.resetSlot(69);
        s = c.snapshot({0, 1, 69});
        QCOMPARE(s.peers[0].txPackets, uint64_t(7));
        QCOMPARE(s.peers[1].txPackets, uint64_t(9));
        QCOMPARE(s.peers[2].txPackets, uint64_t(0));
        QCOMPARE(s.peers[2].lastRxUnixMs, int64_t(0));
        QCOMPARE(c.snapshot().peers.size(), size_t(2)); // the first peers, as made
    }

    void dropReasonNames_data()
    {
        QTest::addColumn<int>("reason");
        QTest::addColumn<QString>("name");
        QTest::newRow("0") << 0 << "no-peer-for-destination";
        QTest::newRow("1") << 1 << "unknown-source-endpoint";
        QTest::newRow("2") << 2 << "malformed";
        QTest::newRow("3") << 3 << "source-outside-peer-subnets";
        QTest::newRow("4") << 4 << "too-big";
        QTest::newRow("5") << 5 << "send-error";
        QTest::newRow("6") << 6 << "handshake-queue-full";
        QTest::newRow("7") << 7 << "not-authenticated";
        QTest::newRow("8") << 8 << "replayed";
        QTest::newRow("9") << 9 << "bad-checksum";
        QTest::newRow("10") << 10 << "loop";
    }
    void dropReasonNames()
    {
        QFETCH(int, reason);
        QFETCH(QString, name);
        const auto n = peertun::engine::dropReasonName(DropReason(reason));
        QCOMPARE(QString::fromLatin1(n.data(), qsizetype(n.size())), name);
    }
};

QTEST_APPLESS_MAIN(TestCounters)
#include "tst_counters.moc"
