// Per-peer state that stays where it is while the peer set changes: a peer keeps one slot (its
// id in the engine and in wireguard::Device) for as long as it is configured, and the slot's
// counters, queue and addresses never move. Slots come in chunks that are allocated when the
// peer set grows (by the thread that changes it, never per packet) and freed with the array;
// a freed slot is handed out again only after both forwarding threads stopped using it (see
// LivePeers.h).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace peertun::engine {

// The most peers one tunnel can have (slots 0 .. kMaxPeers - 1).
inline constexpr uint32_t kMaxPeers = 65536;

template <typename T> class SlotArray
{
public:
    static constexpr uint32_t kChunk = 64;
    static constexpr uint32_t kChunks = kMaxPeers / kChunk;

    SlotArray() = default;
    explicit SlotArray(size_t count) { ensure(count); }
    SlotArray(const SlotArray&) = delete;
    SlotArray& operator=(const SlotArray&) = delete;

    // The thread that changes the peer set only; readers see a new chunk through the peer
    // table that names its slots (published after this, with release/acquire).
    void ensure(size_t count)
    {
        for (size_t c = m_allocated.load(std::memory_order_relaxed);
             c * kChunk < count && c < kChunks; ++c) {
            m_chunks[c] = std::make_unique<T[]>(kChunk);
            m_allocated.store(c + 1, std::memory_order_release);
        }
    }
    // Any thread: slots below this exist.
    size_t capacity() const { return m_allocated.load(std::memory_order_acquire) * kChunk; }

    T& operator[](uint32_t slot) { return m_chunks[slot / kChunk][slot % kChunk]; }
    const T& operator[](uint32_t slot) const { return m_chunks[slot / kChunk][slot % kChunk]; }

private:
    std::array<std::unique_ptr<T[]>, kChunks> m_chunks{};
    std::atomic<size_t> m_allocated{0};
};

} // namespace peertun::engine
