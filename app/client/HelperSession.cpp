#include "HelperSession.h"

#include "DBusContract.h"
#include "HelperClient.h"

#include <QDBusPendingCallWatcher>
#include <QDBusServiceWatcher>
#include <QDateTime>
#include <utility>

namespace peertun {

namespace {

// Calls without authorization should answer fast; a helper that does not is "not responding".
constexpr int kRetryAfterStopMs = 2000;

using dbus::TunnelState;
namespace key = dbus::key;

} // namespace

HelperSession::HelperSession(QDBusConnection bus, QObject* parent)
    : HelperApi(parent), m_bus(std::move(bus))
{
    qRegisterMetaType<LogLine>();
    m_client = std::make_unique<HelperClient>(m_bus);
    connect(m_client.get(), &HelperClient::stateChanged, this, &HelperSession::onStateChanged);
    connect(m_client.get(), &HelperClient::statsUpdated, this, &HelperSession::onStatsSignal);
    connect(m_client.get(), &HelperClient::logEntry, this, &HelperSession::onLogSignal);
    // A mesh's members come and go, or someone changed the peers: the new list and counters.
    connect(m_client.get(), &HelperClient::peersChanged, this, [this](const QString& name) {
        fetchTunnelInfo();
        fetchStats(name);
    });
    m_sampleTimer.setInterval(1000);
    connect(&m_sampleTimer, &QTimer::timeout, this, &HelperSession::sample);
    m_retryTimer.setSingleShot(true);
    m_retryTimer.setInterval(kRetryAfterStopMs);
    connect(&m_retryTimer, &QTimer::timeout, this, &HelperSession::refresh);
}

HelperSession::~HelperSession() = default;

void HelperSession::start()
{
    if (!m_bus.isConnected()) {
        setProblem(Problem::NoBus,
                   tr("The system message bus (D-Bus) cannot be reached, so peertun cannot talk "
                      "to its helper. Check that dbus is running."));
        return;
    }
    if (m_watcher != nullptr) {
        refresh(); // "Retry": ask again, the watcher is already in place
        return;
    }
    m_watcher = new QDBusServiceWatcher(dbus::kServiceName, m_bus,
                                        QDBusServiceWatcher::WatchForOwnerChange, this);
    connect(m_watcher, &QDBusServiceWatcher::serviceRegistered, this,
            &HelperSession::onServiceRegistered);
    connect(m_watcher, &QDBusServiceWatcher::serviceUnregistered, this,
            &HelperSession::onServiceUnregistered);
    m_sampleTimer.start();
    refresh();
}

// Version() first: it starts the helper through bus activation if needed and tells us whether
// it is installed at all. Then tunnels, counters and log.
void HelperSession::refresh()
{
    auto* versionCall = new QDBusPendingCallWatcher(m_client->version(), this);
    connect(versionCall, &QDBusPendingCallWatcher::finished, this,
            [this](QDBusPendingCallWatcher* call) {
                call->deleteLater();
                QDBusPendingReply<QString> reply = *call;
                if (reply.isError()) {
                    handleCallError(reply.error(), QString(), false);
                    return;
                }
                m_version = reply.value();
                helperIsBack();
            });

    auto* listCall = new QDBusPendingCallWatcher(m_client->listTunnels(), this);
    connect(listCall, &QDBusPendingCallWatcher::finished, this,
            [this](QDBusPendingCallWatcher* call) {
                call->deleteLater();
                QDBusPendingReply<QVariantMapList> reply = *call;
                if (reply.isError()) {
                    return; // reported by the Version() call
                }
                QSet<QString> up;
                for (const QVariantMap& map : HelperClient::toPlain(reply.value())) {
                    const dbus::TunnelInfo t = dbus::TunnelInfo::fromVariant(map);
                    const QString name = t.name;
                    up.insert(name);
                    m_tunnels[name].mode = dbus::parseMode(t.modeText);
                    m_tunnels[name].info = t;
                    if (m_tunnels.value(name).state != t.state) {
                        appLog(dbus::LogLevel::Info, name,
                               tr("Found tunnel %1 %2 in the helper.").arg(name, t.stateText));
                        setState(name, t.state, QString());
                    }
                    if (!t.detailsWithheld) {
                        fetchStats(name); // another user's: the helper would refuse
                    }
                }
                // Tunnels we thought were up but the helper does not have.
                for (auto it = m_tunnels.begin(); it != m_tunnels.end(); ++it) {
                    if (!up.contains(it.key()) && dbus::isUp(it->state) && !it->requestPending) {
                        setState(it.key(), TunnelState::Disconnected, QString());
                    }
                }
            });
    fetchLog();
}

// Only the entries' details (DNS, kill switch, endpoints): states come from StateChanged, and
// a tunnel on its way up is not listed yet, so this must not judge states.
void HelperSession::fetchTunnelInfo()
{
    auto* call = new QDBusPendingCallWatcher(m_client->listTunnels(), this);
    connect(call, &QDBusPendingCallWatcher::finished, this, [this](QDBusPendingCallWatcher* c) {
        c->deleteLater();
        QDBusPendingReply<QVariantMapList> reply = *c;
        if (reply.isError()) {
            return;
        }
        for (const QVariantMap& map : HelperClient::toPlain(reply.value())) {
            const dbus::TunnelInfo t = dbus::TunnelInfo::fromVariant(map);
            auto it = m_tunnels.find(t.name);
            if (it == m_tunnels.end() || it->state != t.state) {
                continue; // it changed meanwhile; its next state brings a new list
            }
            it->mode = dbus::parseMode(t.modeText);
            it->info = t;
            emit statsChanged(t.name);
        }
    });
}

void HelperSession::fetchLog()
{
    if (m_logFetchRunning) {
        m_logFetchAgain = true;
        return;
    }
    m_logFetchRunning = true;
    auto* call = new QDBusPendingCallWatcher(m_client->log(m_lastLogSeq), this);
    connect(call, &QDBusPendingCallWatcher::finished, this, [this](QDBusPendingCallWatcher* c) {
        c->deleteLater();
        m_logFetchRunning = false;
        const bool again = std::exchange(m_logFetchAgain, false);
        QDBusPendingReply<QVariantMapList> reply = *c;
        if (reply.isError()) {
            return;
        }
        const QVariantMapList entries = HelperClient::toPlain(reply.value());
        for (const QVariantMap& e : entries) {
            onLogEntry(e);
        }
        if (entries.size() >= 500 || again) {
            fetchLog(); // more pages, or entries announced meanwhile
        }
    });
}

void HelperSession::onLogSignal(const QVariantMap& entry)
{
    if (entry.contains(key::kText)) {
        onLogEntry(entry); // a helper that still sends whole entries
    } else if (entry.value(key::kSeq).toULongLong() > m_lastLogSeq) {
        fetchLog();
    }
}

void HelperSession::onLogEntry(const QVariantMap& entry)
{
    const dbus::LogRecord record = dbus::LogRecord::fromVariant(entry);
    if (record.seq <= m_lastLogSeq) {
        return; // already seen (signal and GetLog page can overlap)
    }
    m_lastLogSeq = record.seq;
    LogLine line;
    line.unixMs = record.unixMs;
    line.level = record.levelText;
    line.source = QStringLiteral("helper");
    line.tunnel = record.tunnel;
    line.text = record.text;
    emit logLine(line);
}

void HelperSession::appLog(dbus::LogLevel level, const QString& tunnel, const QString& text)
{
    LogLine line;
    line.unixMs = QDateTime::currentMSecsSinceEpoch();
    line.level = dbus::levelName(level);
    line.source = QStringLiteral("app");
    line.tunnel = tunnel;
    line.text = text;
    emit logLine(line);
}

void HelperSession::setState(const QString& name, TunnelState state, const QString& reason)
{
    TunnelStatus& t = m_tunnels[name];
    const TunnelState before = t.state;
    t.state = state;
    t.reason = reason;
    if (state != TunnelState::Connected) {
        t.rxBytesPerSecond = 0;
        t.txBytesPerSecond = 0;
    }
    if (state == TunnelState::Disconnected || state == TunnelState::Failed) {
        t.info.reset();
    }
    if (state == TunnelState::Blocked) {
        t.stats.clear(); // nothing runs: the counters were those of a helper that is gone
    }
    if ((state == TunnelState::Connected || state == TunnelState::Blocked) && before != state) {
        fetchTunnelInfo(); // what DNS and the kill switch do now
    }
    if (state == TunnelState::Connected && before != state) {
        t.history.clear();
        m_lastSampled.remove(name);
    }
    emit tunnelChanged(name);
    if (before == state) {
        return;
    }
    if (state == TunnelState::Connected || state == TunnelState::Failed ||
        (state == TunnelState::Disconnected && before == TunnelState::Connected)) {
        emit tunnelEvent(name, state, reason);
    }
}

void HelperSession::onStateChanged(const QString& name, const QString& stateText,
                                   const QString& reason)
{
    const std::optional<TunnelState> state = dbus::parseState(stateText);
    if (!state) {
        return; // a state of a newer helper; the next known one follows
    }
    // The helper names who asked ("requested by uid 1000 (:1.4)"); when it was this app, the
    // user knows, and the state says it all.
    // A failure's reason is its error: always shown.
    bool ours = false;
    if (*state == TunnelState::Disconnected) {
        ours = m_ownDisconnects.remove(name);
        m_ownConnects.remove(name);
    } else if (*state == TunnelState::Connecting) {
        ours = m_ownConnects.contains(name);
    } else {
        ours = m_ownConnects.remove(name) && *state == TunnelState::Connected;
    }
    setState(name, *state, ours ? QString() : reason);
    if (*state == TunnelState::Connected && mayReadDetails(name)) {
        fetchStats(name);
    }
}

// Until the tunnel list says otherwise (a tunnel we just connected), we may.
bool HelperSession::mayReadDetails(const QString& name) const
{
    const auto it = m_tunnels.constFind(name);
    return it == m_tunnels.cend() || !it->info || !it->info->detailsWithheld;
}

void HelperSession::fetchStats(const QString& name)
{
    auto* call = new QDBusPendingCallWatcher(m_client->stats(name), this);
    connect(call, &QDBusPendingCallWatcher::finished, this,
            [this, name](QDBusPendingCallWatcher* c) {
                c->deleteLater();
                QDBusPendingReply<QVariantMap> r = *c;
                if (!r.isError()) {
                    onStats({HelperClient::toPlain(r.value())});
                } else if (r.error().name() == dbus::kErrorNotAuthorized) {
                    // Another user's tunnel: the list's next answer says so; ask it now.
                    fetchTunnelInfo();
                }
            });
}

void HelperSession::onStatsSignal(const QVariantMapList& totals)
{
    QVariantMapList withheld;
    for (const QVariantMap& s : totals) {
        const QString name = s.value(key::kName).toString();
        if (name.isEmpty()) {
            continue;
        }
        if (mayReadDetails(name)) {
            fetchStats(name); // the peers' counters too
        } else {
            withheld << s; // totals are all anyone may see of it
        }
    }
    if (!withheld.isEmpty()) {
        onStats(withheld);
    }
}

void HelperSession::onStats(const QVariantMapList& stats)
{
    for (const QVariantMap& s : stats) {
        const QString name = s.value(key::kName).toString();
        if (name.isEmpty()) {
            continue;
        }
        TunnelStatus& t = m_tunnels[name];
        t.stats = s;
        const dbus::TunnelCounters counters = dbus::TunnelCounters::fromVariant(s);
        // After a network change the helper re-applies DNS: ask what it says now. When a mesh's
        // etcd is lost or back, its agent's state in words changed too.
        if (t.info &&
            (counters.networkChangedUnixMs != t.info->networkChangedUnixMs ||
             counters.storeUnreachableSinceUnixMs != t.info->storeUnreachableSinceUnixMs)) {
            t.info->networkChangedUnixMs = counters.networkChangedUnixMs;
            t.info->storeUnreachableSinceUnixMs = counters.storeUnreachableSinceUnixMs;
            fetchTunnelInfo();
        }
        emit statsChanged(name);
    }
}

// Once a second: rates from the difference to the previous totals. StatsUpdated only comes
// when counters change, so a quiet tunnel still gets its zero-rate samples here.
void HelperSession::sample()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const double seconds = m_lastSampleMs > 0 ? (now - m_lastSampleMs) / 1000.0 : 0;
    m_lastSampleMs = now;
    for (auto it = m_tunnels.begin(); it != m_tunnels.end(); ++it) {
        if (it->state != TunnelState::Connected || it->stats.isEmpty()) {
            continue;
        }
        const QVariantMap previous = m_lastSampled.value(it.key());
        m_lastSampled.insert(it.key(), it->stats);
        if (previous.isEmpty() || seconds <= 0) {
            continue;
        }
        const auto delta = [&](const QString& k) {
            const qulonglong now = it->stats.value(k).toULongLong();
            const qulonglong before = previous.value(k).toULongLong();
            return now >= before ? double(now - before) : 0.0;
        };
        RateSample s;
        s.unixMs = now;
        s.rxBytesPerSecond = delta(key::kRxBytes) / seconds;
        s.txBytesPerSecond = delta(key::kTxBytes) / seconds;
        it->rxBytesPerSecond = s.rxBytesPerSecond;
        it->txBytesPerSecond = s.txBytesPerSecond;
        it->history << s;
        while (it->history.size() > kHistorySeconds) {
            it->history.removeFirst();
        }
        emit statsChanged(it.key());
    }
}

void HelperSession::connectProfile(const Profile& profile)
{
    const QString name = profile.name;
    m_tunnels[name].requestPending = true;
    m_ownConnects.insert(name);
    setState(name, TunnelState::Connecting, QString());
    appLog(dbus::LogLevel::Info, name, tr("Asking the helper to connect %1.").arg(name));
    auto* call = new QDBusPendingCallWatcher(
        m_client->connectTunnel(QString::fromUtf8(serializeProfile(profile))), this);
    connect(call, &QDBusPendingCallWatcher::finished, this,
            [this, name](QDBusPendingCallWatcher* c) {
                c->deleteLater();
                m_tunnels[name].requestPending = false;
                QDBusPendingReply<QString> reply = *c;
                if (reply.isError()) {
                    m_ownConnects.remove(name);
                    handleCallError(reply.error(), name, true);
                    emit tunnelChanged(name);
                    return;
                }
                if (m_problem == Problem::NotAuthorized || m_problem == Problem::Restarted) {
                    setProblem(Problem::None, QString());
                }
                // StateChanged normally got here first; if not, the reply means it is up.
                if (m_tunnels.value(name).state == TunnelState::Connecting) {
                    onStateChanged(name, dbus::stateName(TunnelState::Connected), QString());
                }
                emit tunnelChanged(name); // no longer pending
            });
}

void HelperSession::disconnectTunnel(const QString& name)
{
    m_tunnels[name].requestPending = true;
    m_ownDisconnects.insert(name);
    emit tunnelChanged(name);
    appLog(dbus::LogLevel::Info, name, tr("Asking the helper to disconnect %1.").arg(name));
    auto* call = new QDBusPendingCallWatcher(m_client->disconnectTunnel(name), this);
    connect(call, &QDBusPendingCallWatcher::finished, this,
            [this, name](QDBusPendingCallWatcher* c) {
                c->deleteLater();
                m_tunnels[name].requestPending = false;
                QDBusPendingReply<> reply = *c;
                if (reply.isError()) {
                    m_ownDisconnects.remove(name);
                    if (reply.error().name() == dbus::kErrorNotFound) {
                        setState(name, TunnelState::Disconnected, QString()); // already gone
                        return;
                    }
                    handleCallError(reply.error(), name, true);
                    emit tunnelChanged(name);
                    return;
                }
                if (m_problem == Problem::NotAuthorized) {
                    setProblem(Problem::None, QString());
                }
                if (m_tunnels.value(name).state != TunnelState::Disconnected) {
                    setState(name, TunnelState::Disconnected, QString());
                }
                emit tunnelChanged(name); // no longer pending
            });
}

void HelperSession::setPeers(const Profile& profile)
{
    const QString name = profile.name;
    appLog(dbus::LogLevel::Info, name,
           tr("Asking the helper to change the peers of %1.").arg(name));
    auto* call = new QDBusPendingCallWatcher(
        m_client->setPeers(name, QString::fromUtf8(serializeProfile(profile))), this);
    connect(call, &QDBusPendingCallWatcher::finished, this,
            [this, name](QDBusPendingCallWatcher* c) {
                c->deleteLater();
                QDBusPendingReply<> reply = *c;
                if (reply.isError()) {
                    handleCallError(reply.error(), name, true);
                    emit peersSet(name, reply.error().name(), reply.error().message());
                    emit tunnelChanged(name);
                    return;
                }
                appLog(dbus::LogLevel::Info, name, tr("The peers of %1 changed.").arg(name));
                emit peersSet(name, QString(), QString());
                emit tunnelChanged(name);
            });
}

void HelperSession::handleCallError(const QDBusError& error, const QString& tunnel, bool control)
{
    const QString name = error.name();
    const QString message = error.message();
    if (name == dbus::kErrorNotAuthorized) {
        // Nothing changed in the helper: the tunnel is where it was.
        if (!tunnel.isEmpty() && m_tunnels.value(tunnel).state == TunnelState::Connecting) {
            setState(tunnel, TunnelState::Disconnected, QString());
        }
        appLog(dbus::LogLevel::Warning, tunnel, tr("Authorization refused: %1").arg(message));
        setProblem(Problem::NotAuthorized,
                   tr("Authorization was refused: you are not allowed to connect or disconnect "
                      "tunnels (%1). Ask an administrator to allow the action "
                      "io.peertun.control for you, e.g. by adding you to the group netdev "
                      "with peertun's polkit rule.")
                       .arg(message));
        return;
    }
    if (name == QLatin1String("org.freedesktop.DBus.Error.ServiceUnknown")) {
        m_helperRunning = false;
        setProblem(Problem::NotInstalled,
                   tr("The peertun helper is not installed (nobody provides io.peertun.Helper1 "
                      "on the system bus). Install peertun with its system files "
                      "(sudo cmake --install build) and try again."));
    } else if (name.startsWith(QLatin1String("org.freedesktop.DBus.Error.Spawn")) ||
               name == QLatin1String("org.freedesktop.DBus.Error.NoReply") ||
               name == QLatin1String("org.freedesktop.DBus.Error.Timeout") ||
               name == QLatin1String("org.freedesktop.DBus.Error.NoServer") ||
               name == QLatin1String("org.freedesktop.DBus.Error.Disconnected")) {
        setProblem(Problem::NotResponding,
                   tr("The peertun helper does not respond (%1). Check "
                      "\"journalctl -u peertun-helper\"; peertun keeps trying.")
                       .arg(message));
        m_retryTimer.start(5000);
    }
    if (name == dbus::kErrorAlreadyConnected) {
        refresh(); // we missed it coming up (e.g. by peertunctl): show it as it is
    }
    if (!tunnel.isEmpty() && control) {
        const TunnelStatus t = m_tunnels.value(tunnel);
        if (t.state == TunnelState::Connecting) {
            setState(tunnel, TunnelState::Failed, message);
        }
        appLog(dbus::LogLevel::Error, tunnel, message);
    }
}

void HelperSession::onServiceRegistered()
{
    appLog(dbus::LogLevel::Info, QString(), tr("The helper is running."));
    m_lastLogSeq = 0; // a new helper numbers its log from 1 again
    helperIsBack();
    refresh();
}

void HelperSession::helperIsBack()
{
    if (!m_helperRunning) {
        m_helperRunning = true;
        emit helperAvailabilityChanged(true);
    }
    if (m_problem == Problem::Stopped) {
        setProblem(Problem::Restarted,
                   tr("The peertun helper was restarted. The tunnels that went down with it (%1) "
                      "stay down until you connect them again.")
                       .arg(m_lostTunnels.join(QStringLiteral(", "))));
    } else if (m_problem == Problem::NotResponding || m_problem == Problem::NotInstalled) {
        setProblem(Problem::None, QString());
    }
}

void HelperSession::onServiceUnregistered()
{
    m_helperRunning = false;
    emit helperAvailabilityChanged(false);
    QStringList lost;
    for (auto it = m_tunnels.begin(); it != m_tunnels.end(); ++it) {
        if (dbus::isUp(it->state)) {
            lost << it.key();
        }
    }
    if (lost.isEmpty()) {
        // The helper exits by itself when idle; that is not a problem.
        appLog(dbus::LogLevel::Debug, QString(), tr("The helper exited (idle)."));
        return;
    }
    m_lostTunnels = lost;
    for (const QString& name : std::as_const(lost)) {
        m_tunnels[name].requestPending = false;
        setState(name, TunnelState::Disconnected, tr("the helper stopped"));
    }
    appLog(
        dbus::LogLevel::Error, QString(),
        tr("The helper stopped while tunnels were up: %1.").arg(lost.join(QStringLiteral(", "))));
    setProblem(Problem::Stopped,
               tr("The peertun helper stopped unexpectedly; the tunnels %1 are down. peertun "
                  "starts it again and reconnects to it; connect the tunnels again when it is "
                  "back.")
                   .arg(lost.join(QStringLiteral(", "))));
    m_retryTimer.start(kRetryAfterStopMs); // bus activation brings it back
}

void HelperSession::setProblem(Problem problem, const QString& text)
{
    if (problem == m_problem && text == m_problemText) {
        return;
    }
    m_problem = problem;
    m_problemText = text;
    emit problemChanged(problem, text);
}

} // namespace peertun
