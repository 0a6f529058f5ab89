#include "Endpoint.h"

#include <cstring>
#include <sys/socket.h>

namespace peertun::wireguard {

size_t Endpoint::cookieBytes(std::array<uint8_t, 18>& out) const
{
    const size_t addrLen = family == AF_INET ? 4 : 16;
    std::memcpy(out.data(), address.data(), addrLen);
    out[addrLen] = static_cast<uint8_t>(port >> 8);
    out[addrLen + 1] = static_cast<uint8_t>(port);
    return addrLen + 2;
}

} // namespace peertun::wireguard
