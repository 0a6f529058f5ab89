// The clients' side of io.peertun.Helper1 (GUI and peertunctl): the generated proxy plus
// plain-value conversion, with every call asynchronous. Nested values arrive from QtDBus as
// QDBusArgument; everything this class hands out is plain QVariantMap/QVariantList.
#pragma once

#include "DBusContract.h"

#include <QDBusConnection>
#include <QDBusError>
#include <QDBusPendingReply>
#include <QDBusServiceWatcher>
#include <QObject>
#include <memory>

class Helper1Proxy;

namespace peertun {

class HelperClient : public QObject
{
    Q_OBJECT
public:
    // Control calls may wait for a person to authenticate in a polkit agent.
    static constexpr int kControlTimeoutMs = 6 * 60 * 1000;

    explicit HelperClient(QDBusConnection bus = QDBusConnection::systemBus(),
                          QObject* parent = nullptr);
    ~HelperClient() override;

    QDBusConnection connection() const { return m_bus; }

    QDBusPendingReply<QString> version();
    QDBusPendingReply<QString> connectTunnel(const QString& profileJson);
    QDBusPendingReply<> disconnectTunnel(const QString& name);
    // The running tunnel `name` takes the peers of this profile (JSON) without a reconnect.
    QDBusPendingReply<> setPeers(const QString& name, const QString& profileJson);
    // Values of these replies may hold QDBusArgument: pass them through toPlain().
    QDBusPendingReply<QVariantMapList> listTunnels();
    QDBusPendingReply<QVariantMap> stats(const QString& name);
    QDBusPendingReply<QVariantMapList> log(quint64 afterSeq);
    // Asks polkit (io.peertun.read-details) for this connection to see other users' tunnels
    // in detail too, until it closes.
    QDBusPendingReply<> authorizeDetails();

    // Unwraps QDBusArgument/QDBusVariant (recursively) into plain Qt values.
    static QVariant toPlain(const QVariant& value);
    static QVariantMap toPlain(const QVariantMap& map);
    static QVariantMapList toPlain(const QVariantMapList& list);
    // The entry of tunnel `name` in a ListTunnels reply's plain values; empty if none.
    static QVariantMap tunnelNamed(const QVariantMapList& tunnels, const QString& name);

signals:
    void stateChanged(const QString& name, const QString& state, const QString& reason);
    void peersChanged(const QString& name);
    void statsUpdated(const QVariantMapList& stats); // plain values
    void logEntry(const QVariantMap& entry);         // plain values
    // The helper appeared on or left the bus (idle exit, crash, restart): after it comes
    // back, ListTunnels tells what survived.
    void helperPresenceChanged(bool present);

private:
    QDBusConnection m_bus;
    std::unique_ptr<Helper1Proxy> m_proxy;        // reads: default timeout
    std::unique_ptr<Helper1Proxy> m_controlProxy; // Connect/Disconnect: long timeout
    QDBusServiceWatcher m_helperWatcher;
};

} // namespace peertun
