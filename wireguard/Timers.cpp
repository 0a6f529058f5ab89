#include "Timers.h"

namespace peertun::wireguard {

namespace {
bool expired(const std::optional<Time>& deadline, Time now)
{
    return deadline && *deadline <= now;
}
} // namespace

void PeerTimers::dataSent(Time now)
{
    // Expect to hear something back within KEEPALIVE + REKEY_TIMEOUT, else handshake again.
    if (!m_newHandshake) {
        m_newHandshake = now + kKeepaliveTimeout + kRekeyTimeout;
    }
}

void PeerTimers::dataReceived(Time now)
{
    // Passive keepalive: if we have nothing to say within KEEPALIVE_TIMEOUT, say so.
    if (!m_sendKeepalive) {
        m_sendKeepalive = now + kKeepaliveTimeout;
    } else {
        m_needAnotherKeepalive = true;
    }
}

void PeerTimers::anyAuthenticatedSent(Time)
{
    m_sendKeepalive.reset();
}

void PeerTimers::anyAuthenticatedReceived(Time)
{
    m_newHandshake.reset();
}

void PeerTimers::anyAuthenticatedTraversal(Time now)
{
    if (m_persistentKeepalive > Time::zero()) {
        m_persistentKeepaliveAt = now + m_persistentKeepalive;
    }
}

void PeerTimers::handshakeInitiated(Time now, bool isRetry, Time jitter)
{
    if (!isRetry || !m_attemptStarted) {
        m_attemptStarted = now;
    }
    m_lastHandshakeSent = now;
    m_retransmitHandshake = now + kRekeyTimeout + jitter;
}

void PeerTimers::handshakeComplete(Time now)
{
    m_retransmitHandshake.reset();
    m_attemptStarted.reset();
    m_lastHandshake = now;
}

void PeerTimers::sessionDerived(Time now)
{
    m_zeroKeys = now + kZeroKeysAfter;
}

bool PeerTimers::mayInitiate(Time now) const
{
    return !m_lastHandshakeSent || now - *m_lastHandshakeSent >= kRekeyTimeout;
}

PeerActions PeerTimers::poll(Time now)
{
    PeerActions actions = NoAction;
    if (m_persistentKeepalive > Time::zero() && !m_persistentKeepaliveStarted) {
        m_persistentKeepaliveStarted = true;
        actions |= SendKeepalive;
    }
    if (expired(m_retransmitHandshake, now)) {
        m_retransmitHandshake.reset();
        if (m_attemptStarted && now - *m_attemptStarted >= kRekeyAttemptTime) {
            // Give up until new traffic asks again; keep keys for a while, then wipe them.
            actions |= DropQueued;
            m_attemptStarted.reset();
            m_sendKeepalive.reset();
            if (!m_zeroKeys) {
                m_zeroKeys = now + kZeroKeysAfter;
            }
        } else {
            actions |= SendInitiation;
            m_pendingRetry = true;
        }
    }
    if (expired(m_sendKeepalive, now)) {
        m_sendKeepalive.reset();
        actions |= SendKeepalive;
        if (m_needAnotherKeepalive) {
            m_needAnotherKeepalive = false;
            m_sendKeepalive = now + kKeepaliveTimeout;
        }
    }
    if (expired(m_newHandshake, now)) {
        m_newHandshake.reset();
        actions |= SendInitiation;
    }
    if (expired(m_persistentKeepaliveAt, now)) {
        m_persistentKeepaliveAt.reset();
        if (m_persistentKeepalive > Time::zero()) {
            actions |= SendKeepalive;
        }
    }
    if (expired(m_zeroKeys, now)) {
        m_zeroKeys.reset();
        actions |= KeysZeroed;
    }
    return actions;
}

std::optional<Time> PeerTimers::nextDeadline() const
{
    std::optional<Time> best;
    for (const auto& d : {m_retransmitHandshake, m_sendKeepalive, m_newHandshake,
                          m_persistentKeepaliveAt, m_zeroKeys}) {
        if (d && (!best || *d < *best)) {
            best = d;
        }
    }
    return best;
}

} // namespace peertun::wireguard
