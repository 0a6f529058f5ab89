// A UDP endpoint as plain bytes. Same layout as engine::UdpEndpoint, so the engine converts
// field by field; the protocol core stays free of socket types.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace peertun::wireguard {

struct Endpoint
{
    int family = 0;                    // AF_INET or AF_INET6; 0 = not known
    std::array<uint8_t, 16> address{}; // network byte order; IPv4 uses the first 4 bytes
    uint16_t port = 0;                 // host byte order

    bool isSet() const { return family != 0; }
    // The bytes a cookie is bound to: address || port (big-endian). Returns the length used.
    size_t cookieBytes(std::array<uint8_t, 18>& out) const;
    friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

} // namespace peertun::wireguard
