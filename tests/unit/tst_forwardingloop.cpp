// The forwarding loop over a fake TUN device and a fake UDP socket (tests/fakes), in plain
// mode: routing to the right peer, drops by reason, UDP_SEGMENT grouping and its fallback
// when GSO is refused, GRO trains split, TCP segments joined into one GSO write to TUN, and
// exact counters. One batch at a time, without the threads, except for the last test. The
// real device and socket are the root tests' (tests/root/e2e).
#include "FakeTun.h"
#include "FakeUdp.h"
#include "ForwardingLoop.h"
#include "Offload.h"
#include "Packet.h"
#include "PlainEncapsulation.h"

#include <QElapsedTimer>
#include <QTest>
#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <memory>
#include <netinet/in.h>
#include <string>
#include <vector>

using namespace peertun::engine;

namespace {

using Bytes = std::vector<uint8_t>;

IpAddress ip(const char* text)
{
    return *IpAddress::parse(text);
}

UdpEndpoint endpoint(const char* address, uint16_t port)
{
    return {ip(address), port};
}

const UdpEndpoint kAlpha = endpoint("192.0.2.1", 8285);
const UdpEndpoint kBeta = endpoint("192.0.2.2", 8285);
const UdpEndpoint kStranger = endpoint("192.0.2.9", 8285);
const UdpEndpoint kGamma = endpoint("192.0.2.3", 8285);

void put16(uint8_t* p, uint16_t v)
{
    const uint16_t be = htons(v);
    std::memcpy(p, &be, sizeof be);
}

void put32(uint8_t* p, uint32_t v)
{
    const uint32_t be = htonl(v);
    std::memcpy(p, &be, sizeof be);
}

uint16_t get16(const uint8_t* p)
{
    uint16_t be = 0;
    std::memcpy(&be, p, sizeof be);
    return ntohs(be);
}

// An IPv4 or IPv6 header for `l4Len` bytes of protocol `proto`, with a right IPv4 checksum.
Bytes ipHeader(const char* src, const char* dst, uint8_t proto, size_t l4Len, uint16_t id = 0)
{
    const IpAddress s = ip(src);
    const IpAddress d = ip(dst);
    if (s.family == AF_INET6) {
        Bytes h(40);
        h[0] = 0x60;
        put16(&h[4], uint16_t(l4Len));
        h[6] = proto;
        h[7] = 64;
        std::copy_n(s.bytes.data(), 16, &h[8]);
        std::copy_n(d.bytes.data(), 16, &h[24]);
        return h;
    }
    Bytes h(20);
    h[0] = 0x45;
    put16(&h[2], uint16_t(20 + l4Len));
    put16(&h[4], id);
    h[6] = 0x40; // DF
    h[8] = 64;
    h[9] = proto;
    std::copy_n(s.bytes.data(), 4, &h[12]);
    std::copy_n(d.bytes.data(), 4, &h[16]);
    put16(&h[10], checksumFinish(checksumAdd(h.data(), 20, 0)));
    return h;
}

// A UDP packet of `total` bytes in all (IP header included).
Bytes udpPacket(const char* src, const char* dst, size_t total)
{
    const size_t ipLen = ip(src).family == AF_INET6 ? 40 : 20;
    Bytes p = ipHeader(src, dst, IPPROTO_UDP, total - ipLen);
    p.resize(total);
    uint8_t* u = &p[ipLen];
    put16(u, 40000);
    put16(u + 2, 5201);
    put16(u + 4, uint16_t(total - ipLen));
    for (size_t i = ipLen + 8; i < total; ++i) {
        p[i] = uint8_t(i * 13);
    }
    return p; // UDP checksum 0: none (IPv4)
}

// A TCP segment (ACK, 12 bytes of timestamp options) with right checksums, or with the
// pseudo-header sum only (`partial`) as the kernel hands a TSO segment over.
Bytes tcpPacket(const char* src, const char* dst, uint32_t seq, size_t payload,
                bool partial = false, uint16_t srcPort = 40000, uint16_t id = 0)
{
    const size_t tcpLen = 32;
    Bytes p = ipHeader(src, dst, IPPROTO_TCP, tcpLen + payload, id);
    const size_t ipLen = p.size();
    p.resize(ipLen + tcpLen + payload);
    uint8_t* t = &p[ipLen];
    put16(t, srcPort);
    put16(t + 2, 5201);
    put32(t + 4, seq);
    put32(t + 8, 777);
    t[12] = uint8_t((tcpLen / 4) << 4);
    t[13] = 0x10; // ACK
    put16(t + 14, 502);
    t[20] = 1, t[21] = 1, t[22] = 8, t[23] = 10; // NOP NOP TS
    put32(t + 24, 1000);
    put32(t + 28, 2000);
    for (size_t i = 0; i < payload; ++i) {
        t[tcpLen + i] = uint8_t((seq + i) * 7);
    }
    const bool v6 = ipLen == 40;
    Bytes pseudo;
    pseudo.insert(pseudo.end(), p.begin() + (v6 ? 8 : 12), p.begin() + (v6 ? 40 : 20));
    const size_t l4 = tcpLen + payload;
    pseudo.insert(pseudo.end(), {0, 0, uint8_t(l4 >> 8), uint8_t(l4), 0, 0, 0, IPPROTO_TCP});
    const uint64_t sum = checksumAdd(pseudo.data(), pseudo.size(), 0);
    put16(t + 16,
          partial ? uint16_t(~checksumFinish(sum)) : checksumFinish(checksumAdd(t, l4, sum)));
    return p;
}

// What one read from TUN gives: the virtio-net header, then the packet.
Bytes tunRead(const Bytes& packet, const VirtioNetHeader& h = {})
{
    Bytes r(kVnetHeaderSize);
    std::memcpy(r.data(), &h, kVnetHeaderSize);
    r.insert(r.end(), packet.begin(), packet.end());
    return r;
}

// A TSO read: one TCP segment of `payload` bytes the kernel wants cut at `mss`.
Bytes tsoRead(const char* src, const char* dst, size_t payload, uint16_t mss)
{
    const bool v6 = ip(src).family == AF_INET6;
    VirtioNetHeader h;
    h.flags = kVnetNeedsCsum;
    h.gsoType = v6 ? kVnetGsoTcpV6 : kVnetGsoTcpV4;
    h.gsoSize = mss;
    h.csumStart = v6 ? 40 : 20;
    h.csumOffset = 16;
    h.hdrLen = uint16_t(h.csumStart + 32);
    return tunRead(tcpPacket(src, dst, 1, payload, /*partial=*/true), h);
}

// Two peers, plain mode, and the loop over the fakes.
struct Rig
{
    explicit Rig(unsigned threads = 2)
    {
        ForwardingSetup setup;
        setup.threads = threads;
        setup.tun = &tun;
        setup.udp = &udp;
        setup.udpFamily = AF_INET;
        setup.tunnelName = "test";
        setup.peers = &peers;
        setup.encapsulation = &encap;
        setup.counters = &counters;
        setup.log = &log;
        loop = std::make_unique<ForwardingLoop>(std::move(setup));
    }

    // The peer set changes as Tunnel::setPeers() changes it: room, endpoints, then the swap.
    void setPeers(const std::vector<std::vector<IpPrefix>>& subnets,
                  const std::vector<UdpEndpoint>& endpoints, const std::vector<std::string>& names,
                  const std::vector<uint32_t>& active)
    {
        counters.ensureSlots(names.size());
        loop->reservePeers(names.size());
        encap.setPeers(endpoints);
        peers.publish(PeerRoutes::build(subnets, endpoints, names, active));
    }

    bool logged(const std::string& part) const
    {
        for (const LogEntry& e : log.since(0)) {
            if (e.text.find(part) != std::string::npos) {
                return true;
            }
        }
        return false;
    }
    // Every drop reason but `except` is still 0.
    bool noDropsBut(DropReason except = DropReason::Count) const
    {
        const TunnelStats s = counters.snapshot();
        for (size_t r = 0; r < kDropReasonCount; ++r) {
            if (r != size_t(except) && s.drops[r] != 0) {
                qWarning("unexpected drops: %llu of %s", (unsigned long long)s.drops[r],
                         std::string(dropReasonName(DropReason(r))).c_str());
                return false;
            }
        }
        return true;
    }

    LivePeers peers{
        PeerRoutes::build({{*IpPrefix::parse("10.244.3.0/24")},
                           {*IpPrefix::parse("10.244.4.0/24"), *IpPrefix::parse("fd00:4::/64")}},
                          {kAlpha, kBeta}, {"alpha", "beta"}, {0, 1})};
    TunnelCounters counters{2};
    PlainEncapsulation encap{{kAlpha, kBeta}};
    EventLog log;
    FakeTun tun;
    FakeUdp udp;
    std::unique_ptr<ForwardingLoop> loop;
};

// "a1400 b600": reads of UDP packets to peer a or b, of the given total size.
std::vector<Bytes> packetsFor(const QString& spec)
{
    std::vector<Bytes> out;
    for (const QString& item : spec.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        const char* dst = item.startsWith(QLatin1Char('a')) ? "10.244.3.7" : "10.244.4.7";
        out.push_back(udpPacket("10.244.2.2", dst, item.mid(1).toUInt()));
    }
    return out;
}

QString describeSent(const std::vector<FakeUdp::Sent>& sent)
{
    QStringList parts;
    for (const FakeUdp::Sent& s : sent) {
        const size_t segments =
            s.segmentSize ? (s.bytes.size() + s.segmentSize - 1) / s.segmentSize : 1;
        parts << QStringLiteral("%1:%2:%3")
                     .arg(s.to == kAlpha ? QStringLiteral("a") : QStringLiteral("b"))
                     .arg(segments)
                     .arg(s.segmentSize);
    }
    return parts.join(QLatin1Char(' '));
}

} // namespace

class TestForwardingLoop final : public QObject
{
    Q_OBJECT

private slots:
    // --- TUN -> UDP --------------------------------------------------------------------

    void routesToThePeer_data()
    {
        QTest::addColumn<QString>("src");
        QTest::addColumn<QString>("dst");
        QTest::addColumn<int>("peer"); // -1: dropped
        QTest::newRow("v4 to alpha") << "10.244.2.2"
                                     << "10.244.3.7" << 0;
        QTest::newRow("v4 to beta") << "10.244.2.2"
                                    << "10.244.4.200" << 1;
        QTest::newRow("v6 to beta") << "fd00:2::2"
                                    << "fd00:4::9" << 1;
        QTest::newRow("v4 no route") << "10.244.2.2"
                                     << "10.9.9.9" << -1;
        QTest::newRow("v6 no route") << "fd00:2::2"
                                     << "fd00:5::1" << -1;
    }
    void routesToThePeer()
    {
        QFETCH(QString, src);
        QFETCH(QString, dst);
        QFETCH(int, peer);
        Rig rig;
        const Bytes packet = udpPacket(qPrintable(src), qPrintable(dst), 300);
        rig.tun.queueRead(tunRead(packet));
        QVERIFY(!rig.loop->forwardFromTun());

        const std::vector<FakeUdp::Sent> sent = rig.udp.takeSent();
        const TunnelStats s = rig.counters.snapshot();
        if (peer < 0) {
            QCOMPARE(sent.size(), size_t(0));
            QCOMPARE(s.drops[size_t(DropReason::NoPeerForDestination)], uint64_t(1));
            QVERIFY(rig.noDropsBut(DropReason::NoPeerForDestination));
            QCOMPARE(s.txPackets, uint64_t(0));
            return;
        }
        QCOMPARE(sent.size(), size_t(1));
        QCOMPARE(sent[0].to, peer == 0 ? kAlpha : kBeta);
        QVERIFY(sent[0].bytes == packet); // plain mode: the packet is the payload
        QCOMPARE(sent[0].segmentSize, uint16_t(0));
        QCOMPARE(s.txPackets, uint64_t(1));
        QCOMPARE(s.txBytes, uint64_t(300));
        QCOMPARE(s.peers[size_t(peer)].txPackets, uint64_t(1));
        QCOMPARE(s.peers[size_t(peer)].txBytes, uint64_t(300));
        QCOMPARE(s.peers[size_t(1 - peer)].txPackets, uint64_t(0));
        QVERIFY(rig.noDropsBut());
    }

    void malformedReads_data()
    {
        QTest::addColumn<QByteArray>("read");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("header only") << QByteArray(int(kVnetHeaderSize), '\0');
        QTest::newRow("not IP") << QByteArray(int(kVnetHeaderSize), '\0') + QByteArray(60, 'x');
        QTest::newRow("short v4") << QByteArray(int(kVnetHeaderSize), '\0') + QByteArray(19, 0x45);
        const Bytes tso = tsoRead("10.244.2.2", "10.244.3.7", 3000, 1400);
        Bytes bogus = tso;
        bogus[4] = 0; // gso_size 0 with a TSO type: cannot be cut
        bogus[5] = 0;
        QTest::newRow("TSO without a size")
            << QByteArray(reinterpret_cast<const char*>(bogus.data()), int(bogus.size()));
    }
    void malformedReads()
    {
        QFETCH(QByteArray, read);
        Rig rig;
        rig.tun.queueRead(Bytes(read.begin(), read.end()));
        rig.tun.queueRead(tunRead(udpPacket("10.244.2.2", "10.244.3.7", 100)));
        rig.loop->forwardFromTun();
        QCOMPARE(rig.udp.takeSent().size(), size_t(1)); // the good one after it still goes
        const TunnelStats s = rig.counters.snapshot();
        QCOMPARE(s.drops[size_t(DropReason::Malformed)], uint64_t(1));
        QVERIFY(rig.noDropsBut(DropReason::Malformed));
        QCOMPARE(s.txPackets, uint64_t(1));
    }

    // Datagrams to one peer that lie back to back join into one UDP_SEGMENT message while
    // all but the last have one size; "a:3:1400" is one message to alpha of 3 datagrams cut
    // at 1400 bytes, "a:1:0" a single datagram.
    void gsoGrouping_data()
    {
        QTest::addColumn<QString>("reads");
        QTest::addColumn<QString>("messages");
        QTest::newRow("one") << "a1400"
                             << "a:1:0";
        QTest::newRow("run of equal") << "a1400 a1400 a1400 a1400"
                                      << "a:4:1400";
        QTest::newRow("shorter last joins") << "a1400 a1400 a600"
                                            << "a:3:1400";
        QTest::newRow("longer starts anew") << "a600 a1400"
                                            << "a:1:0 a:1:0";
        QTest::newRow("nothing after a short one") << "a1400 a600 a1400"
                                                   << "a:2:1400 a:1:0";
        QTest::newRow("another peer between") << "a1400 b1400 a1400"
                                              << "a:1:0 b:1:0 a:1:0";
        QTest::newRow("two runs") << "a1000 a1000 b500 b500 b500"
                                  << "a:2:1000 b:3:500";
        QTest::newRow("64 KiB payload cap")
            << QString(QStringLiteral("a1400 ").repeated(50)) << "a:46:1400 a:4:1400";
        QTest::newRow("64 segment cap")
            << QString(QStringLiteral("a100 ").repeated(70)) << "a:64:100 a:6:100";
    }
    void gsoGrouping()
    {
        QFETCH(QString, reads);
        QFETCH(QString, messages);
        Rig rig;
        uint64_t bytes = 0;
        const std::vector<Bytes> packets = packetsFor(reads);
        for (const Bytes& p : packets) {
            rig.tun.queueRead(tunRead(p));
            bytes += p.size();
        }
        rig.loop->forwardFromTun();
        const std::vector<FakeUdp::Sent> sent = rig.udp.takeSent();
        QCOMPARE(describeSent(sent), messages);
        QCOMPARE(rig.udp.sendmmsgCalls(), 1u); // one batch, one sendmmsg
        // The payloads are the packets, in order, back to back.
        Bytes wire;
        Bytes expected;
        for (const FakeUdp::Sent& s : sent) {
            wire.insert(wire.end(), s.bytes.begin(), s.bytes.end());
        }
        for (const Bytes& p : packets) {
            expected.insert(expected.end(), p.begin(), p.end());
        }
        QVERIFY(wire == expected);
        const TunnelStats s = rig.counters.snapshot();
        QCOMPARE(s.txPackets, uint64_t(packets.size()));
        QCOMPARE(s.txBytes, bytes);
        QCOMPARE(s.peers[0].txPackets + s.peers[1].txPackets, uint64_t(packets.size()));
        QVERIFY(rig.noDropsBut());
    }

    // A TSO read is cut into MTU-sized TCP packets that go out as UDP_SEGMENT messages.
    void tsoReadGoesAsSegments_data()
    {
        QTest::addColumn<QString>("src");
        QTest::addColumn<QString>("dst");
        QTest::addColumn<int>("payload");
        QTest::addColumn<int>("mss");
        QTest::addColumn<QString>("messages");
        // 20 + 32 + 1400 = 1452 bytes a packet: 45 fit in 65507 bytes.
        QTest::newRow("v4 64 KiB") << "10.244.2.2"
                                   << "10.244.3.7" << 65000 << 1400 << "a:45:1452 a:2:1452";
        QTest::newRow("v4 three") << "10.244.2.2"
                                  << "10.244.3.7" << 3000 << 1400 << "a:3:1452";
        QTest::newRow("v6 two") << "fd00:2::2"
                                << "fd00:4::9" << 2000 << 1200 << "b:2:1272";
    }
    void tsoReadGoesAsSegments()
    {
        QFETCH(QString, src);
        QFETCH(QString, dst);
        QFETCH(int, payload);
        QFETCH(int, mss);
        QFETCH(QString, messages);
        Rig rig;
        rig.tun.queueRead(
            tsoRead(qPrintable(src), qPrintable(dst), size_t(payload), uint16_t(mss)));
        rig.loop->forwardFromTun();
        const std::vector<FakeUdp::Sent> sent = rig.udp.takeSent();
        QCOMPARE(describeSent(sent), messages);
        size_t packets = 0;
        size_t payloadSeen = 0;
        uint64_t bytes = 0;
        for (const FakeUdp::Sent& s : sent) {
            for (size_t at = 0; at < s.bytes.size(); at += s.segmentSize) {
                const size_t len = std::min<size_t>(s.segmentSize, s.bytes.size() - at);
                IpHeaderView view;
                QCOMPARE(checkIpPacket(s.bytes.data() + at, len, &view), PacketCheck::Ok);
                const size_t ipLen = view.family == AF_INET6 ? 40 : 20;
                payloadSeen += len - ipLen - 32;
                bytes += len;
                ++packets;
            }
        }
        QCOMPARE(payloadSeen, size_t(payload));
        const TunnelStats s = rig.counters.snapshot();
        QCOMPARE(s.txPackets, uint64_t(packets));
        QCOMPARE(s.txBytes, bytes);
        QVERIFY(rig.noDropsBut());
    }

    // The kernel refuses UDP_SEGMENT (EIO, EINVAL, EMSGSIZE): the message goes datagram by
    // datagram, and so does every grouped one after it; other errors lose the message only.
    void gsoFallback_data()
    {
        QTest::addColumn<int>("err");
        QTest::addColumn<bool>("fallback");
        QTest::newRow("EIO") << EIO << true;
        QTest::newRow("EINVAL") << EINVAL << true;
        QTest::newRow("EMSGSIZE") << EMSGSIZE << true;
        QTest::newRow("ENETUNREACH") << ENETUNREACH << false;
    }
    void gsoFallback()
    {
        QFETCH(int, err);
        QFETCH(bool, fallback);
        Rig rig;
        rig.udp.refuseGso(err);
        for (const Bytes& p : packetsFor(QStringLiteral("a1400 a1400 a1400 b700"))) {
            rig.tun.queueRead(tunRead(p));
        }
        rig.loop->forwardFromTun();
        std::vector<FakeUdp::Sent> sent = rig.udp.takeSent();
        TunnelStats s = rig.counters.snapshot();
        QCOMPARE(rig.udp.segmentationOffload(), !fallback);
        QCOMPARE(rig.logged("UDP segmentation offload refused"), fallback);
        if (fallback) {
            QCOMPARE(describeSent(sent), QStringLiteral("a:1:0 a:1:0 a:1:0 b:1:0"));
            QVERIFY(sent[0].bySendto && sent[2].bySendto && !sent[3].bySendto);
            QCOMPARE(s.txPackets, uint64_t(4));
            QCOMPARE(s.txBytes, uint64_t(3 * 1400 + 700));
            QVERIFY(rig.noDropsBut());
        } else {
            QCOMPARE(describeSent(sent), QStringLiteral("b:1:0"));
            QCOMPARE(s.txPackets, uint64_t(1));
            QCOMPARE(s.peers[0].sendErrors, uint64_t(3));
            QCOMPARE(s.drops[size_t(DropReason::SendError)], uint64_t(3));
            QVERIFY(rig.noDropsBut(DropReason::SendError));
        }

        // The next batch: grouped still, but sent one by one once refused.
        for (const Bytes& p : packetsFor(QStringLiteral("b700 a1400 a1400"))) {
            rig.tun.queueRead(tunRead(p));
        }
        rig.loop->forwardFromTun();
        sent = rig.udp.takeSent();
        s = rig.counters.snapshot();
        if (fallback) {
            QCOMPARE(describeSent(sent), QStringLiteral("b:1:0 a:1:0 a:1:0"));
            QVERIFY(!sent[0].bySendto && sent[1].bySendto);
            QCOMPARE(s.txPackets, uint64_t(7));
            QCOMPARE(s.peers[0].txPackets, uint64_t(5));
            QCOMPARE(s.peers[0].txBytes, uint64_t(5 * 1400));
        } else {
            QCOMPARE(describeSent(sent), QStringLiteral("b:1:0"));
            QCOMPARE(s.drops[size_t(DropReason::SendError)], uint64_t(5));
        }
    }

    void sendErrorsCountPerPeer()
    {
        Rig rig;
        rig.udp.failSendsTo(kAlpha, ENETUNREACH);
        for (const Bytes& p : packetsFor(QStringLiteral("a500 a500 b500 a800"))) {
            rig.tun.queueRead(tunRead(p));
        }
        rig.loop->forwardFromTun();
        QCOMPARE(describeSent(rig.udp.takeSent()), QStringLiteral("b:1:0"));
        const TunnelStats s = rig.counters.snapshot();
        QCOMPARE(s.peers[0].sendErrors, uint64_t(3));
        QCOMPARE(s.peers[0].txPackets, uint64_t(0));
        QCOMPARE(s.peers[1].txPackets, uint64_t(1));
        QCOMPARE(s.peers[1].txBytes, uint64_t(500));
        QCOMPARE(s.drops[size_t(DropReason::SendError)], uint64_t(3));
        QVERIFY(rig.noDropsBut(DropReason::SendError));
        QVERIFY(rig.logged("sending to peer alpha (192.0.2.1:8285) failed"));

        // Datagram by datagram (once GSO is refused), each lost datagram is counted.
        rig.udp.refuseGso(EIO);
        for (const Bytes& p : packetsFor(QStringLiteral("b500 b500 a500 a500 a500"))) {
            rig.tun.queueRead(tunRead(p));
        }
        rig.loop->forwardFromTun();
        QCOMPARE(describeSent(rig.udp.takeSent()), QStringLiteral("b:1:0 b:1:0"));
        const TunnelStats after = rig.counters.snapshot();
        QCOMPARE(after.peers[0].sendErrors, uint64_t(6));
        QCOMPARE(after.peers[1].txPackets, uint64_t(3));
        QCOMPARE(after.drops[size_t(DropReason::SendError)], uint64_t(6));
    }

    // Reads go on while the arena has room for one more (about eight TSO reads), then all of
    // it is sent at once; if the device had more, the loop says so and the next call goes on.
    void fullBatches()
    {
        Rig rig;
        for (int i = 0; i < 20; ++i) {
            rig.tun.queueRead(tsoRead("10.244.2.2", "10.244.3.7", 65000, 1400));
        }
        QVERIFY(rig.loop->forwardFromTun());
        QCOMPARE(rig.tun.pendingReads(), size_t(12));
        QCOMPARE(rig.udp.sendmmsgCalls(), 1u);
        QVERIFY(rig.loop->forwardFromTun());
        QCOMPARE(rig.tun.pendingReads(), size_t(4));
        QVERIFY(!rig.loop->forwardFromTun());
        QCOMPARE(rig.tun.pendingReads(), size_t(0));
        QCOMPARE(rig.udp.sendmmsgCalls(), 3u);
        QCOMPARE(rig.counters.snapshot().txPackets, uint64_t(20 * 47));
        QVERIFY(rig.noDropsBut());

        // Small packets: many read batches, still one send.
        const unsigned reads = TunReadBatch::kMaxPackets + 500;
        for (unsigned i = 0; i < reads; ++i) {
            rig.tun.queueRead(tunRead(udpPacket("10.244.2.2", "10.244.3.7", 60)));
        }
        QVERIFY(!rig.loop->forwardFromTun());
        QCOMPARE(rig.udp.sendmmsgCalls(), 4u);
        QCOMPARE(rig.counters.snapshot().txPackets, uint64_t(20 * 47 + reads));
        size_t datagrams = 0;
        for (const FakeUdp::Sent& s : rig.udp.takeSent()) {
            datagrams += s.segmentSize ? (s.bytes.size() + s.segmentSize - 1) / s.segmentSize : 1;
        }
        QCOMPARE(datagrams, size_t(20 * 47 + reads));
        QVERIFY(rig.noDropsBut());
    }

    // --- UDP -> TUN --------------------------------------------------------------------

    void receiveChecks_data()
    {
        QTest::addColumn<QString>("from"); // alpha, beta, stranger
        QTest::addColumn<QString>("src");
        QTest::addColumn<int>("change"); // 0 none, 1 length field off by one, 2 truncated
        QTest::addColumn<int>("drop");   // a DropReason, or -1: written to TUN
        QTest::newRow("alpha") << "alpha"
                               << "10.244.3.7" << 0 << -1;
        QTest::newRow("beta v6") << "beta"
                                 << "fd00:4::9" << 0 << -1;
        QTest::newRow("unknown endpoint")
            << "stranger"
            << "10.244.3.7" << 0 << int(DropReason::UnknownSourceEndpoint);
        QTest::newRow("source of another peer")
            << "alpha"
            << "10.244.4.7" << 0 << int(DropReason::SourceOutsidePeerSubnets);
        QTest::newRow("source of no peer")
            << "beta"
            << "10.1.1.1" << 0 << int(DropReason::SourceOutsidePeerSubnets);
        QTest::newRow("length mismatch") << "alpha"
                                         << "10.244.3.7" << 1 << int(DropReason::Malformed);
        QTest::newRow("truncated") << "alpha"
                                   << "10.244.3.7" << 2 << int(DropReason::TooBig);
    }
    void receiveChecks()
    {
        QFETCH(QString, from);
        QFETCH(QString, src);
        QFETCH(int, change);
        QFETCH(int, drop);
        Rig rig;
        const char* dst = ip(qPrintable(src)).family == AF_INET6 ? "fd00:2::2" : "10.244.2.2";
        Bytes packet = udpPacket(qPrintable(src), dst, 500);
        if (change == 1) {
            packet.push_back(0);
        }
        const UdpEndpoint sender = from == u"alpha" ? kAlpha : from == u"beta" ? kBeta : kStranger;
        rig.udp.queueArrival({sender, packet, 0, change == 2});
        QVERIFY(!rig.loop->forwardFromUdp(false));

        const std::vector<FakeTun::Written> writes = rig.tun.takeWrites();
        const TunnelStats s = rig.counters.snapshot();
        if (drop >= 0) {
            QCOMPARE(writes.size(), size_t(0));
            QCOMPARE(s.drops[size_t(drop)], uint64_t(1));
            QVERIFY(rig.noDropsBut(DropReason(drop)));
            QCOMPARE(s.rxPackets, uint64_t(0));
            QCOMPARE(s.peers[0].rxPackets + s.peers[1].rxPackets, uint64_t(0));
            return;
        }
        QCOMPARE(writes.size(), size_t(1));
        QVERIFY(writes[0].packet == packet);
        VirtioNetHeader h;
        std::memcpy(&h, writes[0].header.data(), kVnetHeaderSize);
        QCOMPARE(h.gsoType, kVnetGsoNone);
        const size_t peer = sender == kAlpha ? 0 : 1;
        QCOMPARE(s.rxPackets, uint64_t(1));
        QCOMPARE(s.rxBytes, uint64_t(500));
        QCOMPARE(s.peers[peer].rxPackets, uint64_t(1));
        QCOMPARE(s.peers[peer].rxBytes, uint64_t(500));
        QVERIFY(s.peers[peer].lastRxUnixMs > 0);
        QVERIFY(rig.noDropsBut());
    }

    // A GRO train is split at its size; each datagram is checked on its own.
    void groTrainSplit_data()
    {
        QTest::addColumn<int>("count");
        QTest::addColumn<int>("size");
        QTest::addColumn<int>("last");
        QTest::addColumn<int>("bad"); // index of a datagram with a foreign source, or -1
        QTest::newRow("6 of 1400, last 600") << 6 << 1400 << 600 << -1;
        QTest::newRow("64 of 1000") << 64 << 1000 << 1000 << -1;
        QTest::newRow("one bad in the middle") << 5 << 1200 << 1200 << 2;
    }
    void groTrainSplit()
    {
        QFETCH(int, count);
        QFETCH(int, size);
        QFETCH(int, last);
        QFETCH(int, bad);
        Rig rig;
        Bytes train;
        std::vector<Bytes> packets;
        for (int i = 0; i < count; ++i) {
            const char* src = i == bad ? "10.244.4.1" : "10.244.3.7";
            packets.push_back(udpPacket(src, "10.244.2.2", size_t(i + 1 == count ? last : size)));
            train.insert(train.end(), packets.back().begin(), packets.back().end());
        }
        rig.udp.queueArrival({kAlpha, train, uint32_t(size), false});
        rig.loop->forwardFromUdp(false);

        const std::vector<FakeTun::Written> writes = rig.tun.takeWrites();
        const size_t good = size_t(count - (bad >= 0 ? 1 : 0));
        QCOMPARE(writes.size(), good);
        uint64_t bytes = 0;
        for (size_t w = 0, i = 0; w < writes.size(); ++w, ++i) {
            if (int(i) == bad) {
                ++i;
            }
            QVERIFY(writes[w].packet == packets[i]);
            bytes += packets[i].size();
        }
        const TunnelStats s = rig.counters.snapshot();
        QCOMPARE(s.rxPackets, uint64_t(good));
        QCOMPARE(s.rxBytes, bytes);
        QCOMPARE(s.peers[0].rxPackets, uint64_t(good));
        QCOMPARE(s.drops[size_t(DropReason::SourceOutsidePeerSubnets)], uint64_t(bad >= 0 ? 1 : 0));
        QVERIFY(rig.noDropsBut(DropReason::SourceOutsidePeerSubnets));
    }

    // Consecutive segments of one TCP flow become one GSO write to TUN; another flow, a gap
    // or a packet of another kind closes the group.
    void tcpSegmentsJoined_data()
    {
        QTest::addColumn<QString>("segments"); // flow letter + payload; "u" a UDP packet
        QTest::addColumn<QString>("writes");   // packets per write, "g" for a GSO one
        QTest::newRow("one flow") << "x1400 x1400 x1400 x1400"
                                  << "g4";
        QTest::newRow("short last") << "x1400 x1400 x700"
                                    << "g3";
        QTest::newRow("one segment") << "x1400"
                                     << "1";
        QTest::newRow("two flows") << "x1400 x1400 y1400 y1400"
                                   << "g2 g2";
        QTest::newRow("udp between") << "x1400 x1400 u x1400"
                                     << "g2 1 1";
    }
    void tcpSegmentsJoined()
    {
        QFETCH(QString, segments);
        QFETCH(QString, writes);
        Rig rig;
        uint32_t seq[2] = {1000, 5000};
        uint16_t id[2] = {7, 300}; // IPv4 IDs count up within a flow, as GRO wants
        uint64_t bytes = 0;
        unsigned count = 0;
        for (const QString& item : segments.split(QLatin1Char(' '))) {
            Bytes p;
            if (item == u"u") {
                p = udpPacket("10.244.3.7", "10.244.2.2", 300);
            } else {
                const int flow = item.startsWith(QLatin1Char('x')) ? 0 : 1;
                const size_t payload = item.mid(1).toUInt();
                p = tcpPacket("10.244.3.7", "10.244.2.2", seq[flow], payload, false,
                              uint16_t(40000 + flow), id[flow]++);
                seq[flow] += uint32_t(payload);
            }
            bytes += p.size();
            ++count;
            rig.udp.queueArrival({kAlpha, p, 0, false});
        }
        rig.loop->forwardFromUdp(false);

        QStringList seen;
        for (const FakeTun::Written& w : rig.tun.takeWrites()) {
            VirtioNetHeader h;
            std::memcpy(&h, w.header.data(), kVnetHeaderSize);
            if (h.gsoType == kVnetGsoNone) {
                seen << QStringLiteral("1");
                continue;
            }
            QCOMPARE(h.gsoType, kVnetGsoTcpV4);
            QCOMPARE(h.gsoSize, uint16_t(1400));
            QCOMPARE(h.flags, kVnetNeedsCsum);
            QCOMPARE(size_t(get16(w.packet.data() + 2)), w.packet.size()); // the joined length
            seen << QStringLiteral("g%1").arg((w.packet.size() - 52 + 1399) / 1400);
        }
        QCOMPARE(seen.join(QLatin1Char(' ')), writes);
        const TunnelStats s = rig.counters.snapshot();
        QCOMPARE(s.rxPackets, uint64_t(count)); // packets, not writes
        QCOMPARE(s.peers[0].rxPackets, uint64_t(count));
        QCOMPARE(s.peers[0].rxBytes, bytes);
        QVERIFY(rig.noDropsBut());
    }

    // The tunnel's own datagram routed back into it (to a peer's endpoint) and a TCP segment
    // with a wrong checksum are counted drops.
    void loopAndChecksumDrops()
    {
        Rig rig;
        Bytes looped = udpPacket("10.244.2.2", "192.0.2.1", 200);
        put16(&looped[22], kAlpha.port); // UDP destination port
        rig.tun.queueRead(tunRead(looped));
        rig.loop->forwardFromTun();
        QCOMPARE(rig.udp.takeSent().size(), size_t(0));
        QCOMPARE(rig.counters.snapshot().drops[size_t(DropReason::RoutingLoop)], uint64_t(1));

        Bytes bad = tcpPacket("10.244.3.7", "10.244.2.2", 1000, 1400);
        bad.back() ^= 0xff;
        rig.udp.queueArrival({kAlpha, bad, 0, false});
        rig.loop->forwardFromUdp(false);
        QCOMPARE(rig.tun.takeWrites().size(), size_t(0));
        const TunnelStats s = rig.counters.snapshot();
        QCOMPARE(s.drops[size_t(DropReason::BadChecksum)], uint64_t(1));
        QCOMPARE(s.rxPackets, uint64_t(0));
        QCOMPARE(s.peers[0].rxPackets, uint64_t(0));
    }

    void tunWriteFailureIsCounted()
    {
        Rig rig;
        rig.tun.failWrites(EIO);
        rig.udp.queueArrival({kAlpha, udpPacket("10.244.3.7", "10.244.2.2", 400), 0, false});
        rig.udp.queueArrival({kAlpha, udpPacket("10.244.3.7", "10.244.2.2", 400), 0, false});
        rig.loop->forwardFromUdp(false);
        QCOMPARE(rig.tun.takeWrites().size(), size_t(1)); // the second write succeeds
        const TunnelStats s = rig.counters.snapshot();
        QCOMPARE(s.drops[size_t(DropReason::SendError)], uint64_t(1));
        QCOMPARE(s.rxPackets, uint64_t(1));
        QVERIFY(rig.logged("writing to the TUN device failed"));
    }

    void socketErrorsMarkPeersUnreachable()
    {
        Rig rig;
        rig.udp.queueError(kBeta, ECONNREFUSED);
        rig.udp.queueError(kBeta, EHOSTUNREACH);
        rig.udp.queueError(kStranger, ECONNREFUSED); // not a peer: ignored
        rig.udp.queueError(kAlpha, 0);               // no errno: ignored
        QVERIFY(!rig.loop->forwardFromUdp(true));
        const TunnelStats s = rig.counters.snapshot();
        QCOMPARE(s.peers[0].unreachable, uint64_t(0));
        QCOMPARE(s.peers[1].unreachable, uint64_t(2));
        QVERIFY(rig.logged("peer beta (192.0.2.2:8285) is unreachable"));
        QVERIFY(rig.noDropsBut());
    }

    void fullReceiveBatch()
    {
        Rig rig;
        for (unsigned i = 0; i < UdpRecvBatch::kSlots + 3; ++i) {
            rig.udp.queueArrival({kAlpha, udpPacket("10.244.3.7", "10.244.2.2", 200), 0, false});
        }
        QVERIFY(rig.loop->forwardFromUdp(false));
        QVERIFY(!rig.loop->forwardFromUdp(false));
        QCOMPARE(rig.counters.snapshot().rxPackets, uint64_t(UdpRecvBatch::kSlots + 3));
    }

    // --- changes of the peer set --------------------------------------------------------

    void addedPeerIsRouted()
    {
        Rig rig;
        rig.tun.queueRead(tunRead(udpPacket("10.244.2.2", "10.244.5.7", 300)));
        QVERIFY(!rig.loop->forwardFromTun());
        QCOMPARE(rig.udp.takeSent().size(), size_t(0)); // nobody has 10.244.5.0/24 yet
        QCOMPARE(rig.counters.snapshot().drops[size_t(DropReason::NoPeerForDestination)],
                 uint64_t(1));

        rig.setPeers({{*IpPrefix::parse("10.244.3.0/24")},
                      {*IpPrefix::parse("10.244.4.0/24"), *IpPrefix::parse("fd00:4::/64")},
                      {*IpPrefix::parse("10.244.5.0/24")}},
                     {kAlpha, kBeta, kGamma}, {"alpha", "beta", "gamma"}, {0, 1, 2});
        rig.tun.queueRead(tunRead(udpPacket("10.244.2.2", "10.244.5.7", 300)));
        rig.tun.queueRead(tunRead(udpPacket("10.244.2.2", "10.244.3.7", 300)));
        rig.loop->forwardFromTun();
        const auto sent = rig.udp.takeSent();
        QCOMPARE(sent.size(), size_t(2));
        QCOMPARE(sent[0].to, kGamma);
        QCOMPARE(sent[1].to, kAlpha);
        // The new peer's datagrams are its own from now on.
        rig.udp.queueArrival({kGamma, udpPacket("10.244.5.7", "10.244.2.2", 200), 0, false});
        rig.loop->forwardFromUdp(false);
        QCOMPARE(rig.tun.takeWrites().size(), size_t(1));
        const TunnelStats s = rig.counters.snapshot({0, 1, 2});
        QCOMPARE(s.peers[2].txPackets, uint64_t(1));
        QCOMPARE(s.peers[2].rxPackets, uint64_t(1));
        QCOMPARE(s.peers[0].txPackets, uint64_t(1));
        QCOMPARE(s.drops[size_t(DropReason::NoPeerForDestination)], uint64_t(1));
    }

    void removedPeerIsDroppedOthersKeepCounting()
    {
        Rig rig;
        rig.tun.queueRead(tunRead(udpPacket("10.244.2.2", "10.244.3.7", 300)));
        rig.tun.queueRead(tunRead(udpPacket("10.244.2.2", "10.244.4.7", 300)));
        rig.loop->forwardFromTun();
        QCOMPARE(rig.udp.takeSent().size(), size_t(2));

        // beta goes: slot 1 is free (no name, no subnets, no endpoint).
        rig.setPeers({{*IpPrefix::parse("10.244.3.0/24")}, {}}, {kAlpha, UdpEndpoint{}},
                     {"alpha", ""}, {0});
        rig.tun.queueRead(tunRead(udpPacket("10.244.2.2", "10.244.4.7", 300)));
        rig.tun.queueRead(tunRead(udpPacket("fd00:2::2", "fd00:4::9", 300)));
        rig.tun.queueRead(tunRead(udpPacket("10.244.2.2", "10.244.3.7", 300)));
        rig.loop->forwardFromTun();
        const auto sent = rig.udp.takeSent();
        QCOMPARE(sent.size(), size_t(1));
        QCOMPARE(sent[0].to, kAlpha);
        rig.udp.queueArrival({kBeta, udpPacket("10.244.4.4", "10.244.2.2", 200), 0, false});
        rig.udp.queueArrival({kAlpha, udpPacket("10.244.3.7", "10.244.2.2", 200), 0, false});
        rig.loop->forwardFromUdp(false);
        QCOMPARE(rig.tun.takeWrites().size(), size_t(1));

        const TunnelStats s = rig.counters.snapshot({0});
        QCOMPARE(s.peers.size(), size_t(1));
        QCOMPARE(s.peers[0].txPackets, uint64_t(2)); // alpha's counters survived the change
        QCOMPARE(s.peers[0].rxPackets, uint64_t(1));
        QCOMPARE(s.drops[size_t(DropReason::NoPeerForDestination)], uint64_t(2));
        QCOMPARE(s.drops[size_t(DropReason::UnknownSourceEndpoint)], uint64_t(1));
        QVERIFY(rig.logged("192.0.2.2:8285, which is not a configured peer"));
    }

    void changedSubnetsAndEndpoint()
    {
        Rig rig;
        // beta keeps its slot and counters, moves to another address and subnet.
        const UdpEndpoint moved = endpoint("192.0.2.20", 9000);
        rig.setPeers({{*IpPrefix::parse("10.244.3.0/24")}, {*IpPrefix::parse("10.244.9.0/24")}},
                     {kAlpha, moved}, {"alpha", "beta"}, {0, 1});
        rig.tun.queueRead(tunRead(udpPacket("10.244.2.2", "10.244.9.1", 300)));
        rig.tun.queueRead(tunRead(udpPacket("10.244.2.2", "10.244.4.7", 300)));
        rig.loop->forwardFromTun();
        const auto sent = rig.udp.takeSent();
        QCOMPARE(sent.size(), size_t(1));
        QCOMPARE(sent[0].to, moved);
        rig.udp.queueArrival({moved, udpPacket("10.244.9.1", "10.244.2.2", 200), 0, false});
        rig.udp.queueArrival({kBeta, udpPacket("10.244.9.1", "10.244.2.2", 200), 0, false});
        rig.loop->forwardFromUdp(false);
        QCOMPARE(rig.tun.takeWrites().size(), size_t(1));
        const TunnelStats s = rig.counters.snapshot({0, 1});
        QCOMPARE(s.peers[1].txPackets, uint64_t(1));
        QCOMPARE(s.peers[1].rxPackets, uint64_t(1));
        QCOMPARE(s.drops[size_t(DropReason::NoPeerForDestination)], uint64_t(1));
        QCOMPARE(s.drops[size_t(DropReason::UnknownSourceEndpoint)], uint64_t(1));
    }

    // --- sticky sources (a socket on a wildcard address) --------------------------------

    // Sends to alpha go out from the local address alpha's accepted datagrams last came to;
    // before any came, and for other peers, from the route's (none named).
    void sourceFollowsAcceptedArrivals()
    {
        Rig rig;
        const Bytes toAlpha = udpPacket("10.244.2.2", "10.244.3.7", 300);
        rig.tun.queueRead(tunRead(toAlpha));
        rig.loop->forwardFromTun();
        std::vector<FakeUdp::Sent> sent = rig.udp.takeSent();
        QCOMPARE(sent.size(), size_t(1));
        QVERIFY(sent[0].from.isUnspecified());

        rig.udp.queueArrivalAt({kAlpha, udpPacket("10.244.3.7", "10.244.2.2", 200), 0, false},
                               ip("10.0.0.2"));
        rig.loop->forwardFromUdp(false);
        QCOMPARE(rig.tun.takeWrites().size(), size_t(1));
        rig.tun.queueRead(tunRead(toAlpha));
        rig.tun.queueRead(tunRead(udpPacket("10.244.2.2", "10.244.4.7", 300)));
        rig.tun.queueRead(tsoRead("10.244.2.2", "10.244.3.7", 4000, 1000));
        rig.loop->forwardFromTun();
        sent = rig.udp.takeSent();
        QCOMPARE(describeSent(sent), QStringLiteral("a:1:0 b:1:0 a:4:1052"));
        QCOMPARE(sent[0].from, ip("10.0.0.2"));
        QVERIFY(sent[1].from.isUnspecified());  // beta sent nothing yet
        QCOMPARE(sent[2].from, ip("10.0.0.2")); // a UDP_SEGMENT message carries it too
        UdpSource learned;
        QVERIFY(rig.loop->learnedSource(0, kAlpha, &learned));
        QCOMPARE(FakeUdp::addressOf(learned), ip("10.0.0.2"));
        QVERIFY(!rig.loop->learnedSource(0, kBeta, &learned)); // for alpha's endpoint only
        QVERIFY(!rig.loop->learnedSource(1, kBeta, &learned));

        // Refused datagrams teach nothing: an inner source outside alpha's subnets, and a
        // stranger's datagram.
        rig.udp.queueArrivalAt({kAlpha, udpPacket("10.244.9.9", "10.244.2.2", 200), 0, false},
                               ip("10.0.0.9"));
        rig.udp.queueArrivalAt(
            {endpoint("192.0.2.99", 8285), udpPacket("10.244.3.7", "10.244.2.2", 200), 0, false},
            ip("10.0.0.9"));
        rig.loop->forwardFromUdp(false);
        QCOMPARE(rig.tun.takeWrites().size(), size_t(0));
        rig.tun.queueRead(tunRead(toAlpha));
        rig.loop->forwardFromTun();
        sent = rig.udp.takeSent();
        QCOMPARE(sent.size(), size_t(1));
        QCOMPARE(sent[0].from, ip("10.0.0.2"));

        // The peer writes to another address of ours: the answers follow.
        rig.udp.queueArrivalAt({kAlpha, udpPacket("10.244.3.7", "10.244.2.2", 200), 0, false},
                               ip("10.0.0.3"));
        rig.loop->forwardFromUdp(false);
        rig.tun.queueRead(tunRead(toAlpha));
        rig.loop->forwardFromTun();
        sent = rig.udp.takeSent();
        QCOMPARE(sent.size(), size_t(1));
        QCOMPARE(sent[0].from, ip("10.0.0.3"));
        const TunnelStats s = rig.counters.snapshot();
        QCOMPARE(s.drops[size_t(DropReason::SourceOutsidePeerSubnets)], uint64_t(1));
        QCOMPARE(s.drops[size_t(DropReason::UnknownSourceEndpoint)], uint64_t(1));
    }

    // A send whose source is gone from the host goes again from the route's address, nothing
    // lost or counted as dropped, and the source is forgotten until the peer's next datagram.
    void goneSourceIsRetriedWithoutIt_data()
    {
        QTest::addColumn<int>("error");
        QTest::addColumn<bool>("gso");
        QTest::newRow("EINVAL, UDP_SEGMENT") << EINVAL << true;
        QTest::newRow("EADDRNOTAVAIL, UDP_SEGMENT") << EADDRNOTAVAIL << true;
        QTest::newRow("ENETUNREACH, datagram by datagram") << ENETUNREACH << false;
        QTest::newRow("EINVAL, datagram by datagram") << EINVAL << false;
    }
    void goneSourceIsRetriedWithoutIt()
    {
        QFETCH(int, error);
        QFETCH(bool, gso);
        Rig rig;
        if (!gso) {
            rig.udp.refuseGso(EIO);
        }
        rig.udp.queueArrivalAt({kAlpha, udpPacket("10.244.3.7", "10.244.2.2", 200), 0, false},
                               ip("10.0.0.2"));
        rig.loop->forwardFromUdp(false);
        rig.udp.failSendsFrom(ip("10.0.0.2"), error);
        for (const Bytes& p : packetsFor(QStringLiteral("a500 a500 a500"))) {
            rig.tun.queueRead(tunRead(p));
        }
        rig.loop->forwardFromTun();
        std::vector<FakeUdp::Sent> sent = rig.udp.takeSent();
        QCOMPARE(sent.size(), size_t(gso ? 1 : 3));
        for (const FakeUdp::Sent& s : sent) {
            QVERIFY(s.from.isUnspecified());
        }
        TunnelStats s = rig.counters.snapshot();
        QCOMPARE(s.peers[0].txPackets, uint64_t(3));
        QCOMPARE(s.peers[0].txBytes, uint64_t(1500));
        QCOMPARE(s.peers[0].sendErrors, uint64_t(0));
        QVERIFY(rig.noDropsBut());

        // Forgotten: the next sends name no source, even with the address back.
        rig.udp.failSendsFrom(ip("10.0.0.2"), 0);
        rig.tun.queueRead(tunRead(udpPacket("10.244.2.2", "10.244.3.7", 300)));
        rig.loop->forwardFromTun();
        sent = rig.udp.takeSent();
        QCOMPARE(sent.size(), size_t(1));
        QVERIFY(sent[0].from.isUnspecified());

        // Until alpha's datagrams come to another address.
        rig.udp.queueArrivalAt({kAlpha, udpPacket("10.244.3.7", "10.244.2.2", 200), 0, false},
                               ip("10.0.0.4"));
        rig.loop->forwardFromUdp(false);
        rig.tun.queueRead(tunRead(udpPacket("10.244.2.2", "10.244.3.7", 300)));
        rig.loop->forwardFromTun();
        sent = rig.udp.takeSent();
        QCOMPARE(sent.size(), size_t(1));
        QCOMPARE(sent[0].from, ip("10.0.0.4"));
        s = rig.counters.snapshot();
        QCOMPARE(s.peers[0].txPackets, uint64_t(5));
        QVERIFY(rig.noDropsBut());
    }

    // EINVAL may also be the kernel refusing GSO: when the send fails the same way without
    // the source, the source stays, and the datagrams go one by one from it.
    void refusedGsoKeepsTheSource()
    {
        Rig rig;
        rig.udp.queueArrivalAt({kAlpha, udpPacket("10.244.3.7", "10.244.2.2", 200), 0, false},
                               ip("10.0.0.2"));
        rig.loop->forwardFromUdp(false);
        rig.udp.refuseGso(EINVAL);
        for (const Bytes& p : packetsFor(QStringLiteral("a500 a500"))) {
            rig.tun.queueRead(tunRead(p));
        }
        rig.loop->forwardFromTun();
        std::vector<FakeUdp::Sent> sent = rig.udp.takeSent();
        QCOMPARE(sent.size(), size_t(2));
        for (const FakeUdp::Sent& s : sent) {
            QVERIFY(s.bySendto);
            QCOMPARE(s.from, ip("10.0.0.2"));
        }
        rig.tun.queueRead(tunRead(udpPacket("10.244.2.2", "10.244.3.7", 300)));
        rig.loop->forwardFromTun();
        sent = rig.udp.takeSent();
        QCOMPARE(sent.size(), size_t(1));
        QCOMPARE(sent[0].from, ip("10.0.0.2"));
        QCOMPARE(rig.counters.snapshot().peers[0].txPackets, uint64_t(3));
        QVERIFY(rig.noDropsBut());
    }

    // A new peer table and a change of the underlay (forgetSources()) clear what was learned;
    // the peer's next datagram teaches it again.
    void newTableAndUnderlayChangeForget()
    {
        Rig rig;
        const auto learnAt = [&](const char* local) {
            rig.udp.queueArrivalAt({kAlpha, udpPacket("10.244.3.7", "10.244.2.2", 200), 0, false},
                                   ip(local));
            rig.loop->forwardFromUdp(false);
            QCOMPARE(rig.tun.takeWrites().size(), size_t(1));
        };
        const auto sentFrom = [&] {
            rig.tun.queueRead(tunRead(udpPacket("10.244.2.2", "10.244.3.7", 300)));
            rig.loop->forwardFromTun();
            const std::vector<FakeUdp::Sent> sent = rig.udp.takeSent();
            return sent.size() == 1 ? sent[0].from : ip("255.255.255.255");
        };
        learnAt("10.0.0.2");
        QCOMPARE(sentFrom(), ip("10.0.0.2"));

        // The same peers in a new table.
        rig.setPeers({{*IpPrefix::parse("10.244.3.0/24")},
                      {*IpPrefix::parse("10.244.4.0/24"), *IpPrefix::parse("fd00:4::/64")}},
                     {kAlpha, kBeta}, {"alpha", "beta"}, {0, 1});
        QVERIFY(sentFrom().isUnspecified());
        learnAt("10.0.0.2"); // the same address again, under the new table
        QCOMPARE(sentFrom(), ip("10.0.0.2"));

        rig.loop->forgetSources();
        QVERIFY(sentFrom().isUnspecified());
        UdpSource learned;
        QVERIFY(!rig.loop->learnedSource(0, kAlpha, &learned));
        learnAt("10.0.0.2");
        QCOMPARE(sentFrom(), ip("10.0.0.2"));
        QVERIFY(rig.loop->learnedSource(0, kAlpha, &learned));

        // alpha moves to another endpoint: what came from the old one does not count.
        const UdpEndpoint moved = endpoint("192.0.2.30", 8285);
        rig.setPeers({{*IpPrefix::parse("10.244.3.0/24")},
                      {*IpPrefix::parse("10.244.4.0/24"), *IpPrefix::parse("fd00:4::/64")}},
                     {moved, kBeta}, {"alpha", "beta"}, {0, 1});
        QVERIFY(sentFrom().isUnspecified());
        QVERIFY(!rig.loop->learnedSource(0, moved, &learned));
        QVERIFY(rig.noDropsBut());
    }

    // --- the threads -------------------------------------------------------------------

    void threadsForwardAndStop_data()
    {
        QTest::addColumn<unsigned>("threads");
        QTest::newRow("a thread per direction") << 2u;
        QTest::newRow("one thread for both") << 1u;
    }
    void threadsForwardAndStop()
    {
        QFETCH(unsigned, threads);
        Rig rig(threads);
        rig.loop->start();
        rig.tun.queueRead(tunRead(udpPacket("10.244.2.2", "10.244.3.7", 300)));
        rig.udp.queueArrival({kBeta, udpPacket("10.244.4.4", "10.244.2.2", 300), 0, false});
        rig.udp.queueError(kAlpha, ECONNREFUSED); // wakes the receiving thread with POLLERR
        QTRY_COMPARE_WITH_TIMEOUT(rig.counters.snapshot().txPackets, uint64_t(1), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(rig.counters.snapshot().rxPackets, uint64_t(1), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(rig.counters.snapshot().peers[0].unreachable, uint64_t(1), 5000);
        QCOMPARE(rig.udp.takeSent().size(), size_t(1));
        QCOMPARE(rig.tun.takeWrites().size(), size_t(1));
        QElapsedTimer t;
        t.start();
        rig.loop->stop();
        QVERIFY(t.elapsed() < 1000);
        rig.loop->stop(); // idempotent
    }

    void defaultThreads_data()
    {
        QTest::addColumn<unsigned>("cores");
        QTest::addColumn<bool>("encrypts");
        QTest::addColumn<unsigned>("threads");
        QTest::newRow("encrypting, 1 core") << 1u << true << 1u;
        QTest::newRow("encrypting, 2 cores") << 2u << true << 1u;
        QTest::newRow("encrypting, 3 cores") << 3u << true << 2u;
        QTest::newRow("encrypting, 64 cores") << 64u << true << 2u;
        QTest::newRow("encrypting, unknown (0)") << 0u << true << 1u;
        QTest::newRow("plain, 1 core") << 1u << false << 2u;
        QTest::newRow("plain, 2 cores") << 2u << false << 2u;
        QTest::newRow("plain, 64 cores") << 64u << false << 2u;
    }
    void defaultThreads()
    {
        QFETCH(unsigned, cores);
        QFETCH(bool, encrypts);
        QFETCH(unsigned, threads);
        QCOMPARE(ForwardingLoop::defaultThreads(cores, encrypts), threads);
    }

    // Both threads forward while the peer set changes under them: the peer that stays gets
    // every packet (none lost, none misrouted), the other comes and goes. Under TSan
    // (scripts/sanitize.sh) this is also the check that tables are freed only after use.
    void threadsForwardWhilePeersChange_data() { threadsForwardAndStop_data(); }
    void threadsForwardWhilePeersChange()
    {
        QFETCH(unsigned, threads);
        Rig rig(threads);
        rig.loop->start();
        const std::vector<std::vector<IpPrefix>> withBeta = {{*IpPrefix::parse("10.244.3.0/24")},
                                                             {*IpPrefix::parse("10.244.4.0/24")}};
        const std::vector<std::vector<IpPrefix>> withoutBeta = {{*IpPrefix::parse("10.244.3.0/24")},
                                                                {}};
        constexpr int kRounds = 200;
        for (int round = 0; round < kRounds; ++round) {
            rig.tun.queueRead(tunRead(udpPacket("10.244.2.2", "10.244.3.7", 300)));
            rig.udp.queueArrival({kAlpha, udpPacket("10.244.3.7", "10.244.2.2", 200), 0, false});
            if (round % 2 == 0) {
                rig.setPeers(withoutBeta, {kAlpha, UdpEndpoint{}}, {"alpha", ""}, {0});
            } else {
                rig.setPeers(withBeta, {kAlpha, kBeta}, {"alpha", "beta"}, {0, 1});
            }
        }
        QTRY_COMPARE_WITH_TIMEOUT(rig.counters.snapshot({0}).peers[0].txPackets, uint64_t(kRounds),
                                  10000);
        QTRY_COMPARE_WITH_TIMEOUT(rig.counters.snapshot({0}).peers[0].rxPackets, uint64_t(kRounds),
                                  10000);
        rig.loop->stop();
        for (const FakeUdp::Sent& sent : rig.udp.takeSent()) {
            QCOMPARE(sent.to, kAlpha);
        }
        QVERIFY(rig.noDropsBut());
    }
};

QTEST_GUILESS_MAIN(TestForwardingLoop)
#include "tst_forwardingloop.moc"
