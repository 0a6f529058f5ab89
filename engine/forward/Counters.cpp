#include "Counters.h"

namespace peertun::engine {

std::string_view dropReasonName(DropReason r)
{
    switch (r) {
    case DropReason::NoPeerForDestination:
        return "no-peer-for-destination";
    case DropReason::UnknownSourceEndpoint:
        return "unknown-source-endpoint";
    case DropReason::Malformed:
        return "malformed";
    case DropReason::SourceOutsidePeerSubnets:
        return "source-outside-peer-subnets";
    case DropReason::TooBig:
        return "too-big";
    case DropReason::SendError:
        return "send-error";
    case DropReason::HandshakeQueueFull:
        return "handshake-queue-full";
    case DropReason::NotAuthenticated:
        return "not-authenticated";
    case DropReason::Replayed:
        return "replayed";
    case DropReason::BadChecksum:
        return "bad-checksum";
    case DropReason::RoutingLoop:
        return "loop";
    case DropReason::Count:
        break;
    }
    return "unknown";
}

uint64_t TunnelStats::totalDrops() const
{
    uint64_t sum = 0;
    for (uint64_t d : drops) {
        sum += d;
    }
    return sum;
}

TunnelCounters::TunnelCounters(size_t peerCount)
    : peerTx(peerCount), peerRx(peerCount), peerTimer(peerCount), m_peerCount(peerCount)
{}

void TunnelCounters::ensureSlots(size_t slots)
{
    peerTx.ensure(slots);
    peerRx.ensure(slots);
    peerTimer.ensure(slots);
}

void TunnelCounters::resetSlot(uint32_t slot)
{
    // Atomic stores: a snapshot may read the slot meanwhile (and then sees zeros or the old
    // peer's last values, never a torn one).
    PeerTx& tx = peerTx[slot];
    tx.packets.reset();
    tx.bytes.reset();
    tx.sendErrors.reset();
    PeerRx& rx = peerRx[slot];
    rx.packets.reset();
    rx.bytes.reset();
    rx.unreachable.reset();
    rx.lastRxUnixMs.store(0, std::memory_order_relaxed);
    rx.handshakesDone.reset();
    rx.lastHandshakeUnixMs.store(0, std::memory_order_relaxed);
    PeerTimer& timer = peerTimer[slot];
    timer.initiationsSent.reset();
    timer.flushedPackets.reset();
    timer.flushedBytes.reset();
}

TunnelStats TunnelCounters::snapshot() const
{
    std::vector<uint32_t> slots(m_peerCount);
    for (uint32_t i = 0; i < m_peerCount; ++i) {
        slots[i] = i;
    }
    return snapshot(slots);
}

TunnelStats TunnelCounters::snapshot(const std::vector<uint32_t>& slots) const
{
    TunnelStats s;
    s.txPackets = tx.packets.get();
    s.txBytes = tx.bytes.get();
    s.rxPackets = rx.packets.get();
    s.rxBytes = rx.bytes.get();
    for (size_t i = 0; i < kDropReasonCount; ++i) {
        s.drops[i] = tx.drops[i].get() + rx.drops[i].get();
    }
    s.handshakesFailed = rx.handshakesFailed.get() + timer.handshakesAbandoned.get();
    s.decryptionFailures = rx.decryptionFailures.get();
    s.replaysRejected = rx.replaysRejected.get();
    s.peers.resize(slots.size());
    for (size_t n = 0; n < slots.size(); ++n) {
        const uint32_t i = slots[n];
        PeerStats& p = s.peers[n];
        p.txPackets = peerTx[i].packets.get() + peerTimer[i].flushedPackets.get();
        p.txBytes = peerTx[i].bytes.get() + peerTimer[i].flushedBytes.get();
        s.txPackets += peerTimer[i].flushedPackets.get();
        s.txBytes += peerTimer[i].flushedBytes.get();
        p.sendErrors = peerTx[i].sendErrors.get();
        p.rxPackets = peerRx[i].packets.get();
        p.rxBytes = peerRx[i].bytes.get();
        p.unreachable = peerRx[i].unreachable.get();
        p.lastRxUnixMs = peerRx[i].lastRxUnixMs.load(std::memory_order_relaxed);
        p.handshakesDone = peerRx[i].handshakesDone.get();
        p.initiationsSent = peerTimer[i].initiationsSent.get();
        p.lastHandshakeUnixMs = peerRx[i].lastHandshakeUnixMs.load(std::memory_order_relaxed);
        s.handshakesDone += p.handshakesDone;
    }
    return s;
}

} // namespace peertun::engine
