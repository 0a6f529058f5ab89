// Cutting what TUN hands over (a virtio-net header and a packet, a TSO segment of up to 64 KiB
// or a packet with a partial checksum) into wire packets. Oracle, checked byte by byte with a
// plain RFC 1071 sum: every segment is a well-formed IP packet with right IPv4 header and TCP
// checksums, its headers are the original's with only the fields a segmentation changes, the
// payloads put together are the original payload, and a well-formed request is never refused.
#include "Offload.h"
#include "Packet.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <vector>

using namespace peertun::engine;

namespace {

uint32_t be16(const uint8_t* p)
{
    return uint32_t(p[0]) << 8 | p[1];
}

uint32_t be32(const uint8_t* p)
{
    return be16(p) << 16 | be16(p + 2);
}

// Byte by byte, as RFC 1071 writes it.
uint16_t naiveChecksum(const std::vector<uint8_t>& bytes)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < bytes.size(); i += 2) {
        sum += uint32_t(bytes[i]) << 8 | (i + 1 < bytes.size() ? bytes[i + 1] : 0);
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return uint16_t(~sum);
}

bool tcpChecksumRight(const uint8_t* ip, size_t len, size_t ipLen, bool v6)
{
    std::vector<uint8_t> b;
    if (v6) {
        b.assign(ip + 8, ip + 40);
    } else {
        b.assign(ip + 12, ip + 20);
    }
    const size_t l4 = len - ipLen;
    const uint8_t tail[] = {0, 0, uint8_t(l4 >> 8), uint8_t(l4), 0, 0, 0, IPPROTO_TCP};
    b.insert(b.end(), tail, tail + 8);
    b.insert(b.end(), ip + ipLen, ip + len);
    return naiveChecksum(b) == 0;
}

[[noreturn]] void fail(const char* what, size_t segment)
{
    std::fprintf(stderr, "segment %zu: %s\n", segment, what);
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < kVnetHeaderSize + 2) {
        return 0;
    }
    VirtioNetHeader h;
    std::memcpy(&h, data, kVnetHeaderSize);
    const size_t head = data[kVnetHeaderSize] % 64;
    const size_t tail = data[kVnetHeaderSize + 1] % 32;
    const uint8_t* packet = data + kVnetHeaderSize + 2;
    const size_t len = size - kVnetHeaderSize - 2;
    constexpr size_t kMaxSegments = 128;
    static std::vector<uint8_t> out(kMaxSegments * 16384 + 65536 + 4096);
    uint32_t lengths[kMaxSegments];
    size_t stride = 0;
    const size_t n = splitTunPacket(h, packet, len, out.data(), out.size(), head, tail,
                                    kMaxSegments, lengths, &stride);

    const uint8_t gso = h.gsoType & uint8_t(~kVnetGsoEcn);
    if (gso == kVnetGsoNone) {
        const size_t field = size_t(h.csumStart) + h.csumOffset;
        const bool csum = h.flags & kVnetNeedsCsum;
        const bool acceptable = len > 0 && (!csum || (h.csumStart < len && field + 2 <= len));
        if ((n == 1) != acceptable || n > 1) {
            fail("a packet without GSO was refused, or accepted when it should not be", 0);
        }
        if (longestSegment(h, packet, len) != len) {
            fail("longestSegment() is not the whole packet without GSO", 0);
        }
        if (n == 0) {
            return 0;
        }
        const uint8_t* s = out.data() + head;
        if (lengths[0] != len || stride != head + len + tail) {
            fail("wrong length or stride", 0);
        }
        for (size_t i = 0; i < len; ++i) {
            if (csum && (i == field || i == field + 1)) {
                continue;
            }
            if (s[i] != packet[i]) {
                fail("a byte other than the checksum changed", 0);
            }
        }
        if (csum) {
            std::vector<uint8_t> l4(packet + h.csumStart, packet + len);
            uint16_t want = naiveChecksum(l4);
            if (want == 0 && h.csumOffset == 6) {
                want = 0xffff;
            }
            if (be16(s + field) != want) {
                fail("the completed checksum is wrong", 0);
            }
        }
        return 0;
    }

    if (gso != kVnetGsoTcpV4 && gso != kVnetGsoTcpV6) {
        if (n != 0) {
            fail("an unsupported GSO type was accepted", 0);
        }
        return 0;
    }
    const bool v6 = gso == kVnetGsoTcpV6;
    size_t ipLen = 0;
    bool wellFormed = false;
    if (!v6 && len >= 20 && (packet[0] >> 4) == 4 && packet[9] == IPPROTO_TCP) {
        ipLen = size_t(packet[0] & 0x0f) * 4;
        wellFormed = ipLen >= 20;
    } else if (v6 && len >= 40 && (packet[0] >> 4) == 6 && packet[6] == IPPROTO_TCP) {
        ipLen = 40;
        wellFormed = true;
    }
    wellFormed = wellFormed && h.csumStart == ipLen && ipLen + 20 <= len;
    const size_t tcpLen = wellFormed ? size_t(packet[ipLen + 12] >> 4) * 4 : 0;
    const size_t headerLen = ipLen + tcpLen;
    const size_t mss = h.gsoSize;
    wellFormed = wellFormed && tcpLen >= 20 && headerLen <= len && mss > 0;
    const size_t payload = wellFormed ? len - headerLen : 0;
    const size_t count = payload == 0 ? 1 : (payload + mss - 1) / mss;
    // Room for the longest segment, which longestSegment() names before the cut.
    const size_t longest = headerLen + std::min(mss, payload);
    if (longestSegment(h, packet, len) != (wellFormed ? longest : 0)) {
        fail("longestSegment() disagrees with the cut", 0);
    }
    const size_t wantStride = head + longest + tail;
    wellFormed = wellFormed && count <= kMaxSegments && count * wantStride <= out.size();
    if ((n != 0) != wellFormed) {
        fail(n ? "a malformed TSO request was accepted" : "a well-formed TSO request was refused",
             0);
    }
    if (n == 0) {
        return 0;
    }
    if (n != count || stride != wantStride) {
        fail("wrong segment count or stride", 0);
    }
    const uint32_t seq0 = be32(packet + ipLen + 4);
    const uint16_t id0 = uint16_t(be16(packet + 4));
    size_t offset = 0;
    for (size_t i = 0; i < n; ++i) {
        const uint8_t* s = out.data() + i * stride + head;
        const size_t slen = lengths[i];
        const size_t chunk = i + 1 < n ? mss : payload - offset;
        if (slen != headerLen + chunk) {
            fail("wrong segment length", i);
        }
        IpHeaderView view;
        if (checkIpPacket(s, slen, &view) != PacketCheck::Ok) {
            fail("not a well-formed IP packet", i);
        }
        if (!v6) {
            std::vector<uint8_t> ip(s, s + ipLen);
            if (naiveChecksum(ip) != 0) {
                fail("wrong IPv4 header checksum", i);
            }
            if (be16(s + 4) != uint16_t(id0 + i)) {
                fail("IPv4 IDs do not count up", i);
            }
        }
        if (!tcpChecksumRight(s, slen, ipLen, v6)) {
            fail("wrong TCP checksum", i);
        }
        if (be32(s + ipLen + 4) != seq0 + uint32_t(offset)) {
            fail("wrong sequence number", i);
        }
        uint8_t flags = packet[ipLen + 13];
        if (i + 1 < n) {
            flags &= uint8_t(~0x09); // FIN and PSH only on the last
        }
        if (i > 0) {
            flags &= uint8_t(~0x80); // CWR only on the first
        }
        if (s[ipLen + 13] != flags) {
            fail("wrong TCP flags", i);
        }
        // Every other header byte is the original's.
        for (size_t b = 0; b < headerLen; ++b) {
            const bool changes =
                (v6 ? (b == 4 || b == 5) : (b >= 2 && b <= 5) || b == 10 || b == 11) ||
                (b >= ipLen + 4 && b < ipLen + 8) || b == ipLen + 13 || b == ipLen + 16 ||
                b == ipLen + 17;
            if (!changes && s[b] != packet[b]) {
                fail("a header byte changed that a segmentation leaves alone", i);
            }
        }
        if (!std::equal(s + headerLen, s + slen, packet + headerLen + offset)) {
            fail("payload differs from the original's", i);
        }
        offset += chunk;
    }
    if (offset != payload) {
        fail("the payloads do not add up to the original", n);
    }
    return 0;
}
