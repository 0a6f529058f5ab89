// MainWindow without a helper (no root needed): a private bus on which nobody provides
// io.peertun.Helper1 gives the "not installed" banner; broken profile files are listed with
// their error and cannot be connected; shortcuts, tab order and accessible names.
#include "GuiTestProfiles.h"
#include "HelperSession.h"
#include "LogView.h"
#include "MainWindow.h"
#include "ModalDialogs.h"
#include "ProfileEditor.h"
#include "ProfileStore.h"

#include <QAbstractItemView>
#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QCompleter>
#include <QDBusConnection>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace peertun;

namespace {

using test::onNextModal;

// Types `path` into a non-native file dialog and presses Return, or cancels with Escape.
void answerFileDialog(QFileDialog* dialog, const QString& path)
{
    auto* edit = dialog->findChild<QLineEdit*>(QStringLiteral("fileNameEdit"));
    QVERIFY2(edit != nullptr, "a non-native QFileDialog");
    if (path.isEmpty()) {
        QTest::keyClick(edit, Qt::Key_Escape);
        return;
    }
    // Set, not typed: typed text opens the completer's popup once the dialog's file model has
    // caught up (timing-dependent), and Return then goes to the popup, not to the dialog.
    edit->setText(path);
    if (QCompleter* completer = edit->completer(); completer != nullptr) {
        completer->popup()->hide();
    }
    QTest::keyClick(edit, Qt::Key_Return);
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

const char* kWgQuickConfig = R"([Interface]
# laptop, exported by wg-quick
PrivateKey = dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=
Address = 10.99.0.2/24
ListenPort = 51821
DNS = 10.99.0.1
Table = off
PostUp = iptables -A FORWARD -i %i -j ACCEPT

[Peer]
PublicKey = 3p7ffMT8JcaV9oEbPaqvqbbvEH15Zg7Hq2Gdi2vF6H0=
Endpoint = 10.211.55.123:51820
AllowedIPs = 10.99.1.0/24
PersistentKeepalive = 25
)";

} // namespace

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
    void plainModeIsLabelledUnencrypted();
    void importWgQuickConfigReportsUnsupportedKeys();
    void importWgQuickNameClashGetsAUniqueName();
    void importWgQuickErrorsAreShownAndNothingSaved();
    void importWgQuickDraftCanBeFixedInTheEditor();
    void importWgQuickSyntaxErrorsAreShown();
    void exportImportThroughTheDialogsIsByteIdentical();
    void cancellingTheDialogsChangesNothing();
    void renameThroughTheDialog();
    void renameRefusesBadNames_data();
    void renameRefusesBadNames();
    void renameCancelledChangesNothing();
    void deleteAsksAndRemoves();
    void deleteCancelledKeepsTheProfile();
    void chineseTranslationIsComplete();
    void trayFollowsNoTunnel();

private:
    void focusList();

    QTemporaryDir m_tmp;
    QProcess m_busDaemon;
    std::unique_ptr<ProfileStore> m_store;
    std::unique_ptr<HelperSession> m_session;
    std::unique_ptr<MainWindow> m_window;
};

namespace {

// What the profile directory holds, file by file.
QMap<QString, QByteArray> directoryContents(const QString& path)
{
    QMap<QString, QByteArray> contents;
    const QDir dir(path);
    for (const QString& f : dir.entryList(QDir::Files | QDir::Hidden)) {
        contents.insert(f, readAll(dir.filePath(f)));
    }
    return contents;
}

QStringList listTexts(const QListWidget* list)
{
    QStringList texts;
    for (int i = 0; i < list->count(); ++i) {
        texts << list->item(i)->text();
    }
    return texts;
}

// Answers the rename dialog like a user: replaces the text with `name` and presses Return (or
// Escape when `cancel`). A name with control characters cannot be typed; it is inserted.
void answerRenameDialog(QInputDialog* dialog, const QString& name, bool cancel = false)
{
    auto* edit = dialog->findChild<QLineEdit*>();
    QVERIFY(edit != nullptr);
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Backspace);
    bool printable = true;
    for (const QChar c : name) {
        printable &= c.isPrint();
    }
    if (printable) {
        QTest::keyClicks(edit, name);
    } else {
        edit->insert(name);
    }
    QCOMPARE(edit->text(), name);
    QTest::keyClick(edit, cancel ? Qt::Key_Escape : Qt::Key_Return);
}

} // namespace

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
    QVERIFY(m_store->save(test::officeProfile(), QString(), &error));
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

void TestMainWindow::plainModeIsLabelledUnencrypted()
{
    QVERIFY(m_window->selectProfile(QStringLiteral("office"))); // the office profile: plain
    QVERIFY2(m_window->profileList()->currentItem()->text().contains(QStringLiteral("unencrypted")),
             qPrintable(m_window->profileList()->currentItem()->text()));
    bool detailsSay = false;
    for (const QLabel* label : m_window->findChildren<QLabel*>()) {
        detailsSay |= label->isVisible() && label->text().contains(QStringLiteral("Interface")) &&
                      label->text().contains(QStringLiteral("unencrypted"));
    }
    QVERIFY(detailsSay);
    // The entry fits the list: nothing to scroll sideways for.
    QListWidget* list = m_window->profileList();
    const QString entry = list->currentItem()->text();
    QVERIFY2(list->fontMetrics().horizontalAdvance(entry) < list->viewport()->width(),
             qPrintable(QStringLiteral("%1 in %2 px").arg(entry).arg(list->viewport()->width())));
    QCOMPARE(list->horizontalScrollBarPolicy(), Qt::ScrollBarAlwaysOff);
}

void TestMainWindow::importWgQuickConfigReportsUnsupportedKeys()
{
    const QString path = m_tmp.path() + "/laptop.conf";
    QFile conf(path);
    QVERIFY(conf.open(QIODevice::WriteOnly));
    conf.write(kWgQuickConfig);
    conf.close();

    QString dialogName;
    QString boxText;
    onNextModal<QFileDialog>(this, [&](QFileDialog* dialog) {
        dialogName = dialog->objectName();
        onNextModal<QMessageBox>(this, [&](QMessageBox* box) {
            boxText = box->text();
            box->accept();
        });
        answerFileDialog(dialog, path);
    });
    const int logLines = m_window->logView()->totalLines();
    m_window->importWgQuickAction()->trigger();
    QCOMPARE(dialogName, QStringLiteral("importWgQuickDialog"));
    // Unsupported keys are told, with their lines, in the box and in the log.
    QVERIFY2(boxText.contains(QStringLiteral("Table")) && boxText.contains(QStringLiteral("PostUp")),
             qPrintable(boxText));
    QVERIFY(m_window->logView()->totalLines() > logLines);
    const QString log = m_window->logView()->visibleLines().join(u'\n');
    QVERIFY2(log.contains(QStringLiteral("Table")) && log.contains(QStringLiteral("PostUp")),
             qPrintable(log));
    // The private key never reaches the log.
    QVERIFY(!log.contains(QStringLiteral("dwdtCnMYpX08")));

    const StoredProfile* stored = m_store->find(QStringLiteral("laptop"));
    QVERIFY(stored && stored->ok());
    QCOMPARE(stored->profile->mode, TunnelMode::WireGuard);
    QCOMPARE(stored->profile->interface.listen.port, quint16(51821));
    QCOMPARE(stored->profile->peers.size(), 1);
    QCOMPARE(stored->profile->peers[0].persistentKeepalive, std::optional<int>(25));
    QCOMPARE(m_window->selectedName(), QStringLiteral("laptop"));
    // WireGuard profiles are not labelled unencrypted.
    QVERIFY(
        !m_window->profileList()->currentItem()->text().contains(QStringLiteral("unencrypted")));
}

void TestMainWindow::importWgQuickNameClashGetsAUniqueName()
{
    QVERIFY(m_store->find(QStringLiteral("laptop")));
    const QByteArray before = readAll(m_store->directory() + "/laptop.json");
    QString boxText;
    onNextModal<QFileDialog>(this, [&](QFileDialog* dialog) {
        onNextModal<QMessageBox>(this, [&](QMessageBox* box) {
            boxText = box->text();
            box->accept();
        });
        answerFileDialog(dialog, m_tmp.path() + "/laptop.conf");
    });
    m_window->importWgQuickAction()->trigger();
    QVERIFY2(boxText.contains(QStringLiteral("exists already")) &&
                 boxText.contains(QStringLiteral("laptop (copy)")),
             qPrintable(boxText));
    QVERIFY(m_store->find(QStringLiteral("laptop (copy)")));
    QCOMPARE(m_window->selectedName(), QStringLiteral("laptop (copy)"));
    QCOMPARE(readAll(m_store->directory() + "/laptop.json"), before); // untouched
    QString error;
    QVERIFY(m_store->remove(QStringLiteral("laptop (copy)"), &error));
}

void TestMainWindow::importWgQuickErrorsAreShownAndNothingSaved()
{
    const QString path = m_tmp.path() + "/bad.conf";
    QFile conf(path);
    QVERIFY(conf.open(QIODevice::WriteOnly));
    conf.write("[Interface]\nAddress = 10.98.0.2/24\nTable = off\n[Peer]\nAllowedIPs = "
               "10.98.0.0/24\n");
    conf.close();
    const int profiles = m_store->profiles().size();
    QString boxText;
    onNextModal<QFileDialog>(this, [&](QFileDialog* dialog) {
        onNextModal<QMessageBox>(this, [&](QMessageBox* box) {
            boxText = box->text();
            box->button(QMessageBox::No)->click();
        });
        answerFileDialog(dialog, path);
    });
    m_window->importWgQuickAction()->trigger();
    // The validator names the missing keys; the unsupported one is still reported; the user
    // said No to fixing it in the editor.
    QVERIFY2(boxText.contains(QStringLiteral("cannot be imported")) &&
                 boxText.contains(QStringLiteral("privateKey")) &&
                 boxText.contains(QStringLiteral("Table")),
             qPrintable(boxText));
    QCOMPARE(m_store->profiles().size(), profiles);
    QVERIFY(!m_store->find(QStringLiteral("bad")));
}

void TestMainWindow::importWgQuickDraftCanBeFixedInTheEditor()
{
    // bad.conf from the test before: no keys, and AllowedIPs contain the own address.
    const QString path = m_tmp.path() + "/bad.conf";
    QVERIFY(QFile::exists(path));
    bool editorOpened = false;
    bool saved = false;
    onNextModal<QFileDialog>(this, [&](QFileDialog* dialog) {
        onNextModal<QMessageBox>(this, [&](QMessageBox* box) {
            onNextModal<ProfileEditor>(this, [&](ProfileEditor* editor) {
                editorOpened = true;
                // The draft as imported, with the validator's complaints at their fields.
                QCOMPARE(editor->nameEdit()->text(), QStringLiteral("bad"));
                QCOMPARE(editor->modeCombo()->currentData().toString(),
                         QStringLiteral("wireguard"));
                QVERIFY(!editor->shownError(QStringLiteral("interface.privateKey")).isEmpty());
                QVERIFY(!editor->canSave());
                QTest::mouseClick(editor->generateKeyButton(), Qt::LeftButton);
                QTableWidget* peers = editor->peerTable();
                peers->item(0, ProfileEditor::PeerPublicKey)
                    ->setText(QStringLiteral("hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo="));
                peers->item(0, ProfileEditor::PeerSubnets)->setText(QStringLiteral("10.98.1.0/24"));
                if (editor->canSave()) {
                    QTest::mouseClick(editor->saveButton(), Qt::LeftButton);
                    saved = true;
                } else {
                    qWarning("%s", qPrintable(editor->errors().value(0).field + ": " +
                                              editor->errors().value(0).message));
                    editor->reject();
                }
            });
            box->button(QMessageBox::Yes)->click();
        });
        answerFileDialog(dialog, path);
    });
    m_window->importWgQuickAction()->trigger();
    QVERIFY(editorOpened);
    QVERIFY(saved);
    const StoredProfile* stored = m_store->find(QStringLiteral("bad"));
    QVERIFY(stored && stored->ok());
    QCOMPARE(stored->profile->interface.privateKey.size(), 44);
    QCOMPARE(m_window->selectedName(), QStringLiteral("bad"));
    QString error;
    QVERIFY(m_store->remove(QStringLiteral("bad"), &error));
}

void TestMainWindow::importWgQuickSyntaxErrorsAreShown()
{
    const QString path = m_tmp.path() + "/broken.conf";
    QFile conf(path);
    QVERIFY(conf.open(QIODevice::WriteOnly));
    conf.write("[Interface]\nPrivateKey\n[Wat]\n");
    conf.close();
    const int profiles = m_store->profiles().size();
    QString boxText;
    QMessageBox::StandardButtons buttons;
    onNextModal<QFileDialog>(this, [&](QFileDialog* dialog) {
        onNextModal<QMessageBox>(this, [&](QMessageBox* box) {
            boxText = box->text();
            buttons = box->standardButtons();
            box->accept();
        });
        answerFileDialog(dialog, path);
    });
    m_window->importWgQuickAction()->trigger();
    QVERIFY2(boxText.contains(QStringLiteral("line 2")) &&
                 boxText.contains(QStringLiteral("line 3")),
             qPrintable(boxText));
    QVERIFY(!buttons.testFlag(QMessageBox::Yes)); // nothing to fix in the editor
    QCOMPARE(m_store->profiles().size(), profiles);
}

void TestMainWindow::exportImportThroughTheDialogsIsByteIdentical()
{
    QVERIFY(m_window->selectProfile(QStringLiteral("laptop")));
    const QByteArray stored = readAll(m_store->directory() + "/laptop.json");
    QVERIFY(!stored.isEmpty());
    const QString exported = m_tmp.path() + "/exported-laptop.json";
    QString dialogName;
    onNextModal<QFileDialog>(this, [&](QFileDialog* dialog) {
        dialogName = dialog->objectName();
        answerFileDialog(dialog, exported);
    });
    m_window->exportProfile();
    QCOMPARE(dialogName, QStringLiteral("exportProfileDialog"));
    QCOMPARE(readAll(exported), stored);

    // Gone from the store, then back through Import: the very same bytes.
    QString error;
    QVERIFY(m_store->remove(QStringLiteral("laptop"), &error));
    QVERIFY(!m_store->find(QStringLiteral("laptop")));
    onNextModal<QFileDialog>(this, [&](QFileDialog* dialog) {
        dialogName = dialog->objectName();
        answerFileDialog(dialog, exported);
    });
    m_window->importProfile();
    QCOMPARE(dialogName, QStringLiteral("importProfileDialog"));
    QVERIFY(m_store->find(QStringLiteral("laptop")));
    QCOMPARE(readAll(m_store->directory() + "/laptop.json"), stored);
    QCOMPARE(m_window->selectedName(), QStringLiteral("laptop"));
}

void TestMainWindow::cancellingTheDialogsChangesNothing()
{
    QDir dir(m_store->directory());
    const QStringList files = dir.entryList(QDir::Files);
    QStringList contents;
    for (const QString& f : files) {
        contents << QString::fromUtf8(readAll(dir.filePath(f)));
    }
    const QStringList tmpFiles = QDir(m_tmp.path()).entryList(QDir::Files);
    QVERIFY(m_window->selectProfile(QStringLiteral("office")));
    int cancelled = 0;
    const auto cancelNextFileDialog = [&] {
        onNextModal<QFileDialog>(this, [&](QFileDialog* dialog) {
            ++cancelled;
            answerFileDialog(dialog, QString());
        });
    };
    cancelNextFileDialog();
    m_window->importWgQuickAction()->trigger();
    cancelNextFileDialog();
    m_window->importProfile();
    cancelNextFileDialog();
    m_window->exportProfile();
    QCOMPARE(cancelled, 3);
    QCOMPARE(dir.entryList(QDir::Files), files);
    for (int i = 0; i < files.size(); ++i) {
        QCOMPARE(QString::fromUtf8(readAll(dir.filePath(files[i]))), contents[i]);
    }
    QCOMPARE(QDir(m_tmp.path()).entryList(QDir::Files), tmpFiles);
    QCOMPARE(m_window->selectedName(), QStringLiteral("office"));
}

void TestMainWindow::focusList()
{
    // Shortcuts reach only the active window's focus widget (Del only the list's).
    m_window->activateWindow();
    QTRY_VERIFY(m_window->isActiveWindow());
    m_window->profileList()->setFocus();
    QTRY_VERIFY(m_window->profileList()->hasFocus());
}

void TestMainWindow::renameThroughTheDialog()
{
    QObject scope; // ends the dialog watchers with the test, answered or not
    QVERIFY(m_window->selectProfile(QStringLiteral("laptop")));
    const QByteArray before = readAll(m_store->directory() + "/laptop.json");
    QVERIFY(!before.isEmpty());
    QString title;
    QString offered;
    onNextModal<QInputDialog>(&scope, [&](QInputDialog* dialog) {
        title = dialog->windowTitle();
        offered = dialog->textValue();
        answerRenameDialog(dialog, QStringLiteral("road warrior"));
    });
    focusList();
    QTest::keyClick(m_window->profileList(), Qt::Key_F2); // the shortcut
    QCOMPARE(title, QStringLiteral("Rename profile"));
    QCOMPARE(offered, QStringLiteral("laptop")); // starts from the old name
    // The file moved to the new name, and only the name changed in it.
    QVERIFY(!QFile::exists(m_store->directory() + "/laptop.json"));
    QVERIFY(m_store->find(QStringLiteral("laptop")) == nullptr);
    const StoredProfile* renamed = m_store->find(QStringLiteral("road warrior"));
    QVERIFY(renamed != nullptr && renamed->ok());
    Profile expected = *parseProfile(before).profile;
    expected.name = QStringLiteral("road warrior");
    QCOMPARE(readAll(m_store->directory() + "/road warrior.json"), serializeProfile(expected));
    QCOMPARE(QFile::permissions(m_store->directory() + "/road warrior.json") & 0x0077, 0);
    // The list follows and keeps the renamed profile selected.
    QCOMPARE(m_window->selectedName(), QStringLiteral("road warrior"));
    QCOMPARE(m_window->listedState(QStringLiteral("road warrior")), QStringLiteral("disconnected"));
    QVERIFY(m_window->listedState(QStringLiteral("laptop")).isEmpty());
    QVERIFY(!m_window->reconnectBannerVisible()); // nothing was up

    // And back, through the menu action this time.
    onNextModal<QInputDialog>(
        this, [&](QInputDialog* dialog) { answerRenameDialog(dialog, QStringLiteral("laptop")); });
    m_window->renameAction()->trigger();
    QCOMPARE(readAll(m_store->directory() + "/laptop.json"), before);
    QVERIFY(!QFile::exists(m_store->directory() + "/road warrior.json"));
    QCOMPARE(m_window->selectedName(), QStringLiteral("laptop"));
}

void TestMainWindow::renameRefusesBadNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("reason"); // empty: the shared validator's message for `name`
    QTest::newRow("name of another profile") << "office"
                                             << "already exists";
    QTest::newRow("empty") << ""
                           << "";
    QTest::newRow("slash") << "home/office"
                           << "";
    QTest::newRow("dot") << "."
                         << "";
    QTest::newRow("dot dot") << ".."
                             << "";
    QTest::newRow("65 characters") << QString(65, u'x') << "";
    QTest::newRow("control character") << QStringLiteral("lap\ttop") << "";
    QTest::newRow("newline") << QStringLiteral("lap\ntop") << "";
}

void TestMainWindow::renameRefusesBadNames()
{
    QObject scope; // ends the dialog watchers with the test, answered or not
    QFETCH(QString, name);
    QFETCH(QString, reason);
    if (reason.isEmpty()) {
        reason = checkProfileName(name);
        QVERIFY2(!reason.isEmpty(), "the validator must refuse this name");
    }
    QVERIFY(m_window->selectProfile(QStringLiteral("laptop")));
    const QMap<QString, QByteArray> files = directoryContents(m_store->directory());
    const QStringList texts = listTexts(m_window->profileList());
    QString boxText;
    QString boxTitle;
    onNextModal<QInputDialog>(&scope, [&](QInputDialog* dialog) {
        // The refusal comes as a message box once the name is entered.
        onNextModal<QMessageBox>(&scope, [&](QMessageBox* box) {
            boxTitle = box->windowTitle();
            boxText = box->text();
            box->accept();
        });
        answerRenameDialog(dialog, name);
    });
    m_window->renameProfile();
    QCOMPARE(boxTitle, QStringLiteral("Rename profile"));
    QVERIFY2(boxText.contains(reason), qPrintable(boxText + " / " + reason));
    // Nothing changed: same files with the same bytes, same list, same selection.
    QCOMPARE(directoryContents(m_store->directory()), files);
    QCOMPARE(listTexts(m_window->profileList()), texts);
    QCOMPARE(m_window->selectedName(), QStringLiteral("laptop"));
}

void TestMainWindow::renameCancelledChangesNothing()
{
    QObject scope; // ends the dialog watchers with the test, answered or not
    QVERIFY(m_window->selectProfile(QStringLiteral("laptop")));
    const QMap<QString, QByteArray> files = directoryContents(m_store->directory());
    const QStringList texts = listTexts(m_window->profileList());
    bool answered = false;
    onNextModal<QInputDialog>(&scope, [&](QInputDialog* dialog) {
        answered = true;
        answerRenameDialog(dialog, QStringLiteral("something else"), true);
    });
    m_window->renameProfile();
    QVERIFY(answered);
    QCOMPARE(directoryContents(m_store->directory()), files);
    QCOMPARE(listTexts(m_window->profileList()), texts);
    QCOMPARE(m_window->selectedName(), QStringLiteral("laptop"));
}

void TestMainWindow::deleteAsksAndRemoves()
{
    QObject scope; // ends the dialog watchers with the test, answered or not
    QString error;
    Profile spare = test::officeProfile(QStringLiteral("spare"));
    QVERIFY2(m_store->save(spare, QString(), &error), qPrintable(error));
    QVERIFY(m_window->selectProfile(QStringLiteral("spare")));
    QCOMPARE(m_window->listedState(QStringLiteral("spare")), QStringLiteral("disconnected"));
    const int rows = m_window->profileList()->count();
    QString question;
    onNextModal<QMessageBox>(&scope, [&](QMessageBox* box) {
        question = box->text();
        QVERIFY(box->button(QMessageBox::Yes) != nullptr);
        QTest::mouseClick(box->button(QMessageBox::Yes), Qt::LeftButton);
    });
    // Del acts in the list.
    focusList();
    QTest::keyClick(m_window->profileList(), Qt::Key_Delete);
    QVERIFY2(question.contains(QStringLiteral("spare")), qPrintable(question));
    // Nothing was up: the question does not talk about a tunnel.
    QVERIFY2(!question.contains(QStringLiteral("tunnel")), qPrintable(question));
    QVERIFY(!QFile::exists(m_store->directory() + "/spare.json"));
    QVERIFY(m_store->find(QStringLiteral("spare")) == nullptr);
    QCOMPARE(m_window->profileList()->count(), rows - 1);
    QVERIFY(m_window->listedState(QStringLiteral("spare")).isEmpty());
}

void TestMainWindow::deleteCancelledKeepsTheProfile()
{
    QObject scope; // ends the dialog watchers with the test, answered or not
    QVERIFY(m_window->selectProfile(QStringLiteral("laptop")));
    const QMap<QString, QByteArray> files = directoryContents(m_store->directory());
    const QStringList texts = listTexts(m_window->profileList());
    bool asked = false;
    onNextModal<QMessageBox>(&scope, [&](QMessageBox* box) {
        asked = box->text().contains(QStringLiteral("laptop"));
        QTest::mouseClick(box->button(QMessageBox::No), Qt::LeftButton);
    });
    m_window->deleteAction()->trigger();
    QVERIFY(asked);
    QCOMPARE(directoryContents(m_store->directory()), files);
    QCOMPARE(listTexts(m_window->profileList()), texts);
    QCOMPARE(m_window->selectedName(), QStringLiteral("laptop"));
}

void TestMainWindow::chineseTranslationIsComplete()
{
    // Every tr() string (and the validator's) has a Chinese translation: lupdate marks the
    // ones without as unfinished, and those would show in English.
    const QByteArray ts =
        readAll(QStringLiteral(PEERTUN_SOURCE_DIR "/translations/peertun_zh_CN.ts"));
    QVERIFY(ts.contains("<context>"));
    QVERIFY(ts.contains("<name>peertun::Profile</name>"));
    const qsizetype unfinished = ts.indexOf("type=\"unfinished\"");
    QVERIFY2(unfinished < 0, ts.mid(std::max<qsizetype>(0, unfinished - 300), 320).constData());
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
