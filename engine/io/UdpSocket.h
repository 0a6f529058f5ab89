// The tunnel's UDP socket: bound to the profile's listen address, IPv4 or IPv6 (dual-stack
// when listening on "any" with IPv6 peers), close-on-exec. Sends block (with a short timeout)
// so a full send buffer slows the sender instead of dropping; receives use MSG_DONTWAIT.
#pragma once

#include "Fd.h"
#include "Net.h"
#include "Udp.h"

#include <cstdint>
#include <netinet/in.h>
#include <sys/socket.h>
#include <vector>

namespace peertun::engine {

class UdpSocket final : public Udp
{
public:
    // Throws TunnelError: Busy "UDP port 8285 on 10.211.55.122 is already in use", Failed with
    // the reason for an address that is not on this host, PermissionDenied for ports < 1024.
    // `peers` decides the family when `listen` has no address; `anyFamily` (peers named by
    // host names, whose family is not known yet) asks for a dual-stack socket then, IPv4 only
    // where the host has no IPv6.
    static UdpSocket bind(const UdpEndpoint& listen, const std::vector<UdpEndpoint>& peers,
                          bool anyFamily = false);

    int fd() const { return m_fd.get(); }
    int family() const { return m_family; }
    // An IPv6 socket that also sends to and receives from IPv4 (v4-mapped) addresses.
    bool dualStack() const { return m_dualStack; }
    // Bound to a wildcard address (0.0.0.0, ::, or none given): each datagram reports the
    // local address it came to, and messages may name the one they leave from.
    bool wildcard() const { return m_wildcard; }
    // One datagram to `to` from `source` (null: the route's address), for the sends outside
    // the forwarding threads' batches (WireGuard handshakes, keepalives); any thread. A
    // source that is gone is dropped and the datagram sent without it. 0, or the errno.
    int sendOne(const sockaddr* to, socklen_t toLen, const uint8_t* data, size_t len,
                const UdpSource* source, int flags) const;
    UdpEndpoint localEndpoint() const;
    // SO_MARK on every packet the socket sends (a full tunnel's underlay skips the tunnel's
    // routing table by it). Needs CAP_NET_ADMIN; throws TunnelError.
    void setMark(uint32_t mark);

    // Path MTU the kernel knows towards `peer` (route MTU), or 0 if there is no route.
    static int pathMtuTo(const UdpEndpoint& peer);

    int pollFd() const override { return m_fd.get(); }
    bool reportsLocalAddresses() const override { return m_wildcard; }
    unsigned recvBatch(UdpRecvBatch& batch) override;
    unsigned readErrors(SocketError* out, unsigned max) override;

protected:
    int sendMessages(const UdpSendBatch& batch, unsigned first, unsigned count) override;
    int sendDatagram(const UdpSendBatch::Message& m, const uint8_t* data, size_t len) override;

private:
    UdpSocket(Fd fd, int family, bool dualStack, bool wildcard)
        : m_fd(std::move(fd)), m_family(family), m_dualStack(dualStack), m_wildcard(wildcard)
    {}
    Fd m_fd;
    int m_family = AF_INET;
    bool m_dualStack = false;
    bool m_wildcard = false;
    // Room for UDP_SEGMENT and a source address (IP_PKTINFO or IPV6_PKTINFO) per message; for
    // UDP_GRO and the destination address per received datagram.
    static constexpr size_t kSendControl =
        CMSG_SPACE(sizeof(uint16_t)) + CMSG_SPACE(sizeof(in6_pktinfo));
    static constexpr size_t kRecvControl =
        CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(in6_pktinfo));
    // The system calls' views of a batch, rebuilt by each call (one sending and one receiving
    // thread: each touches only its own).
    mmsghdr m_sendHeaders[UdpSendBatch::kMaxMessages]{};
    iovec m_sendIov[UdpSendBatch::kMaxMessages]{};
    alignas(cmsghdr) uint8_t m_sendControl[UdpSendBatch::kMaxMessages][kSendControl]{};
    mmsghdr m_recvHeaders[UdpRecvBatch::kSlots]{};
    iovec m_recvIov[UdpRecvBatch::kSlots]{};
    alignas(cmsghdr) uint8_t m_recvControl[UdpRecvBatch::kSlots][kRecvControl]{};
};

} // namespace peertun::engine
