// The two forwarding threads of a tunnel, off any event loop: TUN -> UDP (route by inner
// destination, batch with sendmmsg) and UDP -> TUN (batch with recvmmsg, accept only what a
// peer may send). No allocation and no logging per packet: buffers are allocated once, and
// counters and rate-limited log entries are all the loops write.
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
    static constexpr unsigned kBatch = 64;

    explicit ForwardingLoop(ForwardingSetup setup); // throws TunnelError (eventfd)
    ~ForwardingLoop();
    ForwardingLoop(const ForwardingLoop&) = delete;
    ForwardingLoop& operator=(const ForwardingLoop&) = delete;

    void start();
    // Wakes both threads through an eventfd and joins them; idempotent.
    void stop();

    // Payload bytes per buffer slot: room for the MTU, and for a full-size 1500-byte packet
    // from a peer with a larger MTU (the seed uses 1500), so neither is cut.
    size_t slotCapacity() const { return m_slotCapacity; }

private:
    void tunToUdp();
    void udpToTun();

    ForwardingSetup m_setup;
    Fd m_stop;
    size_t m_slotCapacity;
    std::vector<sockaddr_storage> m_peerAddrs; // in the socket's family, built once
    std::vector<socklen_t> m_peerAddrLens;
    std::thread m_tx;
    std::thread m_rx;
};

} // namespace peertun::engine
