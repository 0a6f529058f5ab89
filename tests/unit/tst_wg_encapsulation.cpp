// WireGuardEncapsulation in process: two instances talk through seal()/open() and a fake send
// function, as the forwarding loops would drive them (headroom/tailroom reserved around the
// packet, the datagram's source address passed to open()).
#include "Keys.h"
#include "TunnelError.h"
#include "WireGuardEncapsulation.h"

#include <QTest>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>

using namespace peertun::engine;
using peertun::keys::LockedSecretKey;

namespace {

UdpEndpoint endpoint(const char* address, uint16_t port)
{
    return {*IpAddress::parse(address), port};
}

struct Datagram
{
    UdpEndpoint to;
    std::vector<uint8_t> bytes;
};

// A minimal IPv4 packet (the encapsulation looks at the version and total length only).
std::vector<uint8_t> ipv4Packet(size_t payload, uint8_t fill)
{
    std::vector<uint8_t> p(20, uint8_t{0}); // header zeroed, then the payload bytes
    p.resize(20 + payload, fill);
    p[0] = 0x45;
    p[2] = uint8_t((20 + payload) >> 8);
    p[3] = uint8_t(20 + payload);
    p[8] = 64;
    p[9] = 17;
    const uint8_t src[4] = {10, 0, 0, 1};
    const uint8_t dst[4] = {10, 0, 0, 2};
    std::memcpy(p.data() + 12, src, 4);
    std::memcpy(p.data() + 16, dst, 4);
    return p;
}

// One side: its encapsulation, what it sent, and its counters.
struct Side
{
    Side(const LockedSecretKey& key, const peertun::keys::PublicKey& peerKey, UdpEndpoint peerAt,
         UdpEndpoint self, const LockedSecretKey* psk = nullptr, unsigned cryptoThreads = 0)
        : counters(1), address(self)
    {
        std::vector<PeerSpec> peers(1);
        peers[0].publicKey = peerKey;
        if (psk) {
            peers[0].presharedKey = std::make_shared<const LockedSecretKey>(*psk);
        }
        peers[0].endpoint = peerAt;
        encap = std::make_unique<WireGuardEncapsulation>(
            key, peers, 1420,
            [this](const UdpEndpoint& to, std::span<const uint8_t> d, uint32_t, const UdpSource*) {
                const std::lock_guard lock(mutex);
                sent.push_back({to, {d.begin(), d.end()}});
            },
            counters, nullptr, std::string(), cryptoThreads);
    }

    // sealBatch() as the TUN -> UDP loop calls it: the packets back to back, each between
    // reserved head and tail room; `out` gets the sealed datagrams of the forwarded ones.
    std::vector<Encapsulation::Result> sealBatch(const std::vector<std::vector<uint8_t>>& packets,
                                                 std::vector<std::vector<uint8_t>>* out)
    {
        const size_t head = encap->headroom();
        const size_t tail = encap->tailroom();
        size_t total = 0;
        for (const auto& p : packets) {
            total += head + p.size() + tail;
        }
        std::vector<uint8_t> arena(total);
        std::vector<uint8_t*> data;
        std::vector<size_t> len;
        size_t at = 0;
        for (const auto& p : packets) {
            std::memcpy(arena.data() + at + head, p.data(), p.size());
            data.push_back(arena.data() + at + head);
            len.push_back(p.size());
            at += head + p.size() + tail;
        }
        std::vector<Encapsulation::Result> results(packets.size());
        encap->sealBatch(0, data.data(), len.data(), packets.size(), results.data());
        out->clear();
        for (size_t i = 0; i < packets.size(); ++i) {
            if (results[i].verdict == Encapsulation::Verdict::Forward) {
                out->emplace_back(data[i], data[i] + len[i]);
            }
        }
        return results;
    }

    // openBatch() of datagrams from `from` (one GRO read); `inner` gets every forwarded packet.
    std::vector<Encapsulation::Result> openBatch(std::vector<std::vector<uint8_t>> datagrams,
                                                 const UdpEndpoint& from,
                                                 std::vector<std::vector<uint8_t>>* inner)
    {
        sockaddr_storage sa{};
        toSockaddr(from, AF_INET, &sa);
        std::vector<uint8_t*> data;
        std::vector<size_t> len;
        for (auto& d : datagrams) {
            data.push_back(d.data());
            len.push_back(d.size());
        }
        std::vector<uint32_t> peers(datagrams.size(), 12345);
        std::vector<Encapsulation::Result> results(datagrams.size());
        encap->openBatch(reinterpret_cast<const sockaddr*>(&sa), data.data(), len.data(),
                         datagrams.size(), peers.data(), results.data());
        inner->clear();
        for (size_t i = 0; i < datagrams.size(); ++i) {
            if (results[i].verdict == Encapsulation::Verdict::Forward) {
                if (peers[i] != 0) {
                    qWarning("forwarded for peer %u", peers[i]);
                    continue;
                }
                inner->emplace_back(data[i], data[i] + len[i]);
            }
        }
        return results;
    }

    // seal() as the TUN -> UDP loop calls it: the packet between reserved head and tail room.
    Encapsulation::Result seal(const std::vector<uint8_t>& packet, std::vector<uint8_t>* out)
    {
        std::vector<uint8_t> buffer(encap->headroom() + packet.size() + encap->tailroom());
        std::memcpy(buffer.data() + encap->headroom(), packet.data(), packet.size());
        uint8_t* data = buffer.data() + encap->headroom();
        size_t len = packet.size();
        const auto r = encap->seal(0, &data, &len);
        if (r.verdict == Encapsulation::Verdict::Forward) {
            out->assign(data, data + len);
        }
        return r;
    }

    // open() of one datagram from `from`; `inner` gets the forwarded packet.
    Encapsulation::Result open(std::vector<uint8_t> datagram, const UdpEndpoint& from,
                               std::vector<uint8_t>* inner = nullptr, uint32_t* peerOut = nullptr)
    {
        sockaddr_storage sa{};
        toSockaddr(from, AF_INET, &sa);
        uint8_t* data = datagram.data();
        size_t len = datagram.size();
        uint32_t peer = 12345;
        const auto r = encap->open(reinterpret_cast<const sockaddr*>(&sa), &data, &len, &peer);
        if (r.verdict == Encapsulation::Verdict::Forward) {
            if (inner) {
                inner->assign(data, data + len);
            }
            if (peerOut) {
                *peerOut = peer;
            }
        }
        return r;
    }

    std::vector<Datagram> takeSent()
    {
        const std::lock_guard lock(mutex);
        std::vector<Datagram> out(sent.begin(), sent.end());
        sent.clear();
        return out;
    }

    TunnelCounters counters;
    UdpEndpoint address;
    std::mutex mutex;
    std::deque<Datagram> sent;
    std::unique_ptr<WireGuardEncapsulation> encap;
};

uint32_t messageType(const std::vector<uint8_t>& d)
{
    return d.empty() ? 0 : d[0];
}

} // namespace

class TestWgEncapsulation final : public QObject
{
    Q_OBJECT

    LockedSecretKey m_keyA = peertun::keys::generateKey();
    LockedSecretKey m_keyB = peertun::keys::generateKey();
    UdpEndpoint m_atA = endpoint("192.0.2.1", 51820);
    UdpEndpoint m_atB = endpoint("192.0.2.2", 51821);

    std::unique_ptr<Side> makeA(const LockedSecretKey* psk = nullptr, unsigned threads = 0)
    {
        return std::make_unique<Side>(m_keyA, peertun::keys::publicKeyOf(m_keyB), m_atB, m_atA, psk,
                                      threads);
    }
    std::unique_ptr<Side> makeB(const LockedSecretKey* psk = nullptr, unsigned threads = 0)
    {
        return std::make_unique<Side>(m_keyB, peertun::keys::publicKeyOf(m_keyA), m_atA, m_atB, psk,
                                      threads);
    }

    static uint64_t counterOf(const std::vector<uint8_t>& message)
    {
        uint64_t c = 0;
        for (int i = 7; i >= 0; --i) {
            c = c << 8 | message[8 + size_t(i)];
        }
        return c;
    }

    // Delivers everything `from` sent to `to` (all addressed to `to`), returns the forwarded
    // inner packets.
    static std::vector<std::vector<uint8_t>> deliver(Side& from, Side& to)
    {
        std::vector<std::vector<uint8_t>> inner;
        for (Datagram& d : from.takeSent()) {
            if (!(d.to == to.address)) {
                qWarning("datagram addressed to %s", d.to.toString().c_str());
                continue;
            }
            std::vector<uint8_t> packet;
            if (to.open(std::move(d.bytes), from.address, &packet).verdict ==
                Encapsulation::Verdict::Forward) {
                inner.push_back(std::move(packet));
            }
        }
        return inner;
    }

    // Handshake driven by a first packet from A: returns the packet B received.
    void handshake(Side& a, Side& b, std::vector<std::vector<uint8_t>>* atB)
    {
        const auto packet = ipv4Packet(100, 0xab);
        std::vector<uint8_t> out;
        QCOMPARE(int(a.seal(packet, &out).verdict), int(Encapsulation::Verdict::Consumed));
        QCOMPARE(a.encap->queuedPackets(0), size_t(1));
        QVERIFY(deliver(a, b).empty()); // initiation: answered, nothing forwarded
        QVERIFY(deliver(b, a).empty()); // response: A's session is up, queue flushed
        QCOMPARE(a.encap->queuedPackets(0), size_t(0));
        *atB = deliver(a, b);
    }

private slots:
    // What sealing adds after a packet: padding to 16 but not past the MTU (1420 here), and
    // the tag; the loops leave exactly that much room after full-size segments.
    void tailroomForLength_data()
    {
        QTest::addColumn<int>("len");
        QTest::addColumn<int>("tail");
        QTest::newRow("keepalive") << 0 << 16;
        QTest::newRow("1 byte") << 1 << 15 + 16;
        QTest::newRow("a multiple of 16") << 1408 << 16;
        QTest::newRow("padded to 16") << 1400 << 8 + 16;
        QTest::newRow("the MTU, not a multiple of 16") << 1420 << 16;
        QTest::newRow("padding capped at the MTU") << 1412 << 8 + 16;
    }
    void tailroomForLength()
    {
        QFETCH(int, len);
        QFETCH(int, tail);
        auto a = makeA();
        QCOMPARE(a->encap->tailroomFor(size_t(len)), size_t(tail));
        QVERIFY(a->encap->tailroomFor(size_t(len)) <= a->encap->tailroom());
        QVERIFY(a->encap->authenticates()); // joined segments need no second checksum check
    }

    void handshakeFlushesQueuedPacket()
    {
        auto a = makeA();
        auto b = makeB();
        const auto packet = ipv4Packet(100, 0xab);
        std::vector<uint8_t> out;
        QCOMPARE(int(a->seal(packet, &out).verdict), int(Encapsulation::Verdict::Consumed));
        auto sent = a->takeSent();
        QCOMPARE(sent.size(), size_t(1));
        QCOMPARE(messageType(sent[0].bytes), 1u); // initiation
        QCOMPARE(sent[0].bytes.size(), size_t(148));
        QCOMPARE(a->counters.peerTimer[0].initiationsSent.get(), 1u);

        // More packets while the handshake runs: queued, no second initiation.
        const auto second = ipv4Packet(30, 0xcd);
        QCOMPARE(int(a->seal(second, &out).verdict), int(Encapsulation::Verdict::Consumed));
        QCOMPARE(a->encap->queuedPackets(0), size_t(2));
        QVERIFY(a->takeSent().empty());

        QCOMPARE(int(b->open(sent[0].bytes, m_atA).verdict), int(Encapsulation::Verdict::Consumed));
        auto response = b->takeSent();
        QCOMPARE(response.size(), size_t(1));
        QCOMPARE(messageType(response[0].bytes), 2u);
        QVERIFY(response[0].to == m_atA);                         // answered to the source
        QCOMPARE(b->counters.peerRx[0].handshakesDone.get(), 0u); // not confirmed yet

        QCOMPARE(int(a->open(response[0].bytes, m_atB).verdict),
                 int(Encapsulation::Verdict::Consumed));
        QCOMPARE(a->counters.peerRx[0].handshakesDone.get(), 1u);
        QVERIFY(a->counters.peerRx[0].lastHandshakeUnixMs.load() > 0);
        QCOMPARE(a->encap->queuedPackets(0), size_t(0));

        // The queue went out in order, and B forwards exactly the original packets.
        const auto inner = deliver(*a, *b);
        QCOMPARE(inner.size(), size_t(2));
        QVERIFY(inner[0] == packet);
        QVERIFY(inner[1] == second);
        QCOMPARE(b->counters.peerRx[0].handshakesDone.get(), 1u);
        QCOMPARE(b->counters.snapshot().handshakesDone, 1u);
        QVERIFY(b->takeSent().empty()); // the responder owes no keepalive: data confirmed it
        // The flushed packets count as sent: inner bytes, as the sending loop counts them (not
        // the sealed 16 + padded + 16 bytes on the wire).
        const auto sentStats = a->counters.snapshot();
        QCOMPARE(sentStats.txPackets, 2u);
        QCOMPARE(sentStats.peers[0].txPackets, 2u);
        QCOMPARE(sentStats.peers[0].txBytes, uint64_t(packet.size() + second.size()));
        QCOMPARE(sentStats.txBytes, uint64_t(packet.size() + second.size()));
    }

    // A TSO read's segments sealed at once and a GRO read opened at once, with the crypto on
    // one or several threads: every packet once, in order, consecutive counters, exact counts.
    void batchesKeepOrderAndCounters_data()
    {
        QTest::addColumn<unsigned>("threads");
        QTest::addColumn<int>("batch");
        for (unsigned t : {1u, 2u, 4u}) {
            for (int n : {2, 7, 8, 45, 128}) {
                QTest::addRow("%u threads, %d packets", t, n) << t << n;
            }
        }
    }

    void batchesKeepOrderAndCounters()
    {
        QFETCH(unsigned, threads);
        QFETCH(int, batch);
        auto a = makeA(nullptr, threads);
        auto b = makeB(nullptr, threads);
        QCOMPARE(a->encap->cryptoThreads(), threads);
        std::vector<std::vector<uint8_t>> atB;
        handshake(*a, *b, &atB);
        QCOMPARE(atB.size(), size_t(1));

        for (int round = 0; round < 3; ++round) {
            std::vector<std::vector<uint8_t>> packets;
            for (int i = 0; i < batch; ++i) {
                packets.push_back(ipv4Packet(size_t(40 + (i * 37 + round) % 1360), uint8_t(i)));
                packets.back()[4] = uint8_t(round); // the IP id tells the rounds apart
            }
            std::vector<std::vector<uint8_t>> sealed;
            const auto sealedResults = a->sealBatch(packets, &sealed);
            QCOMPARE(sealed.size(), packets.size());
            for (size_t i = 1; i < sealed.size(); ++i) {
                QCOMPARE(counterOf(sealed[i]), counterOf(sealed[0]) + i);
            }
            for (const auto& r : sealedResults) {
                QCOMPARE(int(r.verdict), int(Encapsulation::Verdict::Forward));
            }
            std::vector<std::vector<uint8_t>> inner;
            const auto opened = b->openBatch(sealed, m_atA, &inner);
            QCOMPARE(inner.size(), packets.size());
            QVERIFY(inner == packets);
            for (const auto& r : opened) {
                QCOMPARE(int(r.verdict), int(Encapsulation::Verdict::Forward));
            }
        }
        const auto stats = b->counters.snapshot();
        QCOMPARE(stats.decryptionFailures, 0u);
        QCOMPARE(stats.replaysRejected, 0u);
        QVERIFY(a->takeSent().empty()); // nothing went around the batch (no keepalive, no rekey)
    }

    // Within one batch: a forged message, a replay of an earlier one and a message for an
    // unknown index are each dropped and counted once; the rest goes through in order.
    void openBatchDropsForgeriesAndReplays()
    {
        auto a = makeA(nullptr, 2);
        auto b = makeB(nullptr, 2);
        std::vector<std::vector<uint8_t>> atB;
        handshake(*a, *b, &atB);
        std::vector<std::vector<uint8_t>> packets;
        for (int i = 0; i < 20; ++i) {
            packets.push_back(ipv4Packet(1000, uint8_t(i)));
        }
        std::vector<std::vector<uint8_t>> sealed;
        a->sealBatch(packets, &sealed);
        QCOMPARE(sealed.size(), size_t(20));
        std::vector<std::vector<uint8_t>> batch = sealed;
        batch[5][100] ^= 1;         // forged
        batch.push_back(sealed[3]); // a replay, later in the same batch
        batch.insert(batch.begin() + 10, sealed[12]);
        batch[10][4] ^= 0xff; // an index B never handed out
        const auto before = b->counters.snapshot();
        std::vector<std::vector<uint8_t>> inner;
        const auto results = b->openBatch(batch, m_atA, &inner);
        QCOMPARE(int(results[5].verdict), int(Encapsulation::Verdict::Drop));
        QCOMPARE(int(results[5].reason), int(DropReason::NotAuthenticated));
        QCOMPARE(int(results[10].verdict), int(Encapsulation::Verdict::Drop));
        QCOMPARE(int(results.back().verdict), int(Encapsulation::Verdict::Drop));
        QCOMPARE(int(results.back().reason), int(DropReason::Replayed));
        std::vector<std::vector<uint8_t>> expected = packets;
        expected.erase(expected.begin() + 5);
        QVERIFY(inner == expected);
        const auto after = b->counters.snapshot();
        QCOMPARE(after.decryptionFailures - before.decryptionFailures, 2u); // forged, unknown
        QCOMPARE(after.replaysRejected - before.replaysRejected, 1u);
    }

    // Without a session a batch is queued packet by packet (one initiation) and flushed in
    // order when the handshake completes.
    void sealBatchWithoutSessionQueues()
    {
        auto a = makeA(nullptr, 2);
        auto b = makeB(nullptr, 2);
        std::vector<std::vector<uint8_t>> packets;
        for (int i = 0; i < 12; ++i) {
            packets.push_back(ipv4Packet(500, uint8_t(i)));
        }
        std::vector<std::vector<uint8_t>> sealed;
        const auto results = a->sealBatch(packets, &sealed);
        QVERIFY(sealed.empty());
        for (const auto& r : results) {
            QCOMPARE(int(r.verdict), int(Encapsulation::Verdict::Consumed));
        }
        QCOMPARE(a->encap->queuedPackets(0), size_t(12));
        QCOMPARE(a->counters.peerTimer[0].initiationsSent.get(), 1u);
        QVERIFY(deliver(*a, *b).empty());
        QVERIFY(deliver(*b, *a).empty());
        QVERIFY(deliver(*a, *b) == packets);
    }

    void dataBothWaysWithPresharedKey()
    {
        const LockedSecretKey psk = peertun::keys::generateKey();
        auto a = makeA(&psk);
        auto b = makeB(&psk);
        std::vector<std::vector<uint8_t>> atB;
        handshake(*a, *b, &atB);
        QCOMPARE(atB.size(), size_t(1));

        for (const size_t size : {0, 1, 15, 16, 17, 200, 1380, 1400}) {
            const auto packet = ipv4Packet(size, uint8_t(size));
            std::vector<uint8_t> sealed;
            QCOMPARE(int(b->seal(packet, &sealed).verdict), int(Encapsulation::Verdict::Forward));
            // Header + padded ciphertext + tag, padding capped at the MTU (1420).
            const size_t padded = std::min<size_t>((packet.size() + 15) / 16 * 16, 1420);
            QCOMPARE(sealed.size(), 16 + std::max(padded, packet.size()) + 16);
            QCOMPARE(messageType(sealed), 4u);
            std::vector<uint8_t> inner;
            uint32_t peer = 99;
            QCOMPARE(int(a->open(sealed, m_atB, &inner, &peer).verdict),
                     int(Encapsulation::Verdict::Forward));
            QVERIFY(inner == packet); // padding trimmed to the IP length
            QCOMPARE(peer, 0u);

            std::vector<uint8_t> back;
            QCOMPARE(int(a->seal(packet, &back).verdict), int(Encapsulation::Verdict::Forward));
            QCOMPARE(int(b->open(back, m_atA, &inner).verdict),
                     int(Encapsulation::Verdict::Forward));
            QVERIFY(inner == packet);
        }
    }

    void peerIsTheSessionNotTheSourceAddress()
    {
        auto a = makeA();
        auto b = makeB();
        std::vector<std::vector<uint8_t>> atB;
        handshake(*a, *b, &atB);
        QVERIFY(a->encap->endpointGeneration() != nullptr);
        const uint64_t generation = a->encap->endpointGeneration()->load();

        // B's packet arrives from another address (B roamed, or a NAT rebinding).
        const UdpEndpoint roamed = endpoint("198.51.100.9", 40000);
        std::vector<uint8_t> sealed;
        const auto packet = ipv4Packet(64, 0x11);
        QCOMPARE(int(b->seal(packet, &sealed).verdict), int(Encapsulation::Verdict::Forward));
        std::vector<uint8_t> inner;
        uint32_t peer = 99;
        QCOMPARE(int(a->open(sealed, roamed, &inner, &peer).verdict),
                 int(Encapsulation::Verdict::Forward));
        QCOMPARE(peer, 0u);
        QVERIFY(inner == packet);
        QVERIFY(a->encap->endpointGeneration()->load() != generation);
        QVERIFY(a->encap->peerEndpoint(0) == roamed);

        // An unauthenticated datagram from yet another address does not move the endpoint.
        const uint64_t after = a->encap->endpointGeneration()->load();
        std::vector<uint8_t> forged = sealed;
        forged[40] ^= 1;
        QCOMPARE(int(a->open(forged, endpoint("203.0.113.5", 1)).verdict),
                 int(Encapsulation::Verdict::Drop));
        QCOMPARE(a->encap->endpointGeneration()->load(), after);
        QVERIFY(a->encap->peerEndpoint(0) == roamed);
    }

    void hostileDatagramsAreDroppedAndCounted()
    {
        auto a = makeA();
        auto b = makeB();
        std::vector<std::vector<uint8_t>> atB;
        handshake(*a, *b, &atB);
        b->takeSent();
        const auto before = b->counters.snapshot();

        std::vector<uint8_t> sealed;
        QCOMPARE(int(a->seal(ipv4Packet(80, 1), &sealed).verdict),
                 int(Encapsulation::Verdict::Forward));
        QCOMPARE(int(b->open(sealed, m_atA).verdict), int(Encapsulation::Verdict::Forward));

        // Replay of an accepted packet.
        auto r = b->open(sealed, m_atA);
        QCOMPARE(int(r.verdict), int(Encapsulation::Verdict::Drop));
        QCOMPARE(int(r.reason), int(DropReason::Replayed));
        // One bit flipped in the ciphertext (a fresh packet).
        QCOMPARE(int(a->seal(ipv4Packet(80, 2), &sealed).verdict),
                 int(Encapsulation::Verdict::Forward));
        sealed[30] ^= 0x04;
        r = b->open(sealed, m_atA);
        QCOMPARE(int(r.reason), int(DropReason::NotAuthenticated));
        // Random bytes, and random bytes that look like an initiation.
        std::vector<uint8_t> junk(148);
        for (size_t i = 0; i < junk.size(); ++i) {
            junk[i] = uint8_t(i * 37 + 11);
        }
        QCOMPARE(int(b->open(junk, endpoint("203.0.113.5", 9)).reason),
                 int(DropReason::NotAuthenticated));
        junk[0] = 1;
        junk[1] = junk[2] = junk[3] = 0;
        QCOMPARE(int(b->open(junk, endpoint("203.0.113.5", 9)).reason),
                 int(DropReason::NotAuthenticated));
        // An initiation from a stranger's key (valid MAC1 for B: it knows B's public key).
        const LockedSecretKey strangerKey = peertun::keys::generateKey();
        Side stranger(strangerKey, peertun::keys::publicKeyOf(m_keyB), m_atB,
                      endpoint("203.0.113.7", 7));
        std::vector<uint8_t> unused;
        stranger.seal(ipv4Packet(10, 3), &unused);
        auto strangerSent = stranger.takeSent();
        QCOMPARE(strangerSent.size(), size_t(1));
        r = b->open(strangerSent[0].bytes, stranger.address);
        QCOMPARE(int(r.verdict), int(Encapsulation::Verdict::Drop));

        QVERIFY(b->takeSent().empty()); // no answer to any of them
        const auto after = b->counters.snapshot();
        QCOMPARE(after.replaysRejected - before.replaysRejected, 1u);
        QCOMPARE(after.decryptionFailures - before.decryptionFailures, 1u);
        QCOMPARE(after.handshakesFailed - before.handshakesFailed, 1u); // the unknown key

        // The tunnel still works.
        QCOMPARE(int(a->seal(ipv4Packet(80, 4), &sealed).verdict),
                 int(Encapsulation::Verdict::Forward));
        std::vector<uint8_t> inner;
        QCOMPARE(int(b->open(sealed, m_atA, &inner).verdict), int(Encapsulation::Verdict::Forward));
        QVERIFY(inner == ipv4Packet(80, 4));
    }

    void handshakeFloodTurnsOnCookies()
    {
        auto b = makeB();
        // Initiations addressed to B (valid MAC1) from a key B does not know, from one source.
        const LockedSecretKey strangerKey = peertun::keys::generateKey();
        peertun::wireguard::Device stranger(strangerKey);
        peertun::wireguard::PeerConfig peer;
        peer.publicKey = peertun::keys::publicKeyOf(m_keyB);
        stranger.addPeer(std::move(peer));
        const UdpEndpoint from = endpoint("203.0.113.9", 4444);
        size_t answered = 0;
        for (unsigned i = 0; i < WireGuardEncapsulation::kUnderLoadHandshakesPerSecond + 10; ++i) {
            std::vector<uint8_t> message(peertun::wireguard::kInitiationSize);
            // Far apart in protocol time, so the stranger's own pacing does not interfere.
            const auto t = std::chrono::seconds(10 * (i + 1));
            QCOMPARE(stranger.createInitiation(0, t, peertun::wireguard::Tai64n::now(),
                                               std::span<uint8_t>(message)),
                     message.size());
            const auto verdict = b->open(message, from).verdict;
            if (!b->encap->underLoad()) {
                QCOMPARE(int(verdict), int(Encapsulation::Verdict::Drop));
            }
            for (const Datagram& d : b->takeSent()) {
                QCOMPARE(messageType(d.bytes), 3u); // cookie reply
                QCOMPARE(d.bytes.size(), size_t(64));
                QVERIFY(d.to == from);
                ++answered;
            }
        }
        QVERIFY(b->encap->underLoad());
        // Only under load, and then only cookie replies (type 3), never a handshake response.
        QVERIFY(answered >= 1);
        QVERIFY(answered <= 10);
        QCOMPARE(b->counters.snapshot().handshakesFailed,
                 uint64_t(WireGuardEncapsulation::kUnderLoadHandshakesPerSecond));
    }

    void queueIsBounded()
    {
        auto a = makeA();
        std::vector<uint8_t> out;
        for (size_t i = 0; i < WireGuardEncapsulation::kQueueLimit; ++i) {
            QCOMPARE(int(a->seal(ipv4Packet(10, uint8_t(i)), &out).verdict),
                     int(Encapsulation::Verdict::Consumed));
        }
        const auto r = a->seal(ipv4Packet(10, 0), &out);
        QCOMPARE(int(r.verdict), int(Encapsulation::Verdict::Drop));
        QCOMPARE(int(r.reason), int(DropReason::HandshakeQueueFull));
        QCOMPARE(a->encap->queuedPackets(0), WireGuardEncapsulation::kQueueLimit);
        QCOMPARE(a->counters.peerTimer[0].initiationsSent.get(), 1u); // one, not 257
    }

    void timerThreadStopsAndStopWipesSessions()
    {
        auto a = makeA();
        auto b = makeB();
        std::vector<std::vector<uint8_t>> atB;
        handshake(*a, *b, &atB);
        std::vector<uint8_t> sealed;
        QCOMPARE(int(a->seal(ipv4Packet(10, 1), &sealed).verdict),
                 int(Encapsulation::Verdict::Forward));
        // The timer thread runs and stops cleanly.
        a->encap->startTimers();
        QTest::qWait(50);
        a->encap->stop();
        // Keys are gone: sending needs a new handshake.
        QCOMPARE(int(a->seal(ipv4Packet(10, 1), &sealed).verdict),
                 int(Encapsulation::Verdict::Consumed));
    }

    // The peer set changes under a live session: adding a peer (another slot) keeps the
    // session and its counters; removing the peer wipes its session, and its datagrams are
    // no longer accepted.
    void peersAddedAndRemovedWhileRunning()
    {
        auto a = makeA();
        auto b = makeB();
        std::vector<std::vector<uint8_t>> atB;
        handshake(*a, *b, &atB);
        QCOMPARE(atB.size(), size_t(1));

        PeerSpec c;
        c.name = "c";
        c.publicKey = peertun::keys::publicKeyOf(peertun::keys::generateKey());
        c.endpoint = endpoint("192.0.2.3", 51820);
        a->counters.ensureSlots(2);
        a->encap->reserveSlots(2);
        a->encap->addPeer(1, c);
        // Same key twice, our own key: refused by name, nothing changed.
        QVERIFY_THROWS_EXCEPTION(TunnelError, a->encap->addPeer(2, c));
        PeerSpec own = c;
        own.publicKey = peertun::keys::publicKeyOf(m_keyA);
        QVERIFY(!a->encap->unusableKey(own.publicKey).empty());

        // B's session survived: the next packet goes at once, with the next counter.
        const auto packet = ipv4Packet(60, 0x11);
        std::vector<uint8_t> out;
        QCOMPARE(int(a->seal(packet, &out).verdict), int(Encapsulation::Verdict::Forward));
        QCOMPARE(counterOf(out), uint64_t(1));
        std::vector<uint8_t> inner;
        QCOMPARE(int(b->open(out, m_atA, &inner).verdict), int(Encapsulation::Verdict::Forward));
        QVERIFY(inner == packet);
        QCOMPARE(a->counters.peerRx[0].handshakesDone.get(), 1u);

        // B goes (slot 0): its session is wiped; what B still sends is not authenticated.
        a->encap->removePeer(0);
        QCOMPARE(a->encap->queuedPackets(0), size_t(0));
        QCOMPARE(int(b->seal(ipv4Packet(40, 0x22), &out).verdict),
                 int(Encapsulation::Verdict::Forward));
        QCOMPARE(int(a->open(out, m_atB, &inner).verdict), int(Encapsulation::Verdict::Drop));
        // The key is free again: B may come back, in another slot, and handshake anew.
        PeerSpec again;
        again.name = "b";
        again.publicKey = peertun::keys::publicKeyOf(m_keyB);
        again.endpoint = m_atB;
        a->counters.ensureSlots(3);
        a->encap->reserveSlots(3);
        a->encap->addPeer(2, again);
        QCOMPARE(a->encap->peerEndpoint(2), m_atB);
        QCOMPARE(a->encap->peerEndpoint(0), UdpEndpoint{});
    }
};

QTEST_MAIN(TestWgEncapsulation)
#include "tst_wg_encapsulation.moc"
