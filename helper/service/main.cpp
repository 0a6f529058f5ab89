// peertun-helper: the root helper. `--standalone PROFILE` runs one tunnel headless.
#include "Standalone.h"

#include <QCoreApplication>
#include <QTextStream>

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("peertun-helper"));
    const QStringList args = QCoreApplication::arguments();
    if (args.size() == 3 && args.at(1) == QLatin1String("--standalone")) {
        return peertun::runStandalone(args.at(2));
    }
    QTextStream(stderr) << "usage: peertun-helper --standalone PROFILE.json\n";
    return args.size() == 2 &&
                   (args.at(1) == QLatin1String("--help") || args.at(1) == QLatin1String("-h"))
               ? 0
               : peertun::ExitUsage;
}
