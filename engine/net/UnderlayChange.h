// What the underlay watcher makes of rtnetlink messages, without sockets or threads (so unit
// tests can feed it hand-built messages): which changes count (not the tunnel's own device,
// table or the kernel's local routes), their one-line description ("default route via
// 10.1.0.1 dev eth1 replaced", "address 10.0.0.2 on veth0 gone"), and the debounce that turns
// a burst of them into one network change.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

struct nlmsghdr; // at global scope: the kernel's type

namespace peertun::engine {

// What belongs to the tunnel itself and is not the underlay.
struct UnderlayFilter
{
    int ownIfindex = 0;    // the tunnel's device
    uint32_t ownTable = 0; // a full tunnel's routing table (0 = none)
};

class UnderlayParser
{
public:
    // Names an interface index ("veth0"); may return "" for one that is gone.
    using NameOf = std::function<std::string(int ifindex)>;

    explicit UnderlayParser(UnderlayFilter filter, NameOf nameOf = {});

    // The description of one message, or nothing when it is no underlay change (the tunnel's
    // own, the local table, IPv6 link-local addresses and routes, a link message that changed
    // neither up nor running, an address announced again, another message type). Keeps the links'
    // last flags and names, so "link eth1 down" can be told from a link message that only changed a
    // statistic.
    std::optional<std::string> parse(const nlmsghdr* msg);
    // A link or address that exists already (from a dump at start): later messages are
    // compared with these.
    void seedLink(int ifindex, unsigned flags, std::string name);
    void seedAddress(int ifindex, std::string address); // as parse() spells it ("10.0.0.2")

private:
    std::string name(int ifindex) const;

    UnderlayFilter m_filter;
    NameOf m_nameOf;
    struct Link
    {
        unsigned flags = 0;
        std::string name;
    };
    std::map<int, Link> m_links;
    // Addresses known per link: an RTM_NEWADDR for one of them is a lifetime or flag update
    // (IPv6 router advertisements, the end of DAD), not a change of the path.
    std::set<std::pair<int, std::string>> m_addresses;
};

// A burst of changes becomes one: due once `quiet` passed without another, or `maxDelay`
// after the first (so a link that never stops flapping still gets handled).
class Debouncer
{
public:
    using Clock = std::chrono::steady_clock;
    static constexpr auto kQuiet = std::chrono::milliseconds(300);
    static constexpr auto kMaxDelay = std::chrono::milliseconds(2000);
    static constexpr size_t kMaxListed = 4; // descriptions in the summary; the rest counted
    static constexpr size_t kMaxKept = 64;  // descriptions kept of one burst (bounded memory)

    explicit Debouncer(Clock::duration quiet = kQuiet, Clock::duration maxDelay = kMaxDelay)
        : m_quiet(quiet), m_maxDelay(maxDelay)
    {}

    void note(Clock::time_point now, std::string what);
    bool pending() const { return m_count > 0; }
    // When the pending burst is due; nothing when none is pending.
    std::optional<Clock::time_point> deadline() const;
    // The burst's summary once due ("a; b; c and 2 more"), and the debouncer is empty again;
    // nothing while not due.
    std::optional<std::string> take(Clock::time_point now);

private:
    Clock::duration m_quiet, m_maxDelay;
    Clock::time_point m_first{}, m_last{};
    size_t m_count = 0;
    std::vector<std::string> m_listed;
};

} // namespace peertun::engine
