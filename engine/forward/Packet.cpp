#include "Packet.h"

namespace peertun::engine {

PacketCheck checkIpPacket(const uint8_t* p, size_t len, IpHeaderView* out)
{
    if (len < 1) {
        return PacketCheck::TooShort;
    }
    const int version = p[0] >> 4;
    if (version == 4) {
        if (len < 20) {
            return PacketCheck::TooShort;
        }
        const size_t ihl = size_t(p[0] & 0x0f) * 4;
        if (ihl < 20 || ihl > len) {
            return PacketCheck::BadHeader;
        }
        const size_t total = (size_t(p[2]) << 8) | p[3];
        if (total != len) {
            return PacketCheck::LengthMismatch;
        }
        *out = {AF_INET, p + 12, p + 16};
        return PacketCheck::Ok;
    }
    if (version == 6) {
        if (len < 40) {
            return PacketCheck::TooShort;
        }
        const size_t payload = (size_t(p[4]) << 8) | p[5];
        if (payload + 40 != len) { // jumbograms (payload 0) are not tunnelled
            return PacketCheck::LengthMismatch;
        }
        *out = {AF_INET6, p + 8, p + 24};
        return PacketCheck::Ok;
    }
    return PacketCheck::BadVersion;
}

} // namespace peertun::engine
