// One running tunnel: the TUN device, its link configuration, the UDP socket, and the
// forwarding threads, owned together. Construction brings everything up or throws
// TunnelError with nothing left behind; destruction tears it all down. The peer set may
// change while it runs (setPeers()).
#pragma once

#include "Counters.h"
#include "EventLog.h"
#include "Net.h"
#include "PeerEndpoints.h"
#include "TunnelSpec.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace peertun::engine {

// Plain mode: the raw IP packet is the UDP payload (flannel compatible).
inline constexpr int kPlainOverheadV4 = 20 + 8;
inline constexpr int kPlainOverheadV6 = 40 + 8;
// WireGuard: IP + UDP + 16-byte header + 16-byte tag, as wg-quick and wireguard-go count it.
inline constexpr int kWireGuardOverheadV4 = 20 + 8 + 32;
inline constexpr int kWireGuardOverheadV6 = 40 + 8 + 32;

// Kill-switch chains in the kernel that no running tunnel owns (a killed helper's).
struct LeftoverKillSwitch
{
    std::string ifName;
    std::string owner; // the profile's name, from the chains' comment; may be empty
    uint32_t mark = 0;
};
// What the kill switch table holds now; throws TunnelError if it cannot be read.
std::vector<LeftoverKillSwitch> listKillSwitches();
// Removes one device's chains (nothing if they are gone); throws TunnelError.
void removeKillSwitch(const LeftoverKillSwitch& chains);

class Tunnel
{
public:
    Tunnel(TunnelSpec spec, EventLog& log); // throws TunnelError
    ~Tunnel();
    Tunnel(const Tunnel&) = delete;
    Tunnel& operator=(const Tunnel&) = delete;

    // After stop() the spec's keys are gone (null).
    const TunnelSpec& spec() const;
    int mtu() const; // effective MTU
    int ifindex() const;
    // The firewall mark on the tunnel's socket; 0 when it has none (no full tunnel, no kill
    // switch).
    uint32_t mark() const;
    // A peer holds 0.0.0.0/0 or ::/0: all traffic goes through the tunnel.
    bool carriesDefaultRoute() const;
    bool killSwitchOn() const;
    TunnelStats stats() const;
    // Per peer: its host name (if any) and the address in use, with when it was resolved.
    std::vector<PeerEndpointStatus> endpoints() const;
    // The UDP address actually bound (a random port is known only after binding).
    UdpEndpoint listenEndpoint() const;
    // The firewall mark on the tunnel's own packets (its UDP, its DNS queries); 0 = none.
    uint32_t firewallMark() const;
    // Resolve every peer host name again now.
    void reresolveNow();
    // Replaces the peer set while the tunnel runs; traffic to peers that stay goes on.
    // A peer stays when its public key (WireGuard) or its name (plain mode) does: its sessions
    // and counters survive, and its subnets, endpoint, keepalive and preshared key take the
    // new values. Removed peers' sessions, queued packets and counters go; packets to their
    // subnets that still reach the device are dropped and counted (no-peer-for-destination).
    // Routes follow the subnets. Throws TunnelError (InvalidConfig, or Busy for a route another
    // interface holds) saying what is wrong, leaving the old set in place. Changes that need a
    // new device or socket (a default route added or removed, an endpoint of a family the
    // socket cannot reach) are refused the same way. Not concurrently with the other methods.
    void setPeers(std::vector<PeerSpec> peers);
    // What the underlay watcher does after a change, for a change it cannot see (a resume
    // from suspend): log "network changed: <reason>", note the time, re-resolve host names,
    // start a WireGuard handshake with every peer at once, put back lost rules, check the
    // listen address. Thread-safe; does not block on the network.
    void underlayChanged(const std::string& reason);
    // Stops forwarding, joins threads, removes routes and the device (also done by ~Tunnel).
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace peertun::engine
