#include "UnderlayChange.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cstring>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

namespace peertun::engine {
namespace {

// Attributes of a message after its fixed header of `fixed` bytes; nullptr if absent.
const rtattr* findAttr(const nlmsghdr* msg, size_t fixed, unsigned short type)
{
    if (msg->nlmsg_len < NLMSG_LENGTH(fixed)) {
        return nullptr;
    }
    int len = int(msg->nlmsg_len - NLMSG_LENGTH(fixed));
    auto* attr = reinterpret_cast<const rtattr*>(reinterpret_cast<const char*>(NLMSG_DATA(msg)) +
                                                 NLMSG_ALIGN(fixed));
    for (; RTA_OK(attr, len); attr = RTA_NEXT(attr, len)) {
        if ((attr->rta_type & NLA_TYPE_MASK) == type) {
            return attr;
        }
    }
    return nullptr;
}

std::string addressText(int family, const rtattr* attr)
{
    if (!attr) {
        return {};
    }
    const size_t want = family == AF_INET ? 4 : 16;
    if (RTA_PAYLOAD(attr) < want || (family != AF_INET && family != AF_INET6)) {
        return {};
    }
    char text[INET6_ADDRSTRLEN] = {};
    return ::inet_ntop(family, RTA_DATA(attr), text, sizeof text) ? std::string(text)
                                                                  : std::string();
}

uint32_t u32Attr(const rtattr* attr, uint32_t fallback)
{
    if (!attr || RTA_PAYLOAD(attr) < sizeof(uint32_t)) {
        return fallback;
    }
    uint32_t v = 0;
    std::memcpy(&v, RTA_DATA(attr), sizeof v);
    return v;
}

constexpr unsigned kUpRunning = IFF_UP | IFF_RUNNING;

// IPv6 link-local: every link has them, and they come and go with it; no peer is reached
// through one.
bool linkLocal(const std::string& address)
{
    return address.rfind("fe80:", 0) == 0;
}

} // namespace

UnderlayParser::UnderlayParser(UnderlayFilter filter, NameOf nameOf)
    : m_filter(filter), m_nameOf(std::move(nameOf))
{}

std::string UnderlayParser::name(int ifindex) const
{
    if (const auto it = m_links.find(ifindex); it != m_links.end() && !it->second.name.empty()) {
        return it->second.name;
    }
    if (m_nameOf) {
        if (std::string n = m_nameOf(ifindex); !n.empty()) {
            return n;
        }
    }
    return "#" + std::to_string(ifindex);
}

void UnderlayParser::seedLink(int ifindex, unsigned flags, std::string name)
{
    m_links[ifindex] = Link{flags, std::move(name)};
}

void UnderlayParser::seedAddress(int ifindex, std::string address)
{
    m_addresses.emplace(ifindex, std::move(address));
}

std::optional<std::string> UnderlayParser::parse(const nlmsghdr* msg)
{
    switch (msg->nlmsg_type) {
    case RTM_NEWLINK:
    case RTM_DELLINK: {
        if (msg->nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg))) {
            return std::nullopt;
        }
        const auto* ifi = static_cast<const ifinfomsg*>(NLMSG_DATA(msg));
        if (ifi->ifi_index == m_filter.ownIfindex) {
            return std::nullopt;
        }
        std::string ifName;
        if (const rtattr* n = findAttr(msg, sizeof(ifinfomsg), IFLA_IFNAME)) {
            ifName.assign(static_cast<const char*>(RTA_DATA(n)),
                          strnlen(static_cast<const char*>(RTA_DATA(n)), RTA_PAYLOAD(n)));
        }
        if (msg->nlmsg_type == RTM_DELLINK) {
            const std::string shown = ifName.empty() ? name(ifi->ifi_index) : ifName;
            m_links.erase(ifi->ifi_index);
            std::erase_if(m_addresses,
                          [ifindex = ifi->ifi_index](const auto& a) { return a.first == ifindex; });
            return "link " + shown + " gone";
        }
        const auto it = m_links.find(ifi->ifi_index);
        const bool known = it != m_links.end();
        const unsigned before = known ? it->second.flags : 0;
        Link& link = m_links[ifi->ifi_index];
        link.flags = ifi->ifi_flags;
        if (!ifName.empty()) {
            link.name = ifName;
        }
        const std::string shown = name(ifi->ifi_index);
        const bool upNow = (ifi->ifi_flags & kUpRunning) == kUpRunning;
        const bool upBefore = (before & kUpRunning) == kUpRunning;
        if (!known) {
            return "link " + shown + " added" + (upNow ? " (up)" : "");
        }
        if (upNow == upBefore) {
            return std::nullopt; // a statistic, an MTU, promiscuity: not the path of packets
        }
        return "link " + shown + (upNow ? " up" : " down");
    }
    case RTM_NEWADDR:
    case RTM_DELADDR: {
        if (msg->nlmsg_len < NLMSG_LENGTH(sizeof(ifaddrmsg))) {
            return std::nullopt;
        }
        const auto* ifa = static_cast<const ifaddrmsg*>(NLMSG_DATA(msg));
        const int ifindex = int(ifa->ifa_index);
        if (ifindex == m_filter.ownIfindex) {
            return std::nullopt;
        }
        // IFA_LOCAL is the interface's own address (IFA_ADDRESS is the far end on a
        // point-to-point link); IPv6 sends only IFA_ADDRESS.
        const rtattr* a = findAttr(msg, sizeof(ifaddrmsg), IFA_LOCAL);
        if (!a) {
            a = findAttr(msg, sizeof(ifaddrmsg), IFA_ADDRESS);
        }
        const std::string text = addressText(ifa->ifa_family, a);
        if (text.empty() || linkLocal(text)) {
            return std::nullopt;
        }
        if (msg->nlmsg_type == RTM_DELADDR) {
            m_addresses.erase({ifindex, text});
            return "address " + text + " on " + name(ifindex) + " gone";
        }
        if (!m_addresses.emplace(ifindex, text).second) {
            return std::nullopt; // known: a lifetime or flag update
        }
        return "address " + text + " on " + name(ifindex) + " added";
    }
    case RTM_NEWROUTE:
    case RTM_DELROUTE: {
        if (msg->nlmsg_len < NLMSG_LENGTH(sizeof(rtmsg))) {
            return std::nullopt;
        }
        const auto* rt = static_cast<const rtmsg*>(NLMSG_DATA(msg));
        const uint32_t table = u32Attr(findAttr(msg, sizeof(rtmsg), RTA_TABLE), rt->rtm_table);
        // The local table follows the addresses (reported as such); cloned routes are cache
        // entries; broadcast, local, multicast routes carry no traffic to a peer.
        if (table == RT_TABLE_LOCAL || (m_filter.ownTable != 0 && table == m_filter.ownTable) ||
            (rt->rtm_flags & RTM_F_CLONED) || rt->rtm_type != RTN_UNICAST) {
            return std::nullopt;
        }
        const rtattr* oifAttr = findAttr(msg, sizeof(rtmsg), RTA_OIF);
        const int oif = int(u32Attr(oifAttr, 0));
        if (oifAttr && oif == m_filter.ownIfindex) {
            return std::nullopt;
        }
        std::string text;
        if (rt->rtm_dst_len == 0) {
            text = "default route";
        } else {
            const std::string dst =
                addressText(rt->rtm_family, findAttr(msg, sizeof(rtmsg), RTA_DST));
            if (dst.empty() || linkLocal(dst)) {
                return std::nullopt;
            }
            text = "route " + dst + "/" + std::to_string(rt->rtm_dst_len);
        }
        if (const std::string via =
                addressText(rt->rtm_family, findAttr(msg, sizeof(rtmsg), RTA_GATEWAY));
            !via.empty()) {
            text += " via " + via;
        }
        if (oifAttr) {
            text += " dev " + name(oif);
        }
        if (table != RT_TABLE_MAIN) {
            text += " table " + std::to_string(table);
        }
        if (msg->nlmsg_type == RTM_DELROUTE) {
            return text + " gone";
        }
        return text + ((msg->nlmsg_flags & NLM_F_REPLACE) ? " replaced" : " added");
    }
    default:
        return std::nullopt;
    }
}

void Debouncer::note(Clock::time_point now, std::string what)
{
    if (m_count == 0) {
        m_first = now;
    }
    m_last = now;
    // A repeat within a burst (an IPv6 address announced again after DAD) says nothing new.
    if (std::find(m_listed.begin(), m_listed.end(), what) != m_listed.end()) {
        return;
    }
    ++m_count;
    if (m_listed.size() < kMaxKept) {
        m_listed.push_back(std::move(what));
    }
}

std::optional<Debouncer::Clock::time_point> Debouncer::deadline() const
{
    if (m_count == 0) {
        return std::nullopt;
    }
    return std::min(m_last + m_quiet, m_first + m_maxDelay);
}

std::optional<std::string> Debouncer::take(Clock::time_point now)
{
    const auto due = deadline();
    if (!due || now < *due) {
        return std::nullopt;
    }
    // What says where the traffic goes now comes first: default routes, addresses, links,
    // other routes; IPv6 link-local ones (which come and go with every link) last.
    const auto rank = [](const std::string& what) {
        if (what.find(" fe80:") != std::string::npos) {
            return 4;
        }
        for (const auto& [prefix, r] :
             {std::pair{"default route", 0}, std::pair{"address ", 1}, std::pair{"link ", 2}}) {
            if (what.rfind(prefix, 0) == 0) {
                return r;
            }
        }
        return 3;
    };
    std::stable_sort(
        m_listed.begin(), m_listed.end(),
        [&rank](const std::string& x, const std::string& y) { return rank(x) < rank(y); });
    std::string text;
    const size_t shown = std::min(m_listed.size(), kMaxListed);
    for (size_t i = 0; i < shown; ++i) {
        text += (text.empty() ? "" : "; ") + m_listed[i];
    }
    if (m_count > shown) {
        text += " and " + std::to_string(m_count - shown) + " more";
    }
    m_count = 0;
    m_listed.clear();
    return text;
}

} // namespace peertun::engine
