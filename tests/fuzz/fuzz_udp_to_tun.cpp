// The UDP -> TUN path after a datagram is opened: the packet check, the checksum verification
// and the TCP coalescer, fed as the forwarding loop feeds them. Oracle: every write to TUN,
// split again the way the other direction splits what TUN hands over, gives back exactly the
// packets that went in (those not dropped), in order, byte for byte; a joined write holds only
// segments whose checksums verified.
//
// Input: records. A record's first byte says what to build:
//   bit 1  continue the last packet's flow: its headers, the next sequence number and IPv4 ID,
//          then a payload of 8 * (next byte) bytes, a pattern from the byte after
//   else   a raw packet of the next two bytes' length (little-endian, mod 4096)
//   bit 0  fix the length fields and the checksums (else they are as they came)
//   bit 2  set PSH;  bit 3  the TCP flags are the next byte
#include "Offload.h"
#include "Packet.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <vector>

using namespace peertun::engine;

namespace {

struct Reader
{
    const uint8_t* p;
    size_t n;
    bool empty() const { return n == 0; }
    uint8_t byte()
    {
        if (n == 0) {
            return 0;
        }
        --n;
        return *p++;
    }
};

void put16(uint8_t* p, uint32_t v)
{
    p[0] = uint8_t(v >> 8);
    p[1] = uint8_t(v);
}

uint32_t get16(const uint8_t* p)
{
    return uint32_t(p[0]) << 8 | p[1];
}

uint32_t get32(const uint8_t* p)
{
    return get16(p) << 16 | get16(p + 2);
}

void fixUp(std::vector<uint8_t>& pkt)
{
    if (pkt.size() >= 20 && (pkt[0] >> 4) == 4) {
        const size_t ihl = size_t(pkt[0] & 0xf) * 4;
        put16(&pkt[2], uint32_t(pkt.size()));
        if (ihl >= 20 && ihl <= pkt.size()) {
            put16(&pkt[10], 0);
            put16(&pkt[10], checksumFinish(checksumAdd(pkt.data(), ihl, 0)));
            if (pkt[9] == IPPROTO_TCP && pkt.size() >= ihl + 20) {
                const size_t l4 = pkt.size() - ihl;
                put16(&pkt[ihl + 16], 0);
                const uint64_t pseudo = checksumAdd(&pkt[12], 8, 0) + l4 + IPPROTO_TCP;
                put16(&pkt[ihl + 16], checksumFinish(checksumAdd(&pkt[ihl], l4, pseudo)));
            }
        }
    } else if (pkt.size() >= 40 && (pkt[0] >> 4) == 6) {
        put16(&pkt[4], uint32_t(pkt.size() - 40));
        if (pkt[6] == IPPROTO_TCP && pkt.size() >= 60) {
            const size_t l4 = pkt.size() - 40;
            put16(&pkt[56], 0);
            const uint64_t pseudo = checksumAdd(&pkt[8], 32, 0) + l4 + IPPROTO_TCP;
            put16(&pkt[56], checksumFinish(checksumAdd(&pkt[40], l4, pseudo)));
        }
    }
}

size_t tcpHeaderEnd(const std::vector<uint8_t>& pkt)
{
    size_t ipLen = 0;
    if (pkt.size() >= 20 && (pkt[0] >> 4) == 4 && pkt[9] == IPPROTO_TCP) {
        ipLen = size_t(pkt[0] & 0xf) * 4;
    } else if (pkt.size() >= 40 && (pkt[0] >> 4) == 6 && pkt[6] == IPPROTO_TCP) {
        ipLen = 40;
    }
    if (ipLen < 20 || pkt.size() < ipLen + 20) {
        return 0;
    }
    const size_t end = ipLen + size_t(pkt[ipLen + 12] >> 4) * 4;
    return end >= ipLen + 20 && end <= pkt.size() ? end : 0;
}

constexpr size_t kMaxPackets = 256;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Reader in{data, size};
    std::vector<std::vector<uint8_t>> packets;
    while (!in.empty() && packets.size() < kMaxPackets) {
        const uint8_t ctl = in.byte();
        std::vector<uint8_t> pkt;
        const size_t end = packets.empty() ? 0 : tcpHeaderEnd(packets.back());
        if ((ctl & 2) && end != 0) {
            const std::vector<uint8_t>& prev = packets.back();
            pkt.assign(prev.begin(), prev.begin() + ptrdiff_t(end));
            const bool v4 = (pkt[0] >> 4) == 4;
            const size_t ipLen = v4 ? size_t(pkt[0] & 0xf) * 4 : 40;
            const uint32_t seq = get32(&pkt[ipLen + 4]) + uint32_t(prev.size() - end);
            put16(&pkt[ipLen + 4], seq >> 16);
            put16(&pkt[ipLen + 6], seq);
            if (v4) {
                put16(&pkt[4], get16(&pkt[4]) + 1);
            }
            const size_t payload = size_t(in.byte()) * 8;
            const uint8_t fill = in.byte();
            for (size_t i = 0; i < payload; ++i) {
                pkt.push_back(uint8_t(fill + i * 7));
            }
            if (ctl & 4) {
                pkt[ipLen + 13] |= 0x08;
            }
            if (ctl & 8) {
                pkt[ipLen + 13] = in.byte();
            }
        } else {
            const size_t len = (size_t(in.byte()) | size_t(in.byte()) << 8) % 4096;
            for (size_t i = 0; i < len && !in.empty(); ++i) {
                pkt.push_back(in.byte());
            }
        }
        if (ctl & 1) {
            fixUp(pkt);
        }
        packets.push_back(std::move(pkt));
    }

    // Fed as the forwarding loop does; `kept` are copies of what must come out again.
    std::vector<std::vector<uint8_t>> buffers = packets; // the coalescer rewrites in place
    std::vector<std::vector<uint8_t>> kept;
    std::vector<std::vector<uint8_t>> written; // each write: virtio header + the packet bytes
    TcpCoalescer coalescer;
    TcpCoalescer::Write w;
    auto record = [&](const TcpCoalescer::Write& write) {
        std::vector<uint8_t> bytes;
        for (unsigned i = 0; i < write.iovCount; ++i) {
            const auto* b = static_cast<const uint8_t*>(write.iov[i].iov_base);
            bytes.insert(bytes.end(), b, b + write.iov[i].iov_len);
        }
        written.push_back(std::move(bytes));
    };
    for (std::vector<uint8_t>& b : buffers) {
        IpHeaderView ip;
        if (b.empty() || checkIpPacket(b.data(), b.size(), &ip) != PacketCheck::Ok) {
            continue;
        }
        const std::vector<uint8_t> original = b;
        bool closedReady = false;
        const TcpCoalescer::Added added = coalescer.add(b.data(), b.size(), &w, &closedReady);
        if (added == TcpCoalescer::Added::BadChecksum) {
            if (closedReady || tcpChecksumsValid(original.data(), original.size(),
                                                 (original[0] >> 4) == 4 ? 20 : 40)) {
                std::abort();
            }
            continue;
        }
        kept.push_back(original);
        if (closedReady) {
            record(w);
        }
        if (added == TcpCoalescer::Added::Alone) {
            TcpCoalescer::single(b.data(), b.size(), &w);
            record(w);
        }
    }
    if (coalescer.hasGroup()) {
        coalescer.flush(&w);
        record(w);
    }

    // Split every write again and compare.
    static std::vector<uint8_t> out(1 << 22);
    size_t next = 0;
    for (const std::vector<uint8_t>& bytes : written) {
        VirtioNetHeader h;
        std::memcpy(&h, bytes.data(), kVnetHeaderSize);
        const uint8_t* pkt = bytes.data() + kVnetHeaderSize;
        const size_t len = bytes.size() - kVnetHeaderSize;
        uint32_t lengths[128];
        size_t stride = 0;
        const size_t n =
            splitTunPacket(h, pkt, len, out.data(), out.size(), 0, 0, 128, lengths, &stride);
        if (n == 0) {
            std::fprintf(stderr, "write %zu does not split again\n", next);
            std::abort();
        }
        if (h.gsoType != kVnetGsoNone) {
            // A joined write: only segments whose checksums verified went in.
            for (size_t i = 0; i < n; ++i) {
                const std::vector<uint8_t>& k = kept[next + i];
                if (!tcpChecksumsValid(k.data(), k.size(), (k[0] >> 4) == 4 ? 20 : 40)) {
                    std::abort();
                }
            }
        }
        for (size_t i = 0; i < n; ++i, ++next) {
            if (next >= kept.size() || lengths[i] != kept[next].size() ||
                std::memcmp(out.data() + i * stride, kept[next].data(), lengths[i]) != 0) {
                std::fprintf(stderr, "packet %zu differs after the split (write of %zu)\n", next,
                             n);
                std::abort();
            }
        }
    }
    if (next != kept.size()) {
        std::abort();
    }
    return 0;
}
