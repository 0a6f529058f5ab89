// Micro-benchmark: the UDP -> TUN coalescer per TCP segment, with the checksum verification it
// does before joining, against the checksum alone; 1400-byte and 64-byte payloads. Prints
// figures (CPU ns per segment, and the verification's share); it asserts nothing.
//
//   build/bench/bench_coalesce
#include "Offload.h"

#include <cstdio>
#include <cstring>
#include <ctime>
#include <netinet/in.h>
#include <vector>

using namespace peertun::engine;

namespace {

void put16(uint8_t* p, uint32_t v)
{
    p[0] = uint8_t(v >> 8);
    p[1] = uint8_t(v);
}

// 44 segments of one flow (a 64 KiB TSO burst's worth), right checksums.
std::vector<std::vector<uint8_t>> burst(size_t payload)
{
    std::vector<std::vector<uint8_t>> out;
    uint32_t seq = 1;
    for (int i = 0; i < 44; ++i) {
        std::vector<uint8_t> p(20 + 20 + payload, 0);
        p[0] = 0x45;
        put16(&p[2], uint32_t(p.size()));
        put16(&p[4], uint32_t(0x1000 + i));
        p[6] = 0x40;
        p[8] = 64;
        p[9] = IPPROTO_TCP;
        p[12] = 10, p[13] = 244, p[14] = 2, p[15] = 2, p[16] = 10, p[17] = 244, p[18] = 3,
        p[19] = 3;
        put16(&p[20], 40000);
        put16(&p[22], 5201);
        put16(&p[24], seq >> 16);
        put16(&p[26], seq);
        p[32] = 5 << 4;
        p[33] = 0x10;
        put16(&p[34], 500);
        for (size_t k = 40; k < p.size(); ++k) {
            p[k] = uint8_t(k * 13 + i);
        }
        put16(&p[10], checksumFinish(checksumAdd(p.data(), 20, 0)));
        const size_t l4 = p.size() - 20;
        const uint64_t pseudo = checksumAdd(&p[12], 8, 0) + l4 + IPPROTO_TCP;
        put16(&p[36], checksumFinish(checksumAdd(&p[20], l4, pseudo)));
        seq += uint32_t(payload);
        out.push_back(std::move(p));
    }
    return out;
}

template <typename F> double nsPerSegment(F&& f, size_t segments)
{
    timespec t0{}, t1{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    const int rounds = 20000;
    for (int r = 0; r < rounds; ++r) {
        f();
    }
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
    const double ns = double(t1.tv_sec - t0.tv_sec) * 1e9 + double(t1.tv_nsec - t0.tv_nsec);
    return ns / (double(rounds) * double(segments));
}

} // namespace

int main()
{
    std::printf("| payload | coalescer ns/segment | checksum check ns/segment | share |\n");
    std::printf("|---|---|---|---|\n");
    for (size_t payload : {size_t(1400), size_t(64)}) {
        const auto original = burst(payload);
        auto work = original;
        TcpCoalescer c;
        TcpCoalescer::Write w;
        volatile size_t sink = 0;
        const double coalesce = nsPerSegment(
            [&] {
                for (size_t i = 0; i < work.size(); ++i) {
                    std::memcpy(work[i].data(), original[i].data(), 40); // flush rewrites it
                    bool closed = false;
                    c.add(work[i].data(), work[i].size(), &w, &closed);
                    sink = sink + closed;
                }
                c.flush(&w);
                sink = sink + w.packets;
            },
            work.size());
        const double verify = nsPerSegment(
            [&] {
                for (const auto& p : original) {
                    sink = sink + tcpChecksumsValid(p.data(), p.size(), 20);
                }
            },
            original.size());
        std::printf("| %zu | %.1f | %.1f | %.0f%% |\n", payload, coalesce, verify,
                    100.0 * verify / coalesce);
    }
    return 0;
}
