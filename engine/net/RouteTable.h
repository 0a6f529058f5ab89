// Link configuration through libnl-3 (route): MTU, address, up, and the peers' routes; and
// the re-check that puts back what someone removed (routes do vanish: a link going down flushes
// them).
#pragma once

#include "Net.h"
#include "NetlinkSocket.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct nl_msg; // at global scope, so the callback below names libnl's type

namespace peertun::engine {

// What the device should look like.
struct LinkConfig
{
    int ifindex = 0;
    std::string ifName;
    int mtu = 0;
    IpPrefix address;             // e.g. 10.244.2.2/24 (host bits set)
    std::vector<IpPrefix> routes; // every peer subnet, via the device
};

class RouteTable
{
public:
    RouteTable(); // own NETLINK_ROUTE socket; throws TunnelError
    ~RouteTable();
    RouteTable(const RouteTable&) = delete;
    RouteTable& operator=(const RouteTable&) = delete;

    // MTU, address, link up, routes. Throws TunnelError (AddressInUse if the address sits on
    // another interface, PermissionDenied, Failed) naming what failed.
    void configure(const LinkConfig& link);
    // Puts back whatever is missing (link down, address or routes gone). Returns one
    // description per thing restored, e.g. "route 10.244.3.0/24 dev flannel99"; empty if all
    // was in place. Does not throw; failures come back as descriptions starting "failed: ".
    std::vector<std::string> restore(const LinkConfig& link);
    // Removes the routes and the address; best effort (closing the TUN removes the rest).
    void deconfigure(const LinkConfig& link);
    // A running link's peer set changed: routes for new subnets (throws TunnelError as
    // configure(), having removed the ones it added), and the old ones' removal (best effort).
    void addRoutes(const LinkConfig& link, const std::vector<IpPrefix>& prefixes);
    void removeRoutes(const LinkConfig& link, const std::vector<IpPrefix>& prefixes);

    // Name of the interface other than `excludeIfindex` that holds `address`, if any.
    std::optional<std::string> interfaceWithAddress(const IpAddress& address, int excludeIfindex);

private:
    NlSocket m_sock;
};

// A netlink event socket subscribed to link, address and route changes. Its fd goes into the
// caller's poll(); drain() reads what is pending and says whether any of it may have removed
// something of `ifindex` (RTM_DELROUTE/RTM_DELADDR for it, or RTM_NEWLINK/DELLINK for it,
// since taking a link down flushes its IPv4 routes without RTM_DELROUTE). With a
// `policyTable` (a full tunnel, see PolicyRouting.h) it also watches rules: the removal of a
// rule that looks up that table or matches that mark, or of a suppress_prefixlength rule.
class NetlinkWatcher
{
public:
    explicit NetlinkWatcher(int ifindex, uint32_t policyTable = 0); // throws TunnelError
    ~NetlinkWatcher();
    NetlinkWatcher(const NetlinkWatcher&) = delete;
    NetlinkWatcher& operator=(const NetlinkWatcher&) = delete;

    int fd() const;
    bool drain();

private:
    NlSocket m_sock;
    int m_ifindex = 0;
    uint32_t m_policyTable = 0;
    bool m_relevant = false;
    static int onMessage(struct nl_msg* msg, void* self);
};

} // namespace peertun::engine
