// The peer set the forwarding threads route by, changeable while they run (RCU-like): an
// immutable PeerRoutes is read through one atomic pointer, with no lock and no allocation per
// packet; a change builds a new one and swaps it in, and the old one is freed once both
// threads have passed a quiescent point after the swap.
//
// Quiescent-state scheme: each forwarding thread (a reader) takes the current table at the
// start of a batch (enter()) and publishes, at that moment, the writer generation it has seen;
// before it blocks waiting for packets it goes offline (leave()) and holds no table. The
// writer swaps the pointer, bumps the generation and waits until each reader is offline or
// has entered since; then no reader can hold the old table, nor route to a slot the new
// table no longer names. Both are a few atomics per batch, never per packet.
#pragma once

#include "Net.h"
#include "PeerTable.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace peertun::engine {

// One version of the peer set. Vectors indexed by slot (a slot no peer holds: empty name,
// unspecified endpoint); `active` lists the slots in the spec's order.
struct PeerRoutes
{
    PeerTable table; // inner addresses -> slot (and configured endpoints -> slot)
    std::vector<std::string> names;
    std::vector<UdpEndpoint> endpoints; // as configured (host names: unspecified)
    std::vector<uint32_t> active;
    uint64_t version = 0;

    size_t slotCount() const { return names.size(); }
    // A table from per-slot subnets, endpoints and names (equal sizes); slots with an empty
    // name are free.
    static std::unique_ptr<PeerRoutes> build(const std::vector<std::vector<IpPrefix>>& subnets,
                                             std::vector<UdpEndpoint> endpoints,
                                             std::vector<std::string> names,
                                             std::vector<uint32_t> active);
};

class LivePeers
{
public:
    enum Reader : unsigned { kTxReader = 0, kRxReader = 1, kReaders = 2 };

    explicit LivePeers(std::unique_ptr<PeerRoutes> initial);
    ~LivePeers();
    LivePeers(const LivePeers&) = delete;
    LivePeers& operator=(const LivePeers&) = delete;

    // Reader `r` (its thread only), at the start of a batch: a quiescent point; the table to
    // use until the next enter() or leave().
    const PeerRoutes* enter(Reader r)
    {
        m_seen[r].value.store(m_generation.load(std::memory_order_seq_cst),
                              std::memory_order_seq_cst);
        return m_current.load(std::memory_order_seq_cst);
    }
    // Reader `r`, at the end of a batch: it holds no table until its next enter(). Release is
    // enough: its reads of the table come before; a writer that sees it offline and frees the
    // table precedes (in the seq_cst order) the reader's next enter(), which then loads the
    // new table.
    void leave(Reader r) { m_seen[r].value.store(kOffline, std::memory_order_release); }

    // Writer (one at a time; any thread but the readers'): makes `next` current and returns
    // once no reader can still use the previous table, which is then freed. Returns how many
    // times it had to wait for a reader.
    unsigned publish(std::unique_ptr<PeerRoutes> next);
    // The current table, for the writer (and for readers of the control plane: its values, not
    // its lifetime, must be stable: call under the writer's own serialization).
    const PeerRoutes& current() const { return *m_current.load(std::memory_order_acquire); }

private:
    static constexpr uint64_t kOffline = UINT64_MAX;
    struct alignas(64) Seen
    {
        std::atomic<uint64_t> value{kOffline};
    };

    std::mutex m_writer;
    std::atomic<const PeerRoutes*> m_current;
    std::atomic<uint64_t> m_generation{0};
    Seen m_seen[kReaders];
};

} // namespace peertun::engine
