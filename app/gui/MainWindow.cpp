#include "MainWindow.h"

#include "CountersView.h"
#include "Format.h"
#include "LogView.h"
#include "ProfileEditor.h"
#include "ProfileStore.h"
#include "ThroughputGraph.h"
#include "TunnelController.h"
#include "TunnelHealth.h"
#include "TunnelText.h"
#include "WgQuickImport.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFrame>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <algorithm>

namespace peertun {

namespace {

using dbus::TunnelState;

constexpr int kNameRole = Qt::UserRole + 1;
constexpr int kKindRole = Qt::UserRole + 2;
enum class ItemKind { Profile, BrokenFile, HelperOnly };

const char* kErrorBannerStyle =
    "QFrame#banner { background: #fdecea; border: 1px solid #e0a0a0; border-radius: 4px; }";
constexpr int kStatusMessageMs = 15000;

const char* kInfoBannerStyle =
    "QFrame#banner { background: #e8f1fb; border: 1px solid #a0c0e0; border-radius: 4px; }";

} // namespace

MainWindow::MainWindow(ProfileStore* store, HelperSession* session, QWidget* parent)
    : QMainWindow(parent), m_store(store), m_session(session),
      m_controller(new TunnelController(store, session, this))
{
    setWindowTitle(tr("peertun"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/peertun.svg")));
    auto* central = new QWidget(this);
    auto* outer = new QVBoxLayout(central);

    // Banner: what is wrong with the helper and what to do.
    m_banner = new QFrame(central);
    m_banner->setObjectName(QStringLiteral("banner"));
    m_banner->setAccessibleName(tr("Helper status"));
    auto* bannerLayout = new QHBoxLayout(m_banner);
    m_bannerText = new QLabel(m_banner);
    m_bannerText->setWordWrap(true);
    m_bannerText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_bannerRetry = new QPushButton(tr("&Retry"), m_banner);
    auto* bannerClose = new QPushButton(tr("Dismiss"), m_banner);
    bannerLayout->addWidget(m_bannerText, 1);
    bannerLayout->addWidget(m_bannerRetry);
    bannerLayout->addWidget(bannerClose);
    m_banner->hide();
    outer->addWidget(m_banner);

    // After an edit of a profile whose tunnel is up: offer to reconnect, never do it silently.
    m_reconnectBanner = new QFrame(central);
    m_reconnectBanner->setObjectName(QStringLiteral("banner"));
    m_reconnectBanner->setStyleSheet(QLatin1String(kInfoBannerStyle));
    m_reconnectBanner->setAccessibleName(tr("Reconnect to apply changes"));
    auto* reconnectLayout = new QHBoxLayout(m_reconnectBanner);
    m_reconnectText = new QLabel(m_reconnectBanner);
    m_reconnectText->setWordWrap(true);
    m_reconnectNow = new QPushButton(tr("Reconnect n&ow"), m_reconnectBanner);
    m_reconnectNow->setAccessibleName(tr("Reconnect now"));
    auto* reconnectLater = new QPushButton(tr("&Later"), m_reconnectBanner);
    reconnectLater->setAccessibleName(tr("Reconnect later"));
    reconnectLayout->addWidget(m_reconnectText, 1);
    reconnectLayout->addWidget(m_reconnectNow);
    reconnectLayout->addWidget(reconnectLater);
    m_reconnectBanner->hide();
    outer->addWidget(m_reconnectBanner);
    connect(m_reconnectNow, &QPushButton::clicked, this, &MainWindow::reconnectEdited);
    connect(reconnectLater, &QPushButton::clicked, m_controller,
            &TunnelController::dismissReconnect);
    connect(m_controller, &TunnelController::reconnectOfferChanged, this,
            &MainWindow::showReconnectOffer);
    connect(m_controller, &TunnelController::peersApplied, this,
            [this](const QString& name, bool ok, const QString& error) {
                statusBar()->showMessage(
                    ok ? tr("The new peers of %1 were applied without a reconnect.").arg(name)
                       : tr("The tunnel %1 did not take the new peers: %2").arg(name, error),
                    kStatusMessageMs);
            });
    connect(m_bannerRetry, &QPushButton::clicked, m_session, &HelperSession::start);
    connect(bannerClose, &QPushButton::clicked, m_banner, &QWidget::hide);

    auto* splitter = new QSplitter(Qt::Horizontal, central);
    outer->addWidget(splitter, 1);

    auto* left = new QWidget(splitter);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    auto* listLabel = new QLabel(tr("Prof&iles"), left);
    m_list = new QListWidget(left);
    m_list->setAccessibleName(tr("Profiles"));
    // Wide enough for a usual entry in the UI's language; longer ones are elided, never
    // scrolled sideways.
    const QString typicalEntry =
        tr("%1 — %2").arg(QStringLiteral("host-1"), stateText(dbus::TunnelState::Disconnected)) +
        QLatin1Char(' ') + tr("(unencrypted)");
    m_list->setMinimumWidth(qMax(200, m_list->fontMetrics().horizontalAdvance(typicalEntry) +
                                          m_list->style()->pixelMetric(QStyle::PM_ScrollBarExtent) +
                                          4 * m_list->frameWidth() + 16));
    m_list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_list->setTextElideMode(Qt::ElideRight);
    listLabel->setBuddy(m_list);
    leftLayout->addWidget(listLabel);
    leftLayout->addWidget(m_list, 1);
    auto* newButton = new QPushButton(tr("&New profile…"), left);
    leftLayout->addWidget(newButton);

    auto* right = new QSplitter(Qt::Vertical, splitter);
    auto* top = new QWidget(right);
    auto* topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    auto* header = new QHBoxLayout;
    auto* titles = new QVBoxLayout;
    m_title = new QLabel(top);
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.6);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_stateLabel = new QLabel(top);
    m_stateLabel->setWordWrap(true);
    m_stateLabel->setAccessibleName(tr("Tunnel state"));
    m_details = new QLabel(top);
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    titles->addWidget(m_title);
    titles->addWidget(m_stateLabel);
    titles->addWidget(m_details);
    m_connectButton = new QPushButton(top);
    m_connectButton->setMinimumSize(170, 52);
    QFont buttonFont = m_connectButton->font();
    buttonFont.setPointSizeF(buttonFont.pointSizeF() * 1.3);
    buttonFont.setBold(true);
    m_connectButton->setFont(buttonFont);
    m_connectButton->setAccessibleName(tr("Connect or disconnect"));
    header->addLayout(titles, 1);
    header->addWidget(m_connectButton, 0, Qt::AlignTop);
    topLayout->addLayout(header);
    m_counters = new CountersView(top);
    topLayout->addWidget(m_counters);
    m_graph = new ThroughputGraph(top);
    topLayout->addWidget(m_graph, 1);
    m_log = new LogView(right);
    right->addWidget(top);
    right->addWidget(m_log);
    right->setStretchFactor(0, 3);
    right->setStretchFactor(1, 2);
    splitter->addWidget(left);
    splitter->addWidget(right);
    splitter->setStretchFactor(1, 1);
    setCentralWidget(central);

    m_tray = new TrayIcon(this);
    connect(m_tray, &TrayIcon::activated, this, &MainWindow::toggleVisible);

    buildActions();
    connect(newButton, &QPushButton::clicked, this, &MainWindow::newProfile);
    connect(m_connectButton, &QPushButton::clicked, this, &MainWindow::toggleConnection);
    connect(m_list, &QListWidget::currentItemChanged, this, &MainWindow::updateDetails);
    connect(m_list, &QListWidget::itemActivated, this, &MainWindow::editProfile);
    connect(m_store, &ProfileStore::changed, this, &MainWindow::rebuildList);
    connect(m_session, &HelperSession::tunnelChanged, this, [this](const QString& name) {
        const TunnelState newState = m_session->status(name).state;
        const bool gone = newState == TunnelState::Disconnected || newState == TunnelState::Failed;
        if (m_store->find(name) == nullptr && gone != listedState(name).isEmpty()) {
            // A tunnel without a profile here came up (someone else brought it up), or went
            // down (nothing is left to show or connect under that name, e.g. after a rename).
            rebuildList();
        }
        updateListStates();
        updateDetails();
        updateTray();
    });
    connect(m_session, &HelperSession::statsChanged, this, [this](const QString& name) {
        if (name == selectedName()) {
            updateDetails();
        }
        updateTray();
    });
    connect(m_session, &HelperSession::logLine, m_log, &LogView::append);
    connect(m_session, &HelperSession::problemChanged, this, &MainWindow::showProblem);
    connect(m_session, &HelperSession::tunnelEvent, this, &MainWindow::onTunnelEvent);

    // Tab order: list, connect, log filter row, log.
    setTabOrder(m_list, newButton);
    setTabOrder(newButton, m_connectButton);
    setTabOrder(m_connectButton, m_counters->peerTable());
    rebuildList();
    resize(1000, 700);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildActions()
{
    QMenu* profileMenu = menuBar()->addMenu(tr("&Profile"));
    m_newAction = profileMenu->addAction(tr("&New…"), this, &MainWindow::newProfile);
    m_newAction->setShortcut(QKeySequence::New);
    m_editAction = profileMenu->addAction(tr("&Edit…"), this, &MainWindow::editProfile);
    m_editAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_duplicateAction =
        profileMenu->addAction(tr("D&uplicate"), this, &MainWindow::duplicateProfile);
    m_duplicateAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    m_renameAction = profileMenu->addAction(tr("&Rename…"), this, &MainWindow::renameProfile);
    m_renameAction->setShortcut(QKeySequence(Qt::Key_F2));
    m_deleteAction = profileMenu->addAction(tr("De&lete…"), this, &MainWindow::deleteProfile);
    m_deleteAction->setShortcut(QKeySequence::Delete);
    m_deleteAction->setShortcutContext(Qt::WidgetShortcut);
    m_list->addAction(m_deleteAction); // Del only acts in the list
    profileMenu->addSeparator();
    QAction* importAction =
        profileMenu->addAction(tr("&Import…"), this, &MainWindow::importProfile);
    importAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_I));
    m_exportAction = profileMenu->addAction(tr("E&xport…"), this, &MainWindow::exportProfile);
    m_exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    m_importWgAction = profileMenu->addAction(tr("Import &WireGuard config…"), this,
                                              &MainWindow::importWgQuickConfig);
    m_importWgAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_I));
    // The list's context menu offers the same.
    m_list->setContextMenuPolicy(Qt::ActionsContextMenu);
    for (QAction* a : {m_newAction, m_editAction, m_duplicateAction, m_renameAction}) {
        m_list->addAction(a);
    }
    m_list->addAction(importAction);
    m_list->addAction(m_importWgAction);
    m_list->addAction(m_exportAction);
    profileMenu->addSeparator();
    QAction* quit = profileMenu->addAction(tr("&Quit"), qApp, &QApplication::quit);
    quit->setShortcut(QKeySequence::Quit);

    QMenu* tunnelMenu = menuBar()->addMenu(tr("&Tunnel"));
    m_toggleAction = tunnelMenu->addAction(tr("&Connect"), this, &MainWindow::toggleConnection);
    m_toggleAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    QAction* findAction = tunnelMenu->addAction(tr("&Search the log"), this, [this] {
        m_log->searchEdit()->setFocus();
        m_log->searchEdit()->selectAll();
    });
    findAction->setShortcut(QKeySequence::Find);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About peertun"), this, [this] {
        QMessageBox::about(
            this, tr("About peertun"),
            tr("<p><b>peertun</b> %1</p><p>Point-to-point tunnels over UDP, managed by a "
               "privileged helper (%2).</p>")
                .arg(QApplication::applicationVersion(),
                     m_session->helperVersion().isEmpty()
                         ? tr("helper not running")
                         : tr("helper %1").arg(m_session->helperVersion())));
    });
}

QString MainWindow::itemName(const QListWidgetItem* item) const
{
    return item ? item->data(kNameRole).toString() : QString();
}

QString MainWindow::selectedName() const
{
    return itemName(m_list->currentItem());
}

bool MainWindow::selectProfile(const QString& name)
{
    for (int i = 0; i < m_list->count(); ++i) {
        if (itemName(m_list->item(i)) == name) {
            m_list->setCurrentRow(i);
            return true;
        }
    }
    return false;
}

bool MainWindow::isWireGuard(const QString& name) const
{
    if (const StoredProfile* stored = m_store->find(name); stored != nullptr && stored->ok()) {
        return stored->profile->mode == TunnelMode::WireGuard;
    }
    return m_session->status(name).mode == dbus::Mode::WireGuard;
}

void MainWindow::rebuildList()
{
    const QString selected = selectedName();
    m_list->clear();
    QStringList listed;
    for (const StoredProfile& stored : m_store->profiles()) {
        auto* item = new QListWidgetItem(m_list);
        if (stored.ok()) {
            item->setData(kNameRole, stored.profile->name);
            item->setData(kKindRole, int(ItemKind::Profile));
            listed << stored.profile->name;
            if (!stored.error.isEmpty()) {
                item->setToolTip(stored.error);
            }
        } else {
            item->setData(kNameRole, stored.fileName);
            item->setData(kKindRole, int(ItemKind::BrokenFile));
            item->setIcon(style()->standardIcon(QStyle::SP_MessageBoxWarning));
            item->setText(tr("%1 — cannot be used").arg(stored.fileName));
            item->setToolTip(stored.error);
        }
    }
    // Tunnels the helper runs without a profile here (brought up by peertunctl or another
    // user): listed so they can be watched and taken down.
    for (const QString& name : m_session->tunnelNames()) {
        const TunnelState state = m_session->status(name).state;
        if (!listed.contains(name) && state != TunnelState::Disconnected &&
            state != TunnelState::Failed) {
            auto* item = new QListWidgetItem(m_list);
            item->setData(kNameRole, name);
            item->setData(kKindRole, int(ItemKind::HelperOnly));
        }
    }
    updateListStates();
    if (!selectProfile(selected) && m_list->count() > 0) {
        m_list->setCurrentRow(0);
    }
    updateDetails();
    updateTray();
}

QString MainWindow::listedState(const QString& name) const
{
    for (int i = 0; i < m_list->count(); ++i) {
        const QListWidgetItem* item = m_list->item(i);
        if (itemName(item) == name && item->data(kKindRole).toInt() != int(ItemKind::BrokenFile)) {
            return dbus::stateName(m_session->status(name).state);
        }
    }
    return QString();
}

void MainWindow::updateListStates()
{
    for (int i = 0; i < m_list->count(); ++i) {
        QListWidgetItem* item = m_list->item(i);
        if (item->data(kKindRole).toInt() == int(ItemKind::BrokenFile)) {
            continue;
        }
        const QString name = itemName(item);
        const TunnelStatus status = m_session->status(name);
        QString text = tr("%1 — %2").arg(name, stateText(status.state));
        if (status.state == TunnelState::Failed && !status.reason.isEmpty()) {
            item->setToolTip(status.reason);
        }
        const bool helperOnly = item->data(kKindRole).toInt() == int(ItemKind::HelperOnly);
        // A tunnel without a profile here: its mode is known once ListTunnels said it.
        if (helperOnly ? status.mode == dbus::Mode::Plain : !isWireGuard(name)) {
            text += QLatin1Char(' ') + tr("(unencrypted)");
        }
        if (helperOnly) {
            text += QLatin1Char(' ') + tr("(no profile here)");
        }
        item->setText(text);
        TrayState icon = TrayState::Disconnected;
        if (status.state == TunnelState::Connected) {
            icon = TrayState::Connected;
        } else if (status.state == TunnelState::Connecting ||
                   status.state == TunnelState::Disconnecting) {
            icon = TrayState::Connecting;
        } else if (status.state == TunnelState::Failed || status.state == TunnelState::Blocked) {
            icon = TrayState::Failed;
        }
        item->setIcon(TrayIcon::iconFor(icon));
    }
}

void MainWindow::updateDetails()
{
    const QListWidgetItem* item = m_list->currentItem();
    const QString name = itemName(item);
    const auto kind = item ? ItemKind(item->data(kKindRole).toInt()) : ItemKind::Profile;
    const TunnelStatus status = m_session->status(name);
    const bool haveProfile = item && kind == ItemKind::Profile;
    m_editAction->setEnabled(haveProfile);
    m_duplicateAction->setEnabled(haveProfile);
    m_renameAction->setEnabled(haveProfile);
    m_deleteAction->setEnabled(haveProfile);
    m_exportAction->setEnabled(haveProfile);

    if (item == nullptr) {
        m_title->setText(tr("No profile"));
        m_stateLabel->setText(tr("Create a profile with \"New profile\" (Ctrl+N) or import one."));
        m_details->clear();
        m_connectButton->setText(tr("&Connect"));
        m_connectButton->setEnabled(false);
        m_toggleAction->setEnabled(false);
        m_counters->showStatus(TunnelStatus());
        m_graph->setSamples({});
        return;
    }
    if (kind == ItemKind::BrokenFile) {
        const StoredProfile* stored = nullptr;
        for (const StoredProfile& p : m_store->profiles()) {
            if (p.fileName == name) {
                stored = &p;
            }
        }
        m_title->setText(name);
        m_stateLabel->setText(
            tr("This file cannot be used: %1").arg(stored ? stored->error : QString()));
        m_details->setText(tr("peertun does not change it. Fix it in a text editor or remove "
                              "it: %1")
                               .arg(stored ? stored->path : QString()));
        m_connectButton->setText(tr("&Connect"));
        m_connectButton->setEnabled(false);
        m_toggleAction->setEnabled(false);
        m_counters->showStatus(TunnelStatus());
        m_graph->setSamples({});
        return;
    }

    m_title->setText(name);
    m_stateLabel->setText(stateLineText(status, isWireGuard(name)));
    QStringList details;
    if (const StoredProfile* stored = m_store->find(name)) {
        const Profile& p = *stored->profile;
        const QString mode = p.mode == TunnelMode::WireGuard ? tr("WireGuard (encrypted)")
                                                             : tr("plain mode, unencrypted");
        if (p.mesh) {
            // The address is the lease's: known once the tunnel is listed.
            const QString address = status.info && !status.info->address.isEmpty()
                                        ? status.info->address
                                        : tr("from its lease");
            details << tr("Interface %1, address %2, listening on %3; a mesh through etcd (%4, "
                          "prefix %5); %6")
                           .arg(p.interface.name, address, p.interface.listen.toString(),
                                p.mesh->etcd.join(QStringLiteral(", ")), p.mesh->prefix, mode);
        } else {
            details << tr("Interface %1, address %2, listening on %3, %n peer(s); %4", nullptr,
                          int(p.peers.size()))
                           .arg(p.interface.name, p.interface.address.toString(),
                                p.interface.listen.toString(), mode);
        }
    } else {
        details << tr("Brought up outside this app; there is no profile for it here.");
    }
    // A running mesh: whether etcd answers, the agent's state, how many members.
    if (dbus::isUp(status.state)) {
        details << meshLines(status);
    }
    m_details->setText(details.join(QLatin1Char('\n')));

    const bool pending = status.requestPending;
    const TunnelState state = status.state;
    bool enabled = !pending;
    QString label;
    if (state == TunnelState::Connected || state == TunnelState::Blocked) {
        label = tr("&Disconnect"); // for a blocked tunnel: lifts its kill switch
    } else if (state == TunnelState::Connecting) {
        label = tr("Connecting…");
        enabled = false;
    } else if (state == TunnelState::Disconnecting) {
        label = tr("Disconnecting…");
        enabled = false;
    } else {
        label = tr("&Connect");
        enabled = enabled && kind == ItemKind::Profile;
    }
    m_connectButton->setText(label);
    m_connectButton->setEnabled(enabled);
    m_toggleAction->setText(label);
    m_toggleAction->setEnabled(enabled);
    m_counters->showStatus(status, isWireGuard(name));
    m_graph->setSamples(status.history);
}

void MainWindow::updateTray()
{
    bool connecting = false;
    bool connected = false;
    bool failed = false;
    QList<TrayTunnel> tunnels;
    for (const QString& name : m_session->tunnelNames()) {
        const TunnelStatus s = m_session->status(name);
        const bool wireGuard = isWireGuard(name);
        const bool reconnecting =
            s.state == TunnelState::Connected &&
            isReconnecting(dbus::TunnelCounters::fromVariant(s.stats), wireGuard);
        connecting |= s.state == TunnelState::Connecting || s.state == TunnelState::Disconnecting ||
                      reconnecting;
        connected |= s.state == TunnelState::Connected;
        // Blocked: down, and everything outside the tunnel is dropped.
        failed |= s.state == TunnelState::Failed || s.state == TunnelState::Blocked;
        tunnels << TrayTunnel{name, s, wireGuard};
    }
    m_tray->setState(connecting  ? TrayState::Connecting
                     : connected ? TrayState::Connected
                     : failed    ? TrayState::Failed
                                 : TrayState::Disconnected);
    m_tray->setToolTip(trayToolTipText(tunnels));

    QMenu* menu = m_tray->menu();
    menu->clear();
    for (const StoredProfile& stored : m_store->profiles()) {
        if (!stored.ok()) {
            continue;
        }
        const QString name = stored.profile->name;
        const TunnelStatus s = m_session->status(name);
        const bool up = s.state == TunnelState::Connected || s.state == TunnelState::Blocked;
        QAction* a =
            menu->addAction(up ? tr("Disconnect %1").arg(name) : tr("Connect %1").arg(name), this,
                            [this, name] { m_controller->connectOrDisconnect(name); });
        a->setIcon(TrayIcon::iconFor(up ? TrayState::Connected : TrayState::Disconnected));
        a->setEnabled(!s.requestPending && (up || s.state == TunnelState::Disconnected ||
                                            s.state == TunnelState::Failed));
    }
    menu->addSeparator();
    menu->addAction(isVisible() ? tr("Hide window") : tr("Show window"), this,
                    &MainWindow::toggleVisible);
    menu->addAction(tr("Quit"), qApp, &QApplication::quit);
}

void MainWindow::toggleConnection()
{
    const QListWidgetItem* item = m_list->currentItem();
    if (item == nullptr || item->data(kKindRole).toInt() == int(ItemKind::BrokenFile)) {
        return;
    }
    m_controller->connectOrDisconnect(itemName(item));
}

QString MainWindow::bannerText() const
{
    return m_bannerText->text();
}

bool MainWindow::bannerVisible() const
{
    return m_banner->isVisibleTo(this);
}

void MainWindow::showProblem(HelperSession::Problem problem, const QString& text)
{
    m_problem = problem;
    if (problem == HelperSession::Problem::None) {
        m_banner->hide();
        m_bannerText->clear();
        return;
    }
    QString headline;
    switch (problem) {
    case HelperSession::Problem::NoBus:
        headline = tr("No system bus");
        break;
    case HelperSession::Problem::NotInstalled:
        headline = tr("Helper not installed");
        break;
    case HelperSession::Problem::NotResponding:
        headline = tr("Helper not responding");
        break;
    case HelperSession::Problem::Stopped:
        headline = tr("Helper stopped");
        break;
    case HelperSession::Problem::NotAuthorized:
        headline = tr("Authorization refused");
        break;
    case HelperSession::Problem::Restarted:
        headline = tr("Helper restarted");
        break;
    case HelperSession::Problem::None:
        break;
    }
    m_banner->setStyleSheet(QLatin1String(
        problem == HelperSession::Problem::Restarted ? kInfoBannerStyle : kErrorBannerStyle));
    m_bannerText->setText(
        QStringLiteral("<b>%1.</b> %2").arg(headline.toHtmlEscaped(), text.toHtmlEscaped()));
    m_bannerRetry->setVisible(problem != HelperSession::Problem::NotAuthorized &&
                              problem != HelperSession::Problem::Restarted);
    m_banner->show();
}

void MainWindow::onTunnelEvent(const QString& name, TunnelState state, const QString& reason)
{
    if (state == TunnelState::Connected) {
        m_tray->notify(tr("Connected"), tr("Tunnel %1 is up.").arg(name),
                       QSystemTrayIcon::Information);
    } else if (state == TunnelState::Failed) {
        m_tray->notify(tr("Connection failed"), tr("Tunnel %1: %2").arg(name, reason),
                       QSystemTrayIcon::Critical);
    } else {
        m_tray->notify(tr("Disconnected"),
                       reason.isEmpty() ? tr("Tunnel %1 is down.").arg(name)
                                        : tr("Tunnel %1 is down: %2").arg(name, reason),
                       QSystemTrayIcon::Warning);
    }
}

void MainWindow::newProfile()
{
    ProfileEditor editor(m_store, this);
    editor.startNew(m_store->freeName(tr("office")));
    if (editor.exec() == QDialog::Accepted && editor.profile()) {
        selectProfile(editor.profile()->name);
    }
}

void MainWindow::editProfile()
{
    const StoredProfile* stored = m_store->find(selectedName());
    if (stored == nullptr) {
        return;
    }
    const Profile before = *stored->profile;
    ProfileEditor editor(m_store, this);
    editor.setProfile(before, before.name);
    if (m_controller->isUp(before.name)) {
        editor.setRunningTunnel(m_controller, before);
    }
    if (editor.exec() == QDialog::Accepted && editor.profile()) {
        const Profile after = *editor.profile();
        selectProfile(after.name);
        m_controller->profileEdited(before, after);
    }
}

void MainWindow::showReconnectOffer()
{
    const auto& offer = m_controller->reconnectOffer();
    if (!offer) {
        m_reconnectBanner->hide();
        return;
    }
    if (offer->reconnecting) {
        m_reconnectNow->setEnabled(false);
        m_reconnectText->setText(tr("Reconnecting %1…").arg(offer->running));
        return;
    }
    m_reconnectText->setText(
        offer->running == offer->saved
            ? tr("The tunnel %1 still runs with its old settings. Reconnect it to use the saved "
                 "ones (traffic stops for a moment).")
                  .arg(offer->running)
            : tr("The tunnel %1 still runs with its old settings. Reconnect to bring it up as %2 "
                 "with the saved ones (traffic stops for a moment).")
                  .arg(offer->running, offer->saved));
    m_reconnectNow->setEnabled(true);
    m_reconnectBanner->show();
}

void MainWindow::reconnectEdited()
{
    m_controller->reconnect();
}

QString MainWindow::statusText() const
{
    return statusBar()->currentMessage();
}

QString MainWindow::detailsText() const
{
    return m_details->text();
}

bool MainWindow::reconnectBannerVisible() const
{
    return m_reconnectBanner->isVisibleTo(this);
}

QString MainWindow::reconnectBannerText() const
{
    return m_reconnectText->text();
}

void MainWindow::duplicateProfile()
{
    const StoredProfile* stored = m_store->find(selectedName());
    if (stored == nullptr) {
        return;
    }
    Profile copy = *stored->profile;
    copy.name = m_store->freeName(copy.name);
    QString error;
    if (!m_store->save(copy, QString(), &error)) {
        QMessageBox::warning(this, tr("Duplicate profile"), error);
        return;
    }
    selectProfile(copy.name);
}

void MainWindow::renameProfile()
{
    const StoredProfile* stored = m_store->find(selectedName());
    if (stored == nullptr) {
        return;
    }
    const Profile original = *stored->profile;
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Rename profile"), tr("New name:"),
                                               QLineEdit::Normal, original.name, &ok);
    if (!ok || name == original.name) {
        return;
    }
    if (const QString problem = checkProfileName(name); !problem.isEmpty()) {
        QMessageBox::warning(this, tr("Rename profile"), problem);
        return;
    }
    Profile renamed = original;
    renamed.name = name;
    QString error;
    if (!m_store->save(renamed, original.name, &error)) {
        QMessageBox::warning(this, tr("Rename profile"), error);
        return;
    }
    selectProfile(name);
    m_controller->profileRenamed(original.name, name);
}

void MainWindow::deleteProfile()
{
    const StoredProfile* stored = m_store->find(selectedName());
    if (stored == nullptr) {
        return;
    }
    const QString name = stored->profile->name;
    // The tunnel up for this profile: its own, or the one an open offer would replace.
    const QString running = m_controller->runningTunnelFor(name);
    const bool up = m_controller->isUp(running);
    // Deleting never takes a tunnel down: say so, rather than leave it running unnoticed.
    const QString question =
        up ? tr("Delete the profile %1? Its tunnel %2 is up and stays up: it stays in the list "
                "as a tunnel without a profile until you disconnect it.")
                 .arg(name, running)
           : tr("Delete the profile %1?").arg(name);
    if (QMessageBox::question(this, tr("Delete profile"), question) != QMessageBox::Yes) {
        return;
    }
    QString error;
    if (!m_store->remove(name, &error)) {
        QMessageBox::warning(this, tr("Delete profile"), error);
        return;
    }
    m_controller->profileDeleted(name);
}

void MainWindow::importProfile()
{
    const QString path =
        askForFile(false, tr("Import profile"), QString(), tr("Profiles (*.json);;All files (*)"),
                   QStringLiteral("importProfileDialog"));
    if (path.isEmpty()) {
        return;
    }
    QString error;
    std::optional<Profile> profile = ProfileStore::importFrom(path, &error);
    if (!profile) {
        QMessageBox::warning(this, tr("Import profile"),
                             tr("%1 cannot be imported: %2").arg(path, error));
        return;
    }
    profile->name = m_store->freeName(profile->name);
    if (!m_store->save(*profile, QString(), &error)) {
        QMessageBox::warning(this, tr("Import profile"), error);
        return;
    }
    selectProfile(profile->name);
}

void MainWindow::exportProfile()
{
    const StoredProfile* stored = m_store->find(selectedName());
    if (stored == nullptr) {
        return;
    }
    const Profile profile = *stored->profile;
    const QString path =
        askForFile(true, tr("Export profile"), ProfileStore::fileNameFor(profile.name),
                   tr("Profiles (*.json)"), QStringLiteral("exportProfileDialog"));
    if (path.isEmpty()) {
        return;
    }
    QString error;
    if (!ProfileStore::exportTo(profile, path, &error)) {
        QMessageBox::warning(this, tr("Export profile"), error);
    }
}

QString MainWindow::askForFile(bool save, const QString& title, const QString& suggested,
                               const QString& filter, const QString& objectName)
{
    QFileDialog dialog(this, title, QString(), filter);
    dialog.setObjectName(objectName);
    dialog.setOption(QFileDialog::DontUseNativeDialog);
    dialog.setAcceptMode(save ? QFileDialog::AcceptSave : QFileDialog::AcceptOpen);
    dialog.setFileMode(save ? QFileDialog::AnyFile : QFileDialog::ExistingFile);
    if (save) {
        dialog.setDefaultSuffix(QStringLiteral("json"));
    }
    if (!suggested.isEmpty()) {
        dialog.selectFile(suggested);
    }
    if (dialog.exec() != QDialog::Accepted || dialog.selectedFiles().isEmpty()) {
        return QString();
    }
    return dialog.selectedFiles().constFirst();
}

void MainWindow::importWgQuickConfig()
{
    using Outcome = TunnelController::WgImport::Outcome;
    const QString title = tr("Import WireGuard config");
    const QString path =
        askForFile(false, title, QString(), tr("WireGuard configs (*.conf);;All files (*)"),
                   QStringLiteral("importWgQuickDialog"));
    if (path.isEmpty()) {
        return;
    }
    const TunnelController::WgImport result = m_controller->importWgQuickFile(path);
    switch (result.outcome) {
    case Outcome::Unreadable:
        QMessageBox::warning(this, title, tr("%1 cannot be imported: %2").arg(path, result.error));
        return;
    case Outcome::SaveFailed:
        QMessageBox::warning(this, title, result.error);
        return;
    case Outcome::Unfixable:
    case Outcome::Fixable: {
        QString text = tr("%1 cannot be imported:").arg(path) + QLatin1Char('\n') +
                       result.errors.join(QLatin1Char('\n'));
        if (!result.notes.isEmpty()) {
            text += QLatin1String("\n\n") + tr("Also not supported:") + QLatin1Char('\n') +
                    result.notes.join(QLatin1Char('\n'));
        }
        if (result.outcome == Outcome::Unfixable) {
            QMessageBox::warning(this, title, text);
            return;
        }
        text += QLatin1String("\n\n") + tr("Open it in the profile editor to fix it?");
        if (QMessageBox::question(this, title, text) != QMessageBox::Yes) {
            return;
        }
        ProfileEditor editor(m_store, this);
        editor.setProfile(result.draft, QString());
        if (editor.exec() == QDialog::Accepted && editor.profile()) {
            selectProfile(editor.profile()->name);
            m_controller->importedDraft(path, editor.profile()->name);
        }
        return;
    }
    case Outcome::Imported:
        break;
    }
    selectProfile(result.profileName);
    QString text;
    if (!result.notes.isEmpty()) {
        text =
            tr("Imported %1 as the profile %2. Not carried over:").arg(path, result.profileName) +
            QLatin1Char('\n') + result.notes.join(QLatin1Char('\n'));
    }
    if (result.killSwitchProposed) {
        if (text.isEmpty()) {
            text = tr("Imported %1 as the profile %2.").arg(path, result.profileName);
        }
        text += QLatin1String("\n\n") +
                tr("It sends all traffic through the tunnel, so its kill switch is on: nothing "
                   "leaves this computer outside the tunnel while it is connected. Turn it off "
                   "in the editor (Ctrl+E) if you do not want that.");
    }
    if (!text.isEmpty()) {
        QMessageBox::information(this, title, text);
    }
}

void MainWindow::toggleVisible()
{
    if (isVisible() && !isMinimized()) {
        hide();
    } else {
        showNormal();
        raise();
        activateWindow();
    }
    updateTray();
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    if (m_tray->isShown()) {
        // Tunnels are the helper's, not ours; the tray keeps the app at hand.
        hide();
        event->ignore();
        if (!m_toldAboutTray) {
            m_toldAboutTray = true;
            m_tray->notify(tr("peertun is still running"),
                           tr("peertun keeps running in the tray; quit from its menu."),
                           QSystemTrayIcon::Information);
        }
        updateTray();
        return;
    }
    event->accept();
    QApplication::quit();
}

} // namespace peertun
