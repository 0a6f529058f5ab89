#include "AuditLog.h"

#include <QDateTime>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

namespace peertun {

SyslogSink::SyslogSink(const QString& socketPath)
    : m_fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0))
{
    const QByteArray path = socketPath.toLocal8Bit();
    m_address.sun_family = AF_UNIX;
    const size_t n = std::min(size_t(path.size()), sizeof m_address.sun_path - 1);
    std::memcpy(m_address.sun_path, path.constData(), n);
    m_addressLength = socklen_t(offsetof(sockaddr_un, sun_path) + n + 1);
}

void SyslogSink::write(int severity, const QString& line)
{
    // sendto() each time, not connect(): a restarted journald or rsyslog is found again.
    const QByteArray datagram =
        "<" + QByteArray::number(LOG_AUTHPRIV | severity) + ">" +
        QDateTime::currentDateTime().toString(QStringLiteral("MMM d hh:mm:ss")).toLatin1() +
        " peertun-helper[" + QByteArray::number(::getpid()) + "]: " + line.toUtf8();
    if (m_fd.valid() && ::sendto(m_fd.get(), datagram.constData(), size_t(datagram.size()),
                                 MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&m_address),
                                 m_addressLength) == ssize_t(datagram.size())) {
        ++m_sent;
    } else {
        ++m_dropped;
    }
}

AuditLog::AuditLog(MemoryLog memoryLog, std::unique_ptr<AuditSink> sink,
                   UidRateLimiter::Clock clock, QObject* parent)
    : QObject(parent), m_memoryLog(std::move(memoryLog)), m_sink(std::move(sink)),
      m_limiter(kEventsPerWindow, kWindowMs, clock)
{
    m_flushTimer.setSingleShot(true);
    connect(&m_flushTimer, &QTimer::timeout, this, &AuditLog::flushSuppressed);
}

bool AuditLog::event(uint32_t uid, Kind kind, const QString& tunnel, const QString& text)
{
    // root is not limited: it could do without the helper whatever it floods the log with.
    if (uid != 0 && !m_limiter.record(uid)) {
        ++m_suppressed[uid];
        if (!m_flushTimer.isActive()) {
            m_flushTimer.start(int(std::max<int64_t>(1, m_limiter.msUntilReset(uid))));
        }
        return false;
    }
    // A new window of a uid that had events suppressed in its last one: say so first.
    if (const auto it = m_suppressed.find(uid); it != m_suppressed.end()) {
        const int n = it.value();
        m_suppressed.erase(it);
        report(uid, n);
    }
    const engine::LogLevel level =
        kind == Kind::Refused ? engine::LogLevel::Warning : engine::LogLevel::Info;
    m_memoryLog(uid, level, tunnel, text);
    if (kind != Kind::Trace && m_sink) {
        m_sink->write(kind == Kind::Refused ? LOG_WARNING : LOG_NOTICE,
                      tunnel.isEmpty() ? text : QStringLiteral("tunnel %1: %2").arg(tunnel, text));
    }
    return true;
}

void AuditLog::flushSuppressed()
{
    int64_t nextMs = 0;
    for (auto it = m_suppressed.begin(); it != m_suppressed.end();) {
        const int64_t left = m_limiter.msUntilReset(it.key());
        if (left > 0) {
            nextMs = nextMs == 0 ? left : std::min(nextMs, left);
            ++it;
            continue;
        }
        const uint32_t uid = it.key();
        const int n = it.value();
        it = m_suppressed.erase(it);
        report(uid, n);
    }
    if (nextMs > 0) {
        m_flushTimer.start(int(nextMs));
    }
}

void AuditLog::report(uint32_t uid, int suppressed)
{
    const QString text = QStringLiteral("%1 more security events of uid %2 were suppressed "
                                        "(at most %3 per %4 s are logged)")
                             .arg(suppressed)
                             .arg(uid)
                             .arg(kEventsPerWindow)
                             .arg(kWindowMs / 1000);
    m_memoryLog(uid, engine::LogLevel::Warning, QString(), text);
    if (m_sink) {
        m_sink->write(LOG_WARNING, text);
    }
}

} // namespace peertun
