// Segmentation and coalescing for the TUN device's virtio-net header (IFF_VNET_HDR with
// TSO/CSUM offloads). Both ends of the per-packet path then handle ~45 packets per system call
// and per kernel pass instead of one:
//   TUN -> UDP: the kernel hands us TCP segments of up to 64 KiB; splitTunPacket() cuts them
//               into MTU-sized IP packets with complete checksums, back to back, ready for one
//               UDP_SEGMENT send. The wire still carries one plain IP packet per datagram.
//   UDP -> TUN: TcpCoalescer joins consecutive segments of one TCP flow (as the kernel's GRO
//               would) into one GSO write, without copying the payloads.
// Pure functions over bytes: no system calls, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <sys/uio.h>

namespace peertun::engine {

// struct virtio_net_hdr, in host byte order (TUN's default for the legacy header).
struct VirtioNetHeader
{
    uint8_t flags = 0;
    uint8_t gsoType = 0;
    uint16_t hdrLen = 0;
    uint16_t gsoSize = 0;
    uint16_t csumStart = 0;
    uint16_t csumOffset = 0;
};
static_assert(sizeof(VirtioNetHeader) == 10);
inline constexpr size_t kVnetHeaderSize = sizeof(VirtioNetHeader);
// From <linux/virtio_net.h>, which C++ cannot include (a member is named `class`).
inline constexpr uint8_t kVnetNeedsCsum = 1;
inline constexpr uint8_t kVnetGsoNone = 0;
inline constexpr uint8_t kVnetGsoTcpV4 = 1;
inline constexpr uint8_t kVnetGsoTcpV6 = 4;
inline constexpr uint8_t kVnetGsoEcn = 0x80;

// One's-complement sum of `len` bytes (as big-endian 16-bit words) added to `sum`. Sums of
// pieces that start at even offsets add up to the sum of the whole.
uint64_t checksumAdd(const uint8_t* p, size_t len, uint64_t sum);
// The same sum of `src`, copied to `dst` on the way: one pass over the bytes instead of two.
uint64_t checksumCopy(uint8_t* dst, const uint8_t* src, size_t len, uint64_t sum);
// The code behind the two: AVX2 where the CPU has it (chosen once at start), else the portable
// one (SSE2 on x86). Each by name, so tests can hold them to the same results.
enum class ChecksumCode { Portable = 0, Avx2 };
bool checksumCodeAvailable(ChecksumCode code);
uint64_t checksumAdd(ChecksumCode code, const uint8_t* p, size_t len, uint64_t sum);
uint64_t checksumCopy(ChecksumCode code, uint8_t* dst, const uint8_t* src, size_t len,
                      uint64_t sum);
// Folds a sum to 16 bits and complements it: the value stored in a checksum field (host order).
uint16_t checksumFinish(uint64_t sum);

// Splits one packet read from TUN (after its virtio header `h`) into plain IP packets with
// complete checksums. Segment i is written at out + i * *stride + headroom, where *stride is
// headroom + the longest segment's length + tailroom; a packet that needs no split comes back
// as one segment (copied). Returns the number of segments and their lengths, or 0 if the packet
// is malformed or does not fit (`outCapacity`, `maxSegments`).
size_t splitTunPacket(const VirtioNetHeader& h, const uint8_t* packet, size_t len, uint8_t* out,
                      size_t outCapacity, size_t headroom, size_t tailroom, size_t maxSegments,
                      uint32_t* lengths, size_t* stride);

// The length of the longest packet splitTunPacket() would cut this read into (all but the last
// have it), or 0 if it would refuse the read. With it a caller can give exactly the tailroom
// that segment needs, so that sealed segments lie back to back without moving.
size_t longestSegment(const VirtioNetHeader& h, const uint8_t* packet, size_t len);

// Completes a CHECKSUM_PARTIAL packet in place (no GSO). False if the offsets are bogus.
bool completeChecksum(const VirtioNetHeader& h, uint8_t* packet, size_t len);

// True if the IPv4 header checksum (IPv4) and the TCP checksum over the pseudo header and the
// segment are right. `ipLen` is 20 (IPv4 without options) or 40 (IPv6 straight to TCP).
bool tcpChecksumsValid(const uint8_t* packet, size_t len, size_t ipLen);

// Joins consecutive segments of one TCP flow into one GSO write to TUN, as the kernel's GRO
// would (same addresses, ports, ack, window, options; contiguous sequence numbers; equal
// segment sizes but the last), without copying payloads: the write is a gather list. As in
// GRO, only segments whose checksums verified are joined: the joined write is handed over as
// CHECKSUM_PARTIAL, which the kernel takes as checked (and would fill in afresh when it
// forwards), so a corrupted or forged segment must never get there. Segments that an AEAD
// has already authenticated (WireGuard mode) need no second check: a corrupted or forged one
// never got through it, as the kernel's WireGuard reasons when it marks what it decrypted
// CHECKSUM_UNNECESSARY.
class TcpCoalescer
{
public:
    explicit TcpCoalescer(bool verifyChecksums = true) : m_verifyChecksums(verifyChecksums) {}

    static constexpr unsigned kMaxSegments = 64;
    // A TUN write: iov[0] is `header`, then the first packet whole, then the others' payloads.
    // Not copyable: iov[0] points into it.
    struct Write
    {
        Write() = default;
        Write(const Write&) = delete;
        Write& operator=(const Write&) = delete;
        VirtioNetHeader header;
        iovec iov[kMaxSegments + 1]{};
        unsigned iovCount = 0;
        unsigned packets = 0;
        size_t bytes = 0; // of IP packets, without the virtio header
    };

    enum class Added : uint8_t {
        Joined,      // appended to the open group or opened a new one
        Alone,       // not a data segment that can be joined: write it by itself (the kernel
                     // verifies its checksums)
        BadChecksum, // a data segment whose checksum is wrong: drop it (nothing was closed;
                     // only when verifying)
    };
    // Offers a checked IP packet. If the open group has to be closed first (another flow, a
    // gap, a non-TCP packet), it is written into *closed and *closedReady set.
    Added add(uint8_t* packet, size_t len, Write* closed, bool* closedReady);
    bool hasGroup() const { return m_count > 0; }
    // Closes the open group into `w`: one GSO write for 2+ packets, a plain one for 1.
    void flush(Write* w);

    // A plain (no offload) write of one packet.
    static void single(uint8_t* packet, size_t len, Write* w);

private:
    bool canAppend(const uint8_t* p, size_t len, size_t ipLen, size_t tcpLen) const;
    void start(uint8_t* p, size_t len, size_t ipLen, size_t tcpLen);

    bool m_verifyChecksums;
    uint8_t* m_first = nullptr;
    size_t m_firstLen = 0;
    size_t m_ipLen = 0;
    size_t m_tcpLen = 0;
    uint32_t m_nextSeq = 0;
    size_t m_totalLen = 0;       // of the joined IP packet
    size_t m_segmentPayload = 0; // gso_size: payload of every segment but the last
    bool m_closed = false;       // a short or PSH segment ended the group
    bool m_push = false;
    unsigned m_count = 0;
    iovec m_pieces[kMaxSegments]{}; // built once per loop, not per packet
};

} // namespace peertun::engine
