#include "ForwardingLoop.h"

#include "Clock.h"
#include "EndpointSet.h"
#include "Offload.h"
#include "Packet.h"

#include <algorithm>
#include <cstring>
#include <ctime>
#include <poll.h>

namespace peertun::engine {
namespace {

// Rate-limited warning from a forwarding thread: one line per interval and kind, with how
// many were held back, so a flood costs a branch, not a log line.
template <typename MakeText>
void warnLimited(RateLimiter& limiter, EventLog* log, const std::string& tunnel, MakeText&& text)
{
    uint64_t held = 0;
    if (log && limiter.allow(unixMsCoarse(), &held)) {
        std::string line = text();
        if (held > 0) {
            line += " (" + std::to_string(held) + " more since the last report)";
        }
        log->add(LogLevel::Warning, tunnel, std::move(line));
    }
}

// For log lines: a slot the encapsulation knows may not be in this batch's table yet.
std::string peerName(const PeerRoutes* routes, uint32_t peer)
{
    return routes && peer < routes->names.size() && !routes->names[peer].empty()
               ? routes->names[peer]
               : "#" + std::to_string(peer + 1);
}

// One TUN read is cut into at most this many packets (two full UDP_SEGMENT messages).
constexpr size_t kMaxSplit = size_t{UdpSendBatch::kMaxSegments} * 2;
static_assert(TunReadBatch::kVnetHeaderBytes == kVnetHeaderSize);
constexpr size_t kMaxPacket = TunReadBatch::kMaxRead - kVnetHeaderSize; // a TSO segment

// What one batch counted, added to its direction's counters at the batch's end.
struct Tally
{
    uint64_t packets = 0;
    uint64_t bytes = 0;
    uint64_t drops[kDropReasonCount] = {};

    template <typename Side> void flushTo(Side& side)
    {
        side.packets.add(packets);
        side.bytes.add(bytes);
        for (size_t r = 0; r < kDropReasonCount; ++r) {
            if (drops[r]) {
                side.drops[r].add(drops[r]);
            }
        }
        *this = {};
    }
};

} // namespace

struct ForwardingLoop::TxState
{
    TxState(size_t peers, size_t head, size_t tail)
        : perRead(kMaxPacket + UdpSendBatch::kMaxSegments * (head + tail + 128)),
          arenaSize(8 * perRead), arena(std::make_unique<uint8_t[]>(arenaSize)), peers(peers),
          ownDatagrams(peers)
    {
        currentEndpoints.reserve(peers);
    }

    TunReadBatch reads{2};
    // The packets are cut into the arena back to back, so each TSO segment becomes one
    // contiguous UDP_SEGMENT message; perRead is what one read may need of it.
    const size_t perRead;
    const size_t arenaSize;
    std::unique_ptr<uint8_t[]> arena;
    size_t used = 0;
    UdpSendBatch batch;
    uint32_t lengths[kMaxSplit]{};
    uint32_t plainLengths[kMaxSplit]{}; // lengths[] before sealing, for the counters
    static_assert(kMaxSplit <= Encapsulation::kMaxBatch);
    uint8_t* sealData[kMaxSplit]{};
    size_t sealLen[kMaxSplit]{};
    Encapsulation::Result sealed[kMaxSplit];
    // The peer table of this batch (LivePeers::enter()).
    const PeerRoutes* routes = nullptr;
    // Per slot, in the socket's family; rewritten between batches on roaming or a new table.
    struct Peer
    {
        sockaddr_storage addr{};
        socklen_t addrLen = 0;
        UdpEndpoint endpoint;
        // The local address to send from, as last read from the peer's LearnedSource at
        // `seenSeq` (odd: not read since the last reset).
        UdpSource source;
        uint32_t seenSeq = kUnread;
        bool hasSource = false;
    };
    static constexpr uint32_t kUnread = 1;
    SlotArray<Peer> peers;
    uint64_t seenGeneration = 0;
    uint64_t seenVersion = 0;
    uint64_t seenEpoch = 0; // of forgetSources()
    // The tunnel's own datagrams, should a route send them back into the tunnel (see
    // EndpointSet.h); the socket's mark keeps them out where the routing rules allow it.
    std::vector<UdpEndpoint> currentEndpoints;
    EndpointSet ownDatagrams;
    RateLimiter loops;
    RateLimiter readErrors;
    RateLimiter sendErrors;
    Tally tally;
};

struct ForwardingLoop::RxState
{
    explicit RxState(bool verifyChecksums) : coalescer(verifyChecksums) {}

    const PeerRoutes* routes = nullptr; // this batch's (LivePeers::enter())
    uint64_t sourceEpoch = 0;           // this batch's (forgetSources())
    uint32_t learnedPeer = 0;           // the peer the current datagram taught (kNoPeer: none)
    UdpRecvBatch batch;
    SocketError errors[64];
    uint8_t* openData[Encapsulation::kMaxBatch]{};
    size_t openLen[Encapsulation::kMaxBatch]{};
    uint32_t openPeer[Encapsulation::kMaxBatch]{};
    Encapsulation::Result openResult[Encapsulation::kMaxBatch];
    TcpCoalescer coalescer;
    TcpCoalescer::Write write;
    RateLimiter strangers;
    RateLimiter outsiders;
    RateLimiter badChecksum;
    RateLimiter tooBig;
    RateLimiter writeErrors;
    RateLimiter unreachable;
    Tally tally;
};

ForwardingLoop::ForwardingLoop(ForwardingSetup setup)
    : m_setup(std::move(setup)), m_learnSources(m_setup.udp->reportsLocalAddresses()),
      m_tx(std::make_unique<TxState>(m_setup.peers->current().slotCount(),
                                     m_setup.encapsulation->headroom(),
                                     m_setup.encapsulation->tailroom())),
      m_rx(std::make_unique<RxState>(!m_setup.encapsulation->authenticates()))
{
    // The first batch takes the table and fills in the peers' addresses (seenVersion differs).
    m_tx->seenVersion = ~uint64_t{0};
    if (m_learnSources) {
        m_learned.ensure(m_setup.peers->current().slotCount());
    }
}

void ForwardingLoop::reservePeers(size_t slots)
{
    m_tx->peers.ensure(slots);
    if (m_learnSources) {
        m_learned.ensure(slots);
    }
}

// --- Sticky sources ------------------------------------------------------------------------

void ForwardingLoop::publish(LearnedSource& slot, const Learned& l)
{
    uint64_t words[kLearnedWords]{};
    std::memcpy(words, &l, sizeof l);
    const uint32_t s = slot.seq.load(std::memory_order_relaxed);
    slot.seq.store(s + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    for (size_t i = 0; i < kLearnedWords; ++i) {
        slot.words[i].store(words[i], std::memory_order_relaxed);
    }
    slot.seq.store(s + 2, std::memory_order_release);
}

bool ForwardingLoop::read(const LearnedSource& slot, Learned* out, uint32_t* seq)
{
    // A writer publishes at most once per batch and peer: a few tries always find a
    // consistent copy in practice; if not, the caller keeps what it had.
    for (int attempt = 0; attempt < 4; ++attempt) {
        const uint32_t before = slot.seq.load(std::memory_order_acquire);
        if (before & 1) {
            continue;
        }
        uint64_t words[kLearnedWords];
        for (size_t i = 0; i < kLearnedWords; ++i) {
            words[i] = slot.words[i].load(std::memory_order_relaxed);
        }
        std::atomic_thread_fence(std::memory_order_acquire);
        if (slot.seq.load(std::memory_order_relaxed) == before) {
            std::memcpy(out, words, sizeof *out);
            if (seq) {
                *seq = before;
            }
            return true;
        }
    }
    return false;
}

bool ForwardingLoop::learnedSource(uint32_t peer, const UdpEndpoint& to, UdpSource* out) const
{
    if (!m_learnSources || peer >= m_learned.capacity()) {
        return false;
    }
    Learned l;
    if (!read(m_learned[peer], &l, nullptr) || l.local.family == AF_UNSPEC ||
        l.epoch != m_sourceEpoch.load(std::memory_order_acquire) || !(l.remote == to)) {
        return false;
    }
    *out = l.local;
    return true;
}

void ForwardingLoop::forgetSources()
{
    m_sourceEpoch.fetch_add(1, std::memory_order_acq_rel);
}

const UdpSource* ForwardingLoop::sourceFor(TxState& tx, uint32_t peer)
{
    // One load per read of a line the receiving thread writes only when what it learned
    // changes; the copy is re-read (and checked) only then.
    TxState::Peer& target = tx.peers[peer];
    const LearnedSource& slot = m_learned[peer];
    if (slot.seq.load(std::memory_order_relaxed) != target.seenSeq) {
        Learned l;
        uint32_t seq = 0;
        if (read(slot, &l, &seq)) {
            target.seenSeq = seq;
            // Only for the endpoint we send to, learned under this table and since the last
            // forgetSources().
            target.hasSource = l.local.family != AF_UNSPEC && l.version == tx.routes->version &&
                               l.epoch == tx.seenEpoch && l.remote == target.endpoint;
            target.source = l.local;
        }
    }
    return target.hasSource ? &target.source : nullptr;
}

void ForwardingLoop::learnSource(RxState& rx, uint32_t peer, const sockaddr* from,
                                 const UdpSource& local)
{
    LearnedSource& slot = m_learned[peer];
    const Learned now{local, fromSockaddr(from), rx.routes->version, rx.sourceEpoch};
    if (slot.rxCopy == now) {
        return; // the usual case: nothing changed, nothing written
    }
    slot.rxCopy = now;
    publish(slot, now);
}

ForwardingLoop::~ForwardingLoop()
{
    stop();
}

unsigned ForwardingLoop::defaultThreads(unsigned cores, bool encrypts)
{
    return encrypts && cores <= 2 ? 1 : 2;
}

void ForwardingLoop::start()
{
    if (m_setup.threads == 1) {
        m_txThread.start([this] { runBothDirections(); });
        return;
    }
    m_txThread.start([this] {
        bool mayHaveMore = false;
        for (;;) {
            if (!mayHaveMore &&
                m_setup.tun->wait(m_txThread.stopSignal()) == StopSignal::kStopped) {
                return;
            }
            mayHaveMore = forwardFromTun();
        }
    });
    m_rxThread.start([this] {
        bool mayHaveMore = false;
        for (;;) {
            int events = POLLIN;
            if (!mayHaveMore &&
                (events = m_setup.udp->wait(m_rxThread.stopSignal())) == StopSignal::kStopped) {
                return;
            }
            mayHaveMore = forwardFromUdp((events & POLLERR) != 0);
        }
    });
}

void ForwardingLoop::runBothDirections()
{
    // A batch each way in turn, so neither starves the other; waits only when neither said
    // more may be waiting.
    bool tunMore = false;
    bool udpMore = false;
    const int fds[2] = {m_setup.tun->pollFd(), m_setup.udp->pollFd()};
    for (;;) {
        int events[2] = {0, 0};
        if (m_txThread.stopSignal().wait(fds[0], fds[1], tunMore || udpMore ? 0 : -1, events) ==
            StopSignal::kStopped) {
            return;
        }
        if (tunMore || events[0]) {
            tunMore = forwardFromTun();
        }
        const int udpEvents = m_setup.udp->events(events[1]);
        if (udpMore || udpEvents) {
            udpMore = forwardFromUdp((udpEvents & POLLERR) != 0);
        }
    }
}

void ForwardingLoop::stop()
{
    m_txThread.stop();
    m_rxThread.stop();
}

// --- TUN -> UDP ----------------------------------------------------------------------------

void ForwardingLoop::refreshEndpoints(TxState& tx)
{
    // Roaming (WireGuard), re-resolved host names and a new peer set: peers' endpoints may
    // change.
    Encapsulation& encap = *m_setup.encapsulation;
    const std::atomic<uint64_t>* generation = encap.endpointGeneration();
    const uint64_t g = generation ? generation->load(std::memory_order_acquire) : 0;
    const PeerRoutes& routes = *tx.routes;
    const bool newTable = routes.version != tx.seenVersion;
    const uint64_t epoch = m_learnSources ? m_sourceEpoch.load(std::memory_order_acquire) : 0;
    if (g == tx.seenGeneration && !newTable && epoch == tx.seenEpoch) {
        return;
    }
    tx.seenGeneration = g;
    tx.seenVersion = routes.version;
    tx.seenEpoch = epoch;
    tx.currentEndpoints.clear();
    for (const uint32_t p : routes.active) {
        TxState::Peer& peer = tx.peers[p];
        // What the receiving side learned is checked again against the new table, endpoint
        // and epoch at the next send.
        peer.seenSeq = TxState::kUnread;
        peer.hasSource = false;
        if (newTable) { // a slot new to this thread starts at its configured endpoint
            peer.endpoint = routes.endpoints[p];
            peer.addrLen = toSockaddr(peer.endpoint, m_setup.udpFamily, &peer.addr);
        }
        const UdpEndpoint ep = generation ? encap.peerEndpoint(p) : UdpEndpoint{};
        if (ep.port != 0) {
            peer.addrLen = toSockaddr(ep, m_setup.udpFamily, &peer.addr);
            peer.endpoint = ep;
        }
        tx.currentEndpoints.push_back(peer.endpoint);
    }
    if (tx.currentEndpoints.size() > tx.ownDatagrams.capacity()) {
        tx.ownDatagrams.reserve(tx.currentEndpoints.size()); // a larger peer set: once
    }
    tx.ownDatagrams.assign(tx.currentEndpoints);
}

bool ForwardingLoop::forwardFromTun()
{
    TxState& tx = *m_tx;
    tx.routes = m_setup.peers->enter(LivePeers::kTxReader);
    refreshEndpoints(tx);
    // Small reads batches, each cut and sealed while it is still in the cache, until the
    // arena or the messages run short; then one send for all of it.
    bool full = false;
    do {
        m_setup.tun->readBatch(tx.reads);
        if (tx.reads.error) {
            const int err = tx.reads.error;
            warnLimited(tx.readErrors, m_setup.log, m_setup.tunnelName, [&] {
                return std::string("reading from the TUN device failed: ") + std::strerror(err);
            });
        }
        for (unsigned i = 0; i < tx.reads.count; ++i) {
            forwardRead(tx, tx.reads.packets[i].data, tx.reads.packets[i].len);
        }
        full = tx.reads.full;
    } while (full && tx.arenaSize - tx.used >= tx.perRead &&
             tx.batch.size() + 2 <= UdpSendBatch::kMaxMessages);
    sendQueued(tx);

    tx.tally.flushTo(m_setup.counters->tx);
    tx.routes = nullptr;
    m_setup.peers->leave(LivePeers::kTxReader);
    return full;
}

void ForwardingLoop::forwardRead(TxState& tx, const uint8_t* read, size_t readLen)
{
    if (readLen <= kVnetHeaderSize) {
        ++tx.tally.drops[size_t(DropReason::Malformed)];
        return;
    }
    VirtioNetHeader vh;
    std::memcpy(&vh, read, kVnetHeaderSize);
    const uint8_t* packet = read + kVnetHeaderSize;
    const size_t len = readLen - kVnetHeaderSize;
    IpHeaderView ip;
    if (!viewIpAddresses(packet, len, &ip)) {
        ++tx.tally.drops[size_t(DropReason::Malformed)];
        return;
    }
    uint16_t dstPort = 0;
    if (udpDestinationPort(packet, len, &dstPort) &&
        tx.ownDatagrams.contains(ip.family, ip.dst, dstPort)) {
        ++tx.tally.drops[size_t(DropReason::RoutingLoop)];
        warnLimited(tx.loops, m_setup.log, m_setup.tunnelName, [&] {
            const IpAddress to =
                ip.family == AF_INET ? IpAddress::v4(ip.dst) : IpAddress::v6(ip.dst);
            return "dropped a datagram to the peer endpoint " + to.toString() + ":" +
                   std::to_string(dstPort) +
                   " that came back in through the tunnel: a route sends the tunnel's "
                   "own packets into it (a routing loop); check the routes to the "
                   "peers' endpoints";
        });
        return;
    }
    const uint32_t peer = tx.routes->table.lookupAddress(ip.family, ip.dst);
    if (peer == PeerTable::kNoPeer) {
        ++tx.tally.drops[size_t(DropReason::NoPeerForDestination)];
        return;
    }
    // One read needs at most perRead bytes of the arena and two messages: send what is
    // queued first if they are not there.
    if (tx.arenaSize - tx.used < tx.perRead || tx.batch.size() + 2 > UdpSendBatch::kMaxMessages) {
        sendQueued(tx);
    }

    // Cut into plain IP packets, seal each in place (plain mode leaves them as they are), and
    // close any gaps so the datagrams lie back to back: UDP_SEGMENT needs that, and then all
    // but the last have the same size. The room after each is what sealing the longest one
    // adds, so full-size segments leave no gap to close.
    Encapsulation& encap = *m_setup.encapsulation;
    const size_t head = encap.headroom();
    const size_t longest = longestSegment(vh, packet, len);
    const size_t tail = longest ? encap.tailroomFor(longest) : encap.tailroom();
    uint8_t* out = tx.arena.get() + tx.used;
    size_t stride = 0;
    const size_t count = splitTunPacket(vh, packet, len, out, tx.arenaSize - tx.used, head, tail,
                                        kMaxSplit, tx.lengths, &stride);
    if (count == 0) {
        ++tx.tally.drops[size_t(DropReason::Malformed)];
        return;
    }
    // The whole read at once: the encapsulation may spread its crypto over threads.
    for (size_t i = 0; i < count; ++i) {
        tx.sealData[i] = out + i * stride + head;
        tx.sealLen[i] = tx.lengths[i];
    }
    encap.sealBatch(peer, tx.sealData, tx.sealLen, count, tx.sealed);
    size_t kept = 0;
    size_t offset = 0;
    for (size_t i = 0; i < count; ++i) {
        uint8_t* data = tx.sealData[i];
        const size_t plen = tx.sealLen[i];
        const uint32_t plainLen = tx.lengths[i];
        if (tx.sealed[i].verdict != Encapsulation::Verdict::Forward) {
            if (tx.sealed[i].verdict == Encapsulation::Verdict::Drop) {
                ++tx.tally.drops[size_t(tx.sealed[i].reason)];
            }
            continue;
        }
        if (data != out + offset) { // never forward: offset <= i * stride <= data - out
            std::memmove(out + offset, data, plen);
        }
        tx.plainLengths[kept] = plainLen;
        tx.lengths[kept++] = uint32_t(plen);
        offset += plen;
    }
    // The socket's batch groups datagrams to one peer that lie back to back into one
    // UDP_SEGMENT message: the segments of a TSO read, and also a run of equal-size single
    // packets (a UDP flood) across reads.
    const TxState::Peer& target = tx.peers[peer];
    const auto* to = reinterpret_cast<const sockaddr*>(&target.addr);
    const socklen_t toLen = target.addrLen;
    const UdpSource* source = m_learnSources ? sourceFor(tx, peer) : nullptr;
    size_t i = 0;
    for (size_t pos = 0; i < kept; pos += tx.lengths[i++]) {
        if (!tx.batch.add(peer, to, toLen, out + pos, tx.lengths[i], tx.plainLengths[i], source)) {
            break;
        }
    }
    tx.used += offset; // the next read's datagrams follow on directly
    // Out of messages (a read that does not group into two): the rest of it is lost.
    tx.tally.drops[size_t(DropReason::SendError)] += kept - i;
}

void ForwardingLoop::sendQueued(TxState& tx)
{
    UdpSendBatch& batch = tx.batch;
    if (batch.size() > 0) {
        m_setup.udp->sendBatch(batch);
    }
    if (batch.gsoRefused) {
        m_setup.log->add(LogLevel::Warning, m_setup.tunnelName,
                         std::string("UDP segmentation offload refused (") +
                             std::strerror(batch.gsoRefused) + "); sending datagram by datagram");
    }
    TunnelCounters& counters = *m_setup.counters;
    for (unsigned k = 0; k < batch.size(); ++k) {
        const UdpSendBatch::Message& m = batch[k];
        if (m.sourceRejected) {
            // The address is gone: the route's from now on, until the peer's datagrams come
            // to another one (or this one again after a change of the underlay).
            tx.peers[m.peer].hasSource = false;
        }
        auto& p = counters.peerTx[m.peer];
        // Plain sizes are kept per message, not per datagram: exact unless some failed.
        const uint64_t plain =
            m.sent == m.segments ? m.callerBytes : uint64_t(m.callerBytes) * m.sent / m.segments;
        if (m.sent) {
            p.packets.add(m.sent);
            p.bytes.add(plain);
            tx.tally.packets += m.sent;
            tx.tally.bytes += plain;
        }
        if (m.sent < m.segments) {
            p.sendErrors.add(m.segments - m.sent);
            tx.tally.drops[size_t(DropReason::SendError)] += m.segments - m.sent;
        }
        if (m.error) {
            const int err = m.error;
            warnLimited(tx.sendErrors, m_setup.log, m_setup.tunnelName, [&] {
                return "sending to peer " + tx.routes->names[m.peer] + " (" +
                       tx.peers[m.peer].endpoint.toString() + ") failed: " + std::strerror(err);
            });
        }
    }
    batch.clear();
    tx.used = 0;
}

// --- UDP -> TUN ----------------------------------------------------------------------------

bool ForwardingLoop::forwardFromUdp(bool socketErrors)
{
    RxState& rx = *m_rx;
    m_setup.encapsulation->beginReceiveBatch();
    rx.routes = m_setup.peers->enter(LivePeers::kRxReader);
    if (m_learnSources) {
        rx.sourceEpoch = m_sourceEpoch.load(std::memory_order_acquire);
    }
    const bool full = receiveBatch(rx, socketErrors);
    rx.routes = nullptr;
    m_setup.peers->leave(LivePeers::kRxReader);
    return full;
}

bool ForwardingLoop::receiveBatch(RxState& rx, bool socketErrors)
{
    if (socketErrors) {
        readSocketErrors(rx);
    }
    const unsigned n = m_setup.udp->recvBatch(rx.batch);
    if (n == 0) {
        return false;
    }
    const int64_t now = unixMsCoarse();
    for (unsigned i = 0; i < n; ++i) {
        const UdpRecvBatch::Datagram& d = rx.batch.datagrams[i];
        const auto* src = reinterpret_cast<const sockaddr*>(&d.from);
        if (d.truncated) {
            ++rx.tally.drops[size_t(DropReason::TooBig)];
            warnLimited(rx.tooBig, m_setup.log, m_setup.tunnelName, [&] {
                return "dropped a datagram from " + fromSockaddr(src).toString() + " larger than " +
                       std::to_string(UdpRecvBatch::kSlotBytes) + " bytes";
            });
            continue;
        }
        // A GRO train: datagrams of one sender back to back, all but the last of one size.
        const size_t segment = d.segmentSize ? d.segmentSize : d.len;
        // The local address it came to: learned for the peers it is accepted from, and where
        // the encapsulation's answers (handshakes) leave from.
        const bool learn = m_learnSources && d.local.family != AF_UNSPEC;
        if (m_learnSources) {
            m_setup.encapsulation->arrivedAt(learn ? &d.local : nullptr);
        }
        rx.learnedPeer = PeerTable::kNoPeer;
        uint8_t* base = rx.batch.slot(i);
        // The datagrams of one read are opened at once (beyond kMaxBatch, which GRO does not
        // reach, one by one).
        size_t batched = 0;
        for (size_t at = 0; at < d.len && batched < Encapsulation::kMaxBatch;
             at += segment, ++batched) {
            rx.openData[batched] = base + at;
            rx.openLen[batched] = std::min(segment, size_t(d.len) - at);
            rx.openPeer[batched] = PeerTable::kNoPeer;
        }
        m_setup.encapsulation->openBatch(src, rx.openData, rx.openLen, batched, rx.openPeer,
                                         rx.openResult);
        size_t s = 0;
        for (size_t at = 0; at < d.len; at += segment, ++s) {
            uint8_t* data = base + at;
            size_t len = std::min(segment, size_t(d.len) - at);
            uint32_t peer = PeerTable::kNoPeer;
            Encapsulation::Result opened;
            if (s < batched) {
                data = rx.openData[s];
                len = rx.openLen[s];
                peer = rx.openPeer[s];
                opened = rx.openResult[s];
            } else {
                opened = m_setup.encapsulation->open(src, &data, &len, &peer);
            }
            forwardOpened(rx, src, learn ? &d.local : nullptr, opened, data, len, peer, now);
        }
    }
    if (rx.coalescer.hasGroup()) {
        rx.coalescer.flush(&rx.write);
        writeToTun(rx, rx.write);
    }
    rx.tally.flushTo(m_setup.counters->rx);
    return n == UdpRecvBatch::kSlots;
}

void ForwardingLoop::forwardOpened(RxState& rx, const sockaddr* src, const UdpSource* local,
                                   const Encapsulation::Result& opened, uint8_t* data, size_t len,
                                   uint32_t peer, int64_t now)
{
    if (opened.verdict != Encapsulation::Verdict::Forward) {
        if (opened.verdict == Encapsulation::Verdict::Drop) {
            ++rx.tally.drops[size_t(opened.reason)];
            if (opened.reason == DropReason::UnknownSourceEndpoint) {
                warnLimited(rx.strangers, m_setup.log, m_setup.tunnelName, [&] {
                    return "dropped a datagram from " + fromSockaddr(src).toString() +
                           ", which is not a configured peer";
                });
            } else if (opened.reason == DropReason::NotAuthenticated ||
                       opened.reason == DropReason::Replayed) {
                warnLimited(rx.strangers, m_setup.log, m_setup.tunnelName, [&] {
                    return "dropped a datagram from " + fromSockaddr(src).toString() +
                           (opened.reason == DropReason::Replayed ? " that was a replay"
                                                                  : " that failed authentication");
                });
            }
        }
        return;
    }
    IpHeaderView ip;
    if (checkIpPacket(data, len, &ip) != PacketCheck::Ok) {
        ++rx.tally.drops[size_t(DropReason::Malformed)];
        return;
    }
    if (rx.routes->table.lookupAddress(ip.family, ip.src) != peer) {
        ++rx.tally.drops[size_t(DropReason::SourceOutsidePeerSubnets)];
        warnLimited(rx.outsiders, m_setup.log, m_setup.tunnelName, [&] {
            const IpAddress inner =
                ip.family == AF_INET ? IpAddress::v4(ip.src) : IpAddress::v6(ip.src);
            return "dropped a packet from peer " + peerName(rx.routes, peer) + " with source " +
                   inner.toString() + ", outside the peer's subnets";
        });
        return;
    }
    // Accepted as the peer's: learn where it came to before the packet reaches the device,
    // so that the answer it causes already leaves from there. Once per train and peer.
    if (local && peer != rx.learnedPeer) {
        learnSource(rx, peer, src, *local);
        rx.learnedPeer = peer;
    }
    bool closedReady = false;
    const TcpCoalescer::Added added = rx.coalescer.add(data, len, &rx.write, &closedReady);
    if (added == TcpCoalescer::Added::BadChecksum) {
        ++rx.tally.drops[size_t(DropReason::BadChecksum)];
        warnLimited(rx.badChecksum, m_setup.log, m_setup.tunnelName, [&] {
            return "dropped a TCP segment from peer " + peerName(rx.routes, peer) +
                   " with a wrong checksum";
        });
        return;
    }
    auto& p = m_setup.counters->peerRx[peer];
    p.packets.add(1);
    p.bytes.add(len);
    p.lastRxUnixMs.store(now, std::memory_order_relaxed);
    if (added == TcpCoalescer::Added::Alone) {
        if (closedReady) {
            writeToTun(rx, rx.write);
        }
        TcpCoalescer::single(data, len, &rx.write);
        writeToTun(rx, rx.write);
    } else if (closedReady) {
        writeToTun(rx, rx.write);
    }
}

void ForwardingLoop::writeToTun(RxState& rx, const TcpCoalescer::Write& w)
{
    if (const int err = m_setup.tun->write(w.iov, w.iovCount); err != 0) {
        rx.tally.drops[size_t(DropReason::SendError)] += w.packets;
        warnLimited(rx.writeErrors, m_setup.log, m_setup.tunnelName, [&] {
            return std::string("writing to the TUN device failed: ") + std::strerror(err);
        });
        return;
    }
    rx.tally.packets += w.packets;
    rx.tally.bytes += w.bytes;
}

void ForwardingLoop::readSocketErrors(RxState& rx)
{
    const unsigned n = m_setup.udp->readErrors(rx.errors, std::size(rx.errors));
    for (unsigned i = 0; i < n; ++i) {
        const SocketError& e = rx.errors[i];
        const auto* offender = reinterpret_cast<const sockaddr*>(&e.offender);
        const uint32_t peer = m_setup.encapsulation->peerAtEndpoint(offender);
        if (peer == PeerTable::kNoPeer || e.error == 0) {
            continue;
        }
        m_setup.counters->peerRx[peer].unreachable.add(1);
        warnLimited(rx.unreachable, m_setup.log, m_setup.tunnelName, [&] {
            return "peer " + peerName(rx.routes, peer) + " (" + fromSockaddr(offender).toString() +
                   ") is unreachable: " + std::strerror(e.error);
        });
    }
}

} // namespace peertun::engine
