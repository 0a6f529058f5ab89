// What the forwarding loop needs of a TUN device opened with IFF_VNET_HDR: reads by the batch
// (every packet starts with its virtio-net header) and one write per packet or GSO group.
// TunDevice is the real one; unit tests put a fake in its place. Calls are per batch or per
// system call, never per byte or per segment.
#pragma once

#include "Worker.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <sys/uio.h>

namespace peertun::engine {

// Packets read back to back into one buffer, each 16-byte aligned like the first.
class TunReadBatch
{
public:
    static constexpr size_t kVnetHeaderBytes = 10; // struct virtio_net_hdr
    static constexpr size_t kMaxRead = kVnetHeaderBytes + 65536;
    static constexpr unsigned kMaxPackets = 1024;

    // Room for `reads` reads of the largest size (more of smaller packets).
    explicit TunReadBatch(size_t reads = 8)
        : m_buffer(std::make_unique<uint8_t[]>(reads * kMaxRead)), m_capacity(reads * kMaxRead)
    {}

    struct Packet
    {
        uint8_t* data; // the virtio-net header, then the IP packet
        uint32_t len;
    };
    Packet packets[kMaxPackets];
    unsigned count = 0;
    bool full = false; // the reader stopped for lack of room: more may be waiting
    int error = 0;     // errno of a failed read other than EAGAIN (which ends a batch quietly)

    // For readers: start over, then ask for room before each read and add what was read.
    void clear()
    {
        count = 0;
        full = false;
        error = 0;
        m_used = 0;
    }
    // Where the next read of up to kMaxRead bytes goes, or nullptr (and `full` set) if none fits.
    uint8_t* room()
    {
        if (count == kMaxPackets || m_capacity - m_used < kMaxRead) {
            full = true;
            return nullptr;
        }
        return m_buffer.get() + m_used;
    }
    void add(size_t len)
    {
        packets[count++] = {m_buffer.get() + m_used, uint32_t(len)};
        m_used += (len + 15) & ~size_t{15};
    }

private:
    std::unique_ptr<uint8_t[]> m_buffer;
    size_t m_capacity;
    size_t m_used = 0;
};

class Tun
{
public:
    virtual ~Tun() = default;
    // Polls readable while a read may find packets.
    virtual int pollFd() const = 0;
    // Blocks until a read may find packets or `stop` is raised: the device's poll events, or
    // StopSignal::kStopped.
    int wait(const StopSignal& stop) const { return stop.wait(pollFd()); }
    // Reads what is queued (without blocking) until the batch is full or nothing is left.
    virtual void readBatch(TunReadBatch& batch) = 0;
    // One packet, or one GSO group of TCP segments: iov[0] is the virtio-net header (its GSO
    // fields say which), the rest the packet's bytes. 0, or the errno of the failure.
    virtual int write(const iovec* iov, unsigned count) = 0;
};

} // namespace peertun::engine
