#include "UdpSocket.h"

#include "TunnelError.h"

#include <cerrno>
#include <cstring>
#include <linux/errqueue.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sys/socket.h>

namespace peertun::engine {
namespace {

bool isWildcard(const IpAddress& a)
{
    if (a.isUnspecified()) {
        return true;
    }
    for (int i = 0; i < a.byteLength(); ++i) {
        if (a.bytes[size_t(i)] != 0) {
            return false;
        }
    }
    return true;
}

// The source of a message as a control message at `at` (room for CMSG_SPACE(in6_pktinfo));
// the bytes it took. The interface goes with link-local addresses only: anything else may
// leave by whichever interface the route to the peer names.
size_t putSource(cmsghdr* c, const UdpSource& s)
{
    if (s.family == AF_INET) {
        in_pktinfo info{};
        std::memcpy(&info.ipi_spec_dst, s.address, 4);
        c->cmsg_level = IPPROTO_IP;
        c->cmsg_type = IP_PKTINFO;
        c->cmsg_len = CMSG_LEN(sizeof info);
        std::memcpy(CMSG_DATA(c), &info, sizeof info);
        return CMSG_SPACE(sizeof info);
    }
    in6_pktinfo info{};
    std::memcpy(&info.ipi6_addr, s.address, 16);
    if (IN6_IS_ADDR_LINKLOCAL(&info.ipi6_addr)) {
        info.ipi6_ifindex = s.ifindex;
    }
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof info);
    std::memcpy(CMSG_DATA(c), &info, sizeof info);
    return CMSG_SPACE(sizeof info);
}

} // namespace

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
    // On any address, which one a datagram came to: the answer leaves from it (a host with
    // several addresses). An IPv6 socket reports IPv4 ones too, v4-mapped.
    const bool wildcard = isWildcard(listen.address);
    if (wildcard) {
        if (family == AF_INET6) {
            ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on);
        } else {
            ::setsockopt(fd.get(), IPPROTO_IP, IP_PKTINFO, &on, sizeof on);
        }
    }

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
                     family == AF_INET6 && listen.address.family == AF_UNSPEC, wildcard);
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

int UdpSocket::sendMessages(const UdpSendBatch& batch, unsigned first, unsigned count)
{
    for (unsigned k = 0; k < count; ++k) {
        const UdpSendBatch::Message& m = batch[first + k];
        msghdr& h = m_sendHeaders[k].msg_hdr;
        m_sendIov[k] = {const_cast<uint8_t*>(m.data), m.bytes};
        h.msg_name = const_cast<sockaddr*>(m.to);
        h.msg_namelen = m.toLen;
        h.msg_iov = &m_sendIov[k];
        h.msg_iovlen = 1;
        if (m.segmentSize || m.source) {
            // CMSG_NXTHDR needs msg_controllen to cover the next header: walk by hand.
            uint8_t* at = m_sendControl[k];
            if (m.segmentSize) {
                auto* c = reinterpret_cast<cmsghdr*>(at);
                c->cmsg_level = SOL_UDP;
                c->cmsg_type = UDP_SEGMENT;
                c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
                std::memcpy(CMSG_DATA(c), &m.segmentSize, sizeof(uint16_t));
                at += CMSG_SPACE(sizeof(uint16_t));
            }
            if (m.source) {
                at += putSource(reinterpret_cast<cmsghdr*>(at), *m.source);
            }
            h.msg_control = m_sendControl[k];
            h.msg_controllen = size_t(at - m_sendControl[k]);
        } else {
            h.msg_control = nullptr;
            h.msg_controllen = 0;
        }
    }
    const int sent = ::sendmmsg(m_fd.get(), m_sendHeaders, count, 0);
    return sent < 0 ? -errno : sent;
}

int UdpSocket::sendDatagram(const UdpSendBatch::Message& m, const uint8_t* data, size_t len)
{
    if (!m.source) {
        return ::sendto(m_fd.get(), data, len, 0, m.to, m.toLen) < 0 ? errno : 0;
    }
    return sendOne(m.to, m.toLen, data, len, m.source, 0);
}

int UdpSocket::sendOne(const sockaddr* to, socklen_t toLen, const uint8_t* data, size_t len,
                       const UdpSource* source, int flags) const
{
    iovec iov{const_cast<uint8_t*>(data), len};
    msghdr h{};
    h.msg_name = const_cast<sockaddr*>(to);
    h.msg_namelen = toLen;
    h.msg_iov = &iov;
    h.msg_iovlen = 1;
    alignas(cmsghdr) uint8_t control[CMSG_SPACE(sizeof(in6_pktinfo))]{};
    if (source && source->family != AF_UNSPEC) {
        h.msg_control = control;
        h.msg_controllen = putSource(reinterpret_cast<cmsghdr*>(control), *source);
    }
    if (::sendmsg(m_fd.get(), &h, flags) >= 0) {
        return 0;
    }
    const int err = errno;
    if (h.msg_control && Udp::sourceGone(err)) {
        h.msg_control = nullptr;
        h.msg_controllen = 0;
        return ::sendmsg(m_fd.get(), &h, flags) >= 0 ? 0 : errno;
    }
    return err;
}

unsigned UdpSocket::recvBatch(UdpRecvBatch& batch)
{
    for (unsigned i = 0; i < UdpRecvBatch::kSlots; ++i) {
        msghdr& h = m_recvHeaders[i].msg_hdr;
        m_recvIov[i] = {batch.slot(i), UdpRecvBatch::kSlotBytes};
        h.msg_iov = &m_recvIov[i];
        h.msg_iovlen = 1;
        h.msg_name = &batch.datagrams[i].from;
        h.msg_namelen = sizeof(sockaddr_storage);
        h.msg_control = m_recvControl[i];
        h.msg_controllen = sizeof m_recvControl[i];
        h.msg_flags = 0;
    }
    const int n =
        ::recvmmsg(m_fd.get(), m_recvHeaders, UdpRecvBatch::kSlots, MSG_DONTWAIT, nullptr);
    if (n <= 0) {
        batch.count = 0;
        return 0; // EAGAIN, EINTR, or the pending error of a queued ICMP report
    }
    for (int i = 0; i < n; ++i) {
        msghdr& h = m_recvHeaders[i].msg_hdr;
        UdpRecvBatch::Datagram& d = batch.datagrams[i];
        d.len = m_recvHeaders[i].msg_len;
        d.truncated = (h.msg_flags & MSG_TRUNC) != 0;
        // With UDP_GRO the kernel hands over several datagrams of one flow back to back.
        d.segmentSize = d.len;
        d.local.family = AF_UNSPEC;
        for (cmsghdr* c = CMSG_FIRSTHDR(&h); c; c = CMSG_NXTHDR(&h, c)) {
            if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
                int size = 0;
                std::memcpy(&size, CMSG_DATA(c), sizeof size);
                if (size > 0) {
                    d.segmentSize = uint32_t(size);
                }
            } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
                in_pktinfo info{};
                std::memcpy(&info, CMSG_DATA(c), sizeof info);
                d.local.family = AF_INET;
                d.local.ifindex = uint32_t(info.ipi_ifindex);
                std::memcpy(d.local.address, &info.ipi_addr, 4); // the header's destination
                std::memset(d.local.address + 4, 0, sizeof d.local.address - 4);
            } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
                in6_pktinfo info{};
                std::memcpy(&info, CMSG_DATA(c), sizeof info);
                d.local.family = AF_INET6;
                d.local.ifindex = info.ipi6_ifindex;
                std::memcpy(d.local.address, &info.ipi6_addr, 16);
            }
        }
    }
    batch.count = unsigned(n);
    return batch.count;
}

unsigned UdpSocket::readErrors(SocketError* out, unsigned max)
{
    // IP_RECVERR queues one entry per ICMP error; the original destination names the peer.
    unsigned count = 0;
    for (; count < max; ++count) {
        SocketError& e = out[count];
        e = {};
        alignas(cmsghdr) uint8_t control[512];
        uint8_t payload[64];
        iovec iov{payload, sizeof payload};
        msghdr h{};
        h.msg_name = &e.offender;
        h.msg_namelen = sizeof e.offender;
        h.msg_iov = &iov;
        h.msg_iovlen = 1;
        h.msg_control = control;
        h.msg_controllen = sizeof control;
        if (::recvmsg(m_fd.get(), &h, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
            break;
        }
        for (cmsghdr* c = CMSG_FIRSTHDR(&h); c; c = CMSG_NXTHDR(&h, c)) {
            if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
                (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)) {
                sock_extended_err ee{};
                std::memcpy(&ee, CMSG_DATA(c), sizeof ee);
                e.error = int(ee.ee_errno);
            }
        }
    }
    return count;
}

} // namespace peertun::engine
