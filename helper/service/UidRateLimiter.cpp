#include "UidRateLimiter.h"

#include <utility>

namespace peertun {

UidRateLimiter::UidRateLimiter(int limit, int64_t windowMs, Clock clock)
    : m_limit(limit), m_windowMs(windowMs), m_clock(std::move(clock))
{}

bool UidRateLimiter::record(uint32_t uid)
{
    const int64_t now = m_clock();
    auto it = m_entries.find(uid);
    if (it == m_entries.end()) {
        if (m_entries.size() >= kMaxTracked) {
            prune(now);
        }
        it = m_entries.insert(uid, Entry{now, 0});
    } else if (now - it->windowStart >= m_windowMs) {
        *it = Entry{now, 0};
    }
    if (it->count >= m_limit) {
        return false;
    }
    ++it->count;
    return true;
}

bool UidRateLimiter::exhausted(uint32_t uid) const
{
    const auto it = m_entries.constFind(uid);
    return it != m_entries.cend() && m_clock() - it->windowStart < m_windowMs &&
           it->count >= m_limit;
}

int64_t UidRateLimiter::msUntilReset(uint32_t uid) const
{
    const auto it = m_entries.constFind(uid);
    if (it == m_entries.cend()) {
        return 0;
    }
    const int64_t left = it->windowStart + m_windowMs - m_clock();
    return left > 0 ? left : 0;
}

void UidRateLimiter::prune(int64_t now)
{
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        it = now - it->windowStart >= m_windowMs ? m_entries.erase(it) : std::next(it);
    }
    // Every uid still inside its window (more than kMaxTracked active uids): the oldest goes.
    while (m_entries.size() >= kMaxTracked) {
        auto oldest = m_entries.begin();
        for (auto it = m_entries.begin(); it != m_entries.end(); ++it) {
            if (it->windowStart < oldest->windowStart) {
                oldest = it;
            }
        }
        m_entries.erase(oldest);
    }
}

} // namespace peertun
