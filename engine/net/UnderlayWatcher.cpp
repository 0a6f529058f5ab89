#include "UnderlayWatcher.h"

#include "Netlink.h"

#include <algorithm>
#include <arpa/inet.h>
#include <net/if.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>
#include <poll.h>

namespace peertun::engine {
namespace {

// A flushed table is a burst of hundreds of messages: room for them before we read.
constexpr int kBufferBytes = 1 << 20;

std::string interfaceName(int ifindex)
{
    char name[IF_NAMESIZE] = {};
    return ::if_indextoname(unsigned(ifindex), name) ? std::string(name) : std::string();
}

} // namespace

UnderlayWatcher::UnderlayWatcher(UnderlayFilter filter, OnChange onChange)
    : m_parser(filter, interfaceName), m_onChange(std::move(onChange))
{
    m_sock = allocNetlinkSocket();
    nl_sock* sock = m_sock.get();
    nl_socket_disable_seq_check(sock); // events are unsolicited
    nl_socket_modify_cb(sock, NL_CB_VALID, NL_CB_CUSTOM, &UnderlayWatcher::onMessage, this);
    int err = nl_connect(sock, NETLINK_ROUTE);
    if (err >= 0) {
        err =
            nl_socket_add_memberships(sock, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR,
                                      RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE, 0);
    }
    if (err >= 0) {
        err = nl_socket_set_nonblocking(sock);
    }
    if (err >= 0) {
        err = nl_socket_set_buffer_size(sock, kBufferBytes, 0);
    }
    if (err < 0) {
        throwNetlinkSocketError("underlay event", err);
    }
    // The links and addresses as they are now: a later message can say "down" rather than
    // "added", and an address announced again is no news.
    NlSocket dump = openRouteSocket();
    nl_cache* raw = nullptr;
    if (rtnl_link_alloc_cache(dump.get(), AF_UNSPEC, &raw) >= 0) {
        NlPtr<nl_cache> cache(raw);
        for (nl_object* o = nl_cache_get_first(cache.get()); o; o = nl_cache_get_next(o)) {
            auto* link = reinterpret_cast<rtnl_link*>(o);
            const char* n = rtnl_link_get_name(link);
            m_parser.seedLink(rtnl_link_get_ifindex(link), rtnl_link_get_flags(link), n ? n : "");
        }
    }
    raw = nullptr;
    if (rtnl_addr_alloc_cache(dump.get(), &raw) >= 0) {
        NlPtr<nl_cache> cache(raw);
        for (nl_object* o = nl_cache_get_first(cache.get()); o; o = nl_cache_get_next(o)) {
            auto* addr = reinterpret_cast<rtnl_addr*>(o);
            nl_addr* local = rtnl_addr_get_local(addr);
            const int family = rtnl_addr_get_family(addr);
            char text[INET6_ADDRSTRLEN] = {};
            if (local && (family == AF_INET || family == AF_INET6) &&
                nl_addr_get_len(local) == (family == AF_INET ? 4u : 16u) &&
                ::inet_ntop(family, nl_addr_get_binary_addr(local), text, sizeof text)) {
                m_parser.seedAddress(rtnl_addr_get_ifindex(addr), text);
            }
        }
    }
}

UnderlayWatcher::~UnderlayWatcher()
{
    stop();
}

void UnderlayWatcher::start()
{
    m_thread.start([this] { run(); });
}

void UnderlayWatcher::stop()
{
    m_thread.stop();
}

void UnderlayWatcher::run()
{
    const StopSignal& stop = m_thread.stopSignal();
    const int fd = nl_socket_get_fd(m_sock.get());
    for (;;) {
        int timeout = -1;
        if (const auto due = m_debouncer.deadline()) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                *due - Debouncer::Clock::now());
            timeout = int(std::max<int64_t>(left.count(), 0)) + 1;
        }
        const int events = stop.wait(fd, timeout);
        if (events == StopSignal::kStopped) {
            return;
        }
        if (events > 0) {
            drain();
            const auto now = Debouncer::Clock::now();
            for (std::string& what : m_batch) {
                m_debouncer.note(now, std::move(what));
            }
            m_batch.clear();
        }
        if (auto what = m_debouncer.take(Debouncer::Clock::now())) {
            m_onChange(*what);
        }
    }
}

void UnderlayWatcher::drain()
{
    // poll() first so this never blocks, whatever libnl makes of EAGAIN.
    for (;;) {
        pollfd pfd{nl_socket_get_fd(m_sock.get()), POLLIN, 0};
        if (::poll(&pfd, 1, 0) <= 0 || !(pfd.revents & (POLLIN | POLLERR))) {
            return;
        }
        const int err = nl_recvmsgs_default(m_sock.get());
        if (err == -NLE_AGAIN) {
            return;
        }
        if (err == -NLE_NOMEM || err == -NLE_MSG_OVERFLOW) {
            m_batch.emplace_back("netlink events lost (the kernel's buffer overflowed)");
            continue;
        }
        if (err < 0) {
            m_batch.emplace_back("netlink error: " + nlReason(err));
            return;
        }
    }
}

int UnderlayWatcher::onMessage(nl_msg* msg, void* self)
{
    auto* watcher = static_cast<UnderlayWatcher*>(self);
    if (auto what = watcher->m_parser.parse(nlmsg_hdr(msg))) {
        watcher->m_batch.push_back(std::move(*what));
    }
    return NL_OK;
}

} // namespace peertun::engine
