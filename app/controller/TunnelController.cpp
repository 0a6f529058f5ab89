#include "TunnelController.h"

#include "ProfileStore.h"

#include <QFile>
#include <QFileInfo>
#include <algorithm>

namespace peertun {

using dbus::TunnelState;

TunnelController::TunnelController(ProfileStore* store, HelperApi* helper, QObject* parent)
    : QObject(parent), m_store(store), m_helper(helper)
{
    connect(m_helper, &HelperApi::tunnelChanged, this, &TunnelController::onTunnelChanged);
    connect(m_helper, &HelperApi::peersSet, this, &TunnelController::onPeersSet);
}

namespace {
// 0.0.0.0/0 or ::/0 among the peers' subnets, of one family.
bool hasDefaultRoute(const Profile& p, bool v6)
{
    for (const PeerConfig& peer : p.peers) {
        for (const Cidr& subnet : peer.subnets) {
            if (subnet.prefixLength == 0 && subnet.isIPv6() == v6) {
                return true;
            }
        }
    }
    return false;
}
} // namespace

TunnelController::EditEffect TunnelController::editEffect(const Profile& before,
                                                          const Profile& after)
{
    if (before == after) {
        return EditEffect::Nothing;
    }
    // A mesh's peers are its members in etcd: nothing of it is for SetPeers.
    if (before.mesh || after.mesh) {
        return EditEffect::Reconnect;
    }
    Profile samePeers = before;
    samePeers.peers = after.peers;
    if (samePeers != after) {
        return EditEffect::Reconnect; // something besides the peers
    }
    // A default route turns policy routing on or off: the helper refuses that live.
    if (hasDefaultRoute(before, false) != hasDefaultRoute(after, false) ||
        hasDefaultRoute(before, true) != hasDefaultRoute(after, true)) {
        return EditEffect::Reconnect;
    }
    return EditEffect::LivePeers;
}

bool TunnelController::appliesLive(const Profile& before, const Profile& after) const
{
    const bool offered = m_offer && m_offer->saved == before.name;
    return !offered && runningTunnelFor(before.name) == before.name && isUp(before.name) &&
           editEffect(before, after) == EditEffect::LivePeers;
}

void TunnelController::applyPeers(const Profile& after)
{
    m_abandoned.remove(after.name);
    m_applying.insert(after.name, after);
    m_helper->setPeers(after);
}

void TunnelController::abandonPeers(const QString& name)
{
    if (m_applying.contains(name)) {
        m_abandoned.insert(name);
    }
}

void TunnelController::onPeersSet(const QString& name, const QString& errorName,
                                  const QString& message)
{
    const auto it = m_applying.find(name);
    if (it == m_applying.end()) {
        return; // peertunctl's, or an earlier editor's
    }
    const Profile applied = *it;
    m_applying.erase(it);
    if (m_abandoned.remove(name)) {
        if (errorName.isEmpty() && isUp(name)) {
            // Took peers that were never saved: back to the saved profile takes a reconnect.
            offerReconnect(name, name,
                           tr("The tunnel %1 took peers after their editor was closed without "
                              "saving; reconnect it to run the saved profile.")
                               .arg(name));
        }
        return;
    }
    if (errorName.isEmpty()) {
        m_appliedLive.insert(name, applied);
        emit peersApplied(name, true, QString());
        return;
    }
    // "InvalidProfile: …": the name says what kind of refusal it was.
    const QString shortName = errorName.section(QLatin1Char('.'), -1);
    emit peersApplied(name, false,
                      message.isEmpty() ? shortName : tr("%1 (%2)").arg(message, shortName));
}

bool TunnelController::isUp(const QString& name) const
{
    const TunnelState state = m_helper->status(name).state;
    return state == TunnelState::Connected || state == TunnelState::Connecting;
}

void TunnelController::connectOrDisconnect(const QString& name)
{
    const TunnelStatus status = m_helper->status(name);
    if (status.requestPending) {
        return;
    }
    // Disconnecting a blocked tunnel lifts the kill switch a killed helper left.
    if (status.state == TunnelState::Connected || status.state == TunnelState::Blocked) {
        m_helper->disconnectTunnel(name);
    } else if (status.state == TunnelState::Disconnected || status.state == TunnelState::Failed) {
        if (const StoredProfile* stored = m_store->find(name); stored && stored->ok()) {
            m_helper->connectProfile(*stored->profile);
        }
    }
}

QString TunnelController::runningTunnelFor(const QString& profileName) const
{
    return m_offer && m_offer->saved == profileName ? m_offer->running : profileName;
}

void TunnelController::profileEdited(const Profile& before, const Profile& after)
{
    // An earlier offer for this profile still stands: it now leads to the new name.
    const bool offered = m_offer && m_offer->saved == before.name;
    const QString running = runningTunnelFor(before.name);
    // Applied live just before the save: the tunnel runs what was saved.
    const auto live = m_appliedLive.find(running);
    if (!offered && live != m_appliedLive.end() && *live == after) {
        m_appliedLive.erase(live);
        return;
    }
    if (isUp(running) && (offered || serializeProfile(after) != serializeProfile(before))) {
        offerReconnect(running, after.name);
    }
}

void TunnelController::profileRenamed(const QString& from, const QString& to)
{
    // The running tunnel keeps the old name until it is reconnected.
    const QString running = runningTunnelFor(from);
    if (isUp(running)) {
        offerReconnect(running, to);
    }
}

void TunnelController::profileDeleted(const QString& name)
{
    const bool offered = m_offer && m_offer->saved == name;
    const QString running = runningTunnelFor(name);
    if (offered) {
        // Nothing saved is left to reconnect with; the tunnel runs on as it is.
        clearOffer();
    }
    if (isUp(running)) {
        m_helper->appLog(dbus::LogLevel::Info, running,
                         tr("Profile %1 deleted; the tunnel %2 stays up until it is "
                            "disconnected.")
                             .arg(name, running));
    }
}

void TunnelController::offerReconnect(const QString& running, const QString& saved,
                                      const QString& why)
{
    m_offer = ReconnectOffer{running, saved, false};
    emit reconnectOfferChanged();
    m_helper->appLog(dbus::LogLevel::Info, running,
                     why.isEmpty() ? tr("Profile %1 saved; the tunnel runs the old settings "
                                        "until it is reconnected.")
                                         .arg(saved)
                                   : why);
}

void TunnelController::clearOffer()
{
    if (m_offer) {
        m_offer.reset();
        emit reconnectOfferChanged();
    }
}

void TunnelController::reconnect()
{
    if (!m_offer || m_offer->reconnecting) {
        return;
    }
    m_offer->reconnecting = true;
    emit reconnectOfferChanged();
    m_helper->disconnectTunnel(m_offer->running);
}

void TunnelController::dismissReconnect()
{
    clearOffer();
}

void TunnelController::onTunnelChanged(const QString& name)
{
    if (!m_offer || name != m_offer->running) {
        return;
    }
    const TunnelStatus status = m_helper->status(name);
    const bool down =
        status.state == TunnelState::Disconnected || status.state == TunnelState::Failed;
    if (down && m_offer->reconnecting) {
        // Down with the old settings: up again with the saved ones.
        const QString saved = m_offer->saved;
        clearOffer();
        if (const StoredProfile* stored = m_store->find(saved); stored && stored->ok()) {
            m_helper->connectProfile(*stored->profile);
        }
    } else if (down) {
        clearOffer(); // went down by itself: nothing runs the old settings
    } else if (m_offer->reconnecting && !status.requestPending) {
        // The disconnect was refused or failed: still up, offer again.
        offerReconnect(m_offer->running, m_offer->saved);
    }
}

bool TunnelController::fixable(const QList<ProfileError>& errors)
{
    return !errors.isEmpty() &&
           std::all_of(errors.cbegin(), errors.cend(), [](const ProfileError& e) {
               return e.origin == ProfileError::Origin::Validator;
           });
}

TunnelController::WgImport TunnelController::importWgQuickFile(const QString& path)
{
    WgImport out;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly) || file.size() > kMaxConfigBytes) {
        out.error = file.isOpen() ? tr("the file is larger than 256 KiB") : file.errorString();
        return out;
    }
    // wg-quick names the device after the file; so does the import.
    QString name = QFileInfo(path).completeBaseName();
    if (!checkProfileName(name).isEmpty()) {
        name = QStringLiteral("wireguard");
    }
    const WgQuickImport result = importWgQuick(file.read(kMaxConfigBytes), name);
    out.notes = result.notes;
    if (!result.profile) {
        for (const ProfileError& e : result.errors) {
            out.errors << (e.field.isEmpty() ? e.message : tr("%1: %2").arg(e.field, e.message));
            m_helper->appLog(dbus::LogLevel::Warning, QString(),
                             tr("WireGuard config %1 not imported: %2")
                                 .arg(QFileInfo(path).fileName(), out.errors.constLast()));
        }
        if (!fixable(result.errors)) {
            out.outcome = WgImport::Outcome::Unfixable;
            return out;
        }
        out.outcome = WgImport::Outcome::Fixable;
        out.draft = result.draft;
        if (m_store->find(out.draft.name) != nullptr) {
            out.draft.name = m_store->freeName(out.draft.name);
        }
        return out;
    }
    Profile profile = *result.profile;
    out.killSwitchProposed = proposeKillSwitch(&profile); // as the editor proposes it
    if (m_store->find(profile.name) != nullptr ||
        QFile::exists(m_store->directory() + QLatin1Char('/') +
                      ProfileStore::fileNameFor(profile.name))) {
        const QString free = m_store->freeName(profile.name);
        out.notes.prepend(tr("A profile named %1 exists already; the new one is called %2.")
                              .arg(profile.name, free));
        profile.name = free;
    }
    if (!m_store->save(profile, QString(), &out.error)) {
        out.outcome = WgImport::Outcome::SaveFailed;
        return out;
    }
    out.outcome = WgImport::Outcome::Imported;
    out.profileName = profile.name;
    m_helper->appLog(dbus::LogLevel::Info, profile.name,
                     tr("Imported WireGuard config %1 as profile %2.")
                         .arg(QFileInfo(path).fileName(), profile.name));
    for (const QString& note : std::as_const(out.notes)) {
        m_helper->appLog(dbus::LogLevel::Warning, profile.name, note);
    }
    if (out.killSwitchProposed) {
        m_helper->appLog(dbus::LogLevel::Info, profile.name,
                         tr("Profile %1 sends all traffic through the tunnel: its kill switch is "
                            "on (turn it off in the editor if you do not want it).")
                             .arg(profile.name));
    }
    return out;
}

void TunnelController::importedDraft(const QString& path, const QString& profileName)
{
    m_helper->appLog(dbus::LogLevel::Info, profileName,
                     tr("Imported WireGuard config %1 as profile %2.")
                         .arg(QFileInfo(path).fileName(), profileName));
}

} // namespace peertun
