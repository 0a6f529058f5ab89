#include "Offload.h"

#include <algorithm>
#include <cstring>
#include <netinet/in.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "checksum code assumes little-endian");

namespace peertun::engine {
namespace {

constexpr uint8_t kTcpFin = 0x01;
constexpr uint8_t kTcpPsh = 0x08;
constexpr uint8_t kTcpAck = 0x10;
constexpr uint8_t kTcpCwr = 0x80;

uint16_t load16(const uint8_t* p)
{
    return uint16_t((p[0] << 8) | p[1]);
}

uint32_t load32(const uint8_t* p)
{
    return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

void store16(uint8_t* p, uint16_t v)
{
    p[0] = uint8_t(v >> 8);
    p[1] = uint8_t(v);
}

void store32(uint8_t* p, uint32_t v)
{
    p[0] = uint8_t(v >> 24);
    p[1] = uint8_t(v >> 16);
    p[2] = uint8_t(v >> 8);
    p[3] = uint8_t(v);
}

uint16_t fold(uint64_t sum)
{
    sum = (sum & 0xffffffff) + (sum >> 32);
    sum = (sum & 0xffffffff) + (sum >> 32);
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return uint16_t(sum);
}

void setIpv4HeaderChecksum(uint8_t* ip, size_t ipLen)
{
    store16(ip + 10, 0);
    store16(ip + 10, checksumFinish(checksumAdd(ip, ipLen, 0)));
}

// Sum of the TCP/UDP pseudo header for a transport segment of `l4Len` bytes.
uint64_t pseudoHeaderSum(const uint8_t* ip, bool v6, size_t l4Len, uint8_t proto)
{
    return v6 ? checksumAdd(ip + 8, 32, 0) + l4Len + proto
              : checksumAdd(ip + 12, 8, 0) + l4Len + proto;
}

} // namespace

namespace {

// One's-complement addition is byte-order independent, and 2^16 = 1 modulo 0xffff: the vector
// loops add native 32-bit words into 64-bit lanes (no carries to chase), the tail adds the rest,
// and the sum is folded and byte-swapped once at the end. Exact for any length below 2^32 * 16
// bytes. The copying variants store each block they load, so a copy costs no second pass.

// The bytes a vector loop left: below its block size.
uint64_t tailSum(const uint8_t* p, size_t len, uint64_t acc)
{
    while (len >= 4) {
        uint32_t w;
        std::memcpy(&w, p, 4);
        acc += w;
        p += 4;
        len -= 4;
    }
    if (len >= 2) {
        uint16_t w;
        std::memcpy(&w, p, 2);
        acc += w;
        p += 2;
        len -= 2;
    }
    if (len) {
        acc += p[0]; // a trailing byte is the high byte of a zero-padded big-endian word
    }
    return acc;
}

#ifdef __SSE2__
template <bool kCopy> uint64_t sumSse2(uint8_t* dst, const uint8_t* p, size_t len, uint64_t sum)
{
    const __m128i zero = _mm_setzero_si128();
    __m128i v0 = zero;
    __m128i v1 = zero;
    while (len >= 32) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const __m128i y = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16));
        if constexpr (kCopy) {
            _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), x);
            _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + 16), y);
            dst += 32;
        }
        v0 = _mm_add_epi64(v0, _mm_unpacklo_epi32(x, zero));
        v1 = _mm_add_epi64(v1, _mm_unpackhi_epi32(x, zero));
        v0 = _mm_add_epi64(v0, _mm_unpacklo_epi32(y, zero));
        v1 = _mm_add_epi64(v1, _mm_unpackhi_epi32(y, zero));
        p += 32;
        len -= 32;
    }
    alignas(16) uint64_t lanes[2];
    _mm_store_si128(reinterpret_cast<__m128i*>(lanes), _mm_add_epi64(v0, v1));
    if constexpr (kCopy) {
        std::memcpy(dst, p, len);
    }
    return sum + __builtin_bswap16(fold(tailSum(p, len, lanes[0] + lanes[1])));
}
#endif

#if defined(__x86_64__) || defined(__i386__)
template <bool kCopy>
__attribute__((target("avx2"))) uint64_t sumAvx2(uint8_t* dst, const uint8_t* p, size_t len,
                                                 uint64_t sum)
{
    const __m256i zero = _mm256_setzero_si256();
    __m256i v0 = zero;
    __m256i v1 = zero;
    while (len >= 64) {
        const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
        const __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
        if constexpr (kCopy) {
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), x);
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + 32), y);
            dst += 64;
        }
        v0 = _mm256_add_epi64(v0, _mm256_unpacklo_epi32(x, zero));
        v1 = _mm256_add_epi64(v1, _mm256_unpackhi_epi32(x, zero));
        v0 = _mm256_add_epi64(v0, _mm256_unpacklo_epi32(y, zero));
        v1 = _mm256_add_epi64(v1, _mm256_unpackhi_epi32(y, zero));
        p += 64;
        len -= 64;
    }
    alignas(32) uint64_t lanes[4];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), _mm256_add_epi64(v0, v1));
    if constexpr (kCopy) {
        std::memcpy(dst, p, len);
    }
    return sum +
           __builtin_bswap16(fold(tailSum(p, len, lanes[0] + lanes[1] + lanes[2] + lanes[3])));
}
#endif

template <bool kCopy> uint64_t sumPortable(uint8_t* dst, const uint8_t* p, size_t len, uint64_t sum)
{
#ifdef __SSE2__
    return sumSse2<kCopy>(dst, p, len, sum);
#else
    if constexpr (kCopy) {
        std::memcpy(dst, p, len);
    }
    return sum + __builtin_bswap16(fold(tailSum(p, len, 0)));
#endif
}

bool cpuHasAvx2()
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init(); // may run before the constructors that would have called it
    return __builtin_cpu_supports("avx2");
#else
    return false;
#endif
}

// Chosen once, before main(): the per-packet calls only load it.
const ChecksumCode kBestCode = cpuHasAvx2() ? ChecksumCode::Avx2 : ChecksumCode::Portable;

template <bool kCopy>
uint64_t sumWith(ChecksumCode code, uint8_t* dst, const uint8_t* p, size_t len, uint64_t sum)
{
    if (len < 32) { // headers: shorter than any vector round, not worth setting one up
        if constexpr (kCopy) {
            if (len != 0) { // an empty piece may come as null pointers, which memcpy may not get
                std::memcpy(dst, p, len);
            }
        }
        return sum + __builtin_bswap16(fold(tailSum(p, len, 0)));
    }
#if defined(__x86_64__) || defined(__i386__)
    if (code == ChecksumCode::Avx2) {
        return sumAvx2<kCopy>(dst, p, len, sum);
    }
#endif
    return sumPortable<kCopy>(dst, p, len, sum);
}

} // namespace

bool checksumCodeAvailable(ChecksumCode code)
{
    return code == ChecksumCode::Portable || (code == ChecksumCode::Avx2 && cpuHasAvx2());
}

uint64_t checksumAdd(ChecksumCode code, const uint8_t* p, size_t len, uint64_t sum)
{
    return sumWith<false>(code, nullptr, p, len, sum);
}

uint64_t checksumCopy(ChecksumCode code, uint8_t* dst, const uint8_t* src, size_t len, uint64_t sum)
{
    return sumWith<true>(code, dst, src, len, sum);
}

uint64_t checksumAdd(const uint8_t* p, size_t len, uint64_t sum)
{
    return sumWith<false>(kBestCode, nullptr, p, len, sum);
}

uint64_t checksumCopy(uint8_t* dst, const uint8_t* src, size_t len, uint64_t sum)
{
    return sumWith<true>(kBestCode, dst, src, len, sum);
}

uint16_t checksumFinish(uint64_t sum)
{
    return uint16_t(~fold(sum));
}

bool completeChecksum(const VirtioNetHeader& h, uint8_t* packet, size_t len)
{
    if (!(h.flags & kVnetNeedsCsum)) {
        return true;
    }
    const size_t field = size_t(h.csumStart) + h.csumOffset;
    if (h.csumStart >= len || field + 2 > len) {
        return false;
    }
    // The field holds the pseudo-header sum; summing the whole segment completes it.
    uint16_t c = checksumFinish(checksumAdd(packet + h.csumStart, len - h.csumStart, 0));
    if (c == 0 && h.csumOffset == 6) {
        c = 0xffff; // UDP: 0 means "no checksum"
    }
    store16(packet + field, c);
    return true;
}

namespace {

// How a TUN read is cut: the headers every segment repeats and the payload per segment.
struct TsoShape
{
    bool v6 = false;
    size_t ipLen = 0;
    size_t headerLen = 0;
    size_t mss = 0;
    size_t payload = 0;
    size_t count = 0;
    size_t longest = 0; // the first segment's length (all but the last have it)
};

// False for a GSO read that cannot be cut (the virtio header's offsets or the headers are
// bogus, or a kind of GSO we never enable).
bool tsoShape(const VirtioNetHeader& h, const uint8_t* packet, size_t len, TsoShape* s)
{
    const uint8_t gso = h.gsoType & uint8_t(~kVnetGsoEcn);
    if (gso != kVnetGsoTcpV4 && gso != kVnetGsoTcpV6) {
        return false; // we never enable UFO/USO, so the kernel does not send these
    }
    const bool v6 = gso == kVnetGsoTcpV6;
    size_t ipLen = 0;
    if (!v6) {
        if (len < 20 || (packet[0] >> 4) != 4 || packet[9] != IPPROTO_TCP) {
            return false;
        }
        ipLen = size_t(packet[0] & 0x0f) * 4;
    } else {
        if (len < 40 || (packet[0] >> 4) != 6 || packet[6] != IPPROTO_TCP) {
            return false; // extension headers before TCP are not segmented here
        }
        ipLen = 40;
    }
    if (ipLen < 20 || h.csumStart != ipLen || ipLen + 20 > len) {
        return false;
    }
    const size_t tcpLen = size_t(packet[ipLen + 12] >> 4) * 4;
    const size_t headerLen = ipLen + tcpLen;
    const size_t mss = h.gsoSize;
    if (tcpLen < 20 || headerLen > len || mss == 0) {
        return false;
    }
    s->v6 = v6;
    s->ipLen = ipLen;
    s->headerLen = headerLen;
    s->mss = mss;
    s->payload = len - headerLen;
    s->count = s->payload == 0 ? 1 : (s->payload + mss - 1) / mss;
    s->longest = headerLen + std::min(mss, s->payload);
    return true;
}

} // namespace

size_t longestSegment(const VirtioNetHeader& h, const uint8_t* packet, size_t len)
{
    if (len == 0) {
        return 0;
    }
    if ((h.gsoType & uint8_t(~kVnetGsoEcn)) == kVnetGsoNone) {
        return len;
    }
    TsoShape s;
    return tsoShape(h, packet, len, &s) ? s.longest : 0;
}

size_t splitTunPacket(const VirtioNetHeader& h, const uint8_t* packet, size_t len, uint8_t* out,
                      size_t outCapacity, size_t headroom, size_t tailroom, size_t maxSegments,
                      uint32_t* lengths, size_t* stride)
{
    if (maxSegments == 0 || len == 0) {
        return 0;
    }
    if ((h.gsoType & uint8_t(~kVnetGsoEcn)) == kVnetGsoNone) {
        *stride = headroom + len + tailroom;
        if (*stride > outCapacity) {
            return 0;
        }
        std::memcpy(out + headroom, packet, len);
        if (!completeChecksum(h, out + headroom, len)) {
            return 0;
        }
        lengths[0] = uint32_t(len);
        return 1;
    }
    TsoShape shape;
    if (!tsoShape(h, packet, len, &shape)) {
        return 0;
    }
    const bool v6 = shape.v6;
    const size_t ipLen = shape.ipLen;
    const size_t headerLen = shape.headerLen;
    const size_t mss = shape.mss;
    const size_t payload = shape.payload;
    const size_t count = shape.count;
    *stride = headroom + shape.longest + tailroom;
    if (count > maxSegments || count * *stride > outCapacity) {
        return 0;
    }
    const uint32_t seq0 = load32(packet + ipLen + 4);
    const uint16_t id0 = v6 ? 0 : load16(packet + 4);
    const uint8_t flags0 = packet[ipLen + 13];

    for (size_t i = 0; i < count; ++i) {
        const size_t offset = i * mss;
        const size_t chunk = i + 1 < count ? mss : payload - offset;
        uint8_t* seg = out + i * *stride + headroom;
        std::memcpy(seg, packet, headerLen);
        // The payload is summed as it is copied; the headers, once filled in, are added below.
        const uint64_t payloadSum =
            checksumCopy(seg + headerLen, packet + headerLen + offset, chunk, 0);
        const size_t segLen = headerLen + chunk;
        uint8_t* tcp = seg + ipLen;
        if (v6) {
            store16(seg + 4, uint16_t(segLen - 40));
        } else {
            store16(seg + 2, uint16_t(segLen));
            store16(seg + 4, uint16_t(id0 + i));
            setIpv4HeaderChecksum(seg, ipLen);
        }
        store32(tcp + 4, seq0 + uint32_t(offset));
        uint8_t flags = flags0;
        if (i + 1 < count) {
            flags &= uint8_t(~(kTcpFin | kTcpPsh)); // only the last segment ends or pushes
        }
        if (i > 0) {
            flags &= uint8_t(~kTcpCwr); // congestion window reduced: said once
        }
        tcp[13] = flags;
        store16(tcp + 16, 0);
        const size_t l4Len = segLen - ipLen;
        // The TCP header's length is a multiple of 4, so the payload's sum adds on.
        store16(tcp + 16, checksumFinish(checksumAdd(tcp, headerLen - ipLen,
                                                     pseudoHeaderSum(seg, v6, l4Len, IPPROTO_TCP) +
                                                         payloadSum)));
        lengths[i] = uint32_t(segLen);
    }
    return count;
}

bool tcpChecksumsValid(const uint8_t* p, size_t len, size_t ipLen)
{
    const bool v6 = ipLen == 40;
    if (!v6 && checksumFinish(checksumAdd(p, ipLen, 0)) != 0) {
        return false;
    }
    // Summed over the pseudo header and the whole segment, checksum field included, a right
    // checksum gives 0xffff, i.e. 0 once complemented.
    const size_t l4Len = len - ipLen;
    return checksumFinish(
               checksumAdd(p + ipLen, l4Len, pseudoHeaderSum(p, v6, l4Len, IPPROTO_TCP))) == 0;
}

void TcpCoalescer::single(uint8_t* packet, size_t len, Write* w)
{
    w->header = {};
    w->iov[0] = {&w->header, kVnetHeaderSize};
    w->iov[1] = {packet, len};
    w->iovCount = 2;
    w->packets = 1;
    w->bytes = len;
}

TcpCoalescer::Added TcpCoalescer::add(uint8_t* p, size_t len, Write* closed, bool* closedReady)
{
    *closedReady = false;
    // Only plain data segments join: IPv4 without options or fragments, IPv6 straight to TCP,
    // flags ACK (and PSH, which ends a group), some payload.
    size_t ipLen = 0;
    const bool v4 = len >= 20 && (p[0] >> 4) == 4;
    if (v4 && p[0] == 0x45 && p[9] == IPPROTO_TCP && (load16(p + 6) & 0x3fff) == 0) {
        ipLen = 20;
    } else if (!v4 && len >= 40 && (p[0] >> 4) == 6 && p[6] == IPPROTO_TCP) {
        ipLen = 40;
    }
    size_t tcpLen = 0;
    if (ipLen != 0 && len >= ipLen + 20) {
        tcpLen = size_t(p[ipLen + 12] >> 4) * 4;
    }
    const bool joinable = tcpLen >= 20 && len > ipLen + tcpLen &&
                          (p[ipLen + 13] & uint8_t(~(kTcpAck | kTcpPsh))) == 0 &&
                          (p[ipLen + 13] & kTcpAck);
    if (!joinable) {
        if (m_count > 0) {
            flush(closed);
            *closedReady = true;
        }
        return Added::Alone;
    }
    // Verified before anything else looks at it, as GRO does. The open group stays open: a
    // good next segment still continues it.
    if (m_verifyChecksums && !tcpChecksumsValid(p, len, ipLen)) {
        return Added::BadChecksum;
    }
    if (m_count > 0 && canAppend(p, len, ipLen, tcpLen)) {
        const size_t payload = len - ipLen - tcpLen;
        m_pieces[m_count++] = {p + ipLen + tcpLen, payload};
        m_totalLen += payload;
        m_nextSeq += uint32_t(payload);
        m_push = (p[ipLen + 13] & kTcpPsh) != 0;
        m_closed = payload < m_segmentPayload || m_push;
        return Added::Joined;
    }
    if (m_count > 0) {
        flush(closed);
        *closedReady = true;
    }
    start(p, len, ipLen, tcpLen);
    return Added::Joined;
}

void TcpCoalescer::start(uint8_t* p, size_t len, size_t ipLen, size_t tcpLen)
{
    m_first = p;
    m_firstLen = len;
    m_ipLen = ipLen;
    m_tcpLen = tcpLen;
    m_segmentPayload = len - ipLen - tcpLen;
    m_nextSeq = load32(p + ipLen + 4) + uint32_t(m_segmentPayload);
    m_totalLen = len;
    m_push = (p[ipLen + 13] & kTcpPsh) != 0;
    m_closed = m_push;
    m_count = 1;
}

bool TcpCoalescer::canAppend(const uint8_t* p, size_t len, size_t ipLen, size_t tcpLen) const
{
    const uint8_t* f = m_first;
    if (m_closed || m_count >= kMaxSegments || ipLen != m_ipLen || tcpLen != m_tcpLen) {
        return false;
    }
    const size_t payload = len - ipLen - tcpLen;
    if (payload > m_segmentPayload || m_totalLen + payload > 65535 + (ipLen == 40 ? 40 : 0)) {
        return false;
    }
    if (ipLen == 20) {
        // TOS, DF, TTL, protocol and both addresses must match, and the IDs count up by one
        // (as GRO wants, and as the split on the way back writes them).
        if (p[1] != f[1] || p[6] != f[6] || p[8] != f[8] || std::memcmp(p + 12, f + 12, 8) != 0 ||
            load16(p + 4) != uint16_t(load16(f + 4) + m_count)) {
            return false;
        }
    } else if (std::memcmp(p, f, 4) != 0 || p[7] != f[7] || std::memcmp(p + 8, f + 8, 32) != 0) {
        return false; // traffic class, flow label, hop limit, addresses
    }
    const uint8_t* t = p + ipLen;
    const uint8_t* ft = f + ipLen;
    return std::memcmp(t, ft, 4) == 0                         // ports
           && load32(t + 4) == m_nextSeq                      // contiguous
           && std::memcmp(t + 8, ft + 8, 5) == 0              // same ack, offset, reserved bits
           && std::memcmp(t + 14, ft + 14, 2) == 0            // same window
           && std::memcmp(t + 18, ft + 18, 2) == 0            // same urgent pointer
           && std::memcmp(t + 20, ft + 20, tcpLen - 20) == 0; // same options (timestamps)
}

void TcpCoalescer::flush(Write* w)
{
    if (m_count == 0) {
        w->iovCount = 0;
        w->packets = 0;
        w->bytes = 0;
        return;
    }
    if (m_count == 1) {
        single(m_first, m_firstLen, w);
        m_count = 0;
        return;
    }
    uint8_t* ip = m_first;
    uint8_t* tcp = ip + m_ipLen;
    const bool v6 = m_ipLen == 40;
    if (v6) {
        store16(ip + 4, uint16_t(m_totalLen - 40));
    } else {
        store16(ip + 2, uint16_t(m_totalLen));
        setIpv4HeaderChecksum(ip, m_ipLen);
    }
    if (m_push) {
        tcp[13] |= kTcpPsh;
    }
    // CHECKSUM_PARTIAL: the field holds the pseudo-header sum; every joined segment's own
    // checksum verified in add().
    const size_t l4Len = m_totalLen - m_ipLen;
    const uint16_t pseudo = uint16_t(~checksumFinish(pseudoHeaderSum(ip, v6, l4Len, IPPROTO_TCP)));
    store16(tcp + 16, pseudo);

    w->header = {};
    w->header.flags = kVnetNeedsCsum;
    w->header.gsoType = v6 ? kVnetGsoTcpV6 : kVnetGsoTcpV4;
    w->header.hdrLen = uint16_t(m_ipLen + m_tcpLen);
    w->header.gsoSize = uint16_t(m_segmentPayload);
    w->header.csumStart = uint16_t(m_ipLen);
    w->header.csumOffset = 16;
    w->iov[0] = {&w->header, kVnetHeaderSize};
    w->iov[1] = {m_first, m_firstLen};
    for (unsigned i = 1; i < m_count; ++i) {
        w->iov[i + 1] = m_pieces[i];
    }
    w->iovCount = m_count + 1;
    w->packets = m_count;
    w->bytes = m_totalLen + (m_count - 1) * (m_ipLen + m_tcpLen);
    m_count = 0;
}

} // namespace peertun::engine
