#include "RunningTunnel.h"

namespace peertun {
namespace {

class EngineTunnel final : public RunningTunnel
{
public:
    EngineTunnel(engine::TunnelSpec spec, engine::EventLog& log) : m_tunnel(std::move(spec), log) {}
    int mtu() const override { return m_tunnel.mtu(); }
    engine::TunnelStats stats() const override { return m_tunnel.stats(); }
    int ifindex() const override { return m_tunnel.ifindex(); }
    bool carriesDefaultRoute() const override { return m_tunnel.carriesDefaultRoute(); }
    bool killSwitchOn() const override { return m_tunnel.killSwitchOn(); }
    std::vector<engine::PeerEndpointStatus> endpoints() const override
    {
        return m_tunnel.endpoints();
    }
    engine::UdpEndpoint listenEndpoint() const override { return m_tunnel.listenEndpoint(); }
    void reresolveNow() override { m_tunnel.reresolveNow(); }
    void setPeers(std::vector<engine::PeerSpec> peers) override
    {
        m_tunnel.setPeers(std::move(peers));
    }
    void underlayChanged(const std::string& reason) override { m_tunnel.underlayChanged(reason); }

private:
    engine::Tunnel m_tunnel;
};

} // namespace

TunnelFactory engineTunnelFactory()
{
    return [](engine::TunnelSpec spec, engine::EventLog& log) -> std::unique_ptr<RunningTunnel> {
        return std::make_unique<EngineTunnel>(std::move(spec), log);
    };
}

} // namespace peertun
