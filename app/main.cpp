// peertun: the desktop app. Talks to io.peertun.Helper1 on the system bus only; the tunnels
// themselves belong to the helper and outlive the app.
#include "AppSetup.h"
#include "HelperSession.h"
#include "LoginConnector.h"
#include "MainWindow.h"
#include "ProfileStore.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QSystemTrayIcon>
#include <cstdio>
#include <cstring>
#include <memory>

int main(int argc, char** argv)
{
    // Answered before QApplication, which needs a display: packaging checks and scripts ask
    // for the version where there is none.
    if (argc == 2 && (std::strcmp(argv[1], "--version") == 0 || std::strcmp(argv[1], "-v") == 0)) {
        std::printf("peertun %s\n", PEERTUN_VERSION);
        return 0;
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("peertun"));
    QApplication::setApplicationVersion(QStringLiteral(PEERTUN_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("io.peertun.Peertun"));
    peertun::setUpApplication(app, QLocale::system());
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/peertun.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("main", "Point-to-point VPN tunnels over UDP."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption hidden(QStringLiteral("hidden"),
                                    QApplication::translate("main", "Start in the tray."));
    const QCommandLineOption profilesDir(
        QStringLiteral("profiles-dir"),
        QApplication::translate("main", "Keep profiles in DIR instead of the config folder."),
        QStringLiteral("DIR"));
    const QCommandLineOption autoconnect(
        QStringLiteral("autoconnect"),
        QApplication::translate("main", "Start in the tray and connect the profiles marked "
                                        "\"Connect when I log in\"."));
    parser.addOption(hidden);
    parser.addOption(autoconnect);
    parser.addOption(profilesDir);
    parser.process(app);

    peertun::ProfileStore store(parser.value(profilesDir));
    store.reload();
    peertun::HelperSession session;
    peertun::MainWindow window(&store, &session);
    // MainWindow::closeEvent decides: with a tray the window hides, without one the app quits.
    // (Otherwise closing a dialog while the window is in the tray would end the app.)
    QApplication::setQuitOnLastWindowClosed(false);
    const bool inTray = parser.isSet(hidden) || parser.isSet(autoconnect);
    if (!inTray || !QSystemTrayIcon::isSystemTrayAvailable()) {
        window.show();
    }
    std::unique_ptr<peertun::LoginConnector> loginConnector;
    if (parser.isSet(autoconnect)) {
        loginConnector = std::make_unique<peertun::LoginConnector>(&store, &session);
    }
    session.start();
    return QApplication::exec();
}
