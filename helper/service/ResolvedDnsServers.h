// The DNS servers systemd-resolved uses per link, read over D-Bus (org.freedesktop.resolve1,
// the Manager's DNS property: every link's servers and the global ones), for resolving peer
// host names on the link the endpoint's route leaves by. Called on the engine's refresher
// thread; a missing bus or resolved yields no servers (the engine reads /etc/resolv.conf).
#pragma once

#include "PeerEndpoints.h"

namespace peertun {

class ResolvedDnsServers final : public engine::DnsServerSource
{
public:
    static constexpr int kTimeoutMs = 1000;
    std::vector<engine::IpAddress> serversFor(int ifindex) override;
};

} // namespace peertun
