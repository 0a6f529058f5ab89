// Full tunnel the way wg-quick does it, through libnl-3. A peer's default route (0.0.0.0/0,
// ::/0) does not go into the main table, where it would also swallow the tunnel's own UDP
// packets; it goes into a routing table T of its own, reached by two policy rules per family:
//
//   P-2: from all lookup main suppress_prefixlength 0   more specific main routes still win
//   P-1: not from all fwmark M lookup T                 everything else goes through the tunnel
//
// and the tunnel's UDP socket carries mark M (SO_MARK), so its packets skip table T and leave
// through the main table's default route: no routing loop. M = T, chosen free (see below); P is
// the lowest priority above 0 in use (32766, the main rule, on a default system), the place the
// kernel gives a rule added without one, as `ip rule add` in wg-quick gets.
#pragma once

#include "Fd.h"
#include "NetlinkSocket.h"

#include <cstdint>
#include <string>
#include <vector>

namespace peertun::engine {

// The firewall mark a tunnel's own sockets carry (SO_MARK), so that its UDP leaves through the
// underlay past a full tunnel's rules and past the kill switch. The number is also the full
// tunnel's routing table (M = T): the first from kFirstTable on that no routing table (of
// either family), no rule (as table or mark) and no other tunnel of this process uses, so two
// tunnels never share one. Held for the tunnel's lifetime; released on destruction.
//
// Other processes choose marks the same way (two --standalone helpers started at once), and
// see a mark as taken only once its rules exist: from allocate() until settled() (called once
// the loop guard's rules are in) a mark holds a lock of the network namespace, the name of an
// abstract Unix socket (per namespace, gone with the process that held it).
class TunnelMark
{
public:
    // wg-quick's first choice.
    static constexpr uint32_t kFirstTable = 51820;
    static constexpr uint32_t kTablesTried = 4096;
    // The abstract Unix socket name of the namespace's lock (without the leading 0 byte).
    static constexpr char kLockName[] = "peertun-tunnel-marks";

    // Throws TunnelError (Busy when every number is taken).
    static TunnelMark allocate(const std::string& ifName);
    TunnelMark(TunnelMark&& other) noexcept
        : m_value(other.m_value), m_choosing(std::move(other.m_choosing))
    {
        other.m_value = 0;
    }
    TunnelMark& operator=(TunnelMark&&) = delete;
    TunnelMark(const TunnelMark&) = delete;
    ~TunnelMark();

    uint32_t value() const { return m_value; }
    // The mark's rules exist: other processes can see it, and may choose theirs.
    void settled() { m_choosing = Fd(); }

private:
    TunnelMark(uint32_t value, Fd choosing) : m_value(value), m_choosing(std::move(choosing)) {}
    uint32_t m_value = 0;
    Fd m_choosing; // the namespace's lock while this mark is not yet visible to others
};

struct FullTunnelConfig
{
    int ifindex = 0;
    std::string ifName;
    std::vector<int> families; // AF_INET and/or AF_INET6: the default routes to take over
    uint32_t mark = 0;         // the tunnel's mark (already on its socket), also the table
};

class PolicyRouting
{
public:
    // Adds per family the default route via the device in table T = the config's mark and the
    // two rules. Throws TunnelError with a sentence naming the step; whatever was added by
    // then is removed first.
    explicit PolicyRouting(FullTunnelConfig config);
    // Removes exactly the rules and routes it added (best effort, quiet if already gone).
    ~PolicyRouting();
    PolicyRouting(const PolicyRouting&) = delete;
    PolicyRouting& operator=(const PolicyRouting&) = delete;

    uint32_t table() const { return m_table; }
    uint32_t mark() const { return m_table; }

    // Puts back any of our rules and routes that is missing; one description per repair, e.g.
    // "IPv4 rule 32765: not fwmark 0xca6c lookup 51820"; failures start with "failed: ".
    std::vector<std::string> restore();
    // What is in place, one line per rule and route (for the log).
    std::vector<std::string> describe() const;

    // Interfaces whose effective IPv4 reverse-path filter is strict (rp_filter 1: the larger of
    // conf/all and conf/DEV), except `excludeIf` and lo. Strict filtering drops the peer's
    // replies that arrive for a full tunnel's marked socket (see docs/wireguard.md).
    static std::vector<std::string> strictReversePathFilters(const std::string& excludeIf);

private:
    struct Rule
    {
        int family = 0;
        uint32_t priority = 0;
        bool suppressMain = false; // true: lookup main suppress_prefixlength 0
    };

    void addFamily(int family, uint32_t lowestPriority);
    void removeAll() noexcept;
    std::string ruleText(const Rule& rule) const;
    std::string routeText(int family) const;

    NlSocket m_sock;
    FullTunnelConfig m_config;
    uint32_t m_table = 0;
    std::vector<int> m_routes; // families whose default route we added in m_table
    std::vector<Rule> m_rules; // in the order added
};

// Keeps the tunnel's own UDP datagrams out of the tunnel in every mode, whatever routes are
// added later: the socket carries mark M (a full tunnel's, or one chosen the same way), the
// device joins interface group M, and per family
//
//   fwmark M lookup main suppress_ifgroup M    the main table, unless via the tunnel
//   fwmark M unreachable                       then refused, never into the tunnel
//
// where Q is the lowest rule priority in use (below a full tunnel's own rules). A route that
// would send a datagram to a peer's endpoint through the tunnel then makes the send fail
// (counted as a send error) instead of starting a loop, as kernel WireGuard refuses such a
// route. The tunnel's datagrams are routed by the main table only.
class LoopGuard
{
public:
    // `mark`: the tunnel's (TunnelMark), already on its UDP socket.
    LoopGuard(int ifindex, std::string ifName, std::vector<int> families, uint32_t mark);
    ~LoopGuard();
    LoopGuard(const LoopGuard&) = delete;
    LoopGuard& operator=(const LoopGuard&) = delete;

    uint32_t mark() const { return m_mark; }
    // As PolicyRouting::restore(): puts back missing rules and the device's group.
    std::vector<std::string> restore();
    std::vector<std::string> describe() const;

private:
    struct Rule
    {
        int family = 0;
        uint32_t priority = 0;
        bool unreachable = false; // false: lookup main suppress_ifgroup M
    };
    int sendRule(int type, int flags, const Rule& rule) const;
    int setGroup() const;
    std::string ruleText(const Rule& rule) const;
    void removeAll() noexcept;

    NlSocket m_sock;
    int m_ifindex = 0;
    std::string m_ifName;
    uint32_t m_mark = 0;
    std::vector<Rule> m_rules;
};

} // namespace peertun::engine
