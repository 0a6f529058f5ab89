// `peertun --autoconnect` (the XDG autostart entry): connects the profiles marked "Connect
// when I log in" once the helper answers, each once per start of the app, skipping tunnels
// that are already up.
#pragma once

#include <QObject>
#include <QSet>

namespace peertun {

class HelperSession;
class ProfileStore;

class LoginConnector : public QObject
{
    Q_OBJECT
public:
    LoginConnector(ProfileStore* store, HelperSession* session, QObject* parent = nullptr);

    // The names it asked the helper to connect so far.
    QStringList requested() const { return m_requested.values(); }

private:
    void connectMarked();

    ProfileStore* m_store;
    HelperSession* m_session;
    QSet<QString> m_requested;
};

} // namespace peertun
