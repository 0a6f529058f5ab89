#include "HelperService.h"

#include "AccessPolicy.h"
#include "Clock.h"
#include "PolkitAuthorizer.h"
#include "SignalNotifier.h"
#include "SleepWatcher.h"
#include "helper1_adaptor.h" // generated from io.peertun.Helper1.xml

#include <QCoreApplication>
#include <QDBusConnectionInterface>
#include <algorithm>
#include <csignal>
#include <memory>
#include <unistd.h>

namespace peertun {
HelperService::HelperService(const QDBusConnection& bus, HelperServiceOptions options,
                             std::unique_ptr<Authorizer> authorizer, TunnelFactory factory,
                             QObject* parent)
    : QObject(parent), m_bus(bus), m_options(options), m_manager(std::move(factory)),
      m_authorizer(authorizer ? std::move(authorizer) : std::make_unique<PolkitAuthorizer>(bus)),
      m_audit([this](uint32_t uid, engine::LogLevel level, const QString& tunnel,
                     const QString& text) { m_manager.log(level, tunnel, text, uid); },
              std::make_unique<SyslogSink>(options.syslogSocket), engine::monotonicMs),
      m_refusals(kMaxRefusalsPerUid, kRefusalWindowMs, engine::monotonicMs)
{
    new Helper1Adaptor(this); // owned by this; relays our signals onto the bus

    connect(&m_manager, &TunnelManager::stateChanged, this,
            [this](const QString& name, const QString& state) { broadcastState(name, state); });
    connect(&m_manager, &TunnelManager::peersChanged, this, &HelperService::PeersChanged);
    connect(&m_manager, &TunnelManager::statsUpdated, this, &HelperService::broadcastStats);
    connect(&m_manager, &TunnelManager::logEntry, this, &HelperService::broadcastLogEntry);
    connect(&m_manager, &TunnelManager::stateChanged, this, [this] { touch(); });

    m_callerWatcher.setConnection(m_bus);
    m_callerWatcher.setWatchMode(QDBusServiceWatcher::WatchForUnregistration);
    connect(&m_callerWatcher, &QDBusServiceWatcher::serviceUnregistered, this,
            &HelperService::onCallerVanished);

    m_idleTimer.setSingleShot(true);
    connect(&m_idleTimer, &QTimer::timeout, this, &HelperService::onIdleTimer);
    touch();
}

HelperService::~HelperService()
{
    shutdown(QStringLiteral("the helper is exiting"));
}

bool HelperService::start(QString* error)
{
    if (!m_bus.isConnected()) {
        *error =
            QStringLiteral("cannot connect to the system bus: %1").arg(m_bus.lastError().message());
        return false;
    }
    if (!m_bus.registerObject(dbus::kObjectPath, this)) {
        *error = QStringLiteral("cannot export %1").arg(dbus::kObjectPath);
        return false;
    }
    if (!m_bus.registerService(dbus::kServiceName)) {
        *error = QStringLiteral("cannot own %1: %2")
                     .arg(dbus::kServiceName, m_bus.lastError().message());
        return false;
    }
    m_manager.log(
        engine::LogLevel::Info, QString(),
        QStringLiteral("peertun-helper %1 started").arg(QCoreApplication::applicationVersion()));
    const PrivilegeDrop& who = m_options.privileges;
    if (!who.user.isEmpty()) {
        m_manager.log(engine::LogLevel::Info, QString(),
                      QStringLiteral("running as %1 (uid %2, gid %3) with CAP_NET_ADMIN and "
                                     "CAP_NET_BIND_SERVICE only")
                          .arg(who.user)
                          .arg(who.uid)
                          .arg(who.gid));
    }
    if (!who.warning.isEmpty()) {
        m_manager.log(engine::LogLevel::Warning, QString(), who.warning);
    }
    return true;
}

void HelperService::shutdown(const QString& reason)
{
    for (uint64_t id : m_pending.keys()) {
        m_authorizer->cancel(id);
    }
    m_pending.clear();
    m_manager.disconnectAll(reason);
}

void HelperService::touch()
{
    if (m_options.idleExitSeconds > 0) {
        m_idleTimer.start(m_options.idleExitSeconds * 1000);
    }
}

void HelperService::onIdleTimer()
{
    if (m_manager.tunnelCount() == 0 && m_pending.isEmpty()) {
        // Give the name back first so new calls activate a fresh helper, then answer what
        // was already on its way to us before leaving.
        m_closing = true;
        m_bus.unregisterService(dbus::kServiceName);
        QTimer::singleShot(kClosingGraceMs, this, &HelperService::idleTimeout);
    } else {
        touch();
    }
}

QString HelperService::Version()
{
    touch();
    return QCoreApplication::applicationVersion();
}

// Any local user receives the signals: they carry names, states and totals only. The reason
// of a state change (who asked, what failed, naming endpoints) is in the tunnel's log, the
// peers' counters in GetStats, the entries in GetLog: each read as the caller may.
void HelperService::broadcastState(const QString& name, const QString& state)
{
    emit StateChanged(name, state, QString());
}

void HelperService::broadcastStats(const QVariantMapList& stats)
{
    QVariantMapList totals;
    for (QVariantMap s : stats) {
        s.remove(dbus::key::kPeers);
        totals << s;
    }
    emit StatsUpdated(totals);
}

void HelperService::broadcastLogEntry(const QVariantMap& entry)
{
    emit LogEntry(QVariantMap{{dbus::key::kSeq, entry.value(dbus::key::kSeq)}});
}

std::optional<uint32_t> HelperService::uidOf(const QString& caller)
{
    if (const auto it = m_uidCache.constFind(caller); it != m_uidCache.cend()) {
        return *it;
    }
    std::optional<uint32_t> uid;
    if (m_options.callerUid) {
        uid = m_options.callerUid(caller);
    } else {
        // The uid comes from the bus daemon, never from the caller.
        const QDBusReply<uint> reply = m_bus.interface()->serviceUid(caller);
        if (reply.isValid()) {
            uid = reply.value();
        }
    }
    if (uid) {
        if (m_uidCache.size() >= 1024) {
            m_uidCache.clear(); // bounded; a miss only costs one more question to the bus
        }
        m_uidCache.insert(caller, *uid);
    }
    return uid;
}

TunnelManager::Viewer HelperService::currentViewer()
{
    const QString caller = message().service();
    const std::optional<uint32_t> uid = uidOf(caller);
    if (!uid) {
        // Unknown caller: sees what everyone sees (uid_t's -1 owns nothing).
        return TunnelManager::Viewer{UINT32_MAX, false};
    }
    return TunnelManager::Viewer{*uid, *uid == 0 || m_readGrants.contains(caller)};
}

QVariantMapList HelperService::ListTunnels()
{
    touch();
    return m_manager.tunnels(currentViewer());
}

QVariantMap HelperService::GetStats(const QString& name)
{
    touch();
    if (auto stats = m_manager.stats(name)) {
        const TunnelManager::Viewer viewer = currentViewer();
        if (!viewer.mayRead(m_manager.ownerOf(name).value_or(0))) {
            sendErrorReply(dbus::kErrorNotAuthorized,
                           QStringLiteral("Tunnel \"%1\" belongs to another user: only they and "
                                          "administrators see its peers and counters (polkit "
                                          "action %2; `peertunctl status --details` asks for "
                                          "it).")
                               .arg(name, dbus::kReadAction));
            return {};
        }
        return *stats;
    }
    // Names are short; do not echo an arbitrarily long argument back.
    sendErrorReply(
        dbus::kErrorNotFound,
        QStringLiteral("There is no tunnel named \"%1\"; `peertunctl status` lists the "
                       "tunnels that are up.")
            .arg(name.size() > kMaxNameLength ? name.left(kMaxNameLength) + u'…' : name));
    return {};
}

QVariantMapList HelperService::GetLog(qulonglong afterSeq)
{
    touch();
    return m_manager.logSince(afterSeq, currentViewer());
}

void HelperService::AuthorizeDetails()
{
    touch();
    authorizeThenRun(Operation::AuthorizeDetails, QString());
}

namespace {

// Cheap size check first, so an oversized profile is neither held nor parsed.
std::optional<QString> oversized(const QString& profileJson)
{
    const qsizetype bytes = profileJson.toUtf8().size();
    if (bytes <= kMaxProfileBytes) {
        return std::nullopt;
    }
    return QStringLiteral("The profile is %1 bytes long; a profile may have at most %2 bytes.")
        .arg(bytes)
        .arg(kMaxProfileBytes);
}

} // namespace

QString HelperService::operationName(Operation operation)
{
    switch (operation) {
    case Operation::Connect:
        return QStringLiteral("Connect");
    case Operation::Disconnect:
        return QStringLiteral("Disconnect");
    case Operation::AuthorizeDetails:
        return QStringLiteral("AuthorizeDetails");
    case Operation::SetPeers:
        break;
    }
    return QStringLiteral("SetPeers");
}

QString HelperService::Connect(const QString& profileJson)
{
    touch();
    if (const auto tooBig = oversized(profileJson)) {
        sendErrorReply(dbus::kErrorInvalidProfile, *tooBig);
        return {};
    }
    authorizeThenRun(Operation::Connect, profileJson);
    return {};
}

void HelperService::SetPeers(const QString& name, const QString& profileJson)
{
    touch();
    if (name.size() > kMaxNameLength) {
        sendErrorReply(dbus::kErrorNotFound, QStringLiteral("There is no tunnel with that name."));
        return;
    }
    if (const auto tooBig = oversized(profileJson)) {
        sendErrorReply(dbus::kErrorInvalidProfile, *tooBig);
        return;
    }
    authorizeThenRun(Operation::SetPeers, name, profileJson);
}

void HelperService::Disconnect(const QString& name)
{
    touch();
    if (name.size() > kMaxNameLength) {
        sendErrorReply(dbus::kErrorNotFound, QStringLiteral("There is no tunnel with that name."));
        return;
    }
    authorizeThenRun(Operation::Disconnect, name);
}

void HelperService::authorizeThenRun(Operation operation, const QString& argument,
                                     const QString& profile)
{
    if (m_closing) {
        sendErrorReply(dbus::kErrorBusy,
                       QStringLiteral("The helper is exiting after a quiet period; try again."));
        return;
    }
    const QString caller = message().service();
    const QString what = operationName(operation);
    const std::optional<uint32_t> callerUid = uidOf(caller);
    if (!callerUid) {
        sendErrorReply(dbus::kErrorNotAuthorized,
                       QStringLiteral("The bus daemon does not say who you are."));
        return;
    }
    const uint32_t uid = *callerUid;
    const QString who = QStringLiteral("uid %1 (%2)").arg(uid).arg(caller);
    // A uid polkit keeps refusing is not asked about again for a while: no flood of polkit
    // queries (and prompts) from one user.
    if (uid != 0 && m_refusals.exhausted(uid)) {
        const int64_t seconds = (m_refusals.msUntilReset(uid) + 999) / 1000;
        audit(uid, AuditLog::Kind::Refused, QString(),
              QStringLiteral("%1 from %2 rate-limited: polkit refused this uid %3 times within "
                             "%4 s")
                  .arg(what, who)
                  .arg(kMaxRefusalsPerUid)
                  .arg(kRefusalWindowMs / 1000));
        sendErrorReply(dbus::kErrorRateLimited,
                       QStringLiteral("polkit refused %1 requests of yours within %2 s; the "
                                      "helper does not ask again for %3 s.")
                           .arg(kMaxRefusalsPerUid)
                           .arg(kRefusalWindowMs / 1000)
                           .arg(seconds));
        return;
    }
    int fromCaller = 0;
    int fromUid = 0;
    for (const PendingRequest& p : std::as_const(m_pending)) {
        fromCaller += p.caller == caller ? 1 : 0;
        fromUid += p.uid == uid ? 1 : 0;
    }
    if (m_pending.size() >= kMaxPendingCalls || fromCaller >= kMaxPendingCallsPerCaller ||
        fromUid >= kMaxPendingCallsPerUid) {
        audit(uid, AuditLog::Kind::Refused, QString(),
              QStringLiteral("%1 from %2 refused: %3 requests are waiting for authorization")
                  .arg(what, who)
                  .arg(fromUid >= kMaxPendingCallsPerUid ? QStringLiteral("too many of its")
                                                         : QStringLiteral("too many")));
        sendErrorReply(dbus::kErrorBusy,
                       QStringLiteral("Too many requests are waiting for authorization; try "
                                      "again in a moment."));
        return;
    }

    // Which actions: from the tunnel's owner and what the call asks for. A profile that does
    // not parse asks for the plain control action and fails as invalid after it.
    AccessRequest access;
    access.callerUid = uid;
    PendingRequest request{message(), caller, uid, operation, argument, profile, {}, {}};
    switch (operation) {
    case Operation::Connect: {
        access.access = Access::Connect;
        const ProfileParseResult parsed = parseProfile(argument.toUtf8());
        access.privileged = parsed.ok() && (routesEverything(*parsed.profile) ||
                                            listensOnPrivilegedPort(*parsed.profile));
        break;
    }
    case Operation::SetPeers: {
        access.access = Access::SetPeers;
        const ProfileParseResult parsed = parseProfile(profile.toUtf8());
        access.privileged = parsed.ok() && routesEverything(*parsed.profile);
        access.ownerUid = m_manager.ownerOf(argument);
        break;
    }
    case Operation::Disconnect:
        access.access = Access::Disconnect;
        access.ownerUid = m_manager.ownerOf(argument);
        break;
    case Operation::AuthorizeDetails:
        access.access = Access::ReadDetails; // about every tunnel: never the owner's own
        access.ownerUid = std::nullopt;
        break;
    }
    request.owner = access.ownerUid;
    request.actions = decideAccess(access).actions;

    setDelayedReply(true);
    // root needs no polkit (which would say yes anyway): servers and scripts work without a
    // polkitd.
    if (request.actions.isEmpty()) {
        finishAuthorized(request);
        return;
    }
    m_callerWatcher.addWatchedService(caller);
    askNext(std::move(request));
}

void HelperService::askNext(PendingRequest request)
{
    const QString action = request.actions.first();
    audit(request.uid, AuditLog::Kind::Trace, QString(),
          QStringLiteral("%1 from uid %2 (%3): asking polkit for %4")
              .arg(operationName(request.operation))
              .arg(request.uid)
              .arg(request.caller, action));
    // polkit answers on a later turn of the event loop, after the id is stored below.
    auto id = std::make_shared<uint64_t>(0);
    *id = m_authorizer->check(
        request.caller, action,
        [this, id, action](Authorizer::Result result, const QString& detail) {
            const auto it = m_pending.find(*id);
            if (it == m_pending.end()) {
                return;
            }
            PendingRequest request = *it;
            m_pending.erase(it);
            touch();
            if (result == Authorizer::Result::Authorized && request.actions.size() > 1) {
                request.actions.removeFirst();
                askNext(std::move(request)); // still watched: it stays pending
                return;
            }
            const bool keepWatching =
                (result == Authorizer::Result::Authorized &&
                 request.operation == Operation::AuthorizeDetails) ||
                m_readGrants.contains(request.caller) ||
                std::any_of(m_pending.cbegin(), m_pending.cend(),
                            [&](const PendingRequest& p) { return p.caller == request.caller; });
            if (!keepWatching) {
                m_callerWatcher.removeWatchedService(request.caller);
            }
            if (result == Authorizer::Result::Authorized) {
                finishAuthorized(request);
                return;
            }
            refuse(request, result, action, detail);
        });
    m_pending.insert(*id, std::move(request));
}

void HelperService::refuse(const PendingRequest& request, Authorizer::Result result,
                           const QString& action, const QString& detail)
{
    QString what;
    if (action == dbus::kPrivilegedAction) {
        what = QStringLiteral("You are not allowed to connect a tunnel that routes all traffic or "
                              "listens on a port below 1024");
    } else if (action == dbus::kControlOthersAction) {
        what = QStringLiteral("Tunnel \"%1\" belongs to another user; you are not allowed to "
                              "disconnect or change it")
                   .arg(request.argument.left(64));
    } else if (action == dbus::kReadAction) {
        what = QStringLiteral("You are not allowed to see the details of other users' tunnels");
    } else {
        what = QStringLiteral("You are not allowed to connect or disconnect peertun tunnels");
    }
    QString sentence = QStringLiteral("%1 (polkit action %2)").arg(what, action);
    if (result == Authorizer::Result::Unavailable) {
        sentence = QStringLiteral("Authorization could not be checked because polkit did not "
                                  "answer (%1); is polkitd running?")
                       .arg(detail);
    } else {
        // Only polkit's no counts towards the rate limit, not its absence.
        m_refusals.record(request.uid);
        sentence += detail.isEmpty() ? QStringLiteral(".") : QStringLiteral(": %1.").arg(detail);
    }
    audit(request.uid, AuditLog::Kind::Refused, QString(),
          QStringLiteral("%1 denied to uid %2 (%3): %4")
              .arg(operationName(request.operation))
              .arg(request.uid)
              .arg(request.caller, action));
    m_bus.send(request.message.createErrorReply(dbus::kErrorNotAuthorized, sentence));
}

void HelperService::finishAuthorized(const PendingRequest& request)
{
    const QString who = describeCaller(request.caller);
    std::optional<TunnelManager::Failure> failure;
    QString tunnelName;
    if (request.operation == Operation::AuthorizeDetails) {
        m_readGrants.insert(request.caller);
        m_callerWatcher.addWatchedService(request.caller); // the grant ends when it leaves
        audit(request.uid, AuditLog::Kind::Trace, QString(),
              QStringLiteral("%1 may see every tunnel's details until it leaves the bus").arg(who));
        m_bus.send(request.message.createReply());
        return;
    }
    if ((request.operation == Operation::Disconnect || request.operation == Operation::SetPeers) &&
        m_manager.ownerOf(request.argument) != request.owner) {
        // Another tunnel took the name (or it went) while polkit decided: the answer was
        // about a tunnel that is no longer there.
        failure = TunnelManager::Failure{
            dbus::kErrorBusy,
            QStringLiteral("Tunnel \"%1\" changed while authorization was under way; try "
                           "again.")
                .arg(request.argument.left(64))};
        tunnelName = request.argument;
    } else if (request.operation == Operation::Connect) {
        ProfileParseResult parsed = parseProfile(request.argument.toUtf8());
        if (!parsed.ok()) {
            failure = TunnelManager::Failure{
                dbus::kErrorInvalidProfile,
                QStringLiteral("The profile is not valid: %1").arg(parsed.errorText())};
        } else {
            tunnelName = parsed.profile->name;
            failure = m_manager.connectTunnel(
                *parsed.profile, QStringLiteral("requested by %1").arg(who), request.uid);
            wipeSecrets(*parsed.profile); // the engine holds its own locked copies
        }
    } else if (request.operation == Operation::SetPeers) {
        tunnelName = request.argument;
        ProfileParseResult parsed = parseProfile(request.profile.toUtf8());
        if (!parsed.ok()) {
            failure = TunnelManager::Failure{
                dbus::kErrorInvalidProfile,
                QStringLiteral("The profile is not valid: %1").arg(parsed.errorText())};
        } else {
            failure = m_manager.setPeers(request.argument, *parsed.profile,
                                         QStringLiteral("requested by %1").arg(who));
            wipeSecrets(*parsed.profile); // the engine holds its own locked copies
        }
    } else {
        tunnelName = request.argument;
        failure = m_manager.disconnectTunnel(request.argument,
                                             QStringLiteral("requested by %1").arg(who));
    }
    const bool connect = request.operation == Operation::Connect;
    // Names in the audit are the caller's words: bounded (the tunnel's own name is validated).
    const QString auditName = tunnelName.left(64);
    if (failure) {
        // An audit trail of refused requests; bounded, the reply has the full sentence.
        audit(request.uid, AuditLog::Kind::Refused, QString(),
              QStringLiteral("%1 from %2 refused: %3")
                  .arg(operationName(request.operation), who,
                       failure->message.left(kMaxLoggedErrorLength)));
        m_bus.send(request.message.createErrorReply(failure->errorName, failure->message));
    } else if (connect) {
        audit(request.uid, AuditLog::Kind::Connected, auditName,
              QStringLiteral("connected on request of %1").arg(who));
        m_bus.send(request.message.createReply(tunnelName));
    } else if (request.operation == Operation::SetPeers) {
        audit(request.uid, AuditLog::Kind::Trace, auditName,
              QStringLiteral("peers replaced on request of %1").arg(who));
        m_bus.send(request.message.createReply());
    } else {
        audit(request.uid, AuditLog::Kind::Disconnected, auditName,
              QStringLiteral("disconnected on request of %1").arg(who));
        m_bus.send(request.message.createReply());
    }
}

void HelperService::audit(uint32_t uid, AuditLog::Kind kind, const QString& tunnel,
                          const QString& text)
{
    m_audit.event(uid, kind, tunnel, text);
}

QString HelperService::describeCaller(const QString& caller)
{
    if (const std::optional<uint32_t> uid = uidOf(caller)) {
        return QStringLiteral("uid %1 (%2)").arg(*uid).arg(caller);
    }
    return caller;
}

void HelperService::onCallerVanished(const QString& caller)
{
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        if (it->caller == caller) {
            m_authorizer->cancel(it.key());
            m_manager.log(engine::LogLevel::Info, QString(),
                          QStringLiteral("%1 left the bus before authorization finished; its "
                                         "request was dropped")
                              .arg(caller));
            it = m_pending.erase(it);
        } else {
            ++it;
        }
    }
    m_readGrants.remove(caller);
    m_uidCache.remove(caller);
    m_callerWatcher.removeWatchedService(caller);
}

int runHelperService(const HelperServiceOptions& options)
{
    dbus::registerContractTypes();
    // SIGTERM/SIGINT/SIGHUP: teardown runs on the main loop.
    SignalNotifier termination({SIGTERM, SIGINT, SIGHUP});
    QDBusConnection bus = QDBusConnection::systemBus();
    HelperService service(bus, options);
    QString error;
    if (!service.start(&error)) {
        qCritical("peertun-helper: %s", qPrintable(error));
        return 1;
    }
    SleepWatcher sleep(bus);
    QObject::connect(&sleep, &SleepWatcher::resumed, &service, [&service] {
        service.underlayChanged(QStringLiteral("resume from suspend"));
    });
    qDebug("peertun-helper: %s", qPrintable(sleep.describe()));
    int exitCode = 0;
    QObject::connect(&service, &HelperService::idleTimeout, qApp,
                     [] { QCoreApplication::exit(0); });
    termination.onSignal([](int) { QCoreApplication::exit(0); });
    // Without the bus nobody can control the tunnels any more: tear down and leave.
    bus.connect(QString(), QStringLiteral("/org/freedesktop/DBus/Local"),
                QStringLiteral("org.freedesktop.DBus.Local"), QStringLiteral("Disconnected"), qApp,
                SLOT(quit()));
    exitCode = QCoreApplication::exec();
    service.shutdown(QStringLiteral("the helper is exiting"));
    // A blocking round trip to the bus daemon: the signals above are on the wire before the
    // process ends (QtDBus sends from its own thread), and the name is released for the next
    // activation.
    bus.unregisterService(dbus::kServiceName);
    return exitCode;
}

} // namespace peertun
