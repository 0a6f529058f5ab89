#include "PeerTable.h"

#include <map>

namespace peertun::engine {
namespace {

uint32_t maskV4(int len)
{
    return len <= 0 ? 0 : (len >= 32 ? ~0u : ~0u << (32 - len));
}

uint64_t maskBits64(int len)
{
    return len <= 0 ? 0 : (len >= 64 ? ~0ull : ~0ull << (64 - len));
}

size_t slotCountFor(size_t entries)
{
    size_t n = 4;
    while (n < entries * 2) {
        n *= 2;
    }
    return n;
}

// Inserts unless an entry with the same key is there (the first peer keeps a prefix: overlaps
// between peers are rejected by the profile validator, this only keeps the table sane).
template <typename Level, typename Entry, typename SameKey>
void insert(Level& level, uint32_t h, const Entry& entry, SameKey&& same)
{
    for (uint32_t i = h & level.mask;; i = (i + 1) & level.mask) {
        Entry& slot = level.slots[i];
        if (slot.peer == PeerTable::kNoPeer) {
            slot = entry;
            return;
        }
        if (same(slot, entry)) {
            return;
        }
    }
}

} // namespace

void PeerTable::build(const std::vector<std::vector<IpPrefix>>& subnetsByPeer,
                      const std::vector<UdpEndpoint>& endpoints)
{
    std::map<int, std::vector<V4Entry>, std::greater<>> v4;
    std::map<int, std::vector<V6Entry>, std::greater<>> v6;
    for (uint32_t peer = 0; peer < subnetsByPeer.size(); ++peer) {
        for (const IpPrefix& prefix : subnetsByPeer[peer]) {
            const uint8_t* b = prefix.address.bytes.data();
            if (prefix.address.family == AF_INET) {
                v4[prefix.length].push_back({load32(b) & maskV4(prefix.length), peer});
            } else if (prefix.address.family == AF_INET6) {
                v6[prefix.length].push_back({load64(b) & maskBits64(prefix.length),
                                             load64(b + 8) & maskBits64(prefix.length - 64), peer});
            }
        }
    }
    m_v4.clear();
    m_v6.clear();
    for (const auto& [len, entries] : v4) {
        HashLevel<V4Entry> level;
        level.length = len;
        level.slots.assign(slotCountFor(entries.size()), V4Entry{0, kNoPeer});
        level.mask = uint32_t(level.slots.size() - 1);
        for (const V4Entry& e : entries) {
            insert(level, hash(e.key, 0), e,
                   [](const V4Entry& a, const V4Entry& b) { return a.key == b.key; });
        }
        m_v4.push_back(std::move(level));
    }
    for (const auto& [len, entries] : v6) {
        HashLevel<V6Entry> level;
        level.length = len;
        level.slots.assign(slotCountFor(entries.size()), V6Entry{0, 0, kNoPeer});
        level.mask = uint32_t(level.slots.size() - 1);
        for (const V6Entry& e : entries) {
            insert(level, hash(e.hi, e.lo), e,
                   [](const V6Entry& a, const V6Entry& b) { return a.hi == b.hi && a.lo == b.lo; });
        }
        m_v6.push_back(std::move(level));
    }

    m_endpoints = {};
    m_endpoints.slots.assign(slotCountFor(endpoints.size()), EndpointEntry{0, 0, 0, kNoPeer});
    m_endpoints.mask = uint32_t(m_endpoints.slots.size() - 1);
    for (uint32_t peer = 0; peer < endpoints.size(); ++peer) {
        if (endpoints[peer].port == 0) {
            continue; // not known yet (a host name, a peer that connects to us) or a free slot
        }
        sockaddr_storage ss{};
        toSockaddr(endpoints[peer], AF_INET6, &ss); // v4 becomes v4-mapped: one key space
        const uint8_t* b = reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_addr.s6_addr;
        const EndpointEntry e{load64(b), load64(b + 8), endpoints[peer].port, peer};
        insert(m_endpoints, hash(e.hi ^ e.port, e.lo), e,
               [](const EndpointEntry& x, const EndpointEntry& y) {
                   return x.hi == y.hi && x.lo == y.lo && x.port == y.port;
               });
    }
}

uint32_t PeerTable::lookupV4(uint32_t a) const
{
    for (const auto& level : m_v4) {
        const uint32_t key = a & maskV4(level.length);
        for (uint32_t i = hash(key, 0) & level.mask;; i = (i + 1) & level.mask) {
            const V4Entry& e = level.slots[i];
            if (e.peer == kNoPeer) {
                break;
            }
            if (e.key == key) {
                return e.peer;
            }
        }
    }
    return kNoPeer;
}

uint32_t PeerTable::lookupV6(uint64_t hi, uint64_t lo) const
{
    for (const auto& level : m_v6) {
        const uint64_t kh = hi & maskBits64(level.length);
        const uint64_t kl = lo & maskBits64(level.length - 64);
        for (uint32_t i = hash(kh, kl) & level.mask;; i = (i + 1) & level.mask) {
            const V6Entry& e = level.slots[i];
            if (e.peer == kNoPeer) {
                break;
            }
            if (e.hi == kh && e.lo == kl) {
                return e.peer;
            }
        }
    }
    return kNoPeer;
}

uint32_t PeerTable::lookupEndpoint(const sockaddr* sa) const
{
    uint64_t hi = 0;
    uint64_t lo = 0;
    uint32_t port = 0;
    if (sa->sa_family == AF_INET) {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(sa);
        lo = (0xffffull << 32) | load32(reinterpret_cast<const uint8_t*>(&sin->sin_addr));
        port = ntohs(sin->sin_port);
    } else if (sa->sa_family == AF_INET6) {
        const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(sa);
        hi = load64(sin6->sin6_addr.s6_addr);
        lo = load64(sin6->sin6_addr.s6_addr + 8);
        port = ntohs(sin6->sin6_port);
    } else {
        return kNoPeer;
    }
    if (m_endpoints.slots.empty()) {
        return kNoPeer;
    }
    for (uint32_t i = hash(hi ^ port, lo) & m_endpoints.mask;; i = (i + 1) & m_endpoints.mask) {
        const EndpointEntry& e = m_endpoints.slots[i];
        if (e.peer == kNoPeer) {
            return kNoPeer;
        }
        if (e.hi == hi && e.lo == lo && e.port == port) {
            return e.peer;
        }
    }
}

} // namespace peertun::engine
