#include "Device.h"

#include "Session.h"

#include <cstring>
#include <stdexcept>
#include <sys/socket.h>

namespace peertun::wireguard {

std::string_view receiveOutcomeName(ReceiveOutcome outcome)
{
    switch (outcome) {
    case ReceiveOutcome::TransportData:
        return "transport-data";
    case ReceiveOutcome::Keepalive:
        return "keepalive";
    case ReceiveOutcome::InitiationAccepted:
        return "initiation-accepted";
    case ReceiveOutcome::ResponseAccepted:
        return "response-accepted";
    case ReceiveOutcome::CookieReplyAccepted:
        return "cookie-reply-accepted";
    case ReceiveOutcome::CookieReplySent:
        return "cookie-reply-sent";
    case ReceiveOutcome::Malformed:
        return "malformed";
    case ReceiveOutcome::RateLimited:
        return "rate-limited";
    case ReceiveOutcome::InvalidMac1:
        return "invalid-mac1";
    case ReceiveOutcome::HandshakeFailed:
        return "handshake-failed";
    case ReceiveOutcome::UnknownPeer:
        return "unknown-peer";
    case ReceiveOutcome::ReplayedInitiation:
        return "replayed-initiation";
    case ReceiveOutcome::InitiationFlood:
        return "initiation-flood";
    case ReceiveOutcome::InvalidCookieReply:
        return "invalid-cookie-reply";
    case ReceiveOutcome::UnknownIndex:
        return "unknown-index";
    case ReceiveOutcome::KeypairExpired:
        return "keypair-expired";
    case ReceiveOutcome::DecryptionFailed:
        return "decryption-failed";
    case ReceiveOutcome::ReplayedCounter:
        return "replayed-counter";
    }
    return "unknown";
}

struct Device::Peer
{
    Peer(const LocalIdentity& local, PeerConfig& config)
        : identity(local, config.publicKey, std::move(config.presharedKey)),
          timers(config.persistentKeepalive), endpoint(config.endpoint)
    {}

    PeerIdentity identity;
    HandshakeState handshake;
    CookieState cookies;
    PeerTimers timers;
    std::shared_ptr<Keypair> current, previous, next;
    Endpoint endpoint;
    std::optional<Tai64n> greatestTimestamp;
    std::optional<Time> lastInitiationConsumed;
    bool sentLastMinuteHandshake = false;

    std::shared_ptr<Keypair> keypairFor(uint32_t localIndex) const
    {
        for (const auto* k : {&current, &next, &previous}) {
            if (*k && (*k)->localIndex == localIndex) {
                return *k;
            }
        }
        return nullptr;
    }
};

Device::Device(LockedSecretKey privateKey)
    : m_local(std::move(privateKey)), m_cookieChecker(m_local)
{
    if (m_local.privateKey().isZero()) {
        throw std::invalid_argument("private key is all zeros");
    }
}

Device::~Device() = default; // Peer and Keypair members wipe their secrets

PeerId Device::addPeer(PeerConfig config)
{
    PeerId id = 0;
    {
        std::lock_guard lock(m_mutex);
        id = static_cast<PeerId>(m_peers.size());
    }
    addPeerAt(id, std::move(config));
    return id;
}

std::string Device::unusablePeerKey(const PublicKey& publicKey) const
{
    if (publicKey == m_local.publicKey()) {
        return "peer public key is our own public key";
    }
    if (!PeerIdentity(m_local, publicKey, std::nullopt).hasStaticStatic()) {
        return "peer public key is not usable (low-order point)";
    }
    return {};
}

void Device::addPeerAt(PeerId id, PeerConfig config)
{
    if (config.publicKey == m_local.publicKey()) {
        throw std::invalid_argument("peer public key is our own public key");
    }
    auto peer = std::make_unique<Peer>(m_local, config);
    if (!peer->identity.hasStaticStatic()) {
        throw std::invalid_argument("peer public key is not usable (low-order point)");
    }
    std::lock_guard lock(m_mutex);
    if (m_peerByKey.count(config.publicKey)) {
        throw std::invalid_argument("peer public key is configured twice");
    }
    if (id == kNoPeer || findLocked(id)) {
        throw std::invalid_argument("peer id " + std::to_string(id) + " is in use");
    }
    if (id >= m_peers.size()) {
        m_peers.resize(size_t(id) + 1);
    }
    m_peerByKey.emplace(config.publicKey, id);
    m_peers[id] = std::move(peer);
}

void Device::removePeer(PeerId id)
{
    std::lock_guard lock(m_mutex);
    Peer* p = findLocked(id);
    if (!p) {
        return;
    }
    clearKeysLocked(*p); // its receiver indexes go with its sessions
    m_peerByKey.erase(p->identity.publicKey());
    m_peers[id].reset();
    while (!m_peers.empty() && !m_peers.back()) {
        m_peers.pop_back();
    }
}

void Device::updatePeer(PeerId id, std::optional<LockedSecretKey> presharedKey,
                        Time persistentKeepalive)
{
    std::lock_guard lock(m_mutex);
    Peer* p = findLocked(id);
    if (!p) {
        return;
    }
    const PublicKey key = p->identity.publicKey();
    p->identity = PeerIdentity(m_local, key, std::move(presharedKey));
    p->timers.setPersistentKeepalive(persistentKeepalive);
}

size_t Device::peerCount() const
{
    std::lock_guard lock(m_mutex);
    return m_peerByKey.size();
}

std::optional<PeerId> Device::findPeer(const PublicKey& publicKey) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_peerByKey.find(publicKey);
    if (it == m_peerByKey.end()) {
        return std::nullopt;
    }
    return it->second;
}

// --- receive ----------------------------------------------------------------------------------

ReceiveResult Device::receive(std::span<uint8_t> datagram, const Endpoint& source, Time now,
                              std::span<uint8_t> reply)
{
    if (reply.size() < kReplyBufferSize) {
        throw std::invalid_argument("Device::receive: reply buffer too small");
    }
    ReceiveResult r;
    if (datagram.size() < 4) {
        return r;
    }
    // The type is a little-endian 32-bit word: the three reserved bytes must be zero.
    switch (readLe32(datagram.data())) {
    case static_cast<uint32_t>(MessageType::Initiation):
        if (datagram.size() == kInitiationSize) {
            return receiveInitiation(datagram, source, now, reply);
        }
        break;
    case static_cast<uint32_t>(MessageType::Response):
        if (datagram.size() == kResponseSize) {
            return receiveResponse(datagram, source, now, reply);
        }
        break;
    case static_cast<uint32_t>(MessageType::CookieReply):
        if (datagram.size() == kCookieReplySize) {
            return receiveCookieReply(datagram, now);
        }
        break;
    case static_cast<uint32_t>(MessageType::Transport):
        if (datagram.size() >= kTransportMinSize) {
            return receiveTransport(datagram, source, now);
        }
        break;
    default:
        break;
    }
    return r;
}

bool Device::checkMac2OrReply(std::span<uint8_t> d, size_t senderOffset, size_t mac1Offset,
                              const Endpoint& src, Time now, std::span<uint8_t> reply,
                              ReceiveResult& r)
{
    if (!underLoad()) {
        return true;
    }
    std::array<uint8_t, 18> srcBytes{};
    const size_t n = src.cookieBytes(srcBytes);
    const Bytes srcView(srcBytes.data(), n);
    std::lock_guard lock(m_mutex); // the cookie secret rotates, the buckets fill
    if (!m_cookieChecker.checkMac2(d, mac1Offset, srcView, now)) {
        m_cookieChecker.createCookieReply(d, senderOffset, mac1Offset, srcView, now,
                                          reply.first<kCookieReplySize>());
        r.outcome = ReceiveOutcome::CookieReplySent;
        r.replySize = kCookieReplySize;
        return false;
    }
    // A valid cookie proves the source address, so limiting per address is now meaningful.
    if (!m_rateLimiter.allow(src, now)) {
        r.outcome = ReceiveOutcome::RateLimited;
        return false;
    }
    return true;
}

ReceiveResult Device::receiveInitiation(std::span<uint8_t> d, const Endpoint& src, Time now,
                                        std::span<uint8_t> reply)
{
    ReceiveResult r;
    // MAC1 first and alone: whoever does not know our public key learns nothing, not even that
    // we exist.
    if (!m_cookieChecker.checkMac1(d, initiation::kMac1)) {
        r.outcome = ReceiveOutcome::InvalidMac1;
        return r;
    }
    if (!checkMac2OrReply(d, initiation::kSender, initiation::kMac1, src, now, reply, r)) {
        return r;
    }

    // The expensive part needs only our immutable identity: outside the lock.
    ConsumedInitiation in;
    if (!consumeInitiation(m_local, d.first<kInitiationSize>(), in)) {
        r.outcome = ReceiveOutcome::HandshakeFailed;
        return r;
    }

    std::lock_guard lock(m_mutex);
    const auto found = m_peerByKey.find(in.initiatorStatic);
    if (found == m_peerByKey.end()) {
        r.outcome = ReceiveOutcome::UnknownPeer;
        return r;
    }
    r.peer = found->second;
    Peer& p = *m_peers[r.peer];
    if (p.greatestTimestamp && !in.timestamp.isAfter(*p.greatestTimestamp)) {
        r.outcome = ReceiveOutcome::ReplayedInitiation;
        return r;
    }
    if (p.lastInitiationConsumed && now - *p.lastInitiationConsumed < kMinInitiationInterval) {
        r.outcome = ReceiveOutcome::InitiationFlood;
        return r;
    }

    // Authenticated: commit. A pending initiation of our own is superseded.
    p.greatestTimestamp = in.timestamp;
    p.lastInitiationConsumed = now;
    releaseHandshakeIndex(p);
    p.handshake.clear();
    p.handshake.stage = HandshakeState::Stage::InitiationReceived;
    p.handshake.hash = in.hash;
    p.handshake.chainingKey = in.chainingKey;
    p.handshake.remoteEphemeral = in.ephemeral;
    p.handshake.remoteIndex = in.senderIndex;
    updateEndpoint(p, src, r);
    p.timers.anyAuthenticatedReceived(now);
    p.timers.anyAuthenticatedTraversal(now);

    const uint32_t localIndex = allocateIndex(r.peer);
    auto keypair = std::make_shared<Keypair>();
    if (!createResponse(m_local, p.identity, p.handshake, localIndex, reply.first<kResponseSize>(),
                        keypair->keys)) {
        m_indexes.erase(localIndex);
        r.outcome = ReceiveOutcome::HandshakeFailed;
        return r;
    }
    p.cookies.addMacs(p.identity, reply.first(kResponseSize), response::kMac1, now);
    keypair->localIndex = localIndex;
    keypair->remoteIndex = in.senderIndex;
    keypair->created = now;
    keypair->isInitiator = false;
    installAsResponder(p, std::move(keypair));
    p.timers.handshakeResponseSent(now);
    p.timers.sessionDerived(now);
    p.timers.anyAuthenticatedSent(now);
    p.timers.anyAuthenticatedTraversal(now);

    r.outcome = ReceiveOutcome::InitiationAccepted;
    r.replySize = kResponseSize;
    return r;
}

ReceiveResult Device::receiveResponse(std::span<uint8_t> d, const Endpoint& src, Time now,
                                      std::span<uint8_t> reply)
{
    ReceiveResult r;
    if (!m_cookieChecker.checkMac1(d, response::kMac1)) {
        r.outcome = ReceiveOutcome::InvalidMac1;
        return r;
    }
    if (!checkMac2OrReply(d, response::kSender, response::kMac1, src, now, reply, r)) {
        return r;
    }

    std::lock_guard lock(m_mutex);
    const uint32_t receiver = readLe32(&d[response::kReceiver]);
    const auto found = m_indexes.find(receiver);
    if (found == m_indexes.end()) {
        r.outcome = ReceiveOutcome::UnknownIndex;
        return r;
    }
    Peer& p = *m_peers[found->second];
    if (p.handshake.stage != HandshakeState::Stage::InitiationSent ||
        p.handshake.localIndex != receiver) {
        r.outcome = ReceiveOutcome::UnknownIndex;
        return r;
    }
    r.peer = found->second;
    auto keypair = std::make_shared<Keypair>();
    if (!consumeResponse(m_local, p.identity, p.handshake, d.first<kResponseSize>(),
                         keypair->keys)) {
        r.outcome = ReceiveOutcome::HandshakeFailed;
        return r;
    }
    // The handshake's index now names the session.
    keypair->localIndex = receiver;
    keypair->remoteIndex = readLe32(&d[response::kSender]);
    keypair->created = now;
    keypair->isInitiator = true;
    installAsInitiator(p, std::move(keypair));
    updateEndpoint(p, src, r);
    p.timers.anyAuthenticatedReceived(now);
    p.timers.anyAuthenticatedTraversal(now);
    p.timers.handshakeComplete(now);
    p.timers.sessionDerived(now);

    r.outcome = ReceiveOutcome::ResponseAccepted;
    r.actions |= SessionReady;
    return r;
}

ReceiveResult Device::receiveCookieReply(std::span<uint8_t> d, Time now)
{
    ReceiveResult r;
    std::lock_guard lock(m_mutex);
    const auto found = m_indexes.find(readLe32(&d[cookie::kReceiver]));
    if (found == m_indexes.end()) {
        r.outcome = ReceiveOutcome::UnknownIndex;
        return r;
    }
    r.peer = found->second;
    Peer& p = *m_peers[r.peer];
    if (!p.cookies.consumeCookieReply(p.identity, d.first<kCookieReplySize>(), now)) {
        r.outcome = ReceiveOutcome::InvalidCookieReply;
        return r;
    }
    // Per the paper, no immediate resend: the retransmit timer sends the next initiation, which
    // will then carry mac2.
    r.outcome = ReceiveOutcome::CookieReplyAccepted;
    return r;
}

ReceiveResult Device::receiveTransport(std::span<uint8_t> d, const Endpoint& src, Time now)
{
    ReceiveResult r;
    const ReceiveRun run = beginReceive(readLe32(&d[transport::kReceiver]), now);
    r.peer = run.peer;
    if (!run.keypair) {
        r.outcome = run.failure;
        return r;
    }
    const std::span<uint8_t> one[1] = {d};
    const bool decrypted = run.open(d);
    finishReceive(run, one, &decrypted, src, now, &r);
    return r;
}

ReceiveRun Device::beginReceive(uint32_t receiver, Time now)
{
    ReceiveRun run;
    {
        std::lock_guard lock(m_mutex);
        const auto found = m_indexes.find(receiver);
        if (found == m_indexes.end() ||
            !(run.keypair = m_peers[found->second]->keypairFor(receiver))) {
            run.failure = ReceiveOutcome::UnknownIndex;
            return run;
        }
        run.peer = found->second;
    }
    // Keys and creation time never change after a keypair is installed.
    if (run.keypair->isExpired(now)) {
        run.keypair.reset();
        run.failure = ReceiveOutcome::KeypairExpired;
    }
    return run;
}

bool ReceiveRun::open(std::span<uint8_t> message) const
{
    return keypair && openTransport(message, keypair->keys.receiving);
}

void Device::finishReceive(const ReceiveRun& run, std::span<const std::span<uint8_t>> messages,
                           const bool* decrypted, const Endpoint& source, Time now,
                           ReceiveResult* results)
{
    if (!run.keypair) {
        for (size_t i = 0; i < messages.size(); ++i) {
            results[i] = ReceiveResult{};
            results[i].outcome = run.failure;
            results[i].peer = run.peer;
        }
        return;
    }
    std::lock_guard lock(m_mutex);
    Peer* found = findLocked(run.peer);
    if (!found) { // removed since beginReceive(): its sessions are gone
        for (size_t i = 0; i < messages.size(); ++i) {
            results[i] = ReceiveResult{};
            results[i].outcome = ReceiveOutcome::UnknownIndex;
        }
        return;
    }
    Peer& p = *found;
    for (size_t i = 0; i < messages.size(); ++i) {
        ReceiveResult& r = results[i];
        r = ReceiveResult{};
        r.peer = run.peer;
        if (!decrypted[i]) {
            r.outcome = ReceiveOutcome::DecryptionFailed;
            continue;
        }
        acceptTransportLocked(p, run.keypair, readLe64(&messages[i][transport::kCounter]),
                              messages[i], source, now, r);
    }
}

void Device::acceptTransportLocked(Peer& p, const std::shared_ptr<Keypair>& k, uint64_t counter,
                                   std::span<uint8_t> d, const Endpoint& src, Time now,
                                   ReceiveResult& r)
{
    // Only now, authenticated, may the window move.
    if (!k->replay.checkAndUpdate(counter)) {
        r.outcome = ReceiveOutcome::ReplayedCounter;
        return;
    }
    if (k == p.next) {
        // The initiator confirmed the session: the responder may now send with it.
        promoteNext(p);
        p.timers.handshakeComplete(now);
        r.actions |= SessionReady;
    }
    updateEndpoint(p, src, r);
    p.timers.anyAuthenticatedReceived(now);
    p.timers.anyAuthenticatedTraversal(now);

    const size_t len = d.size() - kTransportMinSize;
    if (len == 0) {
        r.outcome = ReceiveOutcome::Keepalive;
    } else {
        r.outcome = ReceiveOutcome::TransportData;
        r.plaintext = d.subspan(kTransportHeaderSize, len);
        p.timers.dataReceived(now);
    }
    // An initiator whose session nears REJECT_AFTER_TIME rekeys even if it only receives.
    if (p.current && p.current->isInitiator && now - p.current->created >= kRekeyOnReceiveAfter &&
        !p.sentLastMinuteHandshake && p.timers.mayInitiate(now)) {
        p.sentLastMinuteHandshake = true;
        r.actions |= SendInitiation;
    }
}

void Device::updateEndpoint(Peer& p, const Endpoint& src, ReceiveResult& r)
{
    if (src.isSet() && !(p.endpoint == src)) {
        p.endpoint = src;
        r.endpointChanged = true;
    }
}

// --- send -------------------------------------------------------------------------------------

SendResult Device::encrypt(PeerId peer, std::span<uint8_t> buffer, size_t plaintextLen, Time now)
{
    SendResult r;
    const bool fits =
        buffer.size() >=
        transportMessageSize(plaintextLen, m_paddingCap.load(std::memory_order_relaxed));
    const SendRun run = beginSend(peer, 1, plaintextLen > 0, now, fits);
    r.status = run.status;
    r.actions = run.actions;
    if (run.status != SendStatus::Ok) {
        return r;
    }
    r.size = run.seal(0, buffer, plaintextLen);
    return r;
}

SendRun Device::beginSend(PeerId peer, size_t count, bool data, Time now, bool fits)
{
    SendRun run;
    run.paddingCap = m_paddingCap.load(std::memory_order_relaxed);
    std::lock_guard lock(m_mutex);
    Peer* found = findLocked(peer);
    if (!found) {
        run.status = SendStatus::NoSession; // removed: nothing to send with, no handshake
        return run;
    }
    Peer& p = *found;
    const std::shared_ptr<Keypair>& k = p.current;
    // The whole run must fit below the limit: a counter is never used twice.
    if (!k || !k->canSend(now) || kRejectAfterMessages - k->sendCounter < count) {
        run.status = SendStatus::NoSession;
        if (p.timers.mayInitiate(now)) {
            run.actions |= SendInitiation;
        }
        return run;
    }
    if (!fits) {
        run.status = SendStatus::BufferTooSmall;
        return run;
    }
    run.firstCounter = k->sendCounter;
    k->sendCounter += count;
    run.count = count;
    p.timers.anyAuthenticatedSent(now);
    p.timers.anyAuthenticatedTraversal(now);
    if (data) {
        p.timers.dataSent(now);
    }
    if (k->wantsRekeyOnSend(now) && p.timers.mayInitiate(now)) {
        run.actions |= SendInitiation;
    }
    run.keypair = k;
    run.status = SendStatus::Ok;
    return run;
}

size_t SendRun::seal(size_t i, std::span<uint8_t> buffer, size_t plaintextLen) const
{
    if (!keypair || i >= count) {
        return 0;
    }
    // The crypto runs outside the lock; `keypair` keeps the keys alive even if rotated meanwhile.
    return sealTransport(buffer, plaintextLen, keypair->remoteIndex, firstCounter + i,
                         keypair->keys.sending, paddingCap);
}

size_t Device::createInitiation(PeerId peer, Time now, const Tai64n& timestamp,
                                std::span<uint8_t> out)
{
    if (out.size() < kInitiationSize) {
        return 0;
    }
    std::lock_guard lock(m_mutex);
    Peer* found = findLocked(peer);
    if (!found) {
        return 0;
    }
    Peer& p = *found;
    const bool isRetry = p.timers.consumePendingRetry();
    releaseHandshakeIndex(p);
    const uint32_t index = allocateIndex(peer);
    if (!wireguard::createInitiation(m_local, p.identity, p.handshake, index, timestamp,
                                     out.first<kInitiationSize>())) {
        m_indexes.erase(index);
        return 0;
    }
    p.cookies.addMacs(p.identity, out.first(kInitiationSize), initiation::kMac1, now);
    const Time jitter(randomUniform(static_cast<uint32_t>(kRekeyTimeoutJitterMax.count())));
    p.timers.handshakeInitiated(now, isRetry, jitter);
    p.timers.anyAuthenticatedSent(now);
    p.timers.anyAuthenticatedTraversal(now);
    return kInitiationSize;
}

// --- timers and state -------------------------------------------------------------------------

PeerActions Device::onTimer(PeerId peer, Time now)
{
    std::lock_guard lock(m_mutex);
    Peer* found = findLocked(peer);
    if (!found) {
        return NoAction;
    }
    Peer& p = *found;
    const PeerActions actions = p.timers.poll(now);
    if (actions & KeysZeroed) {
        clearKeysLocked(p);
    }
    return actions;
}

std::optional<Time> Device::nextDeadline() const
{
    std::lock_guard lock(m_mutex);
    std::optional<Time> best;
    for (const auto& p : m_peers) {
        if (!p) {
            continue;
        }
        const auto d = p->timers.nextDeadline();
        if (d && (!best || *d < *best)) {
            best = d;
        }
    }
    return best;
}

Endpoint Device::endpoint(PeerId peer) const
{
    std::lock_guard lock(m_mutex);
    const Peer* p = findLocked(peer);
    return p ? p->endpoint : Endpoint{};
}

void Device::setEndpoint(PeerId peer, const Endpoint& endpoint)
{
    std::lock_guard lock(m_mutex);
    if (Peer* p = findLocked(peer)) {
        p->endpoint = endpoint;
    }
}

std::optional<Time> Device::lastHandshake(PeerId peer) const
{
    std::lock_guard lock(m_mutex);
    const Peer* p = findLocked(peer);
    return p ? p->timers.lastHandshake() : std::nullopt;
}

bool Device::hasSession(PeerId peer, Time now) const
{
    std::lock_guard lock(m_mutex);
    const Peer* p = findLocked(peer);
    return p && p->current && p->current->canSend(now);
}

void Device::clearKeys(PeerId peer)
{
    std::lock_guard lock(m_mutex);
    if (Peer* p = findLocked(peer)) {
        clearKeysLocked(*p);
    }
}

void Device::clearKeysLocked(Peer& p)
{
    dropKeypair(p.current);
    dropKeypair(p.previous);
    dropKeypair(p.next);
    releaseHandshakeIndex(p);
    p.handshake.clear();
}

// --- indexes and keypair rotation -------------------------------------------------------------

uint32_t Device::allocateIndex(PeerId peer)
{
    for (;;) {
        const uint32_t index = randomU32();
        if (index != 0 && m_indexes.emplace(index, peer).second) {
            return index;
        }
    }
}

void Device::releaseHandshakeIndex(Peer& p)
{
    if (p.handshake.localIndex != 0) {
        m_indexes.erase(p.handshake.localIndex);
        p.handshake.localIndex = 0;
    }
}

void Device::dropKeypair(std::shared_ptr<Keypair>& k)
{
    if (k) {
        m_indexes.erase(k->localIndex);
        k.reset(); // the keys are wiped when the last user lets go
    }
}

void Device::installAsInitiator(Peer& p, std::shared_ptr<Keypair> k)
{
    // As wireguard-go: an unconfirmed responder session becomes "previous" (the peer may still
    // use it); otherwise the current one does.
    dropKeypair(p.previous);
    if (p.next) {
        dropKeypair(p.current);
        p.previous = std::move(p.next);
    } else {
        p.previous = std::move(p.current);
    }
    p.current = std::move(k);
    p.sentLastMinuteHandshake = false;
}

void Device::installAsResponder(Peer& p, std::shared_ptr<Keypair> k)
{
    // The responder may not send on the new session before the initiator used it; it waits in
    // "next". The current session stays usable meanwhile.
    dropKeypair(p.next);
    dropKeypair(p.previous);
    p.next = std::move(k);
    p.sentLastMinuteHandshake = false;
}

void Device::promoteNext(Peer& p)
{
    dropKeypair(p.previous);
    p.previous = std::move(p.current);
    p.current = std::move(p.next);
}

} // namespace peertun::wireguard
