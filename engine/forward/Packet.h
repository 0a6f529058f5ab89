// Just enough of an IP header to route and to check a packet: version, addresses, and that
// the length field matches what arrived. Pure functions over bytes, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <sys/socket.h>

namespace peertun::engine {

struct IpHeaderView
{
    int family = AF_UNSPEC;       // AF_INET or AF_INET6
    const uint8_t* src = nullptr; // 4 or 16 bytes inside the packet
    const uint8_t* dst = nullptr;
};

enum class PacketCheck : uint8_t {
    Ok,
    TooShort,       // shorter than the fixed header
    BadVersion,     // neither 4 nor 6
    BadHeader,      // IPv4 IHL < 5 or past the end
    LengthMismatch, // total/payload length field != bytes received
};

// Strict check for packets from the network: the length field must equal `len`.
PacketCheck checkIpPacket(const uint8_t* p, size_t len, IpHeaderView* out);

// Lenient view for packets the kernel hands us from TUN: only the addresses are needed.
inline bool viewIpAddresses(const uint8_t* p, size_t len, IpHeaderView* out)
{
    if (len >= 20 && (p[0] >> 4) == 4) {
        *out = {AF_INET, p + 12, p + 16};
        return true;
    }
    if (len >= 40 && (p[0] >> 4) == 6) {
        *out = {AF_INET6, p + 8, p + 24};
        return true;
    }
    return false;
}

} // namespace peertun::engine
