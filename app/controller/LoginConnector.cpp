#include "LoginConnector.h"

#include "HelperSession.h"
#include "ProfileStore.h"

#include <QTimer>

namespace peertun {

LoginConnector::LoginConnector(ProfileStore* store, HelperSession* session, QObject* parent)
    : QObject(parent), m_store(store), m_session(session)
{
    connect(session, &HelperSession::helperAvailabilityChanged, this, [this](bool running) {
        if (running) {
            // After the tunnel list that comes with the helper's first answer.
            QTimer::singleShot(0, this, &LoginConnector::connectMarked);
        }
    });
}

void LoginConnector::connectMarked()
{
    for (const QString& name : m_store->connectAtLogin()) {
        const StoredProfile* stored = m_store->find(name);
        const dbus::TunnelState state = m_session->status(name).state;
        if (stored == nullptr || !stored->ok() || m_requested.contains(name) ||
            state == dbus::TunnelState::Connected || state == dbus::TunnelState::Connecting) {
            continue;
        }
        m_requested.insert(name);
        m_session->appLog(dbus::LogLevel::Info, name, tr("connecting at login"));
        m_session->connectProfile(*stored->profile);
    }
}

} // namespace peertun
