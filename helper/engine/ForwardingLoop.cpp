#include "ForwardingLoop.h"

#include "Packet.h"
#include "TunnelError.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>

namespace peertun::engine {
namespace {

int64_t nowMs()
{
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

size_t roundUp(size_t n, size_t to)
{
    return (n + to - 1) / to * to;
}

// Per-thread packet buffers: one contiguous arena of kBatch slots, allocated once.
struct SlotArena
{
    SlotArena(size_t slotSize, unsigned count)
        : size(slotSize), bytes(std::make_unique<uint8_t[]>(slotSize * count))
    {
    }
    uint8_t* slot(unsigned i) { return bytes.get() + size_t(i) * size; }
    size_t size;
    std::unique_ptr<uint8_t[]> bytes;
};

// Rate-limited warning from a forwarding thread: one line per interval and kind, with how
// many were held back, so a flood costs a branch, not a log line.
template <typename MakeText>
void warnLimited(RateLimiter& limiter, EventLog* log, const std::string& tunnel, MakeText&& text)
{
    uint64_t held = 0;
    if (log && limiter.allow(nowMs(), &held)) {
        std::string line = text();
        if (held > 0) {
            line += " (" + std::to_string(held) + " more since the last report)";
        }
        log->add(LogLevel::Warning, tunnel, std::move(line));
    }
}

} // namespace

Encapsulation::Result PlainEncapsulation::open(const sockaddr* from, uint8_t**, size_t*,
                                               uint32_t* peer)
{
    *peer = m_peers.lookupEndpoint(from);
    if (*peer == PeerTable::kNoPeer) {
        return {Verdict::Drop, DropReason::UnknownSourceEndpoint};
    }
    return {};
}

ForwardingLoop::ForwardingLoop(ForwardingSetup setup)
    : m_setup(std::move(setup)), m_stop(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
{
    if (!m_stop.valid()) {
        throw TunnelError(TunnelError::Kind::Failed,
                          std::string("cannot create an eventfd: ") + std::strerror(errno));
    }
    const size_t mtu = m_setup.mtu > 1500 ? size_t(m_setup.mtu) : 1500;
    m_slotCapacity = mtu;
    m_peerAddrs.resize(m_setup.peerEndpoints.size());
    m_peerAddrLens.resize(m_setup.peerEndpoints.size());
    for (size_t i = 0; i < m_setup.peerEndpoints.size(); ++i) {
        m_peerAddrLens[i] = toSockaddr(m_setup.peerEndpoints[i], m_setup.udpFamily, &m_peerAddrs[i]);
    }
}

ForwardingLoop::~ForwardingLoop()
{
    stop();
}

void ForwardingLoop::start()
{
    m_tx = std::thread([this] { tunToUdp(); });
    m_rx = std::thread([this] { udpToTun(); });
}

void ForwardingLoop::stop()
{
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t w = ::write(m_stop.get(), &one, sizeof one);
    if (m_tx.joinable()) {
        m_tx.join();
    }
    if (m_rx.joinable()) {
        m_rx.join();
    }
}

void ForwardingLoop::tunToUdp()
{
    Encapsulation& encap = *m_setup.encapsulation;
    const PeerTable& table = *m_setup.peers;
    TunnelCounters& counters = *m_setup.counters;
    const size_t head = encap.headroom();
    const size_t readCapacity = m_slotCapacity;
    SlotArena arena(roundUp(head + readCapacity + encap.tailroom(), 64), kBatch);

    mmsghdr msgs[kBatch];
    iovec iov[kBatch];
    uint32_t peerOf[kBatch];
    uint32_t innerLen[kBatch];
    std::memset(msgs, 0, sizeof msgs);

    RateLimiter readErrors;
    RateLimiter sendErrors;
    pollfd fds[2] = {{m_setup.tunFd, POLLIN, 0}, {m_stop.get(), POLLIN, 0}};
    bool mayHaveMore = false; // last batch was full: read again before sleeping in poll()

    for (;;) {
        if (!mayHaveMore) {
            if (::poll(fds, 2, -1) < 0) {
                if (errno == EINTR) {
                    continue;
                }
                break;
            }
            if (fds[1].revents) {
                break;
            }
        }
        unsigned n = 0;
        uint64_t noPeer = 0;
        uint64_t malformed = 0;
        uint64_t sealDrops[kDropReasonCount] = {};
        while (n < kBatch) {
            uint8_t* data = arena.slot(n) + head;
            const ssize_t r = ::read(m_setup.tunFd, data, readCapacity);
            if (r < 0) {
                if (errno == EINTR) {
                    continue;
                }
                if (errno != EAGAIN) {
                    const int err = errno;
                    warnLimited(readErrors, m_setup.log, m_setup.tunnelName, [&] {
                        return std::string("reading from the TUN device failed: ") + std::strerror(err);
                    });
                }
                break;
            }
            IpHeaderView ip;
            if (!viewIpAddresses(data, size_t(r), &ip)) {
                ++malformed;
                continue;
            }
            const uint32_t peer = table.lookupAddress(ip.family, ip.dst);
            if (peer == PeerTable::kNoPeer) {
                ++noPeer;
                continue;
            }
            size_t len = size_t(r);
            const Encapsulation::Result sealed = encap.seal(peer, &data, &len);
            if (sealed.verdict != Encapsulation::Verdict::Forward) {
                if (sealed.verdict == Encapsulation::Verdict::Drop) {
                    ++sealDrops[size_t(sealed.reason)];
                }
                continue;
            }
            iov[n] = {data, len};
            msghdr& h = msgs[n].msg_hdr;
            h.msg_name = &m_peerAddrs[peer];
            h.msg_namelen = m_peerAddrLens[peer];
            h.msg_iov = &iov[n];
            h.msg_iovlen = 1;
            peerOf[n] = peer;
            innerLen[n] = uint32_t(r);
            ++n;
        }
        mayHaveMore = n == kBatch;

        uint64_t packets = 0;
        uint64_t bytes = 0;
        uint64_t failed = 0;
        unsigned off = 0;
        while (off < n) {
            const int sent = ::sendmmsg(m_setup.udpFd, msgs + off, n - off, 0);
            if (sent < 0) {
                if (errno == EINTR) {
                    continue;
                }
                // The message at `off` failed (ENETUNREACH, EMSGSIZE, ...): count it, go on.
                const int err = errno;
                const uint32_t peer = peerOf[off];
                counters.peerTx[peer].sendErrors.add(1);
                ++failed;
                ++off;
                warnLimited(sendErrors, m_setup.log, m_setup.tunnelName, [&] {
                    return "sending to peer " + m_setup.peerNames[peer] + " (" +
                           m_setup.peerEndpoints[peer].toString() + ") failed: " + std::strerror(err);
                });
                continue;
            }
            for (unsigned i = off; i < off + unsigned(sent); ++i) {
                auto& p = counters.peerTx[peerOf[i]];
                p.packets.add(1);
                p.bytes.add(innerLen[i]);
                bytes += innerLen[i];
            }
            packets += unsigned(sent);
            off += unsigned(sent);
        }
        counters.tx.packets.add(packets);
        counters.tx.bytes.add(bytes);
        if (noPeer) {
            counters.tx.drops[size_t(DropReason::NoPeerForDestination)].add(noPeer);
        }
        if (malformed) {
            counters.tx.drops[size_t(DropReason::Malformed)].add(malformed);
        }
        if (failed) {
            counters.tx.drops[size_t(DropReason::SendError)].add(failed);
        }
        for (size_t r = 0; r < kDropReasonCount; ++r) {
            if (sealDrops[r]) {
                counters.tx.drops[r].add(sealDrops[r]);
            }
        }
    }
}

void ForwardingLoop::udpToTun()
{
    Encapsulation& encap = *m_setup.encapsulation;
    const PeerTable& table = *m_setup.peers;
    TunnelCounters& counters = *m_setup.counters;
    // Room for the largest payload we accept; one byte more lets MSG_TRUNC flag bigger ones.
    const size_t recvCapacity = m_slotCapacity + encap.headroom() + encap.tailroom();
    SlotArena arena(roundUp(recvCapacity, 64), kBatch);

    mmsghdr msgs[kBatch];
    iovec iov[kBatch];
    sockaddr_storage from[kBatch];
    std::memset(msgs, 0, sizeof msgs);
    for (unsigned i = 0; i < kBatch; ++i) {
        iov[i] = {arena.slot(i), recvCapacity};
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &from[i];
    }

    RateLimiter strangers;
    RateLimiter outsiders;
    RateLimiter tooBig;
    RateLimiter writeErrors;
    pollfd fds[2] = {{m_setup.udpFd, POLLIN, 0}, {m_stop.get(), POLLIN, 0}};
    bool mayHaveMore = false;

    for (;;) {
        if (!mayHaveMore) {
            if (::poll(fds, 2, -1) < 0) {
                if (errno == EINTR) {
                    continue;
                }
                break;
            }
            if (fds[1].revents) {
                break;
            }
        }
        for (unsigned i = 0; i < kBatch; ++i) {
            msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
            msgs[i].msg_hdr.msg_flags = 0;
        }
        const int n = ::recvmmsg(m_setup.udpFd, msgs, kBatch, MSG_DONTWAIT, nullptr);
        if (n <= 0) {
            mayHaveMore = false;
            continue; // EAGAIN / EINTR; a socket error (ICMP) is not ours to act on here
        }
        mayHaveMore = unsigned(n) == kBatch;
        const int64_t now = nowMs();
        uint64_t drops[kDropReasonCount] = {};
        uint64_t packets = 0;
        uint64_t bytes = 0;

        for (int i = 0; i < n; ++i) {
            const auto* src = reinterpret_cast<const sockaddr*>(&from[i]);
            if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
                ++drops[size_t(DropReason::TooBig)];
                warnLimited(tooBig, m_setup.log, m_setup.tunnelName, [&] {
                    return "dropped a datagram from " + fromSockaddr(src).toString() +
                           " larger than " + std::to_string(m_slotCapacity) +
                           " bytes; check that both ends use the same MTU";
                });
                continue;
            }
            uint8_t* data = arena.slot(unsigned(i));
            size_t len = msgs[i].msg_len;
            uint32_t peer = PeerTable::kNoPeer;
            const Encapsulation::Result opened = encap.open(src, &data, &len, &peer);
            if (opened.verdict != Encapsulation::Verdict::Forward) {
                if (opened.verdict == Encapsulation::Verdict::Drop) {
                    ++drops[size_t(opened.reason)];
                    if (opened.reason == DropReason::UnknownSourceEndpoint) {
                        warnLimited(strangers, m_setup.log, m_setup.tunnelName, [&] {
                            return "dropped a datagram from " + fromSockaddr(src).toString() +
                                   ", which is not a configured peer";
                        });
                    }
                }
                continue;
            }
            IpHeaderView ip;
            if (checkIpPacket(data, len, &ip) != PacketCheck::Ok) {
                ++drops[size_t(DropReason::Malformed)];
                continue;
            }
            if (table.lookupAddress(ip.family, ip.src) != peer) {
                ++drops[size_t(DropReason::SourceOutsidePeerSubnets)];
                warnLimited(outsiders, m_setup.log, m_setup.tunnelName, [&] {
                    IpAddress inner = ip.family == AF_INET ? IpAddress::v4(ip.src) : IpAddress::v6(ip.src);
                    return "dropped a packet from peer " + m_setup.peerNames[peer] + " with source " +
                           inner.toString() + ", outside the peer's subnets";
                });
                continue;
            }
            const ssize_t w = ::write(m_setup.tunFd, data, len);
            if (w < 0) {
                ++drops[size_t(DropReason::SendError)];
                const int err = errno;
                warnLimited(writeErrors, m_setup.log, m_setup.tunnelName, [&] {
                    return std::string("writing to the TUN device failed: ") + std::strerror(err);
                });
                continue;
            }
            auto& p = counters.peerRx[peer];
            p.packets.add(1);
            p.bytes.add(len);
            p.lastRxUnixMs.store(now, std::memory_order_relaxed);
            ++packets;
            bytes += len;
        }
        counters.rx.packets.add(packets);
        counters.rx.bytes.add(bytes);
        for (size_t r = 0; r < kDropReasonCount; ++r) {
            if (drops[r]) {
                counters.rx.drops[r].add(drops[r]);
            }
        }
    }
}

} // namespace peertun::engine
