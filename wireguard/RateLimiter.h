// Per-source rate limit for handshake messages while under load (as wireguard-go: a token
// bucket per IPv4 address or IPv6 /64, 20 messages per second, bursts of 5). Handshakes cost
// DH operations; this keeps one source from using them all even with a valid cookie.
#pragma once

#include "Endpoint.h"
#include "Noise.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <unordered_map>

namespace peertun::wireguard {

class HandshakeRateLimiter
{
public:
    static constexpr int kPacketsPerSecond = 20;
    static constexpr int kBurst = 5;
    static constexpr size_t kMaxSources = 65536; // beyond this, unknown sources are refused
    static constexpr Time kCost = Time(std::chrono::seconds(1)) / kPacketsPerSecond;
    static constexpr Time kBucket = kCost * kBurst;

    // True if a handshake message from `source` may be processed now.
    bool allow(const Endpoint& source, Time now);
    size_t trackedSources() const { return m_buckets.size(); }

private:
    struct Bucket
    {
        Time last{};
        Time tokens{};
    };
    struct KeyHash
    {
        size_t operator()(const std::array<uint8_t, 9>& k) const;
    };
    void collectGarbage(Time now);

    std::unordered_map<std::array<uint8_t, 9>, Bucket, KeyHash> m_buckets;
    Time m_lastCollection{};
};

} // namespace peertun::wireguard
