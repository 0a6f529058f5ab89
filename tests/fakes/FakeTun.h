// A TUN device in memory: the test queues what the kernel would hand over (virtio-net header
// and packet), the loop's writes are kept for the test to look at. Thread-safe, so a running
// ForwardingLoop can use it as well as a test calling one batch at a time.
#pragma once

#include "Fd.h"
#include "Tun.h"

#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

namespace peertun::engine {

class FakeTun final : public Tun
{
public:
    FakeTun(); // throws TunnelError (eventfd)

    // One read's bytes: the 10-byte virtio-net header, then the packet.
    void queueRead(std::vector<uint8_t> read);
    // The next write fails with `err` (0: writes succeed again).
    void failWrites(int err);

    struct Written
    {
        std::vector<uint8_t> header; // the virtio-net header, 10 bytes
        std::vector<uint8_t> packet; // the gather list joined
    };
    std::vector<Written> takeWrites();
    size_t pendingReads() const;

    int pollFd() const override { return m_readable.get(); }
    void readBatch(TunReadBatch& batch) override;
    int write(const iovec* iov, unsigned count) override;

private:
    mutable std::mutex m_mutex;
    std::deque<std::vector<uint8_t>> m_reads;
    std::vector<Written> m_writes;
    int m_writeError = 0;
    Fd m_readable; // an eventfd, readable while reads are queued
};

} // namespace peertun::engine
