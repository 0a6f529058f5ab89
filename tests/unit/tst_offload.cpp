// Offload: checksums, cutting TSO segments from TUN into wire packets, and joining received
// segments back into one GSO write.
#include "Offload.h"
#include "Packet.h"

#include <QTest>
#include <algorithm>
#include <netinet/in.h>
#include <random>
#include <utility>
#include <vector>

using namespace peertun::engine;

Q_DECLARE_METATYPE(ChecksumCode)

namespace {

// Straightforward RFC 1071 sum, the reference for the fast one.
uint16_t referenceChecksum(const std::vector<uint8_t>& data, size_t from, size_t len,
                           uint32_t start = 0)
{
    uint64_t sum = start;
    for (size_t i = 0; i + 1 < len; i += 2) {
        sum += (uint32_t(data[from + i]) << 8) | data[from + i + 1];
    }
    if (len % 2) {
        sum += uint32_t(data[from + len - 1]) << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return uint16_t(~sum);
}

uint16_t get16(const uint8_t* p)
{
    return uint16_t((p[0] << 8) | p[1]);
}

uint32_t get32(const uint8_t* p)
{
    return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

void put16(uint8_t* p, uint16_t v)
{
    p[0] = uint8_t(v >> 8);
    p[1] = uint8_t(v);
}

void put32(uint8_t* p, uint32_t v)
{
    put16(p, uint16_t(v >> 16));
    put16(p + 2, uint16_t(v));
}

// Reference pseudo header + segment sum (RFC 793 / RFC 8200), byte by byte.
uint16_t referenceTcpChecksum(const uint8_t* ip, size_t len)
{
    const bool v6 = (ip[0] >> 4) == 6;
    const size_t ipLen = v6 ? 40 : size_t(ip[0] & 0xf) * 4;
    std::vector<uint8_t> buf;
    if (v6) {
        buf.insert(buf.end(), ip + 8, ip + 40);
    } else {
        buf.insert(buf.end(), ip + 12, ip + 20);
    }
    const uint32_t l4 = uint32_t(len - ipLen);
    buf.push_back(0), buf.push_back(0), buf.push_back(uint8_t(l4 >> 8)), buf.push_back(uint8_t(l4));
    buf.push_back(0), buf.push_back(0), buf.push_back(0), buf.push_back(IPPROTO_TCP);
    buf.insert(buf.end(), ip + ipLen, ip + len);
    return referenceChecksum(buf, 0, buf.size());
}

// Sets the IPv4 header checksum and the TCP checksum, as a sender would.
void fixChecksums(std::vector<uint8_t>& p)
{
    const bool v6 = (p[0] >> 4) == 6;
    const size_t ipLen = v6 ? 40 : 20;
    if (!v6) {
        put16(&p[10], 0);
        put16(&p[10], referenceChecksum(p, 0, 20));
    }
    put16(&p[ipLen + 16], 0);
    put16(&p[ipLen + 16], referenceTcpChecksum(p.data(), p.size()));
}

// A TCP packet with `payload` bytes, IPv4 or IPv6, 12 bytes of TCP options (timestamps), with
// right checksums.
std::vector<uint8_t> tcpPacket(bool v6, size_t payload, uint32_t seq, uint8_t flags = 0x10,
                               uint16_t srcPort = 40000)
{
    const size_t ipLen = v6 ? 40 : 20;
    const size_t tcpLen = 32;
    std::vector<uint8_t> p(ipLen + tcpLen + payload);
    if (v6) {
        p[0] = 0x60;
        put16(&p[4], uint16_t(tcpLen + payload));
        p[6] = IPPROTO_TCP;
        p[7] = 64;
        p[8] = 0xfd, p[23] = 2, p[24] = 0xfd, p[39] = 3;
    } else {
        p[0] = 0x45;
        put16(&p[2], uint16_t(p.size()));
        put16(&p[4], 0x1234);
        p[6] = 0x40; // DF
        p[8] = 64;
        p[9] = IPPROTO_TCP;
        p[12] = 10, p[13] = 244, p[14] = 2, p[15] = 2;
        p[16] = 10, p[17] = 244, p[18] = 3, p[19] = 3;
    }
    uint8_t* t = &p[ipLen];
    put16(t, srcPort);
    put16(t + 2, 5201);
    put32(t + 4, seq);
    put32(t + 8, 777);
    t[12] = uint8_t((tcpLen / 4) << 4);
    t[13] = flags;
    put16(t + 14, 502);
    t[20] = 1, t[21] = 1, t[22] = 8, t[23] = 10; // NOP NOP TS
    put32(t + 24, 1000);
    put32(t + 28, 2000);
    for (size_t i = 0; i < payload; ++i) {
        p[ipLen + tcpLen + i] = uint8_t(i * 7 + seq);
    }
    fixChecksums(p);
    return p;
}

// The same packet with IPv4 ID 0x1234 + n (the n-th segment of a run), checksums fixed.
std::vector<uint8_t> nth(std::vector<uint8_t> p, int n)
{
    if ((p[0] >> 4) == 4) {
        put16(&p[4], uint16_t(0x1234 + n));
        fixChecksums(p);
    }
    return p;
}

// Pseudo-header sum plus the segment, as a receiver verifies it: 0 means valid.
bool tcpChecksumValid(const uint8_t* ip, size_t len)
{
    return referenceTcpChecksum(ip, len) == 0;
}

bool ipv4HeaderValid(const uint8_t* ip)
{
    std::vector<uint8_t> h(ip, ip + 20);
    return referenceChecksum(h, 0, 20) == 0;
}

} // namespace

class TestOffload final : public QObject
{
    Q_OBJECT

private slots:
    void checksumMatchesReference_data()
    {
        QTest::addColumn<ChecksumCode>("code");
        QTest::addColumn<int>("length");
        QTest::addColumn<int>("offset");
        // Lengths around the 64-byte (AVX2) and 32-byte (SSE2) rounds and the 4-byte tail;
        // odd offsets for unaligned loads and stores.
        for (const auto& [code, name] : {std::pair{ChecksumCode::Portable, "portable"},
                                         std::pair{ChecksumCode::Avx2, "avx2"}}) {
            for (int len : {0,  1,  2,  3,  7,  8,   9,   20,  31,   32,   33,   63,
                            64, 65, 95, 96, 97, 127, 128, 129, 1420, 1471, 1472, 65535}) {
                for (int off : {0, 1, 2, 6}) {
                    QTest::addRow("%s len %d at %d", name, len, off) << code << len << off;
                }
            }
        }
    }
    // Each code gives the reference's sum, and its copy gives the same sum and the same bytes.
    void checksumMatchesReference()
    {
        QFETCH(ChecksumCode, code);
        QFETCH(int, length);
        QFETCH(int, offset);
        if (!checksumCodeAvailable(code)) {
            QSKIP("this CPU cannot run this checksum code");
        }
        std::mt19937 rng(uint32_t(length * 31 + offset));
        std::vector<uint8_t> data(size_t(length + offset));
        std::vector<uint8_t> copy(size_t(length + 3), 0x5a);
        for (int round = 0; round < 2; ++round) {
            if (round == 0) {
                for (auto& b : data) {
                    b = uint8_t(rng());
                }
            } else {
                std::fill(data.begin(), data.end(), 0xff); // the carry-heavy case
            }
            const uint16_t expected = referenceChecksum(data, size_t(offset), size_t(length));
            QCOMPARE(checksumFinish(checksumAdd(code, data.data() + offset, size_t(length), 0)),
                     expected);
            QCOMPARE(checksumFinish(checksumCopy(code, copy.data() + 1, data.data() + offset,
                                                 size_t(length), 0)),
                     expected);
            QVERIFY(std::equal(copy.begin() + 1, copy.begin() + 1 + length, data.begin() + offset));
            QCOMPARE(copy[0], uint8_t(0x5a)); // nothing written around it
            QCOMPARE(copy[size_t(length) + 1], uint8_t(0x5a));
            // Pieces that start at even offsets add up to the whole.
            const size_t half = size_t(length / 2) & ~size_t{1};
            const uint64_t first = checksumAdd(code, data.data() + offset, half, 0);
            QCOMPARE(checksumFinish(checksumAdd(code, data.data() + offset + half,
                                                size_t(length) - half, first)),
                     expected);
        }
    }

    void splitTso_data()
    {
        QTest::addColumn<bool>("v6");
        QTest::addColumn<int>("payload");
        QTest::addColumn<int>("mss");
        QTest::addColumn<int>("segments");
        QTest::newRow("v4 64k") << false << 65483 - 52 << 1420 << 47;
        QTest::newRow("v4 exact multiple") << false << 1420 * 4 << 1420 << 4;
        QTest::newRow("v4 one byte over") << false << 1420 * 2 + 1 << 1420 << 3;
        QTest::newRow("v6 64k") << true << 65000 << 1400 << 47;
        QTest::newRow("v6 small") << true << 100 << 1400 << 1;
    }
    void splitTso()
    {
        QFETCH(bool, v6);
        QFETCH(int, payload);
        QFETCH(int, mss);
        QFETCH(int, segments);
        const uint32_t seq0 = 0xfffff000; // wraps inside the run
        std::vector<uint8_t> pkt = tcpPacket(v6, size_t(payload), seq0, 0x18 /* ACK|PSH */);
        const size_t ipLen = v6 ? 40 : 20;
        VirtioNetHeader h;
        h.flags = kVnetNeedsCsum;
        h.gsoType = v6 ? kVnetGsoTcpV6 : kVnetGsoTcpV4;
        h.gsoSize = uint16_t(mss);
        h.csumStart = uint16_t(ipLen);
        h.csumOffset = 16;
        h.hdrLen = uint16_t(ipLen + 32);

        std::vector<uint8_t> out(200000);
        uint32_t lengths[128];
        size_t stride = 0;
        const size_t n = splitTunPacket(h, pkt.data(), pkt.size(), out.data(), out.size(), 0, 0,
                                        128, lengths, &stride);
        QCOMPARE(n, size_t(segments));
        // Room for the longest segment, which longestSegment() names beforehand.
        const size_t longest = ipLen + 32 + std::min(size_t(mss), size_t(payload));
        QCOMPARE(stride, longest);
        QCOMPARE(longestSegment(h, pkt.data(), pkt.size()), longest);
        QCOMPARE(size_t(lengths[0]), longest);
        size_t seen = 0;
        for (size_t i = 0; i < n; ++i) {
            const uint8_t* s = out.data() + i * stride;
            const size_t len = lengths[i];
            IpHeaderView view;
            QCOMPARE(checkIpPacket(s, len, &view), PacketCheck::Ok); // length fields right
            QVERIFY(tcpChecksumValid(s, len));
            if (!v6) {
                QVERIFY(ipv4HeaderValid(s));
                QCOMPARE(get16(s + 4), uint16_t(0x1234 + i));
            }
            const uint8_t* t = s + ipLen;
            QCOMPARE(get32(t + 4), seq0 + uint32_t(seen));
            const bool last = i + 1 == n;
            QCOMPARE(bool(t[13] & 0x08), last); // PSH only on the last
            QVERIFY(
                std::equal(s + ipLen + 32, s + len, pkt.begin() + ptrdiff_t(ipLen + 32 + seen)));
            seen += len - ipLen - 32;
        }
        QCOMPARE(seen, size_t(payload));
    }

    void splitRejectsBogusHeaders_data()
    {
        QTest::addColumn<int>("csumStart");
        QTest::addColumn<int>("gsoType");
        QTest::addColumn<int>("gsoSize");
        QTest::newRow("csum start inside ip header") << 10 << int(kVnetGsoTcpV4) << 1400;
        QTest::newRow("gso size 0") << 20 << int(kVnetGsoTcpV4) << 0;
        QTest::newRow("v6 type on v4 packet") << 20 << int(kVnetGsoTcpV6) << 1400;
        QTest::newRow("udp fragmentation offload") << 20 << 3 << 1400;
    }
    void splitRejectsBogusHeaders()
    {
        QFETCH(int, csumStart);
        QFETCH(int, gsoType);
        QFETCH(int, gsoSize);
        std::vector<uint8_t> pkt = tcpPacket(false, 5000, 1);
        VirtioNetHeader h;
        h.flags = kVnetNeedsCsum;
        h.gsoType = uint8_t(gsoType);
        h.gsoSize = uint16_t(gsoSize);
        h.csumStart = uint16_t(csumStart);
        h.csumOffset = 16;
        std::vector<uint8_t> out(100000);
        uint32_t lengths[128];
        size_t stride = 0;
        QCOMPARE(splitTunPacket(h, pkt.data(), pkt.size(), out.data(), out.size(), 0, 0, 128,
                                lengths, &stride),
                 size_t(0));
        QCOMPARE(longestSegment(h, pkt.data(), pkt.size()), size_t(0));
    }

    void completesPartialChecksum()
    {
        // What the kernel hands over without GSO: pseudo-header sum in the field.
        std::vector<uint8_t> pkt = tcpPacket(false, 333, 5);
        const uint32_t l4 = uint32_t(pkt.size() - 20);
        std::vector<uint8_t> pseudo(pkt.begin() + 12, pkt.begin() + 20);
        pseudo.insert(pseudo.end(), {0, IPPROTO_TCP, uint8_t(l4 >> 8), uint8_t(l4)});
        put16(&pkt[36], uint16_t(~referenceChecksum(pseudo, 0, pseudo.size())));
        VirtioNetHeader h;
        h.flags = kVnetNeedsCsum;
        h.csumStart = 20;
        h.csumOffset = 16;
        QVERIFY(completeChecksum(h, pkt.data(), pkt.size()));
        QVERIFY(tcpChecksumValid(pkt.data(), pkt.size()));
        // Without GSO the packet goes as it is.
        QCOMPARE(longestSegment(h, pkt.data(), pkt.size()), pkt.size());
        h.csumStart = uint16_t(pkt.size()); // past the end: refused
        QVERIFY(!completeChecksum(h, pkt.data(), pkt.size()));
    }

    void coalescesARunBackIntoOneGsoWrite_data()
    {
        QTest::addColumn<bool>("v6");
        QTest::newRow("v4") << false;
        QTest::newRow("v6") << true;
    }
    void coalescesARunBackIntoOneGsoWrite()
    {
        QFETCH(bool, v6);
        const size_t ipLen = v6 ? 40 : 20;
        std::vector<std::vector<uint8_t>> pkts;
        uint32_t seq = 1000;
        for (int i = 0; i < 5; ++i) {
            const size_t len = i < 4 ? 1400 : 600; // the last is short
            pkts.push_back(nth(tcpPacket(v6, len, seq, i == 4 ? 0x18 : 0x10), i));
            seq += uint32_t(len);
        }
        TcpCoalescer c;
        TcpCoalescer::Write w;
        for (auto& p : pkts) {
            bool closed = true;
            QCOMPARE(c.add(p.data(), p.size(), &w, &closed), TcpCoalescer::Added::Joined);
            QVERIFY(!closed);
        }
        QVERIFY(c.hasGroup());
        c.flush(&w);
        QVERIFY(!c.hasGroup());
        QCOMPARE(w.packets, 5u);
        QCOMPARE(w.iovCount, 6u);
        QCOMPARE(w.header.gsoType, v6 ? kVnetGsoTcpV6 : kVnetGsoTcpV4);
        QCOMPARE(w.header.gsoSize, uint16_t(1400));
        QCOMPARE(w.header.csumStart, uint16_t(ipLen));
        QCOMPARE(w.header.csumOffset, uint16_t(16));
        QCOMPARE(w.header.flags, kVnetNeedsCsum);
        // Gather the write and check it is the joined packet.
        std::vector<uint8_t> joined;
        for (unsigned i = 1; i < w.iovCount; ++i) {
            const auto* b = static_cast<const uint8_t*>(w.iov[i].iov_base);
            joined.insert(joined.end(), b, b + w.iov[i].iov_len);
        }
        QCOMPARE(joined.size(), ipLen + 32 + 4 * 1400 + 600);
        IpHeaderView view;
        QCOMPARE(checkIpPacket(joined.data(), joined.size(), &view), PacketCheck::Ok);
        if (!v6) {
            QVERIFY(ipv4HeaderValid(joined.data()));
        }
        QVERIFY(joined[ipLen + 13] & 0x08); // PSH of the last carried over
        QCOMPARE(w.bytes, size_t(5 * (ipLen + 32) + 4 * 1400 + 600));
    }

    void coalescerKeepsApart_data()
    {
        QTest::addColumn<int>("variant");
        QTest::addColumn<bool>("joins");
        QTest::newRow("same flow, contiguous") << 0 << true;
        QTest::newRow("other source port") << 1 << false;
        QTest::newRow("gap in sequence") << 2 << false;
        QTest::newRow("different ack") << 3 << false;
        QTest::newRow("different timestamp option") << 4 << false;
        QTest::newRow("after a short segment") << 5 << false;
        QTest::newRow("longer than the first") << 6 << false;
        QTest::newRow("different window") << 7 << false;
        QTest::newRow("ipv4 id not the next one") << 8 << false;
        QTest::newRow("different urgent pointer") << 9 << false;
        QTest::newRow("different reserved bits") << 10 << false;
    }
    void coalescerKeepsApart()
    {
        QFETCH(int, variant);
        QFETCH(bool, joins);
        std::vector<uint8_t> a = tcpPacket(false, variant == 5 ? 700 : 1400, 1);
        std::vector<uint8_t> b =
            nth(tcpPacket(false, variant == 6 ? 1401 : 1400, variant == 5 ? 701 : 1401, 0x10,
                          variant == 1 ? 40001 : 40000),
                1);
        if (variant == 2) {
            put32(&b[24], 5000);
        } else if (variant == 3) {
            put32(&b[28], 778);
        } else if (variant == 4) {
            put32(&b[44], 1001);
        } else if (variant == 7) {
            put16(&b[34], 503);
        } else if (variant == 8) {
            put16(&b[4], 0x1236);
        } else if (variant == 9) {
            put16(&b[38], 1);
        } else if (variant == 10) {
            b[32] |= 0x01;
        }
        fixChecksums(b);
        TcpCoalescer c;
        TcpCoalescer::Write w;
        bool closed = false;
        QCOMPARE(c.add(a.data(), a.size(), &w, &closed), TcpCoalescer::Added::Joined);
        QVERIFY(!closed);
        QCOMPARE(c.add(b.data(), b.size(), &w, &closed), TcpCoalescer::Added::Joined);
        QCOMPARE(closed, !joins); // a new group was opened: the old one came back alone
        if (closed) {
            QCOMPARE(w.packets, 1u);
            QCOMPARE(w.header.gsoType, kVnetGsoNone);
        }
        c.flush(&w);
        QCOMPARE(w.packets, joins ? 2u : 1u);
    }

    // As GRO: a segment is joined only once its checksums verified; a bad one is refused
    // without closing the open group, so the good segments around it still join.
    void dropsSegmentsWithBadChecksums_data()
    {
        QTest::addColumn<bool>("v6");
        QTest::addColumn<int>("corrupt"); // byte offset from the start of the IP packet
        QTest::addColumn<bool>("fixTcp"); // recompute the TCP checksum after corrupting
        QTest::newRow("v4 payload byte") << false << 20 + 32 + 700 << false;
        QTest::newRow("v4 last payload byte") << false << 20 + 32 + 1399 << false;
        QTest::newRow("v4 tcp checksum field") << false << 20 + 16 << false;
        QTest::newRow("v4 tcp header (window)") << false << 20 + 14 << false;
        QTest::newRow("v4 ip header checksum") << false << 10 << false;
        // TTL changed and the TCP checksum (which does not cover it) still right: the IPv4
        // header checksum alone catches it.
        QTest::newRow("v4 ttl, tcp checksum right") << false << 8 << true;
        // Addresses are in the pseudo header: a changed source fails the TCP checksum even with
        // a fixed-up header checksum (see the test body).
        QTest::newRow("v4 source address") << false << 12 << false;
        QTest::newRow("v6 payload byte") << true << 40 + 32 + 5 << false;
        QTest::newRow("v6 source address") << true << 8 + 3 << false;
        QTest::newRow("v6 destination address") << true << 24 + 15 << false;
        QTest::newRow("v6 tcp checksum field") << true << 40 + 17 << false;
    }
    void dropsSegmentsWithBadChecksums()
    {
        QFETCH(bool, v6);
        QFETCH(int, corrupt);
        QFETCH(bool, fixTcp);
        const size_t ipLen = v6 ? 40 : 20;
        std::vector<uint8_t> a = tcpPacket(v6, 1400, 1);
        std::vector<uint8_t> bad = nth(tcpPacket(v6, 1400, 1401), 1);
        std::vector<uint8_t> b = nth(tcpPacket(v6, 1400, 1401), 1);
        bad[size_t(corrupt)] ^= 0x40;
        if (fixTcp) {
            put16(&bad[ipLen + 16], 0);
            put16(&bad[ipLen + 16], referenceTcpChecksum(bad.data(), bad.size()));
        } else if (!v6 && corrupt >= 12 && corrupt < 20) {
            put16(&bad[10], 0);
            put16(&bad[10], referenceChecksum(bad, 0, 20));
        }
        QVERIFY(!tcpChecksumValid(bad.data(), bad.size()) || (!v6 && !ipv4HeaderValid(bad.data())));
        QVERIFY(!tcpChecksumsValid(bad.data(), bad.size(), ipLen));
        QVERIFY(tcpChecksumsValid(a.data(), a.size(), ipLen));

        TcpCoalescer c;
        TcpCoalescer::Write w;
        bool closed = true;
        QCOMPARE(c.add(a.data(), a.size(), &w, &closed), TcpCoalescer::Added::Joined);
        QCOMPARE(c.add(bad.data(), bad.size(), &w, &closed), TcpCoalescer::Added::BadChecksum);
        QVERIFY(!closed);
        QVERIFY(c.hasGroup());
        // The retransmitted good copy continues the group.
        QCOMPARE(c.add(b.data(), b.size(), &w, &closed), TcpCoalescer::Added::Joined);
        QVERIFY(!closed);
        c.flush(&w);
        QCOMPARE(w.packets, 2u);
        std::vector<uint8_t> joined;
        for (unsigned i = 1; i < w.iovCount; ++i) {
            const auto* p = static_cast<const uint8_t*>(w.iov[i].iov_base);
            joined.insert(joined.end(), p, p + w.iov[i].iov_len);
        }
        // What the kernel sees: the pseudo-header sum in the field (CHECKSUM_PARTIAL);
        // completed, the joined segment's checksum is right.
        QCOMPARE(w.header.flags, kVnetNeedsCsum);
        QVERIFY(completeChecksum(w.header, joined.data(), joined.size()));
        QVERIFY(tcpChecksumValid(joined.data(), joined.size()));
        QVERIFY(std::equal(joined.begin() + ptrdiff_t(ipLen + 32 + 1400), joined.end(),
                           b.begin() + ptrdiff_t(ipLen + 32)));
    }

    // Segments an AEAD authenticated are joined without a second check (WireGuard mode).
    void authenticatedSegmentsJoinUnchecked()
    {
        std::vector<uint8_t> a = tcpPacket(false, 1400, 1);
        std::vector<uint8_t> b = nth(tcpPacket(false, 1400, 1401), 1);
        b[20 + 32 + 700] ^= 0x40; // its checksum no longer matches
        QVERIFY(!tcpChecksumsValid(b.data(), b.size(), 20));
        TcpCoalescer c(/*verifyChecksums=*/false);
        TcpCoalescer::Write w;
        bool closed = true;
        QCOMPARE(c.add(a.data(), a.size(), &w, &closed), TcpCoalescer::Added::Joined);
        QCOMPARE(c.add(b.data(), b.size(), &w, &closed), TcpCoalescer::Added::Joined);
        c.flush(&w);
        QCOMPARE(w.packets, 2u);
    }

    // A lone first segment with a bad checksum opens no group.
    void badFirstSegmentOpensNoGroup()
    {
        std::vector<uint8_t> a = tcpPacket(false, 1400, 1);
        a[100] ^= 1;
        TcpCoalescer c;
        TcpCoalescer::Write w;
        bool closed = true;
        QCOMPARE(c.add(a.data(), a.size(), &w, &closed), TcpCoalescer::Added::BadChecksum);
        QVERIFY(!closed);
        QVERIFY(!c.hasGroup());
    }

    // The checksum verifier against the byte-by-byte reference on random segments of every
    // length, odd ones included.
    void checksumVerifierMatchesReference()
    {
        std::mt19937 rng(7);
        for (int round = 0; round < 2000; ++round) {
            const bool v6 = round % 2;
            const size_t payload = size_t(rng() % 1500) + 1;
            std::vector<uint8_t> p = tcpPacket(v6, payload, rng());
            for (size_t i = (v6 ? 40 : 20) + 32; i < p.size(); ++i) {
                p[i] = uint8_t(rng());
            }
            fixChecksums(p);
            const size_t ipLen = v6 ? 40 : 20;
            QVERIFY(tcpChecksumsValid(p.data(), p.size(), ipLen));
            // Any byte but the version nibble's (the reference reads the family from it).
            p[1 + rng() % (p.size() - 1)] ^= uint8_t(1u << (rng() % 8));
            QCOMPARE(tcpChecksumsValid(p.data(), p.size(), ipLen),
                     tcpChecksumValid(p.data(), p.size()) && (v6 || ipv4HeaderValid(p.data())));
        }
    }

    void controlPacketsGoAlone_data()
    {
        QTest::addColumn<int>("flags");
        QTest::addColumn<int>("payload");
        QTest::newRow("pure ack") << 0x10 << 0;
        QTest::newRow("syn") << 0x02 << 0;
        QTest::newRow("fin with data") << 0x11 << 100;
        QTest::newRow("rst") << 0x14 << 0;
        QTest::newRow("urg") << 0x30 << 10;
    }
    void controlPacketsGoAlone()
    {
        QFETCH(int, flags);
        QFETCH(int, payload);
        std::vector<uint8_t> open = tcpPacket(false, 1400, 1);
        std::vector<uint8_t> ctl = tcpPacket(false, size_t(payload), 1401, uint8_t(flags));
        TcpCoalescer c;
        TcpCoalescer::Write w;
        bool closed = false;
        c.add(open.data(), open.size(), &w, &closed);
        QCOMPARE(c.add(ctl.data(), ctl.size(), &w, &closed), TcpCoalescer::Added::Alone);
        QVERIFY(closed); // the open group is handed back first, keeping the flow in order
        QCOMPARE(w.packets, 1u);
        QVERIFY(!c.hasGroup());
    }
};

QTEST_APPLESS_MAIN(TestOffload)
#include "tst_offload.moc"
