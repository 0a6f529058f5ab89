// The app's decisions about tunnels, without widgets: connect or disconnect a profile, what an
// edit of a running tunnel's profile takes (its peers applied live, or the offer to reconnect
// and the state machine that carries it out), and the wg-quick import flow. Works over HelperApi,
// so unit tests drive it against a fake helper; MainWindow shows what it decides.
#pragma once

#include "HelperApi.h"
#include "Profile.h"
#include "WgQuickImport.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QStringList>
#include <optional>

namespace peertun {

class ProfileStore;

class TunnelController : public QObject
{
    Q_OBJECT
public:
    TunnelController(ProfileStore* store, HelperApi* helper, QObject* parent = nullptr);

    ProfileStore* store() const { return m_store; }
    HelperApi* helper() const { return m_helper; }

    // Connected or connecting.
    bool isUp(const QString& name) const;
    // Connects a profile whose tunnel is down, disconnects a connected (or blocked) one;
    // nothing while a request is pending or the tunnel is on its way.
    void connectOrDisconnect(const QString& name);

    // What an edit of a running tunnel's profile takes. LivePeers: only the fixed peers changed
    // (not a default route, which changes policy routing), so SetPeers applies them to the
    // running tunnel; Reconnect: anything else (name, address, MTU, listen, mode, keys, DNS,
    // kill switch, a mesh's etcd); Nothing: the same profile.
    enum class EditEffect { Nothing, LivePeers, Reconnect };
    static EditEffect editEffect(const Profile& before, const Profile& after);
    // The edit would be applied live now: the tunnel `before` runs is up under its own name,
    // no reconnect is offered for it, and only its peers changed.
    bool appliesLive(const Profile& before, const Profile& after) const;
    // Gives the running tunnel the peers of `after` (SetPeers); peersApplied follows.
    void applyPeers(const Profile& after);
    // The editor that asked was closed before the answer, without saving: should the tunnel
    // take the peers after all, it runs other peers than the saved profile's, so a reconnect
    // is offered (to the saved ones) instead of peersApplied.
    void abandonPeers(const QString& name);

    // After an edit of a profile whose tunnel is up, the tunnel runs the old settings: offer to
    // reconnect, never do it silently.
    struct ReconnectOffer
    {
        QString running;           // the tunnel that runs the old settings
        QString saved;             // the profile it should run now
        bool reconnecting = false; // taken: the tunnel is on its way down
    };
    const std::optional<ReconnectOffer>& reconnectOffer() const { return m_offer; }
    // The tunnel up for a profile: the one an open offer would replace, else its own.
    QString runningTunnelFor(const QString& profileName) const;
    // A profile was saved from the editor (`before` as it was).
    void profileEdited(const Profile& before, const Profile& after);
    void profileRenamed(const QString& from, const QString& to);
    // After the profile was removed from the store; a tunnel it ran stays up.
    void profileDeleted(const QString& name);
    // Takes the tunnel down and, once it is down, up again with the saved profile.
    void reconnect();
    void dismissReconnect();

    // The wg-quick import flow.
    struct WgImport
    {
        enum class Outcome {
            Unreadable, // `error` says why
            Unfixable,  // syntax errors: nothing the editor could mend
            Fixable,    // only the validator objects: `draft` (with a free name) for the editor
            Imported,   // saved as `profileName`
            SaveFailed, // `error` says why
        };
        Outcome outcome = Outcome::Unreadable;
        QString error;
        QStringList errors; // one line per error ("field: message")
        QStringList notes;  // what was not carried over
        Profile draft;
        QString profileName;
        // A full tunnel: imported with the kill switch on (what the editor proposes too).
        bool killSwitchProposed = false;
    };
    // wg-quick files are a few hundred bytes; a huge file is not one.
    static constexpr qint64 kMaxConfigBytes = qint64{256} * 1024;
    WgImport importWgQuickFile(const QString& path);
    // The draft of a Fixable import was saved from the editor as `profileName`.
    void importedDraft(const QString& path, const QString& profileName);
    // Fixable when every error is the validator's (the file itself was read without error).
    static bool fixable(const QList<ProfileError>& errors);

signals:
    void reconnectOfferChanged(); // made, taken, renewed or dropped
    // The outcome of applyPeers: `error` empty when the tunnel took the peers, else the
    // helper's words with its error's name.
    void peersApplied(const QString& name, bool ok, const QString& error);

private:
    // `why` goes to the log; empty: "Profile … saved; the tunnel runs the old settings …".
    void offerReconnect(const QString& running, const QString& saved, const QString& why = {});
    void clearOffer();
    void onTunnelChanged(const QString& name);
    void onPeersSet(const QString& name, const QString& errorName, const QString& message);

    ProfileStore* m_store;
    HelperApi* m_helper;
    std::optional<ReconnectOffer> m_offer;
    QHash<QString, Profile> m_applying;    // tunnel -> the profile whose peers it is given
    QHash<QString, Profile> m_appliedLive; // tunnel -> the profile whose peers it took
    QSet<QString> m_abandoned;             // tunnels whose applyPeers nobody waits for
};

} // namespace peertun
