#include "ResolvedDnsServers.h"

#include <QDBusArgument>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusVariant>

namespace peertun {

std::vector<engine::IpAddress> ResolvedDnsServers::serversFor(int ifindex)
{
    QDBusConnection bus = QDBusConnection::systemBus();
    if (!bus.isConnected()) {
        return {};
    }
    QDBusMessage get = QDBusMessage::createMethodCall(
        QStringLiteral("org.freedesktop.resolve1"), QStringLiteral("/org/freedesktop/resolve1"),
        QStringLiteral("org.freedesktop.DBus.Properties"), QStringLiteral("Get"));
    get << QStringLiteral("org.freedesktop.resolve1.Manager") << QStringLiteral("DNS");
    // Never start resolved for this: a system without it uses /etc/resolv.conf.
    get.setAutoStartService(false);
    const QDBusMessage reply = bus.call(get, QDBus::Block, kTimeoutMs);
    if (reply.type() != QDBusMessage::ReplyMessage || reply.arguments().isEmpty()) {
        return {};
    }
    // a(iiay): ifindex (0 = global), address family, address bytes.
    const QDBusArgument arg =
        reply.arguments().first().value<QDBusVariant>().variant().value<QDBusArgument>();
    std::vector<engine::IpAddress> link, global;
    arg.beginArray();
    while (!arg.atEnd()) {
        int index = 0;
        int family = 0;
        QByteArray bytes;
        arg.beginStructure();
        arg >> index >> family >> bytes;
        arg.endStructure();
        engine::IpAddress a;
        if (family == AF_INET && bytes.size() == 4) {
            a = engine::IpAddress::v4(reinterpret_cast<const uint8_t*>(bytes.constData()));
        } else if (family == AF_INET6 && bytes.size() == 16) {
            a = engine::IpAddress::v6(reinterpret_cast<const uint8_t*>(bytes.constData()));
        } else {
            continue;
        }
        if (ifindex > 0 && index == ifindex) {
            link.push_back(a);
        } else if (index == 0) {
            global.push_back(a);
        }
    }
    arg.endArray();
    return link.empty() ? global : link;
}

} // namespace peertun
