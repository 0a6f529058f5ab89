// Edits one profile: interface fields (with DNS as wg-quick's "DNS =" line, the kill switch and
// its LAN exception), mode, and either a table of fixed peers or a mesh (its etcd endpoints,
// key prefix, TLS files, user name and lease time). Every change is checked by
// the shared profile library (the same words the helper would answer with), and each error
// is shown next to its field; Save stays disabled while any error remains.
#pragma once

#include "Profile.h"

#include <QDialog>
#include <QHash>
#include <optional>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;

namespace peertun {

class ProfileStore;
class TunnelController;

class ProfileEditor : public QDialog
{
    Q_OBJECT
public:
    enum PeerColumn {
        PeerName,
        PeerEndpoint,
        PeerSubnets,
        PeerPublicKey,    // WireGuard mode only
        PeerKeepalive,    // WireGuard mode only
        PeerPresharedKey, // WireGuard mode only
        PeerColumnCount
    };
    // "peers[1].endpoint" -> PeerEndpoint; -1 for keys that have no cell.
    static int columnForKey(const QString& key);

    explicit ProfileEditor(ProfileStore* store, QWidget* parent = nullptr);

    // A new profile with the usual defaults (interface name, listen port, one empty peer).
    void startNew(const QString& suggestedName);
    // Edits an existing profile; saving replaces the file of `replacing` (empty: a new one).
    void setProfile(const Profile& profile, const QString& replacing);

    // The document the widgets describe, as the helper would receive it.
    QByteArray document() const;
    // Set when there are no errors.
    std::optional<Profile> profile() const { return m_profile; }
    QList<ProfileError> errors() const { return m_errors; }
    // The message shown at a field ("interface.address", "peers[1].endpoint", ...), or empty.
    QString shownError(const QString& field) const;
    // The messages under the peer table, as shown.
    QString peerErrorText() const;
    bool canSave() const;

    QLineEdit* nameEdit() const { return m_name; }
    QCheckBox* connectAtLoginBox() const { return m_connectAtLogin; }
    QLineEdit* interfaceNameEdit() const { return m_ifName; }
    QLineEdit* addressEdit() const { return m_address; }
    QLineEdit* mtuEdit() const { return m_mtu; }
    QLineEdit* listenEdit() const { return m_listen; }
    // Servers and search domains in one line, as wg-quick's "DNS =": "10.2.0.1, corp.example".
    QLineEdit* dnsEdit() const { return m_dns; }
    // Checked on its own for a new full-tunnel profile (a peer with 0.0.0.0/0 or ::/0) until
    // the user decides; killSwitchProposed() says whether the check is that proposal.
    QCheckBox* killSwitchBox() const { return m_killSwitch; }
    bool killSwitchProposed() const { return m_killSwitchProposed; }
    QCheckBox* allowLanBox() const { return m_allowLan; }
    QTableWidget* peerTable() const { return m_peers; }
    QPushButton* saveButton() const { return m_save; }
    QLineEdit* privateKeyEdit() const { return m_privateKey; }
    // Derived from the private key as it is typed; empty while that is not a valid key.
    QLineEdit* publicKeyEdit() const { return m_publicKey; }
    QPushButton* generateKeyButton() const { return m_generateKey; }
    QPushButton* copyPublicKeyButton() const { return m_copyPublicKey; }
    // Tells the user that the profile's tunnel is up and keeps its old settings until it is
    // reconnected (an edit never touches a running tunnel).
    void setTunnelRunning(bool running);
    bool tunnelRunningNoticeShown() const;
    QComboBox* modeCombo() const { return m_mode; }
    // Fixed peers (the table) or a mesh (peers from etcd; no address, the lease decides it).
    enum PeerSource { FixedPeers, Mesh };
    QComboBox* peerSourceCombo() const { return m_peerSource; }
    bool isMesh() const;
    // Endpoints one per line or separated by commas.
    QPlainTextEdit* etcdEdit() const { return m_etcd; }
    QLineEdit* prefixEdit() const { return m_prefix; }
    QLineEdit* caFileEdit() const { return m_caFile; }
    QLineEdit* certFileEdit() const { return m_certFile; }
    QLineEdit* keyFileEdit() const { return m_keyFile; }
    QLineEdit* usernameEdit() const { return m_username; }
    QLineEdit* passwordEdit() const { return m_password; }
    // Seconds; empty for the default (kDefaultMeshLeaseTtl).
    QLineEdit* leaseTtlEdit() const { return m_leaseTtl; }
    // Each opens a file dialog (PEM files or all files) for its field, found by object name
    // among the top-level widgets: caFileDialog, certFileDialog, keyFileDialog.
    QPushButton* browseCaFileButton() const { return m_browseCaFile; }
    QPushButton* browseCertFileButton() const { return m_browseCertFile; }
    QPushButton* browseKeyFileButton() const { return m_browseKeyFile; }
    // What the mode means for a mesh (which network backend it joins); shown for a mesh only.
    QString meshModeNote() const;
    bool meshFieldsShown() const;
    bool peerTableShown() const;

    // The profile edited runs as a tunnel: a change of its peers alone is applied to it live
    // (SetPeers) before the profile is saved; the helper's refusal is shown here and nothing is
    // saved, so the editor keeps what was typed.
    void setRunningTunnel(TunnelController* controller, const Profile& running);
    // "Applying…", or the helper's refusal of the live change; empty otherwise.
    QString liveApplyText() const;
    bool liveApplyPending() const { return m_livePending; }
    void addPeer(const QString& name = QString(), const QString& endpoint = QString(),
                 const QString& subnets = QString(), const QString& publicKey = QString(),
                 const QString& keepalive = QString(), const QString& presharedKey = QString());

public slots:
    // Fills the private key with a new one (asks first if one is there already).
    void generateKeyPair();
    // Cancel (or Escape) while the tunnel has not answered a live change: nothing is saved,
    // and the controller learns that nobody waits for the answer.
    void reject() override;

private slots:
    void revalidate();
    void updatePublicKey();
    void removeSelectedPeer();
    void saveToStore();

private:
    // A labelled line edit with its error label below; `extras` go to the right of the edit.
    QLineEdit* addField(QFormLayout* form, const QString& label, const QString& field,
                        const QString& placeholder, const QString& help,
                        const QList<QWidget*>& extras = {});
    void showErrors();
    QString inEditorWords(const QString& message) const;
    void showModeFields();
    void showPeerSourceFields();
    bool isWireGuard() const;
    void onPeersApplied(const QString& name, bool ok, const QString& error);
    bool saveProfile();
    // A peer's subnets in the table include 0.0.0.0/0 or ::/0.
    bool isFullTunnel() const;
    void proposeKillSwitch();
    void fillMesh(const MeshConfig& mesh);
    // Opens a file dialog; the chosen file's absolute path goes into `edit`.
    void browseForFile(QLineEdit* edit, const QString& title, const QString& objectName);

    ProfileStore* m_store;
    QString m_replacing;
    QLineEdit* m_name = nullptr;
    QCheckBox* m_connectAtLogin = nullptr;
    QLineEdit* m_ifName = nullptr;
    QLineEdit* m_address = nullptr;
    QLineEdit* m_mtu = nullptr;
    QLineEdit* m_listen = nullptr;
    QLineEdit* m_dns = nullptr;
    QCheckBox* m_killSwitch = nullptr;
    QCheckBox* m_allowLan = nullptr;
    QLabel* m_killSwitchNote = nullptr;
    bool m_killSwitchTouched = false;  // the user clicked it: never propose again
    bool m_killSwitchProposed = false; // checked by the proposal, not by the user
    bool m_wasFullTunnel = false;      // as of the last check (a proposal comes on the change)
    QComboBox* m_mode = nullptr;
    QLineEdit* m_privateKey = nullptr;
    QWidget* m_privateKeyRow = nullptr;
    QLineEdit* m_publicKey = nullptr;
    QWidget* m_publicKeyRow = nullptr;
    QPushButton* m_generateKey = nullptr;
    QPushButton* m_copyPublicKey = nullptr;
    QLabel* m_tunnelRunning = nullptr;
    QFormLayout* m_form = nullptr;
    QTableWidget* m_peers = nullptr;
    QWidget* m_peerSection = nullptr;
    QWidget* m_meshFiller = nullptr;
    QComboBox* m_peerSource = nullptr;
    QLabel* m_meshModeNote = nullptr;
    QPlainTextEdit* m_etcd = nullptr;
    QLineEdit* m_prefix = nullptr;
    QLineEdit* m_caFile = nullptr;
    QLineEdit* m_certFile = nullptr;
    QLineEdit* m_keyFile = nullptr;
    QLineEdit* m_username = nullptr;
    QLineEdit* m_password = nullptr;
    QLineEdit* m_leaseTtl = nullptr;
    QPushButton* m_browseCaFile = nullptr;
    QPushButton* m_browseCertFile = nullptr;
    QPushButton* m_browseKeyFile = nullptr;
    QList<QWidget*> m_meshRows;    // the mesh fields' rows (with their error labels)
    QList<QWidget*> m_addressRows; // the address and its error label: not for a mesh
    TunnelController* m_controller = nullptr;
    std::optional<Profile> m_running; // what the tunnel runs, when it is up
    QLabel* m_liveApply = nullptr;
    bool m_livePending = false;
    QLabel* m_peerErrors = nullptr;
    QLabel* m_generalError = nullptr;
    QPushButton* m_save = nullptr;
    QPushButton* m_removePeer = nullptr;
    QHash<QString, QLabel*> m_fieldErrors; // field path -> label under the widget
    QHash<QString, QString> m_shown;       // field path -> message currently shown
    QHash<QString, QString> m_fieldNames;  // field path -> the field's name in the form
    QList<ProfileError> m_errors;
    std::optional<Profile> m_profile;
    bool m_filling = false;
};

} // namespace peertun
