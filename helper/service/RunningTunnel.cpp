#include "RunningTunnel.h"

namespace peertun {
namespace {

class EngineTunnel final : public RunningTunnel
{
public:
    EngineTunnel(engine::TunnelSpec spec, engine::EventLog& log) : m_tunnel(std::move(spec), log) {}
    int mtu() const override { return m_tunnel.mtu(); }
    engine::TunnelStats stats() const override { return m_tunnel.stats(); }

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
