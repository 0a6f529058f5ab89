#include "Netlink.h"

#include "TunnelError.h"

#include <netlink/netlink.h>
#include <netlink/socket.h>

namespace peertun::engine {

void NlSocketDeleter::operator()(nl_sock* sock) const
{
    nl_socket_free(sock);
}

std::string nlReason(int nlErr)
{
    return nl_geterror(nlErr);
}

bool isPermissionError(int nlErr)
{
    return nlErr == -NLE_PERM || nlErr == -NLE_NOACCESS;
}

NlSocket allocNetlinkSocket()
{
    NlSocket sock(nl_socket_alloc());
    if (!sock) {
        throw TunnelError(TunnelError::Kind::Failed, "out of memory allocating a netlink socket");
    }
    return sock;
}

void throwNetlinkSocketError(const std::string& what, int nlErr)
{
    throw TunnelError(isPermissionError(nlErr) ? TunnelError::Kind::PermissionDenied
                                               : TunnelError::Kind::Failed,
                      "cannot open a netlink " + what + " socket: " + nlReason(nlErr));
}

NlSocket openRouteSocket()
{
    NlSocket sock = allocNetlinkSocket();
    if (const int err = nl_connect(sock.get(), NETLINK_ROUTE); err < 0) {
        throwNetlinkSocketError("route", err);
    }
    return sock;
}

} // namespace peertun::engine
