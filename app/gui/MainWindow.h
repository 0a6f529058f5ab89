// The main window: profiles with their tunnel state on the left; for the selected one a big
// Connect/Disconnect button, live counters, a throughput graph and the log; a banner when
// something is wrong with the helper; the tray icon. A view: what to do (reconnect after an
// edit, import) is TunnelController's, which the window makes over the session.
#pragma once

#include "HelperSession.h"
#include "TrayIcon.h"

#include <QMainWindow>

class QAction;
class QFrame;
class QLabel;
class QListWidget;
class QListWidgetItem;
class QPushButton;

namespace peertun {

class CountersView;
class LogView;
class ProfileStore;
class ThroughputGraph;
class TunnelController;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    MainWindow(ProfileStore* store, HelperSession* session, QWidget* parent = nullptr);
    ~MainWindow() override;

    // Selects a profile (or a tunnel the helper runs) by name; false if not listed.
    bool selectProfile(const QString& name);
    QString selectedName() const;
    // The state text the list shows for a name ("connected", ...), for tests.
    QString listedState(const QString& name) const;

    QPushButton* connectButton() const { return m_connectButton; }
    QString bannerText() const;
    bool bannerVisible() const;
    CountersView* counters() const { return m_counters; }
    ThroughputGraph* graph() const { return m_graph; }
    LogView* logView() const { return m_log; }
    TrayIcon* tray() const { return m_tray; }
    QListWidget* profileList() const { return m_list; }
    QAction* toggleConnectionAction() const { return m_toggleAction; }
    QAction* newProfileAction() const { return m_newAction; }
    QAction* importWgQuickAction() const { return m_importWgAction; }
    QAction* renameAction() const { return m_renameAction; }
    QAction* deleteAction() const { return m_deleteAction; }
    // Shown after an edit of a profile whose tunnel is up: the tunnel runs the old settings.
    bool reconnectBannerVisible() const;
    QString reconnectBannerText() const;
    QPushButton* reconnectButton() const { return m_reconnectNow; }
    TunnelController* controller() const { return m_controller; }
    // The status bar's message (a live peer change applied or refused), for tests.
    QString statusText() const;
    QString detailsText() const;

public slots:
    void toggleConnection();
    void newProfile();
    void editProfile();
    void duplicateProfile();
    void renameProfile();
    void deleteProfile();
    void importProfile();
    void exportProfile();
    void importWgQuickConfig();
    // Takes the edited profile's tunnel down and up again with the saved settings.
    void reconnectEdited();
    void toggleVisible();

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void buildActions();
    void rebuildList();
    void updateListStates();
    void updateDetails();
    void updateTray();
    void showProblem(HelperSession::Problem problem, const QString& text);
    void onTunnelEvent(const QString& name, dbus::TunnelState state, const QString& reason);
    QString itemName(const QListWidgetItem* item) const;
    void showReconnectOffer();
    // Plain mode is unencrypted; tunnels without a profile here count as not WireGuard.
    bool isWireGuard(const QString& name) const;
    // Non-native, so that tests (and the keyboard) can drive it; empty when cancelled.
    QString askForFile(bool save, const QString& title, const QString& suggested,
                       const QString& filter, const QString& objectName);

    ProfileStore* m_store;
    HelperSession* m_session;
    TunnelController* m_controller;
    QListWidget* m_list;
    QFrame* m_banner;
    QLabel* m_bannerText;
    QPushButton* m_bannerRetry;
    QFrame* m_reconnectBanner;
    QLabel* m_reconnectText;
    QPushButton* m_reconnectNow;
    QLabel* m_title;
    QLabel* m_stateLabel;
    QLabel* m_details;
    QPushButton* m_connectButton;
    CountersView* m_counters;
    ThroughputGraph* m_graph;
    LogView* m_log;
    TrayIcon* m_tray;
    QAction* m_toggleAction = nullptr;
    QAction* m_newAction = nullptr;
    QAction* m_editAction = nullptr;
    QAction* m_duplicateAction = nullptr;
    QAction* m_renameAction = nullptr;
    QAction* m_deleteAction = nullptr;
    QAction* m_exportAction = nullptr;
    QAction* m_importWgAction = nullptr;
    HelperSession::Problem m_problem = HelperSession::Problem::None;
    bool m_toldAboutTray = false;
};

} // namespace peertun
