// Per-tunnel and per-peer counters. Each counter has one writer (the forwarding thread of its
// direction), so increments are relaxed load+store, no locked instruction, flushed once per
// batch; any thread may read a snapshot at any time.
#pragma once

#include "PeerSlots.h"

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
    // WireGuard mode (appended: the names and numbers above stay as they were)
    HandshakeQueueFull, // TUN -> UDP: no session yet and the peer's queue is full
    NotAuthenticated,   // UDP -> TUN: fails the protocol's checks (MAC1, AEAD, index, ...)
    Replayed,           // UDP -> TUN: a transport counter or initiation seen before
    // Both modes (appended)
    BadChecksum, // UDP -> TUN: a TCP segment whose IPv4 header or TCP checksum is wrong
    RoutingLoop, // TUN -> UDP: addressed to a peer's endpoint, i.e. the tunnel's own datagram
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
    // WireGuard mode (0 in plain mode)
    uint64_t handshakesDone = 0;     // sessions established with this peer
    uint64_t initiationsSent = 0;    // handshake initiations sent to this peer (tries)
    int64_t lastHandshakeUnixMs = 0; // 0 = never
};

struct TunnelStats
{
    uint64_t txPackets = 0, txBytes = 0;
    uint64_t rxPackets = 0, rxBytes = 0;
    std::array<uint64_t, kDropReasonCount> drops{};
    // WireGuard mode (0 in plain mode)
    uint64_t handshakesDone = 0;
    uint64_t handshakesFailed = 0;   // bad or replayed initiations/responses, attempts given up
    uint64_t decryptionFailures = 0; // transport messages that fail to decrypt or match no key
    uint64_t replaysRejected = 0;    // transport counters seen before or too old
    std::vector<PeerStats> peers;    // same order as TunnelSpec::peers (the slots asked for)
    // When the underlay last changed (a link, address or route, or a resume); 0 = never. Set
    // by the Tunnel, not by the counters.
    int64_t networkChangedUnixMs = 0;
    uint64_t totalDrops() const;
};

// Counter for rare events that several threads may count (e.g. a handshake initiation, sent by
// whichever thread found there was no session): one locked add, never on the per-packet path.
class SharedCounter
{
public:
    void add(uint64_t n) { m_v.fetch_add(n, std::memory_order_relaxed); }
    uint64_t get() const { return m_v.load(std::memory_order_relaxed); }
    void reset() { m_v.store(0, std::memory_order_relaxed); }

private:
    std::atomic<uint64_t> m_v{0};
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
    // Not while the writer may add (a slot handed to a new peer).
    void reset() { m_v.store(0, std::memory_order_relaxed); }

private:
    std::atomic<uint64_t> m_v{0};
};

// Per-peer counters live in the peer's slot (PeerSlots.h): they stay with a peer across changes
// of the peer set, and a slot's are zeroed before it is handed to a new peer.
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
        Counter handshakesDone; // WireGuard: handshakes complete on receipt
        std::atomic<int64_t> lastHandshakeUnixMs{0};
    };
    // WireGuard handshake initiations: sent by the sending thread (no session), the timer
    // thread (retries, rekeys) or the receiving thread (rekey on receive); rare, so shared.
    struct alignas(64) PeerTimer
    {
        SharedCounter initiationsSent;
        // Packets held while a handshake ran, sent by whichever thread saw the session come
        // up; added to the peer's and the tunnel's tx counts in snapshots.
        SharedCounter flushedPackets, flushedBytes;
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
        // WireGuard mode
        Counter handshakesFailed, decryptionFailures, replaysRejected;
    } rx;
    // WireGuard: handshake attempts abandoned (REKEY_ATTEMPT_TIME without an answer). Rare, and
    // the timers may report it from more than one thread, so shared.
    struct alignas(64) TimerSide
    {
        SharedCounter handshakesAbandoned;
    } timer;
    SlotArray<PeerTx> peerTx;
    SlotArray<PeerRx> peerRx;
    SlotArray<PeerTimer> peerTimer;

    // Slots 0 .. peerCount - 1 (a tunnel whose peers never changed).
    TunnelStats snapshot() const;
    // The peers of these slots, in this order.
    TunnelStats snapshot(const std::vector<uint32_t>& slots) const;

    // The thread that changes the peer set: room for `slots` slots; zero one slot's counters
    // (no forwarding thread may use it meanwhile).
    void ensureSlots(size_t slots);
    void resetSlot(uint32_t slot);

private:
    size_t m_peerCount;
};

} // namespace peertun::engine
