// The engine's one model of a tunnel: what the helper asks for (helper/service ProfileToSpec
// makes it from a profile) and what Tunnel and the encapsulations are built from. Plain values,
// no Qt; secrets in locked memory.
#pragma once

#include "Net.h"
#include "PeerEndpoints.h"
#include "SecretKey.h"

#include <memory>
#include <string>
#include <vector>

namespace peertun::engine {

// Plain: flannel's UDP backend format (unencrypted). WireGuard: the WireGuard protocol.
enum class TunnelMode { Plain, WireGuard };

// Secrets are shared, not copied, between copies of a spec: one locked, wiped allocation.
using SharedSecretKey = std::shared_ptr<const keys::LockedSecretKey>;

struct PeerSpec
{
    std::string name;
    UdpEndpoint endpoint;     // unspecified when endpointHost is set (resolved while running)
    std::string endpointHost; // a DNS name; endpoint.port is the port to use with it
    std::vector<IpPrefix> subnets;
    // WireGuard mode
    keys::PublicKey publicKey{};
    SharedSecretKey presharedKey; // null: none
    int persistentKeepaliveSeconds = 0;

    // The address to send to before any resolution: unspecified for a host name.
    UdpEndpoint knownEndpoint() const { return endpointHost.empty() ? endpoint : UdpEndpoint{}; }
};

struct TunnelSpec
{
    std::string name;   // the profile's name, for logs
    std::string ifName; // e.g. "flannel99"
    IpPrefix address;   // e.g. 10.244.2.2/24
    int mtu = 0;        // 0: underlay MTU towards the first peer minus encapsulation overhead
    UdpEndpoint listen; // address AF_UNSPEC = any
    std::vector<PeerSpec> peers;
    TunnelMode mode = TunnelMode::Plain;
    SharedSecretKey privateKey; // WireGuard mode; the Tunnel drops its reference when it stops
    bool killSwitch = false;    // see KillSwitch.h
    bool allowLan = false;
    // Where host names' DNS servers come from (null: /etc/resolv.conf only).
    std::shared_ptr<DnsServerSource> dnsServers;
    std::string resolvConfPath; // empty: /etc/resolv.conf
    // WireGuard mode: threads per direction for the crypto, 0 = half the cores.
    unsigned cryptoThreads = 0;
    // Forwarding threads: 1 for both directions, 2 for one each, 0 = by the mode and the number
    // of cores (ForwardingLoop::defaultThreads).
    unsigned forwardThreads = 0;
};

} // namespace peertun::engine
