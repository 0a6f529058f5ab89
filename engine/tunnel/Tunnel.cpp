#include "Tunnel.h"

#include "Encapsulation.h"
#include "ForwardingLoop.h"
#include "PeerTable.h"
#include "PlainEncapsulation.h"
#include "PolicyRouting.h"
#include "RouteTable.h"
#include "TunDevice.h"
#include "TunnelError.h"
#include "UdpSocket.h"
#include "WireGuardEncapsulation.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <poll.h>
#include <stdexcept>
#include <sys/eventfd.h>
#include <thread>

namespace peertun::engine {
namespace {

int minimumMtu(const IpPrefix& address)
{
    return address.address.family == AF_INET6 ? 1280 : 576;
}

std::string peerCountText(size_t n)
{
    return std::to_string(n) + (n == 1 ? " peer" : " peers");
}

} // namespace

struct Tunnel::Impl
{
    Impl(TunnelSpec s, EventLog& l) : spec(std::move(s)), log(l) {}

    void chooseMtu();
    void guardRoutes();

    TunnelSpec spec;
    EventLog& log;
    int mtu = 0;
    PeerTable peers;
    std::unique_ptr<TunnelCounters> counters;
    std::unique_ptr<Encapsulation> encapsulation;
    WireGuardEncapsulation* wireguard = nullptr; // the encapsulation, in WireGuard mode
    std::optional<UdpSocket> udp;
    std::optional<TunDevice> tun;
    RouteTable routes;
    LinkConfig link;
    bool configured = false;
    std::optional<PolicyRouting> policy; // a full tunnel's rules and table; before tun goes
    std::unique_ptr<ForwardingLoop> loop;
    std::unique_ptr<NetlinkWatcher> watcher;
    Fd guardStop;
    std::thread guard;
    bool stopped = false;
};

void Tunnel::Impl::chooseMtu()
{
    if (spec.mtu > 0) {
        mtu = spec.mtu;
    } else {
        // The underlay MTU of the route to the first peer, minus what plain mode adds: a full
        // inner packet then fits in one underlay packet (an MTU of 1500 would fragment each one).
        // WireGuard peers may have no endpoint yet (they connect to us): take the first known.
        UdpEndpoint first = spec.peers.front().endpoint;
        for (const PeerSpec& p : spec.peers) {
            if (!p.endpoint.address.isUnspecified()) {
                first = p.endpoint;
                break;
            }
        }
        // No endpoint at all: assume the larger IPv6 overhead, WireGuard's usual 1420.
        const bool v6 = first.address.family != AF_INET;
        const int overhead = spec.mode == TunnelMode::WireGuard
                                 ? (v6 ? kWireGuardOverheadV6 : kWireGuardOverheadV4)
                                 : (v6 ? kPlainOverheadV6 : kPlainOverheadV4);
        int underlay = first.address.isUnspecified() ? 1500 : UdpSocket::pathMtuTo(first);
        if (underlay <= 0) {
            underlay = 1500;
            log.add(LogLevel::Warning, spec.name,
                    "no route to peer " + first.toString() +
                        " yet; assuming an underlay MTU of 1500");
        }
        mtu = underlay - overhead;
    }
    if (mtu < minimumMtu(spec.address) || mtu > 65535) {
        throw TunnelError(TunnelError::Kind::InvalidConfig,
                          "MTU " + std::to_string(mtu) + " for " + spec.ifName +
                              " is out of range (" + std::to_string(minimumMtu(spec.address)) +
                              "-65535)");
    }
}

void Tunnel::Impl::guardRoutes()
{
    // Routes are kept: they do vanish (a link flap flushes them). Netlink events, not polling, wake
    // this thread; a short quiet period lets a burst of events settle before one restore.
    pollfd fds[2] = {{watcher->fd(), POLLIN, 0}, {guardStop.get(), POLLIN, 0}};
    for (;;) {
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            return;
        }
        if (fds[1].revents) {
            return;
        }
        if (!watcher->drain()) {
            continue;
        }
        while (::poll(fds, 1, 20) > 0) {
            watcher->drain();
        }
        std::vector<std::string> repairs = routes.restore(link);
        if (policy) {
            for (std::string& what : policy->restore()) { // after the link is up again
                repairs.push_back(std::move(what));
            }
        }
        for (const std::string& what : repairs) {
            const bool failed = what.rfind("failed: ", 0) == 0;
            log.add(failed ? LogLevel::Error : LogLevel::Info, spec.name,
                    failed ? what : "restored " + what);
        }
    }
}

Tunnel::Tunnel(TunnelSpec spec, EventLog& log) : d(std::make_unique<Impl>(std::move(spec), log))
{
    const TunnelSpec& s = d->spec;
    if (s.peers.empty()) {
        throw TunnelError(TunnelError::Kind::InvalidConfig, "the tunnel has no peers");
    }
    std::vector<std::vector<IpPrefix>> subnets;
    std::vector<UdpEndpoint> endpoints;
    std::vector<std::string> names;
    for (const PeerSpec& p : s.peers) {
        subnets.push_back(p.subnets);
        endpoints.push_back(p.endpoint);
        names.push_back(p.name);
    }
    d->peers.build(subnets, endpoints);
    d->counters = std::make_unique<TunnelCounters>(s.peers.size());
    if (s.mode == TunnelMode::WireGuard && !s.privateKey) {
        throw TunnelError(TunnelError::Kind::InvalidConfig,
                          "WireGuard mode needs the interface's private key");
    }

    // Order matters for the messages a person sees: the port first (most often busy), then
    // the device, then its configuration. Each step's object cleans up if a later one throws.
    d->udp.emplace(UdpSocket::bind(s.listen, endpoints));
    d->chooseMtu();
    if (s.mode == TunnelMode::WireGuard) {
        // Handshake replies, initiations and keepalives go out on the tunnel's socket from
        // whichever thread produced them; a full buffer drops them (the protocol retries).
        const int fd = d->udp->fd();
        const int family = d->udp->family();
        auto send = [fd, family](const UdpEndpoint& to, std::span<const uint8_t> datagram) {
            sockaddr_storage sa{};
            const socklen_t saLen = toSockaddr(to, family, &sa);
            [[maybe_unused]] const ssize_t n =
                ::sendto(fd, datagram.data(), datagram.size(), MSG_DONTWAIT,
                         reinterpret_cast<const sockaddr*>(&sa), saLen);
        };
        std::unique_ptr<WireGuardEncapsulation> wg;
        try {
            wg = std::make_unique<WireGuardEncapsulation>(*s.privateKey, s.peers, size_t(d->mtu),
                                                          std::move(send), *d->counters, &d->log,
                                                          s.name);
        } catch (const std::invalid_argument& e) { // e.g. an all-zero private key
            throw TunnelError(TunnelError::Kind::InvalidConfig,
                              std::string("the WireGuard keys cannot be used: ") + e.what());
        }
        d->wireguard = wg.get();
        d->encapsulation = std::move(wg);
    } else {
        d->encapsulation = std::make_unique<PlainEncapsulation>(d->peers);
    }
    d->tun.emplace(TunDevice::create(s.ifName, /*vnetHeader=*/true));
    if (!d->tun->enableOffloads()) {
        d->log.add(LogLevel::Warning, s.name,
                   "the kernel refused TUN offloads; forwarding packet by packet");
    }

    d->link.ifindex = d->tun->ifindex();
    d->link.ifName = s.ifName;
    d->link.mtu = d->mtu;
    d->link.address = s.address;
    // A default route in the main table would also take the tunnel's own UDP packets: those
    // go to PolicyRouting (a table of their own and two rules per family), the rest stays.
    std::vector<int> fullTunnelFamilies;
    for (const PeerSpec& p : s.peers) {
        for (const IpPrefix& prefix : p.subnets) {
            if (prefix.network() == s.address.network()) {
                // The tunnel's own network: the address's kernel route already goes there.
            } else if (prefix.length != 0) {
                d->link.routes.push_back(prefix.network());
            } else if (std::find(fullTunnelFamilies.begin(), fullTunnelFamilies.end(),
                                 prefix.address.family) == fullTunnelFamilies.end()) {
                fullTunnelFamilies.push_back(prefix.address.family);
            }
        }
    }
    d->routes.configure(d->link);
    d->configured = true;
    if (!fullTunnelFamilies.empty()) {
        UdpSocket& udp = *d->udp;
        d->policy.emplace(FullTunnelConfig{d->link.ifindex, s.ifName, fullTunnelFamilies},
                          [&udp](uint32_t mark) { udp.setMark(mark); });
        for (const std::string& line : d->policy->describe()) {
            d->log.add(LogLevel::Info, s.name, "full tunnel: " + line);
        }
        const bool ipv4 = std::find(fullTunnelFamilies.begin(), fullTunnelFamilies.end(),
                                    AF_INET) != fullTunnelFamilies.end();
        const std::vector<std::string> strict =
            ipv4 ? PolicyRouting::strictReversePathFilters(s.ifName) : std::vector<std::string>{};
        if (!strict.empty()) {
            std::string names;
            for (const std::string& n : strict) {
                names += (names.empty() ? "" : ", ") + n;
            }
            d->log.add(LogLevel::Warning, s.name,
                       "strict reverse-path filtering (rp_filter=1) on " + names +
                           " may drop the peer's replies to a full tunnel; set "
                           "net.ipv4.conf.all.rp_filter and those interfaces' to 2 (loose)");
        }
    }

    ForwardingSetup setup;
    setup.tunFd = d->tun->fd();
    setup.udpFd = d->udp->fd();
    setup.udpFamily = d->udp->family();
    setup.mtu = d->mtu;
    setup.tunnelName = s.name;
    setup.peerNames = names;
    setup.peerEndpoints = endpoints;
    setup.peers = &d->peers;
    setup.encapsulation = d->encapsulation.get();
    setup.counters = d->counters.get();
    setup.log = &d->log;
    d->loop = std::make_unique<ForwardingLoop>(std::move(setup));

    d->watcher =
        std::make_unique<NetlinkWatcher>(d->link.ifindex, d->policy ? d->policy->table() : 0);
    d->guardStop.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!d->guardStop.valid()) {
        throw TunnelError(TunnelError::Kind::Failed,
                          std::string("cannot create an eventfd: ") + std::strerror(errno));
    }
    d->loop->start();
    d->guard = std::thread([impl = d.get()] { impl->guardRoutes(); });
    if (d->wireguard) {
        d->wireguard->startTimers(); // last: nothing below throws, so no thread outlives a throw
    }
    // A route removed between configure() and the watcher's subscription is caught here.
    for (const std::string& what : d->routes.restore(d->link)) {
        d->log.add(LogLevel::Info, s.name, "restored " + what);
    }
    if (d->policy) {
        for (const std::string& what : d->policy->restore()) {
            d->log.add(LogLevel::Info, s.name, "restored " + what);
        }
    }
    d->log.add(LogLevel::Info, s.name,
               "tunnel up: " + s.ifName + " " + s.address.toString() + " mtu " +
                   std::to_string(d->mtu) + ", listening on " + d->udp->localEndpoint().toString() +
                   ", " + peerCountText(s.peers.size()) +
                   (s.mode == TunnelMode::WireGuard ? ", WireGuard" : ", plain (unencrypted)") +
                   (d->policy ? ", all traffic (table " + std::to_string(d->policy->table()) + ")"
                              : std::string()));
}

Tunnel::~Tunnel()
{
    stop();
}

void Tunnel::stop()
{
    if (d->stopped) {
        return;
    }
    d->stopped = true;
    if (d->guard.joinable()) {
        const uint64_t one = 1;
        [[maybe_unused]] const ssize_t w = ::write(d->guardStop.get(), &one, sizeof one);
        d->guard.join();
    }
    if (d->wireguard) {
        d->wireguard->stop(); // timers first: they send on the socket
    }
    if (d->loop) {
        d->loop->stop();
    }
    // Keys go when the tunnel goes: sessions are wiped by stop(), the device's copy of the
    // private key with the encapsulation, and the spec's reference here.
    d->wireguard = nullptr;
    d->encapsulation.reset();
    d->spec.privateKey.reset();
    for (PeerSpec& p : d->spec.peers) {
        p.presharedKey.reset();
    }
    d->policy.reset(); // exactly its rules and table route
    if (d->configured) {
        d->routes.deconfigure(d->link);
    }
    d->tun.reset(); // the device, its address and any route left go with the fd
    d->udp.reset();
    d->log.add(LogLevel::Info, d->spec.name, "tunnel down: " + d->spec.ifName);
}

const TunnelSpec& Tunnel::spec() const
{
    return d->spec;
}

int Tunnel::mtu() const
{
    return d->mtu;
}

int Tunnel::ifindex() const
{
    return d->link.ifindex;
}

TunnelStats Tunnel::stats() const
{
    return d->counters->snapshot();
}

} // namespace peertun::engine
