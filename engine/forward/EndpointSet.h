// The peers' current UDP endpoints as a sorted array, for the sending thread's routing-loop
// check: a packet read from TUN that is a UDP datagram to one of them can only be the tunnel's
// own datagram routed back into the tunnel (a route changed under it), and must not be sent
// again. Rebuilt when endpoints change (roaming), never growing past the peer count it was
// made for, so the per-packet path neither allocates nor locks.
#pragma once

#include "Net.h"

#include <algorithm>
#include <cstdint>
#include <tuple>
#include <vector>

namespace peertun::engine {

class EndpointSet
{
public:
    explicit EndpointSet(size_t capacity) { m_keys.reserve(capacity); }
    // More room, for a larger peer set (allocates: when the peer set changes, not per packet).
    void reserve(size_t capacity) { m_keys.reserve(capacity); }
    size_t capacity() const { return m_keys.capacity(); }

    // Endpoints without an address (not known yet) are left out.
    void assign(const std::vector<UdpEndpoint>& endpoints)
    {
        m_keys.clear();
        for (const UdpEndpoint& ep : endpoints) {
            if (ep.address.family != AF_UNSPEC && ep.port != 0 &&
                m_keys.size() < m_keys.capacity()) {
                m_keys.push_back(keyOf(ep.address.family, ep.address.bytes.data(), ep.port));
            }
        }
        std::sort(m_keys.begin(), m_keys.end());
    }

    // `addr` is 4 or 16 bytes in network order.
    bool contains(int family, const uint8_t* addr, uint16_t port) const
    {
        return std::binary_search(m_keys.begin(), m_keys.end(), keyOf(family, addr, port));
    }
    bool empty() const { return m_keys.empty(); }

private:
    struct Key
    {
        uint64_t hi, lo; // IPv6, or IPv4 as v4-mapped
        uint16_t port;
        friend bool operator<(const Key& a, const Key& b)
        {
            return std::tie(a.hi, a.lo, a.port) < std::tie(b.hi, b.lo, b.port);
        }
        friend bool operator==(const Key&, const Key&) = default;
    };
    static uint64_t load64(const uint8_t* p)
    {
        uint64_t v = 0;
        for (int i = 0; i < 8; ++i) {
            v = (v << 8) | p[i];
        }
        return v;
    }
    static Key keyOf(int family, const uint8_t* addr, uint16_t port)
    {
        if (family == AF_INET) {
            const uint64_t v4 = (uint64_t(addr[0]) << 24) | (uint64_t(addr[1]) << 16) |
                                (uint64_t(addr[2]) << 8) | addr[3];
            return {0, (0xffffull << 32) | v4, port};
        }
        return {load64(addr), load64(addr + 8), port};
    }
    std::vector<Key> m_keys;
};

// The destination port of a UDP datagram in an IP packet (IPv4 with any header length, IPv6
// with UDP as the first next header), or false if it is not one.
inline bool udpDestinationPort(const uint8_t* p, size_t len, uint16_t* port)
{
    size_t l4 = 0;
    if (len >= 20 && (p[0] >> 4) == 4 && p[9] == IPPROTO_UDP) {
        l4 = size_t(p[0] & 0x0f) * 4;
        if (l4 < 20 || ((p[6] & 0x1f) | p[7]) != 0) {
            return false; // a later fragment has no UDP header
        }
    } else if (len >= 40 && (p[0] >> 4) == 6 && p[6] == IPPROTO_UDP) {
        l4 = 40;
    } else {
        return false;
    }
    if (len < l4 + 8) {
        return false;
    }
    *port = uint16_t((p[l4 + 2] << 8) | p[l4 + 3]);
    return true;
}

} // namespace peertun::engine
