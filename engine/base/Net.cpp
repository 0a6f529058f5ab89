#include "Net.h"

#include <arpa/inet.h>
#include <charconv>
#include <cstring>

namespace peertun::engine {

IpAddress IpAddress::v4(const uint8_t* p)
{
    IpAddress a;
    a.family = AF_INET;
    std::memcpy(a.bytes.data(), p, 4);
    return a;
}

IpAddress IpAddress::v6(const uint8_t* p)
{
    IpAddress a;
    a.family = AF_INET6;
    std::memcpy(a.bytes.data(), p, 16);
    return a;
}

std::optional<IpAddress> IpAddress::parse(const std::string& text)
{
    uint8_t buf[16];
    if (text.find(':') == std::string::npos) {
        if (inet_pton(AF_INET, text.c_str(), buf) == 1) {
            return v4(buf);
        }
    } else if (inet_pton(AF_INET6, text.c_str(), buf) == 1) {
        return v6(buf);
    }
    return std::nullopt;
}

std::string IpAddress::toString() const
{
    if (family != AF_INET && family != AF_INET6) {
        return {};
    }
    char buf[INET6_ADDRSTRLEN];
    if (!inet_ntop(family, bytes.data(), buf, sizeof buf)) {
        return {};
    }
    return buf;
}

std::optional<IpPrefix> IpPrefix::parse(const std::string& text)
{
    const auto slash = text.find('/');
    if (slash == std::string::npos) {
        return std::nullopt;
    }
    const auto address = IpAddress::parse(text.substr(0, slash));
    if (!address) {
        return std::nullopt;
    }
    // One to three digits and nothing else ("/+24", "/-1", "/24x", "/" are all refused).
    const std::string lengthText = text.substr(slash + 1);
    if (lengthText.empty() || lengthText.size() > 3 ||
        lengthText.find_first_not_of("0123456789") != std::string::npos) {
        return std::nullopt;
    }
    int length = 0;
    std::from_chars(lengthText.data(), lengthText.data() + lengthText.size(), length);
    if (length > address->bitLength()) {
        return std::nullopt;
    }
    return IpPrefix{*address, length};
}

IpPrefix IpPrefix::network() const
{
    IpPrefix result = *this;
    if (address.isUnspecified()) {
        return result;
    }
    const int bytesTotal = address.byteLength();
    for (int i = 0; i < bytesTotal; ++i) {
        const int bitsHere = length - i * 8; // prefix bits falling into byte i
        if (bitsHere >= 8) {
            continue;
        }
        result.address.bytes[i] &= bitsHere <= 0 ? 0 : static_cast<uint8_t>(0xff << (8 - bitsHere));
    }
    return result;
}

bool IpPrefix::contains(const IpAddress& a) const
{
    if (a.family != address.family || address.isUnspecified()) {
        return false;
    }
    const int fullBytes = length / 8;
    if (std::memcmp(a.bytes.data(), address.bytes.data(), fullBytes) != 0) {
        return false;
    }
    const int restBits = length % 8;
    if (restBits == 0) {
        return true;
    }
    const auto mask = static_cast<uint8_t>(0xff << (8 - restBits));
    return (a.bytes[fullBytes] & mask) == (address.bytes[fullBytes] & mask);
}

std::string IpPrefix::toString() const
{
    if (address.isUnspecified()) {
        return {};
    }
    return address.toString() + "/" + std::to_string(length);
}

std::string UdpEndpoint::toString() const
{
    const std::string port_ = std::to_string(port);
    switch (address.family) {
    case AF_INET:
        return address.toString() + ":" + port_;
    case AF_INET6:
        return "[" + address.toString() + "]:" + port_;
    default:
        return ":" + port_;
    }
}

socklen_t toSockaddr(const UdpEndpoint& ep, int socketFamily, sockaddr_storage* out)
{
    std::memset(out, 0, sizeof *out);
    if (socketFamily == AF_INET) {
        if (ep.address.family == AF_INET6) {
            return 0; // an IPv6 endpoint cannot be reached from an IPv4 socket
        }
        auto* sin = reinterpret_cast<sockaddr_in*>(out);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(ep.port);
        if (ep.address.family == AF_INET) {
            std::memcpy(&sin->sin_addr, ep.address.bytes.data(), 4);
        } else {
            sin->sin_addr.s_addr = htonl(INADDR_ANY);
        }
        return sizeof(sockaddr_in);
    }
    if (socketFamily == AF_INET6) {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(out);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(ep.port);
        if (ep.address.family == AF_INET6) {
            std::memcpy(&sin6->sin6_addr, ep.address.bytes.data(), 16);
        } else if (ep.address.family == AF_INET) {
            // ::ffff:a.b.c.d
            sin6->sin6_addr.s6_addr[10] = 0xff;
            sin6->sin6_addr.s6_addr[11] = 0xff;
            std::memcpy(&sin6->sin6_addr.s6_addr[12], ep.address.bytes.data(), 4);
        } else {
            sin6->sin6_addr = in6addr_any;
        }
        return sizeof(sockaddr_in6);
    }
    return 0;
}

UdpEndpoint fromSockaddr(const sockaddr* sa)
{
    UdpEndpoint ep;
    if (!sa) {
        return ep;
    }
    if (sa->sa_family == AF_INET) {
        const auto* sin = reinterpret_cast<const sockaddr_in*>(sa);
        ep.address = IpAddress::v4(reinterpret_cast<const uint8_t*>(&sin->sin_addr));
        ep.port = ntohs(sin->sin_port);
    } else if (sa->sa_family == AF_INET6) {
        const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(sa);
        const auto* raw = reinterpret_cast<const uint8_t*>(&sin6->sin6_addr);
        ep.address =
            IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr) ? IpAddress::v4(raw + 12) : IpAddress::v6(raw);
        ep.port = ntohs(sin6->sin6_port);
    }
    return ep;
}

} // namespace peertun::engine
