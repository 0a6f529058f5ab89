// WireGuard mode behind the engine's Encapsulation seam: seal() encrypts for the peer the route
// chose (or queues the packet and starts a handshake when there is no session yet); open()
// hands every datagram to wireguard::Device, answers handshake messages itself, and forwards
// decrypted packets attributed to the peer that owns the session (not to the source address).
// A timer thread runs the protocol's timers (retransmits, keepalives, rekeys).
//
// Threads: seal() runs on the TUN -> UDP thread only, open() on the UDP -> TUN thread only,
// the timers on their own thread; each writes only its own counters (see Counters.h). The
// per-peer queue has a mutex; it is touched only while a peer has no session. sealBatch() and
// openBatch() take the device's lock once per batch (twice for open: lookup, then replay
// window and timers in arrival order) and spread the crypto over a WorkerPool per direction;
// the calling thread sends the batch in order once all of it is done.
#pragma once

#include "Counters.h"
#include "Device.h"
#include "Encapsulation.h"
#include "EndpointIndex.h"
#include "EventLog.h"
#include "Net.h"
#include "PeerSlots.h"
#include "TunnelSpec.h"
#include "Worker.h"
#include "WorkerPool.h"

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace peertun::engine {

class WireGuardEncapsulation final : public Encapsulation
{
public:
    // Sends one datagram to `to` (the UDP socket in the engine, a fake in tests). Called from
    // any of the three threads; must be thread-safe. `from`: the local address to send from (a
    // handshake response: the one the message it answers came to); null: the engine's choice
    // for `peer` (the address the peer's datagrams come to, else the route's). `peer` may be
    // wireguard::kNoPeer (a cookie reply).
    using SendFunction = std::function<void(const UdpEndpoint& to, std::span<const uint8_t>,
                                            uint32_t peer, const UdpSource* from)>;

    static constexpr size_t kQueueLimit = 256; // packets per peer while a handshake runs
    // Handshake messages per second above which the device is "under load": initiations and
    // responses then need a cookie (MAC2), and each source is rate-limited. wireguard-go
    // judges by its handshake queue; handshakes here run inline on the receiving thread, so a
    // rate stands in for the queue. Stays on for a second after the rate drops.
    static constexpr unsigned kUnderLoadHandshakesPerSecond = 256;

    // `cryptoThreads`: threads per direction that seal or open a batch (the forwarding thread
    // included; 0 = one per core, 1 = the forwarding thread alone).
    // Throws TunnelError (InvalidConfig) for an unusable peer key (own key, duplicate,
    // low-order point). The peers are the spec's (their keys are copied into the protocol
    // core's locked memory). `counters` and `log` must outlive this object; the private key is
    // moved in and wiped when this object is destroyed.
    WireGuardEncapsulation(keys::LockedSecretKey privateKey, const std::vector<PeerSpec>& peers,
                           size_t mtu, SendFunction send, TunnelCounters& counters,
                           EventLog* log = nullptr, std::string tunnelName = {},
                           unsigned cryptoThreads = 0);
    ~WireGuardEncapsulation() override;
    WireGuardEncapsulation(const WireGuardEncapsulation&) = delete;
    WireGuardEncapsulation& operator=(const WireGuardEncapsulation&) = delete;

    size_t headroom() const override { return wireguard::kTransportHeaderSize; }
    size_t tailroom() const override { return 15 + wireguard::kAeadTagLen; }
    bool authenticates() const override { return true; } // ChaCha20-Poly1305
    // Padding to 16, no further than the MTU, and the tag.
    size_t tailroomFor(size_t len) const override
    {
        return wireguard::transportMessageSize(len, m_mtu) - wireguard::kTransportHeaderSize - len;
    }
    Result seal(uint32_t peer, uint8_t** data, size_t* len) override;
    Result open(const sockaddr* from, uint8_t** data, size_t* len, uint32_t* peer) override;
    void sealBatch(uint32_t peer, uint8_t** data, size_t* len, size_t count,
                   Result* results) override;
    void openBatch(const sockaddr* from, uint8_t** data, size_t* len, size_t count, uint32_t* peers,
                   Result* results) override;
    unsigned cryptoThreads() const { return m_sealWorkers.threads(); }
    const std::atomic<uint64_t>* endpointGeneration() const override { return &m_generation; }
    UdpEndpoint peerEndpoint(uint32_t peer) const override;
    // A re-resolved host name: the device sends there from now on, and the timer thread starts
    // a handshake at once (the server behind the new address may not know our session).
    void setPeerEndpoint(uint32_t peer, const UdpEndpoint& endpoint) override;
    // The underlay changed: every peer with an endpoint gets a new handshake initiation from
    // the timer thread at its next tick (within 100 ms), not when the timers would send one.
    void initiateHandshakes();
    void beginReceiveBatch() override { m_index.adoptPending(); }
    void arrivedAt(const UdpSource* local) override { m_arrival = local; }
    uint32_t peerAtEndpoint(const sockaddr* sa) const override { return m_index.lookup(sa); }

    // Runs the protocol timers for every peer once (the timer thread calls this; tests may call
    // it directly). Returns when the next timer is due (steady clock).
    std::chrono::steady_clock::time_point runTimers();
    // Starts (throws only if no thread can be made) / stops the timer thread. stop() also
    // drops queued packets and wipes every session key; the private key goes with the object.
    void startTimers();
    void stop();

    // A change of the peer set (the thread that makes it; not the forwarding or timer
    // threads). Peers are slots (PeerSlots.h): reserveSlots() first, then addPeer() for new
    // slots (throws TunnelError for an unusable key: nothing changed) and updatePeer() for
    // kept ones (preshared key, keepalive, and the endpoint if the configured one changed;
    // sessions and counters stay), setEndpoints() with every slot's configured endpoint, and
    // removePeer() once no forwarding thread can still route to the slot (its sessions and
    // queued packets are wiped).
    void reserveSlots(size_t slots);
    void addPeer(uint32_t slot, const PeerSpec& peer);
    void updatePeer(uint32_t slot, const PeerSpec& before, const PeerSpec& after);
    void setEndpoints(std::vector<UdpEndpoint> endpoints) { m_index.reset(std::move(endpoints)); }
    void removePeer(uint32_t slot);
    // The reason addPeer() would refuse this key, or empty.
    std::string unusableKey(const keys::PublicKey& key) const
    {
        return m_device.unusablePeerKey(key);
    }

    size_t queuedPackets(uint32_t peer) const;
    bool underLoad() const { return m_device.underLoad(); }
    const keys::PublicKey& publicKey() const { return m_device.publicKey(); }

private:
    struct Queue
    {
        mutable std::mutex mutex;
        std::deque<std::vector<uint8_t>> packets; // plaintext at kTransportHeaderSize
    };

    static wireguard::Time now();
    // What open() does with the device's verdict on one datagram.
    Result finishOpen(const UdpEndpoint& source, const wireguard::ReceiveResult& r, uint8_t** data,
                      size_t* len, uint32_t* peer);
    // Transport messages with one receiver index, at most kMaxBatch.
    void openRun(const sockaddr* from, uint32_t receiver, uint8_t** data, size_t* len, size_t count,
                 uint32_t* peers, Result* results);
    void handleActions(uint32_t peer, wireguard::PeerActions actions,
                       bool keepaliveIfNothingQueued = true);
    void sendInitiation(uint32_t peer);
    void sendKeepalive(uint32_t peer);
    // Encrypts and sends what the peer's queue holds; a keepalive if `keepaliveIfEmpty` and
    // nothing was queued (so a responder learns that the session is confirmed).
    void flush(uint32_t peer, bool keepaliveIfEmpty);
    void sendTo(uint32_t peer, std::span<const uint8_t> datagram);
    void timerLoop();
    void noteHandshakeMessage();

    wireguard::Device m_device;
    const size_t m_mtu;
    SendFunction m_send;
    TunnelCounters& m_counters;
    EventLog* m_log;
    std::string m_tunnelName;
    SlotArray<Queue> m_queues;
    // The configured slots, for the timer thread and stop(); under m_slotsMutex, which the
    // timer thread holds while it runs the timers.
    mutable std::mutex m_slotsMutex;
    std::vector<uint32_t> m_slots;
    std::atomic<uint64_t> m_generation{0};
    // Configured and resolved endpoints, for ICMP errors (roaming does not change it).
    EndpointIndex m_index;
    // Set by setPeerEndpoint(), taken by the timer thread: send an initiation now.
    SlotArray<std::atomic<bool>> m_initiateNow;
    // The receiving thread's: where the datagram being opened came to (arrivedAt()).
    const UdpSource* m_arrival = nullptr;
    // open() only (the receiving thread): room for a handshake reply.
    std::array<uint8_t, wireguard::Device::kReplyBufferSize> m_reply{};
    // openRun() only (the receiving thread): one run's messages and verdicts.
    std::array<std::span<uint8_t>, kMaxBatch> m_runMessages{};
    std::array<bool, kMaxBatch> m_runDecrypted{};
    std::array<wireguard::ReceiveResult, kMaxBatch> m_runVerdicts{};
    std::chrono::steady_clock::time_point m_loadWindowStart{};
    std::chrono::steady_clock::time_point m_underLoadUntil{};
    unsigned m_handshakesInWindow = 0;
    WorkerPool m_sealWorkers;
    WorkerPool m_openWorkers;
    // Made with the encapsulation, not in startTimers(): the tunnel starts the timers last and
    // nothing after its forwarding threads may throw.
    WorkerThread m_timer;
    bool m_stopped = false;
};

} // namespace peertun::engine
