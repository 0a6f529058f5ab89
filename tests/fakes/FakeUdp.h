// A UDP socket in memory: what the loop sends is kept message by message (with the
// UDP_SEGMENT size it asked for), the test queues what arrives (optionally as a GRO train)
// and socket errors. It can refuse GSO as a kernel without it does (EIO for a UDP_SEGMENT
// message) and fail sends to one destination. Thread-safe like FakeTun.
#pragma once

#include "Fd.h"
#include "Net.h"
#include "Udp.h"

#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

namespace peertun::engine {

class FakeUdp final : public Udp
{
public:
    explicit FakeUdp(int family = AF_INET); // throws TunnelError (eventfd)

    struct Arrival
    {
        UdpEndpoint from;
        std::vector<uint8_t> bytes; // one datagram, or a GRO train of them back to back
        uint32_t groSize = 0;       // the UDP_GRO size of a train; 0: one datagram
        bool truncated = false;
    };
    void queueArrival(Arrival a);
    // One that came to the local address `local`, as a socket on a wildcard address says.
    void queueArrivalAt(Arrival a, const IpAddress& local);
    void queueError(const UdpEndpoint& offender, int err);

    // Refuse UDP_SEGMENT messages with `err` (0: accept them).
    void refuseGso(int err);
    // Fail every send to `to` with `err` (0: stop failing).
    void failSendsTo(const UdpEndpoint& to, int err);
    // Fail every send from the local address `from` with `err`, as the kernel does for an
    // address no longer on the host (0: stop failing).
    void failSendsFrom(const IpAddress& from, int err);
    // The fake's form of a local address (v4-mapped on an AF_INET6 socket), and back.
    UdpSource sourceOf(const IpAddress& a) const;
    static IpAddress addressOf(const UdpSource& s);

    struct Sent
    {
        UdpEndpoint to;
        std::vector<uint8_t> bytes;
        uint16_t segmentSize = 0; // UDP_SEGMENT; 0 for a single datagram
        bool bySendto = false;    // sent datagram by datagram (the fallback)
        IpAddress from;           // the source it named; unset: the route's
    };
    std::vector<Sent> takeSent();
    unsigned sendmmsgCalls() const;

    int pollFd() const override { return m_readable.get(); }
    bool reportsLocalAddresses() const override { return true; } // when an Arrival names one
    int events(int pollEvents) const override;
    unsigned recvBatch(UdpRecvBatch& batch) override;
    unsigned readErrors(SocketError* out, unsigned max) override;

protected:
    int sendMessages(const UdpSendBatch& batch, unsigned first, unsigned count) override;
    int sendDatagram(const UdpSendBatch::Message& m, const uint8_t* data, size_t len) override;

private:
    int failureFor(const UdpEndpoint& to, const UdpSource* from) const;
    void updateReadable();

    int m_family;
    mutable std::mutex m_mutex;
    struct Queued
    {
        Arrival arrival;
        IpAddress local;
    };
    std::deque<Queued> m_arrivals;
    std::deque<SocketError> m_errors;
    std::vector<Sent> m_sent;
    int m_gsoError = 0;
    std::vector<std::pair<UdpEndpoint, int>> m_failing;
    std::vector<std::pair<IpAddress, int>> m_failingFrom;
    unsigned m_sendmmsgCalls = 0;
    Fd m_readable; // an eventfd, readable while arrivals or errors are queued
};

} // namespace peertun::engine
