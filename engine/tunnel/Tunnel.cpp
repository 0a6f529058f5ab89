#include "Tunnel.h"

#include "Clock.h"
#include "Encapsulation.h"
#include "EndpointRefresher.h"
#include "ForwardingLoop.h"
#include "KillSwitch.h"
#include "LivePeers.h"
#include "PeerTable.h"
#include "PlainEncapsulation.h"
#include "PolicyRouting.h"
#include "RouteTable.h"
#include "TunDevice.h"
#include "TunnelError.h"
#include "UdpSocket.h"
#include "UnderlayWatcher.h"
#include "WireGuardEncapsulation.h"
#include "Worker.h"

#include <algorithm>
#include <atomic>
#include <ifaddrs.h>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <tuple>

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

// The kernel routes of a peer set: every subnet but the tunnel's own network (its address's
// route goes there) and default routes (PolicyRouting's).
std::vector<IpPrefix> routesOf(const std::vector<PeerSpec>& peers, const IpPrefix& address)
{
    std::vector<IpPrefix> out;
    for (const PeerSpec& p : peers) {
        for (const IpPrefix& prefix : p.subnets) {
            const IpPrefix net = prefix.network();
            if (prefix.length != 0 && net != address.network() &&
                std::find(out.begin(), out.end(), net) == out.end()) {
                out.push_back(net);
            }
        }
    }
    return out;
}

std::vector<int> fullTunnelFamiliesOf(const std::vector<PeerSpec>& peers)
{
    std::vector<int> out;
    for (const PeerSpec& p : peers) {
        for (const IpPrefix& prefix : p.subnets) {
            if (prefix.length == 0 &&
                std::find(out.begin(), out.end(), prefix.address.family) == out.end()) {
                out.push_back(prefix.address.family);
            }
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

// The peer table of `peers` held in `slots` (spec order), over `slotCount` slots.
std::unique_ptr<PeerRoutes> routesFor(const std::vector<PeerSpec>& peers,
                                      const std::vector<uint32_t>& slots, size_t slotCount)
{
    std::vector<std::vector<IpPrefix>> subnets(slotCount);
    std::vector<UdpEndpoint> endpoints(slotCount);
    std::vector<std::string> names(slotCount);
    for (size_t i = 0; i < peers.size(); ++i) {
        subnets[slots[i]] = peers[i].subnets;
        endpoints[slots[i]] = peers[i].knownEndpoint();
        names[slots[i]] = peers[i].name;
    }
    return PeerRoutes::build(subnets, std::move(endpoints), std::move(names), slots);
}

std::vector<HostPeer> hostPeersOf(const std::vector<PeerSpec>& peers,
                                  const std::vector<uint32_t>& slots)
{
    std::vector<HostPeer> out;
    for (size_t i = 0; i < peers.size(); ++i) {
        if (!peers[i].endpointHost.empty()) {
            out.push_back({slots[i], peers[i].name, peers[i].endpointHost, peers[i].endpoint.port});
        }
    }
    return out;
}

// Whether `address` is on some interface of this host.
bool addressPresent(const IpAddress& address)
{
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) {
        return true; // cannot tell: say nothing rather than a false alarm
    }
    bool found = false;
    for (const ifaddrs* i = list; i && !found; i = i->ifa_next) {
        found = i->ifa_addr &&
                (i->ifa_addr->sa_family == AF_INET || i->ifa_addr->sa_family == AF_INET6) &&
                fromSockaddr(i->ifa_addr).address == address;
    }
    ::freeifaddrs(list);
    return found;
}

} // namespace

struct Tunnel::Impl
{
    Impl(TunnelSpec s, EventLog& l) : spec(std::move(s)), log(l) {}

    void chooseMtu();
    void guardRoutes();
    std::unique_ptr<EndpointRefresher> makeRefresher(std::vector<HostPeer> hostPeers);
    // Puts back what someone removed; under repairMutex (the route guard and the underlay
    // watcher both call it).
    void repair();
    void onUnderlayChange(const std::string& what);
    void checkListenAddress();
    // The one place the tunnel's mark is read: its UDP socket and its resolver sockets carry
    // it (set in full-tunnel mode today; 0 = unmarked).
    uint32_t firewallMark() const { return policy ? policy->mark() : 0; }

    TunnelSpec spec;
    EventLog& log;
    int mtu = 0;
    std::unique_ptr<LivePeers> peers;
    std::vector<uint32_t> slots;     // spec.peers[i] holds slot slots[i] (PeerSlots.h)
    std::vector<uint32_t> freeSlots; // given up by removed peers, no thread uses them
    uint32_t slotCount = 0;          // slots handed out so far (the tables' size)
    std::unique_ptr<TunnelCounters> counters;
    std::unique_ptr<Encapsulation> encapsulation;
    WireGuardEncapsulation* wireguard = nullptr; // the encapsulation, in WireGuard mode
    PlainEncapsulation* plain = nullptr;         // or in plain mode
    std::optional<UdpSocket> udp;
    std::optional<TunDevice> tun;
    std::mutex linkMutex; // routes and link: the guard thread restores, setPeers() changes
    RouteTable routes;
    LinkConfig link;
    bool configured = false;
    std::vector<int> fullTunnelFamilies;  // families with a default route through the tunnel
    std::optional<TunnelMark> mark;       // on the UDP socket; the table of `policy`
    std::optional<KillSwitch> killSwitch; // goes last on stop, after the device
    std::optional<PolicyRouting> policy;  // a full tunnel's rules and table; before tun goes
    std::optional<LoopGuard> loopGuard;   // every tunnel: its own datagrams stay out of it
    std::unique_ptr<ForwardingLoop> loop;
    std::unique_ptr<NetlinkWatcher> watcher;
    std::unique_ptr<EndpointRefresher> refresher; // host-name peers only
    // The underlay watcher's thread pokes the refresher; setPeers() replaces it.
    std::mutex refresherMutex;
    std::mutex repairMutex;
    std::atomic<int64_t> networkChangedUnixMs{0};
    bool listenAddressGone = false;            // under repairMutex
    std::unique_ptr<UnderlayWatcher> underlay; // after what its callback uses: goes first
    WorkerThread guard;
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
        UdpEndpoint first = spec.peers.empty() ? UdpEndpoint{} : spec.peers.front().endpoint;
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
    const StopSignal& stop = guard.stopSignal();
    for (;;) {
        if (stop.wait(watcher->fd()) == StopSignal::kStopped) {
            return;
        }
        if (!watcher->drain()) {
            continue;
        }
        int events = 0;
        while ((events = stop.wait(watcher->fd(), 20)) > 0) {
            watcher->drain();
        }
        if (events == StopSignal::kStopped) {
            return;
        }
        repair();
    }
}

void Tunnel::Impl::repair()
{
    const std::lock_guard lock(linkMutex); // setPeers() changes routes under it too
    std::vector<std::string> repairs = routes.restore(link);
    if (policy) {
        for (std::string& what : policy->restore()) { // after the link is up again
            repairs.push_back(std::move(what));
        }
    }
    for (std::string& what : loopGuard->restore()) {
        repairs.push_back(std::move(what));
    }
    for (const std::string& what : repairs) {
        const bool failed = what.rfind("failed: ", 0) == 0;
        log.add(failed ? LogLevel::Error : LogLevel::Info, spec.name,
                failed ? what : "restored " + what);
    }
}

void Tunnel::Impl::checkListenAddress()
{
    // A socket bound to an address keeps its binding while the address is gone (sends fail
    // with EADDRNOTAVAIL/EINVAL, nothing arrives) and works again as soon as the address is
    // back, on whichever link: so it is reported, and kept.
    if (spec.listen.address.isUnspecified()) {
        return; // bound to any address: every change is followed by the kernel's routing
    }
    const bool present = addressPresent(spec.listen.address);
    const std::lock_guard lock(repairMutex);
    if (!present && !listenAddressGone) {
        log.add(LogLevel::Warning, spec.name,
                "listen address " + spec.listen.address.toString() +
                    " is gone from this host: nothing is sent or received until it is back");
    } else if (present && listenAddressGone) {
        log.add(LogLevel::Info, spec.name,
                "listen address " + spec.listen.address.toString() + " is back; listening on " +
                    spec.listen.toString() + " again");
    }
    listenAddressGone = !present;
}

void Tunnel::Impl::onUnderlayChange(const std::string& what)
{
    networkChangedUnixMs.store(unixMs(), std::memory_order_relaxed);
    log.add(LogLevel::Info, spec.name, "network changed: " + what);
    if (loop) {
        loop->forgetSources(); // an address the peers' datagrams came to may be gone
    }
    if (wireguard) {
        wireguard->initiateHandshakes(); // the timers would wait for REKEY_TIMEOUT and more
    }
    {
        const std::lock_guard lock(refresherMutex); // setPeers() replaces it
        if (refresher) {
            refresher->reresolveNow(); // on its own thread: a slow DNS server blocks nothing here
        }
    }
    checkListenAddress();
    repair();
}

std::unique_ptr<EndpointRefresher> Tunnel::Impl::makeRefresher(std::vector<HostPeer> hostPeers)
{
    if (hostPeers.empty()) {
        return nullptr;
    }
    EndpointRefresher::Setup r;
    r.tunnelName = spec.name;
    r.peers = std::move(hostPeers);
    r.peerCount = slotCount;
    r.socketFamily = udp->family();
    r.dualStack = udp->dualStack();
    r.wireguard = spec.mode == TunnelMode::WireGuard;
    r.mark = [impl = this] { return impl->firewallMark(); };
    r.servers = spec.dnsServers;
    r.resolvConfPath = spec.resolvConfPath;
    r.encapsulation = encapsulation.get();
    r.counters = counters.get();
    r.log = &log;
    return std::make_unique<EndpointRefresher>(std::move(r));
}

Tunnel::Tunnel(TunnelSpec spec, EventLog& log) : d(std::make_unique<Impl>(std::move(spec), log))
{
    const TunnelSpec& s = d->spec;
    if (s.peers.size() > kMaxPeers) {
        throw TunnelError(TunnelError::Kind::InvalidConfig,
                          "a tunnel can have at most " + std::to_string(kMaxPeers) + " peers");
    }
    // A tunnel may start without peers (a mesh host alone in its network); setPeers() adds them.
    std::vector<UdpEndpoint> endpoints;
    for (const PeerSpec& p : s.peers) {
        endpoints.push_back(p.knownEndpoint());
        d->slots.push_back(uint32_t(d->slots.size()));
    }
    d->slotCount = uint32_t(s.peers.size());
    std::vector<HostPeer> hostPeers = hostPeersOf(s.peers, d->slots);
    d->peers = std::make_unique<LivePeers>(routesFor(s.peers, d->slots, d->slotCount));
    d->counters = std::make_unique<TunnelCounters>(s.peers.size());
    if (s.mode == TunnelMode::WireGuard && !s.privateKey) {
        throw TunnelError(TunnelError::Kind::InvalidConfig,
                          "WireGuard mode needs the interface's private key");
    }

    // Order matters for the messages a person sees: the port first (most often busy), then
    // the device, then its configuration. Each step's object cleans up if a later one throws.
    d->udp.emplace(UdpSocket::bind(s.listen, endpoints, !hostPeers.empty()));
    d->chooseMtu();
    // A default route in the main table would also take the tunnel's own UDP packets: those
    // go to PolicyRouting (a table of their own and two rules per family), the rest stays.
    d->fullTunnelFamilies = fullTunnelFamiliesOf(s.peers);
    // The one place a tunnel gets its mark: whatever needs the tunnel's own packets told apart
    // from the rest (policy routing, the kill switch) uses this one. First on the socket: from
    // the first rule on, unmarked tunnel packets would loop or be dropped.
    {
        // Every tunnel is marked: the loop guard keeps marked datagrams out of the tunnel.
        d->mark.emplace(TunnelMark::allocate(s.ifName));
        d->udp->setMark(d->mark->value());
    }
    // Before the device exists: no moment in which traffic could leave outside it.
    if (s.killSwitch) {
        d->killSwitch.emplace(KillSwitchConfig{s.ifName, d->mark->value(), s.allowLan, s.name});
        std::string lan;
        for (const std::string& subnet : d->killSwitch->lanSubnets()) {
            lan += (lan.empty() ? "" : ", ") + subnet.substr(subnet.find(' ') + 1);
        }
        d->log.add(LogLevel::Info, s.name,
                   "kill switch on: traffic outside " + s.ifName +
                       " is blocked (nftables table "
                       "inet peertun, chains out-" +
                       s.ifName + " and fwd-" + s.ifName + ")" +
                       (s.allowLan ? "; LAN allowed: " + lan : std::string()));
    }
    if (s.mode == TunnelMode::WireGuard) {
        // Handshake replies, initiations and keepalives go out on the tunnel's socket from
        // whichever thread produced them; a full buffer drops them (the protocol retries).
        // On a wildcard address they leave from the address the peer's datagrams come to, as
        // the forwarded ones do: the peer keeps the endpoint it was given instead of roaming.
        auto send = [impl = d.get()](const UdpEndpoint& to, std::span<const uint8_t> datagram,
                                     uint32_t peer, const UdpSource* from) {
            const UdpSocket& udp = *impl->udp;
            sockaddr_storage sa{};
            const socklen_t saLen = toSockaddr(to, udp.family(), &sa);
            UdpSource learned;
            if (!from && udp.wildcard() && impl->loop &&
                impl->loop->learnedSource(peer, to, &learned)) {
                from = &learned;
            }
            [[maybe_unused]] const int err =
                udp.sendOne(reinterpret_cast<const sockaddr*>(&sa), saLen, datagram.data(),
                            datagram.size(), udp.wildcard() ? from : nullptr, MSG_DONTWAIT);
        };
        std::unique_ptr<WireGuardEncapsulation> wg;
        try {
            wg = std::make_unique<WireGuardEncapsulation>(*s.privateKey, s.peers, size_t(d->mtu),
                                                          std::move(send), *d->counters, &d->log,
                                                          s.name, s.cryptoThreads);
        } catch (const std::invalid_argument& e) { // e.g. an all-zero private key
            throw TunnelError(TunnelError::Kind::InvalidConfig,
                              std::string("the WireGuard keys cannot be used: ") + e.what());
        }
        d->wireguard = wg.get();
        d->encapsulation = std::move(wg);
    } else {
        auto plain = std::make_unique<PlainEncapsulation>(endpoints);
        d->plain = plain.get();
        d->encapsulation = std::move(plain);
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
    d->link.routes = routesOf(s.peers, s.address);
    d->routes.configure(d->link);
    d->configured = true;
    const std::vector<int>& fullTunnelFamilies = d->fullTunnelFamilies;
    if (!fullTunnelFamilies.empty()) {
        d->policy.emplace(
            FullTunnelConfig{d->link.ifindex, s.ifName, fullTunnelFamilies, d->mark->value()});
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

    {
        // The socket's families: a dual-stack socket (listening on any address, IPv6 peers)
        // sends IPv4 too.
        std::vector<int> families{d->udp->family()};
        if (d->udp->family() == AF_INET6 && s.listen.address.family == AF_UNSPEC) {
            families.push_back(AF_INET);
        }
        d->loopGuard.emplace(d->link.ifindex, s.ifName, std::move(families), d->mark->value());
        d->mark->settled(); // its rules show other processes that the mark is taken
        for (const std::string& line : d->loopGuard->describe()) {
            d->log.add(LogLevel::Info, s.name, "loop guard: " + line);
        }
    }

    ForwardingSetup setup;
    setup.tun = &*d->tun;
    setup.udp = &*d->udp;
    setup.udpFamily = d->udp->family();
    setup.mtu = d->mtu;
    setup.tunnelName = s.name;
    setup.peers = d->peers.get();
    setup.encapsulation = d->encapsulation.get();
    setup.counters = d->counters.get();
    setup.log = &d->log;
    setup.threads = s.forwardThreads != 0
                        ? s.forwardThreads
                        : ForwardingLoop::defaultThreads(std::thread::hardware_concurrency(),
                                                         s.mode == TunnelMode::WireGuard);
    d->loop = std::make_unique<ForwardingLoop>(std::move(setup));

    // Rule events of the mark: a full tunnel's table and mark are the same number.
    d->watcher = std::make_unique<NetlinkWatcher>(d->link.ifindex, d->loopGuard->mark());
    d->refresher = d->makeRefresher(std::move(hostPeers));
    // The underlay: everything but the device and the full tunnel's table (whose routes go
    // through the device anyway).
    d->underlay = std::make_unique<UnderlayWatcher>(
        UnderlayFilter{d->link.ifindex, d->policy ? d->policy->table() : 0},
        [impl = d.get()](const std::string& what) { impl->onUnderlayChange(what); });
    d->loop->start();
    d->guard.start([impl = d.get()] { impl->guardRoutes(); });
    d->underlay->start();
    if (d->wireguard) {
        d->wireguard->startTimers(); // last: nothing below throws, so no thread outlives a throw
    }
    if (d->refresher) {
        d->refresher->start(); // names resolve while the tunnel is already up
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
    for (const std::string& what : d->loopGuard->restore()) {
        d->log.add(LogLevel::Info, s.name, "restored " + what);
    }
    d->log.add(LogLevel::Info, s.name,
               "tunnel up: " + s.ifName + " " + s.address.toString() + " mtu " +
                   std::to_string(d->mtu) + ", listening on " + d->udp->localEndpoint().toString() +
                   ", " + peerCountText(s.peers.size()) +
                   (s.mode == TunnelMode::WireGuard ? ", WireGuard" : ", plain (unencrypted)") +
                   (d->policy ? ", all traffic (table " + std::to_string(d->policy->table()) + ")"
                              : std::string()) +
                   (d->killSwitch ? ", kill switch on" : ""));
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
    if (d->underlay) {
        d->underlay->stop(); // first: it wakes the refresher and the encapsulation
    }
    if (d->refresher) {
        d->refresher->stop(); // it hands endpoints to the encapsulation
    }
    d->guard.stop();
    if (d->wireguard) {
        d->wireguard->stop(); // timers first: they send on the socket
    }
    if (d->loop) {
        d->loop->stop();
    }
    // Keys go when the tunnel goes: sessions are wiped by stop(), the device's copy of the
    // private key with the encapsulation, and the spec's reference here.
    d->wireguard = nullptr;
    d->plain = nullptr;
    d->encapsulation.reset();
    d->spec.privateKey.reset();
    for (PeerSpec& p : d->spec.peers) {
        p.presharedKey.reset();
    }
    d->loopGuard.reset(); // its rules (the device's group goes with the device)
    d->policy.reset();    // exactly its rules and table route
    if (d->configured) {
        d->routes.deconfigure(d->link);
    }
    d->tun.reset(); // the device, its address and any route left go with the fd
    d->udp.reset();
    if (d->killSwitch) {
        d->killSwitch.reset(); // last: nothing leaks while the rest goes
        d->log.add(LogLevel::Info, d->spec.name, "kill switch off");
    }
    d->mark.reset();
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

std::vector<LeftoverKillSwitch> listKillSwitches()
{
    std::vector<LeftoverKillSwitch> out;
    for (const KillSwitchChains& c : KillSwitch::list()) {
        out.push_back({c.ifName, c.owner, c.mark});
    }
    return out;
}

void removeKillSwitch(const LeftoverKillSwitch& chains)
{
    KillSwitch::remove({chains.ifName, chains.owner, chains.mark});
}

uint32_t Tunnel::mark() const
{
    return d->mark ? d->mark->value() : 0;
}

bool Tunnel::carriesDefaultRoute() const
{
    return !d->fullTunnelFamilies.empty();
}

bool Tunnel::killSwitchOn() const
{
    return d->killSwitch.has_value();
}

TunnelStats Tunnel::stats() const
{
    TunnelStats s = d->counters->snapshot(d->slots);
    s.networkChangedUnixMs = d->networkChangedUnixMs.load(std::memory_order_relaxed);
    return s;
}

std::vector<PeerEndpointStatus> Tunnel::endpoints() const
{
    const std::vector<PeerEndpointStatus> bySlot =
        d->refresher ? d->refresher->status() : std::vector<PeerEndpointStatus>();
    std::vector<PeerEndpointStatus> out(d->spec.peers.size());
    for (size_t i = 0; i < out.size(); ++i) {
        const uint32_t slot = d->slots[i];
        if (slot < bySlot.size()) {
            out[i] = bySlot[slot];
        }
        // What the sending thread uses: a WireGuard peer may have roamed since.
        const UdpEndpoint inUse =
            d->encapsulation ? d->encapsulation->peerEndpoint(slot) : UdpEndpoint{};
        out[i].address = inUse.port != 0 ? inUse : d->spec.peers[i].endpoint;
        if (!d->spec.peers[i].endpointHost.empty() && out[i].resolvedAtUnixMs == 0 &&
            inUse.port == 0) {
            out[i].address = {};
        }
    }
    return out;
}

UdpEndpoint Tunnel::listenEndpoint() const
{
    return d->udp ? d->udp->localEndpoint() : d->spec.listen;
}

uint32_t Tunnel::firewallMark() const
{
    return d->firewallMark();
}

void Tunnel::reresolveNow()
{
    if (d->refresher) {
        d->refresher->reresolveNow();
    }
}

void Tunnel::underlayChanged(const std::string& reason)
{
    if (!d->stopped) {
        d->onUnderlayChange(reason);
    }
}

} // namespace peertun::engine

namespace peertun::engine {
namespace {

[[noreturn]] void refuse(const std::string& why)
{
    throw TunnelError(TunnelError::Kind::InvalidConfig, why);
}

std::string keyIdentity(const keys::PublicKey& key)
{
    return std::string(reinterpret_cast<const char*>(key.data()), key.size());
}

bool samePresharedKey(const SharedSecretKey& a, const SharedSecretKey& b)
{
    if (!a || !b) {
        return !a && !b;
    }
    return std::equal(a->bytes().begin(), a->bytes().end(), b->bytes().begin());
}

bool samePeer(const PeerSpec& a, const PeerSpec& b)
{
    return a.name == b.name && a.endpoint == b.endpoint && a.endpointHost == b.endpointHost &&
           a.subnets == b.subnets && a.persistentKeepaliveSeconds == b.persistentKeepaliveSeconds &&
           samePresharedKey(a.presharedKey, b.presharedKey);
}

} // namespace

void Tunnel::setPeers(std::vector<PeerSpec> next)
{
    Impl& t = *d;
    if (t.stopped) {
        throw TunnelError(TunnelError::Kind::Failed, "the tunnel " + t.spec.name + " is down");
    }
    const bool wireguard = t.spec.mode == TunnelMode::WireGuard;

    // --- everything that can be wrong, before anything changes ---
    if (next.size() > kMaxPeers) {
        refuse("a tunnel can have at most " + std::to_string(kMaxPeers) + " peers");
    }
    {
        std::set<std::string> names;
        std::map<std::string, const PeerSpec*> keys;
        std::map<IpPrefix, const PeerSpec*, bool (*)(const IpPrefix&, const IpPrefix&)> subnets(
            [](const IpPrefix& a, const IpPrefix& b) {
                return std::tie(a.address.family, a.address.bytes, a.length) <
                       std::tie(b.address.family, b.address.bytes, b.length);
            });
        std::map<std::pair<std::string, uint16_t>, const PeerSpec*> endpoints;
        const int socketFamily = t.udp->family();
        for (const PeerSpec& p : next) {
            if (p.name.empty()) {
                refuse("a peer has no name");
            }
            if (!names.insert(p.name).second) {
                refuse("two peers are named " + p.name);
            }
            for (const IpPrefix& prefix : p.subnets) {
                const auto [at, fresh] = subnets.emplace(prefix.network(), &p);
                if (!fresh) {
                    refuse("the subnet " + prefix.network().toString() + " belongs to two peers, " +
                           at->second->name + " and " + p.name);
                }
            }
            const UdpEndpoint ep = p.knownEndpoint();
            if (ep.port != 0) {
                const int family = ep.address.family;
                if ((socketFamily == AF_INET && family == AF_INET6) ||
                    (socketFamily == AF_INET6 && family == AF_INET && !t.udp->dualStack())) {
                    refuse("peer " + p.name + "'s endpoint " + ep.toString() +
                           " is of an address family the tunnel's socket cannot reach; "
                           "reconnect to use it");
                }
                if (!wireguard) {
                    const auto [at, fresh] =
                        endpoints.emplace(std::make_pair(ep.address.toString(), ep.port), &p);
                    if (!fresh) {
                        refuse("peers " + at->second->name + " and " + p.name +
                               " have the same endpoint " + ep.toString());
                    }
                }
            } else if (!wireguard && p.endpointHost.empty()) {
                refuse("peer " + p.name + " has no endpoint (plain mode sends to it)");
            }
            if (wireguard) {
                const auto [at, fresh] = keys.emplace(keyIdentity(p.publicKey), &p);
                if (!fresh) {
                    refuse("peers " + at->second->name + " and " + p.name +
                           " have the same public key");
                }
                if (const std::string why = t.wireguard->unusableKey(p.publicKey); !why.empty()) {
                    refuse("the public key of peer " + p.name + " cannot be used: " + why);
                }
            }
        }
        if (fullTunnelFamiliesOf(next) != t.fullTunnelFamilies) {
            refuse("the peers' default routes (0.0.0.0/0 or ::/0) changed: that takes a "
                   "reconnect, not a change of peers");
        }
    }

    // --- who stays: the same key (WireGuard) or name (plain mode) ---
    const std::vector<PeerSpec>& before = t.spec.peers;
    auto identity = [wireguard](const PeerSpec& p) {
        return wireguard ? keyIdentity(p.publicKey) : p.name;
    };
    std::map<std::string, size_t> oldByIdentity;
    for (size_t j = 0; j < before.size(); ++j) {
        oldByIdentity.emplace(identity(before[j]), j);
    }
    std::vector<uint32_t> slots(next.size(), 0);
    std::vector<bool> kept(before.size(), false);
    std::vector<std::pair<size_t, size_t>> stays; // (old index, new index)
    std::vector<size_t> added;
    for (size_t i = 0; i < next.size(); ++i) {
        const auto it = oldByIdentity.find(identity(next[i]));
        if (it != oldByIdentity.end()) {
            kept[it->second] = true;
            slots[i] = t.slots[it->second];
            stays.emplace_back(it->second, i);
        } else {
            added.push_back(i);
        }
    }
    std::vector<uint32_t> removed;
    for (size_t j = 0; j < before.size(); ++j) {
        if (!kept[j]) {
            removed.push_back(t.slots[j]);
        }
    }
    size_t changed = 0;
    for (const auto& [j, i] : stays) {
        changed += samePeer(before[j], next[i]) ? 0 : 1;
    }
    if (added.empty() && removed.empty() && changed == 0) {
        return;
    }

    // New peers take the lowest free slots (their last users are gone), else new ones.
    std::vector<uint32_t> freeSlots = t.freeSlots;
    std::sort(freeSlots.begin(), freeSlots.end(), std::greater<>());
    uint32_t slotCount = t.slotCount;
    for (const size_t i : added) {
        if (!freeSlots.empty()) {
            slots[i] = freeSlots.back();
            freeSlots.pop_back();
        } else {
            slots[i] = slotCount++;
        }
    }
    t.counters->ensureSlots(slotCount);
    t.loop->reservePeers(slotCount);
    if (t.wireguard) {
        t.wireguard->reserveSlots(slotCount);
    }

    // Routes for new subnets first: a route another interface holds refuses the change here.
    const std::vector<IpPrefix> routesBefore = t.link.routes;
    const std::vector<IpPrefix> routesAfter = routesOf(next, t.spec.address);
    std::vector<IpPrefix> routesAdded;
    std::vector<IpPrefix> routesRemoved;
    for (const IpPrefix& r : routesAfter) {
        if (std::find(routesBefore.begin(), routesBefore.end(), r) == routesBefore.end()) {
            routesAdded.push_back(r);
        }
    }
    for (const IpPrefix& r : routesBefore) {
        if (std::find(routesAfter.begin(), routesAfter.end(), r) == routesAfter.end()) {
            routesRemoved.push_back(r);
        }
    }
    {
        const std::lock_guard lock(t.linkMutex);
        t.routes.addRoutes(t.link, routesAdded); // throws, having taken its own back
        t.link.routes = routesBefore;
        t.link.routes.insert(t.link.routes.end(), routesAdded.begin(), routesAdded.end());
    }
    auto takeRoutesBack = [&] {
        const std::lock_guard lock(t.linkMutex);
        t.routes.removeRoutes(t.link, routesAdded);
        t.link.routes = routesBefore;
    };

    // The refresher hands endpoints to slots: none while they change.
    {
        const std::lock_guard lock(t.refresherMutex);
        if (t.refresher) {
            t.refresher->stop();
            t.refresher.reset();
        }
    }
    for (const size_t i : added) {
        t.counters->resetSlot(slots[i]);
    }
    if (t.wireguard) {
        std::vector<uint32_t> done;
        try {
            for (const size_t i : added) {
                t.wireguard->addPeer(slots[i], next[i]);
                done.push_back(slots[i]);
            }
        } catch (const TunnelError&) {
            for (const uint32_t slot : done) {
                t.wireguard->removePeer(slot);
            }
            takeRoutesBack();
            const std::lock_guard lock(t.refresherMutex);
            t.refresher = t.makeRefresher(hostPeersOf(t.spec.peers, t.slots));
            if (t.refresher) {
                t.refresher->start();
            }
            throw;
        }
        for (const auto& [j, i] : stays) {
            t.wireguard->updatePeer(slots[i], before[j], next[i]);
        }
    }
    std::vector<UdpEndpoint> endpoints(slotCount);
    for (size_t i = 0; i < next.size(); ++i) {
        endpoints[slots[i]] = next[i].knownEndpoint();
    }
    if (t.wireguard) {
        t.wireguard->setEndpoints(std::move(endpoints));
    } else if (t.plain) {
        t.plain->setPeers(std::move(endpoints));
    }

    // The swap: from the next batch on both threads route by the new table. publish() returns
    // once neither can still route to a removed peer's slot.
    t.peers->publish(routesFor(next, slots, slotCount));

    for (const uint32_t slot : removed) {
        if (t.wireguard) {
            t.wireguard->removePeer(slot);
        }
        t.counters->resetSlot(slot);
        freeSlots.push_back(slot);
    }
    {
        const std::lock_guard lock(t.linkMutex);
        t.routes.removeRoutes(t.link, routesRemoved);
        t.link.routes = routesAfter;
    }
    t.freeSlots = std::move(freeSlots);
    t.slotCount = slotCount;
    t.slots = std::move(slots);
    // Keys stay shared with the spec's copies (the tunnel drops them on stop()).
    t.spec.peers = std::move(next);
    const std::lock_guard lock(t.refresherMutex);
    t.refresher = t.makeRefresher(hostPeersOf(t.spec.peers, t.slots));
    if (t.refresher) {
        t.refresher->start();
    }
    t.log.add(LogLevel::Info, t.spec.name,
              "peers changed: " + std::to_string(added.size()) + " added, " +
                  std::to_string(removed.size()) + " removed, " + std::to_string(changed) +
                  " changed; " + peerCountText(t.spec.peers.size()) + " now");
}

} // namespace peertun::engine
