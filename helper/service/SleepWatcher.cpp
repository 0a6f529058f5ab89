#include "SleepWatcher.h"

#include <QDBusConnectionInterface>

namespace peertun {

SleepWatcher::SleepWatcher(QDBusConnection bus, QObject* parent)
    : QObject(parent), m_bus(std::move(bus))
{
    if (!m_bus.isConnected()) {
        return;
    }
    m_watching =
        m_bus.connect(kLogindService, kLogindPath, kLogindManager,
                      QStringLiteral("PrepareForSleep"), this, SLOT(onPrepareForSleep(bool)));
}

QString SleepWatcher::describe() const
{
    if (!m_bus.isConnected()) {
        return QStringLiteral("no system bus: resume from suspend is not watched");
    }
    if (!m_watching) {
        return QStringLiteral("cannot subscribe to logind's PrepareForSleep: %1")
            .arg(m_bus.lastError().message());
    }
    const bool logind = m_bus.interface() && m_bus.interface()->isServiceRegistered(kLogindService);
    return logind ? QStringLiteral("watching logind for resume from suspend")
                  : QStringLiteral("logind is not on the system bus (yet): resume from suspend "
                                   "is watched once it is");
}

void SleepWatcher::onPrepareForSleep(bool goingToSleep)
{
    if (!goingToSleep) {
        emit resumed();
    }
}

} // namespace peertun
