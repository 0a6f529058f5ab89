// Plain mode: the wire format of flannel's UDP backend.
#pragma once

#include "Encapsulation.h"
#include "EndpointIndex.h"

#include <vector>

namespace peertun::engine {

// flannel's UDP wire format: one plain IP packet per datagram, no header, no crypto; the peer is
// whoever owns the source address:port, which is all plain mode can check. Endpoints may change
// while running (re-resolved host names): see EndpointIndex.
class PlainEncapsulation final : public Encapsulation
{
public:
    explicit PlainEncapsulation(std::vector<UdpEndpoint> endpoints)
        : m_endpoints(std::move(endpoints))
    {}
    size_t headroom() const override { return 0; }
    size_t tailroom() const override { return 0; }
    Result seal(uint32_t, uint8_t**, size_t*) override { return {}; }
    Result open(const sockaddr* from, uint8_t** data, size_t* len, uint32_t* peer) override;
    const std::atomic<uint64_t>* endpointGeneration() const override
    {
        return m_endpoints.generation();
    }
    UdpEndpoint peerEndpoint(uint32_t peer) const override { return m_endpoints.get(peer); }
    void setPeerEndpoint(uint32_t peer, const UdpEndpoint& endpoint) override
    {
        m_endpoints.set(peer, endpoint);
    }
    // A new peer set: endpoints by slot (see PeerSlots.h).
    void setPeers(std::vector<UdpEndpoint> endpoints) { m_endpoints.reset(std::move(endpoints)); }
    void beginReceiveBatch() override { m_endpoints.adoptPending(); }
    uint32_t peerAtEndpoint(const sockaddr* sa) const override { return m_endpoints.lookup(sa); }

private:
    EndpointIndex m_endpoints;
};

} // namespace peertun::engine
