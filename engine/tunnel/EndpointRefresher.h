// Keeps host-name endpoints resolved while a tunnel runs. Its own thread (never a forwarding
// or D-Bus thread) resolves each name at start, retries with backoff while a name does not
// resolve, and resolves again when the peer looks gone: a WireGuard handshake initiation left
// unanswered for REKEY_TIMEOUT, traffic sent with nothing heard back for REKEY_TIMEOUT,
// a burst of ICMP unreachable, 135 s without a handshake (wireguard-tools' reresolve-dns),
// or reresolveNow() (network changes). A new address is handed to the encapsulation, which
// swaps it in without stopping the forwarding threads.
#pragma once

#include "Counters.h"
#include "EventLog.h"
#include "Fd.h"
#include "Net.h"
#include "PeerEndpoints.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace peertun::engine {

class Encapsulation;

struct HostPeer
{
    uint32_t index = 0; // the peer's slot in the tunnel (PeerSlots.h)
    std::string name;   // the peer's name, for logs
    std::string host;   // the DNS name
    uint16_t port = 0;
};

class EndpointRefresher
{
public:
    static constexpr auto kFirstRetry = std::chrono::seconds(1);
    static constexpr auto kMaxRetry = std::chrono::seconds(15);      // name does not resolve
    static constexpr auto kSuspectBackoff = std::chrono::seconds(5); // REKEY_TIMEOUT
    static constexpr auto kMaxSuspectBackoff = std::chrono::seconds(60);
    // Traffic sent and nothing back for REKEY_TIMEOUT: a live WireGuard peer answers data
    // within KEEPALIVE_TIMEOUT (10 s), so one-way traffic may cost an extra lookup (never a
    // change of address); waiting the full 10 s would leave a moved server unnoticed too long.
    static constexpr auto kUnansweredTraffic = std::chrono::seconds(5);
    static constexpr auto kNoHandshake = std::chrono::seconds(135);
    // ICMP errors since the peer last answered (the kernel sends about one a second).
    static constexpr uint64_t kUnreachableBurst = 3;

    struct Setup
    {
        std::string tunnelName;
        std::vector<HostPeer> peers;
        size_t peerCount = 0;       // slots: status() has one entry per slot
        int socketFamily = AF_INET; // of the tunnel's UDP socket
        bool dualStack = false;     // an IPv6 socket that also reaches IPv4 peers
        bool wireguard = false;
        std::function<uint32_t()> mark;           // the tunnel's firewall mark; 0 = none
        std::shared_ptr<DnsServerSource> servers; // may be null
        std::string resolvConfPath;               // empty: /etc/resolv.conf
        std::chrono::milliseconds queryTimeout{5000};
        Encapsulation* encapsulation = nullptr;
        const TunnelCounters* counters = nullptr;
        EventLog* log = nullptr;
    };

    explicit EndpointRefresher(Setup setup); // throws TunnelError (eventfd)
    ~EndpointRefresher();
    EndpointRefresher(const EndpointRefresher&) = delete;
    EndpointRefresher& operator=(const EndpointRefresher&) = delete;

    void start();
    void stop(); // idempotent; cancels a query in flight
    // Resolve every name again now (the network changed).
    void reresolveNow();
    // One entry per slot (host empty for address endpoints).
    std::vector<PeerEndpointStatus> status() const;

    // The link the route towards `to` leaves by, for packets carrying `mark` (0 if none).
    static int linkTowards(const IpAddress& to, uint32_t mark);

private:
    using Clock = std::chrono::steady_clock;
    struct State;

    void run();
    void resolve(State& s, const char* why);
    std::vector<IpAddress> chooseServers(const State& s, uint32_t mark);
    int queryFamily() const;

    Setup m_setup;
    Fd m_stop;
    Fd m_wake;
    std::vector<State> m_states;
    std::vector<uint32_t> m_watched; // m_states' slots, for the counters

    mutable std::mutex m_statusMutex;
    std::vector<PeerEndpointStatus> m_status;
    std::thread m_thread;
};

} // namespace peertun::engine
