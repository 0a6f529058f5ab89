// Sliding-window replay filter for transport counters (RFC 6479: a ring of 64-bit blocks, so
// that advancing the window clears whole blocks instead of shifting a bitmap).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace peertun::wireguard {

// Messages with a counter at or beyond this are never sent nor accepted (REJECT_AFTER_MESSAGES:
// 2^64 - 2^13 - 1, leaving room so the window arithmetic cannot wrap).
inline constexpr uint64_t kRejectAfterMessages = ~uint64_t{0} - (uint64_t{1} << 13);

class ReplayWindow
{
public:
    static constexpr size_t kBlockBits = 64;
    static constexpr size_t kRingBlocks = 128; // 8192 bits, as wireguard-go
    // One block is always being recycled, so this many counters below the newest are tracked.
    static constexpr uint64_t kWindowSize = (kRingBlocks - 1) * kBlockBits; // 8128

    // Accepts `counter` (and records it) if it is below the limit, not older than the window
    // and not seen before. Call only after the packet authenticated, so forged packets cannot
    // move the window.
    bool checkAndUpdate(uint64_t counter, uint64_t limit = kRejectAfterMessages);
    void reset();

private:
    std::array<uint64_t, kRingBlocks> m_ring{};
    uint64_t m_greatest = 0; // greatest counter accepted (0 also before the first packet)
};

} // namespace peertun::wireguard
