// Micro-benchmark: the Internet checksum over the pieces a TSO read is cut into (1448-byte
// payloads of a 64 KiB buffer, as splitTunPacket() sums them), for each checksum code this CPU
// can run: the sum alone, and a copy with its sum done as two passes (memcpy, then the sum)
// against one (checksumCopy). Prints GB/s and the ratios; it asserts nothing.
//
//   build/bench/bench_checksum
#include "Offload.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <utility>
#include <vector>

using namespace peertun::engine;

namespace {

constexpr size_t kBuffer = 65536;
constexpr size_t kPiece = 1448;

double cpuSeconds()
{
    timespec t{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) * 1e-9;
}

// GB/s of `f(offset)` over every piece of the buffer, best of 3.
template <typename F> double gbPerSecond(F&& f)
{
    const int rounds = 20000;
    double best = 0;
    for (int attempt = 0; attempt < 3; ++attempt) {
        const double t0 = cpuSeconds();
        for (int r = 0; r < rounds; ++r) {
            for (size_t at = 0; at + kPiece <= kBuffer; at += kPiece) {
                f(at);
            }
        }
        const double bytes = double(rounds) * double(kBuffer / kPiece * kPiece);
        best = std::max(best, bytes / (cpuSeconds() - t0) / 1e9);
    }
    return best;
}

} // namespace

int main()
{
    std::vector<uint8_t> src(kBuffer);
    std::vector<uint8_t> dst(kBuffer);
    for (size_t i = 0; i < src.size(); ++i) {
        src[i] = uint8_t(i * 131 + 7);
    }
    volatile uint64_t sink = 0;
    double portableSum = 0;
    std::printf(
        "| code | sum GB/s | copy, then sum GB/s | copy with sum GB/s | one pass / two |\n");
    std::printf("|---|---|---|---|---|\n");
    for (const auto& [code, name] :
         {std::pair{ChecksumCode::Portable, "portable"}, std::pair{ChecksumCode::Avx2, "avx2"}}) {
        if (!checksumCodeAvailable(code)) {
            std::printf("| %s | (not on this CPU) | | | |\n", name);
            continue;
        }
        const double sum = gbPerSecond(
            [&](size_t at) { sink = sink + checksumAdd(code, src.data() + at, kPiece, 0); });
        const double twoPasses = gbPerSecond([&](size_t at) {
            std::memcpy(dst.data() + at, src.data() + at, kPiece);
            sink = sink + checksumAdd(code, dst.data() + at, kPiece, 0);
        });
        const double onePass = gbPerSecond([&](size_t at) {
            sink = sink + checksumCopy(code, dst.data() + at, src.data() + at, kPiece, 0);
        });
        if (code == ChecksumCode::Portable) {
            portableSum = sum;
        }
        std::printf("| %s | %.1f (%.2fx portable) | %.1f | %.1f | %.2fx |\n", name, sum,
                    sum / portableSum, twoPasses, onePass, onePass / twoPasses);
    }
    return 0;
}
