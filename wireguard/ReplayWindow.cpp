#include "ReplayWindow.h"

namespace peertun::wireguard {

static_assert((ReplayWindow::kRingBlocks & (ReplayWindow::kRingBlocks - 1)) == 0,
              "ring size must be a power of two");

bool ReplayWindow::checkAndUpdate(uint64_t counter, uint64_t limit)
{
    if (counter >= limit) {
        return false;
    }
    constexpr uint64_t mask = kRingBlocks - 1;
    const uint64_t block = counter / kBlockBits;
    if (counter > m_greatest) {
        // Moving forward: clear the blocks between the old head and the new one (at most the
        // whole ring, for a far jump).
        const uint64_t current = m_greatest / kBlockBits;
        uint64_t toClear = block - current;
        if (toClear > kRingBlocks) {
            toClear = kRingBlocks;
        }
        for (uint64_t i = 1; i <= toClear; ++i) {
            m_ring[(current + i) & mask] = 0;
        }
        m_greatest = counter;
    } else if (m_greatest - counter > kWindowSize) {
        return false; // too old to tell
    }
    uint64_t& word = m_ring[block & mask];
    const uint64_t bit = uint64_t{1} << (counter % kBlockBits);
    if (word & bit) {
        return false; // replay
    }
    word |= bit;
    return true;
}

void ReplayWindow::reset()
{
    m_ring.fill(0);
    m_greatest = 0;
}

} // namespace peertun::wireguard
