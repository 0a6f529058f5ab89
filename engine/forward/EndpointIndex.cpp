#include "EndpointIndex.h"

namespace peertun::engine {

EndpointIndex::EndpointIndex(std::vector<UdpEndpoint> endpoints)
    : m_endpoints(std::move(endpoints)), m_current(build(m_endpoints))
{}

EndpointIndex::~EndpointIndex()
{
    delete m_pending.exchange(nullptr);
}

std::unique_ptr<PeerTable> EndpointIndex::build(const std::vector<UdpEndpoint>& endpoints)
{
    auto table = std::make_unique<PeerTable>();
    table->build(std::vector<std::vector<IpPrefix>>(endpoints.size()), endpoints);
    return table;
}

void EndpointIndex::set(uint32_t peer, const UdpEndpoint& endpoint)
{
    const std::lock_guard lock(m_mutex);
    if (peer >= m_endpoints.size()) {
        return;
    }
    m_endpoints[peer] = endpoint;
    // A table still pending was never seen by the receiving thread: it may go at once.
    delete m_pending.exchange(build(m_endpoints).release(), std::memory_order_acq_rel);
    m_generation.fetch_add(1, std::memory_order_release);
}

void EndpointIndex::reset(std::vector<UdpEndpoint> endpoints)
{
    const std::lock_guard lock(m_mutex);
    m_endpoints = std::move(endpoints);
    delete m_pending.exchange(build(m_endpoints).release(), std::memory_order_acq_rel);
    m_generation.fetch_add(1, std::memory_order_release);
}

UdpEndpoint EndpointIndex::get(uint32_t peer) const
{
    const std::lock_guard lock(m_mutex);
    return peer < m_endpoints.size() ? m_endpoints[peer] : UdpEndpoint{};
}

} // namespace peertun::engine
