// What TunnelManager needs of a running tunnel, so that unit tests can stand a fake in for the
// engine's Tunnel (which needs root: a TUN device, routes, a socket). The default factory makes
// an engine::Tunnel; construction throws engine::TunnelError like the Tunnel does.
#pragma once

#include "EventLog.h"
#include "Tunnel.h"

#include <functional>
#include <memory>

namespace peertun {

class RunningTunnel
{
public:
    virtual ~RunningTunnel() = default; // tears the tunnel down
    virtual int mtu() const = 0;
    virtual engine::TunnelStats stats() const = 0;
    virtual int ifindex() const = 0;
    virtual bool carriesDefaultRoute() const = 0;
    virtual bool killSwitchOn() const = 0;
    virtual std::vector<engine::PeerEndpointStatus> endpoints() const = 0;
    virtual engine::UdpEndpoint listenEndpoint() const = 0; // the bound address and port
    virtual void reresolveNow() = 0;
    // engine::Tunnel::setPeers(): throws engine::TunnelError, the old peers staying.
    virtual void setPeers(std::vector<engine::PeerSpec> peers) = 0;
    // A change of the underlay the engine cannot see (a resume from suspend): handled as a
    // netlink change is (engine::Tunnel::underlayChanged).
    virtual void underlayChanged(const std::string& reason) = 0;
};

using TunnelFactory =
    std::function<std::unique_ptr<RunningTunnel>(engine::TunnelSpec spec, engine::EventLog& log)>;

// Brings up an engine::Tunnel.
TunnelFactory engineTunnelFactory();

} // namespace peertun
