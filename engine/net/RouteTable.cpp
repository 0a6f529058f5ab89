#include "RouteTable.h"

#include "Netlink.h"
#include "TunnelError.h"

#include <cstring>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/inet6.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>
#include <netlink/socket.h>
#include <poll.h>

namespace peertun::engine {

namespace {

// The tunnel's routes are ours: marked static so `ip route` shows where they came from.
constexpr uint8_t kRouteProtocol = RTPROT_STATIC;
// Big enough that a burst of events (a flushed table) does not overflow before we drain it.
constexpr int kWatcherBufferBytes = 1 << 20;

NlPtr<nl_addr> toNlAddr(const IpAddress& address, int prefixLength)
{
    NlPtr<nl_addr> a(nl_addr_build(address.family, address.bytes.data(),
                                   static_cast<size_t>(address.byteLength())));
    if (!a) {
        throw TunnelError(TunnelError::Kind::Failed, "out of memory building a netlink address");
    }
    nl_addr_set_prefixlen(a.get(), prefixLength);
    return a;
}

NlPtr<rtnl_addr> buildAddress(const LinkConfig& link)
{
    NlPtr<rtnl_addr> addr(rtnl_addr_alloc());
    if (!addr) {
        throw TunnelError(TunnelError::Kind::Failed, "out of memory building a netlink address");
    }
    const auto local = toNlAddr(link.address.address, link.address.length);
    rtnl_addr_set_ifindex(addr.get(), link.ifindex);
    rtnl_addr_set_family(addr.get(), link.address.address.family);
    rtnl_addr_set_local(addr.get(), local.get()); // takes its own reference
    rtnl_addr_set_prefixlen(addr.get(), link.address.length);
    if (link.address.address.family == AF_INET6) {
        // No duplicate address detection: the address is usable at once, and nothing else
        // can sit on a point-to-point TUN link anyway.
        rtnl_addr_set_flags(addr.get(), IFA_F_NODAD);
    }
    return addr;
}

NlPtr<rtnl_route> buildRoute(const LinkConfig& link, const IpPrefix& prefix)
{
    NlPtr<rtnl_route> route(rtnl_route_alloc());
    rtnl_nexthop* nh = rtnl_route_nh_alloc();
    if (!route || !nh) {
        if (nh) {
            rtnl_route_nh_free(nh);
        }
        throw TunnelError(TunnelError::Kind::Failed, "out of memory building a netlink route");
    }
    const IpPrefix net = prefix.network();
    const auto dst = toNlAddr(net.address, net.length);
    rtnl_route_set_family(route.get(), static_cast<uint8_t>(net.address.family));
    rtnl_route_set_dst(route.get(), dst.get());
    rtnl_route_set_table(route.get(), RT_TABLE_MAIN);
    rtnl_route_set_type(route.get(), RTN_UNICAST);
    rtnl_route_set_protocol(route.get(), kRouteProtocol);
    // IPv4: a directly reachable subnet through the device. IPv6 has no route scopes.
    rtnl_route_set_scope(route.get(),
                         net.address.family == AF_INET ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE);
    rtnl_route_nh_set_ifindex(nh, link.ifindex);
    rtnl_route_add_nexthop(route.get(), nh); // the route owns nh from here
    return route;
}

std::string routeText(const LinkConfig& link, const IpPrefix& prefix)
{
    return "route " + prefix.network().toString() + " dev " + link.ifName;
}

std::string addressText(const LinkConfig& link)
{
    return "address " + link.address.toString() + " dev " + link.ifName;
}

// Throws the TunnelError for a failed configuration step `what` (e.g. "setting MTU 1472").
[[noreturn]] void throwStep(const LinkConfig& link, const std::string& what, int nlErr)
{
    // rtnetlink answers a missing CAP_NET_ADMIN with EPERM; EACCES on an IPv6 step means
    // IPv6 is switched off on the device, which no privilege would fix.
    if (nlErr == -NLE_NOACCESS && link.address.address.family == AF_INET6) {
        throw TunnelError(TunnelError::Kind::Failed,
                          what + " on " + link.ifName + " failed: IPv6 is disabled there (sysctl " +
                              "net.ipv6.conf." + link.ifName + ".disable_ipv6)");
    }
    if (nlErr == -NLE_PERM) {
        throw TunnelError(TunnelError::Kind::PermissionDenied,
                          "configuring " + link.ifName + " needs root or CAP_NET_ADMIN (" + what +
                              ": " + nlReason(nlErr) + ")");
    }
    throw TunnelError(nlErr == -NLE_BUSY ? TunnelError::Kind::Busy : TunnelError::Kind::Failed,
                      what + " on " + link.ifName + " failed: " + nlReason(nlErr));
}

void validate(const LinkConfig& link)
{
    const auto invalid = [](const std::string& why) {
        throw TunnelError(TunnelError::Kind::InvalidConfig, why);
    };
    if (link.ifindex <= 0) {
        invalid("no interface index for device \"" + link.ifName + "\"");
    }
    const int family = link.address.address.family;
    if (family != AF_INET && family != AF_INET6) {
        invalid("device " + link.ifName + " has no tunnel address");
    }
    if (link.address.length < 0 || link.address.length > link.address.address.bitLength()) {
        invalid("bad prefix length in tunnel address " + link.address.toString());
    }
    if (link.mtu != 0 && (link.mtu < 68 || link.mtu > 65535)) {
        invalid("MTU " + std::to_string(link.mtu) + " for " + link.ifName +
                " is out of range (68 to 65535)");
    }
    bool anyIpv6 = family == AF_INET6;
    for (const IpPrefix& r : link.routes) {
        if (r.address.family != AF_INET && r.address.family != AF_INET6) {
            invalid("empty route for device " + link.ifName);
        }
        if (r.length < 0 || r.length > r.address.bitLength()) {
            invalid("bad prefix length in route " + r.toString());
        }
        anyIpv6 = anyIpv6 || r.address.family == AF_INET6;
    }
    // Below 1280 the kernel switches IPv6 off on the device and the address add fails obscurely.
    if (anyIpv6 && link.mtu != 0 && link.mtu < 1280) {
        invalid("MTU " + std::to_string(link.mtu) + " for " + link.ifName +
                " is too small for IPv6 (at least 1280)");
    }
}

} // namespace

// --- RouteTable ----------------------------------------------------------------------------

RouteTable::RouteTable() : m_sock(openRouteSocket()) {}

RouteTable::~RouteTable() = default;

namespace {

// Changes MTU and/or the up flag of `ifindex`; returns a libnl error code (0 on success).
int changeLink(nl_sock* sock, int ifindex, int mtu, bool up)
{
    rtnl_link* origRaw = nullptr;
    if (const int err = rtnl_link_get_kernel(sock, ifindex, nullptr, &origRaw); err < 0) {
        return err;
    }
    NlPtr<rtnl_link> orig(origRaw);
    NlPtr<rtnl_link> change(rtnl_link_alloc());
    if (!change) {
        return -NLE_NOMEM;
    }
    if (mtu > 0) {
        rtnl_link_set_mtu(change.get(), static_cast<unsigned>(mtu));
    }
    if (up) {
        rtnl_link_set_flags(change.get(), IFF_UP);
    }
    return rtnl_link_change(sock, orig.get(), change.get(), 0);
}

// No IPv6 link-local address on the tunnel: nothing on a point-to-point TUN needs one, and
// the kernel's router solicitations and MLD reports from it have no peer to go to (they only
// showed up as "no peer for destination" drops on an idle tunnel). Best effort: a kernel
// with IPv6 off refuses, and that is fine.
void disableIpv6LinkLocal(nl_sock* sock, int ifindex)
{
    rtnl_link* origRaw = nullptr;
    if (rtnl_link_get_kernel(sock, ifindex, nullptr, &origRaw) < 0) {
        return;
    }
    NlPtr<rtnl_link> orig(origRaw);
    NlPtr<rtnl_link> change(rtnl_link_alloc());
    if (change &&
        rtnl_link_inet6_set_addr_gen_mode(change.get(), 1 /* IN6_ADDR_GEN_MODE_NONE */) == 0) {
        rtnl_link_change(sock, orig.get(), change.get(), 0);
    }
}

} // namespace

void RouteTable::configure(const LinkConfig& link)
{
    validate(link);

    if (const auto other = interfaceWithAddress(link.address.address, link.ifindex)) {
        throw TunnelError(TunnelError::Kind::AddressInUse, "address " +
                                                               link.address.address.toString() +
                                                               " is already assigned to " + *other);
    }

    disableIpv6LinkLocal(m_sock.get(), link.ifindex);
    if (link.mtu > 0) {
        if (const int err = changeLink(m_sock.get(), link.ifindex, link.mtu, false); err < 0) {
            throwStep(link, "setting MTU " + std::to_string(link.mtu), err);
        }
    }

    {
        const auto addr = buildAddress(link);
        const int err = rtnl_addr_add(m_sock.get(), addr.get(), NLM_F_CREATE | NLM_F_EXCL);
        if (err < 0 && err != -NLE_EXIST) {
            throwStep(link, "adding address " + link.address.toString(), err);
        }
    }

    if (const int err = changeLink(m_sock.get(), link.ifindex, 0, true); err < 0) {
        throwStep(link, "setting the link up", err);
    }

    for (const IpPrefix& prefix : link.routes) {
        const auto route = buildRoute(link, prefix);
        const int err = rtnl_route_add(m_sock.get(), route.get(), NLM_F_CREATE | NLM_F_EXCL);
        if (err == -NLE_EXIST) {
            // Our fresh device cannot have it yet: another route for that subnet would take
            // the traffic past the tunnel.
            throw TunnelError(TunnelError::Kind::Busy,
                              "a route to " + prefix.network().toString() +
                                  " already exists in the main table; cannot add it via " +
                                  link.ifName);
        }
        if (err < 0) {
            throwStep(link, "adding route " + prefix.network().toString(), err);
        }
    }
}

std::vector<std::string> RouteTable::restore(const LinkConfig& link)
{
    std::vector<std::string> restored;
    rtnl_link* currentRaw = nullptr;
    if (const int err = rtnl_link_get_kernel(m_sock.get(), link.ifindex, nullptr, &currentRaw);
        err < 0) {
        restored.push_back("failed: device " + link.ifName + " is gone (" + nlReason(err) + ")");
        return restored;
    }
    NlPtr<rtnl_link> current(currentRaw);

    // Order matters: IPv4 routes cannot go through a device that is down.
    if (!(rtnl_link_get_flags(current.get()) & IFF_UP)) {
        if (const int err = changeLink(m_sock.get(), link.ifindex, 0, true); err < 0) {
            restored.push_back("failed: link " + link.ifName + " up: " + nlReason(err));
        } else {
            restored.push_back("link " + link.ifName + " up");
        }
    }

    // Exclusive adds: "exists" means it was in place, so only real repairs are reported and
    // our own RTM_NEW* events cannot make the caller restore forever.
    try {
        const auto addr = buildAddress(link);
        const int err = rtnl_addr_add(m_sock.get(), addr.get(), NLM_F_CREATE | NLM_F_EXCL);
        if (err == 0) {
            restored.push_back(addressText(link));
        } else if (err != -NLE_EXIST) {
            restored.push_back("failed: " + addressText(link) + ": " + nlReason(err));
        }
        for (const IpPrefix& prefix : link.routes) {
            const auto route = buildRoute(link, prefix);
            const int rerr = rtnl_route_add(m_sock.get(), route.get(), NLM_F_CREATE | NLM_F_EXCL);
            if (rerr == 0) {
                restored.push_back(routeText(link, prefix));
            } else if (rerr != -NLE_EXIST) {
                restored.push_back("failed: " + routeText(link, prefix) + ": " + nlReason(rerr));
            }
        }
    } catch (const TunnelError& e) { // only out of memory
        restored.push_back(std::string("failed: ") + e.what());
    }
    return restored;
}

void RouteTable::deconfigure(const LinkConfig& link)
{
    // Best effort and quiet: gone already is fine, and closing the TUN removes the rest.
    try {
        for (const IpPrefix& prefix : link.routes) {
            const auto route = buildRoute(link, prefix);
            rtnl_route_delete(m_sock.get(), route.get(), 0);
        }
        if (!link.address.address.isUnspecified()) {
            const auto addr = buildAddress(link);
            rtnl_addr_delete(m_sock.get(), addr.get(), 0);
        }
    } catch (const TunnelError&) {
    }
}

void RouteTable::addRoutes(const LinkConfig& link, const std::vector<IpPrefix>& prefixes)
{
    std::vector<IpPrefix> added;
    try {
        for (const IpPrefix& prefix : prefixes) {
            const auto route = buildRoute(link, prefix);
            const int err = rtnl_route_add(m_sock.get(), route.get(), NLM_F_CREATE | NLM_F_EXCL);
            if (err == -NLE_EXIST) {
                throw TunnelError(TunnelError::Kind::Busy,
                                  "a route to " + prefix.network().toString() +
                                      " already exists in the main table; cannot add it via " +
                                      link.ifName);
            }
            if (err < 0) {
                throwStep(link, "adding route " + prefix.network().toString(), err);
            }
            added.push_back(prefix);
        }
    } catch (const TunnelError&) {
        removeRoutes(link, added);
        throw;
    }
}

void RouteTable::removeRoutes(const LinkConfig& link, const std::vector<IpPrefix>& prefixes)
{
    try {
        for (const IpPrefix& prefix : prefixes) {
            const auto route = buildRoute(link, prefix);
            rtnl_route_delete(m_sock.get(), route.get(), 0);
        }
    } catch (const TunnelError&) {
    }
}

std::optional<std::string> RouteTable::interfaceWithAddress(const IpAddress& address,
                                                            int excludeIfindex)
{
    if (address.isUnspecified()) {
        return std::nullopt;
    }
    nl_cache* cacheRaw = nullptr;
    if (const int err = rtnl_addr_alloc_cache(m_sock.get(), &cacheRaw); err < 0) {
        throw TunnelError(isPermissionError(err) ? TunnelError::Kind::PermissionDenied
                                                 : TunnelError::Kind::Failed,
                          "cannot list the addresses in use: " + nlReason(err));
    }
    NlPtr<nl_cache> cache(cacheRaw);
    for (nl_object* obj = nl_cache_get_first(cache.get()); obj; obj = nl_cache_get_next(obj)) {
        auto* addr = reinterpret_cast<rtnl_addr*>(obj);
        const int ifindex = rtnl_addr_get_ifindex(addr);
        if (ifindex == excludeIfindex || rtnl_addr_get_family(addr) != address.family) {
            continue;
        }
        nl_addr* local = rtnl_addr_get_local(addr);
        if (!local || nl_addr_get_len(local) != static_cast<unsigned>(address.byteLength()) ||
            std::memcmp(nl_addr_get_binary_addr(local), address.bytes.data(),
                        static_cast<size_t>(address.byteLength())) != 0) {
            continue;
        }
        char name[IF_NAMESIZE] = {};
        if (::if_indextoname(static_cast<unsigned>(ifindex), name)) {
            return std::string(name);
        }
        return "interface #" + std::to_string(ifindex);
    }
    return std::nullopt;
}

// --- NetlinkWatcher ------------------------------------------------------------------------

NetlinkWatcher::NetlinkWatcher(int ifindex, uint32_t policyTable)
    : m_ifindex(ifindex), m_policyTable(policyTable)
{
    m_sock = allocNetlinkSocket();
    nl_sock* sock = m_sock.get();
    // Events are unsolicited: no sequence numbers to match.
    nl_socket_disable_seq_check(sock);
    nl_socket_modify_cb(sock, NL_CB_VALID, NL_CB_CUSTOM, &NetlinkWatcher::onMessage, this);
    int err = nl_connect(sock, NETLINK_ROUTE);
    if (err >= 0) {
        err =
            nl_socket_add_memberships(sock, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR,
                                      RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE, 0);
    }
    if (err >= 0 && m_policyTable != 0) {
        err = nl_socket_add_memberships(sock, RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_RULE, 0);
    }
    if (err >= 0) {
        err = nl_socket_set_nonblocking(sock);
    }
    if (err >= 0) {
        err = nl_socket_set_buffer_size(sock, kWatcherBufferBytes, 0);
    }
    if (err < 0) {
        throwNetlinkSocketError("event", err);
    }
}

NetlinkWatcher::~NetlinkWatcher() = default;

int NetlinkWatcher::fd() const
{
    return nl_socket_get_fd(m_sock.get());
}

bool NetlinkWatcher::drain()
{
    m_relevant = false;
    // Read while the socket has data; poll() first so this never blocks and never spins,
    // whatever libnl returns for EAGAIN.
    for (;;) {
        pollfd pfd{fd(), POLLIN, 0};
        if (::poll(&pfd, 1, 0) <= 0 || !(pfd.revents & (POLLIN | POLLERR))) {
            break;
        }
        const int err = nl_recvmsgs_default(m_sock.get());
        if (err == -NLE_AGAIN) {
            break;
        }
        if (err == -NLE_NOMEM || err == -NLE_MSG_OVERFLOW) {
            // ENOBUFS: the kernel dropped events; anything may have happened.
            m_relevant = true;
            continue;
        }
        if (err < 0) {
            m_relevant = true; // unknown trouble: let the caller re-check rather than miss it
            break;
        }
    }
    return m_relevant;
}

int NetlinkWatcher::onMessage(nl_msg* msg, void* self)
{
    auto* watcher = static_cast<NetlinkWatcher*>(self);
    nlmsghdr* hdr = nlmsg_hdr(msg);
    int ifindex = 0;
    switch (hdr->nlmsg_type) {
    case RTM_NEWLINK:
    case RTM_DELLINK:
        // A link going down flushes its IPv4 routes without any RTM_DELROUTE.
        if (nlmsg_valid_hdr(hdr, sizeof(ifinfomsg))) {
            ifindex = static_cast<const ifinfomsg*>(nlmsg_data(hdr))->ifi_index;
        }
        break;
    case RTM_DELADDR:
        if (nlmsg_valid_hdr(hdr, sizeof(ifaddrmsg))) {
            ifindex = static_cast<int>(static_cast<const ifaddrmsg*>(nlmsg_data(hdr))->ifa_index);
        }
        break;
    case RTM_DELROUTE:
        if (nlmsg_valid_hdr(hdr, sizeof(rtmsg))) {
            if (nlattr* oif = nlmsg_find_attr(hdr, sizeof(rtmsg), RTA_OIF)) {
                ifindex = static_cast<int>(nla_get_u32(oif));
            } else if (nlmsg_find_attr(hdr, sizeof(rtmsg), RTA_MULTIPATH)) {
                ifindex = watcher->m_ifindex; // ours are never multipath; re-check to be safe
            }
        }
        break;
    case RTM_DELRULE:
        if (watcher->m_policyTable != 0 && nlmsg_valid_hdr(hdr, sizeof(fib_rule_hdr))) {
            const auto* frh = static_cast<const fib_rule_hdr*>(nlmsg_data(hdr));
            uint32_t table = frh->table;
            if (nlattr* t = nlmsg_find_attr(hdr, sizeof(fib_rule_hdr), FRA_TABLE)) {
                table = nla_get_u32(t);
            }
            nlattr* mark = nlmsg_find_attr(hdr, sizeof(fib_rule_hdr), FRA_FWMARK);
            // The kernel always sends this one; -1 means "no suppress_prefixlength".
            nlattr* suppress = nlmsg_find_attr(hdr, sizeof(fib_rule_hdr), FRA_SUPPRESS_PREFIXLEN);
            if (table == watcher->m_policyTable ||
                (mark && nla_get_u32(mark) == watcher->m_policyTable) ||
                (suppress && nla_get_u32(suppress) == 0)) {
                watcher->m_relevant = true;
            }
        }
        break;
    default:
        break;
    }
    if (ifindex == watcher->m_ifindex) {
        watcher->m_relevant = true;
    }
    return NL_OK;
}

} // namespace peertun::engine
