// What RouteTable, NetlinkWatcher and PolicyRouting share of libnl-3: owning pointers for its
// objects, and sockets opened with one set of error messages.
#pragma once

#include "NetlinkSocket.h"

#include <memory>
#include <netlink/addr.h>
#include <netlink/cache.h>
#include <netlink/msg.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>
#include <string>

namespace peertun::engine {

struct NlDeleter
{
    void operator()(nl_addr* p) const { nl_addr_put(p); }
    void operator()(rtnl_addr* p) const { rtnl_addr_put(p); }
    void operator()(rtnl_link* p) const { rtnl_link_put(p); }
    void operator()(rtnl_route* p) const { rtnl_route_put(p); }
    void operator()(nl_cache* p) const { nl_cache_free(p); }
    void operator()(nl_msg* p) const { nlmsg_free(p); }
};
template <typename T> using NlPtr = std::unique_ptr<T, NlDeleter>;

// libnl's text for a (negative) libnl error code.
std::string nlReason(int nlErr);
bool isPermissionError(int nlErr);

// An unconnected netlink socket; throws TunnelError if out of memory.
NlSocket allocNetlinkSocket();
// Throws TunnelError "cannot open a netlink <what> socket: <reason>" (PermissionDenied for a
// permission error, Failed otherwise).
[[noreturn]] void throwNetlinkSocketError(const std::string& what, int nlErr);
// A connected NETLINK_ROUTE socket for requests; throws as above, as a "route" socket.
NlSocket openRouteSocket();

} // namespace peertun::engine
