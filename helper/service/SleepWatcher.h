// logind's PrepareForSleep(b) on the system bus: false means the machine woke up, which is a
// network change the kernel does not announce (the Wi-Fi came back with the same address, the
// peer's NAT forgot us while we slept). Used by the D-Bus helper and by --standalone.
#pragma once

#include <QDBusConnection>
#include <QObject>
#include <QString>

namespace peertun {

inline const QString kLogindService = QStringLiteral("org.freedesktop.login1");
inline const QString kLogindPath = QStringLiteral("/org/freedesktop/login1");
inline const QString kLogindManager = QStringLiteral("org.freedesktop.login1.Manager");

class SleepWatcher : public QObject
{
    Q_OBJECT
public:
    // Subscribes when `bus` is connected (also before logind owns its name: the match follows
    // the name's owner). watching() says whether it did.
    explicit SleepWatcher(QDBusConnection bus, QObject* parent = nullptr);
    bool watching() const { return m_watching; }
    // One line for a debug log: what is watched, or why not.
    QString describe() const;

signals:
    void resumed();

private slots:
    void onPrepareForSleep(bool goingToSleep);

private:
    QDBusConnection m_bus;
    bool m_watching = false;
};

} // namespace peertun
