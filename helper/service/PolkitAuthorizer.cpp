#include "PolkitAuthorizer.h"

#include <QDBusArgument>
#include <QDBusMessage>
#include <QDBusMetaType>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>

namespace {

const QString kPolkitService = QStringLiteral("org.freedesktop.PolicyKit1");
const QString kPolkitPath = QStringLiteral("/org/freedesktop/PolicyKit1/Authority");
const QString kPolkitInterface = QStringLiteral("org.freedesktop.PolicyKit1.Authority");
constexpr uint kAllowUserInteraction = 0x1;

// (sa{sv}): polkit's Subject.
struct PolkitSubject
{
    QString kind;
    QVariantMap details;
};

QDBusArgument& operator<<(QDBusArgument& arg, const PolkitSubject& s)
{
    arg.beginStructure();
    arg << s.kind << s.details;
    arg.endStructure();
    return arg;
}

const QDBusArgument& operator>>(const QDBusArgument& arg, PolkitSubject& s)
{
    arg.beginStructure();
    arg >> s.kind >> s.details;
    arg.endStructure();
    return arg;
}

// (bba{ss}): polkit's AuthorizationResult.
struct PolkitResult
{
    bool isAuthorized = false;
    bool isChallenge = false;
    QMap<QString, QString> details;
};

QDBusArgument& operator<<(QDBusArgument& arg, const PolkitResult& r)
{
    arg.beginStructure();
    arg << r.isAuthorized << r.isChallenge << r.details;
    arg.endStructure();
    return arg;
}

const QDBusArgument& operator>>(const QDBusArgument& arg, PolkitResult& r)
{
    arg.beginStructure();
    arg >> r.isAuthorized >> r.isChallenge >> r.details;
    arg.endStructure();
    return arg;
}

} // namespace

Q_DECLARE_METATYPE(PolkitSubject)
Q_DECLARE_METATYPE(PolkitResult)

namespace peertun {

PolkitAuthorizer::PolkitAuthorizer(QDBusConnection bus, QObject* parent)
    : QObject(parent), m_bus(std::move(bus))
{
    qDBusRegisterMetaType<PolkitSubject>();
    qDBusRegisterMetaType<PolkitResult>();
    qDBusRegisterMetaType<QMap<QString, QString>>();
}

uint64_t PolkitAuthorizer::check(const QString& callerBusName, const QString& actionId,
                                 Callback done)
{
    const uint64_t id = m_nextId++;
    m_pending.emplace(id, std::move(done));

    QDBusMessage call = QDBusMessage::createMethodCall(
        kPolkitService, kPolkitPath, kPolkitInterface, QStringLiteral("CheckAuthorization"));
    PolkitSubject subject{QStringLiteral("system-bus-name"),
                          {{QStringLiteral("name"), callerBusName}}};
    call << QVariant::fromValue(subject) << actionId
         << QVariant::fromValue(QMap<QString, QString>()) << kAllowUserInteraction
         << QStringLiteral("peertun-%1").arg(id);
    auto* watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(call, kTimeoutMs), this);
    connect(
        watcher, &QDBusPendingCallWatcher::finished, this, [this, id](QDBusPendingCallWatcher* w) {
            w->deleteLater();
            const auto it = m_pending.find(id);
            if (it == m_pending.end()) {
                return; // cancelled
            }
            Callback callback = std::move(it.value());
            m_pending.erase(it);
            QDBusPendingReply<PolkitResult> reply = *w;
            if (reply.isError()) {
                callback(Result::Unavailable, reply.error().message());
                return;
            }
            const PolkitResult result = reply.value();
            if (result.isAuthorized) {
                callback(Result::Authorized, QString());
            } else if (result.isChallenge) {
                callback(Result::NotAuthorized, QStringLiteral("authentication is required but no "
                                                               "authentication agent answered"));
            } else {
                callback(Result::NotAuthorized, QString());
            }
        });
    return id;
}

void PolkitAuthorizer::cancel(uint64_t id)
{
    if (m_pending.remove(id) == 0) {
        return;
    }
    QDBusMessage call = QDBusMessage::createMethodCall(
        kPolkitService, kPolkitPath, kPolkitInterface, QStringLiteral("CancelCheckAuthorization"));
    call << QStringLiteral("peertun-%1").arg(id);
    m_bus.asyncCall(call); // best effort; the reply does not matter
}

} // namespace peertun
