// Keyboard mnemonics (Alt+letter) are unique in every window and menu, in every language the
// app ships: a clash makes the first press only move the focus, so a keyboard user opens the
// wrong thing. Every widget of a window counts, shown or hidden (fields that only one mode or
// state shows), so no state of the window can clash.
#include "AppSetup.h"
#include "HelperSession.h"
#include "MainWindow.h"
#include "ProfileEditor.h"
#include "ProfileStore.h"

#include <QAbstractButton>
#include <QApplication>
#include <QDBusConnection>
#include <QGroupBox>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QTemporaryDir>
#include <QTest>

using namespace peertun;

namespace {

// The mnemonic letter of a text ("Pro&files" -> 'f'; "&&" is a literal ampersand), lower case.
QChar mnemonicOf(const QString& text)
{
    for (qsizetype i = 0; i + 1 < text.size(); ++i) {
        if (text[i] == u'&') {
            if (text[i + 1] == u'&') {
                ++i;
                continue;
            }
            return text[i + 1].toLower();
        }
    }
    return {};
}

// "letter: text1 | text2" for every letter used more than once among `texts`.
QStringList clashes(const QStringList& texts)
{
    QMap<QChar, QStringList> byLetter;
    for (const QString& text : texts) {
        const QChar letter = mnemonicOf(text);
        if (!letter.isNull()) {
            byLetter[letter] << text;
        }
    }
    QStringList out;
    for (auto it = byLetter.cbegin(); it != byLetter.cend(); ++it) {
        if (it->size() > 1) {
            out << QStringLiteral("%1: %2").arg(it.key(), it->join(QStringLiteral(" | ")));
        }
    }
    return out;
}

// The texts that share one Alt scope: the window's buttons, labels with a buddy, group boxes
// and the menu bar's titles. Menus are checked separately (their own scope each).
QStringList windowScope(QWidget* window)
{
    QStringList texts;
    for (const QAbstractButton* button : window->findChildren<QAbstractButton*>()) {
        texts << button->text();
    }
    for (const QLabel* label : window->findChildren<QLabel*>()) {
        if (label->buddy() != nullptr) {
            texts << label->text();
        }
    }
    for (const QGroupBox* box : window->findChildren<QGroupBox*>()) {
        texts << box->title();
    }
    for (const QMenuBar* bar : window->findChildren<QMenuBar*>()) {
        for (const QAction* action : bar->actions()) {
            texts << action->text();
        }
    }
    return texts;
}

QStringList menuClashes(QWidget* window)
{
    QStringList out;
    for (const QMenu* menu : window->findChildren<QMenu*>()) {
        QStringList texts;
        for (const QAction* action : menu->actions()) {
            texts << action->text();
        }
        for (const QString& clash : clashes(texts)) {
            out << menu->title() + QStringLiteral(" menu: ") + clash;
        }
    }
    return out;
}

} // namespace

class TestMnemonics : public QObject
{
    Q_OBJECT

private slots:
    void mnemonicOfReadsTheLetter_data();
    void mnemonicOfReadsTheLetter();
    void everyWindowHasUniqueMnemonics_data();
    void everyWindowHasUniqueMnemonics();
};

void TestMnemonics::mnemonicOfReadsTheLetter_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("letter");
    QTest::newRow("first letter") << "&Profile"
                                  << "p";
    QTest::newRow("inside") << "Pro&files"
                            << "f";
    QTest::newRow("literal ampersand first") << "R&&D &tools"
                                             << "t";
    QTest::newRow("none") << "Profiles"
                          << "";
    QTest::newRow("chinese") << QStringLiteral("配置(&P)") << "p";
}

void TestMnemonics::mnemonicOfReadsTheLetter()
{
    QFETCH(QString, text);
    QFETCH(QString, letter);
    const QChar got = mnemonicOf(text);
    QCOMPARE(got.isNull() ? QString() : QString(got), letter);
}

void TestMnemonics::everyWindowHasUniqueMnemonics_data()
{
    // English first: once a translator is installed it stays for the rest of the process.
    QTest::addColumn<QString>("locale");
    QTest::newRow("en") << "en";
    QTest::newRow("zh_CN") << "zh_CN";
}

void TestMnemonics::everyWindowHasUniqueMnemonics()
{
    QFETCH(QString, locale);
    QVERIFY(setUpApplication(*QCoreApplication::instance(), QLocale(locale)) ||
            locale == QStringLiteral("en"));

    QTemporaryDir tmp;
    ProfileStore store(tmp.path() + "/profiles");
    store.reload();
    // No bus at this address: the window shows its helper-trouble banner (with its button).
    HelperSession session(QDBusConnection::connectToBus(
        QStringLiteral("unix:path=") + tmp.path() + "/no-bus", QStringLiteral("no-bus")));
    MainWindow window(&store, &session);
    ProfileEditor editor(&store);

    QStringList problems;
    for (QWidget* w : {static_cast<QWidget*>(&window), static_cast<QWidget*>(&editor)}) {
        for (const QString& clash : clashes(windowScope(w))) {
            problems << w->metaObject()->className() + QStringLiteral(": ") + clash;
        }
        problems << menuClashes(w);
    }
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QStringLiteral("\n"))));
    // The check looked at something: both windows have mnemonics.
    QVERIFY(windowScope(&window).size() > 5);
    QVERIFY(windowScope(&editor).size() > 5);
}

QTEST_MAIN(TestMnemonics)
#include "tst_mnemonics.moc"
