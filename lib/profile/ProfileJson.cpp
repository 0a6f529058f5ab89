// The JSON side of a profile: reading keys and types into a Profile (then validateProfile for
// the meaning), and writing the canonical document.
#include "Profile.h"
#include "ProfileText.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QStringList>
#include <algorithm>
#include <cmath>
#include <limits>
#include <span>

namespace peertun {

using profile_detail::indexPath;
using profile_detail::joinPath;
using profile_detail::quoted;

namespace {

// Allowed keys per level. A new mode adds its keys here (and reads them below).
using KeyList = std::span<const char* const>;
constexpr const char* kRootKeys[] = {"version", "name", "interface", "mode", "peers", "mesh"};
constexpr const char* kInterfaceKeys[] = {"name",       "address", "mtu",        "listen",
                                          "privateKey", "dns",     "killSwitch", "allowLan"};
constexpr const char* kDnsKeys[] = {"servers", "domains"};
constexpr const char* kPeerKeys[] = {"name",      "endpoint",     "subnets",
                                     "publicKey", "presharedKey", "persistentKeepalive"};
constexpr const char* kMeshKeys[] = {"etcd",    "prefix",   "caFile",   "certFile",
                                     "keyFile", "username", "password", "leaseTtl"};

QString describe(const QJsonValue& v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return QStringLiteral("null");
    case QJsonValue::Bool:
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double:
        return QCoreApplication::translate("peertun::Profile", "the number %1").arg(v.toDouble());
    case QJsonValue::String:
        return QCoreApplication::translate("peertun::Profile", "the string %1")
            .arg(quoted(v.toString()));
    case QJsonValue::Array:
        return QCoreApplication::translate("peertun::Profile", "an array");
    case QJsonValue::Object:
        return QCoreApplication::translate("peertun::Profile", "an object");
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("undefined");
}

QString where(const QString& path)
{
    return path.isEmpty() ? QCoreApplication::translate("peertun::Profile", "the profile") : path;
}

// Reads typed members and remembers which fields already have an error, so the semantic
// pass does not report the same field again with a less precise message.
class Reader
{
public:
    QList<ProfileError> errors;

    void error(const QString& field, const QString& message)
    {
        errors.append({field, message});
        m_failed.append(field);
    }

    // True if `field` or one of its ancestors already has an error.
    bool covered(const QString& field) const
    {
        for (const QString& f : m_failed) {
            if (field == f || (field.startsWith(f) && field.size() > f.size() &&
                               (field[f.size()] == u'.' || field[f.size()] == u'[')))
                return true;
        }
        return false;
    }

    void checkKeys(const QJsonObject& o, const QString& path, KeyList allowed)
    {
        QStringList names;
        for (const char* a : allowed)
            names << QString::fromLatin1(a);
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (!names.contains(it.key()))
                error(joinPath(path, it.key()),
                      QCoreApplication::translate(
                          "peertun::Profile", "The key %1 is unknown in %2; allowed keys are: %3.")
                          .arg(quoted(it.key()), where(path), names.join(QStringLiteral(", "))));
        }
    }

    std::optional<QJsonValue> member(const QJsonObject& o, const QString& path, const char* key,
                                     bool required)
    {
        const QString k = QString::fromLatin1(key);
        const auto it = o.constFind(k);
        if (it == o.constEnd()) {
            if (required)
                error(joinPath(path, k), QCoreApplication::translate(
                                             "peertun::Profile", "The key %1 is missing from %2.")
                                             .arg(quoted(k), where(path)));
            return std::nullopt;
        }
        return it.value();
    }

    std::optional<QString> string(const QJsonObject& o, const QString& path, const char* key)
    {
        const auto v = member(o, path, key, true);
        if (!v)
            return std::nullopt;
        if (!v->isString()) {
            typeError(joinPath(path, QString::fromLatin1(key)),
                      QCoreApplication::translate("peertun::Profile", "a string"), *v);
            return std::nullopt;
        }
        return v->toString();
    }

    // An optional string member: nullopt when absent or of the wrong type (reported).
    std::optional<QString> optionalString(const QJsonObject& o, const QString& path,
                                          const char* key)
    {
        if (!member(o, path, key, false))
            return std::nullopt;
        return string(o, path, key);
    }

    std::optional<int> integer(const QJsonObject& o, const QString& path, const char* key,
                               bool required)
    {
        const auto v = member(o, path, key, required);
        if (!v)
            return std::nullopt;
        const QString field = joinPath(path, QString::fromLatin1(key));
        const double d = v->toDouble();
        if (!v->isDouble() || !std::isfinite(d) || std::floor(d) != d) {
            typeError(field, QCoreApplication::translate("peertun::Profile", "a whole number"), *v);
            return std::nullopt;
        }
        if (d < std::numeric_limits<int>::min() || d > std::numeric_limits<int>::max()) {
            error(field, QCoreApplication::translate("peertun::Profile",
                                                     "The value %1 of %2 is far out of range.")
                             .arg(d)
                             .arg(field));
            return std::nullopt;
        }
        return int(d);
    }

    // An optional boolean member: `fallback` when absent, nullopt on the wrong type (reported).
    std::optional<bool> boolean(const QJsonObject& o, const QString& path, const char* key,
                                bool fallback)
    {
        const auto v = member(o, path, key, false);
        if (!v)
            return fallback;
        if (!v->isBool()) {
            typeError(joinPath(path, QString::fromLatin1(key)),
                      QCoreApplication::translate("peertun::Profile", "true or false"), *v);
            return std::nullopt;
        }
        return v->toBool();
    }

    // An optional array of strings: empty when absent; wrong types are reported per element.
    QStringList stringList(const QJsonObject& o, const QString& path, const char* key)
    {
        QStringList out;
        if (!member(o, path, key, false))
            return out;
        const auto a = array(o, path, key);
        if (!a)
            return out;
        const QString listPath = joinPath(path, QString::fromLatin1(key));
        for (qsizetype i = 0; i < a->size(); ++i) {
            if (a->at(i).isString())
                out << a->at(i).toString();
            else
                typeError(indexPath(listPath, i),
                          QCoreApplication::translate("peertun::Profile", "a string"), a->at(i));
        }
        return out;
    }

    std::optional<QJsonObject> object(const QJsonObject& o, const QString& path, const char* key)
    {
        const auto v = member(o, path, key, true);
        if (!v)
            return std::nullopt;
        if (!v->isObject()) {
            typeError(joinPath(path, QString::fromLatin1(key)),
                      QCoreApplication::translate("peertun::Profile", "an object"), *v);
            return std::nullopt;
        }
        return v->toObject();
    }

    std::optional<QJsonArray> array(const QJsonObject& o, const QString& path, const char* key)
    {
        const auto v = member(o, path, key, true);
        if (!v)
            return std::nullopt;
        if (!v->isArray()) {
            typeError(joinPath(path, QString::fromLatin1(key)),
                      QCoreApplication::translate("peertun::Profile", "an array"), *v);
            return std::nullopt;
        }
        return v->toArray();
    }

    void typeError(const QString& field, const QString& expected, const QJsonValue& v)
    {
        error(field, QCoreApplication::translate("peertun::Profile", "%1 must be %2, but it is %3.")
                         .arg(field, expected, describe(v)));
    }

private:
    QStringList m_failed;
};

// `mesh`: the address comes from the subnet lease; one given anyway is read so that the
// validation names it.
void readInterface(Reader& r, const QJsonObject& o, InterfaceConfig& itf, TunnelMode mode,
                   bool mesh)
{
    const QString path = QStringLiteral("interface");
    r.checkKeys(o, path, kInterfaceKeys);
    if (const auto name = r.string(o, path, "name"))
        itf.name = *name;
    if (mesh && !o.contains(QStringLiteral("address"))) {
        // left out, as it should be
    } else if (const auto address = r.string(o, path, "address")) {
        QString why;
        if (const auto cidr = parseCidr(*address, &why, false))
            itf.address = *cidr;
        else
            r.error(QStringLiteral("interface.address"), why);
    }
    if (const auto mtu = r.integer(o, path, "mtu", false))
        itf.mtu = *mtu;
    // An absent "listen" means ":8285" in plain mode (every address, flannel's UDP backend
    // port), and a random free port in WireGuard mode (as `wg` does without a listen-port), so
    // a client never collides with a WireGuard server on 51820.
    if (mode == TunnelMode::WireGuard)
        itf.listen = Endpoint{QHostAddress(), 0, {}};
    if (r.member(o, path, "listen", false)) {
        if (const auto listen = r.string(o, path, "listen")) {
            QString why;
            if (const auto ep = parseEndpoint(*listen, &why, true))
                itf.listen = *ep;
            else
                r.error(QStringLiteral("interface.listen"), why);
        }
    }
    // Checked by validateProfile (which knows the mode): present in plain mode is an error.
    if (const auto key = r.optionalString(o, path, "privateKey"))
        itf.privateKey = *key;
    if (r.member(o, path, "dns", false)) {
        if (const auto dns = r.object(o, path, "dns")) {
            const QString dnsPath = joinPath(path, QStringLiteral("dns"));
            r.checkKeys(*dns, dnsPath, kDnsKeys);
            const QStringList servers = r.stringList(*dns, dnsPath, "servers");
            const QString serversPath = joinPath(dnsPath, QStringLiteral("servers"));
            for (qsizetype i = 0; i < servers.size(); ++i) {
                QString why;
                if (const auto address = parseDnsServer(servers[i], &why)) {
                    itf.dns.servers << *address;
                } else {
                    itf.dns.servers << QHostAddress(); // keeps the indexes of later servers right
                    r.error(indexPath(serversPath, i), why);
                }
            }
            itf.dns.domains = r.stringList(*dns, dnsPath, "domains");
        }
    }
    if (const auto on = r.boolean(o, path, "killSwitch", false))
        itf.killSwitch = *on;
    if (const auto on = r.boolean(o, path, "allowLan", false))
        itf.allowLan = *on;
}

void readMesh(Reader& r, const QJsonObject& o, MeshConfig& mesh)
{
    const QString path = QStringLiteral("mesh");
    r.checkKeys(o, path, kMeshKeys);
    if (const auto etcd = r.array(o, path, "etcd")) {
        for (qsizetype i = 0; i < etcd->size(); ++i) {
            const QJsonValue v = etcd->at(i);
            if (!v.isString())
                r.typeError(indexPath(QStringLiteral("mesh.etcd"), i),
                            QCoreApplication::translate("peertun::Profile", "a string"), v);
            mesh.etcd.append(v.toString()); // placeholder keeps the indexes right
        }
    }
    if (const auto prefix = r.optionalString(o, path, "prefix"))
        mesh.prefix = *prefix;
    if (const auto v = r.optionalString(o, path, "caFile"))
        mesh.caFile = *v;
    if (const auto v = r.optionalString(o, path, "certFile"))
        mesh.certFile = *v;
    if (const auto v = r.optionalString(o, path, "keyFile"))
        mesh.keyFile = *v;
    if (const auto v = r.optionalString(o, path, "username"))
        mesh.username = *v;
    if (const auto v = r.optionalString(o, path, "password"))
        mesh.password = *v;
    if (const auto seconds = r.integer(o, path, "leaseTtl", false))
        mesh.leaseTtl = *seconds;
}

// `endpointOptional`: WireGuard mode, where a peer may be one that connects to us (its
// endpoint is learned from its first authenticated handshake).
void readPeer(Reader& r, const QJsonObject& o, const QString& path, PeerConfig& peer,
              bool endpointOptional)
{
    r.checkKeys(o, path, kPeerKeys);
    if (const auto name = r.string(o, path, "name"))
        peer.name = *name;
    if (endpointOptional && !o.contains(QStringLiteral("endpoint"))) {
        peer.endpoint = Endpoint{QHostAddress(), 0, {}};
    } else if (const auto endpoint = r.string(o, path, "endpoint")) {
        QString why;
        if (const auto ep = parseEndpoint(*endpoint, &why, false))
            peer.endpoint = *ep;
        else
            r.error(joinPath(path, QStringLiteral("endpoint")), why);
    }
    if (const auto subnets = r.array(o, path, "subnets")) {
        const QString subnetsPath = joinPath(path, QStringLiteral("subnets"));
        for (qsizetype j = 0; j < subnets->size(); ++j) {
            const QString field = indexPath(subnetsPath, j);
            const QJsonValue v = subnets->at(j);
            Cidr cidr; // placeholder keeps the indexes of later subnets right
            if (!v.isString()) {
                r.typeError(field, QCoreApplication::translate("peertun::Profile", "a string"), v);
            } else {
                QString why;
                if (const auto parsed = parseCidr(v.toString(), &why, true))
                    cidr = *parsed;
                else
                    r.error(field, why);
            }
            peer.subnets.append(cidr);
        }
    }
    if (const auto key = r.optionalString(o, path, "publicKey"))
        peer.publicKey = *key;
    if (const auto key = r.optionalString(o, path, "presharedKey"))
        peer.presharedKey = *key;
    if (const auto seconds = r.integer(o, path, "persistentKeepalive", false))
        peer.persistentKeepalive = *seconds;
}

// 1-based line and column (in characters) of a byte offset into UTF-8 text.
void lineAndColumn(const QByteArray& text, qsizetype offset, int* line, int* column)
{
    offset = std::clamp<qsizetype>(offset, 0, text.size());
    *line = 1;
    *column = 1;
    for (qsizetype i = 0; i < offset; ++i) {
        const auto byte = quint8(text[i]);
        if (byte == '\n') {
            ++*line;
            *column = 1;
        } else if ((byte & 0xc0) != 0x80) { // not a UTF-8 continuation byte
            ++*column;
        }
    }
}

// Sort key for a field path so errors come out in document order: known keys in schema
// order, unknown keys after them, array elements by index.
QList<int> fieldOrder(const QString& field)
{
    if (field.isEmpty()) // here only the "more errors" note, which belongs at the end
        return {std::numeric_limits<int>::max()};
    QList<int> key;
    KeyList level = kRootKeys;
    for (const QString& part : field.split(u'.', Qt::SkipEmptyParts)) {
        const qsizetype bracket = part.indexOf(u'[');
        const QString name = part.left(bracket);
        int rank = int(level.size());
        for (int i = 0; i < int(level.size()); ++i) {
            if (name == QLatin1String(level[size_t(i)]))
                rank = i;
        }
        key << rank;
        for (qsizetype b = bracket; b >= 0; b = part.indexOf(u'[', b + 1))
            key << part.mid(b + 1, part.indexOf(u']', b) - b - 1).toInt();
        level = name == u"interface" ? KeyList(kInterfaceKeys)
                : name == u"peers"   ? KeyList(kPeerKeys)
                : name == u"dns"     ? KeyList(kDnsKeys)
                : name == u"mesh"    ? KeyList(kMeshKeys)
                                     : KeyList();
    }
    return key;
}

QByteArray jsonString(const QString& s)
{
    // Qt's own escaping; the array wrapper is the smallest document holding a string.
    const QByteArray doc = QJsonDocument(QJsonArray{s}).toJson(QJsonDocument::Compact);
    return doc.mid(1, doc.size() - 2);
}

} // namespace

ProfileParseResult parseProfile(const QByteArray& json)
{
    ProfileParseResult result;
    // Before parsing: the helper must not spend memory on an arbitrarily large document.
    if (json.size() > kMaxProfileBytes) {
        result.errors.append(
            {QString(), QCoreApplication::translate("peertun::Profile",
                                                    "The profile is %1 bytes long; at most "
                                                    "%2 bytes (64 KiB) are allowed.")
                            .arg(json.size())
                            .arg(kMaxProfileBytes)});
        return result;
    }
    if (json.trimmed().isEmpty()) {
        result.errors.append(
            {QString(), QCoreApplication::translate("peertun::Profile", "The profile is empty."), 1,
             1});
        return result;
    }
    // QJsonDocument keeps the last of duplicate keys; acceptable, as the result is what gets
    // validated and used.
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        ProfileError e;
        lineAndColumn(json, parseError.offset, &e.line, &e.column);
        e.message =
            QCoreApplication::translate("peertun::Profile",
                                        "The profile is not valid JSON: %1 at line %2, column %3.")
                .arg(parseError.errorString())
                .arg(e.line)
                .arg(e.column);
        result.errors.append(e);
        return result;
    }
    if (!doc.isObject()) {
        result.errors.append(
            {QString(),
             QCoreApplication::translate("peertun::Profile", "The profile must be a JSON object "
                                                             "({ ... }).")});
        return result;
    }

    const QJsonObject root = doc.object();
    const QString top;
    Reader r;
    Profile profile;
    // Another version may mean other keys entirely: report only that.
    if (const auto version = r.integer(root, top, "version", true)) {
        if (*version != kProfileSchemaVersion) {
            result.errors.append(
                {QStringLiteral("version"),
                 QCoreApplication::translate(
                     "peertun::Profile",
                     "Schema version %1 is not supported; this peertun reads version "
                     "%2.")
                     .arg(*version)
                     .arg(kProfileSchemaVersion)});
            return result;
        }
    }
    r.checkKeys(root, top, kRootKeys);
    if (const auto name = r.string(root, top, "name"))
        profile.name = *name;
    const bool mesh = root.contains(QStringLiteral("mesh"));
    if (mesh) {
        profile.mesh.emplace();
        if (const auto m = r.object(root, top, "mesh"))
            readMesh(r, *m, *profile.mesh);
    }
    if (const auto mode = r.string(root, top, "mode")) {
        if (const auto m = modeFromString(*mode))
            profile.mode = *m;
        else
            r.error(QStringLiteral("mode"),
                    QCoreApplication::translate("peertun::Profile",
                                                "The mode %1 is unknown; supported "
                                                "modes: %2.")
                        .arg(quoted(*mode), profile_detail::supportedModesText()));
    }
    if (const auto itf = r.object(root, top, "interface"))
        readInterface(r, *itf, profile.interface, profile.mode, mesh);
    if (mesh && !root.contains(QStringLiteral("peers"))) {
        // a mesh profile's peers come from etcd
    } else if (const auto peers = r.array(root, top, "peers")) {
        for (qsizetype i = 0; i < peers->size(); ++i) {
            const QString path = indexPath(QStringLiteral("peers"), i);
            const QJsonValue v = peers->at(i);
            PeerConfig peer; // placeholder keeps the indexes of later peers right
            if (v.isObject())
                readPeer(r, v.toObject(), path, peer, profile.mode == TunnelMode::WireGuard);
            else
                r.typeError(path, QCoreApplication::translate("peertun::Profile", "an object"), v);
            profile.peers.append(peer);
        }
    }

    result.errors = r.errors;
    for (const ProfileError& e : validateProfile(profile)) {
        if (e.field.isEmpty() || !r.covered(e.field))
            result.errors.append(e);
    }
    std::stable_sort(result.errors.begin(), result.errors.end(),
                     [](const ProfileError& a, const ProfileError& b) {
                         return fieldOrder(a.field) < fieldOrder(b.field);
                     });
    if (result.errors.size() > kMaxProfileErrors) {
        result.errors.resize(kMaxProfileErrors - 1);
        result.errors.append(
            {QString(), QCoreApplication::translate("peertun::Profile",
                                                    "There are more errors; only the first "
                                                    "%1 are reported.")
                            .arg(kMaxProfileErrors - 1)});
    }
    if (result.errors.isEmpty())
        result.profile = profile;
    return result;
}

QByteArray serializeProfile(const Profile& p)
{
    // Written by hand for a fixed, readable key order (QJsonDocument sorts keys).
    const InterfaceConfig& itf = p.interface;
    QByteArray out;
    out += "{\n";
    out += "    \"version\": " + QByteArray::number(p.version) + ",\n";
    out += "    \"name\": " + jsonString(p.name) + ",\n";
    out += "    \"interface\": {\n";
    out += "        \"name\": " + jsonString(itf.name) + ",\n";
    if (!p.mesh)
        out += "        \"address\": " + jsonString(itf.address.toString()) + ",\n";
    if (itf.mtu)
        out += "        \"mtu\": " + QByteArray::number(*itf.mtu) + ",\n";
    const bool wg = p.mode == TunnelMode::WireGuard;
    QByteArrayList members;
    // WireGuard's random port is written by leaving "listen" out.
    if (!(wg && itf.listen.host.isNull() && itf.listen.port == 0))
        members << "\"listen\": " + jsonString(itf.listen.toString());
    if (wg)
        members << "\"privateKey\": " + jsonString(itf.privateKey);
    if (!itf.dns.isEmpty()) {
        QByteArrayList servers;
        for (const QHostAddress& a : itf.dns.servers)
            servers << jsonString(a.toString());
        QByteArrayList domains;
        for (const QString& d : itf.dns.domains)
            domains << jsonString(d);
        members << "\"dns\": { \"servers\": [" + servers.join(", ") + "], \"domains\": [" +
                       domains.join(", ") + "] }";
    }
    if (itf.killSwitch)
        members << QByteArray("\"killSwitch\": true");
    if (itf.allowLan)
        members << QByteArray("\"allowLan\": true");
    out += "        " + members.join(",\n        ") + "\n";
    out += "    },\n";
    out += "    \"mode\": " + jsonString(modeToString(p.mode)) + ",\n";
    if (p.mesh) {
        const MeshConfig& m = *p.mesh;
        out += "    \"mesh\": {\n";
        out += "        \"etcd\": [";
        for (qsizetype i = 0; i < m.etcd.size(); ++i)
            out += (i > 0 ? ", " : "") + jsonString(m.etcd[i]);
        out += "],\n";
        const std::pair<const char*, const QString*> optional[] = {{"caFile", &m.caFile},
                                                                   {"certFile", &m.certFile},
                                                                   {"keyFile", &m.keyFile},
                                                                   {"username", &m.username},
                                                                   {"password", &m.password}};
        for (const auto& [key, value] : optional) {
            if (!value->isEmpty())
                out += QByteArray("        \"") + key + "\": " + jsonString(*value) + ",\n";
        }
        if (m.leaseTtl != kDefaultMeshLeaseTtl)
            out += "        \"leaseTtl\": " + QByteArray::number(m.leaseTtl) + ",\n";
        out += "        \"prefix\": " + jsonString(m.prefix) + "\n";
        out += "    }\n";
    } else if (p.peers.isEmpty()) {
        out += "    \"peers\": []\n";
    } else {
        out += "    \"peers\": [\n";
        for (qsizetype i = 0; i < p.peers.size(); ++i) {
            const PeerConfig& peer = p.peers[i];
            out += "        {\n";
            out += "            \"name\": " + jsonString(peer.name) + ",\n";
            if (!(wg && peer.endpoint.host.isNull() && !peer.endpoint.hasHostName()))
                out += "            \"endpoint\": " + jsonString(peer.endpoint.toString()) + ",\n";
            out += "            \"subnets\": [";
            for (qsizetype j = 0; j < peer.subnets.size(); ++j) {
                if (j > 0)
                    out += ", ";
                out += jsonString(peer.subnets[j].toString());
            }
            if (wg) {
                out += "],\n";
                out += "            \"publicKey\": " + jsonString(peer.publicKey);
                if (!peer.presharedKey.isEmpty())
                    out += ",\n            \"presharedKey\": " + jsonString(peer.presharedKey);
                if (peer.persistentKeepalive)
                    out += ",\n            \"persistentKeepalive\": " +
                           QByteArray::number(*peer.persistentKeepalive);
                out += "\n";
            } else {
                out += "]\n";
            }
            out += i + 1 < p.peers.size() ? "        },\n" : "        }\n";
        }
        out += "    ]\n";
    }
    out += "}\n";
    return out;
}

} // namespace peertun
