// Micro-benchmark: per-packet peer lookup with 1..10,000 peers, PeerTable (a hash table per
// prefix length) against the linear scan flannel's C proxy does, and the same table read as
// the forwarding threads read it since the peer set can change: through LivePeers, one
// enter()/leave() per batch of 64 packets (the quiescent-state scheme's cost per batch).
// Prints figures; it asserts nothing (speed goals live in benchmarks, not in tests).
//
//   build/bench/bench_peer_lookup
#include "LivePeers.h"
#include "PeerTable.h"

#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

using peertun::engine::IpAddress;
using peertun::engine::IpPrefix;
using peertun::engine::LivePeers;
using peertun::engine::PeerRoutes;
using peertun::engine::PeerTable;
using peertun::engine::UdpEndpoint;

namespace {

struct LinearEntry
{
    uint32_t network, mask, peer;
};

// What a linear scan does: every entry, keep the longest match.
uint32_t linearLookup(const std::vector<LinearEntry>& entries, uint32_t a)
{
    uint32_t best = PeerTable::kNoPeer;
    uint32_t bestMask = 0;
    for (const LinearEntry& e : entries) {
        if ((a & e.mask) == e.network && (best == PeerTable::kNoPeer || e.mask > bestMask)) {
            best = e.peer;
            bestMask = e.mask;
        }
    }
    return best;
}

template <typename F>
double nsPerLookup(const std::vector<uint32_t>& probes, F&& lookup, uint64_t* sink)
{
    const int rounds = 20;
    const auto t0 = std::chrono::steady_clock::now();
    for (int r = 0; r < rounds; ++r) {
        for (uint32_t a : probes) {
            *sink += lookup(a);
        }
    }
    const auto t1 = std::chrono::steady_clock::now();
    return std::chrono::duration<double, std::nano>(t1 - t0).count() /
           double(rounds * probes.size());
}

} // namespace

int main()
{
    std::mt19937 rng(42);
    std::printf("| peers | PeerTable ns/lookup | through LivePeers, 64 a batch | linear scan "
                "ns/lookup | speed-up |\n");
    std::printf("|---:|---:|---:|---:|---:|\n");
    for (int peers : {1, 10, 100, 1000, 10000}) {
        std::vector<std::vector<IpPrefix>> subnets;
        std::vector<UdpEndpoint> endpoints;
        std::vector<LinearEntry> linear;
        for (int i = 0; i < peers; ++i) {
            // 10.x.y.0/24 per peer, as flannel leases one /24 per host.
            const uint32_t net = (10u << 24) | (uint32_t(i) << 8);
            const uint8_t b[4] = {uint8_t(net >> 24), uint8_t(net >> 16), uint8_t(net >> 8), 0};
            subnets.push_back({IpPrefix{IpAddress::v4(b), 24}});
            const uint8_t e[4] = {172, 16, uint8_t(i >> 8), uint8_t(i)};
            endpoints.push_back({IpAddress::v4(e), 8285});
            linear.push_back({net, 0xffffff00u, uint32_t(i)});
        }
        PeerTable table;
        table.build(subnets, endpoints);
        std::vector<uint32_t> probes(100000);
        std::uniform_int_distribution<int> pick(0, peers - 1);
        for (uint32_t& p : probes) {
            p = (10u << 24) | (uint32_t(pick(rng)) << 8) | uint32_t(rng() & 0xff);
        }
        uint64_t sink = 0;
        const double fast = nsPerLookup(
            probes,
            [&](uint32_t a) {
                const uint8_t b[4] = {uint8_t(a >> 24), uint8_t(a >> 16), uint8_t(a >> 8),
                                      uint8_t(a)};
                return table.lookupAddress(AF_INET, b);
            },
            &sink);
        std::vector<std::string> names(size_t(peers), "p");
        std::vector<uint32_t> active(static_cast<size_t>(peers));
        for (int i = 0; i < peers; ++i) {
            active[size_t(i)] = uint32_t(i);
        }
        LivePeers live(PeerRoutes::build(subnets, endpoints, names, active));
        const PeerRoutes* routes = nullptr;
        uint32_t inBatch = 0;
        const double viaLive = nsPerLookup(
            probes,
            [&](uint32_t a) {
                if (inBatch++ % 64 == 0) { // a new batch: a quiescent point, the table again
                    live.leave(LivePeers::kTxReader);
                    routes = live.enter(LivePeers::kTxReader);
                }
                const uint8_t b[4] = {uint8_t(a >> 24), uint8_t(a >> 16), uint8_t(a >> 8),
                                      uint8_t(a)};
                return routes->table.lookupAddress(AF_INET, b);
            },
            &sink);
        live.leave(LivePeers::kTxReader);
        const double slow = nsPerLookup(
            probes, [&](uint32_t a) { return linearLookup(linear, a); }, &sink);
        std::printf("| %d | %.1f | %.1f | %.1f | %.1fx |\n", peers, fast, viaLive, slow,
                    slow / fast);
        if (sink == 42) {
            std::printf(" "); // keeps the lookups from being optimised away
        }
    }
    return 0;
}
