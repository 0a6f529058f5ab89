// What the helper sees of peers' endpoints: where host names' DNS servers come from, and each
// peer's name, address in use and resolution state. Plain types, no Qt.
#pragma once

#include "Net.h"

#include <cstdint>
#include <string>
#include <vector>

namespace peertun::engine {

// The DNS servers of a network link, as the system's resolver manager (systemd-resolved)
// reports them. Implemented by the service layer; called on the refresher's thread.
class DnsServerSource
{
public:
    virtual ~DnsServerSource() = default;
    // Servers for the link with `ifindex` (0: the link is not known), best first; empty when
    // none are known (the refresher then reads /etc/resolv.conf).
    virtual std::vector<IpAddress> serversFor(int ifindex) = 0;
};

struct PeerEndpointStatus
{
    std::string host;          // empty: the peer's endpoint is an address (or learned)
    UdpEndpoint address;       // in use; unspecified while never resolved
    int64_t resolvedAtUnixMs = 0; // last successful resolution; 0 = never
    bool resolving = false;    // no address yet, or the last attempt failed
    std::string error;         // why the last attempt failed; empty if it succeeded
};

} // namespace peertun::engine
