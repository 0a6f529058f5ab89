// One running tunnel: the TUN device, its link configuration, the UDP socket, and the
// forwarding threads, owned together. Construction brings everything up or throws
// TunnelError with nothing left behind; destruction tears it all down.
#pragma once

#include "Counters.h"
#include "EventLog.h"
#include "Net.h"

#include <memory>
#include <string>
#include <vector>

namespace peertun::engine {

struct PeerSpec
{
    std::string name;
    UdpEndpoint endpoint;
    std::vector<IpPrefix> subnets;
};

struct TunnelSpec
{
    std::string name;   // the profile's name, for logs
    std::string ifName; // e.g. "flannel99"
    IpPrefix address;   // e.g. 10.244.2.2/24
    int mtu = 0;        // 0: underlay MTU towards the first peer minus encapsulation overhead
    UdpEndpoint listen; // address AF_UNSPEC = any
    std::vector<PeerSpec> peers;
};

// Plain mode: the raw IP packet is the UDP payload (seed/flannel compatible).
inline constexpr int kPlainOverheadV4 = 20 + 8;
inline constexpr int kPlainOverheadV6 = 40 + 8;

class Tunnel
{
public:
    Tunnel(TunnelSpec spec, EventLog& log); // throws TunnelError
    ~Tunnel();
    Tunnel(const Tunnel&) = delete;
    Tunnel& operator=(const Tunnel&) = delete;

    const TunnelSpec& spec() const;
    int mtu() const; // effective MTU
    int ifindex() const;
    TunnelStats stats() const;
    // Stops forwarding, joins threads, removes routes and the device (also done by ~Tunnel).
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace peertun::engine
