#include "RateLimiter.h"

#include <cstring>
#include <sys/socket.h>

namespace peertun::wireguard {

size_t HandshakeRateLimiter::KeyHash::operator()(const std::array<uint8_t, 9>& k) const
{
    // FNV-1a: the table is only for handshake sources, attacker-chosen keys cost them a bucket
    // each and the table is bounded.
    uint64_t h = 1469598103934665603ull;
    for (uint8_t b : k) {
        h = (h ^ b) * 1099511628211ull;
    }
    return static_cast<size_t>(h);
}

bool HandshakeRateLimiter::allow(const Endpoint& source, Time now)
{
    // Key: family tag, then the IPv4 address or the IPv6 /64 (one host usually owns a /64).
    std::array<uint8_t, 9> key{};
    key[0] = source.family == AF_INET6 ? 6 : 4;
    std::memcpy(key.data() + 1, source.address.data(), source.family == AF_INET6 ? 8 : 4);

    if (now - m_lastCollection >= std::chrono::seconds(1)) {
        collectGarbage(now);
    }

    auto it = m_buckets.find(key);
    if (it == m_buckets.end()) {
        if (m_buckets.size() >= kMaxSources) {
            return false;
        }
        m_buckets.emplace(key, Bucket{now, kBucket - kCost});
        return true;
    }
    Bucket& b = it->second;
    b.tokens += now - b.last;
    if (b.tokens > kBucket) {
        b.tokens = kBucket;
    }
    b.last = now;
    if (b.tokens >= kCost) {
        b.tokens -= kCost;
        return true;
    }
    return false;
}

void HandshakeRateLimiter::collectGarbage(Time now)
{
    // A bucket idle for a second is full again: forgetting it changes nothing.
    for (auto it = m_buckets.begin(); it != m_buckets.end();) {
        if (now - it->second.last >= std::chrono::seconds(1)) {
            it = m_buckets.erase(it);
        } else {
            ++it;
        }
    }
    m_lastCollection = now;
}

} // namespace peertun::wireguard
