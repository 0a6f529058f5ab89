// ProfileEditor: each bad value from the validator's table, typed into its widget, shows the
// validator's message at that field and disables Save; fixing it enables Save again; a good
// profile saves, reloads, exports and imports byte-identically; the two example hosts can be typed;
// a mesh profile keeps its whole "mesh" section, its fields show the library's errors in the
// editor's words; a peer-only edit of a running tunnel is applied live before it is saved.
#include "AppSetup.h"
#include "FakeHelper.h"
#include "GuiTestProfiles.h"
#include "Keys.h"
#include "ProfileEditor.h"
#include "ProfileStore.h"
#include "TunnelController.h"

#include <QAbstractItemView>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QCompleter>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTranslator>

using namespace peertun;
using namespace peertun::test;

class TestProfileEditor : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void connectAtLoginIsSavedWithTheProfile();
    void peerMessagesFollowTheTableOrder();
    void loadedProfileIsValid();
    void badValueShowsErrorAtItsField_data();
    void badValueShowsErrorAtItsField();
    void peerRowsAddAndRemove();
    void wireGuardModeAsksForKeys();
    void typingTheTwoHostsByKeyboard();
    void savesReloadsExportsImportsByteIdentical();
    void accessibleNamesAndTabOrder();
    void publicKeyFollowsThePrivateKey_data();
    void publicKeyFollowsThePrivateKey();
    void generateKeyPairFillsAValidKey();
    void generateKeyPairAsksBeforeReplacing();
    void validatorMessagesInChinese_data();
    void validatorMessagesInChinese();
    void tellsWhenTheTunnelIsUp();
    void dnsKillSwitchAndHostNameAreSaved();
    void dnsLineShowsWhatTheProfileHas_data();
    void dnsLineShowsWhatTheProfileHas();
    void killSwitchIsProposedForAFullTunnel_data();
    void killSwitchIsProposedForAFullTunnel();
    void killSwitchOfASavedProfileIsKept();
    void killSwitchWithoutEndpointsIsRefused();
    void meshProfileKeepsItsMeshSection();
    void meshLeaseTtlIsKeptThroughOpenAndSave();
    void meshLeaseTtlField_data();
    void meshLeaseTtlField();
    void meshLeaseTtlErrorInChinese();
    void meshFieldsNamesTabOrderAndVisibility();
    void browseFillsTheFileField_data();
    void browseFillsTheFileField();
    void browseCancelledChangesNothing();
    void meshHidesAddressAndPeers();
    void meshFieldShowsError_data();
    void meshFieldShowsError();
    void newMeshProfileTypedIn();
    void livePeerEditIsAppliedBeforeSaving();
    void livePeerEditRefusedKeepsTheEditor();
    void nonPeerEditOfARunningTunnelSavesForAReconnect();
    void cancelWhileApplyingSavesNothing();

private:
    std::unique_ptr<QTemporaryDir> m_tmp;
    std::unique_ptr<ProfileStore> m_store;
    std::unique_ptr<ProfileEditor> m_editor;
    QString m_validDocument;
};

void TestProfileEditor::initTestCase()
{
    // English for the tests above (and the compiled-in resources: icons, :/i18n).
    setUpApplication(*QCoreApplication::instance(), QLocale(QStringLiteral("en")));
}

void TestProfileEditor::init()
{
    m_tmp = std::make_unique<QTemporaryDir>();
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(m_tmp->path() + "/config"));
    m_store = std::make_unique<ProfileStore>(m_tmp->path() + "/profiles");
    m_store->reload();
    m_editor = std::make_unique<ProfileEditor>(m_store.get());
    m_editor->setProfile(officeProfile(), QString());
    m_editor->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_editor.get()));
}

void TestProfileEditor::cleanup()
{
    m_editor.reset();
    m_store.reset();
}

void TestProfileEditor::loadedProfileIsValid()
{
    QVERIFY2(m_editor->errors().isEmpty(), qPrintable(m_editor->errors().value(0).field + ": " +
                                                      m_editor->errors().value(0).message));
    QVERIFY(m_editor->canSave());
    QVERIFY(m_editor->saveButton()->isEnabled());
    QCOMPARE(*m_editor->profile(), officeProfile());
    QCOMPARE(m_editor->peerTable()->rowCount(), 1);
    QCOMPARE(m_editor->peerTable()->item(0, 2)->text(), QStringLiteral("10.244.3.0/24"));
}

// widget: "name", "interface.name", ... or "peer:ROW:COLUMN" (a second peer row is added when
// ROW is 1). The messages are the validator's (tests/unit/tst_profile.cpp has the full table).
void TestProfileEditor::badValueShowsErrorAtItsField_data()
{
    QTest::addColumn<QString>("widget");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("message");

    QTest::newRow("name empty") << "name"
                                << ""
                                << "name"
                                << "The profile name is empty";
    QTest::newRow("name too long") << "name" << QString(65, u'x') << "name"
                                   << "is 65 characters long; at most 64";
    QTest::newRow("name with slash") << "name"
                                     << "a/b"
                                     << "name"
                                     << "\"a/b\" contains '/'";
    QTest::newRow("name dot dot") << "name"
                                  << ".."
                                  << "name"
                                  << "The profile name \"..\" is not allowed";
    QTest::newRow("ifname empty") << "interface.name"
                                  << ""
                                  << "interface.name"
                                  << "The interface name is empty";
    QTest::newRow("ifname 16 bytes") << "interface.name"
                                     << "abcdefghijklmnop"
                                     << "interface.name"
                                     << "is 16 bytes long; Linux allows at most 15";
    QTest::newRow("ifname slash") << "interface.name"
                                  << "tun/0"
                                  << "interface.name"
                                  << "\"tun/0\" contains '/'";
    QTest::newRow("ifname space") << "interface.name"
                                  << "tun 0"
                                  << "interface.name"
                                  << "contains whitespace";
    QTest::newRow("ifname colon") << "interface.name"
                                  << "eth0:1"
                                  << "interface.name"
                                  << "\"eth0:1\" contains ':'";
    QTest::newRow("ifname percent") << "interface.name"
                                    << "tun%d"
                                    << "interface.name"
                                    << "contains '%'";
    QTest::newRow("address prefix 33") << "interface.address"
                                       << "10.244.2.2/33"
                                       << "interface.address"
                                       << "the prefix length 33 is out of range for IPv4";
    QTest::newRow("address no prefix") << "interface.address"
                                       << "10.244.2.2"
                                       << "interface.address"
                                       << "has no prefix length";
    QTest::newRow("address garbage") << "interface.address"
                                     << "office/24"
                                     << "interface.address"
                                     << "\"office\" is not an IPv4 or IPv6 address";
    QTest::newRow("address short ipv4") << "interface.address"
                                        << "10.1/24"
                                        << "interface.address"
                                        << "\"10.1\" is not a valid IPv4 address";
    QTest::newRow("address multicast") << "interface.address"
                                       << "224.0.0.5/24"
                                       << "interface.address"
                                       << "it is a multicast address";
    QTest::newRow("address loopback") << "interface.address"
                                      << "127.0.0.2/8"
                                      << "interface.address"
                                      << "loopback";
    QTest::newRow("address empty") << "interface.address"
                                   << ""
                                   << "interface.address"
                                   << "The address is empty";
    QTest::newRow("mtu text") << "interface.mtu"
                              << "big"
                              << "interface.mtu"
                              << "must be a whole number, but it is the string";
    QTest::newRow("mtu 575") << "interface.mtu"
                             << "575"
                             << "interface.mtu"
                             << "The MTU 575 is out of range; use 576 to 65535 for an IPv4";
    QTest::newRow("mtu 65536") << "interface.mtu"
                               << "65536"
                               << "interface.mtu"
                               << "The MTU 65536 is out of range";
    QTest::newRow("listen port 0") << "interface.listen"
                                   << ":0"
                                   << "interface.listen"
                                   << "port 0 is not allowed";
    QTest::newRow("listen no port") << "interface.listen"
                                    << "10.211.55.122"
                                    << "interface.listen"
                                    << "the port is missing";
    QTest::newRow("listen hostname") << "interface.listen"
                                     << "localhost:8285"
                                     << "interface.listen"
                                     << "a listen address must be an IP address";
    QTest::newRow("peer name empty") << "peer:0:0"
                                     << ""
                                     << "peers[0].name"
                                     << "The peer name is empty";
    QTest::newRow("duplicate peer names") << "peer:1:0"
                                          << "host-2"
                                          << "peers[1].name"
                                          << "The peer name \"host-2\" is used twice";
    QTest::newRow("endpoint bad hostname") << "peer:0:1"
                                           << "host_2.example:8285"
                                           << "peers[0].endpoint"
                                           << "it contains '_'";
    QTest::newRow("endpoint no port") << "peer:0:1"
                                      << "10.211.55.123"
                                      << "peers[0].endpoint"
                                      << "the port is missing";
    QTest::newRow("endpoint port 70000") << "peer:0:1"
                                         << "10.211.55.123:70000"
                                         << "peers[0].endpoint"
                                         << "the port 70000 is out of range";
    QTest::newRow("endpoint unspecified") << "peer:0:1"
                                          << "0.0.0.0:8285"
                                          << "peers[0].endpoint"
                                          << "the unspecified address";
    QTest::newRow("endpoint family differs from listen")
        << "peer:0:1"
        << "[fd00:211::123]:8285"
        << "peers[0].endpoint"
        << "is IPv6 but the Listen on field binds the IPv4 address 10.211.55.122";
    QTest::newRow("duplicate endpoints") << "peer:1:1"
                                         << "10.211.55.123:8285"
                                         << "peers[1].endpoint"
                                         << "have the same endpoint";
    QTest::newRow("subnet host bits") << "peer:0:2"
                                      << "10.244.3.3/24"
                                      << "peers[0].subnets[0]"
                                      << "has host bits set; the subnet is written 10.244.3.0/24";
    QTest::newRow("subnets empty") << "peer:0:2"
                                   << ""
                                   << "peers[0].subnets"
                                   << "Peer \"host-2\" has no subnets";
    QTest::newRow("second subnet bad") << "peer:0:2"
                                       << "10.244.3.0/24, 10.244.4.0/"
                                       << "peers[0].subnets[1]"
                                       << "is not a number";
    QTest::newRow("subnet contains own address")
        << "peer:0:2"
        << "10.244.2.0/25"
        << "peers[0].subnets[0]"
        << "contains this host's own tunnel address 10.244.2.2 but not its whole network";
    QTest::newRow("subnet listed twice") << "peer:0:2"
                                         << "10.244.3.0/24, 10.244.3.0/24"
                                         << "peers[0].subnets[1]"
                                         << "is listed twice";
    QTest::newRow("overlap between peers") << "peer:1:2"
                                           << "10.244.3.128/25"
                                           << "peers[1].subnets[0]"
                                           << "overlaps the subnet 10.244.3.0/24 of peer";
    // Host-name endpoints: RFC 1123 names, checked by the library.
    QTest::newRow("endpoint name with underscore") << "peer:0:1"
                                                   << "vpn_1.example.net:51820"
                                                   << "peers[0].endpoint"
                                                   << "vpn_1";
    QTest::newRow("endpoint name label over 63 bytes")
        << "peer:0:1" << QString(64, u'a') + QStringLiteral(".example.net:51820")
        << "peers[0].endpoint"
        << "63";
    QTest::newRow("endpoint name without port") << "peer:0:1"
                                                << "vpn.example.net"
                                                << "peers[0].endpoint"
                                                << "port";
    // The DNS line: wg-quick's "DNS =" value, servers and search domains.
    QTest::newRow("dns entry neither address nor domain")
        << "interface.dns"
        << "10.2.0.1, bad_entry!"
        << "interface.dns"
        << "The DNS entry \"bad_entry!\" is neither an IP address nor a domain name";
    QTest::newRow("dns address out of range") << "interface.dns"
                                              << "10.2.0.300"
                                              << "interface.dns"
                                              << "neither an IP address nor a domain name";
    QTest::newRow("dns multicast server") << "interface.dns"
                                          << "224.0.0.1"
                                          << "interface.dns"
                                          << "is a multicast address, not a server's address";
    QTest::newRow("dns server twice") << "interface.dns"
                                      << "10.2.0.1 10.2.0.1"
                                      << "interface.dns"
                                      << "is listed twice";
    QTest::newRow("dns nine servers")
        << "interface.dns"
        << "10.2.0.1, 10.2.0.2, 10.2.0.3, 10.2.0.4, 10.2.0.5, 10.2.0.6, 10.2.0.7, 10.2.0.8, "
           "10.2.0.9"
        << "interface.dns"
        << "The DNS servers and domains field lists 9 servers; at most 8 are allowed";
    QString domains = QStringLiteral("10.2.0.1");
    for (int i = 1; i <= 33; ++i) {
        domains += QStringLiteral(", d%1.example").arg(i);
    }
    QTest::newRow("dns 33 domains") << "interface.dns" << domains << "interface.dns"
                                    << "lists 33 domains; at most 32 are allowed";
    QTest::newRow("dns domains without server") << "interface.dns"
                                                << "corp.example"
                                                << "interface.dns"
                                                << "has domains but no server";
}

void TestProfileEditor::badValueShowsErrorAtItsField()
{
    QFETCH(QString, widget);
    QFETCH(QString, value);
    QFETCH(QString, field);
    QFETCH(QString, message);

    QVERIFY(m_editor->canSave());
    QTableWidget* table = m_editor->peerTable();
    if (widget.startsWith(QLatin1String("peer:"))) {
        const int row = widget.section(u':', 1, 1).toInt();
        const int column = widget.section(u':', 2, 2).toInt();
        if (row == 1) {
            m_editor->addPeer(QStringLiteral("host-3"), QStringLiteral("10.211.55.124:8285"),
                              QStringLiteral("10.244.4.0/24"));
            QVERIFY(m_editor->canSave());
        }
        table->item(row, column)->setText(value); // what the cell editor commits
        QVERIFY2(table->item(row, column)->background().color() != QColor(Qt::black) &&
                     table->item(row, column)->background().style() != Qt::NoBrush,
                 "the bad cell is highlighted");
    } else {
        QLineEdit* edit = widget == "name"                ? m_editor->nameEdit()
                          : widget == "interface.name"    ? m_editor->interfaceNameEdit()
                          : widget == "interface.address" ? m_editor->addressEdit()
                          : widget == "interface.mtu"     ? m_editor->mtuEdit()
                          : widget == "interface.dns"     ? m_editor->dnsEdit()
                                                          : m_editor->listenEdit();
        edit->selectAll();
        if (value.isEmpty()) {
            QTest::keyClick(edit, Qt::Key_Delete);
        } else {
            QTest::keyClicks(edit, value); // typed, replacing the selection
        }
        QCOMPARE(edit->text(), value);
    }

    const QString shown = m_editor->shownError(field);
    QVERIFY2(shown.contains(message),
             qPrintable(QStringLiteral("at %1 expected \"%2\", shown \"%3\"; all errors: %4")
                            .arg(field, message, shown,
                                 m_editor->errors().isEmpty()
                                     ? QString()
                                     : m_editor->errors().first().field + ": " +
                                           m_editor->errors().first().message)));
    QVERIFY(!m_editor->saveButton()->isEnabled());
    QVERIFY(!m_editor->profile().has_value());
    // In the editor's words: fields and peers by name, never the profile's JSON paths.
    QVERIFY2(!shown.contains(QLatin1String("interface.")) &&
                 !shown.contains(QLatin1String("peers[")),
             qPrintable(shown));
    // No other field claims the error.
    for (const QString& other :
         {QStringLiteral("name"), QStringLiteral("interface.name"),
          QStringLiteral("interface.address"), QStringLiteral("interface.mtu"),
          QStringLiteral("interface.listen"), QStringLiteral("interface.dns"),
          QStringLiteral("interface.killSwitch")}) {
        if (other != field) {
            QVERIFY2(m_editor->shownError(other).isEmpty(),
                     qPrintable(other + ": " + m_editor->shownError(other)));
        }
    }

    // Putting the good profile back clears the error and enables Save.
    m_editor->setProfile(officeProfile(), QString());
    QVERIFY(m_editor->shownError(field).isEmpty());
    QVERIFY(m_editor->saveButton()->isEnabled());
}

void TestProfileEditor::peerRowsAddAndRemove()
{
    m_editor->addPeer();
    QCOMPARE(m_editor->peerTable()->rowCount(), 2);
    QVERIFY(!m_editor->canSave()); // the new row is empty
    QVERIFY(m_editor->shownError("peers[1].name").contains("The peer name is empty"));
    m_editor->peerTable()->setCurrentCell(1, 0);
    auto* remove = m_editor->findChild<QPushButton*>();
    QVERIFY(remove);
    const QList<QPushButton*> buttons = m_editor->findChildren<QPushButton*>();
    for (QPushButton* b : buttons) {
        if (b->text().remove('&') == QStringLiteral("Remove peer")) {
            QTest::mouseClick(b, Qt::LeftButton);
        }
    }
    QCOMPARE(m_editor->peerTable()->rowCount(), 1);
    QVERIFY(m_editor->canSave());
    // No peers at all is an error of the list, shown under the table.
    m_editor->peerTable()->setCurrentCell(0, 0);
    for (QPushButton* b : buttons) {
        if (b->text().remove('&') == QStringLiteral("Remove peer")) {
            QTest::mouseClick(b, Qt::LeftButton);
        }
    }
    QVERIFY(m_editor->shownError("peers").contains("The profile has no peers"));
    QVERIFY(!m_editor->saveButton()->isEnabled());
}

void TestProfileEditor::wireGuardModeAsksForKeys()
{
    const QString privateKey = QStringLiteral("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
    const QString peerKey = QStringLiteral("ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=");
    QTableWidget* table = m_editor->peerTable();
    QVERIFY(table->isColumnHidden(ProfileEditor::PeerPublicKey)); // plain: no key columns
    m_editor->modeCombo()->setCurrentIndex(
        m_editor->modeCombo()->findData(QStringLiteral("wireguard")));
    QVERIFY(!table->isColumnHidden(ProfileEditor::PeerPublicKey));
    QVERIFY(m_editor->privateKeyEdit()->isVisibleTo(m_editor.get()));
    QVERIFY(!m_editor->canSave());
    // In the editor's words: its fields and the peer's name, never a JSON path.
    QVERIFY2(
        m_editor->shownError("interface.privateKey").startsWith("The Private key field is empty"),
        qPrintable(m_editor->shownError("interface.privateKey")));
    const QString peerKey0 = m_editor->shownError("peers[0].publicKey");
    QVERIFY2(
        peerKey0.startsWith(QStringLiteral("The public key of peer \u201chost-2\u201d is empty")),
        qPrintable(peerKey0));
    QVERIFY2(!m_editor->peerErrorText().contains(QStringLiteral("peers[")),
             qPrintable(m_editor->peerErrorText()));

    m_editor->privateKeyEdit()->setText(privateKey.left(43));
    QVERIFY(!m_editor->shownError("interface.privateKey").isEmpty());
    m_editor->privateKeyEdit()->setText(privateKey);
    QVERIFY(m_editor->shownError("interface.privateKey").isEmpty());
    table->item(0, ProfileEditor::PeerPublicKey)->setText(peerKey);
    table->item(0, ProfileEditor::PeerKeepalive)->setText("99999");
    QVERIFY(!m_editor->shownError("peers[0].persistentKeepalive").isEmpty());
    QVERIFY(!m_editor->canSave());
    table->item(0, ProfileEditor::PeerKeepalive)->setText("25");
    // A WireGuard peer may leave its endpoint out (it connects to us).
    table->item(0, ProfileEditor::PeerEndpoint)->setText(QString());
    QVERIFY2(m_editor->canSave(), m_editor->errors().isEmpty()
                                      ? ""
                                      : qPrintable(m_editor->errors().first().field + ": " +
                                                   m_editor->errors().first().message));
    const Profile p = *m_editor->profile();
    QCOMPARE(p.mode, TunnelMode::WireGuard);
    QCOMPARE(p.interface.privateKey, privateKey);
    QCOMPARE(p.peers[0].publicKey, peerKey);
    QCOMPARE(p.peers[0].persistentKeepalive, std::optional<int>(25));
    // Round trip through setProfile keeps every field, the missing endpoint included.
    ProfileEditor again(m_store.get());
    again.setProfile(p, QString());
    QVERIFY(again.canSave());
    QCOMPARE(serializeProfile(*again.profile()), serializeProfile(p));
}

void TestProfileEditor::typingTheTwoHostsByKeyboard()
{
    // The far host of the two-host example, typed from an empty "new profile" with the keyboard
    // only.
    m_editor->startNew(QStringLiteral("host-2"));
    QVERIFY(!m_editor->canSave());
    QLineEdit* name = m_editor->nameEdit();
    // The suggested name is selected and has the focus: typing replaces it.
    QCOMPARE(name->selectedText(), QStringLiteral("host-2"));
    name->setFocus(); // offscreen, the dialog's window is never the active one
    QTest::keyClicks(name, "far-host");
    QCOMPARE(name->text(), QStringLiteral("far-host"));
    QTest::keyClick(name, Qt::Key_Tab); // interface (prefilled)
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), m_editor->addressEdit());
    QTest::keyClicks(m_editor->addressEdit(), "10.244.3.3/24");
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), m_editor->listenEdit());
    m_editor->listenEdit()->selectAll();
    QTest::keyClicks(m_editor->listenEdit(), "10.211.55.123:8285");
    // New profiles start in WireGuard mode; the far host speaks plain: one key press.
    QCOMPARE(m_editor->modeCombo()->currentData().toString(), QStringLiteral("wireguard"));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
    QCOMPARE(QApplication::focusWidget(), m_editor->modeCombo());
    QTest::keyClick(m_editor->modeCombo(), Qt::Key_Down);
    QCOMPARE(m_editor->modeCombo()->currentData().toString(), QStringLiteral("plain"));
    QVERIFY(!m_editor->privateKeyEdit()->isVisibleTo(m_editor.get()));
    QTableWidget* table = m_editor->peerTable();
    table->item(0, 0)->setText("host-1");
    table->item(0, 1)->setText("10.211.55.122:8285");
    table->item(0, 2)->setText("10.244.2.0/24");
    QVERIFY2(m_editor->canSave(),
             m_editor->errors().isEmpty() ? "" : qPrintable(m_editor->errors().first().message));
    QTest::mouseClick(m_editor->saveButton(), Qt::LeftButton);
    QCOMPARE(m_editor->result(), int(QDialog::Accepted));
    const StoredProfile* saved = m_store->find("far-host");
    QVERIFY(saved);
    QCOMPARE(saved->profile->interface.address.toString(), QStringLiteral("10.244.3.3/24"));
    QCOMPARE(saved->profile->interface.name, QStringLiteral("peertun0"));
}

void TestProfileEditor::savesReloadsExportsImportsByteIdentical()
{
    QTest::mouseClick(m_editor->saveButton(), Qt::LeftButton);
    QCOMPARE(m_editor->result(), int(QDialog::Accepted));
    const QString path = m_store->directory() + "/office.json";
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray saved = file.readAll();
    QCOMPARE(saved, serializeProfile(officeProfile()));

    ProfileStore reloaded(m_store->directory());
    reloaded.reload();
    const StoredProfile* stored = reloaded.find("office");
    QVERIFY(stored && stored->ok());
    // Into a fresh editor and out again: the same document.
    ProfileEditor second(&reloaded);
    second.setProfile(*stored->profile, "office");
    QVERIFY(second.canSave());
    QCOMPARE(serializeProfile(*second.profile()), saved);

    QString error;
    const QString exported = m_tmp->path() + "/export.json";
    QVERIFY(ProfileStore::exportTo(*second.profile(), exported, &error));
    QFile exportedFile(exported);
    QVERIFY(exportedFile.open(QIODevice::ReadOnly));
    QCOMPARE(exportedFile.readAll(), saved);
    const std::optional<Profile> imported = ProfileStore::importFrom(exported, &error);
    QVERIFY2(imported, qPrintable(error));
    second.setProfile(*imported, "office");
    QTest::mouseClick(second.saveButton(), Qt::LeftButton);
    QCOMPARE(second.result(), int(QDialog::Accepted));
    QVERIFY(file.seek(0));
    QFile again(path);
    QVERIFY(again.open(QIODevice::ReadOnly));
    QCOMPARE(again.readAll(), saved);
}

void TestProfileEditor::accessibleNamesAndTabOrder()
{
    for (QWidget* w :
         {static_cast<QWidget*>(m_editor->nameEdit()),
          static_cast<QWidget*>(m_editor->interfaceNameEdit()),
          static_cast<QWidget*>(m_editor->addressEdit()),
          static_cast<QWidget*>(m_editor->mtuEdit()), static_cast<QWidget*>(m_editor->listenEdit()),
          static_cast<QWidget*>(m_editor->peerTable())}) {
        QVERIFY2(!w->accessibleName().isEmpty(), w->metaObject()->className());
    }
    QCOMPARE(m_editor->nameEdit()->nextInFocusChain(), m_editor->interfaceNameEdit());
    QCOMPARE(m_editor->addressEdit()->nextInFocusChain(), m_editor->mtuEdit());
}

void TestProfileEditor::publicKeyFollowsThePrivateKey_data()
{
    QTest::addColumn<QString>("privateKey");
    QTest::addColumn<QString>("publicKey");
    // RFC 7748 section 6.1 (Alice), as `wg pubkey` prints it.
    QTest::newRow("rfc7748 alice") << "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo="
                                   << "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";
    QTest::newRow("surrounding spaces") << "  dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo= "
                                        << "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";
    QTest::newRow("one character short") << "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LC="
                                         << "";
    QTest::newRow("all zeros") << "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
                               << "";
    QTest::newRow("empty") << ""
                           << "";
}

void TestProfileEditor::publicKeyFollowsThePrivateKey()
{
    QFETCH(QString, privateKey);
    QFETCH(QString, publicKey);
    m_editor->modeCombo()->setCurrentIndex(
        m_editor->modeCombo()->findData(QStringLiteral("wireguard")));
    QVERIFY(m_editor->publicKeyEdit()->isVisibleTo(m_editor.get()));
    QVERIFY(m_editor->publicKeyEdit()->isReadOnly());
    m_editor->privateKeyEdit()->setFocus();
    m_editor->privateKeyEdit()->selectAll();
    QTest::keyClicks(m_editor->privateKeyEdit(), privateKey); // typed: updates as it goes
    QCOMPARE(m_editor->publicKeyEdit()->text(), publicKey);
    QCOMPARE(m_editor->copyPublicKeyButton()->isEnabled(), !publicKey.isEmpty());
    if (!publicKey.isEmpty()) {
        QTest::mouseClick(m_editor->copyPublicKeyButton(), Qt::LeftButton);
        QCOMPARE(QGuiApplication::clipboard()->text(), publicKey);
    }
    // Plain mode: no key rows at all.
    m_editor->modeCombo()->setCurrentIndex(
        m_editor->modeCombo()->findData(QStringLiteral("plain")));
    QVERIFY(!m_editor->publicKeyEdit()->isVisibleTo(m_editor.get()));
    QVERIFY(!m_editor->generateKeyButton()->isVisibleTo(m_editor.get()));
}

void TestProfileEditor::generateKeyPairFillsAValidKey()
{
    m_editor->startNew(QStringLiteral("fresh")); // WireGuard, empty key
    QVERIFY(m_editor->privateKeyEdit()->text().isEmpty());
    QVERIFY(m_editor->publicKeyEdit()->text().isEmpty());
    QVERIFY(!m_editor->shownError("interface.privateKey").isEmpty());
    QTest::mouseClick(m_editor->generateKeyButton(), Qt::LeftButton);
    const QString generated = m_editor->privateKeyEdit()->text();
    QCOMPARE(generated.size(), 44);
    QVERIFY(m_editor->shownError("interface.privateKey").isEmpty());
    const auto key = keys::parseSecretKey(generated.toStdString());
    QVERIFY(key.has_value());
    QCOMPARE(m_editor->publicKeyEdit()->text(),
             QString::fromStdString(keys::encodePublicKey(keys::publicKeyOf(*key))));
    // The secret is not shown in clear while the field is not being edited.
    QCOMPARE(m_editor->privateKeyEdit()->echoMode(), QLineEdit::PasswordEchoOnEdit);
}

void TestProfileEditor::generateKeyPairAsksBeforeReplacing()
{
    m_editor->modeCombo()->setCurrentIndex(
        m_editor->modeCombo()->findData(QStringLiteral("wireguard")));
    const QString existing = QStringLiteral("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=");
    m_editor->privateKeyEdit()->setText(existing);
    for (const bool yes : {false, true}) {
        bool asked = false;
        QTimer::singleShot(100, this, [&asked, yes] {
            if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
                asked = true;
                box->button(yes ? QMessageBox::Yes : QMessageBox::No)->click();
            }
        });
        m_editor->generateKeyPair();
        QVERIFY(asked);
        QCOMPARE(m_editor->privateKeyEdit()->text() == existing, !yes);
    }
}

void TestProfileEditor::validatorMessagesInChinese_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<QString>("chinese");
    QTest::addColumn<QString>("english");
    QTest::newRow("no prefix") << "10.244.2.2"
                               << "没有前缀长度"
                               << "has no prefix length";
    QTest::newRow("empty") << ""
                           << "地址为空"
                           << "The address is empty";
    QTest::newRow("host bits") << "10.244.2.2/33"
                               << "不是有效的 地址/前缀"
                               << "is not a valid address/prefix";
}

void TestProfileEditor::validatorMessagesInChinese()
{
    QFETCH(QString, address);
    QFETCH(QString, chinese);
    QFETCH(QString, english);
    QTranslator translator;
    QVERIFY(translator.load(QStringLiteral(":/i18n/peertun_zh_CN.qm")));
    QVERIFY(QCoreApplication::installTranslator(&translator));
    m_editor->addressEdit()->selectAll();
    if (address.isEmpty()) {
        QTest::keyClick(m_editor->addressEdit(), Qt::Key_Delete);
    } else {
        QTest::keyClicks(m_editor->addressEdit(), address);
    }
    const QString shown = m_editor->shownError(QStringLiteral("interface.address"));
    QCoreApplication::removeTranslator(&translator);
    QVERIFY2(shown.contains(chinese), qPrintable(shown));
    QVERIFY(!m_editor->saveButton()->isEnabled());
    // Without the translator: English again (what the helper and peertunctl say).
    m_editor->addressEdit()->setText(m_editor->addressEdit()->text() + QStringLiteral(" "));
    m_editor->addressEdit()->setText(address);
    QVERIFY2(m_editor->shownError(QStringLiteral("interface.address")).contains(english),
             qPrintable(m_editor->shownError(QStringLiteral("interface.address"))));
}

void TestProfileEditor::tellsWhenTheTunnelIsUp()
{
    QVERIFY(!m_editor->tunnelRunningNoticeShown());
    m_editor->setTunnelRunning(true);
    QVERIFY(m_editor->tunnelRunningNoticeShown());
    m_editor->setTunnelRunning(false);
    QVERIFY(!m_editor->tunnelRunningNoticeShown());
}

void TestProfileEditor::connectAtLoginIsSavedWithTheProfile()
{
    QVERIFY(!m_editor->connectAtLoginBox()->isChecked()); // a new profile does not
    // On the box itself (the widget is as wide as the dialog; its text is at the left).
    QCheckBox* box = m_editor->connectAtLoginBox();
    QTest::mouseClick(box, Qt::LeftButton, {}, QPoint(8, box->height() / 2));
    QVERIFY(box->isChecked());
    QVERIFY(m_editor->canSave());
    QTest::mouseClick(m_editor->saveButton(), Qt::LeftButton);
    QVERIFY2(m_store->find(QStringLiteral("office")) != nullptr, "saved");
    QVERIFY(m_store->connectsAtLogin(QStringLiteral("office")));
    QVERIFY(QFile::exists(ProfileStore::autostartEntryPath()));

    // Editing it again shows the box checked; unchecking and saving removes the entry.
    ProfileEditor again(m_store.get());
    again.setProfile(*m_store->find(QStringLiteral("office"))->profile, QStringLiteral("office"));
    QVERIFY(again.connectAtLoginBox()->isChecked());
    again.connectAtLoginBox()->setChecked(false);
    again.show();
    QVERIFY(QTest::qWaitForWindowExposed(&again));
    QTest::mouseClick(again.saveButton(), Qt::LeftButton);
    QVERIFY(!m_store->connectsAtLogin(QStringLiteral("office")));
    QVERIFY(!QFile::exists(ProfileStore::autostartEntryPath()));
}

void TestProfileEditor::peerMessagesFollowTheTableOrder()
{
    // Five WireGuard peers without keys: one message each, in the table's order, every time.
    Profile p = officeWireGuardProfile();
    const PeerConfig first = p.peers.first();
    p.peers.clear();
    for (int i = 0; i < 5; ++i) {
        PeerConfig peer = first;
        peer.name = QStringLiteral("peer-%1").arg(QChar(u'a' + i));
        peer.publicKey.clear();
        peer.subnets = {*parseCidr(QStringLiteral("10.244.%1.0/24").arg(10 + i), nullptr, true)};
        peer.endpoint =
            *parseEndpoint(QStringLiteral("10.211.55.%1:8285").arg(130 + i), nullptr, false);
        p.peers << peer;
    }
    m_editor->setProfile(p, QString());
    const QStringList lines = m_editor->peerErrorText().split(QLatin1Char('\n'));
    QCOMPARE(lines.size(), 5);
    for (int i = 0; i < 5; ++i) {
        QVERIFY2(lines[i].contains(QStringLiteral("peer \u201cpeer-%1\u201d").arg(QChar(u'a' + i))),
                 qPrintable(lines.join(QLatin1Char('\n'))));
    }
}

void TestProfileEditor::dnsKillSwitchAndHostNameAreSaved()
{
    // A provider's profile as a laptop user types it: the server by name, its DNS, the switch.
    m_editor->setProfile(officeWireGuardProfile(), QString());
    QTableWidget* table = m_editor->peerTable();
    table->item(0, ProfileEditor::PeerEndpoint)->setText(QStringLiteral("VPN.Example.net:51820"));
    m_editor->dnsEdit()->setText(QStringLiteral("10.2.0.1, fd00:2::1 corp.example ~lab.example"));
    QTest::mouseClick(m_editor->killSwitchBox(), Qt::LeftButton);
    QVERIFY(m_editor->allowLanBox()->isEnabled());
    QTest::mouseClick(m_editor->allowLanBox(), Qt::LeftButton);
    QVERIFY2(m_editor->canSave(), qPrintable(m_editor->errors().value(0).message));
    const Profile p = *m_editor->profile();
    QCOMPARE(p.peers[0].endpoint.hostName, QStringLiteral("vpn.example.net"));
    QCOMPARE(p.peers[0].endpoint.port, quint16(51820));
    QCOMPARE(p.interface.dns.servers,
             (QList<QHostAddress>{QHostAddress(QStringLiteral("10.2.0.1")),
                                  QHostAddress(QStringLiteral("fd00:2::1"))}));
    QCOMPARE(p.interface.dns.domains,
             (QStringList{QStringLiteral("corp.example"), QStringLiteral("~lab.example")}));
    QVERIFY(p.interface.killSwitch);
    QVERIFY(p.interface.allowLan);
    QTest::mouseClick(m_editor->saveButton(), Qt::LeftButton);
    m_store->reload();
    const StoredProfile* stored = m_store->find(p.name);
    QVERIFY(stored != nullptr && stored->ok());
    QCOMPARE(*stored->profile, p);

    // Opened again, the fields show what was saved, and saving it unchanged changes nothing.
    ProfileEditor again(m_store.get());
    again.setProfile(*stored->profile, p.name);
    QCOMPARE(again.dnsEdit()->text(),
             QStringLiteral("10.2.0.1, fd00:2::1, corp.example, ~lab.example"));
    QVERIFY(again.killSwitchBox()->isChecked());
    QVERIFY(again.allowLanBox()->isChecked());
    QCOMPARE(again.peerTable()->item(0, ProfileEditor::PeerEndpoint)->text(),
             QStringLiteral("vpn.example.net:51820"));
    QCOMPARE(*again.profile(), p);
}

void TestProfileEditor::dnsLineShowsWhatTheProfileHas_data()
{
    QTest::addColumn<QString>("typed");
    QTest::addColumn<QStringList>("servers");
    QTest::addColumn<QStringList>("domains");
    QTest::newRow("empty") << "" << QStringList() << QStringList();
    QTest::newRow("one server") << "10.2.0.1" << QStringList{"10.2.0.1"} << QStringList();
    QTest::newRow("blanks and commas")
        << "  10.2.0.1,,fd00::53   corp.example," << QStringList{"10.2.0.1", "fd00::53"}
        << QStringList{"corp.example"};
    QTest::newRow("routing-only everything")
        << "10.2.0.1, ~." << QStringList{"10.2.0.1"} << QStringList{"~."};
    QTest::newRow("eight servers") << "10.2.0.1 10.2.0.2 10.2.0.3 10.2.0.4 10.2.0.5 10.2.0.6 "
                                      "10.2.0.7 10.2.0.8"
                                   << QStringList{"10.2.0.1", "10.2.0.2", "10.2.0.3", "10.2.0.4",
                                                  "10.2.0.5", "10.2.0.6", "10.2.0.7", "10.2.0.8"}
                                   << QStringList();
}

void TestProfileEditor::dnsLineShowsWhatTheProfileHas()
{
    QFETCH(QString, typed);
    QFETCH(QStringList, servers);
    QFETCH(QStringList, domains);
    m_editor->dnsEdit()->selectAll();
    QTest::keyClicks(m_editor->dnsEdit(), typed);
    if (typed.isEmpty()) {
        QTest::keyClick(m_editor->dnsEdit(), Qt::Key_Delete);
    }
    QVERIFY2(m_editor->canSave(),
             qPrintable(m_editor->shownError(QStringLiteral("interface.dns"))));
    QVERIFY(m_editor->shownError(QStringLiteral("interface.dns")).isEmpty());
    QStringList got;
    for (const QHostAddress& a : m_editor->profile()->interface.dns.servers) {
        got << a.toString();
    }
    QCOMPARE(got, servers);
    QCOMPARE(m_editor->profile()->interface.dns.domains, domains);
}

void TestProfileEditor::killSwitchIsProposedForAFullTunnel_data()
{
    QTest::addColumn<QString>("subnets");
    QTest::addColumn<bool>("proposed");
    QTest::newRow("IPv4 default route") << "0.0.0.0/0" << true;
    QTest::newRow("IPv6 default route") << "::/0" << true;
    QTest::newRow("both, as wg-quick files have them") << "0.0.0.0/0, ::/0" << true;
    QTest::newRow("split tunnel") << "10.244.3.0/24" << false;
    QTest::newRow("half of the internet") << "0.0.0.0/1, 128.0.0.0/1" << false;
}

void TestProfileEditor::killSwitchIsProposedForAFullTunnel()
{
    QFETCH(QString, subnets);
    QFETCH(bool, proposed);
    m_editor->startNew(QStringLiteral("laptop"));
    QVERIFY(!m_editor->killSwitchBox()->isChecked());
    QTableWidget* table = m_editor->peerTable();
    table->item(0, ProfileEditor::PeerSubnets)->setText(subnets);
    QCOMPARE(m_editor->killSwitchBox()->isChecked(), proposed);
    QCOMPARE(m_editor->killSwitchProposed(), proposed);
    // A split tunnel again: the proposal is taken back.
    table->item(0, ProfileEditor::PeerSubnets)->setText(QStringLiteral("10.244.3.0/24"));
    QVERIFY(!m_editor->killSwitchBox()->isChecked());
    // The user's choice stands: unchecked by hand, a full tunnel does not check it again.
    table->item(0, ProfileEditor::PeerSubnets)->setText(subnets);
    if (proposed) {
        QTest::mouseClick(m_editor->killSwitchBox(), Qt::LeftButton);
        QVERIFY(!m_editor->killSwitchBox()->isChecked());
        table->item(0, ProfileEditor::PeerSubnets)->setText(QStringLiteral("10.244.3.0/24"));
        table->item(0, ProfileEditor::PeerSubnets)->setText(subnets);
        QVERIFY(!m_editor->killSwitchBox()->isChecked());
        QVERIFY(!m_editor->killSwitchProposed());
    }
}

void TestProfileEditor::killSwitchOfASavedProfileIsKept()
{
    // A saved full-tunnel profile without the switch: opening it proposes nothing (saving it
    // unchanged must not change it).
    Profile p = officeWireGuardProfile();
    p.peers[0].subnets = {*parseCidr(QStringLiteral("0.0.0.0/0"), nullptr, true)};
    m_editor->setProfile(p, p.name);
    QVERIFY(!m_editor->killSwitchBox()->isChecked());
    QCOMPARE(*m_editor->profile(), p);
    // An imported draft (not saved yet) is new: there it is proposed.
    m_editor->setProfile(p, QString());
    QVERIFY(m_editor->killSwitchBox()->isChecked());
    QVERIFY(m_editor->killSwitchProposed());
}

void TestProfileEditor::killSwitchWithoutEndpointsIsRefused()
{
    // A WireGuard host whose peers only call it, with the switch on: the library refuses it,
    // and the editor says so at the checkbox in its own words.
    m_editor->setProfile(officeWireGuardProfile(), QString());
    m_editor->peerTable()->item(0, ProfileEditor::PeerEndpoint)->setText(QString());
    QVERIFY(m_editor->canSave());
    QTest::mouseClick(m_editor->killSwitchBox(), Qt::LeftButton);
    const QString shown = m_editor->shownError(QStringLiteral("interface.killSwitch"));
    QVERIFY2(shown.contains(QStringLiteral("no peer has an endpoint")), qPrintable(shown));
    QVERIFY(!m_editor->canSave());
    // A host name is an endpoint.
    m_editor->peerTable()
        ->item(0, ProfileEditor::PeerEndpoint)
        ->setText(QStringLiteral("vpn.example.net:51820"));
    QVERIFY(m_editor->shownError(QStringLiteral("interface.killSwitch")).isEmpty());
    QVERIFY(m_editor->canSave());
}

// The data-loss case: a mesh profile opened and saved again without a change keeps every key of
// its "mesh" section (it used to come back as a fixed profile without it).
void TestProfileEditor::meshProfileKeepsItsMeshSection()
{
    const Profile mesh = meshProfile();
    QVERIFY(validateProfile(mesh).isEmpty());
    m_editor->setProfile(mesh, QString());
    QVERIFY2(m_editor->canSave(), m_editor->errors().isEmpty()
                                      ? ""
                                      : qPrintable(m_editor->errors().first().field + ": " +
                                                   m_editor->errors().first().message));
    QCOMPARE(*m_editor->profile(), mesh);
    QTest::mouseClick(m_editor->saveButton(), Qt::LeftButton);
    QCOMPARE(m_editor->result(), int(QDialog::Accepted));
    QFile file(m_store->directory() + "/mesh.json");
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray saved = file.readAll();
    QCOMPARE(saved, serializeProfile(mesh));

    // Reloaded into a fresh editor and saved again: byte-identical, the default prefix too.
    Profile defaults = mesh;
    defaults.mesh = test::meshAt(QStringLiteral("http://10.0.0.1:2379"));
    for (const Profile& p : {mesh, defaults}) {
        ProfileEditor again(m_store.get());
        again.setProfile(p, p.name);
        QVERIFY(again.canSave());
        QCOMPARE(serializeProfile(*again.profile()), serializeProfile(p));
    }
}

// A lease time other than the default, read from the file, opened and saved untouched: the
// file says the same lease time again.
void TestProfileEditor::meshLeaseTtlIsKeptThroughOpenAndSave()
{
    Profile mesh = meshProfile();
    mesh.mesh->leaseTtl = 120;
    QString error;
    QVERIFY2(m_store->save(mesh, QString(), &error), qPrintable(error));
    m_store->reload();
    const StoredProfile* found = m_store->find(mesh.name);
    QVERIFY(found != nullptr && found->ok());
    const std::optional<Profile> stored = found->profile;
    QCOMPARE(stored->mesh->leaseTtl, 120);
    QFile file(m_store->directory() + "/mesh.json");
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray before = file.readAll();
    QVERIFY2(before.contains("\"leaseTtl\": 120"), before.constData());
    file.close();

    m_editor->setProfile(*stored, mesh.name);
    QVERIFY(m_editor->canSave());
    QTest::mouseClick(m_editor->saveButton(), Qt::LeftButton);
    QCOMPARE(m_editor->result(), int(QDialog::Accepted));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), before);
    m_store->reload();
    QCOMPARE(m_store->find(mesh.name)->profile->mesh->leaseTtl, 120);
}

// The lease time typed into its field: empty is the default, the library's range is taken at
// both ends and refused outside it (its words, at the field, in field words); what is taken
// is saved and shown again when the profile is opened.
void TestProfileEditor::meshLeaseTtlField_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("leaseTtl"); // -1: refused
    QTest::addColumn<QString>("message");
    QTest::newRow("empty: the default") << "" << kDefaultMeshLeaseTtl << "";
    QTest::newRow("the default typed") << "30" << kDefaultMeshLeaseTtl << "";
    QTest::newRow("minimum") << QString::number(kMinMeshLeaseTtl) << kMinMeshLeaseTtl << "";
    QTest::newRow("maximum") << QString::number(kMaxMeshLeaseTtl) << kMaxMeshLeaseTtl << "";
    QTest::newRow("spaces around") << " 120 " << 120 << "";
    QTest::newRow("below the minimum")
        << QString::number(kMinMeshLeaseTtl - 1) << -1
        << "The Subnet lease time field is 9 seconds; it must be 10 to 86400 (a keep-alive goes "
           "every third of it";
    QTest::newRow("above the maximum") << QString::number(kMaxMeshLeaseTtl + 1) << -1
                                       << "The Subnet lease time field is 86401 seconds; it must "
                                          "be 10 to 86400";
    QTest::newRow("zero") << "0" << -1 << "is 0 seconds; it must be 10 to 86400";
    QTest::newRow("negative") << "-60" << -1 << "is -60 seconds; it must be 10 to 86400";
    QTest::newRow("not a number") << "half a minute" << -1
                                  << "The Subnet lease time field must be a whole number, but it "
                                     "is the string \"half a minute\"";
    QTest::newRow("a fraction") << "12.5" << -1 << "must be a whole number";
    QTest::newRow("far too big") << "99999999999" << -1
                                 << "The value 1e+11 of the Subnet lease time field is far out of "
                                    "range";
}

void TestProfileEditor::meshLeaseTtlField()
{
    QFETCH(QString, text);
    QFETCH(int, leaseTtl);
    QFETCH(QString, message);
    Profile mesh = meshProfile();
    mesh.mesh->leaseTtl = kDefaultMeshLeaseTtl;
    m_editor->setProfile(mesh, QString());
    QVERIFY(m_editor->leaseTtlEdit()->isVisibleTo(m_editor.get()));
    QCOMPARE(m_editor->leaseTtlEdit()->text(), QString()); // the default: empty
    QVERIFY(m_editor->canSave());
    m_editor->leaseTtlEdit()->setFocus();
    QTest::keyClicks(m_editor->leaseTtlEdit(), text);
    const QString shown = m_editor->shownError(QStringLiteral("mesh.leaseTtl"));
    if (leaseTtl < 0) {
        QVERIFY2(shown.contains(message), qPrintable(shown));
        QVERIFY2(!shown.contains(QLatin1String("mesh.")), qPrintable(shown));
        QVERIFY(!m_editor->saveButton()->isEnabled());
        // At this field only.
        for (const ProfileError& e : m_editor->errors()) {
            QCOMPARE(e.field, QStringLiteral("mesh.leaseTtl"));
        }
        m_editor->leaseTtlEdit()->clear();
        QVERIFY(m_editor->shownError(QStringLiteral("mesh.leaseTtl")).isEmpty());
        QVERIFY(m_editor->canSave());
        return;
    }
    QVERIFY2(shown.isEmpty(), qPrintable(shown));
    QVERIFY(m_editor->canSave());
    QCOMPARE(m_editor->profile()->mesh->leaseTtl, leaseTtl);
    QTest::mouseClick(m_editor->saveButton(), Qt::LeftButton);
    QCOMPARE(m_editor->result(), int(QDialog::Accepted));
    QFile file(m_store->directory() + "/mesh.json");
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray saved = file.readAll();
    // The default is not written (as the library serializes it).
    QCOMPARE(saved.contains("\"leaseTtl\""), leaseTtl != kDefaultMeshLeaseTtl);
    m_store->reload();
    const StoredProfile* found = m_store->find(mesh.name);
    QVERIFY(found != nullptr && found->ok());
    QCOMPARE(found->profile->mesh->leaseTtl, leaseTtl);
    ProfileEditor again(m_store.get());
    again.setProfile(*found->profile, mesh.name);
    QCOMPARE(again.leaseTtlEdit()->text(),
             leaseTtl == kDefaultMeshLeaseTtl ? QString() : QString::number(leaseTtl));
}

// With the zh_CN translator: the new rows in Chinese, and the library's range message at the
// field in Chinese with the field's Chinese name.
void TestProfileEditor::meshLeaseTtlErrorInChinese()
{
    QTranslator translator;
    QVERIFY(translator.load(QStringLiteral(":/i18n/peertun_zh_CN.qm")));
    QVERIFY(QCoreApplication::installTranslator(&translator));
    ProfileEditor editor(m_store.get());
    editor.setProfile(meshProfile(), QString());
    editor.leaseTtlEdit()->setText(QStringLiteral("5"));
    const QString shown = editor.shownError(QStringLiteral("mesh.leaseTtl"));
    const QString name = editor.leaseTtlEdit()->accessibleName();
    const QString browse = editor.browseCaFileButton()->text();
    const QString browseName = editor.browseKeyFileButton()->accessibleName();
    QCoreApplication::removeTranslator(&translator);
    QCOMPARE(name, QStringLiteral("子网租约时长")); // no mnemonic or colon in the name
    QVERIFY2(
        shown.startsWith(QStringLiteral("“子网租约时长”字段 为 5 秒；它必须在 10 到 86400 之间")),
        qPrintable(shown));
    QCOMPARE(browse, QStringLiteral("浏览…"));
    QCOMPARE(browseName, QStringLiteral("浏览客户端密钥"));
}

// The mesh rows added beside the others: named for a screen reader, in the tab order after
// their fields, reachable by the lease time's mnemonic, and hidden with the other mesh rows.
void TestProfileEditor::meshFieldsNamesTabOrderAndVisibility()
{
    ProfileEditor* e = m_editor.get();
    QCOMPARE(e->leaseTtlEdit()->accessibleName(), QStringLiteral("Subnet lease time"));
    QVERIFY(e->leaseTtlEdit()->toolTip().contains(QLatin1String("every third")));
    QCOMPARE(e->browseCaFileButton()->accessibleName(), QStringLiteral("Browse for the CA file"));
    QCOMPARE(e->browseCertFileButton()->accessibleName(),
             QStringLiteral("Browse for the client certificate"));
    QCOMPARE(e->browseKeyFileButton()->accessibleName(),
             QStringLiteral("Browse for the client key"));
    const QList<QWidget*> chain{e->prefixEdit(),
                                e->caFileEdit(),
                                e->browseCaFileButton(),
                                e->certFileEdit(),
                                e->browseCertFileButton(),
                                e->keyFileEdit(),
                                e->browseKeyFileButton(),
                                e->usernameEdit(),
                                e->passwordEdit(),
                                e->leaseTtlEdit(),
                                e->peerTable()};
    for (qsizetype i = 0; i + 1 < chain.size(); ++i) {
        QVERIFY2(chain[i]->nextInFocusChain() == chain[i + 1],
                 qPrintable(chain[i]->accessibleName() + " -> " +
                            chain[i]->nextInFocusChain()->accessibleName()));
    }
    // A fixed-peer profile: none of them shown.
    const QList<QWidget*> added{e->leaseTtlEdit(), e->browseCaFileButton(),
                                e->browseCertFileButton(), e->browseKeyFileButton()};
    for (QWidget* w : added) {
        QVERIFY2(!w->isVisibleTo(e), qPrintable(w->accessibleName()));
    }
    e->setProfile(meshProfile(), QString());
    for (QWidget* w : added) {
        QVERIFY2(w->isVisibleTo(e), qPrintable(w->accessibleName()));
    }
    // The label's mnemonic (Alt+B) goes to the lease time's field, not to its row.
    e->nameEdit()->setFocus();
    QTest::keyClick(e, Qt::Key_B, Qt::AltModifier);
    QTRY_COMPARE(QApplication::focusWidget(), static_cast<QWidget*>(e->leaseTtlEdit()));
    // The label beside it says the unit.
    const QList<QLabel*> labels = e->leaseTtlEdit()->parentWidget()->findChildren<QLabel*>();
    QVERIFY(!labels.isEmpty());
    QCOMPARE(labels.constFirst()->text(), QStringLiteral("seconds"));
    e->peerSourceCombo()->setCurrentIndex(
        e->peerSourceCombo()->findData(int(ProfileEditor::FixedPeers)));
    for (QWidget* w : added) {
        QVERIFY2(!w->isVisibleTo(e), qPrintable(w->accessibleName()));
    }
}

namespace {
// The file dialog a Browse button opened (with open(): the test is not blocked), by name.
QFileDialog* openFileDialog(const QString& objectName)
{
    for (QWidget* w : QApplication::topLevelWidgets()) {
        auto* dialog = qobject_cast<QFileDialog*>(w);
        if (dialog != nullptr && dialog->isVisible() && dialog->objectName() == objectName) {
            return dialog;
        }
    }
    return nullptr;
}

QPushButton* browseButton(ProfileEditor* editor, const QString& field)
{
    return field == "caFile"     ? editor->browseCaFileButton()
           : field == "certFile" ? editor->browseCertFileButton()
                                 : editor->browseKeyFileButton();
}

QLineEdit* fileEdit(ProfileEditor* editor, const QString& field)
{
    return field == "caFile"     ? editor->caFileEdit()
           : field == "certFile" ? editor->certFileEdit()
                                 : editor->keyFileEdit();
}
} // namespace

// Each Browse button opens Qt's file dialog for its field (PEM files, or all files), starting
// where the field's file is; the file chosen lands in the field as an absolute path and is
// validated as if typed. The dialog is answered as a user would, through its file name line.
void TestProfileEditor::browseFillsTheFileField_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("dialogName");
    QTest::addColumn<QString>("title");
    QTest::newRow("CA file") << "caFile"
                             << "caFileDialog"
                             << "Choose the CA file";
    QTest::newRow("client certificate") << "certFile"
                                        << "certFileDialog"
                                        << "Choose the client certificate";
    QTest::newRow("client key") << "keyFile"
                                << "keyFileDialog"
                                << "Choose the client key";
}

void TestProfileEditor::browseFillsTheFileField()
{
    QFETCH(QString, field);
    QFETCH(QString, dialogName);
    QFETCH(QString, title);
    QDir(m_tmp->path()).mkpath(QStringLiteral("tls/old"));
    const QString oldFile = m_tmp->path() + "/tls/old/" + field + ".pem";
    const QString chosen = m_tmp->path() + "/tls/" + field + ".crt";
    for (const QString& path : {oldFile, chosen}) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("-----BEGIN CERTIFICATE-----\n");
    }
    Profile mesh = meshProfile();
    m_editor->setProfile(mesh, QString());
    QLineEdit* edit = fileEdit(m_editor.get(), field);
    edit->setText(oldFile);
    QVERIFY(m_editor->canSave());

    QTest::mouseClick(browseButton(m_editor.get(), field), Qt::LeftButton);
    QPointer<QFileDialog> dialog = openFileDialog(dialogName);
    QVERIFY2(dialog, "no file dialog opened");
    QCOMPARE(dialog->windowTitle(), title);
    QCOMPARE(dialog->nameFilters(), QStringList({QStringLiteral("PEM files (*.pem *.crt *.key)"),
                                                 QStringLiteral("All files (*)")}));
    QCOMPARE(dialog->fileMode(), QFileDialog::ExistingFile);
    QVERIFY(dialog->testOption(QFileDialog::DontUseNativeDialog));
    QVERIFY(dialog->isModal()); // window-modal: the editor waits for it
    // It starts where the field's file is.
    QCOMPARE(dialog->directory().absolutePath(), QFileInfo(oldFile).absolutePath());

    // The field's file is preselected once the folder is read; then another is typed.
    auto* name = dialog->findChild<QLineEdit*>(QStringLiteral("fileNameEdit"));
    QVERIFY2(name != nullptr, "a non-native QFileDialog");
    QTRY_COMPARE(name->text(), QFileInfo(oldFile).fileName());
    // Typed with the focus there, as a user does: the dialog then drops its preselection.
    dialog->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(dialog));
    name->setFocus();
    QTRY_VERIFY(name->hasFocus());
    name->setText(chosen);
    if (QCompleter* completer = name->completer(); completer != nullptr) {
        completer->popup()->hide();
    }
    QTest::keyClick(name, Qt::Key_Return);
    QTRY_VERIFY(dialog.isNull()); // closed and deleted
    QCOMPARE(edit->text(), chosen);
    QVERIFY(m_editor->canSave());
    QCOMPARE(field == "caFile"     ? m_editor->profile()->mesh->caFile
             : field == "certFile" ? m_editor->profile()->mesh->certFile
                                   : m_editor->profile()->mesh->keyFile,
             chosen);

    // The usual validation runs on a chosen file: a CA file chosen for http:// endpoints is the
    // library's error at the endpoints, as when typed.
    if (field == "caFile") {
        m_editor->etcdEdit()->setPlainText(QStringLiteral("http://10.0.0.1:2379"));
        for (QLineEdit* tls :
             {m_editor->caFileEdit(), m_editor->certFileEdit(), m_editor->keyFileEdit()}) {
            tls->clear();
        }
        QVERIFY(m_editor->shownError(QStringLiteral("mesh.etcd")).isEmpty());
        QTest::mouseClick(browseButton(m_editor.get(), field), Qt::LeftButton);
        dialog = openFileDialog(dialogName);
        QVERIFY(dialog);
        // No file yet: it starts in the home folder.
        QCOMPARE(dialog->directory().absolutePath(), QDir::homePath());
        dialog->selectFile(chosen);
        QMetaObject::invokeMethod(dialog, "accept"); // a protected slot
        QCOMPARE(edit->text(), chosen);
        QVERIFY2(m_editor->shownError(QStringLiteral("mesh.etcd")).contains("uses http://"),
                 qPrintable(m_editor->shownError(QStringLiteral("mesh.etcd"))));
        QVERIFY(!m_editor->saveButton()->isEnabled());
    }
}

// Escape in the dialog: the field keeps what it had.
void TestProfileEditor::browseCancelledChangesNothing()
{
    m_editor->setProfile(meshProfile(), QString());
    const QString before = m_editor->keyFileEdit()->text();
    QTest::mouseClick(m_editor->browseKeyFileButton(), Qt::LeftButton);
    QPointer<QFileDialog> dialog = openFileDialog(QStringLiteral("keyFileDialog"));
    QVERIFY(dialog);
    // The profile's key file is in a folder that does not exist here: the home folder instead.
    QCOMPARE(dialog->directory().absolutePath(), QDir::homePath());
    auto* name = dialog->findChild<QLineEdit*>(QStringLiteral("fileNameEdit"));
    QVERIFY(name != nullptr);
    QTest::keyClick(name, Qt::Key_Escape);
    QTRY_VERIFY(dialog.isNull());
    QCOMPARE(m_editor->keyFileEdit()->text(), before);
    QVERIFY(m_editor->canSave());
}

void TestProfileEditor::meshHidesAddressAndPeers()
{
    QVERIFY(!m_editor->meshFieldsShown());
    QVERIFY(m_editor->peerTableShown());
    QVERIFY(m_editor->addressEdit()->isVisibleTo(m_editor.get()));
    QComboBox* source = m_editor->peerSourceCombo();
    source->setCurrentIndex(source->findData(int(ProfileEditor::Mesh)));
    QVERIFY(m_editor->isMesh());
    QVERIFY(m_editor->meshFieldsShown());
    QVERIFY(!m_editor->peerTableShown());
    QVERIFY(!m_editor->addressEdit()->isVisibleTo(m_editor.get()));
    // Neither the hidden address nor the hidden peers go into the document.
    const QByteArray document = m_editor->document();
    QVERIFY2(!document.contains("\"address\"") && !document.contains("\"peers\"") &&
                 document.contains("\"mesh\""),
             document.constData());
    QVERIFY(m_editor->shownError("mesh.etcd").contains("lists no etcd endpoint"));
    m_editor->etcdEdit()->setPlainText(QStringLiteral("http://10.0.0.1:2379"));
    QVERIFY2(m_editor->canSave(), m_editor->errors().isEmpty()
                                      ? ""
                                      : qPrintable(m_editor->errors().first().field + ": " +
                                                   m_editor->errors().first().message));
    const Profile mesh = *m_editor->profile();
    QVERIFY(mesh.mesh.has_value());
    QVERIFY(mesh.peers.isEmpty());
    QCOMPARE(mesh.mesh->prefix, QString::fromLatin1(kDefaultMeshPrefix)); // empty: the default
    // The mode's note says which backend the network must have.
    QVERIFY2(m_editor->meshModeNote().contains("\"udp\""), qPrintable(m_editor->meshModeNote()));
    m_editor->modeCombo()->setCurrentIndex(
        m_editor->modeCombo()->findData(QStringLiteral("wireguard")));
    QVERIFY2(m_editor->meshModeNote().contains("\"wireguard\""),
             qPrintable(m_editor->meshModeNote()));
    m_editor->modeCombo()->setCurrentIndex(
        m_editor->modeCombo()->findData(QStringLiteral("plain")));
    // Back to fixed peers: the address and the table come back as they were.
    source->setCurrentIndex(source->findData(int(ProfileEditor::FixedPeers)));
    QVERIFY(m_editor->peerTableShown());
    QVERIFY(m_editor->canSave());
    QCOMPARE(*m_editor->profile(), officeProfile());
}

// widget: the mesh field typed into; the profile starts as a valid plain mesh.
void TestProfileEditor::meshFieldShowsError_data()
{
    QTest::addColumn<QString>("widget");
    QTest::addColumn<QString>("value");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("message");
    QTest::newRow("no endpoint") << "etcd"
                                 << ""
                                 << "mesh.etcd"
                                 << "The Etcd endpoints field lists no etcd endpoint";
    QTest::newRow("no scheme") << "etcd"
                               << "10.0.0.1:2379"
                               << "mesh.etcd"
                               << "\"10.0.0.1:2379\" must start with http:// or https://";
    QTest::newRow("ftp") << "etcd"
                         << "ftp://10.0.0.1:2379"
                         << "mesh.etcd"
                         << "must start with http:// or https://";
    QTest::newRow("host name") << "etcd"
                               << "http://etcd.example:2379"
                               << "mesh.etcd"
                               << "does not name an IP address";
    QTest::newRow("path") << "etcd"
                          << "http://10.0.0.1:2379/v3"
                          << "mesh.etcd"
                          << "has a path, query or fragment";
    QTest::newRow("user in url") << "etcd"
                                 << "http://me@10.0.0.1:2379"
                                 << "mesh.etcd"
                                 << "Etcd endpoint 1 has a user name or password in it; use the "
                                    "User name field and the Password field instead";
    QTest::newRow("port 0") << "etcd"
                            << "http://10.0.0.1:0"
                            << "mesh.etcd"
                            << "has port 0";
    QTest::newRow("twice, by line") << "etcd"
                                    << "http://10.0.0.1:2379\nhttp://10.0.0.1:2379"
                                    << "mesh.etcd"
                                    << "Etcd endpoint 1 and etcd endpoint 2 are the same endpoint";
    QTest::newRow("second bad, by comma")
        << "etcd"
        << "http://10.0.0.1:2379, http://[fd00::1]:2379, http://x:1"
        << "mesh.etcd"
        << "\"http://x:1\" does not name an IP address";
    QTest::newRow("prefix relative") << "prefix"
                                     << "peertun"
                                     << "mesh.prefix"
                                     << "must start with '/'";
    QTest::newRow("prefix trailing slash") << "prefix"
                                           << "/peertun/"
                                           << "mesh.prefix"
                                           << "must not end with '/'";
    QTest::newRow("prefix space") << "prefix"
                                  << "/peer tun"
                                  << "mesh.prefix"
                                  << "printable ASCII without spaces";
    QTest::newRow("ca relative") << "caFile"
                                 << "ca.pem"
                                 << "mesh.caFile"
                                 << "The CA file field must be an absolute file path";
    QTest::newRow("cert without key") << "certFile"
                                      << "/etc/peertun/c.pem"
                                      << "mesh.keyFile"
                                      << "go together";
    QTest::newRow("tls over http") << "caFile"
                                   << "/etc/peertun/ca.pem"
                                   << "mesh.etcd"
                                   << "an endpoint in the Etcd endpoints field uses http://";
    QTest::newRow("password alone") << "password"
                                    << "secret"
                                    << "mesh.username"
                                    << "The Password field is given without the User name field";
    QTest::newRow("user name control") << "username"
                                       << "a\tb"
                                       << "mesh.username"
                                       << "at most 128 characters without control characters";
}

void TestProfileEditor::meshFieldShowsError()
{
    QFETCH(QString, widget);
    QFETCH(QString, value);
    QFETCH(QString, field);
    QFETCH(QString, message);

    Profile mesh = meshProfile();
    mesh.mode = TunnelMode::Plain;
    mesh.interface.privateKey.clear();
    mesh.interface.listen = *parseEndpoint(QStringLiteral(":8285"), nullptr, true);
    mesh.mesh = test::meshAt(QStringLiteral("http://10.0.0.1:2379"));
    m_editor->setProfile(mesh, QString());
    QVERIFY(m_editor->canSave());
    if (widget == "etcd") {
        m_editor->etcdEdit()->setPlainText(value);
    } else {
        QLineEdit* edit = widget == "prefix"     ? m_editor->prefixEdit()
                          : widget == "caFile"   ? m_editor->caFileEdit()
                          : widget == "certFile" ? m_editor->certFileEdit()
                          : widget == "username" ? m_editor->usernameEdit()
                                                 : m_editor->passwordEdit();
        edit->setText(value);
    }
    const QString shown = m_editor->shownError(field);
    QVERIFY2(shown.contains(message),
             qPrintable(QStringLiteral("at %1 expected \"%2\", shown \"%3\"; all errors: %4")
                            .arg(field, message, shown,
                                 m_editor->errors().isEmpty()
                                     ? QString()
                                     : m_editor->errors().first().field + ": " +
                                           m_editor->errors().first().message)));
    QVERIFY2(!shown.contains(QLatin1String("mesh.")) &&
                 !shown.contains(QLatin1String("interface.")),
             qPrintable(shown));
    QVERIFY(!m_editor->saveButton()->isEnabled());
    m_editor->setProfile(mesh, QString());
    QVERIFY(m_editor->shownError(field).isEmpty());
    QVERIFY(m_editor->canSave());
}

// A new WireGuard mesh host from "New profile": the listen port must be fixed (the lease tells
// the others), the address is not asked for.
void TestProfileEditor::newMeshProfileTypedIn()
{
    m_editor->startNew(QStringLiteral("mesh"));
    m_editor->generateKeyPair();
    QComboBox* source = m_editor->peerSourceCombo();
    source->setCurrentIndex(source->findData(int(ProfileEditor::Mesh)));
    m_editor->etcdEdit()->setPlainText(
        QStringLiteral("http://10.0.0.1:2379,http://10.0.0.2:2379\n http://10.0.0.3:2379 "));
    QVERIFY2(m_editor->canSave(), m_editor->errors().isEmpty()
                                      ? ""
                                      : qPrintable(m_editor->errors().first().field + ": " +
                                                   m_editor->errors().first().message));
    QCOMPARE(m_editor->profile()->mesh->etcd.size(), 3);
    m_editor->listenEdit()->clear();
    QVERIFY2(m_editor->shownError("interface.listen").contains("needs a fixed listen port"),
             qPrintable(m_editor->shownError("interface.listen")));
    QVERIFY(!m_editor->shownError("interface.listen").contains("interface."));
    m_editor->listenEdit()->setText(QStringLiteral(":51820"));
    QVERIFY(m_editor->canSave());
    QVERIFY(m_editor->profile()->interface.address.address.isNull());
}

namespace {
// The office profile saved, its tunnel up in a fake helper, and an editor on it as the main
// window opens one for a running tunnel.
struct RunningEdit
{
    explicit RunningEdit(ProfileStore* store) : controller(store, &helper), editor(store)
    {
        QString error;
        if (!store->save(officeProfile(), QString(), &error)) {
            qFatal("%s", qPrintable(error));
        }
        helper.setState(QStringLiteral("office"), dbus::TunnelState::Connected);
        editor.setProfile(officeProfile(), QStringLiteral("office"));
        editor.setRunningTunnel(&controller, officeProfile());
        editor.show();
    }
    QByteArray savedFile(ProfileStore* store) const
    {
        QFile file(store->directory() + "/office.json");
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }
    FakeHelper helper;
    TunnelController controller;
    ProfileEditor editor;
};
} // namespace

void TestProfileEditor::livePeerEditIsAppliedBeforeSaving()
{
    RunningEdit run(m_store.get());
    QVERIFY(run.editor.tunnelRunningNoticeShown());
    run.editor.addPeer(QStringLiteral("host-3"), QStringLiteral("10.211.55.124:8285"),
                       QStringLiteral("10.244.4.0/24"));
    QVERIFY(run.editor.canSave());
    const Profile after = *run.editor.profile();
    QTest::mouseClick(run.editor.saveButton(), Qt::LeftButton);
    // Asked the tunnel first; nothing saved until it took them, Save waits.
    QCOMPARE(run.helper.calls, QStringList{QStringLiteral("set-peers office")});
    QCOMPARE(run.helper.peersSetWith.last(), after);
    QVERIFY(run.editor.isVisible());
    QVERIFY(run.editor.liveApplyPending());
    QVERIFY(!run.editor.saveButton()->isEnabled());
    QVERIFY(run.editor.liveApplyText().contains("Applying the new peers"));
    QCOMPARE(run.savedFile(m_store.get()), serializeProfile(officeProfile()));
    run.helper.answerSetPeers(QStringLiteral("office"));
    QCOMPARE(run.editor.result(), int(QDialog::Accepted));
    QCOMPARE(run.savedFile(m_store.get()), serializeProfile(after));
    // The window's follow-up: no reconnect offer, and no reconnect.
    run.controller.profileEdited(officeProfile(), after);
    QVERIFY(!run.controller.reconnectOffer());
    QCOMPARE(run.helper.calls.size(), 1);
}

void TestProfileEditor::livePeerEditRefusedKeepsTheEditor()
{
    RunningEdit run(m_store.get());
    run.editor.addPeer(QStringLiteral("host-3"), QStringLiteral("10.211.55.124:8285"),
                       QStringLiteral("10.244.4.0/24"));
    QTest::mouseClick(run.editor.saveButton(), Qt::LeftButton);
    QVERIFY(run.editor.liveApplyPending());
    // The helper's named error, with the profile's JSON path in it as the library words it.
    run.helper.answerSetPeers(QStringLiteral("office"),
                              QStringLiteral("io.peertun.Error.InvalidProfile"),
                              QStringLiteral("peers[1].endpoint: the tunnel's socket cannot "
                                             "reach this address family."));
    QVERIFY(run.editor.isVisible());
    QCOMPARE(run.editor.result(), 0);
    QVERIFY(!run.editor.liveApplyPending());
    const QString shown = run.editor.liveApplyText();
    QVERIFY2(shown.contains("nothing was saved") &&
                 shown.contains("The endpoint of peer \u201chost-3\u201d") &&
                 shown.contains("(InvalidProfile)") && !shown.contains("peers["),
             qPrintable(shown));
    // What was typed is still there, Save works again; nothing was written.
    QCOMPARE(run.editor.peerTable()->rowCount(), 2);
    QCOMPARE(run.editor.peerTable()->item(1, ProfileEditor::PeerName)->text(),
             QStringLiteral("host-3"));
    QVERIFY(run.editor.saveButton()->isEnabled());
    QCOMPARE(run.savedFile(m_store.get()), serializeProfile(officeProfile()));
    // Another try that the tunnel takes.
    QTest::mouseClick(run.editor.saveButton(), Qt::LeftButton);
    QCOMPARE(run.helper.calls.size(), 2);
    run.helper.answerSetPeers(QStringLiteral("office"));
    QCOMPARE(run.editor.result(), int(QDialog::Accepted));
}

void TestProfileEditor::nonPeerEditOfARunningTunnelSavesForAReconnect()
{
    RunningEdit run(m_store.get());
    run.editor.addPeer(QStringLiteral("host-3"), QStringLiteral("10.211.55.124:8285"),
                       QStringLiteral("10.244.4.0/24"));
    run.editor.mtuEdit()->setText(QStringLiteral("1400")); // peers and MTU: a reconnect
    const Profile after = *run.editor.profile();
    QTest::mouseClick(run.editor.saveButton(), Qt::LeftButton);
    QCOMPARE(run.editor.result(), int(QDialog::Accepted));
    QVERIFY(run.helper.calls.isEmpty()); // no SetPeers
    QCOMPARE(run.savedFile(m_store.get()), serializeProfile(after));
    run.controller.profileEdited(officeProfile(), after);
    QVERIFY(run.controller.reconnectOffer());
}

void TestProfileEditor::cancelWhileApplyingSavesNothing()
{
    RunningEdit run(m_store.get());
    run.editor.addPeer(QStringLiteral("host-3"), QStringLiteral("10.211.55.124:8285"),
                       QStringLiteral("10.244.4.0/24"));
    QTest::mouseClick(run.editor.saveButton(), Qt::LeftButton);
    QVERIFY(run.editor.liveApplyPending());
    QTest::keyClick(&run.editor, Qt::Key_Escape);
    QCOMPARE(run.editor.result(), int(QDialog::Rejected));
    QVERIFY(!run.editor.liveApplyPending());
    // The tunnel takes them anyway: not saved, so a reconnect back to the saved profile.
    run.helper.answerSetPeers(QStringLiteral("office"));
    QCOMPARE(run.savedFile(m_store.get()), serializeProfile(officeProfile()));
    QVERIFY(run.controller.reconnectOffer());
}

QTEST_MAIN(TestProfileEditor)
#include "tst_profileeditor.moc"
