// The profile library: every rejection names its field and the bad value, good documents
// parse to the expected values, and serialization is canonical and round-trips exactly.
#include "Profile.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <variant>

using namespace peertun;

namespace {

// The first example host, in canonical (serialized) form.
const QByteArray kHost1 = R"({
    "version": 1,
    "name": "office",
    "interface": {
        "name": "flannel99",
        "address": "10.244.2.2/24",
        "mtu": 1472,
        "listen": "10.211.55.122:8285"
    },
    "mode": "plain",
    "peers": [
        {
            "name": "host-2",
            "endpoint": "10.211.55.123:8285",
            "subnets": ["10.244.3.0/24"]
        }
    ]
}
)";

const QByteArray kHost2 = R"({
    "version": 1,
    "name": "office",
    "interface": {
        "name": "flannel99",
        "address": "10.244.3.3/24",
        "mtu": 1472,
        "listen": "10.211.55.123:8285"
    },
    "mode": "plain",
    "peers": [
        {
            "name": "host-1",
            "endpoint": "10.211.55.122:8285",
            "subnets": ["10.244.2.0/24"]
        }
    ]
}
)";

const QByteArray kIpv6 = R"({
    "version": 1,
    "name": "v6 lab",
    "interface": {
        "name": "peertun6",
        "address": "fd00:244::2/64",
        "listen": "[fd00:211::122]:8285"
    },
    "mode": "plain",
    "peers": [
        {
            "name": "host-2",
            "endpoint": "[fd00:211::123]:8285",
            "subnets": ["fd00:244:0:1::/64", "fd00:244::3/128"]
        }
    ]
}
)";

// A WireGuard host (test keys only, made with `wg genkey` for this file).
const QByteArray kWireGuard = R"({
    "version": 1,
    "name": "wg lab",
    "interface": {
        "name": "wg-lab",
        "address": "10.66.0.1/24",
        "listen": ":51820",
        "privateKey": "KM7qyHHz5YFU3M8+KWMWfMOhpQWUxxeBFFRYUS/fglI="
    },
    "mode": "wireguard",
    "peers": [
        {
            "name": "laptop",
            "endpoint": "192.0.2.7:51820",
            "subnets": ["10.66.0.2/32"],
            "publicKey": "dY0t6wpQ8oDNFWbqGsFmj1o9nM3Gu7Tr8IGHSJSDzy8=",
            "presharedKey": "4R+XEUX/FnzsxKRTu9dBX4rP+FV7erznhBJc9RldkDw=",
            "persistentKeepalive": 25
        },
        {
            "name": "phone",
            "endpoint": "192.0.2.8:51820",
            "subnets": ["10.66.0.3/32"],
            "publicKey": "cPmiApcFZNLhCGFagkaFxS9hHUsx0EpT5CnkkLF56XQ="
        }
    ]
}
)";
const QString kPrivateKey = QStringLiteral("KM7qyHHz5YFU3M8+KWMWfMOhpQWUxxeBFFRYUS/fglI=");
const QString kPeerPublicKey = QStringLiteral("dY0t6wpQ8oDNFWbqGsFmj1o9nM3Gu7Tr8IGHSJSDzy8=");
const QString kPresharedKey = QStringLiteral("4R+XEUX/FnzsxKRTu9dBX4rP+FV7erznhBJc9RldkDw=");

// Applies one change to the first example host and returns the new document. `path` is a
// profile field path ("interface.address", "peers[0].subnets[1]"); an index equal to the
// array's size appends.
using Token = std::variant<QString, qsizetype>;

QList<Token> tokens(const QString& path)
{
    QList<Token> out;
    for (const QString& part : path.split(u'.')) {
        const qsizetype bracket = part.indexOf(u'[');
        out.append(part.left(bracket));
        if (bracket >= 0)
            out.append(part.mid(bracket + 1, part.size() - bracket - 2).toLongLong());
    }
    return out;
}

QJsonValue apply(const QJsonValue& node, const QList<Token>& t, qsizetype pos,
                 const std::optional<QJsonValue>& value)
{
    const bool last = pos + 1 == t.size();
    if (const auto* key = std::get_if<QString>(&t[pos])) {
        QJsonObject o = node.toObject();
        if (last && !value)
            o.remove(*key);
        else
            o[*key] = last ? *value : apply(o.value(*key), t, pos + 1, value);
        return o;
    }
    const qsizetype i = std::get<qsizetype>(t[pos]);
    QJsonArray a = node.toArray();
    if (last && !value)
        a.removeAt(i);
    else if (i == a.size())
        a.append(last ? *value : apply(QJsonValue(), t, pos + 1, value));
    else
        a[i] = last ? *value : apply(a.at(i), t, pos + 1, value);
    return a;
}

QByteArray edited(const QList<std::pair<QString, std::optional<QJsonValue>>>& changes,
                  const QByteArray& base = kHost1)
{
    QJsonValue root = QJsonDocument::fromJson(base).object();
    for (const auto& [path, value] : changes)
        root = apply(root, tokens(path), 0, value);
    return QJsonDocument(root.toObject()).toJson();
}

QByteArray with(const QString& path, const QJsonValue& value)
{
    return edited({{path, value}});
}

QByteArray without(const QString& path)
{
    return edited({{path, std::nullopt}});
}

QJsonObject peer(const QString& name, const QString& endpoint, const QStringList& subnets)
{
    return QJsonObject{
        {"name", name}, {"endpoint", endpoint}, {"subnets", QJsonArray::fromStringList(subnets)}};
}

QString describe(const QList<ProfileError>& errors)
{
    QStringList lines;
    for (const auto& e : errors)
        lines << QStringLiteral("[%1] %2").arg(e.field, e.message);
    return lines.join(u'\n');
}

} // namespace

class TestProfile final : public QObject
{
    Q_OBJECT

private slots:
    void rejectsBadInput_data();
    void rejectsBadInput();
    void acceptsGoodDocuments_data();
    void acceptsGoodDocuments();
    void canonicalDocumentsSerializeByteIdentical_data();
    void canonicalDocumentsSerializeByteIdentical();
    void roundTripsProgrammaticProfile();
    void collectsAllErrors();
    void reportsEachBadFieldOnce();
    void capsTheNumberOfErrors();
    void reportsLineAndColumnOfMalformedJson_data();
    void reportsLineAndColumnOfMalformedJson();
    void cidrContainsAndOverlaps_data();
    void cidrContainsAndOverlaps();
    void parsesEndpoints_data();
    void parsesEndpoints();
    void validatesInMemoryProfile();
    void proposesKillSwitchForAFullTunnel_data();
    void proposesKillSwitchForAFullTunnel();
    void modeNamesRoundTrip();
    void acceptsWireGuardProfile();
    void wireGuardListenDefaults_data();
    void wireGuardListenDefaults();
    void neverEchoesKeys_data();
    void neverEchoesKeys();
    void quotesControlCharactersInMessages();
    void wipeSecretsClearsKeysOnly();
};

void TestProfile::rejectsBadInput_data()
{
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("message");

    // Document level.
    QTest::newRow("too big") << QByteArray(kMaxProfileBytes + 1, ' ') << ""
                             << "at most 65536 bytes (64 KiB)";
    QTest::newRow("too big even if valid JSON")
        << QByteArray(kHost1).append(QByteArray(kMaxProfileBytes, ' ')) << ""
        << "at most 65536 bytes";
    QTest::newRow("empty") << QByteArray() << ""
                           << "The profile is empty";
    QTest::newRow("malformed") << QByteArray("{\"version\": 1,}") << ""
                               << "not valid JSON";
    QTest::newRow("array at top") << QByteArray("[1, 2]") << ""
                                  << "must be a JSON object";
    QTest::newRow("version 2") << with("version", 2) << "version"
                               << "Schema version 2 is not supported";
    QTest::newRow("version 0") << with("version", 0) << "version"
                               << "Schema version 0 is not supported";
    QTest::newRow("version string") << with("version", "1") << "version"
                                    << "version must be a whole number, but it is the string \"1\"";
    QTest::newRow("version missing") << without("version") << "version"
                                     << "The key \"version\" is missing from the profile";
    QTest::newRow("unknown key at top") << with("colour", "blue") << "colour"
                                        << "The key \"colour\" is unknown in the profile";
    QTest::newRow("unknown key in interface")
        << with("interface.table", "x") << "interface.table"
        << "The key \"table\" is unknown in interface; allowed keys are: name, address, mtu, "
           "listen, privateKey, dns, killSwitch, allowLan";
    QTest::newRow("unknown key in peer") << with("peers[0].colour", "x") << "peers[0].colour"
                                         << "\"colour\" is unknown in peers[0]";

    // Profile name (it becomes a file name in the app).
    QTest::newRow("name empty") << with("name", "") << "name"
                                << "The profile name is empty";
    QTest::newRow("name missing") << without("name") << "name"
                                  << "\"name\" is missing";
    QTest::newRow("name number") << with("name", 7) << "name"
                                 << "name must be a string, but it is the number 7";
    QTest::newRow("name too long") << with("name", QString(65, u'x')) << "name"
                                   << "is 65 characters long; at most 64";
    QTest::newRow("name with slash") << with("name", "a/b") << "name"
                                     << "\"a/b\" contains '/'";
    QTest::newRow("name with control") << with("name", "a\u0007b") << "name"
                                       << "control character (U+0007)";
    // Invisible and direction-changing characters: a name must read the same in every log.
    QTest::newRow("name with right-to-left override")
        << with("name", QString::fromUtf8("invoice\u202Efdp.exe")) << "name"
        << "contains a character that changes the text direction (U+202E), which is not "
           "allowed";
    QTest::newRow("name with left-to-right isolate")
        << with("name", QString::fromUtf8("a\u2066b")) << "name"
        << "(U+2066)";
    QTest::newRow("name with right-to-left mark")
        << with("name", QString::fromUtf8("a\u200Fb")) << "name"
        << "(U+200F)";
    QTest::newRow("name with arabic letter mark")
        << with("name", QString::fromUtf8("a\u061Cb")) << "name"
        << "(U+061C)";
    QTest::newRow("name with zero-width space")
        << with("name", QString::fromUtf8("off\u200Bice")) << "name"
        << "contains an invisible formatting character (U+200B)";
    QTest::newRow("name with zero-width joiner")
        << with("name", QString::fromUtf8("a\u200Db")) << "name"
        << "(U+200D)";
    QTest::newRow("name with soft hyphen")
        << with("name", QString::fromUtf8("of\u00ADfice")) << "name"
        << "(U+00AD)";
    QTest::newRow("name with tag character (outside the BMP)")
        << with("name", QString::fromUcs4(U"a\U000E0041b")) << "name"
        << "invisible formatting character (U+E0041)";
    QTest::newRow("name with line separator")
        << with("name", QString::fromUtf8("a\u2028b")) << "name"
        << "a line or paragraph separator (U+2028)";
    QTest::newRow("name with hangul filler") << with("name", QString::fromUtf8("\u3164")) << "name"
                                             << "an invisible character (U+3164)";
    QTest::newRow("name with variation selector")
        << with("name", QString::fromUtf8("a\uFE0Fb")) << "name"
        << "(U+FE0F)";
    QTest::newRow("name with combining grapheme joiner")
        << with("name", QString::fromUtf8("a\u034Fb")) << "name"
        << "(U+034F)";
    QTest::newRow("name direction error names the fix")
        << with("name", QString::fromUtf8("a\u202Db")) << "name"
        << "where such a character hides or reorders text. Remove it.";
    QTest::newRow("name dot dot") << with("name", "..") << "name"
                                  << "The profile name \"..\" is not allowed";

    // Interface name.
    QTest::newRow("ifname empty") << with("interface.name", "") << "interface.name"
                                  << "The interface name is empty";
    QTest::newRow("ifname 16 bytes")
        << with("interface.name", "abcdefghijklmnop") << "interface.name"
        << "\"abcdefghijklmnop\" is 16 bytes long; Linux allows at "
           "most 15";
    QTest::newRow("ifname 15 bytes in 8 chars")
        << with("interface.name", QString::fromUtf8("\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3"
                                                    "\xa4\xc3\xa4x"))
        << "interface.name"
        << "contains 'ä'";
    QTest::newRow("ifname multibyte over 15 bytes")
        << with("interface.name", QString::fromUtf8("\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3"
                                                    "\xa4\xc3\xa4\xc3\xa4"))
        << "interface.name"
        << "is 16 bytes long";
    QTest::newRow("ifname slash") << with("interface.name", "tun/0") << "interface.name"
                                  << "\"tun/0\" contains '/'";
    QTest::newRow("ifname space") << with("interface.name", "tun 0") << "interface.name"
                                  << "\"tun 0\" contains whitespace";
    QTest::newRow("ifname tab") << with("interface.name", "tun\t0") << "interface.name"
                                << "\"tun\\t0\" contains whitespace";
    QTest::newRow("ifname colon") << with("interface.name", "eth0:1") << "interface.name"
                                  << "\"eth0:1\" contains ':'";
    QTest::newRow("ifname dot") << with("interface.name", ".") << "interface.name"
                                << "\".\" is not allowed";
    QTest::newRow("ifname dotdot") << with("interface.name", "..") << "interface.name"
                                   << "\"..\" is not allowed";
    QTest::newRow("ifname percent template") << with("interface.name", "tun%d") << "interface.name"
                                             << "\"tun%d\" contains '%'";
    QTest::newRow("ifname missing") << without("interface.name") << "interface.name"
                                    << "The key \"name\" is missing from interface";
    QTest::newRow("interface not object") << with("interface", "flannel99") << "interface"
                                          << "interface must be an object, but it is the string";
    QTest::newRow("interface missing") << without("interface") << "interface"
                                       << "\"interface\" is missing";

    // Interface address.
    QTest::newRow("address prefix 33")
        << with("interface.address", "10.244.2.2/33") << "interface.address"
        << "the prefix length 33 is out of range for IPv4 (0 to 32)";
    QTest::newRow("address prefix 129")
        << with("interface.address", "fd00::2/129") << "interface.address"
        << "prefix length 129 is out of range for IPv6 (0 to 128)";
    QTest::newRow("address prefix huge")
        << with("interface.address", "10.0.0.1/99999999999") << "interface.address"
        << "is out of range for IPv4";
    QTest::newRow("address prefix garbage")
        << with("interface.address", "10.244.2.2/abc") << "interface.address"
        << "the prefix length \"abc\" is not a number";
    QTest::newRow("address prefix negative")
        << with("interface.address", "10.244.2.2/-1") << "interface.address"
        << "is not a number";
    QTest::newRow("address no prefix")
        << with("interface.address", "10.244.2.2") << "interface.address"
        << "\"10.244.2.2\" has no prefix length";
    QTest::newRow("address garbage")
        << with("interface.address", "office/24") << "interface.address"
        << "\"office\" is not an IPv4 or IPv6 address";
    QTest::newRow("address short ipv4")
        << with("interface.address", "10.1/24") << "interface.address"
        << "\"10.1\" is not a valid IPv4 address";
    QTest::newRow("address leading zero")
        << with("interface.address", "010.244.2.2/24") << "interface.address"
        << "is not a valid IPv4 address";
    QTest::newRow("address octet 256")
        << with("interface.address", "10.244.2.256/24") << "interface.address"
        << "is not a valid IPv4 address";
    QTest::newRow("address bad ipv6")
        << with("interface.address", "fd00:::2/64") << "interface.address"
        << "\"fd00:::2\" is not a valid IPv6 address";
    QTest::newRow("address whitespace")
        << with("interface.address", " 10.244.2.2/24") << "interface.address"
        << "contains whitespace";
    QTest::newRow("address scope id")
        << with("interface.address", "fe80::1%eth0/64") << "interface.address"
        << "has a scope ID";
    QTest::newRow("address v4-mapped")
        << with("interface.address", "::ffff:10.244.2.2/120") << "interface.address"
        << "IPv4-mapped";
    QTest::newRow("address multicast")
        << with("interface.address", "224.0.0.5/24") << "interface.address"
        << "\"224.0.0.5/24\" cannot be a tunnel address: it is a "
           "multicast address";
    QTest::newRow("address unspecified")
        << with("interface.address", "0.0.0.0/8") << "interface.address"
        << "the unspecified address";
    QTest::newRow("address loopback")
        << with("interface.address", "127.0.0.2/8") << "interface.address"
        << "loopback";
    QTest::newRow("address number") << with("interface.address", 10) << "interface.address"
                                    << "interface.address must be a string, but it is the number "
                                       "10";
    QTest::newRow("address empty") << with("interface.address", "") << "interface.address"
                                   << "The address is empty";
    QTest::newRow("address missing") << without("interface.address") << "interface.address"
                                     << "\"address\" is missing from interface";

    // MTU.
    QTest::newRow("mtu string") << with("interface.mtu", "1472") << "interface.mtu"
                                << "interface.mtu must be a whole number, but it is the string";
    QTest::newRow("mtu fraction") << with("interface.mtu", 1472.5) << "interface.mtu"
                                  << "must be a whole number, but it is the number 1472.5";
    QTest::newRow("mtu null") << with("interface.mtu", QJsonValue::Null) << "interface.mtu"
                              << "must be a whole number, but it is null";
    QTest::newRow("mtu 575") << with("interface.mtu", 575) << "interface.mtu"
                             << "The MTU 575 is out of range; use 576 to 65535 for an IPv4";
    QTest::newRow("mtu 65536") << with("interface.mtu", 65536) << "interface.mtu"
                               << "The MTU 65536 is out of range";
    QTest::newRow("mtu negative") << with("interface.mtu", -1) << "interface.mtu"
                                  << "The MTU -1 is out of range";
    QTest::newRow("mtu 1e12") << with("interface.mtu", 1e12) << "interface.mtu"
                              << "far out of range";
    QTest::newRow("mtu ipv6 1279") << edited({{"interface.mtu", 1279}}, kIpv6) << "interface.mtu"
                                   << "The MTU 1279 is out of range; use 1280 to 65535 for an IPv6";

    // Listen address.
    QTest::newRow("listen port 0") << with("interface.listen", ":0") << "interface.listen"
                                   << "\":0\" is not a valid endpoint: port 0 is not allowed";
    QTest::newRow("listen port 65536")
        << with("interface.listen", "10.211.55.122:65536") << "interface.listen"
        << "the port 65536 is out of range; use 1 to 65535";
    QTest::newRow("listen port huge")
        << with("interface.listen", "10.211.55.122:123456789012") << "interface.listen"
        << "is out of range; use 1 to 65535";
    QTest::newRow("listen port garbage")
        << with("interface.listen", "10.211.55.122:http") << "interface.listen"
        << "the port \"http\" is not a number";
    QTest::newRow("listen no port")
        << with("interface.listen", "10.211.55.122") << "interface.listen"
        << "the port is missing";
    QTest::newRow("listen empty port")
        << with("interface.listen", "10.211.55.122:") << "interface.listen"
        << "the port is missing";
    QTest::newRow("listen v6 without brackets")
        << with("interface.listen", "fd00::1:8285") << "interface.listen"
        << "an IPv6 address must be in brackets";
    QTest::newRow("listen v4 in brackets")
        << with("interface.listen", "[10.211.55.122]:8285") << "interface.listen"
        << "brackets are only for IPv6";
    QTest::newRow("listen unclosed bracket")
        << with("interface.listen", "[fd00::1:8285") << "interface.listen"
        << "no matching ']'";
    QTest::newRow("listen multicast")
        << with("interface.listen", "239.1.1.1:8285") << "interface.listen"
        << "is a multicast address";
    QTest::newRow("listen hostname")
        << with("interface.listen", "localhost:8285") << "interface.listen"
        << "\"localhost\" is a host name, but a listen address must be an IP address";
    QTest::newRow("listen empty") << with("interface.listen", "") << "interface.listen"
                                  << "\"\" is not a valid endpoint: it is empty";
    QTest::newRow("listen array") << with("interface.listen", QJsonArray{8285})
                                  << "interface.listen"
                                  << "interface.listen must be a string, but it is an array";

    // Mode.
    QTest::newRow("mode unknown") << with("mode", "ipsec") << "mode"
                                  << "The mode \"ipsec\" is unknown; supported modes: plain, "
                                     "wireguard";
    QTest::newRow("mode case") << with("mode", "Plain") << "mode"
                               << "\"Plain\" is unknown";
    QTest::newRow("mode missing") << without("mode") << "mode"
                                  << "\"mode\" is missing";
    QTest::newRow("mode bool") << with("mode", true) << "mode"
                               << "mode must be a string, but it is true";

    // Peers.
    QTest::newRow("no peers") << with("peers", QJsonArray()) << "peers"
                              << "The profile has no peers; add at least one";
    QTest::newRow("peers missing") << without("peers") << "peers"
                                   << "\"peers\" is missing";
    QTest::newRow("peers object") << with("peers", QJsonObject()) << "peers"
                                  << "peers must be an array, but it is an object";
    QTest::newRow("peer not object") << with("peers[0]", "host-2") << "peers[0]"
                                     << "peers[0] must be an object, but it is the string "
                                        "\"host-2\"";
    QTest::newRow("peer name empty") << with("peers[0].name", "") << "peers[0].name"
                                     << "The peer name is empty";
    QTest::newRow("peer name missing") << without("peers[0].name") << "peers[0].name"
                                       << "\"name\" is missing from peers[0]";
    QTest::newRow("peer name too long")
        << with("peers[0].name", QString(65, u'p')) << "peers[0].name"
        << "65 characters long";
    QTest::newRow("peer name control") << with("peers[0].name", "a\u001b[31m") << "peers[0].name"
                                       << "control character (U+001b)";
    QTest::newRow("peer name with right-to-left override")
        << with("peers[0].name", QString::fromUtf8("host\u202E2")) << "peers[0].name"
        << "The peer name \"host\\u202e2\" contains a character that changes the text "
           "direction (U+202E)";
    QTest::newRow("peer name with zero-width space")
        << with("peers[0].name", QString::fromUtf8("host\u200B2")) << "peers[0].name"
        << "invisible formatting character (U+200B)";
    QTest::newRow("peer name with first strong isolate")
        << with("peers[0].name", QString::fromUtf8("\u2068host")) << "peers[0].name"
        << "(U+2068)";
    QTest::newRow("duplicate peer names")
        << with("peers[1]", peer("host-2", "10.211.55.124:8285", {"10.244.4.0/24"}))
        << "peers[1].name"
        << "The peer name \"host-2\" is used twice (peers[0] and peers[1])";

    // Peer endpoints.
    // Host names (RFC 1123): each bad one with the reason named.
    const QString label63(63, u'a');
    QTest::newRow("hostname underscore")
        << with("peers[0].endpoint", "vpn_1.example.test:8285") << "peers[0].endpoint"
        << "the host name \"vpn_1.example.test\" is not valid: it contains '_'";
    QTest::newRow("hostname space")
        << with("peers[0].endpoint", "vpn 1.example.test:8285") << "peers[0].endpoint"
        << "it contains U+0020";
    QTest::newRow("hostname slash")
        << with("peers[0].endpoint", "vpn/1.example.test:8285") << "peers[0].endpoint"
        << "it contains '/'";
    QTest::newRow("hostname not ascii")
        << with("peers[0].endpoint", "bür.example.test:8285") << "peers[0].endpoint"
        << "which is not ASCII; write an internationalized name in its \"xn--\" form";
    QTest::newRow("hostname label 64 bytes")
        << with("peers[0].endpoint", label63 + "a.example.test:8285") << "peers[0].endpoint"
        << "is 64 bytes long; a label has at most 63";
    QTest::newRow("hostname 254 bytes")
        << with("peers[0].endpoint",
                label63 + u'.' + label63 + u'.' + label63 + u'.' + QString(62, u'b') + ":8285")
        << "peers[0].endpoint" << "it is 254 bytes long; at most 253 are allowed";
    QTest::newRow("hostname empty label")
        << with("peers[0].endpoint", "vpn..example.test:8285") << "peers[0].endpoint"
        << "it has an empty label";
    QTest::newRow("hostname trailing dot")
        << with("peers[0].endpoint", "vpn.example.test.:8285") << "peers[0].endpoint"
        << "it has an empty label";
    QTest::newRow("hostname leading hyphen")
        << with("peers[0].endpoint", "-vpn.example.test:8285") << "peers[0].endpoint"
        << "the label \"-vpn\" starts or ends with '-'";
    QTest::newRow("hostname numeric last label")
        << with("peers[0].endpoint", "vpn.example.1:8285") << "peers[0].endpoint"
        << "its last label is a number";
    QTest::newRow("hostname no port")
        << with("peers[0].endpoint", "vpn.example.test") << "peers[0].endpoint"
        << "the port is missing";
    QTest::newRow("hostname for listen")
        << with("interface.listen", "vpn.example.test:8285") << "interface.listen"
        << "\"vpn.example.test\" is a host name, but a listen address must be an IP address";
    QTest::newRow("duplicate hostname endpoints")
        << edited({{"peers[0].endpoint", "vpn.example.test:8285"},
                   {"peers[1]", peer("host-3", "VPN.example.test:8285", {"10.244.4.0/24"})}})
        << "peers[1].endpoint" << "have the same endpoint vpn.example.test:8285";
    QTest::newRow("endpoint no host") << with("peers[0].endpoint", ":8285") << "peers[0].endpoint"
                                      << "the host is missing";
    QTest::newRow("endpoint no port")
        << with("peers[0].endpoint", "10.211.55.123") << "peers[0].endpoint"
        << "\"10.211.55.123\" is not a valid endpoint: the port is "
           "missing";
    QTest::newRow("endpoint v6 no port")
        << with("peers[0].endpoint", "[fd00:211::123]") << "peers[0].endpoint"
        << "the port is missing";
    QTest::newRow("endpoint port 0")
        << with("peers[0].endpoint", "10.211.55.123:0") << "peers[0].endpoint"
        << "port 0 is not allowed";
    QTest::newRow("endpoint port 70000")
        << with("peers[0].endpoint", "10.211.55.123:70000") << "peers[0].endpoint"
        << "the port 70000 is out of range";
    QTest::newRow("endpoint unspecified")
        << with("peers[0].endpoint", "0.0.0.0:8285") << "peers[0].endpoint"
        << "0.0.0.0 is the unspecified address";
    QTest::newRow("endpoint v6 unspecified")
        << with("peers[0].endpoint", "[::]:8285") << "peers[0].endpoint"
        << "the unspecified address";
    QTest::newRow("endpoint broadcast")
        << with("peers[0].endpoint", "255.255.255.255:8285") << "peers[0].endpoint"
        << "the broadcast address";
    QTest::newRow("endpoint multicast")
        << with("peers[0].endpoint", "[ff02::1]:8285") << "peers[0].endpoint"
        << "a multicast address";
    QTest::newRow("endpoint missing") << without("peers[0].endpoint") << "peers[0].endpoint"
                                      << "\"endpoint\" is missing from peers[0]";
    QTest::newRow("endpoint family differs from listen")
        << with("peers[0].endpoint", "[fd00:211::123]:8285") << "peers[0].endpoint"
        << "is IPv6 but interface.listen binds the IPv4 address 10.211.55.122";
    // Routing loops: an endpoint a tunnel route would catch.
    QTest::newRow("loop: endpoint inside its own peer's subnet")
        << with("peers[0].endpoint", "10.244.3.1:8285") << "peers[0].endpoint"
        << "Routing loop: the endpoint \"10.244.3.1:8285\" of peer \"host-2\" lies inside "
           "the subnet 10.244.3.0/24 of peer \"host-2\", so the tunnel's own packets to it would "
           "be routed into the tunnel. Give the peer's address on the network that carries the "
           "tunnel (reachable without it) as its endpoint, or leave 10.244.3.1 out of the "
           "subnets (split 10.244.3.0/24 around it).";
    QTest::newRow("loop: endpoint inside another peer's subnet")
        << edited({{"peers[1]", peer("host-3", "10.244.3.7:8285", {"10.244.4.0/24"})}})
        << "peers[1].endpoint"
        << "the endpoint \"10.244.3.7:8285\" of peer \"host-3\" lies inside the subnet "
           "10.244.3.0/24 of peer \"host-2\"";
    QTest::newRow("loop: endpoint inside a later peer's subnet")
        << edited({{"peers[0].endpoint", "10.99.0.5:8285"},
                   {"peers[1]", peer("host-3", "10.211.55.124:8285", {"10.99.0.0/16"})}})
        << "peers[0].endpoint"
        << "lies inside the subnet 10.99.0.0/16 of peer \"host-3\"";
    QTest::newRow("loop: endpoint inside the tunnel's own network")
        << with("peers[0].endpoint", "10.244.2.9:8285") << "peers[0].endpoint"
        << "Routing loop: the endpoint \"10.244.2.9:8285\" of peer \"host-2\" lies inside the "
           "tunnel's own network 10.244.2.0/24 (interface.address), so the tunnel's own packets "
           "to it would be routed into the tunnel. Give the peer's address on the network that "
           "carries the tunnel (reachable without it) as its endpoint, or choose a tunnel "
           "network that does not contain 10.244.2.9.";
    QTest::newRow("loop: endpoint is this host's tunnel address")
        << with("peers[0].endpoint", "10.244.2.2:8285") << "peers[0].endpoint"
        << "lies inside the tunnel's own network 10.244.2.0/24";
    QTest::newRow("loop: endpoint inside a host route")
        << with("peers[0].subnets[1]", "10.211.55.123/32") << "peers[0].endpoint"
        << "lies inside the subnet 10.211.55.123/32 of peer \"host-2\"";
    QTest::newRow("loop: ipv6 endpoint inside a subnet")
        << edited({{"peers[0].endpoint", "[fd00:244:0:1::9]:8285"}}, kIpv6) << "peers[0].endpoint"
        << "lies inside the subnet fd00:244:0:1::/64 of peer \"host-2\"";
    QTest::newRow("loop: ipv6 endpoint inside the tunnel's network")
        << edited({{"peers[0].endpoint", "[fd00:244::77]:8285"}}, kIpv6) << "peers[0].endpoint"
        << "lies inside the tunnel's own network fd00:244::/64";
    QTest::newRow("loop: wireguard endpoint inside allowed IPs")
        << edited({{"peers[1].endpoint", "10.66.0.3:51820"}}, kWireGuard) << "peers[1].endpoint"
        << "Routing loop: the endpoint \"10.66.0.3:51820\" of peer \"phone\" lies inside";
    QTest::newRow("duplicate endpoints")
        << with("peers[1]", peer("host-3", "10.211.55.123:8285", {"10.244.4.0/24"}))
        << "peers[1].endpoint"
        << "Peers \"host-2\" and \"host-3\" have the same endpoint 10.211.55.123:8285";

    // Peer subnets.
    QTest::newRow("subnet host bits")
        << with("peers[0].subnets[0]", "10.244.3.3/24") << "peers[0].subnets[0]"
        << "\"10.244.3.3/24\" has host bits set; the subnet is "
           "written 10.244.3.0/24";
    QTest::newRow("subnet v6 host bits")
        << edited({{"peers[0].subnets[0]", "fd00:244:0:1::1/64"}}, kIpv6) << "peers[0].subnets[0]"
        << "the subnet is written fd00:244:0:1::/64";
    QTest::newRow("subnet prefix 40")
        << with("peers[0].subnets[0]", "10.244.3.0/40") << "peers[0].subnets[0]"
        << "prefix length 40 is out of range";
    QTest::newRow("subnet garbage") << with("peers[0].subnets[0]", "ten/8") << "peers[0].subnets[0]"
                                    << "\"ten\" is not an IPv4 or IPv6";
    QTest::newRow("second subnet bad")
        << with("peers[0].subnets[1]", "10.244.4.0/") << "peers[0].subnets[1]"
        << "is not a number";
    QTest::newRow("subnet number") << with("peers[0].subnets[0]", 24) << "peers[0].subnets[0]"
                                   << "peers[0].subnets[0] must be a string, but it is the number";
    QTest::newRow("subnets not array")
        << with("peers[0].subnets", "10.244.3.0/24") << "peers[0].subnets"
        << "peers[0].subnets must be an array";
    QTest::newRow("subnets empty") << with("peers[0].subnets", QJsonArray()) << "peers[0].subnets"
                                   << "Peer \"host-2\" has no subnets";
    QTest::newRow("subnets missing") << without("peers[0].subnets") << "peers[0].subnets"
                                     << "\"subnets\" is missing from peers[0]";
    QTest::newRow("subnet wrong family")
        << with("peers[0].subnets[1]", "fd00:244:3::/64") << "peers[0].subnets[1]"
        << "is IPv6, but the interface address 10.244.2.2/24 is "
           "IPv4; a peer's subnets must be of the same family as "
           "interface.address";
    // A slice of the tunnel's own network that holds this host's address: the peer would
    // claim it. (The whole network or a wider one is the hub config: accepted below.)
    QTest::newRow("subnet contains own address")
        << with("peers[0].subnets[0]", "10.244.2.0/25") << "peers[0].subnets[0]"
        << "The subnet 10.244.2.0/25 of peer \"host-2\" "
           "contains this host's own tunnel address "
           "10.244.2.2 but not its whole network 10.244.2.0/24";
    QTest::newRow("subnet is own host")
        << with("peers[0].subnets[0]", "10.244.2.2/32") << "peers[0].subnets[0]"
        << "own tunnel address";
    QTest::newRow("own address: the fix is named")
        << with("peers[0].subnets[0]", "10.244.2.0/30") << "peers[0].subnets[0]"
        << "List only the addresses behind the peer (a subnet that leaves out 10.244.2.2), the "
           "whole network 10.244.2.0/24, or 0.0.0.0/0 to send all traffic through the tunnel.";
    QTest::newRow("own address: the fix is named, ipv6")
        << edited({{"peers[0].subnets[0]", "fd00:244::/80"}}, kIpv6) << "peers[0].subnets[0]"
        << "leaves out fd00:244::2), the whole network fd00:244::/64, or ::/0 to send all traffic";
    // Full tunnels take 0.0.0.0/0 or ::/0; wg-quick's split halves are refused with the fix.
    QTest::newRow("split default, lower half")
        << edited({{"peers[0].subnets", QJsonArray{"0.0.0.0/1", "128.0.0.0/1"}}})
        << "peers[0].subnets[0]"
        << "The subnet 0.0.0.0/1 of peer \"host-2\" is half of a split default route, which "
           "peertun does not support; to send all traffic through the tunnel write 0.0.0.0/0 "
           "instead of both halves.";
    QTest::newRow("split default, upper half")
        << edited({{"peers[0].subnets", QJsonArray{"0.0.0.0/1", "128.0.0.0/1"}}})
        << "peers[0].subnets[1]"
        << "128.0.0.0/1 of peer \"host-2\" is half of a split";
    QTest::newRow("split default, upper half alone")
        << with("peers[0].subnets[0]", "128.0.0.0/1") << "peers[0].subnets[0]"
        << "write 0.0.0.0/0 instead of both halves";
    QTest::newRow("split default, ipv6")
        << edited({{"peers[0].subnets", QJsonArray{"::/1", "8000::/1"}}}, kIpv6)
        << "peers[0].subnets[1]"
        << "8000::/1 of peer \"host-2\" is half of a split default "
           "route, which peertun does not support; to send all traffic "
           "through the tunnel write ::/0 instead";
    QTest::newRow("default route of the other family")
        << with("peers[0].subnets[1]", "::/0") << "peers[0].subnets[1]"
        << "The subnet ::/0 of peer \"host-2\" is IPv6, but the interface address";
    // One default route defers to every more specific subnet (accepted below); two cannot.
    QTest::newRow("two peers with the default route")
        << edited({{"peers[0].subnets", QJsonArray{"0.0.0.0/0"}},
                   {"peers[1]", peer("host-3", "10.211.55.124:8285", {"0.0.0.0/0"})}})
        << "peers[1].subnets[0]"
        << "The subnet 0.0.0.0/0 of peer \"host-3\" overlaps the subnet 0.0.0.0/0 of peer "
           "\"host-2\"";
    QTest::newRow("subnet listed twice")
        << with("peers[0].subnets[1]", "10.244.3.0/24") << "peers[0].subnets[1]"
        << "10.244.3.0/24 is listed twice for peer \"host-2\"";
    QTest::newRow("overlap between peers")
        << with("peers[1]",
                peer("host-3", "10.211.55.124:8285", {"10.244.4.0/24", "10.244.3.128/25"}))
        << "peers[1].subnets[1]"
        << "The subnet 10.244.3.128/25 of peer \"host-3\" overlaps the subnet 10.244.3.0/24 of "
           "peer "
           "\"host-2\"";
    QTest::newRow("overlap, wider later")
        << edited({{"interface.address", "10.244.9.2/24"},
                   {"peers[1]", peer("host-3", "10.211.55.124:8285", {"10.244.0.0/22"})}})
        << "peers[1].subnets[0]"
        << "10.244.0.0/22 of peer \"host-3\" overlaps the subnet 10.244.3.0/24 of peer \"host-2\"";

    // WireGuard keys in plain mode: an error, not silently ignored.
    QTest::newRow("plain with privateKey")
        << with("interface.privateKey", kPrivateKey) << "interface.privateKey"
        << "interface.privateKey is set, but the profile's mode is \"plain\"";
    QTest::newRow("plain with publicKey")
        << with("peers[0].publicKey", kPeerPublicKey) << "peers[0].publicKey"
        << "peers[0].publicKey is set, but the profile's mode is \"plain\"";
    QTest::newRow("plain with presharedKey")
        << with("peers[0].presharedKey", kPresharedKey) << "peers[0].presharedKey"
        << "peers[0].presharedKey is set, but the profile's mode is \"plain\"";
    QTest::newRow("plain with persistentKeepalive")
        << with("peers[0].persistentKeepalive", 25) << "peers[0].persistentKeepalive"
        << "set \"mode\": \"wireguard\" or remove peers[0].persistentKeepalive";

    // WireGuard mode: keys required, and well-formed.
    const auto wg = [](const QString& path, const std::optional<QJsonValue>& value) {
        return edited({{path, value}}, kWireGuard);
    };
    QTest::newRow("wg privateKey missing")
        << wg("interface.privateKey", std::nullopt) << "interface.privateKey"
        << "interface.privateKey is empty; give the key as 44 characters of base64";
    QTest::newRow("wg privateKey empty") << wg("interface.privateKey", "") << "interface.privateKey"
                                         << "is empty";
    QTest::newRow("wg privateKey number")
        << wg("interface.privateKey", 42) << "interface.privateKey"
        << "interface.privateKey must be a string, but it is the number 42";
    QTest::newRow("wg privateKey short")
        << wg("interface.privateKey", kPrivateKey.left(43)) << "interface.privateKey"
        << "must be 44 characters of base64, as `wg genkey` writes it, but it has 43";
    QTest::newRow("wg privateKey long")
        << wg("interface.privateKey", kPrivateKey + u'=') << "interface.privateKey"
        << "but it has 45";
    QTest::newRow("wg privateKey with space")
        << wg("interface.privateKey", QString(kPrivateKey).replace(5, 1, u' '))
        << "interface.privateKey"
        << "contains a character that is not base64";
    QTest::newRow("wg privateKey url-safe alphabet")
        << wg("interface.privateKey", QString(kPrivateKey).replace(u'+', u'-'))
        << "interface.privateKey"
        << "contains a character that is not base64";
    QTest::newRow("wg privateKey no padding")
        << wg("interface.privateKey", kPrivateKey.left(43) + u'A') << "interface.privateKey"
        << "it is not base64 for 32 bytes";
    QTest::newRow("wg privateKey hex")
        << wg("interface.privateKey", QString(44, u'a').replace(42, 2, QStringLiteral("==")))
        << "interface.privateKey"
        << "it is not base64 for 32 bytes";
    QTest::newRow("wg privateKey non-canonical")
        << wg("interface.privateKey", kPrivateKey.left(42) + QStringLiteral("J=")) // 'I' + 1 bit
        << "interface.privateKey"
        << "its base64 is not canonical";
    QTest::newRow("wg privateKey all zeros")
        << wg("interface.privateKey", QString(43, u'A') + u'=') << "interface.privateKey"
        << "interface.privateKey is all zeros";
    QTest::newRow("wg publicKey missing")
        << wg("peers[1].publicKey", std::nullopt) << "peers[1].publicKey"
        << "peers[1].publicKey is empty; give the key as 44 characters of base64, as `wg pubkey`";
    QTest::newRow("wg publicKey bad")
        << wg("peers[0].publicKey", QStringLiteral("not a key")) << "peers[0].publicKey"
        << "peers[0].publicKey is not a WireGuard key: it must be 44 characters";
    QTest::newRow("wg publicKey array")
        << wg("peers[0].publicKey", QJsonArray{}) << "peers[0].publicKey"
        << "must be a string";
    QTest::newRow("wg publicKey duplicate")
        << wg("peers[1].publicKey", kPeerPublicKey) << "peers[1].publicKey"
        << "peers[0] and peers[1] have the same public key";
    QTest::newRow("wg publicKey is own private key")
        << wg("peers[0].publicKey", kPrivateKey) << "peers[0].publicKey"
        << "is the same text as interface.privateKey";
    QTest::newRow("wg presharedKey bad")
        << wg("peers[0].presharedKey", kPresharedKey.left(40)) << "peers[0].presharedKey"
        << "peers[0].presharedKey is not a WireGuard key";
    QTest::newRow("wg presharedKey zeros")
        << wg("peers[0].presharedKey", QString(43, u'A') + u'=') << "peers[0].presharedKey"
        << "is all zeros";
    QTest::newRow("wg endpoint empty") << wg("peers[0].endpoint", "") << "peers[0].endpoint"
                                       << "is not a valid endpoint";
    QTest::newRow("wg keepalive negative")
        << wg("peers[0].persistentKeepalive", -1) << "peers[0].persistentKeepalive"
        << "The persistent keepalive -1 is out of range; use 0 (off) to 65535";
    QTest::newRow("wg keepalive 65536")
        << wg("peers[0].persistentKeepalive", 65536) << "peers[0].persistentKeepalive"
        << "The persistent keepalive 65536 is out of range";
    QTest::newRow("wg keepalive fraction")
        << wg("peers[0].persistentKeepalive", 2.5) << "peers[0].persistentKeepalive"
        << "must be a whole number";
    QTest::newRow("wg keepalive string")
        << wg("peers[0].persistentKeepalive", "25") << "peers[0].persistentKeepalive"
        << "must be a whole number";
}

void TestProfile::rejectsBadInput()
{
    QFETCH(QByteArray, document);
    QFETCH(QString, field);
    QFETCH(QString, message);

    const ProfileParseResult result = parseProfile(document);
    QVERIFY2(!result.ok(), document.constData());
    QVERIFY(!result.profile.has_value());
    bool found = false;
    for (const ProfileError& e : result.errors) {
        QVERIFY2(e.message.endsWith(u'.'), qPrintable(e.message)); // full sentences
        if (e.field == field && e.message.contains(message))
            found = true;
    }
    QVERIFY2(found, qPrintable(QStringLiteral("want [%1] containing %2, got:\n%3")
                                   .arg(field, message, describe(result.errors))));
    QVERIFY(result.errorText().contains(message));
}

void TestProfile::acceptsGoodDocuments_data()
{
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<QString>("address");
    QTest::addColumn<int>("mtu"); // -1: absent
    QTest::addColumn<QString>("listen");
    QTest::addColumn<QStringList>("peerEndpoints");

    QTest::newRow("host 1") << kHost1 << "10.244.2.2/24" << 1472 << "10.211.55.122:8285"
                                 << QStringList{"10.211.55.123:8285"};
    QTest::newRow("host 2") << kHost2 << "10.244.3.3/24" << 1472 << "10.211.55.123:8285"
                                 << QStringList{"10.211.55.122:8285"};
    QTest::newRow("ipv6 tunnel over ipv6 underlay")
        << kIpv6 << "fd00:244::2/64" << -1 << "[fd00:211::122]:8285"
        << QStringList{"[fd00:211::123]:8285"};
    QTest::newRow("listen any address") << with("interface.listen", ":8285") << "10.244.2.2/24"
                                        << 1472 << ":8285" << QStringList{"10.211.55.123:8285"};
    QTest::newRow("listen absent is :8285") << without("interface.listen") << "10.244.2.2/24"
                                            << 1472 << ":8285" << QStringList{"10.211.55.123:8285"};
    QTest::newRow("listen 0.0.0.0") << with("interface.listen", "0.0.0.0:9000") << "10.244.2.2/24"
                                    << 1472 << "0.0.0.0:9000" << QStringList{"10.211.55.123:8285"};
    QTest::newRow("no mtu") << without("interface.mtu") << "10.244.2.2/24" << -1
                            << "10.211.55.122:8285" << QStringList{"10.211.55.123:8285"};
    QTest::newRow("mtu bounds ipv4") << with("interface.mtu", 576) << "10.244.2.2/24" << 576
                                     << "10.211.55.122:8285" << QStringList{"10.211.55.123:8285"};
    QTest::newRow("mtu 65535") << with("interface.mtu", 65535) << "10.244.2.2/24" << 65535
                               << "10.211.55.122:8285" << QStringList{"10.211.55.123:8285"};
    QTest::newRow("several peers")
        << edited({{"peers[1]", peer("host-3", "10.211.55.124:8285", {"10.244.4.0/24"})},
                   {"peers[2]", peer("host-4", "10.211.55.125:9000",
                                     {"10.244.5.0/24", "10.244.6.0/23", "192.168.7.0/24"})}})
        << "10.244.2.2/24" << 1472 << "10.211.55.122:8285"
        << QStringList{"10.211.55.123:8285", "10.211.55.124:8285", "10.211.55.125:9000"};
    QTest::newRow("ipv4 tunnel over ipv6 underlay")
        << edited({{"interface.listen", ":8285"}, {"peers[0].endpoint", "[fd00:211::123]:8285"}})
        << "10.244.2.2/24" << 1472 << ":8285" << QStringList{"[fd00:211::123]:8285"};
    QTest::newRow("ipv6 written long")
        << edited({{"interface.address", "FD00:0244:0000::0002/64"},
                   {"peers[0].endpoint", "[FD00:211:0::123]:8285"}},
                  kIpv6)
        << "fd00:244::2/64" << -1 << "[fd00:211::122]:8285" << QStringList{"[fd00:211::123]:8285"};
    QTest::newRow("nested subnets in one peer")
        << with("peers[0].subnets[1]", "10.244.3.0/26") << "10.244.2.2/24" << 1472
        << "10.211.55.122:8285" << QStringList{"10.211.55.123:8285"};
    // Full tunnel: the default route contains the host's own address, and that is fine.
    QTest::newRow("full tunnel ipv4")
        << with("peers[0].subnets", QJsonArray{"0.0.0.0/0"}) << "10.244.2.2/24" << 1472
        << "10.211.55.122:8285" << QStringList{"10.211.55.123:8285"};
    QTest::newRow("full tunnel ipv4 with a more specific subnet")
        << with("peers[0].subnets", QJsonArray{"0.0.0.0/0", "10.244.3.0/24"}) << "10.244.2.2/24"
        << 1472 << "10.211.55.122:8285" << QStringList{"10.211.55.123:8285"};
    // Longest prefix wins, as in WireGuard: the office's subnet goes to its gateway, the rest
    // of the world to the full-tunnel peer.
    QTest::newRow("full tunnel peer and a more specific peer")
        << edited({{"peers[0].subnets", QJsonArray{"0.0.0.0/0"}},
                   {"peers[1]", peer("host-3", "10.211.55.124:8285", {"10.244.4.0/24"})}})
        << "10.244.2.2/24" << 1472 << "10.211.55.122:8285"
        << QStringList{"10.211.55.123:8285", "10.211.55.124:8285"};
    QTest::newRow("full tunnel ipv6")
        << edited({{"peers[0].subnets", QJsonArray{"::/0"}}}, kIpv6) << "fd00:244::2/64" << -1
        << "[fd00:211::122]:8285" << QStringList{"[fd00:211::123]:8285"};
    // The hub config of wg-quick: the tunnel's whole network (or a wider one) behind the peer.
    QTest::newRow("own network behind the peer")
        << with("peers[0].subnets", QJsonArray{"10.244.2.0/24"}) << "10.244.2.2/24" << 1472
        << "10.211.55.122:8285" << QStringList{"10.211.55.123:8285"};
    QTest::newRow("wider network behind the peer")
        << with("peers[0].subnets", QJsonArray{"10.244.0.0/16"}) << "10.244.2.2/24" << 1472
        << "10.211.55.122:8285" << QStringList{"10.211.55.123:8285"};
    QTest::newRow("own network behind the peer, ipv6")
        << edited({{"peers[0].subnets", QJsonArray{"fd00:244::/32"}}}, kIpv6) << "fd00:244::2/64"
        << -1 << "[fd00:211::122]:8285" << QStringList{"[fd00:211::123]:8285"};
    // An endpoint just outside every tunnel route is no loop.
    QTest::newRow("endpoint next to the peer's subnet")
        << edited({{"peers[0].endpoint", "10.244.4.1:8285"}}) << "10.244.2.2/24" << 1472
        << "10.211.55.122:8285" << QStringList{"10.244.4.1:8285"};
    QTest::newRow("unicode profile name")
        << with("name", "Büro – Köln") << "10.244.2.2/24" << 1472 << "10.211.55.122:8285"
        << QStringList{"10.211.55.123:8285"};
    QTest::newRow("hostname endpoint")
        << with("peers[0].endpoint", "vpn.example.test:8285") << "10.244.2.2/24" << 1472
        << "10.211.55.122:8285" << QStringList{"vpn.example.test:8285"};
    QTest::newRow("hostname endpoint lower-cased")
        << with("peers[0].endpoint", "VPN.Example.TEST:51820") << "10.244.2.2/24" << 1472
        << "10.211.55.122:8285" << QStringList{"vpn.example.test:51820"};
    QTest::newRow("hostname single label, digits and hyphens")
        << with("peers[0].endpoint", "gw-2:8285") << "10.244.2.2/24" << 1472
        << "10.211.55.122:8285" << QStringList{"gw-2:8285"};
    QTest::newRow("hostname 63-byte label, 253 bytes")
        << with("peers[0].endpoint", QString(63, u'a') + u'.' + QString(63, u'a') + u'.' +
                                         QString(63, u'a') + u'.' + QString(61, u'b') + ":8285")
        << "10.244.2.2/24" << 1472 << "10.211.55.122:8285"
        << QStringList{QString(63, u'a') + u'.' + QString(63, u'a') + u'.' + QString(63, u'a') +
                       u'.' + QString(61, u'b') + ":8285"};
    QTest::newRow("hostname numeric labels before a name")
        << with("peers[0].endpoint", "10.0.0.1.nip.example:8285") << "10.244.2.2/24" << 1472
        << "10.211.55.122:8285" << QStringList{"10.0.0.1.nip.example:8285"};
}

void TestProfile::acceptsGoodDocuments()
{
    QFETCH(QByteArray, document);
    QFETCH(QString, address);
    QFETCH(int, mtu);
    QFETCH(QString, listen);
    QFETCH(QStringList, peerEndpoints);

    const ProfileParseResult result = parseProfile(document);
    QVERIFY2(result.ok(), qPrintable(describe(result.errors)));
    QVERIFY(result.profile.has_value());
    const Profile& p = *result.profile;
    QCOMPARE(p.version, 1);
    QCOMPARE(p.mode, TunnelMode::Plain);
    QCOMPARE(p.interface.address.toString(), address);
    QCOMPARE(p.interface.mtu.value_or(-1), mtu);
    QCOMPARE(p.interface.listen.toString(), listen);
    QStringList endpoints;
    for (const PeerConfig& peer : p.peers)
        endpoints << peer.endpoint.toString();
    QCOMPARE(endpoints, peerEndpoints);
    QVERIFY(validateProfile(p).isEmpty());

    // Round trip: the serialized form parses back to the same profile and is a fixed point.
    const QByteArray canonical = serializeProfile(p);
    const ProfileParseResult again = parseProfile(canonical);
    QVERIFY2(again.ok(), qPrintable(describe(again.errors)));
    QVERIFY(*again.profile == p);
    QCOMPARE(serializeProfile(*again.profile), canonical);
    QVERIFY(QJsonDocument::fromJson(canonical).isObject());
}

void TestProfile::canonicalDocumentsSerializeByteIdentical_data()
{
    QTest::addColumn<QByteArray>("document");
    QTest::newRow("host 1") << kHost1;
    QTest::newRow("host 2") << kHost2;
    QTest::newRow("ipv6") << kIpv6;
    QTest::newRow("wireguard") << kWireGuard;
}

void TestProfile::canonicalDocumentsSerializeByteIdentical()
{
    QFETCH(QByteArray, document);
    const ProfileParseResult result = parseProfile(document);
    QVERIFY2(result.ok(), qPrintable(describe(result.errors)));
    QCOMPARE(serializeProfile(*result.profile), document);
}

void TestProfile::roundTripsProgrammaticProfile()
{
    Profile p;
    p.name = QStringLiteral("quote \" backslash \\ done");
    p.interface.name = QStringLiteral("pt0");
    p.interface.address = *parseCidr(QStringLiteral("10.9.0.1/16"), nullptr, false);
    p.interface.listen = Endpoint{QHostAddress(QStringLiteral("192.0.2.1")), 1, {}};
    for (int i = 0; i < 3; ++i) {
        PeerConfig peer;
        peer.name = QStringLiteral("peer %1").arg(i);
        peer.endpoint =
            Endpoint{QHostAddress(QStringLiteral("192.0.2.%1").arg(10 + i)), quint16(65535 - i), {}};
        peer.subnets = {*parseCidr(QStringLiteral("10.%1.0.0/16").arg(10 + i), nullptr, true),
                        *parseCidr(QStringLiteral("172.16.%1.0/24").arg(i), nullptr, true)};
        p.peers << peer;
    }
    QVERIFY2(validateProfile(p).isEmpty(), qPrintable(describe(validateProfile(p))));

    const QByteArray text = serializeProfile(p);
    QVERIFY(!text.contains("\"mtu\"")); // absent means automatic
    const ProfileParseResult back = parseProfile(text);
    QVERIFY2(back.ok(), qPrintable(describe(back.errors)));
    QVERIFY(*back.profile == p);

    p.interface.mtu = 1400;
    const QByteArray withMtu = serializeProfile(p);
    QVERIFY(withMtu.contains("        \"mtu\": 1400,\n"));
    QVERIFY(*parseProfile(withMtu).profile == p);
    QVERIFY(!(*parseProfile(withMtu).profile == *back.profile)); // equality is not vacuous
}

void TestProfile::collectsAllErrors()
{
    const QByteArray document = edited({{"name", ""},
                                        {"interface.address", "10.244.2.2/40"},
                                        {"interface.listen", ":0"},
                                        {"mode", "ipsec"},
                                        {"peers[0].endpoint", "peer_1.example:8285"},
                                        {"peers[0].subnets[1]", "10.244.9.9/24"},
                                        {"extra", 1}});
    const ProfileParseResult result = parseProfile(document);
    QStringList fields;
    for (const ProfileError& e : result.errors)
        fields << e.field;
    fields.sort();
    QCOMPARE(fields, (QStringList{"extra", "interface.address", "interface.listen", "mode", "name",
                                  "peers[0].endpoint", "peers[0].subnets[1]"}));
}

void TestProfile::reportsEachBadFieldOnce()
{
    // The JSON pass already explains these; the semantic pass must not add vaguer duplicates.
    const QByteArray document = edited({{"interface.address", "nonsense"},
                                        {"peers[0].name", 3},
                                        {"peers[1]", 5},
                                        {"peers[2]", peer("", "10.211.55.124:8285", {})}});
    const ProfileParseResult result = parseProfile(document);
    QStringList fields;
    for (const ProfileError& e : result.errors)
        fields << e.field;
    QCOMPARE(fields, (QStringList{"interface.address", "peers[0].name", "peers[1]", "peers[2].name",
                                  "peers[2].subnets"}));
}

void TestProfile::capsTheNumberOfErrors()
{
    QJsonArray subnets;
    for (int i = 0; i < 300; ++i)
        subnets.append(QStringLiteral("10.1.%1.1/24").arg(i)); // host bits set in every one
    const ProfileParseResult result = parseProfile(with("peers[0].subnets", subnets));
    QCOMPARE(result.errors.size(), kMaxProfileErrors);
    QCOMPARE(result.errors.first().field, QStringLiteral("peers[0].subnets[0]"));
    QVERIFY(result.errors.last().message.contains(QStringLiteral("only the first 99")));

    // validateProfile on its own (the editor's path) caps too.
    Profile p = *parseProfile(kHost1).profile;
    for (int i = 0; i < 300; ++i)
        p.peers[0].subnets.append(Cidr{QHostAddress(QStringLiteral("10.2.%1.1").arg(i)), 24});
    const QList<ProfileError> errors = validateProfile(p);
    QCOMPARE(errors.size(), kMaxProfileErrors);
    QCOMPARE(errors.last().field, QString());
    QVERIFY(errors.last().message.contains(QStringLiteral("only the first 99")));
}

void TestProfile::reportsLineAndColumnOfMalformedJson_data()
{
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");

    // Qt reports where it noticed the problem, which can be a character or two into the
    // offending token: here just past the opening quote of "name" (column 3), and in the
    // multibyte row after "no" of "nope" (column 20). Columns count characters, not bytes.
    QTest::newRow("missing comma, line 3")
        << QByteArray("{\n  \"version\": 1\n  \"name\": \"x\"\n}") << 3 << 4;
    QTest::newRow("trailing garbage on line 1") << QByteArray("{} x") << 1 << 4;
    QTest::newRow("bad value after multibyte")
        << QByteArray("{\n\"name\": \"\xc3\xa4\xc3\xa4\", \"x\": nope}") << 2 << 22;
    QTest::newRow("unterminated") << QByteArray("{\n\"version\": 1,\n") << 3 << 1;
}

void TestProfile::reportsLineAndColumnOfMalformedJson()
{
    QFETCH(QByteArray, document);
    QFETCH(int, line);
    QFETCH(int, column);

    const ProfileParseResult result = parseProfile(document);
    QCOMPARE(result.errors.size(), 1);
    const ProfileError& e = result.errors.first();
    QCOMPARE(e.field, QString());
    QCOMPARE(e.line, line);
    QCOMPARE(e.column, column);
    QVERIFY2(e.message.contains(QStringLiteral("at line %1, column %2").arg(line).arg(column)),
             qPrintable(e.message));
}

void TestProfile::cidrContainsAndOverlaps_data()
{
    QTest::addColumn<QString>("cidr");
    QTest::addColumn<QString>("other"); // a CIDR; its address is the one tested by contains()
    QTest::addColumn<bool>("contains");
    QTest::addColumn<bool>("overlaps");
    QTest::addColumn<QString>("network");

    QTest::newRow("same /24") << "10.244.3.0/24"
                              << "10.244.3.7/32" << true << true << "10.244.3.0/24";
    QTest::newRow("neighbour /24") << "10.244.3.0/24"
                                   << "10.244.2.0/24" << false << false << "10.244.3.0/24";
    QTest::newRow("inside /25") << "10.244.3.0/24"
                                << "10.244.3.128/25" << true << true << "10.244.3.0/24";
    QTest::newRow("wider other") << "10.244.3.0/24"
                                 << "10.244.0.0/16" << false << true << "10.244.3.0/24";
    QTest::newRow("odd prefix edge") << "10.244.2.0/23"
                                     << "10.244.3.255/32" << true << true << "10.244.2.0/23";
    QTest::newRow("odd prefix outside") << "10.244.2.0/23"
                                        << "10.244.4.0/32" << false << false << "10.244.2.0/23";
    QTest::newRow("host cidr network") << "10.244.2.2/24"
                                       << "10.244.2.200/32" << true << true << "10.244.2.0/24";
    QTest::newRow("/0 covers all v4") << "0.0.0.0/0"
                                      << "203.0.113.9/32" << true << true << "0.0.0.0/0";
    QTest::newRow("/32 only itself") << "10.0.0.1/32"
                                     << "10.0.0.2/32" << false << false << "10.0.0.1/32";
    QTest::newRow("families never mix") << "0.0.0.0/0"
                                        << "::/0" << false << false << "0.0.0.0/0";
    QTest::newRow("v6 /64") << "fd00:244::/64"
                            << "fd00:244::3/128" << true << true << "fd00:244::/64";
    QTest::newRow("v6 neighbour") << "fd00:244::/64"
                                  << "fd00:244:0:1::/64" << false << false << "fd00:244::/64";
    QTest::newRow("v6 odd prefix") << "fd00:244::1/61"
                                   << "fd00:244:0:7::/64" << true << true << "fd00:244::/61";
    QTest::newRow("v6 odd prefix outside")
        << "fd00:244::/61"
        << "fd00:244:0:8::/64" << false << false << "fd00:244::/61";
}

void TestProfile::cidrContainsAndOverlaps()
{
    QFETCH(QString, cidr);
    QFETCH(QString, other);
    QFETCH(bool, contains);
    QFETCH(bool, overlaps);
    QFETCH(QString, network);

    QString error;
    const auto a = parseCidr(cidr, &error, false);
    QVERIFY2(a, qPrintable(error));
    const auto b = parseCidr(other, &error, false);
    QVERIFY2(b, qPrintable(error));
    QCOMPARE(a->contains(b->address), contains);
    QCOMPARE(a->overlaps(*b), overlaps);
    QCOMPARE(b->overlaps(*a), overlaps);
    QCOMPARE(a->network().toString(), network);
}

void TestProfile::parsesEndpoints_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("hostOptional");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("canonical");

    QTest::newRow("v4") << "10.211.55.123:8285" << false << true << "10.211.55.123:8285";
    QTest::newRow("v4 port 1") << "10.0.0.1:1" << false << true << "10.0.0.1:1";
    QTest::newRow("v4 port 65535") << "10.0.0.1:65535" << false << true << "10.0.0.1:65535";
    QTest::newRow("v6 canonicalized") << "[FD00:0:0::1]:80" << false << true << "[fd00::1]:80";
    QTest::newRow("loopback peer") << "127.0.0.1:8285" << false << true << "127.0.0.1:8285";
    QTest::newRow("any for listen") << ":8285" << true << true << ":8285";
    QTest::newRow("any for peer") << ":8285" << false << false << "";
    QTest::newRow("v6 any for listen") << "[::]:8285" << true << true << "[::]:8285";
    QTest::newRow("port 0") << "10.0.0.1:0" << false << false << "";
    QTest::newRow("port 65536") << "10.0.0.1:65536" << true << false << "";
    QTest::newRow("port sign") << "10.0.0.1:+80" << true << false << "";
    QTest::newRow("trailing space") << "10.0.0.1:80 " << true << false << "";
    QTest::newRow("v6 junk after bracket") << "[fd00::1]x8285" << true << false << "";
    QTest::newRow("host name") << "vpn.example.test:51820" << false << true
                               << "vpn.example.test:51820";
    QTest::newRow("host name for listen") << "vpn.example.test:51820" << true << false << "";
    QTest::newRow("host name bad") << "vpn_.example.test:51820" << false << false << "";
    QTest::newRow("host name in brackets") << "[vpn.example.test]:51820" << false << false << "";
    QTest::newRow("bad ipv4 is no host name") << "10.0.0.256:51820" << false << false << "";
}

void TestProfile::parsesEndpoints()
{
    QFETCH(QString, text);
    QFETCH(bool, hostOptional);
    QFETCH(bool, valid);
    QFETCH(QString, canonical);

    QString error;
    const auto endpoint = parseEndpoint(text, &error, hostOptional);
    QCOMPARE(endpoint.has_value(), valid);
    if (valid) {
        QVERIFY(error.isEmpty());
        QCOMPARE(endpoint->toString(), canonical);
        QCOMPARE(parseEndpoint(canonical, nullptr, hostOptional), endpoint);
    } else {
        QVERIFY(error.contains(QStringLiteral("is not a valid endpoint")));
        QVERIFY(error.endsWith(u'.'));
    }
}

// A full tunnel gets the kill switch where the profile allows one (a peer endpoint to let
// through); a split tunnel, a profile that has it already, or one that could not keep it, not.
void TestProfile::proposesKillSwitchForAFullTunnel_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("turnedOn");
    QTest::addColumn<bool>("killSwitch"); // afterwards
    QTest::newRow("default route") << with("peers[0].subnets[0]", "0.0.0.0/0") << true << true;
    QTest::newRow("split tunnel") << kHost1 << false << false;
    QTest::newRow("already on") << edited({{"peers[0].subnets[0]", "0.0.0.0/0"},
                                           {"interface.killSwitch", true}})
                                << false << true;
    QTest::newRow("no endpoint to let through") << edited({{"peers[0].subnets[0]", "0.0.0.0/0"},
                                                           {"peers[0].endpoint", std::nullopt},
                                                           {"peers[1].endpoint", std::nullopt}},
                                                          kWireGuard)
                                                << false << false;
}

void TestProfile::proposesKillSwitchForAFullTunnel()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, turnedOn);
    QFETCH(bool, killSwitch);
    const ProfileParseResult parsed = parseProfile(json);
    QVERIFY2(parsed.profile.has_value(), qPrintable(describe(parsed.errors)));
    Profile p = *parsed.profile;
    QCOMPARE(proposeKillSwitch(&p), turnedOn);
    QCOMPARE(p.interface.killSwitch, killSwitch);
    QVERIFY2(validateProfile(p).isEmpty(), qPrintable(describe(validateProfile(p))));
    p.interface.killSwitch = parsed.profile->interface.killSwitch;
    QVERIFY(p == *parsed.profile); // nothing else touched
}

void TestProfile::validatesInMemoryProfile()
{
    // The editor builds profiles from widgets; validateProfile must catch what parsing would.
    Profile p = *parseProfile(kHost1).profile;
    QVERIFY(validateProfile(p).isEmpty());

    p.peers[0].subnets[0] = Cidr{QHostAddress(QStringLiteral("10.244.3.3")), 24};
    p.interface.listen.port = 0;
    p.interface.address.prefixLength = 33;
    p.version = 1;
    const QList<ProfileError> errors = validateProfile(p);
    QStringList fields;
    for (const ProfileError& e : errors)
        fields << e.field;
    QCOMPARE(fields, (QStringList{"interface.address", "interface.listen", "peers[0].subnets[0]"}));
    QVERIFY(errors[2].message.contains(QStringLiteral("the subnet is written 10.244.3.0/24")));

    // A byte order mark never survives JSON (Qt's parser drops it), but an editor can type one.
    Profile named = *parseProfile(kHost1).profile;
    named.name = QChar(0xfeff) + QStringLiteral("office");
    named.peers[0].name = QStringLiteral("host") + QChar(0x202e) + QStringLiteral("2");
    const QList<ProfileError> nameErrors = validateProfile(named);
    QCOMPARE(nameErrors.size(), 2);
    QCOMPARE(nameErrors[0].field, QStringLiteral("name"));
    QVERIFY2(nameErrors[0].message.contains(
                 QStringLiteral("an invisible formatting character (U+FEFF)")),
             qPrintable(nameErrors[0].message));
    QCOMPARE(nameErrors[1].field, QStringLiteral("peers[0].name"));
    QVERIFY(nameErrors[1].message.contains(QStringLiteral("(U+202E)")));

    Profile other = *parseProfile(kHost1).profile;
    other.version = 3;
    const QList<ProfileError> versionErrors = validateProfile(other);
    QCOMPARE(versionErrors.size(), 1);
    QCOMPARE(versionErrors[0].field, QStringLiteral("version"));
}

void TestProfile::modeNamesRoundTrip()
{
    QCOMPARE(modeToString(TunnelMode::Plain), QStringLiteral("plain"));
    QCOMPARE(modeFromString(QStringLiteral("plain")), std::optional(TunnelMode::Plain));
    QCOMPARE(modeToString(TunnelMode::WireGuard), QStringLiteral("wireguard"));
    QCOMPARE(modeFromString(QStringLiteral("wireguard")), std::optional(TunnelMode::WireGuard));
    QCOMPARE(modeFromString(QStringLiteral("WireGuard")), std::nullopt);
    QCOMPARE(kDefaultModeForNewProfiles, TunnelMode::WireGuard);
    QCOMPARE(modeFromString(QString()), std::nullopt);
}

// Without "listen" a WireGuard profile takes a random free port (port 0 here, the kernel's
// choice at bind time), as `wg` does; plain mode keeps flannel's 8285. Written back, the
// random port stays "listen" left out.
void TestProfile::wireGuardListenDefaults_data()
{
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<int>("port");
    QTest::addColumn<bool>("listenWritten");
    QTest::newRow("wireguard without listen")
        << edited({{"interface.listen", std::nullopt}}, kWireGuard) << 0 << false;
    QTest::newRow("wireguard with listen") << kWireGuard << 51820 << true;
    QTest::newRow("wireguard with :9000")
        << edited({{"interface.listen", ":9000"}}, kWireGuard) << 9000 << true;
    QTest::newRow("plain without listen") << without("interface.listen") << 8285 << true;
}

void TestProfile::wireGuardListenDefaults()
{
    QFETCH(QByteArray, document);
    QFETCH(int, port);
    QFETCH(bool, listenWritten);
    const ProfileParseResult result = parseProfile(document);
    QVERIFY2(result.ok(), qPrintable(describe(result.errors)));
    QCOMPARE(int(result.profile->interface.listen.port), port);
    const QByteArray text = serializeProfile(*result.profile);
    QCOMPARE(text.contains("\"listen\""), listenWritten);
    QVERIFY(*parseProfile(text).profile == *result.profile);
    // ":0" is never written by hand: "listen" left out is how a random port is asked for.
    QString error;
    QVERIFY(!parseEndpoint(QStringLiteral(":0"), &error, true));
    // Port 0 stays an error in plain mode (it would not be reachable at a known port).
    Profile plain = *parseProfile(kHost1).profile;
    plain.interface.listen = Endpoint{QHostAddress(), 0, {}};
    QCOMPARE(validateProfile(plain).size(), 1);
}

void TestProfile::acceptsWireGuardProfile()
{
    const ProfileParseResult result = parseProfile(kWireGuard);
    QVERIFY2(result.ok(), qPrintable(describe(result.errors)));
    const Profile& p = *result.profile;
    QCOMPARE(p.mode, TunnelMode::WireGuard);
    QCOMPARE(p.interface.privateKey, kPrivateKey);
    QCOMPARE(p.peers.size(), 2);
    QCOMPARE(p.peers[0].publicKey, kPeerPublicKey);
    QCOMPARE(p.peers[0].presharedKey, kPresharedKey);
    QCOMPARE(p.peers[0].persistentKeepalive, std::optional(25));
    QVERIFY(p.peers[1].presharedKey.isEmpty());
    QCOMPARE(p.peers[1].persistentKeepalive, std::nullopt);

    // Keepalive bounds are inclusive; 0 means off and is kept as written.
    for (const int seconds : {0, 65535}) {
        const ProfileParseResult bound =
            parseProfile(edited({{"peers[1].persistentKeepalive", seconds}}, kWireGuard));
        QVERIFY2(bound.ok(), qPrintable(describe(bound.errors)));
        QCOMPARE(bound.profile->peers[1].persistentKeepalive, std::optional(seconds));
        QVERIFY(*parseProfile(serializeProfile(*bound.profile)).profile == *bound.profile);
    }

    // A WireGuard peer may leave out its endpoint (it connects to us); two such peers are not
    // "the same endpoint". The serialized form leaves it out too.
    const ProfileParseResult server = parseProfile(edited(
        {{"peers[0].endpoint", std::nullopt}, {"peers[1].endpoint", std::nullopt}}, kWireGuard));
    QVERIFY2(server.ok(), qPrintable(describe(server.errors)));
    QVERIFY(server.profile->peers[0].endpoint.host.isNull());
    QCOMPARE(server.profile->peers[0].endpoint.port, quint16(0));
    const QByteArray serverText = serializeProfile(*server.profile);
    QVERIFY(!serverText.contains("\"endpoint\""));
    QVERIFY(*parseProfile(serverText).profile == *server.profile);

    // Switching the mode of a valid plain profile to wireguard needs the keys.
    Profile plain = *parseProfile(kHost1).profile;
    plain.mode = TunnelMode::WireGuard;
    QStringList fields;
    for (const ProfileError& e : validateProfile(plain))
        fields << e.field;
    QCOMPARE(fields, (QStringList{"interface.privateKey", "peers[0].publicKey"}));
    plain.interface.privateKey = kPrivateKey;
    plain.peers[0].publicKey = kPeerPublicKey;
    QVERIFY2(validateProfile(plain).isEmpty(), qPrintable(describe(validateProfile(plain))));
}

void TestProfile::neverEchoesKeys_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("value");
    // Nearly right keys: the message must not contain the text, nor a long part of it.
    QTest::newRow("private non-canonical")
        << "interface.privateKey" << kPrivateKey.left(42) + QStringLiteral("J=");
    QTest::newRow("private short") << "interface.privateKey" << kPrivateKey.left(43);
    QTest::newRow("private bad char")
        << "interface.privateKey" << QString(kPrivateKey).replace(3, 1, u'*');
    QTest::newRow("psk long") << "peers[0].presharedKey" << kPresharedKey + QStringLiteral("AAAA");
    QTest::newRow("private as public") << "peers[0].publicKey" << kPrivateKey;
}

void TestProfile::neverEchoesKeys()
{
    QFETCH(QString, path);
    QFETCH(QString, value);
    const ProfileParseResult result = parseProfile(edited({{path, value}}, kWireGuard));
    QVERIFY(!result.ok());
    bool named = false;
    for (const ProfileError& e : result.errors) {
        named = named || e.field == path;
        for (qsizetype at = 0; at + 8 <= value.size(); ++at)
            QVERIFY2(!e.message.contains(value.mid(at, 8)), qPrintable(e.message));
    }
    QVERIFY(named);
    QVERIFY(!result.errorText().contains(value.left(8)));
}

void TestProfile::quotesControlCharactersInMessages()
{
    // A hostile value must not reach a terminal or log raw.
    const ProfileParseResult result = parseProfile(with("interface.address", "\u001b[2J/24"));
    QCOMPARE(result.errors.size(), 1);
    QVERIFY2(!result.errors[0].message.contains(QChar(0x1b)), qPrintable(result.errors[0].message));
    QVERIFY(result.errors[0].message.contains(QStringLiteral("\\u001b[2J")));
}


void TestProfile::wipeSecretsClearsKeysOnly()
{
    ProfileParseResult parsed = parseProfile(kWireGuard);
    QVERIFY(parsed.ok());
    Profile p = *parsed.profile;
    QVERIFY(!p.interface.privateKey.isEmpty());
    QVERIFY(!p.peers[0].presharedKey.isEmpty());
    wipeSecrets(p);
    QVERIFY(p.interface.privateKey.isEmpty());
    for (const PeerConfig& peer : p.peers) {
        QVERIFY(peer.presharedKey.isEmpty());
    }
    // Public keys and everything else stay: the copy is still shown in ListTunnels.
    QCOMPARE(p.peers[0].publicKey, parsed.profile->peers[0].publicKey);
    QCOMPARE(p.name, parsed.profile->name);
    QCOMPARE(p.peers.size(), parsed.profile->peers.size());
}

QTEST_APPLESS_MAIN(TestProfile)
#include "tst_profile.moc"
