// Wall-clock time in Unix milliseconds, as counters and the D-Bus payloads carry it, and a
// monotonic count for rate windows.
#pragma once

#include <cstdint>
#include <ctime>

namespace peertun::engine {

inline int64_t unixMs()
{
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// The same from the coarse clock (a few ms of resolution, no system call on the vDSO's fast
// path): what the forwarding threads stamp packets with.
inline int64_t unixMsCoarse()
{
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// Milliseconds since an arbitrary start that never jumps: for windows and timeouts.
inline int64_t monotonicMs()
{
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

} // namespace peertun::engine
