// The owning pointer of a libnl socket, for the headers of RouteTable, NetlinkWatcher and
// PolicyRouting (which must not need libnl's headers: Tunnel includes them). Netlink.h has
// the rest for their .cpp files.
#pragma once

#include <memory>

struct nl_sock;

namespace peertun::engine {

struct NlSocketDeleter
{
    void operator()(nl_sock* sock) const; // nl_socket_free: also closes it
};
using NlSocket = std::unique_ptr<nl_sock, NlSocketDeleter>;

} // namespace peertun::engine
