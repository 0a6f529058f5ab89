#include "EndpointRefresher.h"

#include "Clock.h"
#include "DnsResolver.h"
#include "Encapsulation.h"
#include "ResolvConf.h"
#include "TunnelError.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <ifaddrs.h>
#include <net/if.h>
#include <optional>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace peertun::engine {
namespace {

std::string seconds(std::chrono::steady_clock::duration d)
{
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(d).count()) + " s";
}

void drain(int fd)
{
    uint64_t v = 0;
    [[maybe_unused]] const ssize_t r = ::read(fd, &v, sizeof v);
}

} // namespace

struct EndpointRefresher::State
{
    HostPeer peer;
    bool resolvedOnce = false;
    UdpEndpoint resolved;
    std::string lastError;
    Clock::time_point nextAttempt{};     // while unresolved: when to try again
    Clock::duration retry = kFirstRetry; // while unresolved: the next backoff
    Clock::time_point lastResolve{};     // last attempt, successful or not
    Clock::duration suspectBackoff = kSuspectBackoff;
    // What the counters said at the last tick.
    uint64_t tx = 0, rx = 0, handshakes = 0, initiations = 0, unreachable = 0;
    Clock::time_point lastSignOfLife{};               // rx grew or a handshake completed
    std::optional<Clock::time_point> unansweredSince; // first tx or initiation after that
    bool initiationUnanswered = false;
    uint64_t unreachableSinceLife = 0; // ICMP errors since the last sign of life or lookup
};

EndpointRefresher::EndpointRefresher(Setup setup)
    : m_setup(std::move(setup)), m_stop(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      m_wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)), m_status(m_setup.peerCount)
{
    if (!m_stop.valid() || !m_wake.valid()) {
        throw TunnelError(TunnelError::Kind::Failed,
                          std::string("cannot create an eventfd: ") + std::strerror(errno));
    }
    for (const HostPeer& p : m_setup.peers) {
        State& s = m_states.emplace_back();
        s.peer = p;
        m_watched.push_back(p.index);
        if (p.index < m_status.size()) {
            m_status[p.index].host = p.host;
            m_status[p.index].resolving = true;
        }
    }
}

EndpointRefresher::~EndpointRefresher()
{
    stop();
}

void EndpointRefresher::start()
{
    m_thread = std::thread([this] { run(); });
}

void EndpointRefresher::stop()
{
    if (m_thread.joinable()) {
        const uint64_t one = 1;
        [[maybe_unused]] const ssize_t w = ::write(m_stop.get(), &one, sizeof one);
        m_thread.join();
    }
}

void EndpointRefresher::reresolveNow()
{
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t w = ::write(m_wake.get(), &one, sizeof one);
}

std::vector<PeerEndpointStatus> EndpointRefresher::status() const
{
    const std::lock_guard lock(m_statusMutex);
    return m_status;
}

int EndpointRefresher::queryFamily() const
{
    if (m_setup.socketFamily == AF_INET) {
        return AF_INET;
    }
    return m_setup.dualStack ? AF_UNSPEC : AF_INET6;
}

int EndpointRefresher::linkTowards(const IpAddress& to, uint32_t mark)
{
    // A connected UDP socket makes the kernel choose the route (with the mark, as the
    // tunnel's packets get it) without sending anything; its local address names the link.
    Fd fd(::socket(to.family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd.valid()) {
        return 0;
    }
    if (mark != 0) {
        const unsigned int m = mark;
        ::setsockopt(fd.get(), SOL_SOCKET, SO_MARK, &m, sizeof m);
    }
    sockaddr_storage ss{};
    const socklen_t len = toSockaddr(UdpEndpoint{to, 53}, to.family, &ss);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) {
        return 0;
    }
    sockaddr_storage local{};
    socklen_t localLen = sizeof local;
    if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&local), &localLen) != 0) {
        return 0;
    }
    const IpAddress source = fromSockaddr(reinterpret_cast<sockaddr*>(&local)).address;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) {
        return 0;
    }
    int ifindex = 0;
    for (const ifaddrs* i = list; i && ifindex == 0; i = i->ifa_next) {
        if (i->ifa_addr &&
            (i->ifa_addr->sa_family == AF_INET || i->ifa_addr->sa_family == AF_INET6) &&
            fromSockaddr(i->ifa_addr).address == source) {
            ifindex = int(::if_nametoindex(i->ifa_name));
        }
    }
    ::freeifaddrs(list);
    return ifindex;
}

std::vector<IpAddress> EndpointRefresher::chooseServers(const State& s, uint32_t mark)
{
    // The link that carries the route to the endpoint (the last address known), or, before
    // the first answer, the default route's link: its DNS servers reach the endpoint's zone
    // the way the tunnel's packets reach the endpoint.
    std::vector<IpAddress> probes;
    if (s.resolvedOnce) {
        probes.push_back(s.resolved.address);
    } else {
        const uint8_t v4[4] = {192, 0, 2, 1}; // TEST-NET-1
        const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}; // doc
        if (queryFamily() != AF_INET6) {
            probes.push_back(IpAddress::v4(v4));
        }
        if (queryFamily() != AF_INET) {
            probes.push_back(IpAddress::v6(v6));
        }
    }
    if (m_setup.servers) {
        for (const IpAddress& probe : probes) {
            const int ifindex = linkTowards(probe, mark);
            std::vector<IpAddress> servers = m_setup.servers->serversFor(ifindex);
            if (!servers.empty()) {
                return servers;
            }
        }
    }
    return readResolvConf(m_setup.resolvConfPath.empty() ? kResolvConfPath
                                                         : m_setup.resolvConfPath);
}

void EndpointRefresher::resolve(State& s, const char* why)
{
    const uint32_t mark = m_setup.mark ? m_setup.mark() : 0;
    DnsQuery q;
    q.name = s.peer.host;
    q.family = queryFamily();
    q.servers = chooseServers(s, mark);
    q.mark = mark;
    q.timeout = m_setup.queryTimeout;
    q.cancelFd = m_stop.get();
    DnsAnswer answer = resolveHost(q);
    const auto now = Clock::now();
    s.lastResolve = now;
    s.unreachableSinceLife = 0;
    const std::string who = "peer " + s.peer.name + ": " + s.peer.host;
    if (answer.error == "cancelled") {
        return;
    }
    if (!answer.addresses.empty()) {
        const UdpEndpoint ep{answer.addresses.front(), s.peer.port};
        const bool changed = !s.resolvedOnce || ep != s.resolved;
        if (changed && m_setup.log) {
            m_setup.log->add(LogLevel::Info, m_setup.tunnelName,
                             who + (s.resolvedOnce ? " now " : " is ") + ep.toString() +
                                 (s.resolvedOnce ? std::string(" (") + why + ")" : std::string()));
        }
        s.resolvedOnce = true;
        s.resolved = ep;
        s.lastError.clear();
        s.retry = kFirstRetry;
        // Also when unchanged: a WireGuard peer that roamed elsewhere and went quiet is
        // pointed back at what its name says (as reresolve-dns does).
        if (m_setup.encapsulation->peerEndpoint(s.peer.index) != ep) {
            m_setup.encapsulation->setPeerEndpoint(s.peer.index, ep);
        }
        const std::lock_guard lock(m_statusMutex);
        PeerEndpointStatus& st = m_status[s.peer.index];
        st.address = ep;
        st.resolvedAtUnixMs = unixMs();
        st.resolving = false;
        st.error.clear();
        return;
    }
    const bool newError = answer.error != s.lastError;
    s.lastError = answer.error;
    s.nextAttempt = now + s.retry;
    if (m_setup.log && newError) {
        m_setup.log->add(LogLevel::Warning, m_setup.tunnelName,
                         who + " does not resolve: " + answer.error + "; trying again in " +
                             seconds(s.retry) + ", then with backoff up to " + seconds(kMaxRetry));
    }
    s.retry = std::min<Clock::duration>(s.retry * 2, kMaxRetry);
    const std::lock_guard lock(m_statusMutex);
    PeerEndpointStatus& st = m_status[s.peer.index];
    st.resolving = !s.resolvedOnce;
    st.error = answer.error;
}

void EndpointRefresher::run()
{
    const auto start = Clock::now();
    for (State& s : m_states) {
        s.lastSignOfLife = start;
        s.nextAttempt = start;
    }
    pollfd fds[2] = {{m_stop.get(), POLLIN, 0}, {m_wake.get(), POLLIN, 0}};
    bool wake = false;
    for (;;) {
        const auto now = Clock::now();
        const TunnelStats stats = m_setup.counters->snapshot(m_watched);
        for (size_t at = 0; at < m_states.size(); ++at) {
            State& s = m_states[at];
            if (::poll(fds, 1, 0) > 0) {
                return;
            }
            const char* why = nullptr;
            const PeerStats& p = stats.peers[at];
            // Signs of life and of a peer gone quiet, from the counters since the last tick.
            const bool rxGrew = p.rxPackets != s.rx || p.handshakesDone != s.handshakes;
            const bool txGrew = p.txPackets != s.tx;
            const bool initiated = p.initiationsSent != s.initiations;
            const uint64_t newUnreachable = p.unreachable - s.unreachable;
            s.tx = p.txPackets;
            s.rx = p.rxPackets;
            s.handshakes = p.handshakesDone;
            s.initiations = p.initiationsSent;
            s.unreachable = p.unreachable;
            if (rxGrew) {
                s.lastSignOfLife = now;
                s.unansweredSince.reset();
                s.initiationUnanswered = false;
                s.unreachableSinceLife = 0;
                s.suspectBackoff = kSuspectBackoff;
            } else {
                s.unreachableSinceLife += newUnreachable;
            }
            if (!rxGrew && (txGrew || initiated)) {
                if (!s.unansweredSince) {
                    s.unansweredSince = now;
                }
                s.initiationUnanswered = s.initiationUnanswered || initiated;
            }

            if (wake) {
                why = "network change";
            } else if (!s.resolvedOnce || !s.lastError.empty()) {
                if (now >= s.nextAttempt) {
                    why = "retry";
                }
            } else if (now - s.lastResolve >= s.suspectBackoff) {
                const auto quiet = s.unansweredSince ? now - *s.unansweredSince : Clock::duration{};
                if (s.unreachableSinceLife >= kUnreachableBurst) {
                    why = "ICMP unreachable";
                } else if (m_setup.wireguard && s.initiationUnanswered &&
                           quiet >= kSuspectBackoff) {
                    why = "handshake unanswered";
                } else if (s.unansweredSince && quiet >= kUnansweredTraffic) {
                    why = "no reply to traffic";
                }
                if (why) {
                    s.suspectBackoff =
                        std::min<Clock::duration>(s.suspectBackoff * 2, kMaxSuspectBackoff);
                }
            }
            if (!why && m_setup.wireguard && s.resolvedOnce &&
                now - std::max(s.lastSignOfLife, s.lastResolve) >= kNoHandshake) {
                why = "no handshake for 135 s";
            }
            if (why) {
                resolve(s, why);
            }
        }
        wake = false;
        // One tick a second: the counters' view of a quiet peer needs no finer grain.
        auto next = Clock::now() + std::chrono::seconds(1);
        for (const State& s : m_states) {
            if (!s.resolvedOnce || !s.lastError.empty()) {
                next = std::min(next, s.nextAttempt);
            }
        }
        const auto wait =
            std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now());
        const int timeout = int(std::clamp<int64_t>(wait.count(), 0, 1000));
        if (::poll(fds, 2, timeout) > 0) {
            if (fds[0].revents) {
                return;
            }
            if (fds[1].revents) {
                drain(m_wake.get());
                wake = true;
            }
        }
    }
}

} // namespace peertun::engine
