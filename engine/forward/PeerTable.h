// Which peer a packet belongs to: longest-prefix match of an inner address over all peers'
// subnets, and exact match of a UDP source address:port against peer endpoints.
//
// One open-addressing hash table per distinct prefix length, longest first: a lookup masks
// the address once per length and usually finds or misses on the first slot, so with 1,000
// peers of one prefix length it is one hash and one or two comparisons (flannel's C proxy
// scans every route). Built once, read-only afterwards (shared by both threads; a change of
// the peer set builds a new one, see LivePeers.h).
#pragma once

#include "Net.h"

#include <cstdint>
#include <vector>

namespace peertun::engine {

class PeerTable
{
public:
    static constexpr uint32_t kNoPeer = UINT32_MAX;

    // subnetsByPeer[i] are peer i's subnets; endpoints[i] its UDP endpoint (port 0: none).
    void build(const std::vector<std::vector<IpPrefix>>& subnetsByPeer,
               const std::vector<UdpEndpoint>& endpoints);

    // Peer whose subnet holds `addr` (4 or 16 bytes per family), or kNoPeer.
    uint32_t lookupAddress(int family, const uint8_t* addr) const
    {
        return family == AF_INET ? lookupV4(load32(addr))
                                 : lookupV6(load64(addr), load64(addr + 8));
    }
    // Peer whose endpoint is this socket address (IPv4, IPv6 or v4-mapped), or kNoPeer.
    uint32_t lookupEndpoint(const sockaddr* sa) const;

    size_t prefixLevels(int family) const { return family == AF_INET ? m_v4.size() : m_v6.size(); }

private:
    struct V4Entry
    {
        uint32_t key;
        uint32_t peer; // kNoPeer: empty slot
    };
    struct V6Entry
    {
        uint64_t hi, lo;
        uint32_t peer;
    };
    struct EndpointEntry
    {
        uint64_t hi, lo; // IPv6 or v4-mapped address, host order
        uint32_t port;
        uint32_t peer;
    };
    // Power-of-two slot array, at most half full, linear probing.
    template <typename Entry> struct HashLevel
    {
        int length = 0;
        uint32_t mask = 0; // slots.size() - 1
        std::vector<Entry> slots;
    };

    uint32_t lookupV4(uint32_t a) const;
    uint32_t lookupV6(uint64_t hi, uint64_t lo) const;
    static uint32_t load32(const uint8_t* p)
    {
        return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
    }
    static uint64_t load64(const uint8_t* p) { return (uint64_t(load32(p)) << 32) | load32(p + 4); }
    static uint32_t hash(uint64_t a, uint64_t b)
    {
        return uint32_t(((a ^ (b * 0xff51afd7ed558ccdull)) * 0x9e3779b97f4a7c15ull) >> 32);
    }

    std::vector<HashLevel<V4Entry>> m_v4; // longest prefix first
    std::vector<HashLevel<V6Entry>> m_v6;
    HashLevel<EndpointEntry> m_endpoints;
};

} // namespace peertun::engine
