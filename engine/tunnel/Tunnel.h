// One running tunnel: the TUN device, its link configuration, the UDP socket, and the
// forwarding threads, owned together. Construction brings everything up or throws
// TunnelError with nothing left behind; destruction tears it all down.
#pragma once

#include "Counters.h"
#include "EventLog.h"
#include "Net.h"
#include "TunnelSpec.h"

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
    TunnelStats stats() const;
    // Stops forwarding, joins threads, removes routes and the device (also done by ~Tunnel).
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace peertun::engine
