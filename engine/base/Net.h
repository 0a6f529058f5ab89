// Plain address types for the data plane (no Qt): an IP address, a prefix, a UDP endpoint.
#pragma once

#include <array>
#include <cstdint>
#include <netinet/in.h>
#include <optional>
#include <string>
#include <sys/socket.h>

namespace peertun::engine {

struct IpAddress
{
    int family = AF_UNSPEC;          // AF_INET or AF_INET6; AF_UNSPEC = none / any
    std::array<uint8_t, 16> bytes{}; // network byte order; IPv4 uses the first 4 bytes

    static IpAddress v4(const uint8_t* p);
    static IpAddress v6(const uint8_t* p);
    static std::optional<IpAddress> parse(const std::string& text); // "10.0.0.1", "fd00::1"
    int bitLength() const { return family == AF_INET ? 32 : 128; }
    int byteLength() const { return family == AF_INET ? 4 : 16; }
    bool isUnspecified() const { return family == AF_UNSPEC; }
    std::string toString() const;
    friend bool operator==(const IpAddress&, const IpAddress&) = default;
};

struct IpPrefix
{
    IpAddress address;
    int length = 0;

    static std::optional<IpPrefix> parse(const std::string& text); // "10.244.3.0/24"
    IpPrefix network() const;                                      // host bits cleared
    bool contains(const IpAddress& a) const;
    std::string toString() const;
    friend bool operator==(const IpPrefix&, const IpPrefix&) = default;
};

struct UdpEndpoint
{
    IpAddress address; // AF_UNSPEC for "any" (listen only)
    uint16_t port = 0;

    std::string toString() const; // "10.0.0.1:8285", "[fd00::1]:8285", ":8285"
    friend bool operator==(const UdpEndpoint&, const UdpEndpoint&) = default;
};

// Socket address of `ep` for a socket of `socketFamily`: IPv4 endpoints become v4-mapped
// IPv6 addresses on a dual-stack IPv6 socket.
socklen_t toSockaddr(const UdpEndpoint& ep, int socketFamily, sockaddr_storage* out);
// The endpoint a socket address names; v4-mapped IPv6 comes back as IPv4.
UdpEndpoint fromSockaddr(const sockaddr* sa);

} // namespace peertun::engine
