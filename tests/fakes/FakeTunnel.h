// Stand-ins for the helper service's seams: a RunningTunnel whose counters the test sets, a
// factory that makes them (or fails as told), and an Authorizer that answers as told. No root,
// no TUN device, no polkit.
#pragma once

#include "Authorizer.h"
#include "RunningTunnel.h"
#include "TunnelError.h"

#include <QHash>
#include <QStringList>
#include <QTimer>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace peertun {

// Shared between the factory (the test's handle) and the tunnels it made.
struct FakeTunnels
{
    std::map<std::string, engine::TunnelStats> stats; // by tunnel name; the test changes them
    std::map<std::string, engine::TunnelSpec> specs;  // what each tunnel was made from
    int alive = 0;
    int reresolves = 0;                          // reresolveNow() calls, over all tunnels
    int peerChanges = 0;                         // setPeers() calls that went through
    std::vector<std::string> underlayChanges;    // underlayChanged() reasons, over all tunnels
    std::optional<engine::TunnelError> failNext; // thrown by the next construction
};

class FakeTunnel final : public RunningTunnel
{
public:
    FakeTunnel(std::shared_ptr<FakeTunnels> all, std::string name)
        : m_all(std::move(all)), m_name(std::move(name))
    {
        ++m_all->alive;
    }
    ~FakeTunnel() override
    {
        --m_all->alive;
        m_all->stats.erase(m_name);
    }
    int mtu() const override { return 1400; }
    engine::TunnelStats stats() const override { return m_all->stats[m_name]; }
    int ifindex() const override { return 1000; }
    bool carriesDefaultRoute() const override { return false; }
    bool killSwitchOn() const override { return m_all->specs[m_name].killSwitch; }
    std::vector<engine::PeerEndpointStatus> endpoints() const override
    {
        std::vector<engine::PeerEndpointStatus> out;
        for (const engine::PeerSpec& p : m_all->specs[m_name].peers) {
            out.push_back({p.endpointHost, p.knownEndpoint(), 0, !p.endpointHost.empty(), {}});
        }
        return out;
    }
    engine::UdpEndpoint listenEndpoint() const override { return m_all->specs[m_name].listen; }
    void reresolveNow() override { ++m_all->reresolves; }
    void setPeers(std::vector<engine::PeerSpec> peers) override
    {
        if (m_all->failNext) {
            const engine::TunnelError e = *m_all->failNext;
            m_all->failNext.reset();
            throw e;
        }
        m_all->specs[m_name].peers = std::move(peers);
        m_all->stats[m_name].peers.resize(m_all->specs[m_name].peers.size());
        ++m_all->peerChanges;
    }
    void underlayChanged(const std::string& reason) override
    {
        m_all->underlayChanges.push_back(reason);
    }

private:
    std::shared_ptr<FakeTunnels> m_all;
    std::string m_name;
};

inline TunnelFactory fakeTunnelFactory(std::shared_ptr<FakeTunnels> all)
{
    return [all](engine::TunnelSpec spec, engine::EventLog&) -> std::unique_ptr<RunningTunnel> {
        if (all->failNext) {
            const engine::TunnelError e = *all->failNext;
            all->failNext.reset();
            throw e;
        }
        engine::TunnelStats s;
        s.peers.resize(spec.peers.size());
        all->stats[spec.name] = s;
        const std::string name = spec.name;
        all->specs[name] = std::move(spec);
        return std::make_unique<FakeTunnel>(all, name);
    };
}

// Answers every check with `answer`, on a later turn of the event loop as polkit would.
class FakeAuthorizer final : public Authorizer
{
public:
    struct State
    {
        Result answer = Result::Authorized;
        QHash<QString, Result> answers; // by action id; `answer` for the others
        QString detail;
        int checks = 0;
        int cancels = 0;
        QStringList actions; // every action asked about, in order
    };
    explicit FakeAuthorizer(std::shared_ptr<State> state) : m_state(std::move(state)) {}

    uint64_t check(const QString&, const QString& action, Callback done) override
    {
        ++m_state->checks;
        m_state->actions << action;
        const uint64_t id = m_next++;
        QTimer::singleShot(0, [state = m_state, action, done = std::move(done)] {
            done(state->answers.value(action, state->answer), state->detail);
        });
        return id;
    }
    void cancel(uint64_t) override { ++m_state->cancels; }

private:
    std::shared_ptr<State> m_state;
    uint64_t m_next = 1;
};

} // namespace peertun
