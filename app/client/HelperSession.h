// The app's view of io.peertun.Helper1 (the HelperApi of the controller): tunnel states, latest
// counters with rates and a short history, the helper's log, and what is wrong with the helper
// (if anything). Wraps HelperClient; every call is asynchronous, so a slow or missing helper
// never blocks the window. Follows the bus name: when the helper goes away its tunnels count
// as down, and when it comes back the session picks up tunnels and log again.
#pragma once

#include "DBusContract.h"
#include "HelperApi.h"
#include "Profile.h"

#include <QDBusConnection>
#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QTimer>
#include <QVariantMap>
#include <memory>
#include <optional>

class QDBusPendingCallWatcher;
class QDBusServiceWatcher;

namespace peertun {

class HelperClient;

struct LogLine
{
    qint64 unixMs = 0;
    QString level;  // a dbus::LogLevel's name: debug, info, warning, error
    QString source; // "helper" or "app"
    QString tunnel;
    QString text;
};

class HelperSession : public HelperApi
{
    Q_OBJECT
public:
    enum class Problem {
        None,
        NoBus,         // the system bus is not reachable
        NotInstalled,  // nobody provides io.peertun.Helper1
        NotResponding, // calls time out or activation failed
        Stopped,       // went away while tunnels were up
        NotAuthorized, // polkit said no to our last request
        Restarted,     // back after Stopped; the lost tunnels are still down (information)
    };
    Q_ENUM(Problem)

    // How many history samples (one a second) the graph can show.
    static constexpr int kHistorySeconds = 300;

    explicit HelperSession(QDBusConnection bus = QDBusConnection::systemBus(),
                           QObject* parent = nullptr);
    ~HelperSession() override;

    // Starts watching the bus name and asks the helper for its tunnels and log; called again
    // (the banner's Retry), asks again.
    void start();

    void connectProfile(const Profile& profile) override;
    void disconnectTunnel(const QString& name) override;
    void setPeers(const Profile& profile) override;

    TunnelStatus status(const QString& name) const override { return m_tunnels.value(name); }
    QStringList tunnelNames() const { return m_tunnels.keys(); }
    bool helperRunning() const { return m_helperRunning; }
    Problem problem() const { return m_problem; }
    QString problemText() const { return m_problemText; }
    QString helperVersion() const { return m_version; }

    // Sample period of the rates (tests shorten it).
    void setSampleInterval(int ms) { m_sampleTimer.setInterval(ms); }

    void appLog(dbus::LogLevel level, const QString& tunnel, const QString& text) override;

signals:
    void statsChanged(const QString& name);     // counters, rates, history
    void logLine(const peertun::LogLine& line); // helper and app events, in order
    void problemChanged(peertun::HelperSession::Problem problem, const QString& text);
    void helperAvailabilityChanged(bool running);
    // A tunnel reached connected, dropped, or failed (for notifications).
    void tunnelEvent(const QString& name, peertun::dbus::TunnelState state, const QString& reason);

private:
    void refresh();
    void fetchTunnelInfo();
    void fetchLog();
    void onStateChanged(const QString& name, const QString& state, const QString& reason);
    // StatsUpdated: totals only; the full counters of tunnels we may read come from GetStats.
    void onStatsSignal(const QVariantMapList& totals);
    void onStats(const QVariantMapList& stats);
    // LogEntry: only the new entry's seq; GetLog returns what we may read.
    void onLogSignal(const QVariantMap& entry);
    bool mayReadDetails(const QString& name) const;
    // Asks for one tunnel's counters now (the StatsUpdated signal may be a while off).
    void fetchStats(const QString& name);
    void onLogEntry(const QVariantMap& entry);
    void onServiceRegistered();
    void onServiceUnregistered();
    void sample();
    void setProblem(Problem problem, const QString& text);
    void setState(const QString& name, dbus::TunnelState state, const QString& reason);
    void helperIsBack();
    void handleCallError(const QDBusError& error, const QString& tunnel, bool control);

    QDBusConnection m_bus;
    std::unique_ptr<HelperClient> m_client;
    QDBusServiceWatcher* m_watcher = nullptr;
    QHash<QString, TunnelStatus> m_tunnels;
    QHash<QString, QVariantMap> m_lastSampled; // totals at the previous sample
    qint64 m_lastSampleMs = 0;
    QTimer m_sampleTimer;
    QTimer m_retryTimer;
    quint64 m_lastLogSeq = 0;
    bool m_logFetchRunning = false;
    bool m_logFetchAgain = false; // a new entry was announced while a fetch ran
    bool m_helperRunning = false;
    Problem m_problem = Problem::None;
    QString m_problemText;
    QString m_version;
    QStringList m_lostTunnels;
    // Requests of this app whose state change has not come yet (its reason is then not shown).
    QSet<QString> m_ownConnects;
    QSet<QString> m_ownDisconnects;
};

} // namespace peertun

Q_DECLARE_METATYPE(peertun::LogLine)
