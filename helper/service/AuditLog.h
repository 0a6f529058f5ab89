// Security events of the D-Bus helper: calls refused (by polkit, by a limit, as invalid),
// tunnels connected and disconnected on a caller's request, each with the caller's uid and the
// tunnel's name. Each event goes into the helper's in-memory log (GetLog) and, unless it is
// only a trace (an authorization asked for), to syslog with facility authpriv. Per uid at most
// kEventsPerWindow events per kWindowMs reach either: past that they are counted, and when the
// uid's window ends one line says how many were suppressed. So one local user can neither
// wipe the in-memory ring nor flood syslog, and every user's events still appear. root (uid 0)
// is not limited.
#pragma once

#include "EventLog.h"
#include "Fd.h"
#include "UidRateLimiter.h"

#include <QHash>
#include <QObject>
#include <QString>
#include <QTimer>
#include <functional>
#include <memory>
#include <sys/un.h>

namespace peertun {

// Where the syslog lines go.
class AuditSink
{
public:
    virtual ~AuditSink() = default;
    // One line; `severity` as syslog(3)'s LOG_NOTICE, LOG_WARNING...
    virtual void write(int severity, const QString& line) = 0;
};

// RFC 3164 datagrams ("<PRI>Mmm dd hh:mm:ss peertun-helper[PID]: text") to a unix datagram
// socket, /dev/log by default (journald or rsyslog), as syslog(3) writes them, with facility
// authpriv. Never blocks the helper: a datagram the receiver has no room for, or that has no
// receiver, is dropped and counted.
class SyslogSink final : public AuditSink
{
public:
    explicit SyslogSink(const QString& socketPath = QStringLiteral("/dev/log"));
    void write(int severity, const QString& line) override;
    uint64_t dropped() const { return m_dropped; }
    uint64_t sent() const { return m_sent; }

private:
    engine::Fd m_fd;
    sockaddr_un m_address{};
    socklen_t m_addressLength = 0;
    uint64_t m_dropped = 0;
    uint64_t m_sent = 0;
};

class AuditLog : public QObject
{
    Q_OBJECT
public:
    static constexpr int kEventsPerWindow = 20;
    static constexpr int64_t kWindowMs = 10000;

    enum class Kind {
        Trace,        // in-memory log only (an authorization asked for)
        Refused,      // a call refused: polkit, a limit, invalid input
        Connected,    // a tunnel brought up on a caller's request
        Disconnected, // a tunnel taken down on a caller's request
    };

    // `memoryLog` writes to the in-memory ring (TunnelManager::log in the helper); `uid` is the
    // caller the event is about (who may read it besides the tunnel's owner and admins).
    using MemoryLog = std::function<void(uint32_t uid, engine::LogLevel, const QString& tunnel,
                                         const QString& text)>;
    AuditLog(MemoryLog memoryLog, std::unique_ptr<AuditSink> sink, UidRateLimiter::Clock clock,
             QObject* parent = nullptr);

    // One event of `uid`. `text` names the caller (and the tunnel, for syslog, comes from
    // `tunnel`). Returns false if it was suppressed.
    bool event(uint32_t uid, Kind kind, const QString& tunnel, const QString& text);

    // Reports every uid's suppressed count whose window has ended (the timer calls it; tests
    // call it after moving their clock).
    void flushSuppressed();

private:
    void report(uint32_t uid, int suppressed);

    MemoryLog m_memoryLog;
    std::unique_ptr<AuditSink> m_sink;
    UidRateLimiter m_limiter;
    QHash<uint32_t, int> m_suppressed; // per uid, in its current window
    QTimer m_flushTimer;
};

} // namespace peertun
