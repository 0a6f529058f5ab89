// peertun-helper: the root helper. Without arguments it is the D-Bus system service
// io.peertun.Helper1 (normally started by bus activation); `--standalone PROFILE` runs one
// tunnel headless.
#include "Capabilities.h"
#include "ExitCode.h"
#include "HelperService.h"
#include "Standalone.h"

#include <QCoreApplication>
#include <QTextStream>
#include <cstring>

namespace {

const char kUsage[] =
    "usage: peertun-helper [--idle-exit SECONDS] [--syslog-socket PATH]\n"
    "       peertun-helper --standalone PROFILE.json\n"
    "       peertun-helper --version\n"
    "Without --standalone: the D-Bus system service io.peertun.Helper1; exits after\n"
    "SECONDS (default 60, 0 = never) with no tunnels and no calls. Security events go\n"
    "to syslog through PATH (default /dev/log).\n";

} // namespace

int main(int argc, char** argv)
{
    // Service mode gives up root before anything else runs, while the process still has a
    // single thread (capabilities are per thread); it needs nothing of root's but the two
    // capabilities it keeps. --standalone does the same after reading its profile.
    bool serviceMode = argc % 2 == 1;
    for (int i = 1; i + 1 < argc && serviceMode; i += 2) {
        serviceMode = std::strcmp(argv[i], "--idle-exit") == 0 ||
                      std::strcmp(argv[i], "--syslog-socket") == 0;
    }
    QString privilegeError;
    peertun::PrivilegeDrop privileges;
    const bool privilegesDropped =
        !serviceMode || peertun::dropPrivileges(&privileges, &privilegeError);

    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("peertun-helper"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PEERTUN_VERSION));
    const QStringList args = QCoreApplication::arguments();
    if (args.size() == 2 && args.at(1) == QLatin1String("--version")) {
        QTextStream(stdout) << "peertun-helper " << QCoreApplication::applicationVersion() << "\n";
        return 0;
    }
    if (args.size() == 3 && args.at(1) == QLatin1String("--standalone")) {
        return peertun::runStandalone(args.at(2));
    }
    if (serviceMode) {
        if (!privilegesDropped) {
            QTextStream(stderr) << "peertun-helper: cannot drop privileges: " << privilegeError
                                << "\n";
            return 1;
        }
        peertun::HelperServiceOptions options;
        options.privileges = privileges;
        for (qsizetype i = 1; i + 1 < args.size(); i += 2) {
            if (args.at(i) == QLatin1String("--syslog-socket")) {
                options.syslogSocket = args.at(i + 1);
                continue;
            }
            bool ok = false;
            options.idleExitSeconds = args.at(i + 1).toInt(&ok);
            if (!ok || options.idleExitSeconds < 0) {
                QTextStream(stderr) << kUsage;
                return peertun::standaloneExitCode(peertun::Exit::Usage);
            }
        }
        return peertun::runHelperService(options);
    }
    QTextStream(stderr) << kUsage;
    return args.size() == 2 &&
                   (args.at(1) == QLatin1String("--help") || args.at(1) == QLatin1String("-h"))
               ? 0
               : peertun::standaloneExitCode(peertun::Exit::Usage);
}
