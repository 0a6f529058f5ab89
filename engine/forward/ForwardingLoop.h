// The forwarding of a tunnel, off any event loop, in two directions:
//   TUN -> UDP: read a batch (TSO segments of up to 64 KiB when offloads are on), route by the
//               inner destination, cut into MTU-sized packets, seal, and hand the datagrams to
//               the socket, which sends runs of them to one peer as UDP_SEGMENT messages.
//   UDP -> TUN: receive a batch (UDP_GRO trains when on), open, accept only what a peer may
//               send, join consecutive TCP segments into one GSO write to TUN.
// On a socket bound to a wildcard address (a host with several addresses), the receiving side
// learns per peer which local address its accepted datagrams came to, and the sending side
// sends to the peer from that address ("sticky" sources, as WireGuard's): the peer then sees
// answers come from the address it wrote to.
// Each direction has a thread of its own, or one thread runs both (ForwardingSetup::threads).
// The loop is route -> seal/open -> count; the system calls are engine/io's (Tun, Udp), so a
// fake device and socket can stand in for the real ones. No allocation and no logging per
// packet: buffers are allocated once, and counters and rate-limited log entries are all the
// loops write.
#pragma once

#include "Counters.h"
#include "Encapsulation.h"
#include "EventLog.h"
#include "LivePeers.h"
#include "Offload.h"
#include "PeerTable.h"
#include "Tun.h"
#include "Udp.h"
#include "Worker.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace peertun::engine {

struct ForwardingSetup
{
    Tun* tun = nullptr;
    Udp* udp = nullptr;
    int udpFamily = AF_INET; // the socket's: peer addresses are written in it
    int mtu = 1500;
    std::string tunnelName;
    // The peer set (routes, names, configured endpoints by slot); may change while running.
    LivePeers* peers = nullptr;
    Encapsulation* encapsulation = nullptr;
    TunnelCounters* counters = nullptr;
    EventLog* log = nullptr;
    // 2: a thread per direction. 1: one thread takes turns at both, so the packets one
    // direction causes in the other (a TCP receiver's ACKs) go on without waking another
    // thread; on a machine with few cores the wake-ups and switches cost more than the second
    // thread gives.
    unsigned threads = 2;
};

class ForwardingLoop
{
public:
    explicit ForwardingLoop(ForwardingSetup setup); // throws TunnelError (eventfd)
    ~ForwardingLoop();
    ForwardingLoop(const ForwardingLoop&) = delete;
    ForwardingLoop& operator=(const ForwardingLoop&) = delete;

    void start();
    // Threads for a tunnel on a machine with `cores` cores: 2, but 1 up to 2 cores when the
    // encapsulation encrypts. There the helper is bound by CPU, and the wake-ups are the cost
    // to cut; in plain mode one thread left a 2-core box 18 % idle (two: 10 %) at no more
    // throughput.
    static unsigned defaultThreads(unsigned cores, bool encrypts);
    // Wakes both threads and joins them; idempotent.
    void stop();

    // One batch each way, as the threads run them (tests call them without the threads).
    // Each returns true if the batch was full, so more may be waiting at once.
    bool forwardFromTun();
    // `socketErrors`: the socket has queued errors (POLLERR): read them first.
    bool forwardFromUdp(bool socketErrors);

    // Before a peer table naming slots below `slots` is published (the thread that changes the
    // peer set; allocates).
    void reservePeers(size_t slots);

    // The local address `peer`'s accepted datagrams last came to, if learned from the endpoint
    // `to` since the last forgetSources(): where other datagrams to it (WireGuard handshakes,
    // keepalives) leave from. Any thread; false on a bound socket.
    bool learnedSource(uint32_t peer, const UdpEndpoint& to, UdpSource* out) const;
    // The underlay changed (an address or route may be gone): nothing learned counts any more;
    // the route's addresses until each peer's next datagram. Any thread.
    void forgetSources();

private:
    struct TxState;
    struct RxState;
    // What the receiving thread learned of a peer, and when (table version, forget epoch).
    struct Learned
    {
        UdpSource local;
        UdpEndpoint remote; // the peer's endpoint it came from
        uint64_t version = 0;
        uint64_t epoch = 0;
        bool operator==(const Learned&) const = default;
    };
    static constexpr size_t kLearnedWords = (sizeof(Learned) + 7) / 8;
    // Per slot, a seqlock: the receiving thread writes (odd `seq` while it does), the others
    // read and retry on a change. `rxCopy` is the receiving thread's own: what it published.
    struct alignas(64) LearnedSource
    {
        std::atomic<uint32_t> seq{0};
        std::atomic<uint64_t> words[kLearnedWords]{};
        Learned rxCopy;
    };
    static void publish(LearnedSource& slot, const Learned& l);
    static bool read(const LearnedSource& slot, Learned* out, uint32_t* seq);
    const UdpSource* sourceFor(TxState& tx, uint32_t peer);
    void learnSource(RxState& rx, uint32_t peer, const sockaddr* from, const UdpSource& local);

    void runBothDirections();
    void refreshEndpoints(TxState& tx);
    // One read from TUN (virtio-net header and packet): routed, cut, sealed, queued to send.
    void forwardRead(TxState& tx, const uint8_t* read, size_t len);
    void sendQueued(TxState& tx);
    // One opened datagram (or a handshake the encapsulation answered): checked, coalesced,
    // written, counted. `local`: where it came to (a wildcard socket), learned for the peer
    // once accepted.
    void forwardOpened(RxState& rx, const sockaddr* from, const UdpSource* local,
                       const Encapsulation::Result& opened, uint8_t* data, size_t len,
                       uint32_t peer, int64_t now);
    bool receiveBatch(RxState& rx, bool socketErrors);
    void writeToTun(RxState& rx, const TcpCoalescer::Write& w);
    void readSocketErrors(RxState& rx);

    ForwardingSetup m_setup;
    const bool m_learnSources; // the socket reports local addresses
    SlotArray<LearnedSource> m_learned;
    std::atomic<uint64_t> m_sourceEpoch{0};
    std::unique_ptr<TxState> m_tx; // the TUN -> UDP thread's only
    std::unique_ptr<RxState> m_rx; // the UDP -> TUN thread's only
    WorkerThread m_txThread;
    WorkerThread m_rxThread;
};

} // namespace peertun::engine
