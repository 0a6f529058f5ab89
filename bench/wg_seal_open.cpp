// Instruction count of WireGuard mode's per-packet work: two WireGuardEncapsulations in one
// process, a real handshake between them, then N inner packets sealed by one side as the
// TUN -> UDP loop does and opened by the other as the UDP -> TUN loop does. No sockets, no TUN.
// Under callgrind (bench/callgrind.sh) each phase is dumped on its own, so the figures are
// instructions per packet for seal and for open, repeatable on a busy machine; without it the
// program prints the process's CPU ns per packet, which are only indicative.
//
//   build/bench/bench_wg_seal_open [PACKETS [INNER_BYTES [BATCH [THREADS]]]]
//
// BATCH packets go through sealBatch()/openBatch() at once, as the loops pass the segments of
// one TSO or GRO read (default 45: 64 KiB of 1420-byte packets); 1 is the packet-by-packet
// path. THREADS is the crypto threads per direction (default 1; 0 = one per core).
//
// Exits non-zero if a packet does not come out as it went in: a figure for a broken path is
// worth nothing. It is not a test and asserts nothing about speed.
#include "Keys.h"
#include "WireGuardEncapsulation.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_ZERO_STATS
#define CALLGRIND_DUMP_STATS_AT(x)
#define RUNNING_ON_VALGRIND 0
#endif

using peertun::engine::Encapsulation;
using peertun::engine::IpAddress;
using peertun::engine::PeerSpec;
using peertun::engine::TunnelCounters;
using peertun::engine::UdpEndpoint;
using peertun::engine::UdpSource;
using peertun::engine::WireGuardEncapsulation;
using peertun::keys::LockedSecretKey;

namespace {

struct Side
{
    Side(const LockedSecretKey& key, const LockedSecretKey& peerKey, UdpEndpoint peerAt,
         UdpEndpoint self, unsigned threads)
        : counters(1), address(self)
    {
        std::vector<PeerSpec> peers(1);
        peers[0].publicKey = peertun::keys::publicKeyOf(peerKey);
        peers[0].endpoint = peerAt;
        encap = std::make_unique<WireGuardEncapsulation>(
            key, peers, 1420,
            [this](const UdpEndpoint&, std::span<const uint8_t> d, uint32_t, const UdpSource*) {
                const std::lock_guard lock(mutex);
                sent.emplace_back(d.begin(), d.end());
            },
            counters, nullptr, std::string(), threads);
    }

    bool open(std::vector<uint8_t>& datagram, const Side& from)
    {
        sockaddr_storage sa{};
        toSockaddr(from.address, AF_INET, &sa);
        uint8_t* data = datagram.data();
        size_t len = datagram.size();
        uint32_t peer = 0;
        return encap->open(reinterpret_cast<const sockaddr*>(&sa), &data, &len, &peer).verdict ==
               Encapsulation::Verdict::Forward;
    }

    // Hands everything this side sent to `to`.
    void deliverTo(Side& to)
    {
        std::deque<std::vector<uint8_t>> out;
        {
            const std::lock_guard lock(mutex);
            out.swap(sent);
        }
        for (auto& d : out) {
            to.open(d, *this);
        }
    }

    TunnelCounters counters;
    UdpEndpoint address;
    std::mutex mutex;
    std::deque<std::vector<uint8_t>> sent;
    std::unique_ptr<WireGuardEncapsulation> encap;
};

void fillIpv4(uint8_t* p, size_t len, uint32_t n)
{
    std::memset(p, int(n & 0xff), len);
    std::memset(p, 0, 20);
    p[0] = 0x45;
    p[2] = uint8_t(len >> 8);
    p[3] = uint8_t(len);
    p[8] = 64;
    p[9] = 17;
    const uint8_t src[4] = {10, 244, 2, 2};
    const uint8_t dst[4] = {10, 244, 3, 3};
    std::memcpy(p + 12, src, 4);
    std::memcpy(p + 16, dst, 4);
    std::memcpy(p + 20, &n, sizeof n);
}

} // namespace

int main(int argc, char** argv)
{
    const size_t packets = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 20000;
    const size_t inner = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 1420;
    const size_t batch = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 45;
    const unsigned threads = argc > 4 ? unsigned(std::strtoul(argv[4], nullptr, 10)) : 1;
    if (packets == 0 || inner < 28 || inner > 1420 || batch == 0 ||
        batch > Encapsulation::kMaxBatch) {
        std::fprintf(stderr,
                     "usage: %s [PACKETS [INNER_BYTES 28..1420 [BATCH 1..%zu [THREADS]]]]\n",
                     argv[0], Encapsulation::kMaxBatch);
        return 2;
    }
    const LockedSecretKey keyA = peertun::keys::generateKey();
    const LockedSecretKey keyB = peertun::keys::generateKey();
    const UdpEndpoint atA{*IpAddress::parse("192.0.2.1"), 51820};
    const UdpEndpoint atB{*IpAddress::parse("192.0.2.2"), 51820};
    Side a(keyA, keyB, atB, atA, threads);
    Side b(keyB, keyA, atA, atB, threads);

    // Room as the loops reserve it: headroom, packet, tailroom, packed one after the other.
    const size_t head = a.encap->headroom();
    const size_t stride = head + inner + a.encap->tailroom();
    std::vector<uint8_t> arena(stride * packets);
    std::vector<uint8_t*> data(packets);
    std::vector<size_t> lens(packets);

    // The handshake, driven by a first packet as in the tunnel: initiation, response, and the
    // queued packet confirms the session for the responder.
    {
        std::vector<uint8_t> first(stride);
        fillIpv4(first.data() + head, inner, 0);
        uint8_t* d = first.data() + head;
        size_t len = inner;
        a.encap->seal(0, &d, &len);
        a.deliverTo(b);
        b.deliverTo(a);
        a.deliverTo(b);
    }
    for (size_t i = 0; i < packets; ++i) {
        data[i] = arena.data() + i * stride + head;
        lens[i] = inner;
        fillIpv4(data[i], inner, uint32_t(i + 1));
    }

    const auto cpuNs = [] {
        timespec ts{};
        ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return double(ts.tv_sec) * 1e9 + double(ts.tv_nsec);
    };
    const double t0 = cpuNs();
    CALLGRIND_ZERO_STATS;
    std::vector<Encapsulation::Result> results(packets);
    size_t sealed = 0;
    for (size_t i = 0; i < packets; i += batch) {
        const size_t n = std::min(batch, packets - i);
        a.encap->sealBatch(0, &data[i], &lens[i], n, &results[i]);
    }
    for (const auto& r : results) {
        sealed += r.verdict == Encapsulation::Verdict::Forward;
    }
    CALLGRIND_DUMP_STATS_AT("seal");
    const double t1 = cpuNs();
    sockaddr_storage from{};
    toSockaddr(atA, AF_INET, &from);
    std::vector<uint32_t> peers(packets);
    for (size_t i = 0; i < packets; i += batch) {
        const size_t n = std::min(batch, packets - i);
        b.encap->openBatch(reinterpret_cast<const sockaddr*>(&from), &data[i], &lens[i], n,
                           &peers[i], &results[i]);
    }
    CALLGRIND_DUMP_STATS_AT("open");
    const double t2 = cpuNs();
    size_t opened = 0;
    size_t intact = 0;
    for (size_t i = 0; i < packets; ++i) {
        if (results[i].verdict == Encapsulation::Verdict::Forward && peers[i] == 0) {
            ++opened;
            uint32_t n = 0;
            std::memcpy(&n, data[i] + 20, sizeof n);
            intact += lens[i] == inner && n == uint32_t(i + 1);
        }
    }

    const auto ns = [&](double d) { return d / double(packets); };
    std::printf("packets=%zu inner_bytes=%zu batch=%zu threads=%u sealed=%zu opened=%zu "
                "intact=%zu\n",
                packets, inner, batch, a.encap->cryptoThreads(), sealed, opened, intact);
    if (!RUNNING_ON_VALGRIND) {
        std::printf("seal_cpu_ns_per_packet=%.0f open_cpu_ns_per_packet=%.0f\n", ns(t1 - t0),
                    ns(t2 - t1));
    }
    a.encap->stop();
    b.encap->stop();
    return sealed == packets && opened == packets && intact == packets ? 0 : 1;
}
