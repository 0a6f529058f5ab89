// MainWindow without a helper (no root needed): a private bus on which nobody provides
// io.peertun.Helper1 gives the "not installed" banner; broken profile files are listed with
// their error and cannot be connected; shortcuts, tab order and accessible names.
#include "GuiTestProfiles.h"
#include "HelperSession.h"
#include "LogView.h"
#include "MainWindow.h"
#include "ProfileEditor.h"
#include "ProfileStore.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDBusConnection>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QProcess>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace peertun;

class TestMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void listsProfilesAndBrokenFiles();
    void helperNotInstalledShowsBanner();
    void connectWithoutHelperFailsWithReason();
    void shortcutsOpenTheEditorAndToggle();
    void tabOrderAndAccessibleNames();
    void trayFollowsNoTunnel();

private:
    QTemporaryDir m_tmp;
    QProcess m_busDaemon;
    std::unique_ptr<ProfileStore> m_store;
    std::unique_ptr<HelperSession> m_session;
    std::unique_ptr<MainWindow> m_window;
};

void TestMainWindow::initTestCase()
{
    // A bus of our own (session-type config; no root) where the helper does not exist.
    m_busDaemon.start(QStringLiteral("dbus-daemon"),
                      {"--session", "--nofork", "--nosyslog", "--print-address=1"});
    QVERIFY2(m_busDaemon.waitForStarted(5000), "dbus-daemon (package dbus) is needed");
    QVERIFY(m_busDaemon.waitForReadyRead(5000));
    const QString address = QString::fromUtf8(m_busDaemon.readLine()).trimmed();
    QDBusConnection bus = QDBusConnection::connectToBus(address, QStringLiteral("test-bus"));
    QVERIFY2(bus.isConnected(), qPrintable(address));

    const QString dir = m_tmp.path() + "/profiles";
    m_store = std::make_unique<ProfileStore>(dir);
    QString error;
    m_store->reload();
    QVERIFY(m_store->save(test::seedProfile(), QString(), &error));
    QFile broken(dir + "/zz-broken.json");
    QVERIFY(broken.open(QIODevice::WriteOnly));
    broken.write("{ \"version\": 1, \"name\": ");
    broken.close();
    m_store->reload();

    m_session = std::make_unique<HelperSession>(bus);
    m_window = std::make_unique<MainWindow>(m_store.get(), m_session.get());
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestMainWindow::cleanupTestCase()
{
    m_window.reset();
    m_session.reset();
    QDBusConnection::disconnectFromBus(QStringLiteral("test-bus"));
    m_busDaemon.kill();
    m_busDaemon.waitForFinished(3000);
}

void TestMainWindow::listsProfilesAndBrokenFiles()
{
    QListWidget* list = m_window->profileList();
    QCOMPARE(list->count(), 2);
    QVERIFY(list->item(0)->text().startsWith(QStringLiteral("office")));
    QCOMPARE(m_window->listedState(QStringLiteral("office")), QStringLiteral("disconnected"));
    QVERIFY(list->item(1)->text().contains(QStringLiteral("zz-broken.json")));
    QVERIFY2(list->item(1)->toolTip().contains(QStringLiteral("line")),
             qPrintable(list->item(1)->toolTip())); // the parser's line/column error
    QVERIFY(m_window->selectProfile(QStringLiteral("zz-broken.json")));
    QVERIFY(!m_window->connectButton()->isEnabled());
    QVERIFY(!m_window->toggleConnectionAction()->isEnabled());
    bool errorShown = false;
    for (const QLabel* label : m_window->findChildren<QLabel*>()) {
        errorShown |=
            label->isVisible() && label->text().contains(QStringLiteral("cannot be used"));
    }
    QVERIFY(errorShown);
    QVERIFY(m_window->selectProfile(QStringLiteral("office")));
    QVERIFY(m_window->connectButton()->isEnabled());
}

void TestMainWindow::helperNotInstalledShowsBanner()
{
    QVERIFY(!m_window->bannerVisible());
    m_session->start();
    QTRY_COMPARE(m_session->problem(), HelperSession::Problem::NotInstalled);
    QVERIFY(m_window->bannerVisible());
    QVERIFY2(m_window->bannerText().contains(QStringLiteral("not installed")),
             qPrintable(m_window->bannerText()));
    QVERIFY(!m_session->helperRunning());
}

void TestMainWindow::connectWithoutHelperFailsWithReason()
{
    QVERIFY(m_window->selectProfile(QStringLiteral("office")));
    QTest::mouseClick(m_window->connectButton(), Qt::LeftButton);
    QTRY_COMPARE(m_window->listedState(QStringLiteral("office")), QStringLiteral("failed"));
    QVERIFY(!m_session->status(QStringLiteral("office")).reason.isEmpty());
    QVERIFY(m_window->connectButton()->isEnabled()); // can try again
    QCOMPARE(m_window->tray()->state(), TrayState::Failed);
    // The app's own events are in the log.
    m_window->logView()->levelFilter()->setCurrentIndex(0);
    QVERIFY(m_window->logView()->visibleLines().join('\n').contains(QStringLiteral("app")));
}

void TestMainWindow::shortcutsOpenTheEditorAndToggle()
{
    QCOMPARE(m_window->newProfileAction()->shortcut(), QKeySequence(QKeySequence::New));
    QCOMPARE(m_window->toggleConnectionAction()->shortcut(),
             QKeySequence(Qt::CTRL | Qt::Key_Return));
    // Ctrl+N opens the editor for a new profile (closed again from the event loop).
    QString openedTitle;
    QTimer::singleShot(200, this, [&openedTitle] {
        if (auto* editor = qobject_cast<ProfileEditor*>(QApplication::activeModalWidget())) {
            openedTitle = editor->windowTitle();
            QCOMPARE(editor->nameEdit()->text(), QStringLiteral("office (copy)"));
            editor->reject();
        }
    });
    m_window->activateWindow();
    QTest::keyClick(m_window.get(), Qt::Key_N, Qt::ControlModifier);
    QTRY_COMPARE(openedTitle, QStringLiteral("New profile"));
    // Ctrl+Return asks the helper again (which still is not there).
    const int logLines = m_window->logView()->totalLines();
    m_window->activateWindow();
    QTRY_VERIFY(m_window->isActiveWindow());
    QTest::keyClick(m_window.get(), Qt::Key_Return, Qt::ControlModifier);
    QTRY_VERIFY(m_window->logView()->totalLines() > logLines);
}

void TestMainWindow::tabOrderAndAccessibleNames()
{
    // The next widget Tab moves to (the focus chain also holds widgets that take no focus).
    const auto nextTabStop = [](QWidget* w) {
        do {
            w = w->nextInFocusChain();
        } while (!(w->focusPolicy() & Qt::TabFocus) || !w->isVisible());
        return w;
    };
    QWidget* afterList = nextTabStop(m_window->profileList());
    QVERIFY(qobject_cast<QPushButton*>(afterList)); // "New profile…"
    QCOMPARE(nextTabStop(afterList), m_window->connectButton());
    for (QWidget* w : m_window->findChildren<QWidget*>()) {
        if (w->isVisible() && w->focusPolicy() != Qt::NoFocus &&
            (qobject_cast<QAbstractItemView*>(w) || qobject_cast<QLineEdit*>(w))) {
            QVERIFY2(!w->accessibleName().isEmpty(), w->metaObject()->className());
        }
    }
    QVERIFY(!m_window->connectButton()->accessibleName().isEmpty());
}

void TestMainWindow::trayFollowsNoTunnel()
{
    // The tray menu: each profile's connect, show/hide, quit.
    QStringList texts;
    QAction* connectOffice = nullptr;
    for (QAction* a : m_window->tray()->menu()->actions()) {
        texts << a->text();
        if (a->text() == QStringLiteral("Connect office")) {
            connectOffice = a;
        }
    }
    QVERIFY2(connectOffice != nullptr, qPrintable(texts.join(", ")));
    QVERIFY(texts.contains(QStringLiteral("Hide window")));
    QVERIFY(texts.contains(QStringLiteral("Quit")));
    const int logLines = m_window->logView()->totalLines();
    connectOffice->trigger();
    QTRY_VERIFY(m_window->logView()->totalLines() > logLines);  // asked the helper
    QTRY_COMPARE(m_window->tray()->state(), TrayState::Failed); // which is not there
    // Offscreen there is no tray: closing the window quits instead of hiding.
    QVERIFY(!m_window->tray()->isShown());
    QVERIFY(m_window->tray()->toolTip().contains(QStringLiteral("office")));
    QVERIFY(m_window->close());
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
