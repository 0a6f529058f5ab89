// Which peer a UDP source address belongs to, for endpoints that may change while the tunnel
// runs (host names re-resolved): the receiving thread owns the table it reads; a new table is
// handed over through one atomic pointer and taken at the start of the next batch, so lookups
// take no lock and nothing is freed under a reader.
#pragma once

#include "Net.h"
#include "PeerTable.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace peertun::engine {

class EndpointIndex
{
public:
    explicit EndpointIndex(std::vector<UdpEndpoint> endpoints);
    ~EndpointIndex();
    EndpointIndex(const EndpointIndex&) = delete;
    EndpointIndex& operator=(const EndpointIndex&) = delete;

    // Any thread but the receiving one (allocates: never on the per-packet path).
    void set(uint32_t peer, const UdpEndpoint& endpoint);
    // A new peer set: endpoints by slot (port 0: none or a free slot). Same rules as set().
    void reset(std::vector<UdpEndpoint> endpoints);
    UdpEndpoint get(uint32_t peer) const;
    // Bumped by every set(): the sending thread re-reads get() when it changes.
    const std::atomic<uint64_t>* generation() const { return &m_generation; }

    // Receiving thread only: take a table set() published (once per batch), then look up.
    void adoptPending()
    {
        if (m_pending.load(std::memory_order_relaxed) != nullptr) {
            if (PeerTable* fresh = m_pending.exchange(nullptr, std::memory_order_acquire)) {
                m_current.reset(fresh);
            }
        }
    }
    uint32_t lookup(const sockaddr* sa) const { return m_current->lookupEndpoint(sa); }

private:
    static std::unique_ptr<PeerTable> build(const std::vector<UdpEndpoint>& endpoints);

    mutable std::mutex m_mutex; // m_endpoints, for set() and get()
    std::vector<UdpEndpoint> m_endpoints;
    std::unique_ptr<PeerTable> m_current; // the receiving thread's
    std::atomic<PeerTable*> m_pending{nullptr};
    std::atomic<uint64_t> m_generation{0};
};

} // namespace peertun::engine
