// Events per uid in a fixed window: at most `limit` in each `window` milliseconds. The clock
// is injected (a monotonic millisecond count), so tests run without waiting. The helper keys
// it by the caller's uid as the bus daemon reports it: how many security events of one uid
// reach the log and syslog, and how many of its calls polkit refused lately.
#pragma once

#include <QHash>
#include <cstdint>
#include <functional>

namespace peertun {

class UidRateLimiter
{
public:
    using Clock = std::function<int64_t()>; // milliseconds, monotonic

    UidRateLimiter(int limit, int64_t windowMs, Clock clock);

    // Counts one event of `uid`: true while its window's count stays within the limit. A
    // window starts with the first event after the last one ended.
    bool record(uint32_t uid);
    // Whether `uid` has reached the limit in its current window, without counting anything.
    bool exhausted(uint32_t uid) const;
    // Milliseconds until `uid`'s window ends (0 if it has none running).
    int64_t msUntilReset(uint32_t uid) const;

    int limit() const { return m_limit; }
    int64_t windowMs() const { return m_windowMs; }
    // Uids it keeps a window for (bounded by kMaxTracked).
    int tracked() const { return int(m_entries.size()); }

    // The most uids it keeps; past that, entries whose window ended go first.
    static constexpr int kMaxTracked = 4096;

private:
    struct Entry
    {
        int64_t windowStart = 0;
        int count = 0;
    };
    void prune(int64_t now);

    int m_limit;
    int64_t m_windowMs;
    Clock m_clock;
    QHash<uint32_t, Entry> m_entries;
};

} // namespace peertun
