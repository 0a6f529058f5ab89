// The io.peertun.Helper1 object: thin glue between the generated adaptor and TunnelManager.
// Checks limits, asks polkit (asynchronously, with delayed replies) before Connect and
// Disconnect, maps failures to named errors, and exits after a quiet period with no tunnels.
// No packet code lives here.
#pragma once

#include "AuditLog.h"
#include "Authorizer.h"
#include "Capabilities.h"
#include "DBusContract.h"
#include "TunnelManager.h"
#include "UidRateLimiter.h"

#include <QDBusConnection>
#include <QDBusContext>
#include <QDBusMessage>
#include <QDBusServiceWatcher>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>
#include <functional>
#include <memory>
#include <optional>

namespace peertun {

struct HelperServiceOptions
{
    int idleExitSeconds = 60;                          // 0: never exit on idle
    PrivilegeDrop privileges;                          // who the helper runs as (for the log)
    QString syslogSocket = QStringLiteral("/dev/log"); // where security events go (AuditLog)
    // A caller's uid from its unique bus name; empty: ask the bus daemon (the only source the
    // helper trusts). Unit tests give their connections distinct uids here.
    std::function<std::optional<uint32_t>(const QString& busName)> callerUid;
};

class HelperService : public QObject, protected QDBusContext
{
    Q_OBJECT
public:
    // Authorization requests waiting for polkit, in total, per caller (bus connection) and per
    // uid (however many connections it opens).
    static constexpr int kMaxPendingCalls = 32;
    static constexpr int kMaxPendingCallsPerCaller = 4;
    static constexpr int kMaxPendingCallsPerUid = 8;
    // A uid that polkit refused this often within the window gets RateLimited at once, without
    // a polkit query, until its window ends.
    static constexpr int kMaxRefusalsPerUid = 10;
    static constexpr int64_t kRefusalWindowMs = 60000;
    // Longer tunnel names are refused without a lookup and never echoed in full.
    static constexpr qsizetype kMaxNameLength = 256;
    static constexpr qsizetype kMaxLoggedErrorLength = 300;
    // Between giving the name back on idle exit and leaving.
    static constexpr int kClosingGraceMs = 250;

    // `authorizer` defaults to polkit on `bus`, `factory` to the engine's tunnels; unit tests
    // pass fakes for both.
    HelperService(const QDBusConnection& bus, HelperServiceOptions options,
                  std::unique_ptr<Authorizer> authorizer = {}, TunnelFactory factory = {},
                  QObject* parent = nullptr);
    ~HelperService() override;

    // Exports the object and takes the bus name. False (with a reason) if that failed.
    bool start(QString* error);
    // Tears every tunnel down; the helper is about to exit.
    void shutdown(const QString& reason);

public slots: // called by the generated adaptor, named as in the contract
    QString Version();
    QString Connect(const QString& profileJson);
    void Disconnect(const QString& name);
    void SetPeers(const QString& name, const QString& profileJson);
    QVariantMapList ListTunnels();
    QVariantMap GetStats(const QString& name);
    QVariantMapList GetLog(qulonglong afterSeq);
    void AuthorizeDetails();

    // Resume from suspend and the like (SleepWatcher): every tunnel treats it as a change of
    // its underlay.
    void underlayChanged(const QString& reason) { m_manager.underlayChanged(reason); }

signals:
    void StateChanged(const QString& name, const QString& state, const QString& reason);
    void PeersChanged(const QString& name);
    void StatsUpdated(const QVariantMapList& stats);
    void LogEntry(const QVariantMap& entry);
    void idleTimeout();

private:
    enum class Operation { Connect, Disconnect, SetPeers, AuthorizeDetails };
    struct PendingRequest
    {
        QDBusMessage message;
        QString caller; // unique bus name, from the bus daemon
        uint32_t uid;   // the caller's, from the bus daemon
        Operation operation;
        QString argument; // profile JSON (Connect) or tunnel name
        QString profile;  // SetPeers: the profile JSON
        // Disconnect/SetPeers: the owner the decision was made for (it must still hold).
        std::optional<uint32_t> owner;
        QStringList actions; // polkit actions still to ask, in order
    };

    // Starts authorization of a call (AccessPolicy says which actions); the reply is sent
    // later.
    void authorizeThenRun(Operation operation, const QString& argument,
                          const QString& profile = {});
    // Asks polkit about the request's first remaining action.
    void askNext(PendingRequest request);
    void refuse(const PendingRequest& request, Authorizer::Result result, const QString& action,
                const QString& detail);
    std::optional<uint32_t> uidOf(const QString& caller);
    // Who the caller of the current message is, for reads.
    TunnelManager::Viewer currentViewer();
    // Broadcasts go to every local user: only what everyone may see.
    void broadcastState(const QString& name, const QString& state);
    void broadcastStats(const QVariantMapList& stats);
    void broadcastLogEntry(const QVariantMap& entry);
    static QString operationName(Operation operation);
    void finishAuthorized(const PendingRequest& request);
    void onCallerVanished(const QString& caller);
    QString describeCaller(const QString& caller);
    // A security event of a caller: the in-memory log and syslog, bounded per uid.
    void audit(uint32_t uid, AuditLog::Kind kind, const QString& tunnel, const QString& text);
    void touch();
    void onIdleTimer();

    QDBusConnection m_bus;
    HelperServiceOptions m_options;
    TunnelManager m_manager;
    std::unique_ptr<Authorizer> m_authorizer;
    QHash<uint64_t, PendingRequest> m_pending; // by polkit check id
    AuditLog m_audit;
    UidRateLimiter m_refusals; // polkit's refusals per uid
    // Connections polkit allowed io.peertun.read-details: until they leave the bus.
    QSet<QString> m_readGrants;
    QHash<QString, uint32_t> m_uidCache; // unique names are never reused on a bus
    QDBusServiceWatcher m_callerWatcher;
    QTimer m_idleTimer;
    bool m_closing = false; // idle exit under way: no new control requests
};

// Runs the D-Bus service until idle exit, SIGTERM/SIGINT or loss of the bus. Needs a
// QCoreApplication. Returns the process exit code.
int runHelperService(const HelperServiceOptions& options);

} // namespace peertun
