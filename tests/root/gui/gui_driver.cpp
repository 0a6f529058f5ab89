// The GUI side of tst_gui_helper: the real MainWindow, run as a non-root test user against
// the private system bus (polkit judges the caller by its uid, so this cannot run as root).
// tst_gui_helper starts it with setpriv and answers its requests on stdin:
//   "@@ kill-helper"       SIGKILL the helper, answer "ok" when it is gone
//   "@@ screenshot NAME"   screenshot of the whole X screen (Xvfb runs), answer "ok"
//   "@@ check-no-device"   answer "ok" if the tunnel device does not exist in ns1
//   "@@ check-mtu N"       answer "ok" if the tunnel device in ns1 has MTU N
//   "@@ check-device"      answer "ok" if the tunnel device exists in ns1
//   "@@ check-killswitch"  answer "ok" if ns1 has the kill switch's nftables table and it
//                          blocks a ping to the far side's underlay address (outside the tunnel)
//   "@@ check-no-killswitch" answer "ok" if the table is gone and that ping is answered
//   "@@ start-third-host"  start a third host (10.244.5.5 at 10.211.56.2:8285, its own
//                          namespace) whose one peer is this host; "ok" when its tunnel is up
//   "@@ check-ping ADDR"   answer "ok" if ADDR answers a ping from ns1 within 15 s
//   "@@ check-no-ping ADDR" answer "ok" if it does not within 2 s
//   "@@ remember-device" / "@@ check-same-device"  the tunnel device's index in ns1 is
//                          remembered / still the same (it was not made anew)
//   "@@ start-steady-ping" / "@@ check-steady-ping"  20 pings a second to the far side through
//                          the tunnel; "ok" if none of them went unanswered
//   "@@ start-mesh-member N" / "@@ stop-mesh-member N"  a `--standalone` member of the etcd
//                          mesh in ns2 joins / leaves (SIGTERM: it revokes its lease)
//   "@@ check-mesh-ping N" answer "ok" if member N's tunnel address answers a ping from ns1
//   "@@ stop-etcd" / "@@ start-etcd"  the mesh's etcd goes away / comes back (same data)
//   "@@ check-ctl-unreachable NAME" / "@@ check-ctl-reachable NAME"  `peertunctl status NAME`
//                          prints the agent's state with / without "coordination store
//                          unreachable since …"
// Options (before the Qt Test arguments): --profiles DIR --artifacts DIR --lang LOCALE
// --expect-tray.
#include "AppSetup.h"
#include "CountersView.h"
#include "Format.h"
#include "GuiTestProfiles.h"
#include "HelperSession.h"
#include "LogView.h"
#include "MainWindow.h"
#include "ModalDialogs.h"
#include "ProfileEditor.h"
#include "ProfileStore.h"
#include "ThroughputGraph.h"
#include "TunnelText.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>
#include <cstdio>
#include <iostream>

using namespace peertun;
using test::onNextModal;

namespace {

struct Options
{
    QString profilesDir;
    QString artifactsDir;
    QString lang = QStringLiteral("en");
    bool expectTray = false;
};
Options g_options;

// Types `text` into a cell as a user does (defined with the editor tests below).
void typeIntoCell(QTableWidget* table, int row, int column, const QString& text);
void typeInto(QLineEdit* edit, const QString& text);

// Asks the orchestrator for something only root can do; true when it answers "ok".
bool request(const QString& what)
{
    std::cout << "@@ " << what.toStdString() << std::endl;
    std::string answer;
    std::getline(std::cin, answer);
    return answer == "ok";
}

} // namespace

class GuiDriver : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void helperIsFoundAndTrayIsThere();
    void connectReachesConnected();
    void countersAndGraphMoveWithTraffic();
    void screenshots();
    void editingARunningTunnelOffersReconnect();
    void renamingARunningTunnelReconnectsUnderTheNewName();
    void addingAPeerToARunningTunnelAppliesItLive();
    void disconnectReturnsToDisconnected();
    void hostNameDnsAndKillSwitchFromTheEditor();
    void closingKeepsTheAppInTheTray();
    void killedHelperShowsBannerAndAppRecovers();
    void deniedUserSeesRefusal();
    void picksUpTunnelsAlreadyUp();
    void refusedReconnectKeepsTheOffer();
    void meshProfileShowsMembersAndTheStore();

private:
    void clickConnect();
    QString state() const { return m_window->listedState(QStringLiteral("office")); }
    void save(QWidget* widget, const QString& name);
    void renameSelected(const QString& newName);
    // Types the endpoint by name, DNS and the kill switch, each first with a bad value.
    void fillLaptopSettings(ProfileEditor* editor, bool english);
    // Opens the editor on the running "office" (as Ctrl+E does), lets `change` edit it and
    // saves; true if the editor closed saved (after the helper took the peers).
    template <class F> bool editRunningProfile(F change);

    std::unique_ptr<ProfileStore> m_store;
    std::unique_ptr<HelperSession> m_session;
    std::unique_ptr<MainWindow> m_window;
    bool m_leaveTunnelUp = false; // a tunnel this user may not take down
};

void GuiDriver::initTestCase()
{
    m_store = std::make_unique<ProfileStore>(g_options.profilesDir);
    m_store->reload();
    if (m_store->find(QStringLiteral("office")) == nullptr) {
        // The near host, on the harness's underlay (ns1 = 10.211.55.122), in WireGuard
        // mode against tst_gui_helper's far side.
        Profile p = test::officeWireGuardProfile();
        p.interface.mtu.reset();
        QString error;
        QVERIFY2(m_store->save(p, QString(), &error), qPrintable(error));
    }
    m_session = std::make_unique<HelperSession>(QDBusConnection::systemBus());
    m_session->setSampleInterval(500);
    m_window = std::make_unique<MainWindow>(m_store.get(), m_session.get());
    m_window->resize(1100, 760);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_session->start();
    QVERIFY(m_window->selectProfile(QStringLiteral("office")));
}

void GuiDriver::cleanupTestCase()
{
    // The mesh case's profile must not outlive it (the other runs share this folder).
    if (m_store && m_store->find(QStringLiteral("mesh")) != nullptr) {
        if (dbus::isUp(m_session->status(QStringLiteral("mesh")).state)) {
            m_session->disconnectTunnel(QStringLiteral("mesh"));
            QTRY_COMPARE_WITH_TIMEOUT(m_window->listedState(QStringLiteral("mesh")),
                                      QStringLiteral("disconnected"), 15000);
        }
        QString error;
        m_store->remove(QStringLiteral("mesh"), &error);
    }
    if (m_session && !m_leaveTunnelUp &&
        m_session->status(QStringLiteral("office")).state ==
            peertun::dbus::TunnelState::Connected) {
        m_session->disconnectTunnel(QStringLiteral("office"));
        QTRY_COMPARE_WITH_TIMEOUT(state(), QStringLiteral("disconnected"), 15000);
    }
    m_window.reset();
    m_session.reset();
}

void GuiDriver::save(QWidget* widget, const QString& name)
{
    const QString path =
        QStringLiteral("%1/%2-%3.png").arg(g_options.artifactsDir, name, g_options.lang);
    QVERIFY2(widget->grab().save(path), qPrintable(path));
    std::cout << "screenshot " << path.toStdString() << std::endl;
}

void GuiDriver::clickConnect()
{
    QPushButton* button = m_window->connectButton();
    QVERIFY(button->isEnabled());
    QTest::mouseClick(button, Qt::LeftButton);
}

void GuiDriver::helperIsFoundAndTrayIsThere()
{
    QTRY_VERIFY_WITH_TIMEOUT(m_session->helperRunning(), 15000);
    QVERIFY(!m_window->bannerVisible());
    QCOMPARE(state(), QStringLiteral("disconnected"));
    QCOMPARE(m_window->tray()->state(), TrayState::Disconnected);
    QVERIFY(m_window->connectButton()->isEnabled());
    if (g_options.expectTray) {
        QTRY_VERIFY_WITH_TIMEOUT(m_window->tray()->isShown(), 10000);
    }
    // The helper's log arrived (GetLog) into the log view.
    QTRY_VERIFY_WITH_TIMEOUT(m_window->logView()->totalLines() > 0, 5000);
}

void GuiDriver::connectReachesConnected()
{
    const QString disconnectedLabel = m_window->connectButton()->text();
    clickConnect();
    QTRY_COMPARE_WITH_TIMEOUT(state(), QStringLiteral("connected"), 20000);
    QVERIFY(!m_window->bannerVisible());
    // The state signal can come before the Connect call's reply, which re-enables the button.
    QTRY_VERIFY_WITH_TIMEOUT(m_window->connectButton()->isEnabled(), 5000);
    QVERIFY(m_window->connectButton()->text() != disconnectedLabel); // now "Disconnect"
    QCOMPARE(m_window->tray()->state(), TrayState::Connected);
    QVERIFY(m_window->tray()->toolTip().contains(QStringLiteral("office")));
}

void GuiDriver::countersAndGraphMoveWithTraffic()
{
    // tst_gui_helper pings 10.244.3.3 through the tunnel from ns1 all along.
    CountersView* counters = m_window->counters();
    QTRY_VERIFY_WITH_TIMEOUT(counters->shownRxPackets() > 0, 15000);
    const qulonglong first = counters->shownRxPackets();
    QTRY_VERIFY_WITH_TIMEOUT(counters->shownRxPackets() >= first + 3, 15000);
    QVERIFY(counters->shownTxPackets() > 0);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->graph()->nonZeroSamples() >= 2, 15000);
    QTreeWidget* peers = counters->peerTable();
    QCOMPARE(peers->topLevelItemCount(), 1);
    QCOMPARE(peers->topLevelItem(0)->text(CountersView::Peer), QStringLiteral("host-2"));
    QVERIFY(peers->topLevelItem(0)->text(CountersView::ReceivedPackets) != QStringLiteral("0"));
    // WireGuard: the handshake with the far side shows, per peer and for the tunnel.
    QVERIFY(!peers->isColumnHidden(CountersView::Handshakes));
    QTRY_VERIFY(peers->topLevelItem(0)->text(CountersView::Handshakes) != QStringLiteral("0"));
    QCOMPARE_NE(peers->topLevelItem(0)->text(CountersView::LastHandshake), formatAge(0, 0));
    QVERIFY(!counters->securityText().isEmpty());
    if (g_options.lang == QLatin1String("en")) {
        QVERIFY2(counters->securityText().contains(QStringLiteral("0 failed")),
                 qPrintable(counters->securityText()));
        QVERIFY2(!counters->securityText().contains(QStringLiteral("Handshakes: 0 done")),
                 qPrintable(counters->securityText()));
    }
    // The log shows the helper's "connected" entry for the tunnel.
    m_window->logView()->searchEdit()->setText(QStringLiteral("office"));
    QVERIFY(!m_window->logView()->visibleLines().isEmpty());
    m_window->logView()->searchEdit()->clear();
}

void GuiDriver::screenshots()
{
    QTRY_VERIFY_WITH_TIMEOUT(m_window->graph()->nonZeroSamples() >= 12, 30000);
    save(m_window.get(), QStringLiteral("main-connected"));
    if (g_options.expectTray) {
        QVERIFY(request(QStringLiteral("screenshot screen-with-tray-%1").arg(g_options.lang)));
    }
    ProfileEditor editor(m_store.get(), m_window.get());
    editor.setProfile(*m_store->find(QStringLiteral("office"))->profile, QStringLiteral("office"));
    editor.addPeer(QStringLiteral("host-3"), QStringLiteral("10.211.55.124:8285"),
                   QStringLiteral("10.244.3.128/25")); // overlaps host-2: shows an inline error
    editor.show();
    QVERIFY(QTest::qWaitForWindowExposed(&editor));
    QVERIFY(!editor.canSave());
    save(&editor, QStringLiteral("editor"));
}

void GuiDriver::editingARunningTunnelOffersReconnect()
{
    // The tunnel is up; the user edits its MTU. The editor says the running tunnel keeps the
    // old settings; after saving, the window offers to reconnect and does only when asked.
    QCOMPARE(state(), QStringLiteral("connected"));
    bool noticeShown = false;
    bool saved = false;
    QTimer::singleShot(300, m_window.get(), [&] {
        auto* editor = qobject_cast<ProfileEditor*>(QApplication::activeModalWidget());
        if (editor == nullptr) {
            return;
        }
        noticeShown = editor->tunnelRunningNoticeShown();
        editor->mtuEdit()->setText(QStringLiteral("1400"));
        if (editor->canSave()) {
            QTest::mouseClick(editor->saveButton(), Qt::LeftButton);
            saved = true;
        } else {
            editor->reject();
        }
    });
    m_window->editProfile();
    QVERIFY(noticeShown);
    QVERIFY(saved);
    QCOMPARE(m_store->find(QStringLiteral("office"))->profile->interface.mtu,
             std::optional<int>(1400));
    QVERIFY(m_window->reconnectBannerVisible());
    QVERIFY(!m_window->reconnectBannerText().isEmpty());
    // Not reconnected silently: still up with the old settings.
    QTest::qWait(1000);
    QCOMPARE(state(), QStringLiteral("connected"));
    QVERIFY(!request(QStringLiteral("check-mtu 1400")));
    save(m_window.get(), QStringLiteral("main-reconnect"));

    QTest::mouseClick(m_window->reconnectButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->reconnectBannerVisible(), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(state(), QStringLiteral("connected"), 20000);
    QVERIFY(request(QStringLiteral("check-mtu 1400")));
    // And traffic flows again through the new device.
    const qulonglong before = m_window->counters()->shownRxPackets();
    QTRY_VERIFY_WITH_TIMEOUT(m_window->counters()->shownRxPackets() > before, 15000);
}

void GuiDriver::renameSelected(const QString& newName)
{
    QObject scope; // ends the dialog watcher with this call, answered or not
    bool answered = false;
    onNextModal<QInputDialog>(&scope, [&](QInputDialog* dialog) {
        auto* edit = dialog->findChild<QLineEdit*>();
        QVERIFY(edit != nullptr);
        edit->selectAll();
        QTest::keyClicks(edit, newName);
        QTest::keyClick(edit, Qt::Key_Return);
        answered = true;
    });
    m_window->renameProfile();
    QVERIFY(answered);
}

void GuiDriver::renamingARunningTunnelReconnectsUnderTheNewName()
{
    // Renaming the profile of the running tunnel leaves the tunnel up under its old name and
    // offers to reconnect; Reconnect now takes it down and brings it up under the new name.
    const QString office = QStringLiteral("office");
    const QString renamed = QStringLiteral("office-2");
    QCOMPARE(state(), QStringLiteral("connected"));
    QVERIFY(m_window->selectProfile(office));
    renameSelected(renamed);
    QVERIFY(m_store->find(renamed) != nullptr);
    QVERIFY(m_window->reconnectBannerVisible());
    QVERIFY2(m_window->reconnectBannerText().contains(renamed),
             qPrintable(m_window->reconnectBannerText()));
    QCOMPARE(state(), QStringLiteral("connected")); // the running tunnel, listed on its own
    QCOMPARE(m_window->listedState(renamed), QStringLiteral("disconnected"));
    QTest::mouseClick(m_window->reconnectButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->listedState(renamed), QStringLiteral("connected"), 20000);
    QVERIFY(!m_window->reconnectBannerVisible());
    QTRY_VERIFY_WITH_TIMEOUT(state().isEmpty(), 5000); // down, and no profile of that name
    QVERIFY(request(QStringLiteral("check-device")));

    // And back, so the tests that follow find "office" up.
    QVERIFY(m_window->selectProfile(renamed));
    renameSelected(office);
    QVERIFY(m_window->reconnectBannerVisible());
    QTest::mouseClick(m_window->reconnectButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(state(), QStringLiteral("connected"), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->listedState(renamed).isEmpty(), 5000);
    QVERIFY(!m_window->reconnectBannerVisible());
    QVERIFY(m_window->selectProfile(office));
    const qulonglong before = m_window->counters()->shownRxPackets();
    QTRY_VERIFY_WITH_TIMEOUT(m_window->counters()->shownRxPackets() > before, 15000);
}

template <class F> bool GuiDriver::editRunningProfile(F change)
{
    QObject scope;
    bool clicked = false;
    QString liveText;
    onNextModal<ProfileEditor>(&scope, [&](ProfileEditor* editor) {
        change(editor);
        if (QTest::currentTestFailed() || !editor->canSave()) {
            editor->reject(); // a failed check must not leave the dialog open
            return;
        }
        QTest::mouseClick(editor->saveButton(), Qt::LeftButton);
        clicked = true;
        liveText = editor->liveApplyText();
        // The helper's answer closes it; should it never come, the test must not hang.
        QTimer::singleShot(30000, editor, [editor, &liveText] {
            liveText = editor->liveApplyText();
            editor->reject();
        });
    });
    m_window->editProfile();
    std::cout << "editor: " << liveText.toStdString() << std::endl;
    return clicked && m_store->find(QStringLiteral("office")) != nullptr;
}

void GuiDriver::addingAPeerToARunningTunnelAppliesItLive()
{
    // A third host is added as a peer in the editor while the tunnel is up: the app applies it
    // live (SetPeers), with no reconnect offer. The new peer answers; the device, the connect
    // time and a steady ping through the unchanged peer go on. Then it is removed again, live.
    const QString office = QStringLiteral("office");
    QCOMPARE(state(), QStringLiteral("connected"));
    QVERIFY(m_window->selectProfile(office));
    QVERIFY(request(QStringLiteral("start-third-host")));
    QVERIFY(request(QStringLiteral("check-no-ping 10.244.5.5"))); // not a peer yet
    QTRY_VERIFY_WITH_TIMEOUT(m_session->status(office).info.has_value(), 10000);
    const qint64 since = m_session->status(office).info->sinceUnixMs;
    QVERIFY(since > 0);
    QVERIFY(request(QStringLiteral("remember-device")));
    QVERIFY(request(QStringLiteral("start-steady-ping")));
    QTest::qWait(1000);

    const QString thirdKey = test::publicKeyOf(test::kThirdPrivateKey);
    const bool saved = editRunningProfile([&](ProfileEditor* editor) {
        QVERIFY(editor->tunnelRunningNoticeShown());
        QTableWidget* peers = editor->peerTable();
        QCOMPARE(peers->rowCount(), 1);
        editor->addPeer();
        typeIntoCell(peers, 1, ProfileEditor::PeerName, QStringLiteral("host-3"));
        typeIntoCell(peers, 1, ProfileEditor::PeerEndpoint, QStringLiteral("10.211.56.2:8285"));
        typeIntoCell(peers, 1, ProfileEditor::PeerSubnets, QStringLiteral("10.244.5.0/24"));
        typeIntoCell(peers, 1, ProfileEditor::PeerPublicKey, thirdKey);
    });
    QVERIFY(saved);
    QCOMPARE(m_store->find(office)->profile->peers.size(), 2);
    QVERIFY(!m_window->reconnectBannerVisible());
    QVERIFY2(m_window->statusText().contains(QStringLiteral("applied without a reconnect")),
             qPrintable(m_window->statusText()));
    QVERIFY(request(QStringLiteral("check-ping 10.244.5.5")));
    QVERIFY(request(QStringLiteral("check-steady-ping")));
    QVERIFY(request(QStringLiteral("check-same-device")));
    QCOMPARE(state(), QStringLiteral("connected"));
    // PeersChanged brought the new list: both peers, with counters; connected since as before.
    QTRY_COMPARE_WITH_TIMEOUT(m_session->status(office).info->peers.size(), 2, 10000);
    QCOMPARE(m_session->status(office).info->sinceUnixMs, since);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->counters()->peerTable()->topLevelItemCount(), 2, 10000);
    save(m_window.get(), QStringLiteral("main-live-peers"));

    // And removed again, live: it stops answering, the rest goes on.
    QVERIFY(request(QStringLiteral("start-steady-ping")));
    const bool removed = editRunningProfile([&](ProfileEditor* editor) {
        editor->peerTable()->setCurrentCell(1, ProfileEditor::PeerName);
        for (QPushButton* b : editor->findChildren<QPushButton*>()) {
            if (b->text().remove(u'&') == QStringLiteral("Remove peer")) {
                QTest::mouseClick(b, Qt::LeftButton);
            }
        }
        QCOMPARE(editor->peerTable()->rowCount(), 1);
    });
    QVERIFY(removed);
    QCOMPARE(m_store->find(office)->profile->peers.size(), 1);
    QVERIFY(!m_window->reconnectBannerVisible());
    QVERIFY(request(QStringLiteral("check-no-ping 10.244.5.5")));
    QVERIFY(request(QStringLiteral("check-steady-ping")));
    QVERIFY(request(QStringLiteral("check-same-device")));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->counters()->peerTable()->topLevelItemCount(), 1, 10000);
    QCOMPARE(m_session->status(office).info->sinceUnixMs, since);
}

void GuiDriver::meshProfileShowsMembersAndTheStore()
{
    // A plain mesh typed into the editor (Peers from: Mesh): no address, the etcd endpoint and
    // the network's prefix. tst_gui_helper runs etcd and member 1 in ns2.
    const QString mesh = QStringLiteral("mesh");
    QObject scope;
    bool saved = false;
    onNextModal<ProfileEditor>(&scope, [&](ProfileEditor* editor) {
        typeInto(editor->nameEdit(), mesh);
        typeInto(editor->interfaceNameEdit(), QStringLiteral("ptmesh0"));
        typeInto(editor->listenEdit(), QStringLiteral("10.211.55.122:8295"));
        editor->modeCombo()->setCurrentIndex(
            editor->modeCombo()->findData(QStringLiteral("plain")));
        editor->peerSourceCombo()->setCurrentIndex(
            editor->peerSourceCombo()->findData(int(ProfileEditor::Mesh)));
        QVERIFY(!editor->addressEdit()->isVisible());
        QVERIFY(!editor->peerTableShown());
        QVERIFY(!editor->shownError(QStringLiteral("mesh.etcd")).isEmpty()); // none yet
        editor->etcdEdit()->setFocus();
        QTest::keyClicks(editor->etcdEdit(), QStringLiteral("http://10.211.55.123:2379"));
        typeInto(editor->prefixEdit(), QStringLiteral("/peertun/gui"));
        QTest::qWait(100); // the form's layout settles after the error labels went away
        if (!QTest::currentTestFailed()) {
            save(editor, QStringLiteral("editor-mesh"));
        }
        if (!QTest::currentTestFailed() && editor->canSave()) {
            QTest::mouseClick(editor->saveButton(), Qt::LeftButton);
            saved = true;
        } else {
            editor->reject();
        }
    });
    m_window->newProfile();
    QVERIFY(saved);
    const StoredProfile* stored = m_store->find(mesh);
    QVERIFY(stored != nullptr && stored->profile->mesh.has_value());
    QCOMPARE(stored->profile->mesh->etcd, QStringList{QStringLiteral("http://10.211.55.123:2379")});

    QVERIFY(m_window->selectProfile(mesh));
    clickConnect();
    QTRY_COMPARE_WITH_TIMEOUT(m_window->listedState(mesh), QStringLiteral("connected"), 30000);
    QTreeWidget* members = m_window->counters()->peerTable();
    QTRY_COMPARE_WITH_TIMEOUT(members->topLevelItemCount(), 1, 15000);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->detailsText().contains(QStringLiteral("Mesh: running")),
                             10000);
    QVERIFY2(m_window->detailsText().contains(QStringLiteral("1 other member reached")),
             qPrintable(m_window->detailsText()));
    QVERIFY(request(QStringLiteral("check-mesh-ping 1")));
    // Member 2 joins, then member 1 leaves: the list follows, with counters.
    QVERIFY(request(QStringLiteral("start-mesh-member 2")));
    QTRY_COMPARE_WITH_TIMEOUT(members->topLevelItemCount(), 2, 10000);
    QVERIFY(request(QStringLiteral("check-mesh-ping 2")));
    QTRY_VERIFY_WITH_TIMEOUT(
        members->topLevelItem(1)->text(CountersView::ReceivedPackets) != QStringLiteral("0") ||
            members->topLevelItem(0)->text(CountersView::ReceivedPackets) != QStringLiteral("0"),
        10000);
    QVERIFY(request(QStringLiteral("stop-mesh-member 1")));
    QTRY_COMPARE_WITH_TIMEOUT(members->topLevelItemCount(), 1, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(
        m_window->detailsText().contains(QStringLiteral("1 other member reached")), 10000);
    QVERIFY(!m_window->detailsText().contains(QStringLiteral("Coordination store unreachable")));
    save(m_window.get(), QStringLiteral("main-mesh"));

    // etcd stops: the details, the tray and peertunctl say since when; member 2 still answers.
    QVERIFY(request(QStringLiteral("stop-etcd")));
    QTRY_VERIFY_WITH_TIMEOUT(
        m_window->detailsText().contains(QStringLiteral("Coordination store unreachable since 20")),
        20000);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->tray()->toolTip().contains(
                                 QStringLiteral("Coordination store unreachable since 20")),
                             5000);
    QCOMPARE(m_window->listedState(mesh), QStringLiteral("connected"));
    QVERIFY(request(QStringLiteral("check-ctl-unreachable mesh")));
    QVERIFY(request(QStringLiteral("check-mesh-ping 2")));
    QCOMPARE(members->topLevelItemCount(), 1); // the last known members stay
    QTest::qWait(200);                         // the details label takes its new height
    save(m_window.get(), QStringLiteral("main-mesh-unreachable"));
    // Back: the line goes.
    QVERIFY(request(QStringLiteral("start-etcd")));
    QTRY_VERIFY_WITH_TIMEOUT(
        !m_window->detailsText().contains(QStringLiteral("Coordination store unreachable")), 30000);
    QVERIFY(!m_window->tray()->toolTip().contains(QStringLiteral("Coordination store")));
    QVERIFY(request(QStringLiteral("check-ctl-reachable mesh")));

    clickConnect();
    QTRY_COMPARE_WITH_TIMEOUT(m_window->listedState(mesh), QStringLiteral("disconnected"), 15000);
    QString error;
    QVERIFY2(m_store->remove(mesh, &error), qPrintable(error));
}

void GuiDriver::disconnectReturnsToDisconnected()
{
    clickConnect();
    QTRY_COMPARE_WITH_TIMEOUT(state(), QStringLiteral("disconnected"), 15000);
    QCOMPARE(m_window->tray()->state(), TrayState::Disconnected);
    QVERIFY(m_window->connectButton()->isEnabled());
    // The user's own disconnect: no "requested by uid …" in the details.
    for (const QLabel* label : m_window->findChildren<QLabel*>()) {
        QVERIFY2(!label->text().contains(QStringLiteral("requested by")),
                 qPrintable(label->text()));
    }
    QVERIFY(!m_window->bannerVisible());
    QVERIFY(request(QStringLiteral("check-no-device")));
}

namespace {

// Types `text` into a cell as a user does: F2 opens the cell's editor, Return commits.
void typeIntoCell(QTableWidget* table, int row, int column, const QString& text)
{
    table->setFocus();
    table->setCurrentCell(row, column);
    QTest::keyClick(table, Qt::Key_F2);
    auto* edit = table->viewport()->findChild<QLineEdit*>();
    QVERIFY2(edit != nullptr && edit->isVisible(), "F2 opens the cell editor");
    edit->selectAll();
    QTest::keyClicks(edit, text);
    QTest::keyClick(edit, Qt::Key_Return);
    QTRY_COMPARE(table->item(row, column)->text(), text); // the delegate commits queued
}

void typeInto(QLineEdit* edit, const QString& text)
{
    edit->setFocus();
    edit->selectAll();
    QTest::keyClicks(edit, text);
    QCOMPARE(edit->text(), text);
}

} // namespace

void GuiDriver::fillLaptopSettings(ProfileEditor* editor, bool english)
{
    QTableWidget* peers = editor->peerTable();
    const QString endpointField = QStringLiteral("peers[0].endpoint");
    typeIntoCell(peers, 0, ProfileEditor::PeerEndpoint, QStringLiteral("far_side.test:8285"));
    if (QTest::currentTestFailed()) {
        return;
    }
    QVERIFY2(editor->shownError(endpointField).contains(QStringLiteral("far_side")),
             qPrintable(editor->shownError(endpointField)));
    QVERIFY(!editor->canSave());
    typeIntoCell(peers, 0, ProfileEditor::PeerEndpoint, QStringLiteral("far.peertun.test:8285"));
    if (QTest::currentTestFailed()) {
        return;
    }
    QVERIFY(editor->shownError(endpointField).isEmpty());

    const QString dnsField = QStringLiteral("interface.dns");
    typeInto(editor->dnsEdit(), QStringLiteral("10.244.3.3, bad_entry!"));
    if (QTest::currentTestFailed()) {
        return;
    }
    QVERIFY2(editor->shownError(dnsField).contains(QStringLiteral("bad_entry!")),
             qPrintable(editor->shownError(dnsField)));
    if (english) {
        QVERIFY2(editor->shownError(dnsField).contains(QStringLiteral("neither an IP address")),
                 qPrintable(editor->shownError(dnsField)));
    }
    QVERIFY(!editor->canSave());
    typeInto(editor->dnsEdit(), QStringLiteral("corp.peertun.test"));
    if (QTest::currentTestFailed()) {
        return;
    }
    QVERIFY(!editor->shownError(dnsField).isEmpty()); // domains without a server
    QVERIFY(!editor->canSave());
    typeInto(editor->dnsEdit(), QStringLiteral("10.244.3.3, corp.peertun.test"));
    if (QTest::currentTestFailed()) {
        return;
    }
    QVERIFY(editor->shownError(dnsField).isEmpty());

    // A split tunnel: nothing proposed; the user turns the switch on.
    QVERIFY(!editor->killSwitchBox()->isChecked());
    QVERIFY(!editor->allowLanBox()->isEnabled());
    QTest::mouseClick(editor->killSwitchBox(), Qt::LeftButton);
    QVERIFY(editor->killSwitchBox()->isChecked());
    QVERIFY(editor->shownError(QStringLiteral("interface.killSwitch")).isEmpty());
    QTest::qWait(100); // the form's layout settles after the error labels went away
    save(editor, QStringLiteral("editor-killswitch"));
}

void GuiDriver::hostNameDnsAndKillSwitchFromTheEditor()
{
    // A laptop user's settings, typed into the editor: the server by name (the helper finds
    // far.peertun.test in its hosts file), DNS, the kill switch; each field refuses bad input
    // inline first. Then the details and the tray say what the helper does with them.
    QCOMPARE(state(), QStringLiteral("disconnected"));
    const bool english = g_options.lang == QLatin1String("en");
    QObject scope;
    bool saved = false;
    onNextModal<ProfileEditor>(&scope, [&](ProfileEditor* editor) {
        fillLaptopSettings(editor, english);
        if (!QTest::currentTestFailed() && editor->canSave()) {
            QTest::mouseClick(editor->saveButton(), Qt::LeftButton);
            saved = true;
        } else {
            editor->reject(); // a failed check must not leave the dialog open
        }
    });
    m_window->editProfile();
    QVERIFY(saved);
    const Profile profile = *m_store->find(QStringLiteral("office"))->profile;
    QCOMPARE(profile.peers[0].endpoint.hostName, QStringLiteral("far.peertun.test"));
    QVERIFY(profile.interface.killSwitch);
    QCOMPARE(profile.interface.dns.domains, QStringList{QStringLiteral("corp.peertun.test")});

    clickConnect();
    QTRY_COMPARE_WITH_TIMEOUT(state(), QStringLiteral("connected"), 20000);
    // Through the tunnel to the far side reached by its name.
    const qulonglong before = m_window->counters()->shownRxPackets();
    QTRY_VERIFY_WITH_TIMEOUT(m_window->counters()->shownRxPackets() > before + 3, 15000);
    QTreeWidgetItem* peer = m_window->counters()->peerTable()->topLevelItem(0);
    QVERIFY(peer != nullptr);
    // The name as configured and the address in use (tst_gui_helper's far side, by name).
    dbus::EndpointStatus resolved;
    resolved.host = QStringLiteral("far.peertun.test");
    resolved.address = QStringLiteral("10.211.55.123:8285");
    resolved.state = dbus::EndpointStatus::kResolved;
    const QString endpointLine = endpointText(QStringLiteral("far.peertun.test:8285"), resolved);
    QTRY_COMPARE_WITH_TIMEOUT(peer->text(CountersView::Endpoint), endpointLine, 10000);
    if (english) {
        QCOMPARE(peer->text(CountersView::Endpoint),
                 QStringLiteral("far.peertun.test:8285 → 10.211.55.123:8285"));
    }
    // The kill switch line in the details and the tray; DNS: no systemd-resolved on this
    // bus, so the helper's reason why not.
    QTRY_VERIFY_WITH_TIMEOUT(m_window->counters()->protectionText().contains(killSwitchText()),
                             10000);
    const QString protection = m_window->counters()->protectionText();
    QVERIFY2(protection.contains(QStringLiteral("systemd-resolved")), qPrintable(protection));
    if (english) {
        QVERIFY2(
            protection.contains(QStringLiteral("DNS not applied: systemd-resolved is not running")),
            qPrintable(protection));
    }
    QVERIFY2(m_window->tray()->toolTip().contains(killSwitchText()),
             qPrintable(m_window->tray()->toolTip()));
    QVERIFY(request(QStringLiteral("check-killswitch")));
    save(m_window.get(), QStringLiteral("main-killswitch"));

    // The helper killed with the switch on: it fails closed. The app starts a new helper, which
    // finds the table: the tunnel is "blocked", the details say so, and Disconnect lifts it.
    QVERIFY(request(QStringLiteral("kill-helper")));
    QTRY_COMPARE_WITH_TIMEOUT(state(), QStringLiteral("blocked"), 30000);
    QVERIFY(request(QStringLiteral("check-killswitch")));
    dbus::TunnelInfo blocked;
    blocked.state = dbus::TunnelState::Blocked;
    blocked.killSwitch = true;
    QTRY_COMPARE_WITH_TIMEOUT(m_window->counters()->protectionText(),
                              protectionLines(blocked).join(QLatin1Char('\n')), 10000);
    QVERIFY2(m_window->tray()->toolTip().contains(killSwitchText()),
             qPrintable(m_window->tray()->toolTip()));
    QCOMPARE(m_window->tray()->state(), TrayState::Failed);
    save(m_window.get(), QStringLiteral("main-blocked"));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->connectButton()->isEnabled(), 5000);
    clickConnect(); // Disconnect
    QTRY_COMPARE_WITH_TIMEOUT(state(), QStringLiteral("disconnected"), 15000);
    QVERIFY(!m_window->tray()->toolTip().contains(killSwitchText()));
    QVERIFY(m_window->counters()->protectionText().isEmpty());
    QVERIFY(request(QStringLiteral("check-no-killswitch")));

    // The profile as the other tests expect it.
    Profile plain = test::officeWireGuardProfile();
    plain.interface.mtu.reset();
    QString error;
    QVERIFY2(m_store->save(plain, QStringLiteral("office"), &error), qPrintable(error));
}

void GuiDriver::closingKeepsTheAppInTheTray()
{
    QVERIFY(m_window->tray()->isShown());
    QVERIFY(!m_window->close()); // hidden, not closed
    QVERIFY(!m_window->isVisible());
    QTest::qWait(200);
    QVERIFY(!m_window->isVisible()); // and the app still runs (this test goes on)
    // The tray menu offers the window back.
    QAction* show = nullptr;
    for (QAction* a : m_window->tray()->menu()->actions()) {
        if (a->text() == QStringLiteral("Show window")) {
            show = a;
        }
    }
    QVERIFY(show != nullptr);
    show->trigger();
    QTRY_VERIFY(m_window->isVisible());
}

void GuiDriver::killedHelperShowsBannerAndAppRecovers()
{
    clickConnect();
    QTRY_COMPARE_WITH_TIMEOUT(state(), QStringLiteral("connected"), 20000);
    const int linesBeforeKill = m_window->logView()->totalLines();
    LogView* log = m_window->logView();
    log->searchEdit()->setText(QStringLiteral("tunnel up"));
    QTRY_VERIFY(!log->visibleLines().isEmpty());
    const qsizetype upsBeforeKill = log->visibleLines().size();
    log->searchEdit()->clear();
    QVERIFY(request(QStringLiteral("kill-helper")));
    QTRY_COMPARE_WITH_TIMEOUT(state(), QStringLiteral("disconnected"), 10000);
    QVERIFY(m_window->bannerVisible());
    QCOMPARE(m_session->problem(), HelperSession::Problem::Stopped);
    QCOMPARE(m_window->tray()->state(), TrayState::Disconnected);
    if (g_options.lang == QLatin1String("en")) {
        QVERIFY2(m_window->bannerText().contains(QStringLiteral("stopped unexpectedly")),
                 qPrintable(m_window->bannerText()));
    }
    // The app starts the helper again (bus activation) and says so.
    QTRY_VERIFY_WITH_TIMEOUT(m_session->helperRunning(), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(m_session->problem(), HelperSession::Problem::Restarted, 10000);
    // And works again.
    clickConnect();
    QTRY_COMPARE_WITH_TIMEOUT(state(), QStringLiteral("connected"), 20000);
    QVERIFY(!m_window->bannerVisible());
    // Counters move again: StatsUpdated from the new helper reaches us.
    QTRY_VERIFY_WITH_TIMEOUT(m_window->counters()->shownRxPackets() > 0, 15000);
    const qulonglong afterRestart = m_window->counters()->shownRxPackets();
    QTRY_VERIFY_WITH_TIMEOUT(m_window->counters()->shownRxPackets() >= afterRestart + 5, 15000);
    // The log kept what it had and goes on with the new helper's entries.
    QVERIFY(log->totalLines() > linesBeforeKill);
    log->searchEdit()->setText(QStringLiteral("tunnel up"));
    QTRY_COMPARE_WITH_TIMEOUT(log->visibleLines().size(), upsBeforeKill + 1, 5000);
    log->searchEdit()->clear();
    clickConnect();
    QTRY_COMPARE_WITH_TIMEOUT(state(), QStringLiteral("disconnected"), 15000);
}

void GuiDriver::deniedUserSeesRefusal()
{
    QTRY_VERIFY_WITH_TIMEOUT(m_session->helperRunning(), 15000);
    clickConnect();
    QTRY_COMPARE_WITH_TIMEOUT(m_session->problem(), HelperSession::Problem::NotAuthorized, 15000);
    QVERIFY(m_window->bannerVisible());
    if (g_options.lang == QLatin1String("en")) {
        QVERIFY2(m_window->bannerText().contains(QStringLiteral("Authorization was refused")),
                 qPrintable(m_window->bannerText()));
    }
    QTRY_COMPARE_WITH_TIMEOUT(state(), QStringLiteral("disconnected"), 5000);
    QCOMPARE(m_window->tray()->state(), TrayState::Disconnected);
    QVERIFY(m_window->connectButton()->isEnabled()); // can try again
    save(m_window.get(), QStringLiteral("main-refused"));
    QVERIFY(request(QStringLiteral("check-no-device")));
}

void GuiDriver::picksUpTunnelsAlreadyUp()
{
    // tst_gui_helper brought "elsewhere" up with peertunctl before this app started.
    const QString name = QStringLiteral("elsewhere");
    QTRY_COMPARE_WITH_TIMEOUT(m_window->listedState(name), QStringLiteral("connected"), 15000);
    QCOMPARE(m_window->tray()->state(), TrayState::Connected);
    QVERIFY(m_window->selectProfile(name));
    // Plain mode, known from the helper's tunnel list: labelled unencrypted.
    QVERIFY2(m_window->profileList()->currentItem()->text().contains(QStringLiteral("unencrypted")),
             qPrintable(m_window->profileList()->currentItem()->text()));
    QVERIFY(m_window->connectButton()->isEnabled()); // it can be taken down from here
    m_window->activateWindow();
    QTRY_VERIFY(m_window->isActiveWindow());
    QTest::keyClick(m_window.get(), Qt::Key_Return, Qt::ControlModifier); // the shortcut
    QTRY_COMPARE_WITH_TIMEOUT(m_session->status(name).state,
                              peertun::dbus::TunnelState::Disconnected, 15000);
    QCOMPARE(m_window->tray()->state(), TrayState::Disconnected);
}

void GuiDriver::refusedReconnectKeepsTheOffer()
{
    // Run as the denied user. tst_gui_helper brought "office" up (as the allowed user, with
    // the profile this store holds) before the app started: this user may watch it, not
    // change it.
    m_leaveTunnelUp = true;
    QTRY_COMPARE_WITH_TIMEOUT(state(), QStringLiteral("connected"), 15000);
    QVERIFY(m_window->selectProfile(QStringLiteral("office")));
    QObject scope; // ends the dialog watchers with the test, answered or not

    // An edit of the running tunnel: the offer to reconnect.
    bool saved = false;
    onNextModal<ProfileEditor>(&scope, [&](ProfileEditor* editor) {
        editor->mtuEdit()->setText(QStringLiteral("1400"));
        if (editor->canSave()) {
            QTest::mouseClick(editor->saveButton(), Qt::LeftButton);
            saved = true;
        } else {
            editor->reject();
        }
    });
    m_window->editProfile();
    QVERIFY(saved);
    QVERIFY(m_window->reconnectBannerVisible());
    const QString offer = m_window->reconnectBannerText();

    // Reconnect now: the disconnect half is refused. The refusal banner says so, the offer
    // comes back as it was, and the tunnel runs on with its old settings.
    QTest::mouseClick(m_window->reconnectButton(), Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(m_session->problem(), HelperSession::Problem::NotAuthorized, 15000);
    QVERIFY(m_window->bannerVisible());
    QTRY_VERIFY(!m_session->status(QStringLiteral("office")).requestPending);
    QTRY_VERIFY(m_window->reconnectButton()->isEnabled());
    QVERIFY(m_window->reconnectBannerVisible());
    QCOMPARE(m_window->reconnectBannerText(), offer);
    QCOMPARE(state(), QStringLiteral("connected"));
    QVERIFY(request(QStringLiteral("check-device")));
    QVERIFY(!request(QStringLiteral("check-mtu 1400")));
    // Still up a while later: nothing tries again behind the user's back.
    QTest::qWait(1000);
    QCOMPARE(state(), QStringLiteral("connected"));
    QVERIFY(m_window->reconnectBannerVisible());

    // Rename the profile of the running tunnel: the offer now leads to the new name; the
    // tunnel stays listed under its running name.
    onNextModal<QInputDialog>(&scope, [&](QInputDialog* dialog) {
        auto* edit = dialog->findChild<QLineEdit*>();
        QVERIFY(edit != nullptr);
        edit->selectAll();
        QTest::keyClicks(edit, QStringLiteral("office-2"));
        QTest::keyClick(edit, Qt::Key_Return);
    });
    m_window->renameProfile();
    QVERIFY(m_store->find(QStringLiteral("office-2")) != nullptr);
    QVERIFY(m_store->find(QStringLiteral("office")) == nullptr);
    QVERIFY(m_window->reconnectBannerVisible());
    QVERIFY(m_window->reconnectButton()->isEnabled());
    QVERIFY2(m_window->reconnectBannerText().contains(QStringLiteral("office-2")),
             qPrintable(m_window->reconnectBannerText()));
    QCOMPARE(state(), QStringLiteral("connected")); // listed without a profile now
    QCOMPARE(m_window->listedState(QStringLiteral("office-2")), QStringLiteral("disconnected"));

    // Delete it: the question says which tunnel stays up; the offer goes (nothing saved is
    // left to reconnect with); the tunnel stays, listed, and can still be taken down here.
    QVERIFY(m_window->selectProfile(QStringLiteral("office-2")));
    QString question;
    onNextModal<QMessageBox>(&scope, [&](QMessageBox* box) {
        question = box->text();
        QTest::mouseClick(box->button(QMessageBox::Yes), Qt::LeftButton);
    });
    m_window->deleteProfile();
    QVERIFY2(question.contains(QStringLiteral("office-2")), qPrintable(question));
    if (g_options.lang == QLatin1String("en")) {
        QVERIFY2(question.contains(QStringLiteral("Its tunnel office is up and stays up")),
                 qPrintable(question));
    }
    QVERIFY(m_store->find(QStringLiteral("office-2")) == nullptr);
    QVERIFY(m_window->listedState(QStringLiteral("office-2")).isEmpty());
    QVERIFY(!m_window->reconnectBannerVisible());
    QCOMPARE(state(), QStringLiteral("connected"));
    QVERIFY(m_window->selectProfile(QStringLiteral("office")));
    QVERIFY(m_window->connectButton()->isEnabled());
    QVERIFY(request(QStringLiteral("check-device")));
}

int main(int argc, char** argv)
{
    QStringList rest;
    for (int i = 0; i < argc; ++i) {
        const QString arg = QString::fromLocal8Bit(argv[i]);
        if (arg == QLatin1String("--profiles") && i + 1 < argc) {
            g_options.profilesDir = QString::fromLocal8Bit(argv[++i]);
        } else if (arg == QLatin1String("--artifacts") && i + 1 < argc) {
            g_options.artifactsDir = QString::fromLocal8Bit(argv[++i]);
        } else if (arg == QLatin1String("--lang") && i + 1 < argc) {
            g_options.lang = QString::fromLocal8Bit(argv[++i]);
        } else if (arg == QLatin1String("--expect-tray")) {
            g_options.expectTray = true;
        } else {
            rest << arg;
        }
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("peertun"));
    if (!setUpApplication(app, QLocale(g_options.lang)) && g_options.lang != QLatin1String("en")) {
        std::cerr << "no translation for " << g_options.lang.toStdString() << std::endl;
        return 1;
    }
    GuiDriver driver;
    return QTest::qExec(&driver, rest);
}

#include "gui_driver.moc"
