// dbus_flood COUNT PROFILE: calls io.peertun.Helper1.Connect COUNT times, one after the other,
// on one connection to the system bus (DBUS_SYSTEM_BUS_ADDRESS), and prints how the calls
// ended: one line "NAME COUNT" per error name ("ok" for a success). Run as a test user by
// tst_dbus_api to flood the helper from one uid.
// dbus_flood --parallel COUNT PROFILE: sends COUNT calls at once and prints "reply NAME" for
// each answer as it comes (to see which of many waiting requests the helper turns away).
#include "DBusContract.h"

#include <QCoreApplication>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QFile>
#include <QMap>
#include <QTextStream>

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QStringList args = QCoreApplication::arguments();
    const bool parallel = args.size() > 1 && args.at(1) == QLatin1String("--parallel");
    if (parallel) {
        args.removeAt(1);
    }
    QFile profile(args.value(2));
    bool ok = false;
    const int count = args.value(1).toInt(&ok);
    if (args.size() != 3 || !ok || !profile.open(QIODevice::ReadOnly)) {
        QTextStream(stderr) << "usage: dbus_flood [--parallel] COUNT PROFILE\n";
        return 2;
    }
    const QString json = QString::fromUtf8(profile.readAll());
    QDBusConnection bus = QDBusConnection::systemBus();
    const auto makeCall = [&] {
        QDBusMessage call = QDBusMessage::createMethodCall(
            peertun::dbus::kServiceName, peertun::dbus::kObjectPath, peertun::dbus::kInterfaceName,
            QStringLiteral("Connect"));
        call << json;
        return call;
    };
    if (parallel) {
        int left = count;
        for (int i = 0; i < count; ++i) {
            auto* watcher = new QDBusPendingCallWatcher(bus.asyncCall(makeCall(), 60000), &app);
            QObject::connect(watcher, &QDBusPendingCallWatcher::finished, &app,
                             [&left](QDBusPendingCallWatcher* w) {
                                 const QDBusMessage reply = w->reply();
                                 QTextStream(stdout) << "reply "
                                                     << (reply.type() == QDBusMessage::ErrorMessage
                                                             ? reply.errorName()
                                                             : QStringLiteral("ok"))
                                                     << Qt::endl;
                                 if (--left == 0) {
                                     QCoreApplication::quit();
                                 }
                             });
        }
        return QCoreApplication::exec();
    }
    QMap<QString, int> outcomes;
    for (int i = 0; i < count; ++i) {
        const QDBusMessage reply = bus.call(makeCall(), QDBus::Block, 30000);
        ++outcomes[reply.type() == QDBusMessage::ErrorMessage ? reply.errorName()
                                                              : QStringLiteral("ok")];
    }
    QTextStream out(stdout);
    for (auto it = outcomes.cbegin(); it != outcomes.cend(); ++it) {
        out << it.key() << ' ' << it.value() << '\n';
    }
    return 0;
}
