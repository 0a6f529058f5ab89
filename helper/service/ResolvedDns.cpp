#include "ResolvedDns.h"

#include <QDBusArgument>
#include <QDBusMessage>
#include <QDBusMetaType>
#include <QDBusObjectPath>
#include <QDBusVariant>
#include <QThread>
#include <QtEndian>
#include <sys/socket.h>

namespace {

struct ResolvedAddress // (iay)
{
    qint32 family = 0;
    QByteArray address;
};
struct ResolvedDomain // (sb)
{
    QString domain;
    bool routingOnly = false;
};
struct ResolvedLinkDomain // (isb), the Manager's Domains property
{
    qint32 ifindex = 0;
    QString domain;
    bool routingOnly = false;
};

} // namespace

Q_DECLARE_METATYPE(ResolvedAddress)
Q_DECLARE_METATYPE(ResolvedDomain)
Q_DECLARE_METATYPE(ResolvedLinkDomain)

namespace {

QDBusArgument& operator<<(QDBusArgument& a, const ResolvedAddress& v)
{
    a.beginStructure();
    a << v.family << v.address;
    a.endStructure();
    return a;
}
const QDBusArgument& operator>>(const QDBusArgument& a, ResolvedAddress& v)
{
    a.beginStructure();
    a >> v.family >> v.address;
    a.endStructure();
    return a;
}
QDBusArgument& operator<<(QDBusArgument& a, const ResolvedDomain& v)
{
    a.beginStructure();
    a << v.domain << v.routingOnly;
    a.endStructure();
    return a;
}
const QDBusArgument& operator>>(const QDBusArgument& a, ResolvedDomain& v)
{
    a.beginStructure();
    a >> v.domain >> v.routingOnly;
    a.endStructure();
    return a;
}
QDBusArgument& operator<<(QDBusArgument& a, const ResolvedLinkDomain& v)
{
    a.beginStructure();
    a << v.ifindex << v.domain << v.routingOnly;
    a.endStructure();
    return a;
}
const QDBusArgument& operator>>(const QDBusArgument& a, ResolvedLinkDomain& v)
{
    a.beginStructure();
    a >> v.ifindex >> v.domain >> v.routingOnly;
    a.endStructure();
    return a;
}

const QString kService = QStringLiteral("org.freedesktop.resolve1");
const QString kPath = QStringLiteral("/org/freedesktop/resolve1");
const QString kManager = QStringLiteral("org.freedesktop.resolve1.Manager");
constexpr int kCallTimeoutMs = 3000;
// resolved learns new links from rtnetlink; right after the device appears it may not know it.
constexpr int kUnknownLinkRetries = 20;
constexpr int kUnknownLinkRetryMs = 50;

void registerTypes()
{
    static const bool once = [] {
        qDBusRegisterMetaType<ResolvedAddress>();
        qDBusRegisterMetaType<QList<ResolvedAddress>>();
        qDBusRegisterMetaType<ResolvedDomain>();
        qDBusRegisterMetaType<QList<ResolvedDomain>>();
        qDBusRegisterMetaType<ResolvedLinkDomain>();
        qDBusRegisterMetaType<QList<ResolvedLinkDomain>>();
        return true;
    }();
    (void)once;
}

bool meansNotRunning(const QString& errorName)
{
    // No owner and nothing to activate; or activation through systemd failed.
    return errorName == QLatin1String("org.freedesktop.DBus.Error.ServiceUnknown") ||
           errorName == QLatin1String("org.freedesktop.DBus.Error.NameHasNoOwner") ||
           errorName == QLatin1String("org.freedesktop.DBus.Error.NoReply") ||
           errorName == QLatin1String("org.freedesktop.DBus.Error.Disconnected") ||
           errorName.startsWith(QLatin1String("org.freedesktop.DBus.Error.Spawn")) ||
           errorName.startsWith(QLatin1String("org.freedesktop.systemd1."));
}

} // namespace

namespace peertun {

QString ResolvedLink::notRunningText()
{
    return QStringLiteral("DNS not applied: systemd-resolved is not running");
}

ResolvedLink::ResolvedLink(int ifindex, const QString& ifName, const DnsConfig& dns,
                           bool defaultRoute)
    : m_bus(QDBusConnection::systemBus()), m_ifindex(ifindex), m_ifName(ifName), m_dns(dns),
      m_defaultRoute(defaultRoute)
{
    registerTypes();
    if (!m_bus.isConnected()) {
        m_problem = notRunningText() + QStringLiteral(" (there is no system bus)");
        return;
    }
    m_applied = apply(&m_problem);
}

bool ResolvedLink::apply(QString* problem)
{
    const DnsConfig& dns = m_dns;
    const bool defaultRoute = m_defaultRoute;
    QList<ResolvedAddress> servers;
    for (const QHostAddress& a : dns.servers) {
        ResolvedAddress r;
        if (a.protocol() == QAbstractSocket::IPv4Protocol) {
            const quint32 v4 = qToBigEndian(a.toIPv4Address());
            r.family = AF_INET;
            r.address = QByteArray(reinterpret_cast<const char*>(&v4), 4);
        } else {
            const Q_IPV6ADDR v6 = a.toIPv6Address();
            r.family = AF_INET6;
            r.address = QByteArray(reinterpret_cast<const char*>(v6.c), 16);
        }
        servers << r;
    }
    QList<ResolvedDomain> domains;
    for (const QString& d : dns.domains) {
        const bool routing = d.startsWith(u'~');
        domains << ResolvedDomain{routing ? d.mid(1) : d, routing};
    }
    if (defaultRoute) {
        domains << ResolvedDomain{QStringLiteral("."), true};
    }
    // Split DNS: with domains, only names under them go to the tunnel; without, the servers
    // would never be asked unless they are a default route.
    const bool linkDefaultRoute = defaultRoute || dns.domains.isEmpty();
    QString error;
    if (!call(QStringLiteral("SetLinkDNS"), {m_ifindex, QVariant::fromValue(servers)}, &error) ||
        !call(QStringLiteral("SetLinkDomains"), {m_ifindex, QVariant::fromValue(domains)},
              &error) ||
        !call(QStringLiteral("SetLinkDefaultRoute"), {m_ifindex, linkDefaultRoute}, &error)) {
        *problem = error;
        if (!m_notRunning) {
            QString ignored;
            call(QStringLiteral("RevertLink"), {m_ifindex}, &ignored); // no half-applied link
        }
        return false;
    }
    problem->clear();
    if (defaultRoute && m_taken.isEmpty()) {
        takeOverRootDomain();
    }
    return true;
}

bool ResolvedLink::linkHasServers()
{
    QDBusMessage getLink =
        QDBusMessage::createMethodCall(kService, kPath, kManager, QStringLiteral("GetLink"));
    getLink << m_ifindex;
    const QDBusMessage path = m_bus.call(getLink, QDBus::Block, kCallTimeoutMs);
    if (path.type() != QDBusMessage::ReplyMessage || path.arguments().isEmpty()) {
        return false; // resolved forgot the link (or is gone): nothing of ours is there
    }
    QDBusMessage get = QDBusMessage::createMethodCall(
        kService, qvariant_cast<QDBusObjectPath>(path.arguments().first()).path(),
        QStringLiteral("org.freedesktop.DBus.Properties"), QStringLiteral("Get"));
    get << QStringLiteral("org.freedesktop.resolve1.Link") << QStringLiteral("DNS");
    const QDBusMessage reply = m_bus.call(get, QDBus::Block, kCallTimeoutMs);
    if (reply.type() != QDBusMessage::ReplyMessage || reply.arguments().isEmpty()) {
        return false;
    }
    const QDBusArgument arg = qvariant_cast<QDBusArgument>(
        qvariant_cast<QDBusVariant>(reply.arguments().first()).variant());
    QList<ResolvedAddress> servers;
    arg >> servers;
    return !servers.isEmpty();
}

QString ResolvedLink::reapplyIfLost()
{
    if (!m_bus.isConnected()) {
        return {};
    }
    if (m_applied && linkHasServers()) {
        return {};
    }
    const bool wasApplied = m_applied;
    m_applied = apply(&m_problem);
    if (!m_applied) {
        return wasApplied ? m_problem : QString(); // still not running: said at connect already
    }
    return (wasApplied ? QStringLiteral("DNS re-applied after a network change (systemd-resolved "
                                        "had dropped it): ")
                       : QStringLiteral("DNS applied now that systemd-resolved runs: ")) +
           summary();
}

ResolvedLink::~ResolvedLink()
{
    if (!m_applied) {
        return;
    }
    QString ignored; // the device may be gone already: resolved forgets the link then anyway
    call(QStringLiteral("RevertLink"), {m_ifindex}, &ignored);
    for (const auto& [ifindex, list] : m_taken) {
        QList<ResolvedDomain> domains;
        for (const RoutingDomain& d : list) {
            domains << ResolvedDomain{d.domain, d.routingOnly};
        }
        call(QStringLiteral("SetLinkDomains"), {ifindex, QVariant::fromValue(domains)}, &ignored);
    }
}

QString ResolvedLink::summary() const
{
    QStringList servers;
    for (const QHostAddress& a : m_dns.servers) {
        servers << a.toString();
    }
    QString text = QStringLiteral("DNS on %1 through systemd-resolved: servers %2")
                       .arg(m_ifName, servers.join(QStringLiteral(", ")));
    if (!m_dns.domains.isEmpty()) {
        text += QStringLiteral(", domains %1").arg(m_dns.domains.join(QStringLiteral(", ")));
    }
    if (m_defaultRoute) {
        text += QStringLiteral("; every name (~.) goes to these servers");
    }
    for (const auto& [ifindex, list] : m_taken) {
        text += QStringLiteral("; ~. taken from link %1 until disconnect").arg(ifindex);
    }
    return text;
}

bool ResolvedLink::call(const QString& method, const QVariantList& args, QString* error)
{
    QDBusMessage msg = QDBusMessage::createMethodCall(kService, kPath, kManager, method);
    msg.setArguments(args);
    for (int attempt = 0;; ++attempt) {
        const QDBusMessage reply = m_bus.call(msg, QDBus::Block, kCallTimeoutMs);
        if (reply.type() == QDBusMessage::ReplyMessage) {
            return true;
        }
        const QString name = reply.errorName();
        if (name == QLatin1String("org.freedesktop.resolve1.NoSuchLink") &&
            attempt < kUnknownLinkRetries) {
            QThread::msleep(kUnknownLinkRetryMs);
            continue;
        }
        m_notRunning = meansNotRunning(name);
        *error = m_notRunning
                     ? notRunningText()
                     : QStringLiteral("DNS not applied: systemd-resolved refused %1 for %2: %3")
                           .arg(method, m_ifName, reply.errorMessage());
        return false;
    }
}

void ResolvedLink::takeOverRootDomain()
{
    QDBusMessage get = QDBusMessage::createMethodCall(
        kService, kPath, QStringLiteral("org.freedesktop.DBus.Properties"), QStringLiteral("Get"));
    get << kManager << QStringLiteral("Domains");
    const QDBusMessage reply = m_bus.call(get, QDBus::Block, kCallTimeoutMs);
    if (reply.type() != QDBusMessage::ReplyMessage || reply.arguments().isEmpty()) {
        return;
    }
    const QDBusArgument arg = qvariant_cast<QDBusArgument>(
        qvariant_cast<QDBusVariant>(reply.arguments().first()).variant());
    QList<ResolvedLinkDomain> all;
    arg >> all;
    QMap<int, QList<RoutingDomain>> byLink;
    for (const ResolvedLinkDomain& d : all) {
        if (d.ifindex > 0 && d.ifindex != m_ifindex) {
            byLink[d.ifindex] << RoutingDomain{d.ifindex, d.domain, d.routingOnly};
        }
    }
    for (auto it = byLink.cbegin(); it != byLink.cend(); ++it) {
        QList<ResolvedDomain> kept;
        bool hadRoot = false;
        for (const RoutingDomain& d : it.value()) {
            if (d.domain == QLatin1String(".") && d.routingOnly) {
                hadRoot = true;
            } else {
                kept << ResolvedDomain{d.domain, d.routingOnly};
            }
        }
        QString ignored;
        if (hadRoot && call(QStringLiteral("SetLinkDomains"), {it.key(), QVariant::fromValue(kept)},
                            &ignored)) {
            m_taken << qMakePair(it.key(), it.value());
        }
    }
}

} // namespace peertun
