#include "FakeHelper.h"

namespace peertun {

void FakeHelper::connectProfile(const Profile& profile)
{
    calls << QStringLiteral("connect ") + profile.name;
    connected << profile;
    TunnelStatus& t = m_tunnels[profile.name];
    t.requestPending = true;
    t.state = dbus::TunnelState::Connecting;
    emit tunnelChanged(profile.name);
}

void FakeHelper::setPeers(const Profile& profile)
{
    calls << QStringLiteral("set-peers ") + profile.name;
    peersSetWith << profile;
}

void FakeHelper::answerSetPeers(const QString& name, const QString& errorName,
                                const QString& message)
{
    emit peersSet(name, errorName, message);
}

void FakeHelper::disconnectTunnel(const QString& name)
{
    calls << QStringLiteral("disconnect ") + name;
    m_tunnels[name].requestPending = true;
    emit tunnelChanged(name);
}

void FakeHelper::appLog(dbus::LogLevel level, const QString& tunnel, const QString& text)
{
    logLines << QStringLiteral("%1 %2: %3").arg(dbus::levelName(level), tunnel, text);
}

void FakeHelper::setState(const QString& name, dbus::TunnelState state)
{
    TunnelStatus& t = m_tunnels[name];
    t.state = state;
    // On its way (connecting, disconnecting): our request still awaits its reply.
    t.requestPending = t.requestPending && (state == dbus::TunnelState::Connecting ||
                                            state == dbus::TunnelState::Disconnecting);
    emit tunnelChanged(name);
}

void FakeHelper::refuse(const QString& name)
{
    m_tunnels[name].requestPending = false;
    emit tunnelChanged(name);
}

} // namespace peertun
