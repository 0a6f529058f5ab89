// WireGuard's protocol constants (whitepaper section 6.1) and the per-peer timer state machine
// (section 6.2-6.5, with wireguard-go's interpretation). Pure: time comes in as an argument,
// results come out as action flags. Nothing sleeps, nothing runs on its own.
#pragma once

#include "Noise.h"

#include <chrono>
#include <cstdint>
#include <optional>

namespace peertun::wireguard {

inline constexpr uint64_t kRekeyAfterMessages = uint64_t{1} << 60;
// kRejectAfterMessages (2^64 - 2^13 - 1) lives in ReplayWindow.h.
inline constexpr Time kRekeyAfterTime = std::chrono::seconds(120);
inline constexpr Time kRejectAfterTime = std::chrono::seconds(180);
inline constexpr Time kRekeyAttemptTime = std::chrono::seconds(90);
inline constexpr Time kRekeyTimeout = std::chrono::seconds(5);
inline constexpr Time kKeepaliveTimeout = std::chrono::seconds(10);
inline constexpr Time kRekeyTimeoutJitterMax = std::chrono::milliseconds(334);
// A receiving initiator rekeys this long into a session so the new keys arrive before the old
// ones are rejected (REJECT_AFTER_TIME - KEEPALIVE_TIMEOUT - REKEY_TIMEOUT = 165 s).
inline constexpr Time kRekeyOnReceiveAfter = kRejectAfterTime - kKeepaliveTimeout - kRekeyTimeout;
// With no new handshake for this long, all key material is wiped.
inline constexpr Time kZeroKeysAfter = kRejectAfterTime * 3;
// Initiations from one peer closer together than this are dropped (flood protection).
inline constexpr Time kMinInitiationInterval = std::chrono::milliseconds(20);

// What the caller should do for a peer. Several may be set at once.
enum PeerAction : uint32_t {
    NoAction = 0,
    SendInitiation = 1u << 0, // call Device::createInitiation and send it to the endpoint
    SendKeepalive = 1u << 1,  // call Device::encrypt with an empty packet
    SessionReady = 1u << 2,   // a new session can send: flush queued packets (or a keepalive)
    DropQueued = 1u << 3,     // handshake attempts gave up (REKEY_ATTEMPT_TIME): drop queue
    KeysZeroed = 1u << 4,     // all keys of the peer were wiped after 3 x REJECT_AFTER_TIME
};
using PeerActions = uint32_t;

// Deadlines for one peer. Event methods arm or disarm them; poll() reports the expired ones.
class PeerTimers
{
public:
    explicit PeerTimers(Time persistentKeepalive = Time::zero())
        : m_persistentKeepalive(persistentKeepalive)
    {}

    void setPersistentKeepalive(Time interval) { m_persistentKeepalive = interval; }
    Time persistentKeepalive() const { return m_persistentKeepalive; }

    // --- events (names follow wireguard-go's timers.go) ---
    void dataSent(Time now);     // non-empty transport packet sent
    void dataReceived(Time now); // non-empty transport packet received
    void anyAuthenticatedSent(Time now);
    void anyAuthenticatedReceived(Time now);
    void anyAuthenticatedTraversal(Time now); // sent or received: rearms persistent keepalive
    // An initiation went out; `isRetry` false starts a new attempt period.
    void handshakeInitiated(Time now, bool isRetry, Time jitter);
    // We answered an initiation: like an initiation of our own, it holds back new initiations
    // for REKEY_TIMEOUT, so a responder with queued data waits for the initiator's
    // confirmation instead of starting a crossing handshake.
    void handshakeResponseSent(Time now) { m_lastHandshakeSent = now; }
    void handshakeComplete(Time now);
    void sessionDerived(Time now);

    // May a new (non-retry) initiation be sent now? At most one handshake message per
    // REKEY_TIMEOUT.
    bool mayInitiate(Time now) const;
    // Expired deadlines -> actions. A retry initiation sets `pendingRetry()`. With persistent
    // keepalive on, the first poll asks for a keepalive at once, so a peer behind NAT becomes
    // reachable before any traffic (as wireguard-go does when a peer is configured).
    PeerActions poll(Time now);
    bool consumePendingRetry()
    {
        const bool r = m_pendingRetry;
        m_pendingRetry = false;
        return r;
    }
    std::optional<Time> lastHandshake() const { return m_lastHandshake; }
    // Earliest armed deadline, so a caller can sleep until then (nullopt: none armed).
    std::optional<Time> nextDeadline() const;

private:
    Time m_persistentKeepalive;
    std::optional<Time> m_retransmitHandshake; // REKEY_TIMEOUT + jitter after an initiation
    std::optional<Time> m_sendKeepalive;       // passive keepalive after data received
    std::optional<Time> m_newHandshake;        // data sent but nothing heard back
    std::optional<Time> m_zeroKeys;            // wipe everything
    std::optional<Time> m_persistentKeepaliveAt;
    std::optional<Time> m_attemptStarted;    // first initiation of the current attempt period
    std::optional<Time> m_lastHandshakeSent; // initiation or response
    std::optional<Time> m_lastHandshake;
    bool m_needAnotherKeepalive = false;
    bool m_pendingRetry = false;
    bool m_persistentKeepaliveStarted = false;
};

} // namespace peertun::wireguard
