// What the forwarding loop needs of its UDP socket, by the batch:
//   sendBatch: runs of equal-size datagrams to one peer go out as one UDP_SEGMENT (GSO)
//              message, a batch of messages per sendmmsg; once the kernel refuses GSO, the
//              socket sends datagram by datagram from then on.
//   recvBatch: recvmmsg with UDP_GRO: one slot may hold many equal-size datagrams of one
//              sender, and says their size.
//   readErrors: the ICMP errors IP_RECVERR queued (an unreachable peer).
//   sources:   on a socket bound to a wildcard address, each datagram says which local
//              address it came to (IP_PKTINFO / IPV6_PKTINFO), and a message may name the
//              local address it leaves from: a multi-homed host answers from the address the
//              peer wrote to, not from the one the route would pick.
// UdpSocket is the real one (the system calls and their control messages); unit tests put a
// fake in its place. The grouping and the fallback are written once, here, for both.
#pragma once

#include "Worker.h"

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <sys/socket.h>

namespace peertun::engine {

// A local address of this host, as IP_PKTINFO / IPV6_PKTINFO carry it: the one a datagram
// came to, or the one a message leaves from. IPv4 peers of a dual-stack socket have v4-mapped
// ones (family AF_INET6).
struct UdpSource
{
    uint32_t ifindex = 0;        // the interface it came in on; sent only for link-local ones
    uint16_t family = AF_UNSPEC; // AF_UNSPEC: none (the kernel picks by the route)
    uint8_t address[16]{};       // 4 bytes for AF_INET
    bool operator==(const UdpSource&) const = default;
};

class UdpSendBatch
{
public:
    static constexpr unsigned kMaxMessages = 64; // per sendmmsg
    static constexpr unsigned kMaxSegments = 64; // the kernel's UDP_MAX_SEGMENTS is at least this
    static constexpr size_t kMaxPayload = 65507; // IPv4: 65535 - 20 - 8

    struct Message
    {
        uint32_t peer; // the caller's: datagrams join only with those of the same peer
        socklen_t toLen;
        const sockaddr* to;
        const uint8_t* data;
        uint32_t bytes;          // of all its datagrams
        uint32_t callerBytes;    // the caller's byte counts of its datagrams, summed (the loop's:
                                 // the packets before sealing)
        uint32_t segments;       // datagrams
        uint16_t segmentSize;    // the UDP_SEGMENT value; 0 for a single datagram
        uint16_t lastSize;       // of the last datagram: only it may be shorter than segmentSize
        const UdpSource* source; // the local address to send from; null: the route's
        // Set by Udp::sendBatch:
        uint32_t sent;       // datagrams the kernel took
        int error;           // errno when the message failed as a whole, else 0
        bool sourceRejected; // `source` is gone: sent (or failed) without it
    };

    // Adds one datagram. It joins the last message if it lies right after it in memory, is
    // for the same peer, and the message stays one UDP_SEGMENT send (all datagrams but the
    // last of one size, at most kMaxSegments and kMaxPayload bytes). False if the batch has
    // no message left for it.
    bool add(uint32_t peer, const sockaddr* to, socklen_t toLen, const uint8_t* data, size_t len,
             uint32_t callerBytes, const UdpSource* source = nullptr)
    {
        if (m_count > 0) {
            Message& m = m_messages[m_count - 1];
            const size_t first = m.segments == 1 ? m.bytes : m.segmentSize;
            if (m.peer == peer && m.source == source && m.data + m.bytes == data &&
                m.segments < kMaxSegments && m.lastSize == first && len <= first &&
                m.bytes + len <= kMaxPayload) {
                m.segmentSize = uint16_t(first);
                m.segments += 1;
                m.bytes += uint32_t(len);
                m.callerBytes += callerBytes;
                m.lastSize = uint16_t(len);
                return true;
            }
        }
        if (m_count == kMaxMessages) {
            return false;
        }
        Message& m = m_messages[m_count++];
        m = {};
        m.peer = peer;
        m.toLen = toLen;
        m.to = to;
        m.data = data;
        m.bytes = uint32_t(len);
        m.callerBytes = callerBytes;
        m.segments = 1;
        m.lastSize = uint16_t(len);
        m.source = source;
        return true;
    }
    unsigned size() const { return m_count; }
    void clear()
    {
        m_count = 0;
        gsoRefused = 0;
    }
    Message& operator[](unsigned i) { return m_messages[i]; }
    const Message& operator[](unsigned i) const { return m_messages[i]; }

    int gsoRefused = 0; // set by sendBatch: the errno with which the kernel refused GSO

private:
    Message m_messages[kMaxMessages];
    unsigned m_count = 0;
};

// Receive slots of kSlotBytes each: the largest datagram, or a GRO train of them.
class UdpRecvBatch
{
public:
    static constexpr unsigned kSlots = 16;
    static constexpr size_t kSlotBytes = 65536;

    UdpRecvBatch() : m_buffer(std::make_unique<uint8_t[]>(kSlots * kSlotBytes)) {}
    uint8_t* slot(unsigned i) { return m_buffer.get() + size_t(i) * kSlotBytes; }

    struct Datagram
    {
        uint32_t len = 0;         // bytes in the slot
        uint32_t segmentSize = 0; // with GRO: the size of each datagram but the last; else len
        bool truncated = false;   // larger than the slot (MSG_TRUNC)
        sockaddr_storage from{};
        UdpSource local; // the address it came to (a wildcard socket only; else AF_UNSPEC)
    };
    Datagram datagrams[kSlots];
    unsigned count = 0;

private:
    std::unique_ptr<uint8_t[]> m_buffer;
};

struct SocketError
{
    sockaddr_storage offender{}; // where the datagram that caused it was going
    int error = 0;               // 0: an entry without an errno
};

class Udp
{
public:
    virtual ~Udp() = default;
    // Polls readable while a receive may find datagrams, with POLLERR while errors are queued.
    virtual int pollFd() const = 0;
    // The poll events of pollFd() as the loop reads them (a fake adds POLLERR itself).
    virtual int events(int pollEvents) const { return pollEvents; }
    // Blocks until a receive may find datagrams (POLLIN) or errors are queued (POLLERR), or
    // `stop` is raised: the socket's poll events, or StopSignal::kStopped.
    int wait(const StopSignal& stop) const
    {
        const int e = stop.wait(pollFd());
        return e == StopSignal::kStopped ? e : events(e);
    }
    // Sends every message of the batch, setting each one's `sent` and `error`, and the batch's
    // `gsoRefused` if this batch found that the kernel refuses UDP_SEGMENT. A message whose
    // source the kernel refuses (the address is gone) goes again without it, once, with
    // `sourceRejected` set.
    void sendBatch(UdpSendBatch& batch);
    // Receives what is queued (without blocking) into the batch; its count, 0 for nothing.
    virtual unsigned recvBatch(UdpRecvBatch& batch) = 0;
    // Takes up to `max` queued socket errors.
    virtual unsigned readErrors(SocketError* out, unsigned max) = 0;
    // False once the kernel refused UDP_SEGMENT: messages then go datagram by datagram.
    bool segmentationOffload() const { return m_gso; }
    // Whether received datagrams say which local address they came to (UdpRecvBatch's
    // `local`), so that answers can leave from it: a socket on a wildcard address.
    virtual bool reportsLocalAddresses() const { return false; }
    // Whether `err` from a send with a source says the source is gone (removed address, link
    // down): then the same send without it may go.
    static bool sourceGone(int err)
    {
        return err == EINVAL || err == EADDRNOTAVAIL || err == ENETUNREACH;
    }

protected:
    // sendmmsg of batch[first, first + count): how many messages the kernel took, or -errno
    // if the first failed.
    virtual int sendMessages(const UdpSendBatch& batch, unsigned first, unsigned count) = 0;
    // sendto of one datagram of a message (from its source, if any): 0, or the errno.
    virtual int sendDatagram(const UdpSendBatch::Message& m, const uint8_t* data, size_t len) = 0;

private:
    void sendOneByOne(UdpSendBatch::Message& m);
    bool m_gso = true;
};

} // namespace peertun::engine
