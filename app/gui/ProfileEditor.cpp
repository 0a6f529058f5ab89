#include "ProfileEditor.h"

#include "Keys.h"
#include "ProfileStore.h"
#include "TunnelController.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QTableWidget>
#include <QVBoxLayout>

namespace peertun {

namespace {

const QColor kErrorBackground(255, 220, 220);

QLabel* makeErrorLabel(QWidget* parent)
{
    auto* label = new QLabel(parent);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setStyleSheet(QStringLiteral("color: #b00020;"));
    label->hide();
    return label;
}

QStringList splitSubnets(const QString& text)
{
    static const QRegularExpression separators(QStringLiteral("[,;\\s]+"));
    return text.split(separators, Qt::SkipEmptyParts);
}

// The etcd endpoints: one per line, or separated by commas (or both).
QStringList splitEndpoints(const QString& text)
{
    return splitSubnets(text);
}

} // namespace

ProfileEditor::ProfileEditor(ProfileStore* store, QWidget* parent) : QDialog(parent), m_store(store)
{
    setWindowTitle(tr("Edit profile"));
    setAccessibleName(tr("Profile editor"));
    auto* layout = new QVBoxLayout(this);
    m_tunnelRunning = new QLabel(
        tr("This profile's tunnel is up. A change of its peers alone is applied to it as you "
           "save; for other changes it keeps its old settings until you reconnect it, which "
           "the main window offers after saving."),
        this);
    m_tunnelRunning->setWordWrap(true);
    m_tunnelRunning->setAccessibleName(tr("Tunnel is up"));
    m_tunnelRunning->setStyleSheet(QStringLiteral(
        "QLabel { background: #e8f1fb; border: 1px solid #a0c0e0; border-radius: 4px; "
        "padding: 6px; }"));
    m_tunnelRunning->hide();
    layout->addWidget(m_tunnelRunning);
    auto* form = new QFormLayout;
    layout->addLayout(form);

    m_name = addField(form, tr("Profile &name:"), QStringLiteral("name"), tr("office"),
                      tr("Shown in the list and used as the tunnel's name."));
    m_ifName = addField(form, tr("&Interface:"), QStringLiteral("interface.name"), tr("peertun0"),
                        tr("Name of the network device (at most 15 bytes)."));
    m_address =
        addField(form, tr("&Address:"), QStringLiteral("interface.address"), tr("10.244.2.2/24"),
                 tr("This host's address inside the tunnel, with prefix length."));
    m_addressRows = {m_address, m_fieldErrors.value(QStringLiteral("interface.address"))};
    m_mtu = addField(form, tr("&MTU:"), QStringLiteral("interface.mtu"), tr("automatic"),
                     tr("Leave empty to use the path MTU minus the encapsulation overhead."));
    m_listen = addField(form, tr("&Listen on:"), QStringLiteral("interface.listen"),
                        tr(":8285 (any address)"),
                        tr("Local UDP address and port, e.g. 10.211.55.122:8285 or :8285."));

    m_mode = new QComboBox(this);
    m_mode->addItem(tr("WireGuard (encrypted)"), modeToString(TunnelMode::WireGuard));
    m_mode->addItem(tr("Plain (unencrypted, flannel compatible)"), modeToString(TunnelMode::Plain));
    m_mode->setAccessibleName(tr("Mode"));
    m_mode->setToolTip(tr("Plain mode sends packets unencrypted: use it only on networks you "
                          "trust. WireGuard works with any WireGuard peer."));
    form->addRow(tr("M&ode:"), m_mode);
    m_meshModeNote = new QLabel(this);
    m_meshModeNote->setWordWrap(true);
    m_meshModeNote->setStyleSheet(QStringLiteral("color: #555555;"));
    form->addRow(QString(), m_meshModeNote);
    auto* modeError = makeErrorLabel(this);
    form->addRow(QString(), modeError);
    m_fieldErrors.insert(QStringLiteral("mode"), modeError);
    m_form = form;
    m_generateKey = new QPushButton(tr("&Generate key pair"), this);
    m_generateKey->setAccessibleName(tr("Generate key pair"));
    m_generateKey->setToolTip(tr("Fills in a new random private key; give the public key to "
                                 "the peers."));
    connect(m_generateKey, &QPushButton::clicked, this, &ProfileEditor::generateKeyPair);
    m_privateKey = addField(form, tr("&Private key:"), QStringLiteral("interface.privateKey"),
                            tr("output of \"wg genkey\""),
                            tr("This host's WireGuard private key (a secret; stays in your "
                               "profile file, mode 0600)."),
                            {m_generateKey});
    m_privateKey->setEchoMode(QLineEdit::PasswordEchoOnEdit);
    m_privateKeyRow = m_privateKey->parentWidget();

    // The public key is what the peers need; derived here, never typed.
    m_publicKeyRow = new QWidget(this);
    auto* publicLayout = new QHBoxLayout(m_publicKeyRow);
    publicLayout->setContentsMargins(0, 0, 0, 0);
    m_publicKey = new QLineEdit(m_publicKeyRow);
    m_publicKey->setReadOnly(true);
    m_publicKey->setPlaceholderText(tr("derived from the private key"));
    m_publicKey->setAccessibleName(tr("Public key"));
    m_publicKey->setAccessibleDescription(
        tr("This host's public key, derived from the private key; give it to the peers."));
    m_publicKey->setToolTip(m_publicKey->accessibleDescription());
    m_copyPublicKey = new QPushButton(tr("Cop&y"), m_publicKeyRow);
    m_copyPublicKey->setAccessibleName(tr("Copy public key"));
    m_copyPublicKey->setToolTip(tr("Copies the public key to the clipboard."));
    publicLayout->addWidget(m_publicKey, 1);
    publicLayout->addWidget(m_copyPublicKey);
    form->addRow(tr("Public key:"), m_publicKeyRow);
    connect(m_copyPublicKey, &QPushButton::clicked, this,
            [this] { QGuiApplication::clipboard()->setText(m_publicKey->text()); });
    connect(m_privateKey, &QLineEdit::textChanged, this, &ProfileEditor::updatePublicKey);

    m_dns = addField(form, tr("DNS ser&vers and domains:"), QStringLiteral("interface.dns"),
                     tr("10.2.0.1, corp.example"),
                     tr("As wg-quick's DNS line: addresses are the tunnel's DNS servers, other "
                        "entries search domains. Given to systemd-resolved for the tunnel."));
    m_killSwitch = new QCheckBox(tr("&Kill switch: block all traffic outside the tunnel"), this);
    m_killSwitch->setToolTip(
        tr("While the tunnel is connected, and if it breaks, nothing leaves this computer "
           "except through the tunnel, until you disconnect it."));
    form->addRow(QString(), m_killSwitch);
    m_killSwitchNote =
        new QLabel(tr("Proposed because this profile sends all traffic through the tunnel."), this);
    m_killSwitchNote->setWordWrap(true);
    m_killSwitchNote->setStyleSheet(QStringLiteral("color: #555555;"));
    m_killSwitchNote->hide();
    form->addRow(QString(), m_killSwitchNote);
    auto* killSwitchError = makeErrorLabel(this);
    form->addRow(QString(), killSwitchError);
    m_fieldErrors.insert(QStringLiteral("interface.killSwitch"), killSwitchError);
    m_fieldNames.insert(QStringLiteral("interface.killSwitch"), tr("Kill switch"));
    m_allowLan = new QCheckBox(tr("Allow the lo&cal network while the kill switch is on"), this);
    m_allowLan->setToolTip(tr("Printers, file shares and the router on this computer's own "
                              "networks stay reachable."));
    m_allowLan->setEnabled(false);
    form->addRow(QString(), m_allowLan);
    connect(m_killSwitch, &QCheckBox::clicked, this, [this] {
        m_killSwitchTouched = true; // the user's choice from now on
        m_killSwitchProposed = false;
    });
    connect(m_killSwitch, &QCheckBox::toggled, this, [this](bool on) {
        m_allowLan->setEnabled(on);
        m_killSwitchNote->setVisible(m_killSwitchProposed && on);
        revalidate();
    });
    connect(m_allowLan, &QCheckBox::toggled, this, &ProfileEditor::revalidate);

    // Where the peers come from: the table below, or a mesh's members in etcd.
    m_peerSource = new QComboBox(this);
    m_peerSource->addItem(tr("Fixed peers (listed below)"), int(FixedPeers));
    m_peerSource->addItem(tr("Mesh: the members of a network in etcd"), int(Mesh));
    m_peerSource->setAccessibleName(tr("Peers from"));
    m_peerSource->setToolTip(
        tr("A mesh joins a network whose members, subnets and keys live in etcd (flannel's "
           "layout): this host takes a subnet lease, which decides its address, and every "
           "other member is a peer, as members come and go."));
    form->addRow(tr("Peers &from:"), m_peerSource);
    m_etcd = new QPlainTextEdit(this);
    m_etcd->setTabChangesFocus(true);
    m_etcd->setPlaceholderText(tr("http://10.0.0.1:2379"));
    m_etcd->setAccessibleName(tr("Etcd endpoints"));
    m_etcd->setAccessibleDescription(
        tr("The etcd cluster's client URLs, one per line or separated by commas: http:// or "
           "https:// with an IP address and port."));
    m_etcd->setToolTip(m_etcd->accessibleDescription());
    m_etcd->setFixedHeight(m_etcd->fontMetrics().lineSpacing() * 3 + 12);
    form->addRow(tr("E&tcd endpoints:"), m_etcd);
    auto* etcdError = makeErrorLabel(this);
    form->addRow(QString(), etcdError);
    m_fieldErrors.insert(QStringLiteral("mesh.etcd"), etcdError);
    m_fieldNames.insert(QStringLiteral("mesh.etcd"), m_etcd->accessibleName());
    connect(m_etcd, &QPlainTextEdit::textChanged, this, &ProfileEditor::revalidate);
    m_prefix = addField(form, tr("Key prefi&x:"), QStringLiteral("mesh.prefix"),
                        QString::fromLatin1(kDefaultMeshPrefix),
                        tr("Where the network's keys live in etcd; empty: %1 (flannel's is "
                           "/coreos.com/network).")
                            .arg(QString::fromLatin1(kDefaultMeshPrefix)));
    // The TLS files: typed, or chosen with Browse… (the chosen path then validates as typed).
    m_browseCaFile = new QPushButton(tr("Browse…"), this);
    m_browseCaFile->setAccessibleName(tr("Browse for the CA file"));
    m_caFile = addField(form, tr("CA file:"), QStringLiteral("mesh.caFile"), tr("none (optional)"),
                        tr("TLS: the CA certificate (PEM) that signed etcd's certificate; needs "
                           "https:// endpoints."),
                        {m_browseCaFile});
    m_browseCertFile = new QPushButton(tr("Browse…"), this);
    m_browseCertFile->setAccessibleName(tr("Browse for the client certificate"));
    m_certFile = addField(
        form, tr("Client certificate:"), QStringLiteral("mesh.certFile"), tr("none (optional)"),
        tr("TLS: this host's client certificate (PEM), with its key file."), {m_browseCertFile});
    m_browseKeyFile = new QPushButton(tr("Browse…"), this);
    m_browseKeyFile->setAccessibleName(tr("Browse for the client key"));
    m_keyFile =
        addField(form, tr("Client key:"), QStringLiteral("mesh.keyFile"), tr("none (optional)"),
                 tr("TLS: the client certificate's private key (PEM)."), {m_browseKeyFile});
    const std::tuple<QPushButton*, QLineEdit*, QString, const char*> browsers[] = {
        {m_browseCaFile, m_caFile, tr("Choose the CA file"), "caFileDialog"},
        {m_browseCertFile, m_certFile, tr("Choose the client certificate"), "certFileDialog"},
        {m_browseKeyFile, m_keyFile, tr("Choose the client key"), "keyFileDialog"}};
    for (const auto& [button, edit, title, objectName] : browsers) {
        button->setToolTip(title);
        connect(button, &QPushButton::clicked, this, [this, edit, title, objectName] {
            browseForFile(edit, title, QString::fromLatin1(objectName));
        });
    }
    m_username = addField(form, tr("&User name:"), QStringLiteral("mesh.username"),
                          tr("none (optional)"), tr("etcd authentication: the user name."));
    m_password =
        addField(form, tr("Password:"), QStringLiteral("mesh.password"), tr("none (optional)"),
                 tr("etcd authentication: the password (a secret; stays in your "
                    "profile file, mode 0600)."));
    m_password->setEchoMode(QLineEdit::PasswordEchoOnEdit);
    // Empty: the default; anything else goes to the library as typed, which names what is wrong.
    auto* seconds = new QLabel(tr("seconds"), this);
    m_leaseTtl = addField(
        form, tr("Su&bnet lease time:"), QStringLiteral("mesh.leaseTtl"),
        tr("%1 (default)").arg(kDefaultMeshLeaseTtl),
        tr("How long this host's subnet lease in etcd lasts, in seconds (%1 to %2): a "
           "keep-alive renews it every third of it, and when they stop, the lease runs out and "
           "the other members drop this host.")
            .arg(kMinMeshLeaseTtl)
            .arg(kMaxMeshLeaseTtl),
        {seconds});
    // The fields with a button or a unit beside them sit in a row widget: that is the row.
    m_meshRows << m_etcd << m_prefix << m_caFile->parentWidget() << m_certFile->parentWidget()
               << m_keyFile->parentWidget() << m_username << m_password
               << m_leaseTtl->parentWidget();
    for (const char* field : {"mesh.etcd", "mesh.prefix", "mesh.caFile", "mesh.certFile",
                              "mesh.keyFile", "mesh.username", "mesh.password", "mesh.leaseTtl"}) {
        m_meshRows << m_fieldErrors.value(QString::fromLatin1(field));
    }

    m_peerSection = new QWidget(this);
    auto* peerLayout = new QVBoxLayout(m_peerSection);
    peerLayout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_peerSection, 1);
    // Takes the table's room while a mesh hides it, so the form's rows stay together.
    m_meshFiller = new QWidget(this);
    m_meshFiller->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Expanding);
    layout->addWidget(m_meshFiller, 1);
    auto* peersLabel = new QLabel(tr("P&eers:"), this);
    peerLayout->addWidget(peersLabel);
    m_peers = new QTableWidget(0, PeerColumnCount, this);
    m_peers->setHorizontalHeaderLabels({tr("Name"), tr("Endpoint"), tr("Subnets"), tr("Public key"),
                                        tr("Keepalive (s)"), tr("Preshared key")});
    m_peers->horizontalHeader()->setSectionResizeMode(PeerSubnets, QHeaderView::Stretch);
    m_peers->setColumnWidth(PeerName, 120);
    m_peers->setColumnWidth(PeerEndpoint, 170);
    m_peers->setSelectionBehavior(QAbstractItemView::SelectRows);
    // Tab leaves the table; arrows move between cells, typing or F2 edits.
    m_peers->setTabKeyNavigation(false);
    m_peers->setAccessibleName(tr("Peers"));
    m_peers->setToolTip(tr("Endpoint: the peer's IP address or host name and UDP port "
                           "(10.211.55.123:8285, vpn.example.net:51820). Subnets: networks "
                           "reached through the peer, separated by commas (0.0.0.0/0 and ::/0 "
                           "send all traffic through the tunnel)."));
    m_peers->setMinimumHeight(120);
    peersLabel->setBuddy(m_peers);
    peerLayout->addWidget(m_peers);
    m_peerErrors = makeErrorLabel(this);
    m_peerErrors->setAccessibleName(tr("Peer errors"));
    peerLayout->addWidget(m_peerErrors);

    auto* peerButtons = new QHBoxLayout;
    auto* addPeerButton = new QPushButton(tr("A&dd peer"), this);
    m_removePeer = new QPushButton(tr("&Remove peer"), this);
    peerButtons->addWidget(addPeerButton);
    peerButtons->addWidget(m_removePeer);
    peerButtons->addStretch();
    peerLayout->addLayout(peerButtons);
    connect(addPeerButton, &QPushButton::clicked, this, [this] {
        addPeer();
        m_peers->setCurrentCell(m_peers->rowCount() - 1, PeerName);
        m_peers->setFocus();
    });
    connect(m_removePeer, &QPushButton::clicked, this, &ProfileEditor::removeSelectedPeer);

    // A desktop preference kept by the store beside the profile, not part of the profile.
    m_connectAtLogin = new QCheckBox(tr("Connect &when I log in"), this);
    m_connectAtLogin->setToolTip(tr("When you log in, peertun starts in the tray and connects "
                                    "this profile."));
    layout->addWidget(m_connectAtLogin);

    m_generalError = makeErrorLabel(this);
    layout->addWidget(m_generalError);
    // The outcome of a live peer change (SetPeers) of the running tunnel.
    m_liveApply = new QLabel(this);
    m_liveApply->setWordWrap(true);
    m_liveApply->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_liveApply->setAccessibleName(tr("Live peer change"));
    m_liveApply->hide();
    layout->addWidget(m_liveApply);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    m_save = buttons->button(QDialogButtonBox::Save);
    m_save->setText(tr("&Save"));
    buttons->button(QDialogButtonBox::Cancel)->setText(tr("Cancel"));
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &ProfileEditor::saveToStore);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    connect(m_peers, &QTableWidget::itemChanged, this, &ProfileEditor::revalidate);
    connect(m_mode, &QComboBox::currentIndexChanged, this, [this] {
        showModeFields();
        revalidate();
    });
    connect(m_peerSource, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_filling && !isMesh()) {
            if (m_peers->rowCount() == 0) {
                addPeer(); // a fixed profile needs one; the mesh had none
            }
            if (m_address->text().trimmed().isEmpty()) {
                m_address->setFocus();
            }
        }
        showPeerSourceFields();
        revalidate();
    });

    setTabOrder(m_name, m_ifName);
    setTabOrder(m_ifName, m_address);
    setTabOrder(m_address, m_mtu);
    setTabOrder(m_mtu, m_listen);
    setTabOrder(m_listen, m_mode);
    setTabOrder(m_mode, m_privateKey);
    setTabOrder(m_privateKey, m_generateKey);
    setTabOrder(m_generateKey, m_publicKey);
    setTabOrder(m_publicKey, m_copyPublicKey);
    setTabOrder(m_copyPublicKey, m_dns);
    setTabOrder(m_dns, m_killSwitch);
    setTabOrder(m_killSwitch, m_allowLan);
    setTabOrder(m_allowLan, m_peerSource);
    setTabOrder(m_peerSource, m_etcd);
    setTabOrder(m_etcd, m_prefix);
    setTabOrder(m_prefix, m_caFile);
    setTabOrder(m_caFile, m_browseCaFile);
    setTabOrder(m_browseCaFile, m_certFile);
    setTabOrder(m_certFile, m_browseCertFile);
    setTabOrder(m_browseCertFile, m_keyFile);
    setTabOrder(m_keyFile, m_browseKeyFile);
    setTabOrder(m_browseKeyFile, m_username);
    setTabOrder(m_username, m_password);
    setTabOrder(m_password, m_leaseTtl);
    setTabOrder(m_leaseTtl, m_peers);
    setTabOrder(m_peers, addPeerButton);
    setTabOrder(addPeerButton, m_removePeer);
    setTabOrder(m_removePeer, m_save);
    showModeFields();
    showPeerSourceFields();
    updatePublicKey();
    resize(760, 680);
}

bool ProfileEditor::isWireGuard() const
{
    return m_mode->currentData().toString() == modeToString(TunnelMode::WireGuard);
}

// Keys only where they mean something: the validator rejects them in plain mode.
void ProfileEditor::showModeFields()
{
    const bool wireGuard = isWireGuard();
    m_form->setRowVisible(m_privateKeyRow, wireGuard);
    m_form->setRowVisible(m_publicKeyRow, wireGuard);
    m_form->setRowVisible(m_fieldErrors.value(QStringLiteral("interface.privateKey")), wireGuard);
    for (int column : {PeerPublicKey, PeerKeepalive, PeerPresharedKey}) {
        m_peers->setColumnHidden(column, !wireGuard);
    }
    m_meshModeNote->setText(meshModeNote());
}

bool ProfileEditor::isMesh() const
{
    return m_peerSource->currentData().toInt() == Mesh;
}

QString ProfileEditor::meshModeNote() const
{
    // The network's config (flannel's Backend.Type) decides; the agent refuses a mismatch.
    return isWireGuard()
               ? tr("In a mesh, the mode must be the network's backend: WireGuard joins a "
                    "network whose backend is \"wireguard\".")
               : tr("In a mesh, the mode must be the network's backend: Plain joins a network "
                    "whose backend is \"udp\" (flannel's UDP backend).");
}

// A mesh has no address (its lease decides it) and no peer table (the members are the peers).
void ProfileEditor::showPeerSourceFields()
{
    const bool mesh = isMesh();
    for (QWidget* row : std::as_const(m_meshRows)) {
        m_form->setRowVisible(row, mesh);
    }
    for (QWidget* row : std::as_const(m_addressRows)) {
        m_form->setRowVisible(row, !mesh);
    }
    m_form->setRowVisible(m_meshModeNote, mesh);
    m_peerSection->setVisible(!mesh);
    m_meshFiller->setVisible(mesh);
}

bool ProfileEditor::meshFieldsShown() const
{
    return m_etcd->isVisibleTo(this);
}

bool ProfileEditor::peerTableShown() const
{
    return m_peers->isVisibleTo(this);
}

int ProfileEditor::columnForKey(const QString& key)
{
    static const QHash<QString, int> columns{{QStringLiteral("name"), PeerName},
                                             {QStringLiteral("endpoint"), PeerEndpoint},
                                             {QStringLiteral("subnets"), PeerSubnets},
                                             {QStringLiteral("publicKey"), PeerPublicKey},
                                             {QStringLiteral("persistentKeepalive"), PeerKeepalive},
                                             {QStringLiteral("presharedKey"), PeerPresharedKey}};
    return columns.value(key, -1);
}

QLineEdit* ProfileEditor::addField(QFormLayout* form, const QString& label, const QString& field,
                                   const QString& placeholder, const QString& help,
                                   const QList<QWidget*>& extras)
{
    auto* edit = new QLineEdit(this);
    edit->setPlaceholderText(placeholder);
    edit->setToolTip(help);
    // "Profile &name:" -> "Profile name"; a translation's "配置名称(&N)：" -> "配置名称".
    static const QRegularExpression decoration(
        QStringLiteral("\\(&\\w\\)|&(?=\\w)|[:\\x{FF1A}]\\s*$"));
    QString plain = label;
    edit->setAccessibleName(plain.remove(decoration).trimmed());
    edit->setAccessibleDescription(help);
    if (extras.isEmpty()) {
        form->addRow(label, edit);
    } else {
        auto* row = new QWidget(this);
        auto* rowLayout = new QHBoxLayout(row);
        rowLayout->setContentsMargins(0, 0, 0, 0);
        rowLayout->addWidget(edit, 1);
        for (QWidget* extra : extras) {
            rowLayout->addWidget(extra);
        }
        form->addRow(label, row);
        // The label's mnemonic focuses the edit, not the row.
        if (auto* labelWidget = qobject_cast<QLabel*>(form->labelForField(row))) {
            labelWidget->setBuddy(edit);
        }
    }
    auto* error = makeErrorLabel(this);
    form->addRow(QString(), error);
    m_fieldErrors.insert(field, error);
    m_fieldNames.insert(field, edit->accessibleName());
    connect(edit, &QLineEdit::textChanged, this, &ProfileEditor::revalidate);
    return edit;
}

// Window-modal and opened with open(), not exec(): the editor stays responsive, and a test
// finds the dialog among the top-level widgets and answers it. Qt's own dialog, as the main
// window's, so the keyboard and tests drive it alike.
void ProfileEditor::browseForFile(QLineEdit* edit, const QString& title, const QString& objectName)
{
    auto* dialog =
        new QFileDialog(this, title, QString(), tr("PEM files (*.pem *.crt *.key);;All files (*)"));
    dialog->setObjectName(objectName);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setOption(QFileDialog::DontUseNativeDialog);
    dialog->setAcceptMode(QFileDialog::AcceptOpen);
    dialog->setFileMode(QFileDialog::ExistingFile);
    // Where the field's file is, when that folder exists; the home folder otherwise.
    const QFileInfo current(edit->text().trimmed());
    if (current.isAbsolute() && QFileInfo(current.absolutePath()).isDir()) {
        dialog->setDirectory(current.absolutePath());
        dialog->selectFile(current.fileName());
    } else {
        dialog->setDirectory(QDir::homePath());
    }
    connect(dialog, &QFileDialog::fileSelected, edit, [edit](const QString& path) {
        edit->setText(QDir::cleanPath(QFileInfo(path).absoluteFilePath())); // revalidates
        edit->setFocus();
    });
    dialog->open();
}

void ProfileEditor::generateKeyPair()
{
    if (!m_privateKey->text().trimmed().isEmpty() &&
        QMessageBox::question(this, tr("Generate key pair"),
                              tr("Replace the private key? Peers that know the old public key "
                                 "will not accept this host until they get the new one.")) !=
            QMessageBox::Yes) {
        return;
    }
    const auto key = keys::generateKey();
    char text[keys::kBase64KeyLen + 1] = {};
    keys::encodeSecretKey(key.bytes(), text);
    m_privateKey->setText(QString::fromLatin1(text));
    keys::wipe(std::span<char>(text));
}

void ProfileEditor::updatePublicKey()
{
    // The secret passes through a byte array that is wiped at once; nothing here is logged.
    QByteArray secret = m_privateKey->text().trimmed().toLatin1();
    const auto key =
        keys::parseSecretKey(std::string_view(secret.constData(), size_t(secret.size())));
    keys::wipe(std::span<char>(secret.data(), size_t(secret.size())));
    m_publicKey->setText(
        key ? QString::fromStdString(keys::encodePublicKey(keys::publicKeyOf(*key))) : QString());
    m_copyPublicKey->setEnabled(key.has_value());
}

void ProfileEditor::setTunnelRunning(bool running)
{
    m_tunnelRunning->setVisible(running);
}

bool ProfileEditor::tunnelRunningNoticeShown() const
{
    return m_tunnelRunning->isVisibleTo(this);
}

void ProfileEditor::addPeer(const QString& name, const QString& endpoint, const QString& subnets,
                            const QString& publicKey, const QString& keepalive,
                            const QString& presharedKey)
{
    const bool filling = m_filling;
    m_filling = true;
    const int row = m_peers->rowCount();
    m_peers->insertRow(row);
    m_peers->setItem(row, PeerName, new QTableWidgetItem(name));
    m_peers->setItem(row, PeerEndpoint, new QTableWidgetItem(endpoint));
    m_peers->setItem(row, PeerSubnets, new QTableWidgetItem(subnets));
    m_peers->setItem(row, PeerPublicKey, new QTableWidgetItem(publicKey));
    m_peers->setItem(row, PeerKeepalive, new QTableWidgetItem(keepalive));
    m_peers->setItem(row, PeerPresharedKey, new QTableWidgetItem(presharedKey));
    m_filling = filling;
    revalidate();
}

void ProfileEditor::removeSelectedPeer()
{
    const int row = m_peers->currentRow();
    if (row >= 0) {
        m_peers->removeRow(row);
        revalidate();
    }
}

void ProfileEditor::startNew(const QString& suggestedName)
{
    m_filling = true;
    m_replacing.clear();
    setWindowTitle(tr("New profile"));
    m_name->setText(suggestedName);
    m_ifName->setText(QStringLiteral("peertun0"));
    m_address->clear();
    m_mtu->clear();
    m_listen->setText(QStringLiteral(":%1").arg(kDefaultPort));
    m_mode->setCurrentIndex(qMax(0, m_mode->findData(modeToString(kDefaultModeForNewProfiles))));
    m_privateKey->clear();
    m_dns->clear();
    m_killSwitch->setChecked(false);
    m_allowLan->setChecked(false);
    m_killSwitchTouched = false;
    m_killSwitchProposed = false;
    m_wasFullTunnel = false; // a full tunnel typed in gets the kill switch proposed
    m_peerSource->setCurrentIndex(m_peerSource->findData(int(FixedPeers)));
    fillMesh(MeshConfig());
    showModeFields();
    showPeerSourceFields();
    m_peers->setRowCount(0);
    addPeer();
    m_connectAtLogin->setChecked(false);
    m_filling = false;
    revalidate();
    // The suggested name is selected, so typing a name replaces it instead of extending it.
    m_name->setFocus();
    m_name->selectAll();
}

void ProfileEditor::setProfile(const Profile& profile, const QString& replacing)
{
    m_filling = true;
    m_replacing = replacing;
    setWindowTitle(replacing.isEmpty() ? tr("New profile") : tr("Edit profile %1").arg(replacing));
    m_name->setText(profile.name);
    m_ifName->setText(profile.interface.name);
    m_address->setText(profile.interface.address.toString());
    m_mtu->setText(profile.interface.mtu ? QString::number(*profile.interface.mtu) : QString());
    // A WireGuard profile without "listen" (a random port) keeps the field empty.
    const bool randomPort =
        profile.interface.listen.host.isNull() && profile.interface.listen.port == 0;
    m_listen->setText(randomPort ? QString() : profile.interface.listen.toString());
    m_mode->setCurrentIndex(qMax(0, m_mode->findData(modeToString(profile.mode))));
    m_privateKey->setText(profile.interface.privateKey);
    QStringList dns;
    for (const QHostAddress& server : profile.interface.dns.servers) {
        dns << server.toString();
    }
    dns << profile.interface.dns.domains;
    m_dns->setText(dns.join(QStringLiteral(", ")));
    m_killSwitch->setChecked(profile.interface.killSwitch);
    m_allowLan->setChecked(profile.interface.allowLan);
    m_killSwitchTouched = false;
    m_killSwitchProposed = false;
    m_peerSource->setCurrentIndex(m_peerSource->findData(int(profile.mesh ? Mesh : FixedPeers)));
    fillMesh(profile.mesh.value_or(MeshConfig()));
    showModeFields();
    showPeerSourceFields();
    m_peers->setRowCount(0);
    for (const PeerConfig& peer : profile.peers) {
        QStringList subnets;
        for (const Cidr& c : peer.subnets) {
            subnets << c.toString();
        }
        // WireGuard peers that connect to us have no endpoint (null host, port 0).
        const bool noEndpoint = peer.endpoint.host.isNull() && peer.endpoint.port == 0;
        addPeer(peer.name, noEndpoint ? QString() : peer.endpoint.toString(),
                subnets.join(QStringLiteral(", ")), peer.publicKey,
                peer.persistentKeepalive ? QString::number(*peer.persistentKeepalive) : QString(),
                peer.presharedKey);
    }
    m_connectAtLogin->setChecked(!replacing.isEmpty() && m_store->connectsAtLogin(replacing));
    // A saved profile keeps its choice; a new one (an imported provider's file) gets the
    // proposal if it is a full tunnel.
    m_wasFullTunnel = !replacing.isEmpty() && isFullTunnel();
    m_filling = false;
    revalidate();
}

void ProfileEditor::fillMesh(const MeshConfig& mesh)
{
    m_etcd->setPlainText(mesh.etcd.join(QLatin1Char('\n')));
    m_prefix->setText(mesh.prefix);
    m_caFile->setText(mesh.caFile);
    m_certFile->setText(mesh.certFile);
    m_keyFile->setText(mesh.keyFile);
    m_username->setText(mesh.username);
    m_password->setText(mesh.password);
    m_leaseTtl->setText(mesh.leaseTtl == kDefaultMeshLeaseTtl ? QString()
                                                              : QString::number(mesh.leaseTtl));
}

bool ProfileEditor::isFullTunnel() const
{
    if (isMesh()) {
        return false; // the members' subnets are the network's, never a default route
    }
    for (int row = 0; row < m_peers->rowCount(); ++row) {
        const QTableWidgetItem* item = m_peers->item(row, PeerSubnets);
        for (const QString& text : splitSubnets(item ? item->text() : QString())) {
            const std::optional<Cidr> subnet = parseCidr(text, nullptr, true);
            if (subnet && subnet->prefixLength == 0) {
                return true;
            }
        }
    }
    return false;
}

// Everything through the tunnel is what a kill switch protects: propose it when a profile
// becomes a full tunnel, and take the proposal back when it stops being one, unless the user
// has decided.
void ProfileEditor::proposeKillSwitch()
{
    const bool full = isFullTunnel();
    if (full != m_wasFullTunnel && !m_killSwitchTouched) {
        if (full && !m_killSwitch->isChecked()) {
            m_killSwitchProposed = true;
            m_killSwitch->setChecked(true); // toggled() revalidates
        } else if (!full && m_killSwitchProposed) {
            m_killSwitchProposed = false;
            m_killSwitch->setChecked(false);
        }
    }
    m_wasFullTunnel = full;
    m_killSwitchNote->setVisible(m_killSwitchProposed && m_killSwitch->isChecked());
}

QByteArray ProfileEditor::document() const
{
    const bool mesh = isMesh();
    QJsonObject interface;
    interface.insert(QStringLiteral("name"), m_ifName->text());
    if (!mesh) { // a mesh host's address comes from its subnet lease
        interface.insert(QStringLiteral("address"), m_address->text().trimmed());
    }
    const QString mtuText = m_mtu->text().trimmed();
    if (!mtuText.isEmpty()) {
        bool isNumber = false;
        const int mtu = mtuText.toInt(&isNumber);
        // Not a number: pass the text on, so the validator names it.
        interface.insert(QStringLiteral("mtu"), isNumber ? QJsonValue(mtu) : QJsonValue(mtuText));
    }
    const QString listenText = m_listen->text().trimmed();
    if (!listenText.isEmpty()) {
        interface.insert(QStringLiteral("listen"), listenText);
    }
    const bool wireGuard = isWireGuard();
    if (wireGuard && !m_privateKey->text().trimmed().isEmpty()) {
        interface.insert(QStringLiteral("privateKey"), m_privateKey->text().trimmed());
    }
    // Sorted as wg-quick's import does; entries that are neither are revalidate()'s errors.
    const DnsConfig dns = parseDnsList(m_dns->text(), nullptr);
    if (!dns.isEmpty()) {
        QStringList servers;
        for (const QHostAddress& server : dns.servers) {
            servers << server.toString();
        }
        interface.insert(
            QStringLiteral("dns"),
            QJsonObject{{QStringLiteral("servers"), QJsonArray::fromStringList(servers)},
                        {QStringLiteral("domains"), QJsonArray::fromStringList(dns.domains)}});
    }
    if (m_killSwitch->isChecked()) {
        interface.insert(QStringLiteral("killSwitch"), true);
    }
    if (m_allowLan->isChecked()) {
        interface.insert(QStringLiteral("allowLan"), true);
    }
    QJsonArray peers;
    for (int row = 0; row < (mesh ? 0 : m_peers->rowCount()); ++row) {
        const auto cell = [this, row](int column) {
            const QTableWidgetItem* item = m_peers->item(row, column);
            return item ? item->text().trimmed() : QString();
        };
        QJsonObject peer;
        peer.insert(QStringLiteral("name"), cell(PeerName));
        // A WireGuard peer may have no endpoint (it connects to us).
        if (!wireGuard || !cell(PeerEndpoint).isEmpty()) {
            peer.insert(QStringLiteral("endpoint"), cell(PeerEndpoint));
        }
        peer.insert(QStringLiteral("subnets"),
                    QJsonArray::fromStringList(splitSubnets(cell(PeerSubnets))));
        if (wireGuard) {
            if (!cell(PeerPublicKey).isEmpty()) {
                peer.insert(QStringLiteral("publicKey"), cell(PeerPublicKey));
            }
            if (!cell(PeerPresharedKey).isEmpty()) {
                peer.insert(QStringLiteral("presharedKey"), cell(PeerPresharedKey));
            }
            const QString keepalive = cell(PeerKeepalive);
            if (!keepalive.isEmpty()) {
                bool isNumber = false;
                const int seconds = keepalive.toInt(&isNumber);
                peer.insert(QStringLiteral("persistentKeepalive"),
                            isNumber ? QJsonValue(seconds) : QJsonValue(keepalive));
            }
        }
        peers.append(peer);
    }
    QJsonObject root;
    root.insert(QStringLiteral("version"), kProfileSchemaVersion);
    root.insert(QStringLiteral("name"), m_name->text());
    root.insert(QStringLiteral("interface"), interface);
    root.insert(QStringLiteral("mode"), m_mode->currentData().toString());
    if (mesh) {
        QJsonObject section;
        section.insert(QStringLiteral("etcd"),
                       QJsonArray::fromStringList(splitEndpoints(m_etcd->toPlainText())));
        const std::pair<const char*, const QLineEdit*> optional[] = {
            {"prefix", m_prefix},   {"caFile", m_caFile},     {"certFile", m_certFile},
            {"keyFile", m_keyFile}, {"username", m_username}, {"password", m_password}};
        for (const auto& [key, edit] : optional) {
            // Empty: absent (the prefix's default, no TLS, no authentication).
            const QString text = edit == m_password ? edit->text() : edit->text().trimmed();
            if (!text.isEmpty()) {
                section.insert(QString::fromLatin1(key), text);
            }
        }
        const QString leaseTtl = m_leaseTtl->text().trimmed();
        if (!leaseTtl.isEmpty()) {
            bool isNumber = false;
            const qint64 ttl = leaseTtl.toLongLong(&isNumber);
            // Not a whole number: passed on as text, so the library names what is wrong.
            section.insert(QStringLiteral("leaseTtl"),
                           isNumber ? QJsonValue(ttl) : QJsonValue(leaseTtl));
        }
        root.insert(QStringLiteral("mesh"), section);
    } else {
        root.insert(QStringLiteral("peers"), peers);
    }
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

void ProfileEditor::revalidate()
{
    if (m_filling) {
        return;
    }
    proposeKillSwitch();
    const ProfileParseResult result = parseProfile(document());
    m_errors = result.errors;
    m_profile = result.profile;
    // The DNS line's entries that are neither an address nor a domain (the library's words);
    // placed in field order, after the interface's other fields.
    QStringList dnsErrors;
    parseDnsList(m_dns->text(), &dnsErrors);
    if (!dnsErrors.isEmpty()) {
        qsizetype at = 0;
        while (at < m_errors.size() &&
               (m_errors[at].field == QLatin1String("name") ||
                (m_errors[at].field.startsWith(QLatin1String("interface")) &&
                 m_errors[at].field != QLatin1String("interface.killSwitch")))) {
            ++at;
        }
        for (const QString& message : std::as_const(dnsErrors)) {
            ProfileError e;
            e.field = QStringLiteral("interface.dns");
            e.message = message;
            m_errors.insert(at++, e);
        }
        m_profile.reset();
    }
    showErrors();
}

QString ProfileEditor::peerErrorText() const
{
    return m_peerErrors->text();
}

QString ProfileEditor::inEditorWords(const QString& message) const
{
    // The validator names fields by their JSON path, which peertunctl users see; here they are
    // the editor's fields, and peers are named as in the table (by name, else by row).
    static const QRegularExpression peerPath(
        QStringLiteral("\\bpeers\\[(\\d+)\\](?:\\.(\\w+)(?:\\[\\d+\\])?)?"));
    static const QRegularExpression fieldPath(
        QStringLiteral("\\b(?:interface\\.\\w+(?:\\.\\w+)?(?:\\[\\d+\\])?|mode)(?!\\w)"));
    QString out;
    qsizetype last = 0;
    for (auto it = peerPath.globalMatch(message); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        const int row = m.captured(1).toInt();
        const QTableWidgetItem* nameItem =
            row < m_peers->rowCount() ? m_peers->item(row, PeerName) : nullptr;
        const QString name = nameItem != nullptr ? nameItem->text().trimmed() : QString();
        const QString peer =
            name.isEmpty() ? tr("peer %1").arg(row + 1) : tr("peer \u201c%1\u201d").arg(name);
        const int column = m.captured(2).isEmpty() ? -1 : columnForKey(m.captured(2));
        out += message.mid(last, m.capturedStart() - last);
        out += column >= 0 ? tr("the %1 of %2")
                                 .arg(m_peers->horizontalHeaderItem(column)->text().toLower(), peer)
                           : peer;
        last = m.capturedEnd();
    }
    out += message.mid(last);
    QString result;
    last = 0;
    for (auto it = fieldPath.globalMatch(out); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        result += out.mid(last, m.capturedStart() - last);
        // "interface.dns.servers" is the DNS line's business too.
        const QString path = m.captured(0).startsWith(QLatin1String("interface.dns"))
                                 ? QStringLiteral("interface.dns")
                                 : m.captured(0);
        const QString name = path == QLatin1String("mode") ? tr("Mode") : m_fieldNames.value(path);
        result += name.isEmpty() ? m.captured(0) : tr("the %1 field").arg(name);
        last = m.capturedEnd();
    }
    result += out.mid(last);
    // "mesh.etcd[1]" -> "etcd endpoint 2", "mesh.caFile" -> "the CA file field".
    static const QRegularExpression meshPath(
        QStringLiteral("\\bmesh\\.(\\w+)(?:\\[(\\d+)\\])?(?!\\w)"));
    QString words;
    last = 0;
    for (auto it = meshPath.globalMatch(result); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        words += result.mid(last, m.capturedStart() - last);
        const QString path = QStringLiteral("mesh.") + m.captured(1);
        const QString name = m_fieldNames.value(path);
        if (path == QLatin1String("mesh.etcd") && !m.captured(2).isEmpty()) {
            words += tr("etcd endpoint %1").arg(m.captured(2).toInt() + 1);
        } else {
            words += name.isEmpty() ? m.captured(0) : tr("the %1 field").arg(name);
        }
        last = m.capturedEnd();
    }
    words += result.mid(last);
    if (!words.isEmpty()) {
        words[0] = words[0].toUpper();
    }
    return words;
}

void ProfileEditor::showErrors()
{
    m_shown.clear();
    QStringList peerMessages;
    QStringList generalMessages;
    QStringList order; // fields in the validator's order (the profile's field order)
    for (const ProfileError& e : std::as_const(m_errors)) {
        const QString message = inEditorWords(e.message);
        // "interface.dns.servers[1]", "interface.dns.domains": all of them the one DNS line;
        // "mesh.etcd[2]": the endpoints' box.
        const QString field =
            e.field.startsWith(QLatin1String("interface.dns")) ? QStringLiteral("interface.dns")
            : e.field.startsWith(QLatin1String("mesh.etcd"))   ? QStringLiteral("mesh.etcd")
                                                               : e.field;
        if (m_fieldErrors.contains(field) || field.startsWith(QLatin1String("peers"))) {
            QString& shown = m_shown[field];
            if (shown.isEmpty()) {
                order << field;
            }
            shown = shown.isEmpty() ? message : shown + QLatin1Char('\n') + message;
        } else {
            generalMessages << message;
        }
    }
    for (auto it = m_fieldErrors.cbegin(); it != m_fieldErrors.cend(); ++it) {
        const QString message = m_shown.value(it.key());
        it.value()->setText(message);
        it.value()->setVisible(!message.isEmpty());
    }

    // Peer cells: "peers[1].endpoint" -> row 1, endpoint column; "peers[0].subnets[2]" ->
    // row 0, subnets column. Errors about a whole peer or the list go under the table.
    static const QRegularExpression cellPath(
        QStringLiteral("^peers\\[(\\d+)\\]\\.(\\w+)(\\[\\d+\\])?$"));
    const bool filling = m_filling;
    m_filling = true; // item edits below must not re-enter revalidate()
    for (int row = 0; row < m_peers->rowCount(); ++row) {
        for (int column = 0; column < m_peers->columnCount(); ++column) {
            if (QTableWidgetItem* item = m_peers->item(row, column)) {
                item->setBackground(QBrush());
                item->setToolTip(QString());
            }
        }
    }
    for (const QString& field : std::as_const(order)) {
        if (!field.startsWith(QLatin1String("peers"))) {
            continue;
        }
        const QString& text = m_shown[field];
        const QRegularExpressionMatch m = cellPath.match(field);
        QTableWidgetItem* item = nullptr;
        const int column = m.hasMatch() ? columnForKey(m.captured(2)) : -1;
        if (column >= 0) {
            item = m_peers->item(m.captured(1).toInt(), column);
        }
        peerMessages << text;
        if (item != nullptr) {
            item->setBackground(kErrorBackground);
            item->setToolTip(item->toolTip().isEmpty() ? text : item->toolTip() + '\n' + text);
        }
    }
    m_filling = filling;
    m_peerErrors->setText(peerMessages.join(QLatin1Char('\n')));
    m_peerErrors->setVisible(!peerMessages.isEmpty());
    m_generalError->setText(generalMessages.join(QLatin1Char('\n')));
    m_generalError->setVisible(!generalMessages.isEmpty());
    m_save->setEnabled(canSave());
    m_removePeer->setEnabled(m_peers->rowCount() > 0);
}

QString ProfileEditor::shownError(const QString& field) const
{
    if (const QLabel* label = m_fieldErrors.value(field)) {
        return label->isVisibleTo(this) ? label->text() : QString();
    }
    static const QRegularExpression cellPath(
        QStringLiteral("^peers\\[(\\d+)\\]\\.(\\w+)(\\[\\d+\\])?$"));
    const QRegularExpressionMatch m = cellPath.match(field);
    const int column = m.hasMatch() ? columnForKey(m.captured(2)) : -1;
    if (column >= 0) {
        const QTableWidgetItem* item = m_peers->item(m.captured(1).toInt(), column);
        return item ? item->toolTip() : QString();
    }
    return field.startsWith(QLatin1String("peers")) ? m_shown.value(field) : QString();
}

bool ProfileEditor::canSave() const
{
    return m_errors.isEmpty() && m_profile.has_value() && !m_livePending;
}

void ProfileEditor::setRunningTunnel(TunnelController* controller, const Profile& running)
{
    m_controller = controller;
    m_running = running;
    connect(controller, &TunnelController::peersApplied, this, &ProfileEditor::onPeersApplied,
            Qt::UniqueConnection);
    setTunnelRunning(true);
}

QString ProfileEditor::liveApplyText() const
{
    return m_liveApply->isVisibleTo(this) ? m_liveApply->text() : QString();
}

void ProfileEditor::saveToStore()
{
    if (!canSave()) {
        return;
    }
    // Peers alone changed on a running tunnel: the tunnel takes them first, and only what it
    // took is saved.
    if (m_controller && m_running && m_controller->appliesLive(*m_running, *m_profile)) {
        m_livePending = true;
        m_liveApply->setStyleSheet(QString());
        m_liveApply->setText(
            tr("Applying the new peers to the running tunnel %1…").arg(m_running->name));
        m_liveApply->show();
        m_save->setEnabled(false);
        m_controller->applyPeers(*m_profile);
        return;
    }
    if (saveProfile()) {
        accept();
    }
}

void ProfileEditor::onPeersApplied(const QString& name, bool ok, const QString& error)
{
    if (!m_livePending || !m_running || name != m_running->name) {
        return;
    }
    m_livePending = false;
    if (ok) {
        m_liveApply->hide();
        if (saveProfile()) {
            accept();
        }
        return;
    }
    // The helper's words, in the editor's terms; what was typed stays for another try.
    m_liveApply->setStyleSheet(QStringLiteral("color: #b00020;"));
    m_liveApply->setText(
        tr("The running tunnel did not take the new peers, so nothing was saved: %1")
            .arg(inEditorWords(error)));
    m_liveApply->show();
    m_save->setEnabled(canSave());
}

void ProfileEditor::reject()
{
    if (m_livePending && m_controller && m_running) {
        m_livePending = false;
        m_controller->abandonPeers(m_running->name);
    }
    QDialog::reject();
}

bool ProfileEditor::saveProfile()
{
    QString error;
    if (!m_store->save(*m_profile, m_replacing, &error) ||
        !m_store->setConnectAtLogin(m_profile->name, m_connectAtLogin->isChecked(), &error)) {
        m_generalError->setText(error);
        m_generalError->show();
        return false;
    }
    return true;
}

} // namespace peertun
