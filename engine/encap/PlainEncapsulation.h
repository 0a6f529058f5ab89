// Plain mode: the wire format of flannel's UDP backend.
#pragma once

#include "Encapsulation.h"
#include "PeerTable.h"

namespace peertun::engine {

// flannel's UDP wire format: one plain IP packet per datagram, no header, no crypto; the peer is
// whoever owns the source address:port, which is all plain mode can check.
class PlainEncapsulation final : public Encapsulation
{
public:
    explicit PlainEncapsulation(const PeerTable& peers) : m_peers(peers) {}
    size_t headroom() const override { return 0; }
    size_t tailroom() const override { return 0; }
    Result seal(uint32_t, uint8_t**, size_t*) override { return {}; }
    Result open(const sockaddr* from, uint8_t** data, size_t* len, uint32_t* peer) override;

private:
    const PeerTable& m_peers;
};

} // namespace peertun::engine
