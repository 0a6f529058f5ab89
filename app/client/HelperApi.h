// What the app's controller needs of the helper: tunnel states, connect, disconnect and the
// app's own log lines. HelperSession implements it over D-Bus; tests/fakes/FakeHelper in memory.
#pragma once

#include "Payloads.h"
#include "Profile.h"

#include <QList>
#include <QObject>
#include <QString>
#include <QVariantMap>
#include <optional>

namespace peertun {

struct RateSample
{
    qint64 unixMs = 0;
    double rxBytesPerSecond = 0;
    double txBytesPerSecond = 0;
};

struct TunnelStatus
{
    dbus::TunnelState state = dbus::TunnelState::Disconnected;
    QString reason;
    QVariantMap stats; // as in GetStats/StatsUpdated (read it with dbus::TunnelCounters)
    QList<RateSample> history;
    double rxBytesPerSecond = 0;
    double txBytesPerSecond = 0;
    bool requestPending = false;    // a Connect/Disconnect of ours awaits its reply
    std::optional<dbus::Mode> mode; // as ListTunnels said; unknown before it did
    // The tunnel's ListTunnels entry (DNS, kill switch, peers' endpoints), while it is listed.
    std::optional<dbus::TunnelInfo> info;
};

class HelperApi : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    virtual TunnelStatus status(const QString& name) const = 0;
    virtual void connectProfile(const Profile& profile) = 0;
    virtual void disconnectTunnel(const QString& name) = 0;
    // A peer-only edit of a running tunnel, applied without a reconnect (SetPeers); the
    // outcome comes back as peersSet (and a log line of the app's).
    virtual void setPeers(const Profile& profile) = 0;
    // An event of the app's own into the log. Never give it a secret: the log can be copied.
    virtual void appLog(dbus::LogLevel level, const QString& tunnel, const QString& text) = 0;

signals:
    void tunnelChanged(const QString& name); // state, reason or pending request
    // The answer to setPeers: `errorName` empty when the helper applied the peers, else its
    // D-Bus error name (io.peertun.Error.InvalidProfile, ...) with its message.
    void peersSet(const QString& name, const QString& errorName, const QString& message);
};

} // namespace peertun
