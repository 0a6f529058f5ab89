// Asks polkit (org.freedesktop.PolicyKit1.Authority.CheckAuthorization, over QtDBus) whether a
// bus peer may perform an action. Asynchronous: the helper keeps serving while polkit decides,
// possibly after an authentication agent prompted the user. The subject is always the
// caller's unique bus name as the bus daemon reported it, never a value the caller sent.
#pragma once

#include "Authorizer.h"

#include <QDBusConnection>
#include <QHash>
#include <QObject>
#include <QString>
#include <cstdint>
#include <functional>

namespace peertun {

class PolkitAuthorizer : public QObject, public Authorizer
{
    Q_OBJECT
public:
    explicit PolkitAuthorizer(QDBusConnection bus, QObject* parent = nullptr);

    // Starts a check; `done` runs exactly once on this thread unless cancel() came first.
    // Returns an id for cancel().
    uint64_t check(const QString& callerBusName, const QString& actionId, Callback done) override;
    // Withdraws a check (e.g. the caller left the bus): polkit dismisses any prompt and
    // `done` is never called.
    void cancel(uint64_t id) override;
    int pendingCount() const { return m_pending.size(); }

    // How long polkit may take (a person may be typing a password).
    static constexpr int kTimeoutMs = 5 * 60 * 1000;

private:
    QDBusConnection m_bus;
    uint64_t m_nextId = 1;
    QHash<uint64_t, Callback> m_pending;
};

} // namespace peertun
