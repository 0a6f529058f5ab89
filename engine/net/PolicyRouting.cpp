#include "PolicyRouting.h"

#include "Netlink.h"
#include "TunnelError.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <memory>
#include <mutex>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>
#include <netlink/route/rule.h>
#include <netlink/socket.h>
#include <set>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace peertun::engine {

namespace {

// Ours, as the main-table routes of RouteTable: `ip rule` and `ip route` show "proto static".
constexpr uint8_t kProtocol = RTPROT_STATIC;
// The kernel's main rule; rules go just before the first rule after the local one.
constexpr uint32_t kMainRulePriority = 32766;

// Two tunnels of this process must not choose the same table between listing and adding.
std::mutex& choosingMutex()
{
    static std::mutex m;
    return m;
}

// The network namespace's lock for choosing marks (see TunnelMark): bound, the abstract name is
// this process's until the fd closes. Another holder is waited for up to 2 s, then ignored: the
// name is open to every local user, and one that squats it must not stop tunnels (it can only
// bring back the race the lock closes). An fd of -1 if there is no lock to be had.
Fd lockMarksOfNamespace()
{
    Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd.valid()) {
        return fd;
    }
    constexpr size_t kNameLen = sizeof TunnelMark::kLockName - 1;
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path + 1, TunnelMark::kLockName, kNameLen); // [0] = 0: abstract
    const auto len = socklen_t(offsetof(sockaddr_un, sun_path) + 1 + kNameLen);
    for (int waited = 0; waited < 200; ++waited) {
        if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), len) == 0) {
            return fd;
        }
        if (errno != EADDRINUSE) {
            break;
        }
        ::usleep(10000);
    }
    return Fd();
}

std::string familyName(int family)
{
    return family == AF_INET6 ? "IPv6" : "IPv4";
}

std::string hex(uint32_t v)
{
    char text[16];
    std::snprintf(text, sizeof text, "0x%x", v);
    return text;
}

// What the system already uses: table numbers and marks (one number space, since M = T), and
// per family the lowest rule priority above 0.
struct InUse
{
    std::set<uint32_t> ids;
    uint32_t lowestV4 = kMainRulePriority;
    uint32_t lowestV6 = kMainRulePriority;
};

InUse listInUse(nl_sock* sock)
{
    InUse used;
    nl_cache* rulesRaw = nullptr;
    if (const int err = rtnl_rule_alloc_cache(sock, AF_UNSPEC, &rulesRaw); err < 0) {
        throw TunnelError(err == -NLE_PERM ? TunnelError::Kind::PermissionDenied
                                           : TunnelError::Kind::Failed,
                          "cannot list the routing rules in use: " + nlReason(err));
    }
    NlPtr<nl_cache> rules(rulesRaw);
    bool sawV4 = false;
    bool sawV6 = false;
    for (nl_object* o = nl_cache_get_first(rules.get()); o; o = nl_cache_get_next(o)) {
        auto* rule = reinterpret_cast<rtnl_rule*>(o);
        used.ids.insert(rtnl_rule_get_table(rule));
        used.ids.insert(rtnl_rule_get_mark(rule));
        const uint32_t prio = rtnl_rule_get_prio(rule);
        if (prio == 0 || prio == UINT32_MAX) {
            continue;
        }
        if (rtnl_rule_get_family(rule) == AF_INET) {
            used.lowestV4 = sawV4 ? std::min(used.lowestV4, prio) : prio;
            sawV4 = true;
        } else if (rtnl_rule_get_family(rule) == AF_INET6) {
            used.lowestV6 = sawV6 ? std::min(used.lowestV6, prio) : prio;
            sawV6 = true;
        }
    }
    nl_cache* routesRaw = nullptr;
    if (const int err = rtnl_route_alloc_cache(sock, AF_UNSPEC, 0, &routesRaw); err < 0) {
        throw TunnelError(TunnelError::Kind::Failed,
                          "cannot list the routing tables in use: " + nlReason(err));
    }
    NlPtr<nl_cache> routes(routesRaw);
    for (nl_object* o = nl_cache_get_first(routes.get()); o; o = nl_cache_get_next(o)) {
        used.ids.insert(rtnl_route_get_table(reinterpret_cast<rtnl_route*>(o)));
    }
    return used;
}

NlPtr<rtnl_route> buildDefaultRoute(int family, int ifindex, uint32_t table)
{
    NlPtr<rtnl_route> route(rtnl_route_alloc());
    rtnl_nexthop* nh = rtnl_route_nh_alloc();
    const std::array<uint8_t, 16> zeros{};
    NlPtr<nl_addr> dst(nl_addr_build(family, zeros.data(), family == AF_INET6 ? 16 : 4));
    if (!route || !nh || !dst) {
        if (nh) {
            rtnl_route_nh_free(nh);
        }
        throw TunnelError(TunnelError::Kind::Failed, "out of memory building a netlink route");
    }
    nl_addr_set_prefixlen(dst.get(), 0);
    rtnl_route_set_family(route.get(), static_cast<uint8_t>(family));
    rtnl_route_set_dst(route.get(), dst.get());
    rtnl_route_set_table(route.get(), table);
    rtnl_route_set_type(route.get(), RTN_UNICAST);
    rtnl_route_set_protocol(route.get(), kProtocol);
    rtnl_route_set_scope(route.get(), family == AF_INET ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE);
    rtnl_route_nh_set_ifindex(nh, ifindex);
    rtnl_route_add_nexthop(route.get(), nh);
    return route;
}

// RTM_NEWRULE / RTM_DELRULE for one of our rules, built attribute by attribute: libnl's
// rtnl_rule has no setter for the "not" flag or suppress_prefixlength. Returns a libnl error.
int sendRule(nl_sock* sock, int type, int flags, int family, uint32_t priority, bool suppressMain,
             uint32_t table)
{
    NlPtr<nl_msg> msg(nlmsg_alloc_simple(type, flags));
    if (!msg) {
        return -NLE_NOMEM;
    }
    fib_rule_hdr hdr{};
    hdr.family = static_cast<uint8_t>(family);
    hdr.action = FR_ACT_TO_TBL;
    hdr.table = suppressMain ? RT_TABLE_MAIN : RT_TABLE_UNSPEC; // T > 255: in FRA_TABLE
    hdr.flags = suppressMain ? 0 : FIB_RULE_INVERT;
    if (nlmsg_append(msg.get(), &hdr, sizeof hdr, NLMSG_ALIGNTO) < 0 ||
        nla_put_u32(msg.get(), FRA_PRIORITY, priority) < 0 ||
        nla_put_u32(msg.get(), FRA_TABLE, suppressMain ? RT_TABLE_MAIN : table) < 0 ||
        nla_put_u8(msg.get(), FRA_PROTOCOL, kProtocol) < 0) {
        return -NLE_NOMEM;
    }
    if (suppressMain) {
        if (nla_put_u32(msg.get(), FRA_SUPPRESS_PREFIXLEN, 0) < 0) {
            return -NLE_NOMEM;
        }
    } else if (nla_put_u32(msg.get(), FRA_FWMARK, table) < 0 ||
               nla_put_u32(msg.get(), FRA_FWMASK, 0xffffffffu) < 0) {
        return -NLE_NOMEM;
    }
    return nl_send_sync(sock, msg.release()); // frees the message
}

} // namespace

std::set<uint32_t>& reservedMarks()
{
    static std::set<uint32_t> marks; // guarded by choosingMutex()
    return marks;
}

TunnelMark TunnelMark::allocate(const std::string& ifName)
{
    const NlSocket owner = openRouteSocket();
    nl_sock* sock = owner.get();
    Fd choosing = lockMarksOfNamespace(); // before the mutex: its holder may be this process
    const std::lock_guard lock(choosingMutex());
    const InUse used = listInUse(sock);
    for (uint32_t id = kFirstTable; id < kFirstTable + kTablesTried; ++id) {
        if (!used.ids.count(id) && !reservedMarks().count(id)) {
            reservedMarks().insert(id);
            return TunnelMark(id, std::move(choosing));
        }
    }
    throw TunnelError(TunnelError::Kind::Busy,
                      "no free firewall mark and routing table for " + ifName + ": " +
                          std::to_string(kFirstTable) + " to " +
                          std::to_string(kFirstTable + kTablesTried - 1) + " are all in use");
}

TunnelMark::~TunnelMark()
{
    if (m_value != 0) {
        const std::lock_guard lock(choosingMutex());
        reservedMarks().erase(m_value);
    }
}

PolicyRouting::PolicyRouting(FullTunnelConfig config) : m_config(std::move(config))
{
    if (m_config.ifindex <= 0 || m_config.families.empty() || m_config.mark == 0) {
        throw TunnelError(TunnelError::Kind::InvalidConfig,
                          "full tunnel through \"" + m_config.ifName + "\": nothing to route");
    }
    for (const int family : m_config.families) {
        if (family != AF_INET && family != AF_INET6) {
            throw TunnelError(TunnelError::Kind::InvalidConfig,
                              "full tunnel through " + m_config.ifName +
                                  ": a default route without an address family");
        }
    }
    m_sock = openRouteSocket();
    m_table = m_config.mark;
    try {
        const std::lock_guard lock(choosingMutex());
        const InUse used = listInUse(m_sock.get());
        for (const int family : m_config.families) {
            addFamily(family, family == AF_INET6 ? used.lowestV6 : used.lowestV4);
        }
    } catch (...) {
        removeAll();
        throw;
    }
}

PolicyRouting::~PolicyRouting()
{
    removeAll();
}

void PolicyRouting::addFamily(int family, uint32_t lowestPriority)
{
    const auto fail = [&](const std::string& what, int err) {
        if (err == -NLE_PERM) {
            throw TunnelError(TunnelError::Kind::PermissionDenied,
                              "routing all traffic through " + m_config.ifName +
                                  " needs root or CAP_NET_ADMIN (" + what + ": " + nlReason(err) +
                                  ")");
        }
        std::string hint;
        if (err == -NLE_OPNOTSUPP || err == -NLE_AF_NOSUPPORT) {
            hint = " (the kernel has no policy routing for " + familyName(family) +
                   ": CONFIG_IP_MULTIPLE_TABLES / CONFIG_IPV6_MULTIPLE_TABLES)";
        } else if (err == -NLE_NOACCESS && family == AF_INET6) {
            hint = " (IPv6 is disabled on " + m_config.ifName + ")";
        }
        throw TunnelError(TunnelError::Kind::Failed,
                          "cannot route all " + familyName(family) + " traffic through " +
                              m_config.ifName + ": " + what + " failed: " + nlReason(err) + hint);
    };
    if (lowestPriority < 3) {
        throw TunnelError(TunnelError::Kind::Failed, "cannot route all " + familyName(family) +
                                                         " traffic through " + m_config.ifName +
                                                         ": no free rule priority below " +
                                                         std::to_string(lowestPriority));
    }

    const auto route = buildDefaultRoute(family, m_config.ifindex, m_table);
    if (const int err = rtnl_route_add(m_sock.get(), route.get(), NLM_F_CREATE | NLM_F_EXCL);
        err < 0) {
        fail("adding the " + routeText(family), err);
    }
    m_routes.push_back(family);

    // Suppress first (the lower number wins): the user's more specific routes keep working.
    for (const Rule rule :
         {Rule{family, lowestPriority - 2, true}, Rule{family, lowestPriority - 1, false}}) {
        const int err = sendRule(m_sock.get(), RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, rule.family,
                                 rule.priority, rule.suppressMain, m_table);
        if (err < 0) {
            fail("adding the " + ruleText(rule), err);
        }
        m_rules.push_back(rule);
    }
}

void PolicyRouting::removeAll() noexcept
{
    // Rules first: traffic falls back to the main table before its route in T goes.
    for (auto it = m_rules.rbegin(); it != m_rules.rend(); ++it) {
        sendRule(m_sock.get(), RTM_DELRULE, 0, it->family, it->priority, it->suppressMain, m_table);
    }
    m_rules.clear();
    for (const int family : m_routes) {
        try {
            const auto route = buildDefaultRoute(family, m_config.ifindex, m_table);
            rtnl_route_delete(m_sock.get(), route.get(), 0);
        } catch (const TunnelError&) { // out of memory: the device's end takes the route along
        }
    }
    m_routes.clear();
}

std::vector<std::string> PolicyRouting::restore()
{
    std::vector<std::string> restored;
    // Exclusive adds: "exists" means it is in place; only real repairs are reported.
    for (const int family : m_routes) {
        try {
            const auto route = buildDefaultRoute(family, m_config.ifindex, m_table);
            const int err = rtnl_route_add(m_sock.get(), route.get(), NLM_F_CREATE | NLM_F_EXCL);
            if (err == 0) {
                restored.push_back(routeText(family));
            } else if (err != -NLE_EXIST) {
                restored.push_back("failed: " + routeText(family) + ": " + nlReason(err));
            }
        } catch (const TunnelError& e) {
            restored.push_back(std::string("failed: ") + e.what());
        }
    }
    for (const Rule& rule : m_rules) {
        const int err = sendRule(m_sock.get(), RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, rule.family,
                                 rule.priority, rule.suppressMain, m_table);
        if (err == 0) {
            restored.push_back(ruleText(rule));
        } else if (err != -NLE_EXIST) {
            restored.push_back("failed: " + ruleText(rule) + ": " + nlReason(err));
        }
    }
    return restored;
}

std::vector<std::string> PolicyRouting::describe() const
{
    std::vector<std::string> lines;
    for (const int family : m_routes) {
        lines.push_back(routeText(family));
    }
    for (const Rule& rule : m_rules) {
        lines.push_back(ruleText(rule));
    }
    return lines;
}

std::string PolicyRouting::ruleText(const Rule& rule) const
{
    return familyName(rule.family) + " rule " + std::to_string(rule.priority) + ": " +
           (rule.suppressMain
                ? std::string("lookup main suppress_prefixlength 0")
                : "not fwmark " + hex(m_table) + " lookup " + std::to_string(m_table));
}

std::string PolicyRouting::routeText(int family) const
{
    return std::string("route ") + (family == AF_INET6 ? "::/0" : "0.0.0.0/0") + " dev " +
           m_config.ifName + " table " + std::to_string(m_table);
}

// --- LoopGuard ------------------------------------------------------------------------------

LoopGuard::LoopGuard(int ifindex, std::string ifName, std::vector<int> families, uint32_t mark)
    : m_ifindex(ifindex), m_ifName(std::move(ifName)), m_mark(mark)
{
    m_sock = openRouteSocket();
    const auto fail = [&](const std::string& what, int err) {
        throw TunnelError(err == -NLE_PERM ? TunnelError::Kind::PermissionDenied
                                           : TunnelError::Kind::Failed,
                          "cannot keep the tunnel's own packets out of " + m_ifName + ": " + what +
                              " failed: " + nlReason(err));
    };
    try {
        const std::lock_guard lock(choosingMutex());
        const InUse used = listInUse(m_sock.get());
        if (const int err = setGroup(); err < 0) {
            fail("putting " + m_ifName + " into interface group " + std::to_string(m_mark), err);
        }
        for (const int family : families) {
            const uint32_t lowest = family == AF_INET6 ? used.lowestV6 : used.lowestV4;
            if (lowest < 3) {
                throw TunnelError(TunnelError::Kind::Failed,
                                  "cannot keep the tunnel's own packets out of " + m_ifName +
                                      ": no free rule priority below " + std::to_string(lowest));
            }
            for (const Rule rule :
                 {Rule{family, lowest - 2, false}, Rule{family, lowest - 1, true}}) {
                if (const int err = sendRule(RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, rule);
                    err < 0) {
                    fail("adding the " + ruleText(rule), err);
                }
                m_rules.push_back(rule);
            }
        }
    } catch (...) {
        removeAll();
        throw;
    }
}

LoopGuard::~LoopGuard()
{
    removeAll();
}

int LoopGuard::sendRule(int type, int flags, const Rule& rule) const
{
    NlPtr<nl_msg> msg(nlmsg_alloc_simple(type, flags));
    if (!msg) {
        return -NLE_NOMEM;
    }
    fib_rule_hdr hdr{};
    hdr.family = static_cast<uint8_t>(rule.family);
    hdr.action = rule.unreachable ? FR_ACT_UNREACHABLE : FR_ACT_TO_TBL;
    hdr.table = rule.unreachable ? RT_TABLE_UNSPEC : RT_TABLE_MAIN;
    if (nlmsg_append(msg.get(), &hdr, sizeof hdr, NLMSG_ALIGNTO) < 0 ||
        nla_put_u32(msg.get(), FRA_PRIORITY, rule.priority) < 0 ||
        nla_put_u32(msg.get(), FRA_FWMARK, m_mark) < 0 ||
        nla_put_u32(msg.get(), FRA_FWMASK, 0xffffffffu) < 0 ||
        nla_put_u8(msg.get(), FRA_PROTOCOL, kProtocol) < 0) {
        return -NLE_NOMEM;
    }
    if (!rule.unreachable && (nla_put_u32(msg.get(), FRA_TABLE, RT_TABLE_MAIN) < 0 ||
                              nla_put_u32(msg.get(), FRA_SUPPRESS_IFGROUP, m_mark) < 0)) {
        return -NLE_NOMEM;
    }
    return nl_send_sync(m_sock.get(), msg.release());
}

int LoopGuard::setGroup() const
{
    NlPtr<nl_msg> msg(nlmsg_alloc_simple(RTM_NEWLINK, 0));
    if (!msg) {
        return -NLE_NOMEM;
    }
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = m_ifindex;
    if (nlmsg_append(msg.get(), &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0 ||
        nla_put_u32(msg.get(), IFLA_GROUP, m_mark) < 0) {
        return -NLE_NOMEM;
    }
    return nl_send_sync(m_sock.get(), msg.release());
}

void LoopGuard::removeAll() noexcept
{
    for (auto it = m_rules.rbegin(); it != m_rules.rend(); ++it) {
        sendRule(RTM_DELRULE, 0, *it);
    }
    m_rules.clear();
}

std::vector<std::string> LoopGuard::restore()
{
    std::vector<std::string> restored;
    for (const Rule& rule : m_rules) {
        const int err = sendRule(RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, rule);
        if (err == 0) {
            restored.push_back(ruleText(rule));
        } else if (err != -NLE_EXIST) {
            restored.push_back("failed: " + ruleText(rule) + ": " + nlReason(err));
        }
    }
    return restored;
}

std::vector<std::string> LoopGuard::describe() const
{
    std::vector<std::string> lines{m_ifName + " in interface group " + std::to_string(m_mark) +
                                   ", UDP socket mark " + hex(m_mark)};
    for (const Rule& rule : m_rules) {
        lines.push_back(ruleText(rule));
    }
    return lines;
}

std::string LoopGuard::ruleText(const Rule& rule) const
{
    return familyName(rule.family) + " rule " + std::to_string(rule.priority) + ": fwmark " +
           hex(m_mark) +
           (rule.unreachable ? std::string(" unreachable")
                             : " lookup main suppress_ifgroup " + std::to_string(m_mark));
}

std::vector<std::string> PolicyRouting::strictReversePathFilters(const std::string& excludeIf)
{
    const std::string base = "/proc/sys/net/ipv4/conf/";
    const auto read = [&](const std::string& name) {
        std::ifstream in(base + name + "/rp_filter");
        int value = 0;
        in >> value;
        return in ? value : 0;
    };
    const int all = read("all");
    std::vector<std::string> strict;
    DIR* dir = ::opendir(base.c_str());
    if (!dir) {
        return strict;
    }
    while (const dirent* entry = ::readdir(dir)) {
        const std::string name = entry->d_name;
        if (name == "." || name == ".." || name == "all" || name == "default" || name == "lo" ||
            name == excludeIf) {
            continue;
        }
        if (std::max(all, read(name)) == 1) {
            strict.push_back(name);
        }
    }
    ::closedir(dir);
    std::sort(strict.begin(), strict.end());
    return strict;
}

} // namespace peertun::engine
