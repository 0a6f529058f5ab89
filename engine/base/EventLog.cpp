#include "EventLog.h"

#include <chrono>

namespace peertun::engine {

const char* logLevelName(LogLevel level)
{
    switch (level) {
    case LogLevel::Debug:
        return "debug";
    case LogLevel::Info:
        return "info";
    case LogLevel::Warning:
        return "warning";
    case LogLevel::Error:
        return "error";
    }
    return "info";
}

EventLog::EventLog(size_t capacity) : m_capacity(capacity == 0 ? 1 : capacity) {}

void EventLog::add(LogLevel level, const std::string& tunnel, std::string text, int64_t subjectUid)
{
    LogEntry entry;
    entry.unixMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    entry.level = level;
    entry.tunnel = tunnel;
    entry.text = std::move(text);
    entry.subjectUid = subjectUid;
    Listener listener;
    {
        std::lock_guard lock(m_mutex);
        entry.seq = m_nextSeq++;
        if (m_ring.size() == m_capacity) {
            m_ring.pop_front();
        }
        m_ring.push_back(entry);
        listener = m_listener;
    }
    if (listener) {
        listener(entry);
    }
}

std::vector<LogEntry> EventLog::since(uint64_t afterSeq, size_t max) const
{
    std::lock_guard lock(m_mutex);
    std::vector<LogEntry> out;
    for (const LogEntry& e : m_ring) {
        if (e.seq > afterSeq) {
            if (out.size() == max) {
                break;
            }
            out.push_back(e);
        }
    }
    return out;
}

uint64_t EventLog::lastSeq() const
{
    std::lock_guard lock(m_mutex);
    return m_nextSeq - 1;
}

void EventLog::setListener(Listener listener)
{
    std::lock_guard lock(m_mutex);
    m_listener = std::move(listener);
}

bool RateLimiter::allow(int64_t nowMs, uint64_t* suppressed)
{
    if (nowMs - m_lastMs < m_intervalMs) {
        ++m_held;
        return false;
    }
    m_lastMs = nowMs;
    if (suppressed) {
        *suppressed = m_held;
    }
    m_held = 0;
    return true;
}

} // namespace peertun::engine
