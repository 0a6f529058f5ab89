// The two forwarding threads of a tunnel, off any event loop:
//   TUN -> UDP: read (TSO segments of up to 64 KiB when offloads are on), route by the inner
//               destination, cut into MTU-sized packets, send the batch with one sendmmsg in
//               which each TSO segment is one UDP_SEGMENT (GSO) message.
//   UDP -> TUN: recvmmsg (UDP_GRO super-datagrams when on), accept only what a peer may send,
//               join consecutive TCP segments into one GSO write to TUN.
// No allocation and no logging per packet: buffers are allocated once, and counters and
// rate-limited log entries are all the loops write. The TUN fd carries a virtio-net header.
#pragma once

#include "Counters.h"
#include "Encapsulation.h"
#include "EventLog.h"
#include "Fd.h"
#include "PeerTable.h"

#include <string>
#include <thread>
#include <vector>

namespace peertun::engine {

struct ForwardingSetup
{
    int tunFd = -1;
    int udpFd = -1;
    int udpFamily = AF_INET;
    int mtu = 1500;
    bool udpGso = true; // UDP_SEGMENT sends; switched off by itself if the kernel refuses
    std::string tunnelName;
    std::vector<std::string> peerNames;
    std::vector<UdpEndpoint> peerEndpoints;
    const PeerTable* peers = nullptr;
    Encapsulation* encapsulation = nullptr;
    TunnelCounters* counters = nullptr;
    EventLog* log = nullptr;
};

class ForwardingLoop
{
public:
    static constexpr unsigned kMaxMessages = 64;  // sendmmsg / recvmmsg batch
    static constexpr unsigned kReceiveSlots = 16; // of kMaxDatagram bytes (GRO can fill them)
    static constexpr size_t kMaxDatagram = 65536;

    explicit ForwardingLoop(ForwardingSetup setup); // throws TunnelError (eventfd)
    ~ForwardingLoop();
    ForwardingLoop(const ForwardingLoop&) = delete;
    ForwardingLoop& operator=(const ForwardingLoop&) = delete;

    void start();
    // Wakes both threads through an eventfd and joins them; idempotent.
    void stop();

private:
    void tunToUdp();
    void udpToTun();
    // Reads the socket's queued ICMP errors: counts and logs unreachable peers.
    void drainSocketErrors(RateLimiter& limiter);

    ForwardingSetup m_setup;
    Fd m_stop;
    // In the socket's family; read and (on roaming) rewritten by the sending thread only.
    std::vector<sockaddr_storage> m_peerAddrs;
    std::vector<socklen_t> m_peerAddrLens;
    std::thread m_tx;
    std::thread m_rx;
};

} // namespace peertun::engine
