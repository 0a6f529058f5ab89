#include "WireGuardEncapsulation.h"

#include "Clock.h"
#include "TunnelError.h"

#include <algorithm>
#include <cstring>
#include <ctime>
#include <stdexcept>

namespace peertun::engine {
namespace {

using wireguard::ReceiveOutcome;

wireguard::Endpoint toWireGuard(const UdpEndpoint& ep)
{
    wireguard::Endpoint out;
    if (ep.address.family == AF_INET || ep.address.family == AF_INET6) {
        out.family = ep.address.family;
        out.address = ep.address.bytes;
        out.port = ep.port;
    }
    return out;
}

UdpEndpoint fromWireGuard(const wireguard::Endpoint& ep)
{
    UdpEndpoint out;
    if (ep.isSet()) {
        out.address.family = ep.family;
        out.address.bytes = ep.address;
        out.port = ep.port;
    }
    return out;
}

// The inner packet's own length: transport plaintext is zero-padded to 16 bytes.
size_t innerIpLength(std::span<const uint8_t> p)
{
    if (p.empty()) {
        return 0;
    }
    const unsigned version = p[0] >> 4;
    if (version == 4 && p.size() >= 20) {
        return size_t(p[2]) << 8 | p[3];
    }
    if (version == 6 && p.size() >= 40) {
        return 40 + (size_t(p[4]) << 8 | p[5]);
    }
    return 0;
}

constexpr auto kTimerCap = std::chrono::milliseconds(100);

} // namespace

namespace {

wireguard::PeerConfig peerConfig(const PeerSpec& peer)
{
    wireguard::PeerConfig config;
    config.publicKey = peer.publicKey;
    if (peer.presharedKey) {
        config.presharedKey = *peer.presharedKey;
    }
    config.persistentKeepalive = std::chrono::seconds(peer.persistentKeepaliveSeconds);
    config.endpoint = toWireGuard(peer.knownEndpoint());
    return config;
}

} // namespace

WireGuardEncapsulation::WireGuardEncapsulation(keys::LockedSecretKey privateKey,
                                               const std::vector<PeerSpec>& peers, size_t mtu,
                                               SendFunction send, TunnelCounters& counters,
                                               EventLog* log, std::string tunnelName,
                                               unsigned cryptoThreads)
    : m_device(std::move(privateKey)), m_mtu(mtu), m_send(std::move(send)), m_counters(counters),
      m_log(log), m_tunnelName(std::move(tunnelName)), m_queues(peers.size()), m_index([&peers] {
          std::vector<UdpEndpoint> endpoints;
          for (const PeerSpec& p : peers) {
              endpoints.push_back(p.knownEndpoint());
          }
          return endpoints;
      }()),
      m_initiateNow(peers.size()), m_sealWorkers(cryptoThreads), m_openWorkers(cryptoThreads)
{
    m_device.setPaddingCap(mtu);
    // Peer ids are the engine's slots, here the spec's indexes: the route table and AllowedIPs
    // agree.
    for (size_t i = 0; i < peers.size(); ++i) {
        addPeer(uint32_t(i), peers[i]);
    }
}

void WireGuardEncapsulation::reserveSlots(size_t slots)
{
    m_queues.ensure(slots);
    m_initiateNow.ensure(slots);
}

void WireGuardEncapsulation::addPeer(uint32_t slot, const PeerSpec& peer)
{
    try {
        m_device.addPeerAt(slot, peerConfig(peer));
    } catch (const std::invalid_argument& e) {
        throw TunnelError(TunnelError::Kind::InvalidConfig,
                          "the public key of peer " +
                              (peer.name.empty() ? std::to_string(slot + 1) : peer.name) +
                              " cannot be used: " + e.what());
    }
    m_initiateNow[slot].store(false, std::memory_order_relaxed);
    const std::lock_guard lock(m_slotsMutex);
    m_slots.push_back(slot);
}

void WireGuardEncapsulation::updatePeer(uint32_t slot, const PeerSpec& before,
                                        const PeerSpec& after)
{
    std::optional<keys::LockedSecretKey> psk;
    if (after.presharedKey) {
        psk = *after.presharedKey;
    }
    m_device.updatePeer(slot, std::move(psk),
                        std::chrono::seconds(after.persistentKeepaliveSeconds));
    const UdpEndpoint configured = after.knownEndpoint();
    if (configured.port != 0 && configured != before.knownEndpoint()) {
        setPeerEndpoint(slot, configured);
    }
}

void WireGuardEncapsulation::removePeer(uint32_t slot)
{
    {
        // Not while the timer thread runs the timers: it may be acting on this slot.
        const std::lock_guard lock(m_slotsMutex);
        m_slots.erase(std::remove(m_slots.begin(), m_slots.end(), slot), m_slots.end());
    }
    m_device.removePeer(slot);
    m_initiateNow[slot].store(false, std::memory_order_relaxed);
    Queue& q = m_queues[slot];
    const std::lock_guard lock(q.mutex);
    for (auto& packet : q.packets) {
        std::fill(packet.begin(), packet.end(), uint8_t{0}); // plaintext
    }
    q.packets.clear();
}

WireGuardEncapsulation::~WireGuardEncapsulation()
{
    stop();
}

wireguard::Time WireGuardEncapsulation::now()
{
    return std::chrono::duration_cast<wireguard::Time>(
        std::chrono::steady_clock::now().time_since_epoch());
}

Encapsulation::Result WireGuardEncapsulation::seal(uint32_t peer, uint8_t** data, size_t* len)
{
    uint8_t* message = *data - wireguard::kTransportHeaderSize;
    const size_t room = wireguard::kTransportHeaderSize + *len + tailroom();
    const wireguard::SendResult sent = m_device.encrypt(peer, {message, room}, *len, now());
    if (sent.status == wireguard::SendStatus::Ok) {
        if (sent.actions != wireguard::NoAction) {
            handleActions(peer, sent.actions); // e.g. rekey after 120 s
        }
        *data = message;
        *len = sent.size;
        return {};
    }
    if (sent.status == wireguard::SendStatus::BufferTooSmall) {
        return {Verdict::Drop, DropReason::TooBig};
    }
    // No session: keep the packet (with room to encrypt it in place later) until the
    // handshake completes.
    bool full = false;
    {
        Queue& q = m_queues[peer];
        const std::lock_guard lock(q.mutex);
        if (q.packets.size() >= kQueueLimit) {
            full = true;
        } else {
            q.packets.emplace_back(message, message + room);
        }
    }
    handleActions(peer, sent.actions);
    // The handshake may have completed between encrypt() and the push: then nobody else
    // would flush this packet.
    if (!full && m_device.hasSession(peer, now())) {
        flush(peer, false);
    }
    return full ? Result{Verdict::Drop, DropReason::HandshakeQueueFull}
                : Result{Verdict::Consumed, DropReason::Count};
}

Encapsulation::Result WireGuardEncapsulation::open(const sockaddr* from, uint8_t** data,
                                                   size_t* len, uint32_t* peer)
{
    const UdpEndpoint source = fromSockaddr(from);
    if ((*len == wireguard::kInitiationSize || *len == wireguard::kResponseSize) &&
        ((*data)[0] == 1 || (*data)[0] == 2)) {
        noteHandshakeMessage();
    }
    const wireguard::ReceiveResult r =
        m_device.receive({*data, *len}, toWireGuard(source), now(), m_reply);
    return finishOpen(source, r, data, len, peer);
}

Encapsulation::Result WireGuardEncapsulation::finishOpen(const UdpEndpoint& source,
                                                         const wireguard::ReceiveResult& r,
                                                         uint8_t** data, size_t* len,
                                                         uint32_t* peer)
{
    if (r.endpointChanged) {
        m_generation.fetch_add(1, std::memory_order_release);
    }
    if (r.replySize > 0) {
        m_send(source, {m_reply.data(), r.replySize}, r.peer, m_arrival);
    }
    const bool known = r.peer != wireguard::kNoPeer && r.peer < m_queues.capacity();
    if ((r.actions & wireguard::SessionReady) && known) {
        auto& p = m_counters.peerRx[r.peer];
        p.handshakesDone.add(1);
        p.lastHandshakeUnixMs.store(unixMs(), std::memory_order_relaxed);
    }
    if (r.actions != wireguard::NoAction && known) {
        // Only the initiator must confirm a new session with a keepalive when it has nothing
        // queued; the responder's session was confirmed by the packet just received.
        const bool initiator = r.outcome == ReceiveOutcome::ResponseAccepted;
        handleActions(r.peer, r.actions, initiator);
    }

    auto& rx = m_counters.rx;
    switch (r.outcome) {
    case ReceiveOutcome::TransportData: {
        const size_t inner = innerIpLength(r.plaintext);
        if (inner == 0 || inner > r.plaintext.size()) {
            return {Verdict::Drop, DropReason::Malformed};
        }
        *data = r.plaintext.data();
        *len = inner;
        *peer = r.peer;
        return {};
    }
    case ReceiveOutcome::Keepalive:
    case ReceiveOutcome::InitiationAccepted:
    case ReceiveOutcome::ResponseAccepted:
    case ReceiveOutcome::CookieReplyAccepted:
    case ReceiveOutcome::CookieReplySent:
        return {Verdict::Consumed, DropReason::Count};
    case ReceiveOutcome::HandshakeFailed:
    case ReceiveOutcome::UnknownPeer:
    case ReceiveOutcome::InitiationFlood:
        rx.handshakesFailed.add(1);
        return {Verdict::Drop, DropReason::NotAuthenticated};
    case ReceiveOutcome::ReplayedInitiation:
        rx.handshakesFailed.add(1);
        return {Verdict::Drop, DropReason::Replayed};
    case ReceiveOutcome::UnknownIndex:
    case ReceiveOutcome::KeypairExpired:
    case ReceiveOutcome::DecryptionFailed:
        rx.decryptionFailures.add(1);
        return {Verdict::Drop, DropReason::NotAuthenticated};
    case ReceiveOutcome::ReplayedCounter:
        rx.replaysRejected.add(1);
        return {Verdict::Drop, DropReason::Replayed};
    case ReceiveOutcome::Malformed:
    case ReceiveOutcome::RateLimited:
    case ReceiveOutcome::InvalidMac1:
    case ReceiveOutcome::InvalidCookieReply:
        break;
    }
    return {Verdict::Drop, DropReason::NotAuthenticated};
}

void WireGuardEncapsulation::sealBatch(uint32_t peer, uint8_t** data, size_t* len, size_t count,
                                       Result* results)
{
    if (count <= 1) {
        if (count == 1) {
            results[0] = seal(peer, data, len);
        }
        return;
    }
    const wireguard::SendRun run = m_device.beginSend(peer, count, true, now());
    if (run.status != wireguard::SendStatus::Ok) {
        // No session: each packet is queued (or dropped) and the handshake started as seal()
        // does it.
        for (size_t i = 0; i < count; ++i) {
            results[i] = seal(peer, &data[i], &len[i]);
        }
        return;
    }
    const size_t tail = tailroom();
    auto one = [&](size_t i) {
        uint8_t* message = data[i] - wireguard::kTransportHeaderSize;
        const size_t room = wireguard::kTransportHeaderSize + len[i] + tail;
        const size_t size = run.seal(i, {message, room}, len[i]);
        if (size == 0) {
            results[i] = {Verdict::Drop, DropReason::TooBig};
            return;
        }
        data[i] = message;
        len[i] = size;
        results[i] = {};
    };
    m_sealWorkers.run(count, one);
    if (run.actions != wireguard::NoAction) {
        handleActions(peer, run.actions); // e.g. rekey after 120 s
    }
}

void WireGuardEncapsulation::openBatch(const sockaddr* from, uint8_t** data, size_t* len,
                                       size_t count, uint32_t* peers, Result* results)
{
    const auto transport = [&](size_t i) {
        return len[i] >= wireguard::kTransportMinSize &&
               wireguard::readLe32(data[i]) == uint32_t(wireguard::MessageType::Transport);
    };
    size_t i = 0;
    while (i < count) {
        if (!transport(i)) {
            results[i] = open(from, &data[i], &len[i], &peers[i]);
            ++i;
            continue;
        }
        // A run: consecutive transport messages for one of our receiver indexes.
        const uint32_t receiver = wireguard::readLe32(data[i] + 4);
        size_t end = i + 1;
        while (end < count && end - i < kMaxBatch && transport(end) &&
               wireguard::readLe32(data[end] + 4) == receiver) {
            ++end;
        }
        openRun(from, receiver, data + i, len + i, end - i, peers + i, results + i);
        i = end;
    }
}

void WireGuardEncapsulation::openRun(const sockaddr* from, uint32_t receiver, uint8_t** data,
                                     size_t* len, size_t count, uint32_t* peers, Result* results)
{
    if (count == 1) {
        results[0] = open(from, data, len, peers);
        return;
    }
    const UdpEndpoint source = fromSockaddr(from);
    const wireguard::Time t = now();
    const wireguard::ReceiveRun run = m_device.beginReceive(receiver, t);
    std::span<uint8_t>* messages = m_runMessages.data();
    bool* decrypted = m_runDecrypted.data();
    wireguard::ReceiveResult* verdicts = m_runVerdicts.data();
    for (size_t k = 0; k < count; ++k) {
        messages[k] = {data[k], len[k]};
        decrypted[k] = false;
    }
    if (run.keypair) {
        auto one = [&](size_t k) { decrypted[k] = run.open(messages[k]); };
        m_openWorkers.run(count, one);
    }
    m_device.finishReceive(run, {messages, count}, decrypted, toWireGuard(source), t, verdicts);
    for (size_t k = 0; k < count; ++k) {
        results[k] = finishOpen(source, verdicts[k], &data[k], &len[k], &peers[k]);
    }
}

void WireGuardEncapsulation::noteHandshakeMessage()
{
    const auto t = std::chrono::steady_clock::now();
    if (t - m_loadWindowStart >= std::chrono::seconds(1)) {
        m_loadWindowStart = t;
        m_handshakesInWindow = 0;
    }
    if (++m_handshakesInWindow > kUnderLoadHandshakesPerSecond) {
        m_underLoadUntil = t + std::chrono::seconds(1);
    }
    const bool load = t < m_underLoadUntil;
    if (load != m_device.underLoad()) {
        m_device.setUnderLoad(load);
        if (load && m_log) {
            m_log->add(LogLevel::Warning, m_tunnelName,
                       "many handshake messages: under load, answering with cookies");
        }
    }
}

UdpEndpoint WireGuardEncapsulation::peerEndpoint(uint32_t peer) const
{
    return fromWireGuard(m_device.endpoint(peer));
}

void WireGuardEncapsulation::setPeerEndpoint(uint32_t peer, const UdpEndpoint& endpoint)
{
    if (peer >= m_initiateNow.capacity()) {
        return;
    }
    m_device.setEndpoint(peer, toWireGuard(endpoint));
    m_index.set(peer, endpoint);
    m_generation.fetch_add(1, std::memory_order_release);
    m_initiateNow[peer].store(true, std::memory_order_release);
}

void WireGuardEncapsulation::initiateHandshakes()
{
    const std::lock_guard lock(m_slotsMutex); // setPeers() may change the slots meanwhile
    for (const uint32_t p : m_slots) {
        if (peerEndpoint(p).port != 0) { // a peer that calls us has nowhere to be sent to
            m_initiateNow[p].store(true, std::memory_order_release);
        }
    }
}

void WireGuardEncapsulation::handleActions(uint32_t peer, wireguard::PeerActions actions,
                                           bool keepaliveIfNothingQueued)
{
    if (actions & wireguard::SendInitiation) {
        sendInitiation(peer);
    }
    if (actions & wireguard::SessionReady) {
        flush(peer, keepaliveIfNothingQueued);
    } else if (actions & wireguard::SendKeepalive) {
        sendKeepalive(peer);
    }
    if (actions & wireguard::DropQueued) {
        Queue& q = m_queues[peer];
        const std::lock_guard lock(q.mutex);
        q.packets.clear();
        m_counters.timer.handshakesAbandoned.add(1);
    }
}

void WireGuardEncapsulation::sendInitiation(uint32_t peer)
{
    std::array<uint8_t, wireguard::kInitiationSize> message{};
    const size_t n = m_device.createInitiation(peer, now(), message);
    if (n > 0) {
        m_counters.peerTimer[peer].initiationsSent.add(1);
        sendTo(peer, {message.data(), n});
    }
}

void WireGuardEncapsulation::sendKeepalive(uint32_t peer)
{
    std::array<uint8_t, wireguard::kTransportMinSize> message{};
    const wireguard::SendResult sent = m_device.encrypt(peer, message, 0, now());
    if (sent.status == wireguard::SendStatus::Ok) {
        sendTo(peer, {message.data(), sent.size});
    }
    if (sent.actions & wireguard::SendInitiation) {
        sendInitiation(peer);
    }
}

void WireGuardEncapsulation::flush(uint32_t peer, bool keepaliveIfEmpty)
{
    Queue& q = m_queues[peer];
    std::deque<std::vector<uint8_t>> pending;
    {
        const std::lock_guard lock(q.mutex);
        pending.swap(q.packets);
    }
    if (pending.empty()) {
        if (keepaliveIfEmpty) {
            sendKeepalive(peer);
        }
        return;
    }
    const size_t overhead = wireguard::kTransportHeaderSize + tailroom();
    while (!pending.empty()) {
        std::vector<uint8_t>& packet = pending.front();
        const size_t plainSize = packet.size() - overhead;
        const wireguard::SendResult sent = m_device.encrypt(peer, packet, plainSize, now());
        if (sent.status != wireguard::SendStatus::Ok) {
            break; // the session went away again: keep the rest for the next one
        }
        sendTo(peer, {packet.data(), sent.size});
        m_counters.peerTimer[peer].flushedPackets.add(1);
        m_counters.peerTimer[peer].flushedBytes.add(plainSize); // inner bytes, as the loops count
        pending.pop_front();
    }
    if (!pending.empty()) {
        const std::lock_guard lock(q.mutex);
        while (!pending.empty() && q.packets.size() < kQueueLimit) {
            q.packets.push_front(std::move(pending.back()));
            pending.pop_back();
        }
    }
}

void WireGuardEncapsulation::sendTo(uint32_t peer, std::span<const uint8_t> datagram)
{
    const UdpEndpoint to = peerEndpoint(peer);
    if (to.port != 0) {
        m_send(to, datagram, peer, nullptr);
    }
}

size_t WireGuardEncapsulation::queuedPackets(uint32_t peer) const
{
    const Queue& q = m_queues[peer];
    const std::lock_guard lock(q.mutex);
    return q.packets.size();
}

std::chrono::steady_clock::time_point WireGuardEncapsulation::runTimers()
{
    const wireguard::Time t = now();
    const std::lock_guard lock(m_slotsMutex);
    for (const uint32_t p : m_slots) {
        if (m_initiateNow[p].load(std::memory_order_relaxed) &&
            m_initiateNow[p].exchange(false, std::memory_order_acquire)) {
            sendInitiation(p);
        }
        const wireguard::PeerActions actions = m_device.onTimer(p, t);
        if (actions != wireguard::NoAction) {
            handleActions(p, actions);
        }
    }
    const auto steadyNow = std::chrono::steady_clock::now();
    auto next = steadyNow + kTimerCap;
    if (const auto deadline = m_device.nextDeadline()) {
        const auto at = std::chrono::steady_clock::time_point(
            std::chrono::duration_cast<std::chrono::steady_clock::duration>(*deadline));
        next = std::min(next, std::max(at, steadyNow));
    }
    return next;
}

void WireGuardEncapsulation::startTimers()
{
    m_timer.start([this] { timerLoop(); });
}

void WireGuardEncapsulation::timerLoop()
{
    for (;;) {
        const auto next = runTimers();
        const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
            next - std::chrono::steady_clock::now());
        const int timeout = int(std::clamp<int64_t>(wait.count(), 1, kTimerCap.count()));
        if (m_timer.stopSignal().wait(-1, timeout) == StopSignal::kStopped) {
            return;
        }
    }
}

void WireGuardEncapsulation::stop()
{
    if (m_stopped) {
        return;
    }
    m_stopped = true;
    m_timer.stop();
    const std::lock_guard lock(m_slotsMutex);
    for (const uint32_t p : m_slots) {
        {
            Queue& q = m_queues[p];
            const std::lock_guard lock(q.mutex);
            for (auto& packet : q.packets) {
                std::fill(packet.begin(), packet.end(), uint8_t{0}); // plaintext
            }
            q.packets.clear();
        }
        m_device.clearKeys(p);
    }
}

} // namespace peertun::engine
