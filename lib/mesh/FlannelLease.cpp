#include "FlannelLease.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <cmath>

namespace peertun::mesh {

namespace {

QString q(const QString& s)
{
    // Values from etcd are untrusted: shorten and escape them like the profile's messages.
    QString out;
    for (const QChar c : s.left(60)) {
        out += c.unicode() < 0x20 || c.unicode() == 0x7f
                   ? QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QChar(u'0'))
                   : QString(c);
    }
    return u'"' + out + (s.size() > 60 ? QStringLiteral("…\"") : QStringLiteral("\""));
}

// Strict dotted quad (no "10.1", no leading zeros), as the profile's parser.
std::optional<quint32> parseIPv4(QStringView text)
{
    const auto parts = text.split(u'.');
    if (parts.size() != 4) {
        return std::nullopt;
    }
    quint32 value = 0;
    for (const QStringView part : parts) {
        if (part.isEmpty() || part.size() > 3 || (part.size() > 1 && part[0] == u'0')) {
            return std::nullopt;
        }
        for (const QChar c : part) {
            if (c < u'0' || c > u'9') {
                return std::nullopt;
            }
        }
        const uint byte = part.toUInt();
        if (byte > 255) {
            return std::nullopt;
        }
        value = value << 8 | byte;
    }
    return value;
}

quint32 maskOf(int prefix)
{
    return prefix == 0 ? 0 : ~quint32(0) << (32 - prefix);
}

quint32 subnetSize(const NetworkConfig& c)
{
    return quint32(1) << (32 - c.subnetLen);
}

LeaseCheck bad(BadLease reason, const QString& detail)
{
    return {std::nullopt, reason, detail};
}

std::optional<int> wholeNumber(const QJsonValue& v)
{
    const double d = v.toDouble();
    if (!v.isDouble() || !std::isfinite(d) || std::floor(d) != d || d < -1e9 || d > 1e9) {
        return std::nullopt;
    }
    return int(d);
}

} // namespace

QString backendName(Backend backend)
{
    return backend == Backend::WireGuard ? QStringLiteral("wireguard") : QStringLiteral("udp");
}

Backend backendForMode(TunnelMode mode)
{
    return mode == TunnelMode::WireGuard ? Backend::WireGuard : Backend::Udp;
}

QString checkModeMatchesBackend(TunnelMode mode, Backend backend)
{
    if (backendForMode(mode) == backend) {
        return {};
    }
    return QStringLiteral("The mesh network's backend is \"%1\", which a profile of mode \"%2\" "
                          "cannot join; use mode \"%3\" for this network.")
        .arg(backendName(backend), modeToString(mode),
             backend == Backend::WireGuard ? QStringLiteral("wireguard") : QStringLiteral("plain"));
}

ConfigParse makeNetworkConfig(const QString& network, int subnetLen, const QString& backend)
{
    ConfigParse result;
    QString why;
    const auto cidr = parseCidr(network, &why, true);
    if (!cidr) {
        result.error = QStringLiteral("Network: %1").arg(why);
        return result;
    }
    if (cidr->isIPv6()) {
        result.error = QStringLiteral("Network %1 is IPv6; flannel's Network is an IPv4 network.")
                           .arg(cidr->toString());
        return result;
    }
    NetworkConfig c;
    c.network = *cidr;
    if (subnetLen == 0) {
        // flannel: a /24 per host, or half the network when it is that small
        subnetLen = cidr->prefixLength < 23 ? 24 : cidr->prefixLength + 1;
    }
    if (subnetLen <= cidr->prefixLength || subnetLen > 30) {
        result.error = QStringLiteral("SubnetLen %1 does not fit Network %2: it must be longer "
                                      "than /%3 and at most 30.")
                           .arg(subnetLen)
                           .arg(cidr->toString())
                           .arg(cidr->prefixLength);
        return result;
    }
    c.subnetLen = subnetLen;
    if (backend == u"udp") {
        c.backend = Backend::Udp;
    } else if (backend == u"wireguard") {
        c.backend = Backend::WireGuard;
    } else {
        result.error = QStringLiteral("Backend type %1 is not one peertun speaks; use \"udp\" "
                                      "(mode plain) or \"wireguard\".")
                           .arg(q(backend));
        return result;
    }
    // flannel leaves the network's first subnet out and goes up to its last one.
    const quint32 base = c.network.address.toIPv4Address();
    const quint32 size = subnetSize(c);
    c.subnetMin = QHostAddress(base + size);
    c.subnetMax = QHostAddress((base | ~maskOf(c.network.prefixLength)) - size + 1);
    result.config = c;
    return result;
}

ConfigParse parseNetworkConfig(const QByteArray& json)
{
    ConfigParse result;
    if (json.size() > kMaxConfigBytes) {
        result.error = QStringLiteral("The network config is %1 bytes; at most %2 are read.")
                           .arg(json.size())
                           .arg(kMaxConfigBytes);
        return result;
    }
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
        result.error =
            QStringLiteral("The network config is not a JSON object%1.")
                .arg(pe.error != QJsonParseError::NoError
                         ? QStringLiteral(" (%1 at offset %2)").arg(pe.errorString()).arg(pe.offset)
                         : QString());
        return result;
    }
    const QJsonObject o = doc.object();
    if (!o.value(QStringLiteral("Network")).isString()) {
        result.error = QStringLiteral("The network config has no \"Network\" string.");
        return result;
    }
    int subnetLen = 0;
    if (o.contains(QStringLiteral("SubnetLen"))) {
        const auto n = wholeNumber(o.value(QStringLiteral("SubnetLen")));
        if (!n) {
            result.error = QStringLiteral("The network config's \"SubnetLen\" is not a number.");
            return result;
        }
        subnetLen = *n;
    }
    QString backend = QStringLiteral("udp"); // flannel's default backend
    const QJsonValue b = o.value(QStringLiteral("Backend"));
    if (!b.isUndefined() && !b.isNull()) {
        if (!b.isObject() || !b.toObject().value(QStringLiteral("Type")).isString()) {
            result.error = QStringLiteral("The network config's \"Backend\" is not an object with "
                                          "a \"Type\" string.");
            return result;
        }
        backend = b.toObject().value(QStringLiteral("Type")).toString();
    }
    result = makeNetworkConfig(o.value(QStringLiteral("Network")).toString(), subnetLen, backend);
    if (!result.config) {
        return result;
    }
    NetworkConfig& c = *result.config;
    const quint32 mask = maskOf(c.network.prefixLength);
    const quint32 base = c.network.address.toIPv4Address();
    for (const char* key : {"SubnetMin", "SubnetMax"}) {
        const QJsonValue v = o.value(QLatin1String(key));
        if (v.isUndefined()) {
            continue;
        }
        const auto a = v.isString() ? parseIPv4(v.toString()) : std::nullopt;
        if (!a || (*a & mask) != base || (*a & ~maskOf(c.subnetLen)) != 0) {
            result.config.reset();
            result.error = QStringLiteral("The network config's \"%1\" is not a subnet address "
                                          "inside %2.")
                               .arg(QLatin1String(key), c.network.toString());
            return result;
        }
        (QLatin1String(key) == QLatin1String("SubnetMin") ? c.subnetMin : c.subnetMax) =
            QHostAddress(*a);
    }
    if (c.subnetMin.toIPv4Address() > c.subnetMax.toIPv4Address()) {
        result.config.reset();
        result.error = QStringLiteral("The network config's SubnetMin is above its SubnetMax.");
    }
    return result;
}

QByteArray serializeNetworkConfig(const NetworkConfig& c)
{
    QJsonObject o{
        {QStringLiteral("Network"), c.network.toString()},
        {QStringLiteral("SubnetLen"), c.subnetLen},
        {QStringLiteral("Backend"), QJsonObject{{QStringLiteral("Type"), backendName(c.backend)}}}};
    const ConfigParse defaults =
        makeNetworkConfig(c.network.toString(), c.subnetLen, backendName(c.backend));
    if (defaults.config && defaults.config->subnetMin != c.subnetMin) {
        o.insert(QStringLiteral("SubnetMin"), c.subnetMin.toString());
    }
    if (defaults.config && defaults.config->subnetMax != c.subnetMax) {
        o.insert(QStringLiteral("SubnetMax"), c.subnetMax.toString());
    }
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QString subnetKeyName(const Cidr& subnet)
{
    return subnet.address.toString() + u'-' + QString::number(subnet.prefixLength);
}

std::optional<Cidr> parseSubnetKeyName(QStringView name)
{
    const qsizetype dash = name.indexOf(u'-');
    if (dash < 0 || dash + 1 >= name.size() || name.size() - dash > 3) {
        return std::nullopt;
    }
    const auto address = parseIPv4(name.left(dash));
    const QStringView len = name.mid(dash + 1);
    if (!address || (len.size() > 1 && len[0] == u'0')) {
        return std::nullopt;
    }
    bool ok = false;
    const int prefix = len.toInt(&ok);
    if (!ok || prefix < 0 || prefix > 32 || len[0] == u'+' || len[0] == u'-') {
        return std::nullopt;
    }
    return Cidr{QHostAddress(*address), prefix};
}

Cidr tunnelAddressOf(const Cidr& subnet)
{
    return {QHostAddress(subnet.address.toIPv4Address() + 1), subnet.prefixLength};
}

QByteArray serializeLease(const LeaseAttrs& a)
{
    QJsonObject data{{QStringLiteral("Port"), int(a.port)}};
    if (a.backend == Backend::WireGuard) {
        data.insert(QStringLiteral("PublicKey"), a.publicKey);
    }
    const QJsonObject o{{QStringLiteral("PublicIP"), a.publicIp.toString()},
                        {QStringLiteral("BackendType"), backendName(a.backend)},
                        {QStringLiteral("BackendData"), data}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QString badLeaseName(BadLease reason)
{
    switch (reason) {
    case BadLease::None:
        return QStringLiteral("none");
    case BadLease::Malformed:
        return QStringLiteral("malformed");
    case BadLease::TooBig:
        return QStringLiteral("too-big");
    case BadLease::BadSubnet:
        return QStringLiteral("bad-subnet");
    case BadLease::ClaimsOurSubnet:
        return QStringLiteral("claims-our-subnet");
    case BadLease::WrongBackend:
        return QStringLiteral("wrong-backend");
    case BadLease::BadPublicIp:
        return QStringLiteral("bad-public-ip");
    case BadLease::BadPort:
        return QStringLiteral("bad-port");
    case BadLease::BadKey:
        return QStringLiteral("bad-key");
    case BadLease::OurEndpoint:
        return QStringLiteral("our-endpoint");
    }
    return {};
}

LeaseCheck parseLease(QStringView keyName, const QByteArray& value, const NetworkConfig& config)
{
    if (value.size() > kMaxLeaseBytes) {
        return bad(BadLease::TooBig, QStringLiteral("its value is %1 bytes; at most %2 are read")
                                         .arg(value.size())
                                         .arg(kMaxLeaseBytes));
    }
    const auto subnet = parseSubnetKeyName(keyName);
    if (!subnet) {
        return bad(BadLease::BadSubnet,
                   QStringLiteral("its key %1 is not a subnet written A.B.C.D-N")
                       .arg(q(keyName.toString())));
    }
    if (subnet->network() != *subnet) {
        return bad(BadLease::BadSubnet,
                   QStringLiteral("%1 has host bits set").arg(subnet->toString()));
    }
    if (subnet->prefixLength != config.subnetLen || !config.network.contains(subnet->address)) {
        return bad(BadLease::BadSubnet, QStringLiteral("%1 is not a /%2 subnet of %3")
                                            .arg(subnet->toString())
                                            .arg(config.subnetLen)
                                            .arg(config.network.toString()));
    }
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(value, &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
        return bad(BadLease::Malformed,
                   pe.error != QJsonParseError::NoError
                       ? QStringLiteral("its value is not JSON: %1").arg(pe.errorString())
                       : QStringLiteral("its value is not a JSON object"));
    }
    const QJsonObject o = doc.object();
    const QJsonValue ipValue = o.value(QStringLiteral("PublicIP"));
    const auto ip = ipValue.isString() ? parseIPv4(ipValue.toString()) : std::nullopt;
    if (!ip) {
        return bad(
            BadLease::BadPublicIp,
            ipValue.isString()
                ? QStringLiteral("PublicIP %1 is not an IPv4 address").arg(q(ipValue.toString()))
                : QStringLiteral("it has no PublicIP string"));
    }
    const QHostAddress publicIp(*ip);
    if (*ip == 0 || publicIp.isMulticast() || publicIp.isBroadcast() || publicIp.isLoopback()) {
        return bad(BadLease::BadPublicIp,
                   QStringLiteral("PublicIP %1 is not a unicast address").arg(publicIp.toString()));
    }
    const QJsonValue type = o.value(QStringLiteral("BackendType"));
    if (!type.isString() || type.toString() != backendName(config.backend)) {
        return bad(BadLease::WrongBackend,
                   QStringLiteral("its BackendType is %1, the network's is \"%2\"")
                       .arg(type.isString() ? q(type.toString()) : QStringLiteral("missing"),
                            backendName(config.backend)));
    }
    const QJsonValue dataValue = o.value(QStringLiteral("BackendData"));
    if (!dataValue.isUndefined() && !dataValue.isNull() && !dataValue.isObject()) {
        return bad(BadLease::Malformed, QStringLiteral("its BackendData is not an object"));
    }
    const QJsonObject data = dataValue.toObject();
    Member m;
    m.subnet = *subnet;
    m.endpoint.host = publicIp;
    m.endpoint.port =
        config.backend == Backend::WireGuard ? kFlannelWireGuardPort : kFlannelUdpPort;
    if (data.contains(QStringLiteral("Port"))) {
        const auto port = wholeNumber(data.value(QStringLiteral("Port")));
        if (!port || *port < 1 || *port > 65535) {
            return bad(BadLease::BadPort, QStringLiteral("its BackendData.Port is not 1 to 65535"));
        }
        m.endpoint.port = quint16(*port);
    }
    if (config.backend == Backend::WireGuard) {
        const QJsonValue key = data.value(QStringLiteral("PublicKey"));
        const QString why =
            key.isString() ? checkWireGuardKey(key.toString(), QStringLiteral("PublicKey"), false)
                           : QStringLiteral("it has no BackendData.PublicKey string");
        if (!why.isEmpty()) {
            return bad(BadLease::BadKey, why);
        }
        m.publicKey = key.toString();
    }
    return {m, BadLease::None, {}};
}

LeaseCheck checkAgainstSelf(LeaseCheck check, const std::optional<Cidr>& ownSubnet,
                            const Endpoint& ownEndpoint)
{
    if (!check.member) {
        return check;
    }
    const Member& m = *check.member;
    if (ownSubnet && m.subnet.overlaps(*ownSubnet)) {
        return bad(BadLease::ClaimsOurSubnet, QStringLiteral("%1 overlaps this host's subnet %2")
                                                  .arg(m.subnet.toString(), ownSubnet->toString()));
    }
    if (m.endpoint == ownEndpoint) {
        return bad(
            BadLease::OurEndpoint,
            QStringLiteral("it names this host's own endpoint %1").arg(ownEndpoint.toString()));
    }
    return check;
}

std::optional<QHostAddress> leasePublicIp(const QByteArray& value)
{
    if (value.size() > kMaxLeaseBytes) {
        return std::nullopt;
    }
    const QJsonValue v = QJsonDocument::fromJson(value).object().value(QStringLiteral("PublicIP"));
    const auto ip = v.isString() ? parseIPv4(v.toString()) : std::nullopt;
    if (!ip) {
        return std::nullopt;
    }
    return QHostAddress(*ip);
}

quint32 subnetCount(const NetworkConfig& c)
{
    const quint32 lo = c.subnetMin.toIPv4Address();
    const quint32 hi = c.subnetMax.toIPv4Address();
    if (hi < lo) {
        return 0;
    }
    return ((hi - lo) >> (32 - c.subnetLen)) + 1;
}

Cidr subnetAt(const NetworkConfig& c, quint32 index)
{
    return {QHostAddress(c.subnetMin.toIPv4Address() + index * subnetSize(c)), c.subnetLen};
}

std::optional<Cidr> chooseSubnet(const NetworkConfig& c, const QSet<quint32>& taken, quint32 start)
{
    const quint32 count = subnetCount(c);
    if (count == 0) {
        return std::nullopt;
    }
    const quint32 first = start % count;
    for (quint32 i = 0; i < count; ++i) {
        const quint32 index = (first + i) % count;
        const Cidr s = subnetAt(c, index);
        if (!taken.contains(s.address.toIPv4Address())) {
            return s;
        }
    }
    return std::nullopt;
}

} // namespace peertun::mesh
