#include "LivePeers.h"

#include <thread>

namespace peertun::engine {

std::unique_ptr<PeerRoutes> PeerRoutes::build(const std::vector<std::vector<IpPrefix>>& subnets,
                                              std::vector<UdpEndpoint> endpoints,
                                              std::vector<std::string> names,
                                              std::vector<uint32_t> active)
{
    auto routes = std::make_unique<PeerRoutes>();
    routes->table.build(subnets, endpoints);
    routes->names = std::move(names);
    routes->endpoints = std::move(endpoints);
    routes->active = std::move(active);
    return routes;
}

LivePeers::LivePeers(std::unique_ptr<PeerRoutes> initial) : m_current(initial.release()) {}

LivePeers::~LivePeers()
{
    delete m_current.load();
}

unsigned LivePeers::publish(std::unique_ptr<PeerRoutes> next)
{
    const std::lock_guard lock(m_writer);
    next->version = m_current.load(std::memory_order_relaxed)->version + 1;
    const PeerRoutes* old = m_current.exchange(next.release(), std::memory_order_seq_cst);
    const uint64_t generation = m_generation.fetch_add(1, std::memory_order_seq_cst) + 1;
    unsigned waits = 0;
    for (Seen& seen : m_seen) {
        // A reader in a batch finishes it within microseconds to milliseconds (one batch of
        // system calls): yield, then sleep briefly, rather than block it in any way.
        for (unsigned spins = 0; seen.value.load(std::memory_order_seq_cst) < generation; ++spins) {
            ++waits;
            if (spins < 64) {
                std::this_thread::yield();
            } else {
                std::this_thread::sleep_for(std::chrono::microseconds(200));
            }
        }
    }
    delete old;
    return waits;
}

} // namespace peertun::engine
