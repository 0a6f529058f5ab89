// A HelperApi in memory, for the controller's unit tests: records what it was asked, changes
// nothing by itself; the test moves tunnels from state to state as a helper would.
#pragma once

#include "HelperApi.h"

#include <QHash>
#include <QStringList>

namespace peertun {

class FakeHelper final : public HelperApi
{
    Q_OBJECT
public:
    using HelperApi::HelperApi;

    TunnelStatus status(const QString& name) const override { return m_tunnels.value(name); }
    // A request is pending until the test answers it with setState() or refuse().
    void connectProfile(const Profile& profile) override;
    void disconnectTunnel(const QString& name) override;
    void setPeers(const Profile& profile) override;
    void appLog(dbus::LogLevel level, const QString& tunnel, const QString& text) override;

    // As the helper's StateChanged or a reply would: a final state ends a pending request.
    void setState(const QString& name, dbus::TunnelState state);
    // The pending request was refused (e.g. polkit said no): the state stays as it was.
    void refuse(const QString& name);

    QStringList calls;           // "connect office", "disconnect office", in order
    QStringList logLines;        // "info office: text"
    QList<Profile> connected;    // the profiles connectProfile() was given
    QList<Profile> peersSetWith; // the profiles setPeers() was given
    // Answers the last setPeers() as the helper would: no error name = applied.
    void answerSetPeers(const QString& name, const QString& errorName = QString(),
                        const QString& message = QString());

private:
    QHash<QString, TunnelStatus> m_tunnels;
};

} // namespace peertun
