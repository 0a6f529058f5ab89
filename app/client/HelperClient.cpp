#include "HelperClient.h"

#include "Payloads.h"
#include "helper1_proxy.h" // generated from io.peertun.Helper1.xml

#include <QDBusArgument>
#include <QDBusVariant>

namespace peertun {

HelperClient::HelperClient(QDBusConnection bus, QObject* parent)
    : QObject(parent), m_bus(std::move(bus))
{
    dbus::registerContractTypes();
    m_proxy = std::make_unique<Helper1Proxy>(dbus::kServiceName, dbus::kObjectPath, m_bus);
    m_controlProxy = std::make_unique<Helper1Proxy>(dbus::kServiceName, dbus::kObjectPath, m_bus);
    m_controlProxy->setTimeout(kControlTimeoutMs);

    connect(m_proxy.get(), &Helper1Proxy::StateChanged, this, &HelperClient::stateChanged);
    connect(m_proxy.get(), &Helper1Proxy::PeersChanged, this, &HelperClient::peersChanged);
    connect(m_proxy.get(), &Helper1Proxy::StatsUpdated, this,
            [this](const QVariantMapList& stats) { emit statsUpdated(toPlain(stats)); });
    connect(m_proxy.get(), &Helper1Proxy::LogEntry, this,
            [this](const QVariantMap& entry) { emit logEntry(toPlain(entry)); });

    m_helperWatcher.setConnection(m_bus);
    m_helperWatcher.setWatchMode(QDBusServiceWatcher::WatchForOwnerChange);
    m_helperWatcher.addWatchedService(dbus::kServiceName);
    connect(&m_helperWatcher, &QDBusServiceWatcher::serviceOwnerChanged, this,
            [this](const QString&, const QString&, const QString& newOwner) {
                emit helperPresenceChanged(!newOwner.isEmpty());
            });
}

HelperClient::~HelperClient() = default;

QDBusPendingReply<QString> HelperClient::version()
{
    return m_proxy->Version();
}

QDBusPendingReply<QString> HelperClient::connectTunnel(const QString& profileJson)
{
    return m_controlProxy->Connect(profileJson);
}

QDBusPendingReply<> HelperClient::disconnectTunnel(const QString& name)
{
    return m_controlProxy->Disconnect(name);
}

QDBusPendingReply<> HelperClient::setPeers(const QString& name, const QString& profileJson)
{
    return m_controlProxy->SetPeers(name, profileJson);
}

QDBusPendingReply<QVariantMapList> HelperClient::listTunnels()
{
    return m_proxy->ListTunnels();
}

QDBusPendingReply<QVariantMap> HelperClient::stats(const QString& name)
{
    return m_proxy->GetStats(name);
}

QDBusPendingReply<QVariantMapList> HelperClient::log(quint64 afterSeq)
{
    return m_proxy->GetLog(afterSeq);
}

QDBusPendingReply<> HelperClient::authorizeDetails()
{
    return m_proxy->AuthorizeDetails();
}

namespace {

QVariant demarshal(const QDBusArgument& arg)
{
    switch (arg.currentType()) {
    case QDBusArgument::BasicType:
        return HelperClient::toPlain(arg.asVariant());
    case QDBusArgument::VariantType: {
        QDBusVariant inner;
        arg >> inner;
        return HelperClient::toPlain(inner.variant());
    }
    case QDBusArgument::ArrayType: {
        QVariantList list;
        arg.beginArray();
        while (!arg.atEnd()) {
            list << HelperClient::toPlain(arg.asVariant());
        }
        arg.endArray();
        return list;
    }
    case QDBusArgument::StructureType: {
        QVariantList fields;
        arg.beginStructure();
        while (!arg.atEnd()) {
            fields << HelperClient::toPlain(arg.asVariant());
        }
        arg.endStructure();
        return fields;
    }
    case QDBusArgument::MapType: {
        QVariantMap map;
        arg.beginMap();
        while (!arg.atEnd()) {
            arg.beginMapEntry();
            const QString key = HelperClient::toPlain(arg.asVariant()).toString();
            map.insert(key, HelperClient::toPlain(arg.asVariant()));
            arg.endMapEntry();
        }
        arg.endMap();
        return map;
    }
    case QDBusArgument::MapEntryType:
    case QDBusArgument::UnknownType:
        break;
    }
    return {};
}

} // namespace

QVariant HelperClient::toPlain(const QVariant& value)
{
    if (value.metaType() == QMetaType::fromType<QDBusArgument>()) {
        return demarshal(value.value<QDBusArgument>());
    }
    if (value.metaType() == QMetaType::fromType<QDBusVariant>()) {
        return toPlain(value.value<QDBusVariant>().variant());
    }
    if (value.metaType() == QMetaType::fromType<QVariantMap>()) {
        return toPlain(value.toMap());
    }
    if (value.metaType() == QMetaType::fromType<QVariantList>()) {
        QVariantList list;
        for (const QVariant& v : value.toList()) {
            list << toPlain(v);
        }
        return list;
    }
    return value;
}

QVariantMap HelperClient::toPlain(const QVariantMap& map)
{
    QVariantMap plain;
    for (auto it = map.cbegin(); it != map.cend(); ++it) {
        plain.insert(it.key(), toPlain(it.value()));
    }
    return plain;
}

QVariantMapList HelperClient::toPlain(const QVariantMapList& list)
{
    QVariantMapList plain;
    for (const QVariantMap& map : list) {
        plain << toPlain(map);
    }
    return plain;
}

QVariantMap HelperClient::tunnelNamed(const QVariantMapList& tunnels, const QString& name)
{
    for (const QVariantMap& t : tunnels) {
        if (t.value(dbus::key::kName).toString() == name) {
            return t;
        }
    }
    return {};
}

} // namespace peertun
