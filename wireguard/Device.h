// One WireGuard interface's protocol state: our static key, the configured peers, the receiver
// index table and the cookie checker. It turns datagrams into decisions and plaintext, and
// plaintext into datagrams, in caller-provided buffers: no sockets, no threads of its own, no
// clock (time is an argument), and no allocation on the transport path (allocation happens only
// when a handshake completes).
//
// Thread safety: every method may be called from any thread. One internal mutex covers the
// bookkeeping (indexes, counters, timers, keypair rotation); the transport crypto runs outside
// it, so a sending thread (encrypt) and a receiving thread (receive) encrypt and decrypt in
// parallel. A keypair in use stays alive (shared ownership) until its packet is done.
//
// Runs (SendRun, ReceiveRun) do the bookkeeping of many transport packets under one lock and
// one keypair reference: begin under the lock, seal or open each packet without it (on any
// thread, in any order), finish under the lock again in arrival order. The forwarding threads
// use them per batch, so the lock and the reference count are paid per batch, not per packet,
// and the crypto of one batch can be spread over threads.
#pragma once

#include "Crypto.h"
#include "Endpoint.h"
#include "Noise.h"
#include "RateLimiter.h"
#include "Timers.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace peertun::wireguard {

struct Keypair; // Session.h

using PeerId = uint32_t;
inline constexpr PeerId kNoPeer = ~PeerId{0};

struct PeerConfig
{
    PublicKey publicKey{};
    std::optional<LockedSecretKey> presharedKey;
    Time persistentKeepalive = Time::zero(); // 0 = off
    Endpoint endpoint;                       // initial endpoint, may be unset
};

// Order matters: everything up to CookieReplyAccepted is authenticated (see authenticated()).
enum class ReceiveOutcome : uint8_t {
    // accepted (authenticated)
    TransportData,       // `plaintext` is the inner packet (plus zero padding)
    Keepalive,           // an empty transport message
    InitiationAccepted,  // `reply` holds our response
    ResponseAccepted,    // handshake complete as initiator (actions has SessionReady)
    CookieReplyAccepted, // we now hold a cookie for mac2
    // answered but not processed
    CookieReplySent, // under load and mac2 missing/wrong: `reply` holds a cookie reply
    // dropped, nothing sent
    Malformed,          // unknown type, bad size, non-zero reserved bytes
    RateLimited,        // under load: too many handshake messages from this source
    InvalidMac1,        // not addressed to our public key: silently ignored
    HandshakeFailed,    // decryption or DH failure in a handshake message
    UnknownPeer,        // initiation from a static key we do not know
    ReplayedInitiation, // timestamp not newer than the greatest seen from that peer
    InitiationFlood,    // initiations from one peer faster than one per 20 ms
    InvalidCookieReply, // does not decrypt for the last message we sent
    UnknownIndex,       // receiver index matches no handshake or session
    KeypairExpired,     // session older than REJECT_AFTER_TIME
    DecryptionFailed,   // transport message fails authentication
    ReplayedCounter,    // transport counter seen before, too old, or beyond the limit
};
// Stable kebab-case name for logs and counters ("transport-data", "invalid-mac1", ...).
std::string_view receiveOutcomeName(ReceiveOutcome outcome);

struct ReceiveResult
{
    ReceiveOutcome outcome = ReceiveOutcome::Malformed;
    PeerId peer = kNoPeer;        // set once the message is attributed to a peer
    std::span<uint8_t> plaintext; // TransportData: inside the caller's datagram buffer
    size_t replySize = 0;         // > 0: send reply[0, replySize) back to the source endpoint
    PeerActions actions = NoAction;
    bool endpointChanged = false; // roaming: the peer's endpoint is now the source

    bool authenticated() const { return outcome <= ReceiveOutcome::CookieReplyAccepted; }
};

enum class SendStatus : uint8_t {
    Ok,
    NoSession,      // no usable keys: queue the packet, handshake (see actions)
    BufferTooSmall, // need transportMessageSize(len) bytes
};

struct SendResult
{
    SendStatus status = SendStatus::NoSession;
    size_t size = 0; // message bytes at the start of the buffer
    PeerActions actions = NoAction;
};

// The bookkeeping of `count` transport packets to one peer, done at once (Device::beginSend):
// counters firstCounter .. firstCounter + count - 1 are reserved for them.
struct SendRun
{
    SendStatus status = SendStatus::NoSession;
    PeerActions actions = NoAction;
    uint64_t firstCounter = 0;
    size_t count = 0;
    size_t paddingCap = 0;
    std::shared_ptr<const Keypair> keypair; // null unless status is Ok

    // Seals packet i of the run in place (buffer as for Device::encrypt); thread-safe, no lock.
    // Returns the message size, 0 if the buffer is too small (its counter is then unused).
    size_t seal(size_t i, std::span<uint8_t> buffer, size_t plaintextLen) const;
};

// Consecutive transport messages with one receiver index (the segments of a GRO read),
// looked up at once (Device::beginReceive). status Ok: keypair is set and open() may be called.
struct ReceiveRun
{
    ReceiveOutcome failure = ReceiveOutcome::UnknownIndex; // when keypair is null
    PeerId peer = kNoPeer;
    std::shared_ptr<Keypair> keypair;

    // Decrypts one message of the run in place; thread-safe, no lock. false: forged (wiped).
    bool open(std::span<uint8_t> message) const;
};

class Device
{
public:
    // Room the reply buffer given to receive() must have.
    static constexpr size_t kReplyBufferSize = kInitiationSize;

    explicit Device(LockedSecretKey privateKey);
    ~Device();
    Device(const Device&) = delete;
    Device& operator=(const Device&) = delete;

    const PublicKey& publicKey() const { return m_local.publicKey(); }

    // Throws std::invalid_argument for our own key, a duplicate or a low-order public key.
    PeerId addPeer(PeerConfig config); // the next id after the highest in use
    // Peers may come and go while the device runs. Ids are the caller's slots: addPeerAt()
    // takes a free one (throws std::invalid_argument as addPeer(), or if `id` is in use);
    // removePeer() wipes the peer's sessions and frees its id and receiver indexes (a removed
    // id is unknown to every other method: no session, no endpoint, no timers). The caller
    // reuses an id only once nothing still acts on the peer it named.
    void addPeerAt(PeerId id, PeerConfig config);
    void removePeer(PeerId id);
    // A peer's preshared key (from its next handshake on) and persistent keepalive.
    void updatePeer(PeerId id, std::optional<LockedSecretKey> presharedKey,
                    Time persistentKeepalive);
    // A key addPeer() would refuse: the reason (as its exception says it), else empty.
    std::string unusablePeerKey(const PublicKey& publicKey) const;
    size_t peerCount() const; // peers configured now
    std::optional<PeerId> findPeer(const PublicKey& publicKey) const;

    // Under load, handshake messages need a valid mac2 (else they get a cookie reply).
    void setUnderLoad(bool underLoad) { m_underLoad.store(underLoad, std::memory_order_relaxed); }
    bool underLoad() const { return m_underLoad.load(std::memory_order_relaxed); }
    // Cap on padding (e.g. the tunnel MTU); 0 = pad to 16 only.
    void setPaddingCap(size_t cap) { m_paddingCap.store(cap, std::memory_order_relaxed); }

    // Processes one datagram from `source`. Decrypts transport data in place. `reply` must hold
    // kReplyBufferSize bytes.
    ReceiveResult receive(std::span<uint8_t> datagram, const Endpoint& source, Time now,
                          std::span<uint8_t> reply);

    // Encrypts in place: the plaintext is at buffer[16, 16 + plaintextLen) and the buffer has
    // room for transportMessageSize(plaintextLen). plaintextLen 0 sends a keepalive.
    SendResult encrypt(PeerId peer, std::span<uint8_t> buffer, size_t plaintextLen, Time now);

    // Reserves `count` counters on the peer's current session and records the sends with the
    // timers (as `count` calls of encrypt() would, `data` for non-empty packets). status
    // NoSession: queue and handshake as for encrypt().
    // `fits` false (the caller's buffer is too small): BufferTooSmall, nothing reserved.
    SendRun beginSend(PeerId peer, size_t count, bool data, Time now, bool fits = true);

    // Looks up the session of `receiver` (a transport message's receiver index). A null keypair
    // means every message of the run is dropped with `failure`.
    ReceiveRun beginReceive(uint32_t receiver, Time now);
    // After run.open() of each message: the replay window, key confirmation, roaming and the
    // timers, in order, as receive() does per message. `decrypted[i]` says whether message i
    // opened; results[i] gets what receive() would have returned for it.
    void finishReceive(const ReceiveRun& run, std::span<const std::span<uint8_t>> messages,
                       const bool* decrypted, const Endpoint& source, Time now,
                       ReceiveResult* results);

    // Writes a handshake initiation for `peer` to `out` (>= 148 bytes); returns its size, or 0
    // if the peer's key is unusable.
    size_t createInitiation(PeerId peer, Time now, const Tai64n& timestamp, std::span<uint8_t> out);
    size_t createInitiation(PeerId peer, Time now, std::span<uint8_t> out)
    {
        return createInitiation(peer, now, Tai64n::now(), out);
    }

    // Runs the peer's timers; call at least at nextDeadline().
    PeerActions onTimer(PeerId peer, Time now);
    std::optional<Time> nextDeadline() const;

    Endpoint endpoint(PeerId peer) const;
    void setEndpoint(PeerId peer, const Endpoint& endpoint);
    std::optional<Time> lastHandshake(PeerId peer) const;
    bool hasSession(PeerId peer, Time now) const;
    // Wipes the peer's sessions and handshake (e.g. when the tunnel goes down).
    void clearKeys(PeerId peer);

private:
    struct Peer;
    Peer* findLocked(PeerId id) const { return id < m_peers.size() ? m_peers[id].get() : nullptr; }

    ReceiveResult receiveInitiation(std::span<uint8_t> d, const Endpoint& src, Time now,
                                    std::span<uint8_t> reply);
    ReceiveResult receiveResponse(std::span<uint8_t> d, const Endpoint& src, Time now,
                                  std::span<uint8_t> reply);
    ReceiveResult receiveCookieReply(std::span<uint8_t> d, Time now);
    ReceiveResult receiveTransport(std::span<uint8_t> d, const Endpoint& src, Time now);
    // The part of receiving an authenticated transport message that changes state (m_mutex held).
    void acceptTransportLocked(Peer& p, const std::shared_ptr<Keypair>& k, uint64_t counter,
                               std::span<uint8_t> d, const Endpoint& src, Time now,
                               ReceiveResult& r);
    // Under load: mac2 (else a cookie reply) and the per-source rate limit. MAC1 is checked
    // before, without the lock.
    bool checkMac2OrReply(std::span<uint8_t> d, size_t senderOffset, size_t mac1Offset,
                          const Endpoint& src, Time now, std::span<uint8_t> reply,
                          ReceiveResult& r);

    // All below: m_mutex held.
    uint32_t allocateIndex(PeerId peer);
    void releaseHandshakeIndex(Peer& p);
    void dropKeypair(std::shared_ptr<Keypair>& k);
    void installAsInitiator(Peer& p, std::shared_ptr<Keypair> k);
    void installAsResponder(Peer& p, std::shared_ptr<Keypair> k);
    void promoteNext(Peer& p);
    void clearKeysLocked(Peer& p);
    static void updateEndpoint(Peer& p, const Endpoint& src, ReceiveResult& r);

    const LocalIdentity m_local; // immutable: read without the lock
    mutable std::mutex m_mutex;
    CookieChecker m_cookieChecker; // checkMac1 is const and lock-free; the rest under m_mutex
    HandshakeRateLimiter m_rateLimiter;
    std::vector<std::unique_ptr<Peer>> m_peers;
    std::map<PublicKey, PeerId> m_peerByKey;
    std::unordered_map<uint32_t, PeerId> m_indexes; // our receiver indexes in use
    std::atomic<bool> m_underLoad{false};
    std::atomic<size_t> m_paddingCap{0};
};

} // namespace peertun::wireguard
