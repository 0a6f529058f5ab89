// Resolves one host name through c-ares, with every query socket carrying the tunnel's
// firewall mark (SO_MARK set before the socket connects, so the route is chosen with it), to
// the servers the caller names: queries leave like the tunnel's own UDP, not into it. Blocks
// the calling thread (the endpoint refresher's, never a forwarding or D-Bus thread) until an
// answer, the timeout, or `cancelFd` becoming readable.
#pragma once

#include "Net.h"

#include <chrono>
#include <string>
#include <vector>

namespace peertun::engine {

struct DnsAnswer
{
    std::vector<IpAddress> addresses; // of the asked family, best first; empty on error
    std::string error;                // a sentence fragment, e.g. "no such host"; empty if ok
    // The name has addresses, but only of the other family (AF_INET or AF_INET6); 0 if not.
    int onlyFamily = 0;
};

struct DnsQuery
{
    std::string name;
    int family = AF_UNSPEC;           // AF_INET, AF_INET6, or AF_UNSPEC for both
    std::vector<IpAddress> servers;   // port 53; empty: an error, never a default
    uint32_t mark = 0;                // 0: sockets unmarked
    std::chrono::milliseconds timeout{5000};
    int cancelFd = -1;                // readable: give up at once
};

DnsAnswer resolveHost(const DnsQuery& query);

} // namespace peertun::engine
