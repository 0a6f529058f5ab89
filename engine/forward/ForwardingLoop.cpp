#include "ForwardingLoop.h"

#include "EndpointSet.h"
#include "Offload.h"
#include "Packet.h"
#include "TunnelError.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <linux/errqueue.h>
#include <memory>
#include <netinet/udp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

namespace peertun::engine {
namespace {

int64_t nowMs()
{
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

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

// Blocks until `fd` is readable (or has a queued error) or the stop eventfd fires; returns
// fd's poll events, 0 for stop.
short waitReadable(int fd, int stopFd)
{
    pollfd fds[2] = {{fd, POLLIN, 0}, {stopFd, POLLIN, 0}};
    for (;;) {
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            return 0;
        }
        return fds[1].revents ? short(0) : fds[0].revents;
    }
}

constexpr size_t kUdpMaxPayload = 65507; // IPv4: 65535 - 20 - 8
constexpr unsigned kMaxGsoSegments = 64; // the kernel's UDP_MAX_SEGMENTS is at least this

} // namespace

ForwardingLoop::ForwardingLoop(ForwardingSetup setup)
    : m_setup(std::move(setup)), m_stop(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
{
    if (!m_stop.valid()) {
        throw TunnelError(TunnelError::Kind::Failed,
                          std::string("cannot create an eventfd: ") + std::strerror(errno));
    }
    m_peerAddrs.resize(m_setup.peerEndpoints.size());
    m_peerAddrLens.resize(m_setup.peerEndpoints.size());
    for (size_t i = 0; i < m_setup.peerEndpoints.size(); ++i) {
        m_peerAddrLens[i] =
            toSockaddr(m_setup.peerEndpoints[i], m_setup.udpFamily, &m_peerAddrs[i]);
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
    const size_t tail = encap.tailroom();

    // One read buffer (virtio header + up to 64 KiB), and an arena the packets are cut into,
    // back to back, so each TSO segment becomes one contiguous UDP_SEGMENT message.
    const size_t readSize = kVnetHeaderSize + kMaxDatagram;
    const size_t arenaSize = 8 * (kMaxDatagram + kMaxGsoSegments * (head + tail + 128));
    auto readBuffer = std::make_unique<uint8_t[]>(readSize);
    auto arena = std::make_unique<uint8_t[]>(arenaSize);

    struct Message
    {
        uint32_t peer;
        uint32_t segments;
        uint32_t innerBytes;  // on the wire: the UDP payload, sealed
        uint32_t plainBytes;  // what the counters report: the IP packets before sealing
        uint16_t segmentSize; // UDP_SEGMENT value; 0 for a single datagram
        uint16_t lastSize;    // of the last datagram: only it may be shorter than segmentSize
    };
    Message meta[kMaxMessages];
    mmsghdr msgs[kMaxMessages];
    iovec iov[kMaxMessages];
    alignas(cmsghdr) uint8_t control[kMaxMessages][CMSG_SPACE(sizeof(uint16_t))];
    uint32_t lengths[kMaxGsoSegments * 2];
    uint32_t plainLengths[kMaxGsoSegments * 2]; // lengths[] before sealing, for the counters
    static_assert(kMaxGsoSegments * 2 <= Encapsulation::kMaxBatch);
    uint8_t* sealData[kMaxGsoSegments * 2];
    size_t sealLen[kMaxGsoSegments * 2];
    Encapsulation::Result sealed[kMaxGsoSegments * 2];
    std::memset(msgs, 0, sizeof msgs);

    RateLimiter readErrors;
    RateLimiter sendErrors;
    bool gso = m_setup.udpGso;
    bool mayHaveMore = false; // the last batch stopped because it was full
    // Roaming (WireGuard) and re-resolved host names: peers' endpoints may change.
    const std::atomic<uint64_t>* endpointGeneration = encap.endpointGeneration();
    uint64_t seenGeneration = 0;
    // The tunnel's own datagrams, should a route send them back into the tunnel (see
    // EndpointSet.h); the socket's mark keeps them out where the routing rules allow it.
    std::vector<UdpEndpoint> currentEndpoints = m_setup.peerEndpoints;
    EndpointSet ownDatagrams(currentEndpoints.size());
    ownDatagrams.assign(currentEndpoints);
    RateLimiter loops;

    for (;;) {
        if (!mayHaveMore && !waitReadable(m_setup.tunFd, m_stop.get())) {
            return;
        }
        if (endpointGeneration) {
            const uint64_t g = endpointGeneration->load(std::memory_order_acquire);
            if (g != seenGeneration) {
                seenGeneration = g;
                for (size_t p = 0; p < m_peerAddrs.size(); ++p) {
                    const UdpEndpoint ep = encap.peerEndpoint(uint32_t(p));
                    if (ep.port != 0) {
                        m_peerAddrLens[p] = toSockaddr(ep, m_setup.udpFamily, &m_peerAddrs[p]);
                        currentEndpoints[p] = ep;
                    }
                }
                ownDatagrams.assign(currentEndpoints);
            }
        }
        unsigned n = 0;
        size_t used = 0;
        uint64_t noPeer = 0;
        uint64_t malformed = 0;
        uint64_t looped = 0;
        uint64_t sealDrops[kDropReasonCount] = {};
        mayHaveMore = false;
        while (n + 2 <= kMaxMessages) {
            if (arenaSize - used < kMaxDatagram + kMaxGsoSegments * (head + tail + 128)) {
                mayHaveMore = true;
                break;
            }
            const ssize_t r = ::read(m_setup.tunFd, readBuffer.get(), readSize);
            if (r < 0) {
                if (errno == EINTR) {
                    continue;
                }
                if (errno != EAGAIN) {
                    const int err = errno;
                    warnLimited(readErrors, m_setup.log, m_setup.tunnelName, [&] {
                        return std::string("reading from the TUN device failed: ") +
                               std::strerror(err);
                    });
                }
                break;
            }
            if (size_t(r) <= kVnetHeaderSize) {
                ++malformed;
                continue;
            }
            VirtioNetHeader vh;
            std::memcpy(&vh, readBuffer.get(), kVnetHeaderSize);
            const uint8_t* packet = readBuffer.get() + kVnetHeaderSize;
            const size_t len = size_t(r) - kVnetHeaderSize;
            IpHeaderView ip;
            if (!viewIpAddresses(packet, len, &ip)) {
                ++malformed;
                continue;
            }
            uint16_t dstPort = 0;
            if (udpDestinationPort(packet, len, &dstPort) &&
                ownDatagrams.contains(ip.family, ip.dst, dstPort)) {
                ++looped;
                warnLimited(loops, m_setup.log, m_setup.tunnelName, [&] {
                    const IpAddress to =
                        ip.family == AF_INET ? IpAddress::v4(ip.dst) : IpAddress::v6(ip.dst);
                    return "dropped a datagram to the peer endpoint " + to.toString() + ":" +
                           std::to_string(dstPort) +
                           " that came back in through the tunnel: a route sends the tunnel's "
                           "own packets into it (a routing loop); check the routes to the "
                           "peers' endpoints";
                });
                continue;
            }
            const uint32_t peer = table.lookupAddress(ip.family, ip.dst);
            if (peer == PeerTable::kNoPeer) {
                ++noPeer;
                continue;
            }
            // Cut into plain IP packets, seal each in place (plain mode leaves them as they
            // are), and close the gaps so the datagrams lie back to back: UDP_SEGMENT needs
            // that, and then all but the last have the same size.
            uint8_t* out = arena.get() + used;
            size_t stride = 0;
            const size_t count = splitTunPacket(vh, packet, len, out, arenaSize - used, head, tail,
                                                size_t{kMaxGsoSegments} * 2, lengths, &stride);
            if (count == 0) {
                ++malformed;
                continue;
            }
            // The whole read at once: the encapsulation may spread its crypto over threads.
            for (size_t i = 0; i < count; ++i) {
                sealData[i] = out + i * stride + head;
                sealLen[i] = lengths[i];
            }
            encap.sealBatch(peer, sealData, sealLen, count, sealed);
            size_t kept = 0;
            size_t offset = 0;
            for (size_t i = 0; i < count; ++i) {
                uint8_t* data = sealData[i];
                const size_t plen = sealLen[i];
                const uint32_t plainLen = lengths[i];
                if (sealed[i].verdict != Encapsulation::Verdict::Forward) {
                    if (sealed[i].verdict == Encapsulation::Verdict::Drop) {
                        ++sealDrops[size_t(sealed[i].reason)];
                    }
                    continue;
                }
                if (data != out + offset) { // never forward: offset <= i * stride <= data - out
                    std::memmove(out + offset, data, plen);
                }
                plainLengths[kept] = plainLen;
                lengths[kept++] = uint32_t(plen);
                offset += plen;
            }
            // Datagrams to one peer that lie back to back become one UDP_SEGMENT message as
            // long as all but the last have the same size: the segments of a TSO read, and
            // also a run of equal-size single packets (a UDP flood) across reads.
            size_t i = 0;
            size_t pos = 0;
            for (; i < kept; ++i) {
                const size_t len = lengths[i];
                if (n > 0) {
                    Message& m = meta[n - 1];
                    const size_t first = m.segments == 1 ? m.innerBytes : m.segmentSize;
                    const auto* end =
                        static_cast<uint8_t*>(iov[n - 1].iov_base) + iov[n - 1].iov_len;
                    if (m.peer == peer && end == out + pos && m.segments < kMaxGsoSegments &&
                        m.lastSize == first && len <= first &&
                        m.innerBytes + len <= kUdpMaxPayload) {
                        m.segmentSize = uint16_t(first);
                        m.segments += 1;
                        m.innerBytes += uint32_t(len);
                        m.plainBytes += plainLengths[i];
                        m.lastSize = uint16_t(len);
                        iov[n - 1].iov_len += len;
                        pos += len;
                        continue;
                    }
                }
                if (n == kMaxMessages) {
                    break;
                }
                meta[n] = {peer, 1, uint32_t(len), plainLengths[i], 0, uint16_t(len)};
                iov[n] = {out + pos, len};
                pos += len;
                ++n;
            }
            used += offset; // the next read's datagrams follow on directly
            if (i < kept) {
                mayHaveMore = true; // out of messages: the rest of this read is lost otherwise
                for (; i < kept; ++i) {
                    ++sealDrops[size_t(DropReason::SendError)];
                }
                break;
            }
        }

        for (unsigned k = 0; k < n; ++k) {
            msghdr& h = msgs[k].msg_hdr;
            h.msg_name = &m_peerAddrs[meta[k].peer];
            h.msg_namelen = m_peerAddrLens[meta[k].peer];
            h.msg_iov = &iov[k];
            h.msg_iovlen = 1;
            if (meta[k].segmentSize) {
                h.msg_control = control[k];
                h.msg_controllen = sizeof control[k];
                cmsghdr* c = CMSG_FIRSTHDR(&h);
                c->cmsg_level = SOL_UDP;
                c->cmsg_type = UDP_SEGMENT;
                c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
                std::memcpy(CMSG_DATA(c), &meta[k].segmentSize, sizeof(uint16_t));
            } else {
                h.msg_control = nullptr;
                h.msg_controllen = 0;
            }
        }

        uint64_t packets = 0;
        uint64_t bytes = 0;
        uint64_t failed = 0;
        // Without GSO (the kernel refused it once), a grouped message goes out one datagram
        // at a time; the grouping itself is the same either way.
        auto sendOneByOne = [&](unsigned k) {
            const Message& m = meta[k];
            const uint8_t* p = static_cast<const uint8_t*>(iov[k].iov_base);
            uint32_t sentSegments = 0;
            for (uint32_t s = 0, at = 0; s < m.segments; ++s) {
                const size_t len = std::min<size_t>(m.segmentSize, m.innerBytes - at);
                if (::sendto(m_setup.udpFd, p + at, len, 0,
                             static_cast<const sockaddr*>(msgs[k].msg_hdr.msg_name),
                             msgs[k].msg_hdr.msg_namelen) < 0) {
                    counters.peerTx[m.peer].sendErrors.add(1);
                    ++failed;
                } else {
                    ++sentSegments;
                }
                at += uint32_t(len);
            }
            // Plain sizes are kept per message, not per datagram: exact unless some failed.
            const uint64_t plain = uint64_t(m.plainBytes) * sentSegments / m.segments;
            counters.peerTx[m.peer].packets.add(sentSegments);
            counters.peerTx[m.peer].bytes.add(plain);
            packets += sentSegments;
            bytes += plain;
        };
        unsigned off = 0;
        while (off < n) {
            unsigned end = n;
            if (!gso) {
                if (meta[off].segmentSize) {
                    sendOneByOne(off++);
                    continue;
                }
                for (end = off; end < n && !meta[end].segmentSize; ++end) {
                }
            }
            const int sent = ::sendmmsg(m_setup.udpFd, msgs + off, end - off, 0);
            if (sent < 0) {
                if (errno == EINTR) {
                    continue;
                }
                const int err = errno;
                Message& m = meta[off];
                if (m.segmentSize && (err == EINVAL || err == EIO || err == EMSGSIZE)) {
                    // The kernel or the path refuses UDP GSO (e.g. an MTU larger than the
                    // underlay): from now on, datagram by datagram.
                    gso = false;
                    m_setup.log->add(LogLevel::Warning, m_setup.tunnelName,
                                     std::string("UDP segmentation offload refused (") +
                                         std::strerror(err) + "); sending datagram by datagram");
                    sendOneByOne(off++);
                    continue;
                }
                // ENETUNREACH, EHOSTUNREACH, ECONNREFUSED, ...: count the message, go on.
                counters.peerTx[m.peer].sendErrors.add(m.segments);
                failed += m.segments;
                ++off;
                warnLimited(sendErrors, m_setup.log, m_setup.tunnelName, [&] {
                    return "sending to peer " + m_setup.peerNames[m.peer] + " (" +
                           m_setup.peerEndpoints[m.peer].toString() +
                           ") failed: " + std::strerror(err);
                });
                continue;
            }
            for (unsigned i = off; i < off + unsigned(sent); ++i) {
                auto& p = counters.peerTx[meta[i].peer];
                p.packets.add(meta[i].segments);
                p.bytes.add(meta[i].plainBytes);
                packets += meta[i].segments;
                bytes += meta[i].plainBytes;
            }
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
        if (looped) {
            counters.tx.drops[size_t(DropReason::RoutingLoop)].add(looped);
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
    constexpr unsigned kSlots = kReceiveSlots;
    auto arena = std::make_unique<uint8_t[]>(kSlots * kMaxDatagram);

    mmsghdr msgs[kSlots];
    iovec iov[kSlots];
    sockaddr_storage from[kSlots];
    alignas(cmsghdr) uint8_t control[kSlots][CMSG_SPACE(sizeof(int))];
    std::memset(msgs, 0, sizeof msgs);
    for (unsigned i = 0; i < kSlots; ++i) {
        iov[i] = {arena.get() + size_t(i) * kMaxDatagram, kMaxDatagram};
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &from[i];
    }

    uint8_t* openData[Encapsulation::kMaxBatch];
    size_t openLen[Encapsulation::kMaxBatch];
    uint32_t openPeer[Encapsulation::kMaxBatch];
    Encapsulation::Result openResult[Encapsulation::kMaxBatch];
    TcpCoalescer coalescer;
    TcpCoalescer::Write write;
    RateLimiter strangers;
    RateLimiter outsiders;
    RateLimiter badChecksum;
    RateLimiter tooBig;
    RateLimiter writeErrors;
    RateLimiter unreachable;
    bool mayHaveMore = false;
    uint64_t drops[kDropReasonCount] = {};
    uint64_t packets = 0;
    uint64_t bytes = 0;

    auto writeToTun = [&](const TcpCoalescer::Write& w) {
        if (::writev(m_setup.tunFd, w.iov, int(w.iovCount)) < 0) {
            drops[size_t(DropReason::SendError)] += w.packets;
            const int err = errno;
            warnLimited(writeErrors, m_setup.log, m_setup.tunnelName, [&] {
                return std::string("writing to the TUN device failed: ") + std::strerror(err);
            });
            return;
        }
        packets += w.packets;
        bytes += w.bytes;
    };

    for (;;) {
        short events = POLLIN;
        if (!mayHaveMore && (events = waitReadable(m_setup.udpFd, m_stop.get())) == 0) {
            return;
        }
        encap.beginReceiveBatch();
        if (events & POLLERR) {
            drainSocketErrors(unreachable);
        }
        for (unsigned i = 0; i < kSlots; ++i) {
            msgs[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
            msgs[i].msg_hdr.msg_control = control[i];
            msgs[i].msg_hdr.msg_controllen = sizeof control[i];
            msgs[i].msg_hdr.msg_flags = 0;
        }
        const int n = ::recvmmsg(m_setup.udpFd, msgs, kSlots, MSG_DONTWAIT, nullptr);
        if (n <= 0) {
            mayHaveMore = false;
            continue; // EAGAIN, EINTR, or the pending error of a queued ICMP report
        }
        mayHaveMore = unsigned(n) == kSlots;
        const int64_t now = nowMs();
        std::fill(std::begin(drops), std::end(drops), 0);
        packets = 0;
        bytes = 0;

        for (int i = 0; i < n; ++i) {
            const msghdr& h = msgs[i].msg_hdr;
            const auto* src = reinterpret_cast<const sockaddr*>(&from[i]);
            if (h.msg_flags & MSG_TRUNC) {
                ++drops[size_t(DropReason::TooBig)];
                warnLimited(tooBig, m_setup.log, m_setup.tunnelName, [&] {
                    return "dropped a datagram from " + fromSockaddr(src).toString() +
                           " larger than " + std::to_string(kMaxDatagram) + " bytes";
                });
                continue;
            }
            // With UDP_GRO the kernel hands over several datagrams of one flow back to back.
            size_t segment = msgs[i].msg_len;
            for (cmsghdr* c = CMSG_FIRSTHDR(&h); c; c = CMSG_NXTHDR(const_cast<msghdr*>(&h), c)) {
                if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
                    int size = 0;
                    std::memcpy(&size, CMSG_DATA(c), sizeof size);
                    if (size > 0) {
                        segment = size_t(size);
                    }
                }
            }
            uint8_t* base = static_cast<uint8_t*>(iov[i].iov_base);
            // The datagrams of one read are opened at once (beyond kMaxBatch, which GRO does
            // not reach, one by one).
            size_t batched = 0;
            for (size_t at = 0; at < msgs[i].msg_len && batched < Encapsulation::kMaxBatch;
                 at += segment, ++batched) {
                openData[batched] = base + at;
                openLen[batched] = std::min(segment, size_t(msgs[i].msg_len) - at);
                openPeer[batched] = PeerTable::kNoPeer;
            }
            encap.openBatch(src, openData, openLen, batched, openPeer, openResult);
            size_t s = 0;
            for (size_t at = 0; at < msgs[i].msg_len; at += segment, ++s) {
                uint8_t* data = base + at;
                size_t len = std::min(segment, size_t(msgs[i].msg_len) - at);
                uint32_t peer = PeerTable::kNoPeer;
                Encapsulation::Result opened;
                if (s < batched) {
                    data = openData[s];
                    len = openLen[s];
                    peer = openPeer[s];
                    opened = openResult[s];
                } else {
                    opened = encap.open(src, &data, &len, &peer);
                }
                if (opened.verdict != Encapsulation::Verdict::Forward) {
                    if (opened.verdict == Encapsulation::Verdict::Drop) {
                        ++drops[size_t(opened.reason)];
                        if (opened.reason == DropReason::UnknownSourceEndpoint) {
                            warnLimited(strangers, m_setup.log, m_setup.tunnelName, [&] {
                                return "dropped a datagram from " + fromSockaddr(src).toString() +
                                       ", which is not a configured peer";
                            });
                        } else if (opened.reason == DropReason::NotAuthenticated ||
                                   opened.reason == DropReason::Replayed) {
                            warnLimited(strangers, m_setup.log, m_setup.tunnelName, [&] {
                                return "dropped a datagram from " + fromSockaddr(src).toString() +
                                       (opened.reason == DropReason::Replayed
                                            ? " that was a replay"
                                            : " that failed authentication");
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
                        const IpAddress inner =
                            ip.family == AF_INET ? IpAddress::v4(ip.src) : IpAddress::v6(ip.src);
                        return "dropped a packet from peer " + m_setup.peerNames[peer] +
                               " with source " + inner.toString() + ", outside the peer's subnets";
                    });
                    continue;
                }
                bool closedReady = false;
                const TcpCoalescer::Added added = coalescer.add(data, len, &write, &closedReady);
                if (added == TcpCoalescer::Added::BadChecksum) {
                    ++drops[size_t(DropReason::BadChecksum)];
                    warnLimited(badChecksum, m_setup.log, m_setup.tunnelName, [&] {
                        return "dropped a TCP segment from peer " + m_setup.peerNames[peer] +
                               " with a wrong checksum";
                    });
                    continue;
                }
                auto& p = counters.peerRx[peer];
                p.packets.add(1);
                p.bytes.add(len);
                p.lastRxUnixMs.store(now, std::memory_order_relaxed);
                if (added == TcpCoalescer::Added::Alone) {
                    if (closedReady) {
                        writeToTun(write);
                    }
                    TcpCoalescer::single(data, len, &write);
                    writeToTun(write);
                } else if (closedReady) {
                    writeToTun(write);
                }
            }
        }
        if (coalescer.hasGroup()) {
            coalescer.flush(&write);
            writeToTun(write);
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

void ForwardingLoop::drainSocketErrors(RateLimiter& limiter)
{
    // IP_RECVERR queues one entry per ICMP error; the original destination names the peer.
    for (int i = 0; i < 64; ++i) {
        sockaddr_storage offender{};
        alignas(cmsghdr) uint8_t control[512];
        uint8_t payload[64];
        iovec iov{payload, sizeof payload};
        msghdr h{};
        h.msg_name = &offender;
        h.msg_namelen = sizeof offender;
        h.msg_iov = &iov;
        h.msg_iovlen = 1;
        h.msg_control = control;
        h.msg_controllen = sizeof control;
        if (::recvmsg(m_setup.udpFd, &h, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
            return;
        }
        int err = 0;
        for (cmsghdr* c = CMSG_FIRSTHDR(&h); c; c = CMSG_NXTHDR(&h, c)) {
            if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_RECVERR) ||
                (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)) {
                sock_extended_err ee{};
                std::memcpy(&ee, CMSG_DATA(c), sizeof ee);
                err = int(ee.ee_errno);
            }
        }
        const uint32_t peer = m_setup.encapsulation->peerAtEndpoint(
            reinterpret_cast<const sockaddr*>(&offender));
        if (peer == PeerTable::kNoPeer || err == 0) {
            continue;
        }
        m_setup.counters->peerRx[peer].unreachable.add(1);
        warnLimited(limiter, m_setup.log, m_setup.tunnelName, [&] {
            return "peer " + m_setup.peerNames[peer] + " (" +
                   fromSockaddr(reinterpret_cast<const sockaddr*>(&offender)).toString() +
                   ") is unreachable: " + std::strerror(err);
        });
    }
}

} // namespace peertun::engine
