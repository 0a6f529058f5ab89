#include "DnsResolver.h"

#include <ares.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <poll.h>
#include <sys/socket.h>

namespace peertun::engine {
namespace {

constexpr int kTryTimeoutMs = 1500;
constexpr int kTries = 2;

struct Channel
{
    ares_channel channel = nullptr;
    Channel() = default;
    Channel(const Channel&) = delete;
    Channel& operator=(const Channel&) = delete;
    ~Channel()
    {
        if (channel) {
            ares_destroy(channel);
        }
    }
};

// The sockets c-ares wants watched (ARES_OPT_SOCK_STATE_CB keeps this current).
struct Watch
{
    std::vector<pollfd> fds;
};

void sockState(void* data, ares_socket_t fd, int readable, int writable)
{
    auto& fds = static_cast<Watch*>(data)->fds;
    const auto it = std::find_if(fds.begin(), fds.end(), [fd](const pollfd& p) { return p.fd == fd; });
    const short events = short((readable ? POLLIN : 0) | (writable ? POLLOUT : 0));
    if (events == 0) {
        if (it != fds.end()) {
            fds.erase(it);
        }
    } else if (it == fds.end()) {
        fds.push_back({fd, events, 0});
    } else {
        it->events = events;
    }
}

struct MarkContext
{
    uint32_t mark = 0;
    int error = 0; // errno of a failed SO_MARK
};

// Before connect(): the kernel picks the route with the mark, as for the tunnel's socket.
int markSocket(ares_socket_t fd, int, void* data)
{
    auto* ctx = static_cast<MarkContext*>(data);
    if (ctx->mark == 0) {
        return 0;
    }
    const unsigned int mark = ctx->mark;
    if (::setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) != 0) {
        ctx->error = errno;
        return -1; // c-ares gives up on this socket
    }
    return 0;
}

struct Result
{
    bool done = false;
    int status = ARES_SUCCESS;
    std::vector<IpAddress> addresses;
};

void onAddrinfo(void* arg, int status, int, ares_addrinfo* info)
{
    auto* r = static_cast<Result*>(arg);
    r->done = true;
    r->status = status;
    if (info) {
        for (const ares_addrinfo_node* n = info->nodes; n; n = n->ai_next) {
            IpAddress a;
            if (n->ai_family == AF_INET) {
                a = IpAddress::v4(reinterpret_cast<const uint8_t*>(
                    &reinterpret_cast<const sockaddr_in*>(n->ai_addr)->sin_addr));
            } else if (n->ai_family == AF_INET6) {
                a = IpAddress::v6(reinterpret_cast<const sockaddr_in6*>(n->ai_addr)->sin6_addr.s6_addr);
            } else {
                continue;
            }
            if (std::find(r->addresses.begin(), r->addresses.end(), a) == r->addresses.end()) {
                r->addresses.push_back(a);
            }
        }
        ares_freeaddrinfo(info);
    }
}

std::string describe(int status, const DnsQuery& q, const MarkContext& mark)
{
    if (mark.error != 0) {
        return std::string("cannot mark the DNS socket: ") + std::strerror(mark.error);
    }
    std::string servers;
    for (const IpAddress& s : q.servers) {
        servers += (servers.empty() ? "" : ", ") + s.toString();
    }
    switch (status) {
    case ARES_ENOTFOUND:
        return "no such host (asked " + servers + ")";
    case ARES_ENODATA:
        return "the name has no address records (asked " + servers + ")";
    case ARES_ETIMEOUT:
        return "no answer from the DNS server " + servers;
    case ARES_ECONNREFUSED:
        return "the DNS server " + servers + " cannot be reached";
    case ARES_ESERVFAIL:
        return "the DNS server " + servers + " failed to answer (SERVFAIL)";
    case ARES_EREFUSED:
        return "the DNS server " + servers + " refused the query";
    case ARES_ECANCELLED:
        return "cancelled";
    default:
        break;
    }
    return std::string(ares_strerror(status)) + " (asked " + servers + ")";
}

// One query on a fresh channel: ares_set_servers refuses to change servers under pending
// queries, and a resolution every few seconds at most costs nothing to set up.
Result query(const DnsQuery& q, int family, MarkContext& mark, std::chrono::steady_clock::time_point deadline)
{
    Result result;
    Watch watch;
    ares_options opts{};
    int mask = 0;
    opts.timeout = kTryTimeoutMs;
    mask |= ARES_OPT_TIMEOUTMS;
    opts.tries = kTries;
    mask |= ARES_OPT_TRIES;
    opts.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES;
    mask |= ARES_OPT_FLAGS;
    opts.ndomains = 0;
    opts.domains = nullptr;
    mask |= ARES_OPT_DOMAINS;
    char lookups[] = "fb"; // /etc/hosts first, as getaddrinfo does for `wg`, then DNS
    opts.lookups = lookups;
    mask |= ARES_OPT_LOOKUPS;
    opts.sock_state_cb = sockState;
    opts.sock_state_cb_data = &watch;
    mask |= ARES_OPT_SOCK_STATE_CB;
    Channel ch;
    if (const int rc = ares_init_options(&ch.channel, &opts, mask); rc != ARES_SUCCESS) {
        result.done = true;
        result.status = rc;
        return result;
    }
    ares_set_socket_configure_callback(ch.channel, markSocket, &mark);
    std::vector<ares_addr_port_node> nodes(q.servers.size());
    for (size_t i = 0; i < q.servers.size(); ++i) {
        ares_addr_port_node& n = nodes[i];
        n.next = i + 1 < nodes.size() ? &nodes[i + 1] : nullptr;
        n.family = q.servers[i].family;
        if (n.family == AF_INET) {
            std::memcpy(&n.addr.addr4, q.servers[i].bytes.data(), 4);
        } else {
            std::memcpy(&n.addr.addr6, q.servers[i].bytes.data(), 16);
        }
        n.udp_port = 53;
        n.tcp_port = 53;
    }
    if (const int rc = ares_set_servers_ports(ch.channel, nodes.empty() ? nullptr : nodes.data());
        rc != ARES_SUCCESS) {
        result.done = true;
        result.status = rc;
        return result;
    }
    ares_addrinfo_hints hints{};
    hints.ai_family = family;
    hints.ai_socktype = SOCK_DGRAM;
    ares_getaddrinfo(ch.channel, q.name.c_str(), nullptr, &hints, onAddrinfo, &result);
    while (!result.done) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) {
            ares_cancel(ch.channel);
            if (!result.done) {
                result.done = true;
            }
            result.status = ARES_ETIMEOUT;
            break;
        }
        timeval tv{};
        timeval maxTv{};
        const auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - now);
        maxTv.tv_sec = time_t(left.count() / 1000000);
        maxTv.tv_usec = suseconds_t(left.count() % 1000000);
        const timeval* next = ares_timeout(ch.channel, &maxTv, &tv);
        const int timeoutMs = int(next->tv_sec * 1000 + next->tv_usec / 1000) + 1;
        std::vector<pollfd> fds = watch.fds;
        const size_t watched = fds.size(); // ares_process_fd may change watch.fds
        if (q.cancelFd >= 0) {
            fds.push_back({q.cancelFd, POLLIN, 0});
        }
        const int n = ::poll(fds.data(), nfds_t(fds.size()), timeoutMs);
        if (n < 0 && errno != EINTR) {
            ares_cancel(ch.channel);
            break;
        }
        if (q.cancelFd >= 0 && (fds.back().revents & POLLIN)) {
            ares_cancel(ch.channel);
            result.status = ARES_ECANCELLED;
            result.done = true;
            break;
        }
        bool any = false;
        for (size_t i = 0; i < watched; ++i) {
            const pollfd& p = fds[i];
            if (p.revents == 0) {
                continue;
            }
            any = true;
            ares_process_fd(ch.channel,
                            (p.revents & (POLLIN | POLLERR | POLLHUP)) ? p.fd : ARES_SOCKET_BAD,
                            (p.revents & POLLOUT) ? p.fd : ARES_SOCKET_BAD);
        }
        if (!any) {
            ares_process_fd(ch.channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD); // timeouts, retries
        }
    }
    return result;
}

} // namespace

DnsAnswer resolveHost(const DnsQuery& q)
{
    static std::once_flag once;
    std::call_once(once, [] { ares_library_init(ARES_LIB_INIT_ALL); });

    DnsAnswer answer;
    if (q.servers.empty()) {
        answer.error = "no DNS server is known";
        return answer;
    }
    const auto deadline = std::chrono::steady_clock::now() + q.timeout;
    MarkContext mark{q.mark, 0};
    Result r = query(q, q.family, mark, deadline);
    if (r.status == ARES_SUCCESS && !r.addresses.empty()) {
        answer.addresses = std::move(r.addresses);
        return answer;
    }
    const int status = r.status == ARES_SUCCESS ? ARES_ENODATA : r.status;
    // Nothing of the socket's family: say so if the other family has addresses.
    if (q.family != AF_UNSPEC && (status == ARES_ENODATA || status == ARES_ENOTFOUND)) {
        const int other = q.family == AF_INET ? AF_INET6 : AF_INET;
        MarkContext mark2{q.mark, 0};
        const Result o = query(q, other, mark2, deadline);
        if (o.status == ARES_SUCCESS && !o.addresses.empty()) {
            answer.onlyFamily = other;
            answer.error = std::string("the name has only ") +
                           (other == AF_INET6 ? "IPv6" : "IPv4") + " addresses (" +
                           o.addresses.front().toString() + "), but the tunnel's UDP socket is " +
                           (q.family == AF_INET ? "IPv4" : "IPv6");
            return answer;
        }
    }
    answer.error = describe(status, q, mark);
    return answer;
}

} // namespace peertun::engine
