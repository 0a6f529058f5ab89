// The helper's event log: a bounded ring of entries (tunnel up/down, route restored, errors,
// bursts of send errors), readable from any thread, with an optional listener. Never written
// per packet: the forwarding loops go through a RateLimiter.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace peertun::engine {

enum class LogLevel { Debug, Info, Warning, Error };
const char* logLevelName(LogLevel level); // "debug", "info", "warning", "error"

struct LogEntry
{
    uint64_t seq = 0; // strictly increasing from 1
    int64_t unixMs = 0;
    LogLevel level = LogLevel::Info;
    std::string tunnel; // empty for helper-wide entries
    std::string text;
    // The uid the entry is about (a caller in a security event), -1 for none: the D-Bus helper
    // shows such an entry to that uid besides the tunnel's owner.
    int64_t subjectUid = -1;
};

class EventLog
{
public:
    explicit EventLog(size_t capacity = 2000);
    void add(LogLevel level, const std::string& tunnel, std::string text, int64_t subjectUid = -1);
    // Entries with seq > afterSeq still in the ring, oldest first, at most `max`.
    std::vector<LogEntry> since(uint64_t afterSeq, size_t max = SIZE_MAX) const;
    uint64_t lastSeq() const;
    // Called after each add, on the adding thread, outside the lock.
    using Listener = std::function<void(const LogEntry&)>;
    void setListener(Listener listener);

private:
    mutable std::mutex m_mutex;
    std::deque<LogEntry> m_ring;
    size_t m_capacity;
    uint64_t m_nextSeq = 1;
    Listener m_listener;
};

// Lets one log entry through per interval and counts what it held back, so a flood of bad
// packets or send errors costs one branch per event and a few log lines per minute.
// Single-threaded: each forwarding thread owns its own.
class RateLimiter
{
public:
    explicit RateLimiter(int64_t intervalMs = 5000) : m_intervalMs(intervalMs) {}
    // True if an entry may be written now; `suppressed` then holds how many were held back
    // since the last one.
    bool allow(int64_t nowMs, uint64_t* suppressed);

private:
    int64_t m_intervalMs;
    int64_t m_lastMs = INT64_MIN / 2;
    uint64_t m_held = 0;
};

} // namespace peertun::engine
