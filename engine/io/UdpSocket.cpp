#include "UdpSocket.h"

#include "TunnelError.h"

#include <cerrno>
#include <cstring>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sys/socket.h>

namespace peertun::engine {

UdpSocket UdpSocket::bind(const UdpEndpoint& listen, const std::vector<UdpEndpoint>& peers,
                          bool anyFamily)
{
    int family = listen.address.family;
    if (family == AF_UNSPEC) {
        family = anyFamily ? AF_INET6 : AF_INET;
        for (const UdpEndpoint& p : peers) {
            if (p.address.family == AF_INET6) {
                family = AF_INET6; // dual-stack, IPv4 peers become v4-mapped
            }
        }
    }
    // Blocking for sends (a full send buffer is backpressure, not loss); the receive side
    // uses MSG_DONTWAIT after poll().
    Fd fd(::socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd.valid() && errno == EAFNOSUPPORT && anyFamily && listen.address.family == AF_UNSPEC) {
        family = AF_INET; // IPv6 is off on this host: host names resolve to IPv4 then
        fd.reset(::socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    }
    if (!fd.valid()) {
        const int err = errno;
        throw TunnelError(TunnelError::kindFromErrno(err),
                          std::string("cannot open a UDP socket: ") + std::strerror(err));
    }
    if (family == AF_INET6) {
        const int v6only = listen.address.family == AF_UNSPEC ? 0 : 1;
        ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof v6only);
    }
    // Big buffers absorb bursts between the two forwarding threads' batches.
    const int buf = 4 << 20;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &buf, sizeof buf);
    ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    // A send never blocks a stop() for long, even if the underlay stalls.
    const timeval sendTimeout{0, suseconds_t{200} * 1000};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, sizeof sendTimeout);

    const int on = 1;
    // ICMP errors (port unreachable when the peer's helper is down, no route) are otherwise
    // ignored on an unconnected socket; queued, they tell which peer is unreachable.
    ::setsockopt(fd.get(), IPPROTO_IP, IP_RECVERR, &on, sizeof on);
    if (family == AF_INET6) {
        ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof on);
    }
    // Receive a burst of datagrams from one peer as one buffer (split again in the loop).
    ::setsockopt(fd.get(), SOL_UDP, UDP_GRO, &on, sizeof on);

    sockaddr_storage ss{};
    const socklen_t len = toSockaddr(listen, family, &ss);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        const int err = errno;
        const std::string where =
            listen.address.family == AF_UNSPEC
                ? "UDP port " + std::to_string(listen.port)
                : "UDP port " + std::to_string(listen.port) + " on " + listen.address.toString();
        if (err == EADDRINUSE) {
            throw TunnelError(TunnelError::Kind::Busy, where + " is already in use");
        }
        if (err == EADDRNOTAVAIL) {
            throw TunnelError(TunnelError::Kind::Failed,
                              "listen address " + listen.address.toString() +
                                  " is not assigned to any interface on this host");
        }
        if (err == EACCES || err == EPERM) {
            throw TunnelError(TunnelError::Kind::PermissionDenied,
                              where + " needs root or CAP_NET_BIND_SERVICE");
        }
        throw TunnelError(TunnelError::Kind::Failed,
                          "cannot bind " + where + ": " + std::strerror(err));
    }
    return UdpSocket(std::move(fd), family,
                     family == AF_INET6 && listen.address.family == AF_UNSPEC);
}

void UdpSocket::setMark(uint32_t mark)
{
    if (::setsockopt(m_fd.get(), SOL_SOCKET, SO_MARK, &mark, sizeof mark) != 0) {
        const int err = errno;
        if (err == EPERM) {
            throw TunnelError(TunnelError::Kind::PermissionDenied,
                              "marking the tunnel's UDP packets (SO_MARK) needs root or "
                              "CAP_NET_ADMIN");
        }
        throw TunnelError(TunnelError::Kind::Failed,
                          std::string("cannot mark the tunnel's UDP packets (SO_MARK): ") +
                              std::strerror(err));
    }
}

UdpEndpoint UdpSocket::localEndpoint() const
{
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(m_fd.get(), reinterpret_cast<sockaddr*>(&ss), &len) != 0) {
        return {};
    }
    return fromSockaddr(reinterpret_cast<sockaddr*>(&ss));
}

int UdpSocket::pathMtuTo(const UdpEndpoint& peer)
{
    // A connected UDP socket reports the route's MTU through IP_MTU / IPV6_MTU: the kernel
    // does the route lookup, including policy routing, exactly as for the real traffic.
    const int family = peer.address.family;
    Fd fd(::socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd.valid()) {
        return 0;
    }
    sockaddr_storage ss{};
    const socklen_t len = toSockaddr(peer, family, &ss);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        return 0;
    }
    int mtu = 0;
    socklen_t optlen = sizeof mtu;
    const int rc = family == AF_INET
                       ? ::getsockopt(fd.get(), IPPROTO_IP, IP_MTU, &mtu, &optlen)
                       : ::getsockopt(fd.get(), IPPROTO_IPV6, IPV6_MTU, &mtu, &optlen);
    return rc == 0 ? mtu : 0;
}

} // namespace peertun::engine
