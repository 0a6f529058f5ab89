// Per-tunnel and per-peer counters. Each counter has one writer (the forwarding thread of its
// direction), so increments are relaxed load+store, no locked instruction, flushed once per
// batch; any thread may read a snapshot at any time.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace peertun::engine {

enum class DropReason : uint8_t {
    NoPeerForDestination,     // TUN -> UDP: no peer subnet contains the destination
    UnknownSourceEndpoint,    // UDP -> TUN: datagram not from a configured peer address:port
    Malformed,                // UDP -> TUN: not a well-formed IPv4/IPv6 packet
    SourceOutsidePeerSubnets, // UDP -> TUN: inner source not in the sending peer's subnets
    TooBig,                   // larger than the buffer / MTU
    SendError,                // sendmmsg or TUN write failed
    Count
};
inline constexpr size_t kDropReasonCount = static_cast<size_t>(DropReason::Count);
// Stable kebab-case names used in logs, D-Bus and the CLI: "no-peer-for-destination", ...
std::string_view dropReasonName(DropReason r);

struct PeerStats
{
    uint64_t txPackets = 0, txBytes = 0; // sent to the peer (inner packet bytes)
    uint64_t rxPackets = 0, rxBytes = 0; // accepted from the peer and written to TUN
    uint64_t sendErrors = 0;
    uint64_t unreachable = 0; // ICMP errors about datagrams sent to the peer
    int64_t lastRxUnixMs = 0; // 0 = never
};

struct TunnelStats
{
    uint64_t txPackets = 0, txBytes = 0;
    uint64_t rxPackets = 0, rxBytes = 0;
    std::array<uint64_t, kDropReasonCount> drops{};
    std::vector<PeerStats> peers; // same order as TunnelSpec::peers
    uint64_t totalDrops() const;
};

// Single-writer counter: only one thread ever calls add().
class Counter
{
public:
    void add(uint64_t n)
    {
        m_v.store(m_v.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    uint64_t get() const { return m_v.load(std::memory_order_relaxed); }

private:
    std::atomic<uint64_t> m_v{0};
};

class TunnelCounters
{
public:
    explicit TunnelCounters(size_t peerCount);

    struct alignas(64) PeerTx
    {
        Counter packets, bytes, sendErrors;
    };
    struct alignas(64) PeerRx
    {
        Counter packets, bytes, unreachable;
        std::atomic<int64_t> lastRxUnixMs{0};
    };
    // Written by the TUN -> UDP thread.
    struct alignas(64) TxSide
    {
        Counter packets, bytes;
        std::array<Counter, kDropReasonCount> drops;
    } tx;
    // Written by the UDP -> TUN thread.
    struct alignas(64) RxSide
    {
        Counter packets, bytes;
        std::array<Counter, kDropReasonCount> drops;
    } rx;
    std::unique_ptr<PeerTx[]> peerTx;
    std::unique_ptr<PeerRx[]> peerRx;

    TunnelStats snapshot() const;

private:
    size_t m_peerCount;
};

} // namespace peertun::engine
