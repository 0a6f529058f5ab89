// flannel's config and lease format as lib/mesh reads and writes it, and the subnet choice.
// No etcd here (tests/root/mesh has the real one).
#include "FlannelLease.h"

#include <QTest>

using namespace peertun;
using namespace peertun::mesh;

namespace {

const QString kKey = QStringLiteral("xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=");

NetworkConfig config(const char* json)
{
    const ConfigParse p = parseNetworkConfig(QByteArray(json));
    if (!p.config) {
        qFatal("bad test config %s: %s", json, qPrintable(p.error));
    }
    return *p.config;
}

} // namespace

class TestFlannelLease : public QObject
{
    Q_OBJECT
private slots:
    void networkConfig_data();
    void networkConfig();
    void serializeConfig();
    void subnetKeyNames_data();
    void subnetKeyNames();
    void lease_data();
    void lease();
    void againstSelf();
    void serializeLease();
    void modeMatchesBackend();
    void chooseSubnet_data();
    void chooseSubnet();
    void tunnelAddress();
};

void TestFlannelLease::networkConfig_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("network"); // empty: rejected
    QTest::addColumn<int>("subnetLen");
    QTest::addColumn<QString>("backend");
    QTest::addColumn<QString>("subnetMin");
    QTest::addColumn<QString>("subnetMax");
    QTest::addColumn<QString>("error");

    QTest::newRow("flannel's example") << QByteArray(R"({"Network": "10.244.0.0/16",
        "SubnetLen": 24, "Backend": {"Type": "wireguard"}})")
                                       << "10.244.0.0/16" << 24 << "wireguard"
                                       << "10.244.1.0"
                                       << "10.244.255.0"
                                       << "";
    QTest::newRow("defaults: /24, udp")
        << QByteArray(R"({"Network": "10.5.0.0/16"})") << "10.5.0.0/16" << 24 << "udp"
        << "10.5.1.0"
        << "10.5.255.0"
        << "";
    QTest::newRow("small network halves")
        << QByteArray(R"({"Network": "10.5.0.0/24"})") << "10.5.0.0/24" << 25 << "udp"
        << "10.5.0.128"
        << "10.5.0.128"
        << "";
    QTest::newRow("SubnetMin/Max") << QByteArray(R"({"Network": "10.5.0.0/16", "SubnetMin":
        "10.5.10.0", "SubnetMax": "10.5.20.0", "Backend": {"Type": "udp"}})")
                                   << "10.5.0.0/16" << 24 << "udp"
                                   << "10.5.10.0"
                                   << "10.5.20.0"
                                   << "";
    QTest::newRow("flannel keys peertun ignores")
        << QByteArray(R"({"Network": "10.5.0.0/16", "EnableIPv6": false, "Backend":
        {"Type": "udp", "Port": 8285}})")
        << "10.5.0.0/16" << 24 << "udp"
        << "10.5.1.0"
        << "10.5.255.0"
        << "";
    QTest::newRow("not JSON") << QByteArray("{") << "" << 0 << ""
                              << ""
                              << ""
                              << "not a JSON";
    QTest::newRow("array") << QByteArray("[]") << "" << 0 << ""
                           << ""
                           << ""
                           << "not a JSON object";
    QTest::newRow("no Network") << QByteArray(R"({"SubnetLen": 24})") << "" << 0 << ""
                                << ""
                                << ""
                                << "no \"Network\"";
    QTest::newRow("host bits") << QByteArray(R"({"Network": "10.244.1.0/16"})") << "" << 0 << ""
                               << ""
                               << ""
                               << "host bits";
    QTest::newRow("IPv6") << QByteArray(R"({"Network": "fd00::/48"})") << "" << 0 << ""
                          << ""
                          << ""
                          << "IPv6";
    QTest::newRow("SubnetLen too short") << QByteArray(R"({"Network": "10.0.0.0/16",
        "SubnetLen": 16})") << "" << 0 << ""
                                         << ""
                                         << ""
                                         << "does not fit";
    QTest::newRow("SubnetLen 31") << QByteArray(R"({"Network": "10.0.0.0/16", "SubnetLen": 31})")
                                  << "" << 0 << ""
                                  << ""
                                  << ""
                                  << "at most 30";
    QTest::newRow("SubnetLen text") << QByteArray(R"({"Network": "10.0.0.0/16",
        "SubnetLen": "24"})") << "" << 0
                                    << ""
                                    << ""
                                    << ""
                                    << "not a number";
    QTest::newRow("vxlan") << QByteArray(R"({"Network": "10.0.0.0/16", "Backend":
        {"Type": "vxlan"}})")
                           << "" << 0 << ""
                           << ""
                           << ""
                           << "\"vxlan\" is not one";
    QTest::newRow("Backend not object") << QByteArray(R"({"Network": "10.0.0.0/16",
        "Backend": "udp"})") << "" << 0 << ""
                                        << ""
                                        << ""
                                        << "Backend";
    QTest::newRow("SubnetMin outside") << QByteArray(R"({"Network": "10.0.0.0/16",
        "SubnetMin": "10.1.0.0"})") << ""
                                       << 0 << ""
                                       << ""
                                       << ""
                                       << "SubnetMin";
    QTest::newRow("SubnetMax unaligned") << QByteArray(R"({"Network": "10.0.0.0/16",
        "SubnetMax": "10.0.3.7"})") << "" << 0
                                         << ""
                                         << ""
                                         << ""
                                         << "SubnetMax";
    QTest::newRow("Min above Max") << QByteArray(R"({"Network": "10.0.0.0/16",
        "SubnetMin": "10.0.9.0", "SubnetMax": "10.0.3.0"})")
                                   << "" << 0 << ""
                                   << ""
                                   << ""
                                   << "above";
    QTest::newRow("too big") << QByteArray(5000, ' ') << "" << 0 << ""
                             << ""
                             << ""
                             << "bytes";
}

void TestFlannelLease::networkConfig()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, network);
    QFETCH(int, subnetLen);
    QFETCH(QString, backend);
    QFETCH(QString, subnetMin);
    QFETCH(QString, subnetMax);
    QFETCH(QString, error);
    const ConfigParse p = parseNetworkConfig(json);
    if (network.isEmpty()) {
        QVERIFY(!p.config);
        QVERIFY2(p.error.contains(error), qPrintable(p.error));
        return;
    }
    QVERIFY2(p.config, qPrintable(p.error));
    QCOMPARE(p.config->network.toString(), network);
    QCOMPARE(p.config->subnetLen, subnetLen);
    QCOMPARE(backendName(p.config->backend), backend);
    QCOMPARE(p.config->subnetMin.toString(), subnetMin);
    QCOMPARE(p.config->subnetMax.toString(), subnetMax);
}

void TestFlannelLease::serializeConfig()
{
    const ConfigParse made =
        makeNetworkConfig(QStringLiteral("10.244.0.0/16"), 24, QStringLiteral("wireguard"));
    QVERIFY(made.config);
    QCOMPARE(
        serializeNetworkConfig(*made.config),
        QByteArray(R"({"Backend":{"Type":"wireguard"},"Network":"10.244.0.0/16","SubnetLen":24})"));
    const ConfigParse back = parseNetworkConfig(serializeNetworkConfig(*made.config));
    QVERIFY(back.config);
    QCOMPARE(*back.config, *made.config);
    NetworkConfig narrowed = *made.config;
    narrowed.subnetMin = QHostAddress(QStringLiteral("10.244.10.0"));
    const ConfigParse again = parseNetworkConfig(serializeNetworkConfig(narrowed));
    QVERIFY(again.config);
    QCOMPARE(*again.config, narrowed);
}

void TestFlannelLease::subnetKeyNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("cidr"); // empty: rejected
    QTest::newRow("flannel's") << "10.244.3.0-24"
                               << "10.244.3.0/24";
    QTest::newRow("/26") << "10.0.0.64-26"
                         << "10.0.0.64/26";
    QTest::newRow("slash") << "10.244.3.0/24"
                           << "";
    QTest::newRow("no length") << "10.244.3.0-"
                               << "";
    QTest::newRow("leading zero") << "10.244.03.0-24"
                                  << "";
    QTest::newRow("length 33") << "10.244.3.0-33"
                               << "";
    QTest::newRow("sign") << "10.244.3.0-+4"
                          << "";
    QTest::newRow("short address") << "10.244-24"
                                   << "";
    QTest::newRow("garbage") << "hello"
                             << "";
    QTest::newRow("empty") << ""
                           << "";
}

void TestFlannelLease::subnetKeyNames()
{
    QFETCH(QString, name);
    QFETCH(QString, cidr);
    const auto parsed = parseSubnetKeyName(name);
    if (cidr.isEmpty()) {
        QVERIFY(!parsed);
        return;
    }
    QVERIFY(parsed);
    QCOMPARE(parsed->toString(), cidr);
    QCOMPARE(subnetKeyName(*parsed), name);
}

void TestFlannelLease::lease_data()
{
    QTest::addColumn<QString>("backend");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<QString>("reason");   // "none": a member
    QTest::addColumn<QString>("endpoint"); // of the member

    const QByteArray wgData =
        "\"BackendData\": {\"PublicKey\": \"" + kKey.toLatin1() + "\", \"Port\": 51000}";
    QTest::newRow("flannel udp, no BackendData")
        << "udp"
        << "10.244.7.0-24" << QByteArray(R"({"PublicIP":"10.99.0.7","BackendType":"udp"})")
        << "none"
        << "10.99.0.7:8285";
    QTest::newRow("flannel udp, BackendData null")
        << "udp"
        << "10.244.7.0-24"
        << QByteArray(
               R"({"PublicIP":"10.99.0.7","PublicIPv6":null,"BackendType":"udp","BackendData":null})")
        << "none"
        << "10.99.0.7:8285";
    QTest::newRow("peertun udp with port")
        << "udp"
        << "10.244.7.0-24"
        << QByteArray(R"({"PublicIP":"10.99.0.7","BackendType":"udp","BackendData":{"Port":9000}})")
        << "none"
        << "10.99.0.7:9000";
    QTest::newRow("wireguard")
        << "wireguard"
        << "10.244.8.0-24"
        << QByteArray("{\"PublicIP\":\"10.99.0.8\",\"BackendType\":\"wireguard\"," + wgData + "}")
        << "none"
        << "10.99.0.8:51000";
    QTest::newRow("wireguard, flannel's default port")
        << "wireguard"
        << "10.244.8.0-24"
        << QByteArray("{\"PublicIP\":\"10.99.0.8\",\"BackendType\":\"wireguard\","
                      "\"BackendData\":{\"PublicKey\":\"" +
                      kKey.toLatin1() + "\"}}")
        << "none"
        << "10.99.0.8:51820";
    QTest::newRow("malformed") << "udp"
                               << "10.244.7.0-24" << QByteArray("{\"PublicIP\":") << "malformed"
                               << "";
    QTest::newRow("not an object") << "udp"
                                   << "10.244.7.0-24" << QByteArray("[1]") << "malformed"
                                   << "";
    QTest::newRow("BackendData a string")
        << "udp"
        << "10.244.7.0-24"
        << QByteArray(R"({"PublicIP":"10.99.0.7","BackendType":"udp","BackendData":"x"})")
        << "malformed"
        << "";
    QTest::newRow("too big") << "udp"
                             << "10.244.7.0-24"
                             << QByteArray("{\"PublicIP\":\"10.99.0.7\",\"BackendType\":\"udp\","
                                           "\"Pad\":\"" +
                                           QByteArray(4100, 'x') + "\"}")
                             << "too-big"
                             << "";
    QTest::newRow("key not a subnet")
        << "udp"
        << "garbage" << QByteArray(R"({"PublicIP":"10.99.0.7","BackendType":"udp"})")
        << "bad-subnet"
        << "";
    QTest::newRow("host bits") << "udp"
                               << "10.244.7.1-24"
                               << QByteArray(R"({"PublicIP":"10.99.0.7","BackendType":"udp"})")
                               << "bad-subnet"
                               << "";
    QTest::newRow("other length") << "udp"
                                  << "10.244.6.0-23"
                                  << QByteArray(R"({"PublicIP":"10.99.0.7","BackendType":"udp"})")
                                  << "bad-subnet"
                                  << "";
    QTest::newRow("outside network")
        << "udp"
        << "10.250.1.0-24" << QByteArray(R"({"PublicIP":"10.99.0.7","BackendType":"udp"})")
        << "bad-subnet"
        << "";
    QTest::newRow("wrong backend")
        << "udp"
        << "10.244.7.0-24" << QByteArray(R"({"PublicIP":"10.99.0.7","BackendType":"vxlan"})")
        << "wrong-backend"
        << "";
    QTest::newRow("no backend") << "udp"
                                << "10.244.7.0-24" << QByteArray(R"({"PublicIP":"10.99.0.7"})")
                                << "wrong-backend"
                                << "";
    QTest::newRow("udp lease in wireguard network")
        << "wireguard"
        << "10.244.7.0-24" << QByteArray(R"({"PublicIP":"10.99.0.7","BackendType":"udp"})")
        << "wrong-backend"
        << "";
    QTest::newRow("no PublicIP") << "udp"
                                 << "10.244.7.0-24" << QByteArray(R"({"BackendType":"udp"})")
                                 << "bad-public-ip"
                                 << "";
    QTest::newRow("PublicIP 999") << "udp"
                                  << "10.244.7.0-24"
                                  << QByteArray(R"({"PublicIP":"999.0.0.1","BackendType":"udp"})")
                                  << "bad-public-ip"
                                  << "";
    QTest::newRow("PublicIP IPv6")
        << "udp"
        << "10.244.7.0-24" << QByteArray(R"({"PublicIP":"fd00::1","BackendType":"udp"})")
        << "bad-public-ip"
        << "";
    QTest::newRow("PublicIP multicast")
        << "udp"
        << "10.244.7.0-24" << QByteArray(R"({"PublicIP":"224.0.0.1","BackendType":"udp"})")
        << "bad-public-ip"
        << "";
    QTest::newRow("PublicIP zero")
        << "udp"
        << "10.244.7.0-24" << QByteArray(R"({"PublicIP":"0.0.0.0","BackendType":"udp"})")
        << "bad-public-ip"
        << "";
    QTest::newRow("PublicIP a number")
        << "udp"
        << "10.244.7.0-24" << QByteArray(R"({"PublicIP":167772161,"BackendType":"udp"})")
        << "bad-public-ip"
        << "";
    QTest::newRow("port 0")
        << "udp"
        << "10.244.7.0-24"
        << QByteArray(R"({"PublicIP":"10.99.0.7","BackendType":"udp","BackendData":{"Port":0}})")
        << "bad-port"
        << "";
    QTest::newRow("port 70000")
        << "udp"
        << "10.244.7.0-24"
        << QByteArray(
               R"({"PublicIP":"10.99.0.7","BackendType":"udp","BackendData":{"Port":70000}})")
        << "bad-port"
        << "";
    QTest::newRow("port text")
        << "udp"
        << "10.244.7.0-24"
        << QByteArray(R"({"PublicIP":"10.99.0.7","BackendType":"udp","BackendData":{"Port":"80"}})")
        << "bad-port"
        << "";
    QTest::newRow("wireguard without key")
        << "wireguard"
        << "10.244.8.0-24"
        << QByteArray(
               R"({"PublicIP":"10.99.0.8","BackendType":"wireguard","BackendData":{"Port":51000}})")
        << "bad-key"
        << "";
    QTest::newRow("wireguard short key")
        << "wireguard"
        << "10.244.8.0-24"
        << QByteArray(
               R"({"PublicIP":"10.99.0.8","BackendType":"wireguard","BackendData":{"PublicKey":"abc="}})")
        << "bad-key"
        << "";
    QTest::newRow("wireguard key not base64")
        << "wireguard"
        << "10.244.8.0-24"
        << QByteArray(
               R"({"PublicIP":"10.99.0.8","BackendType":"wireguard","BackendData":{"PublicKey":"!TIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg="}})")
        << "bad-key"
        << "";
}

void TestFlannelLease::lease()
{
    QFETCH(QString, backend);
    QFETCH(QString, key);
    QFETCH(QByteArray, value);
    QFETCH(QString, reason);
    QFETCH(QString, endpoint);
    const NetworkConfig c =
        backend == u"udp" ? config(R"({"Network":"10.244.0.0/16","Backend":{"Type":"udp"}})")
                          : config(R"({"Network":"10.244.0.0/16","Backend":{"Type":"wireguard"}})");
    const LeaseCheck check = parseLease(key, value, c);
    QCOMPARE(badLeaseName(check.reason), reason);
    if (reason != u"none") {
        QVERIFY(!check.member);
        QVERIFY(!check.detail.isEmpty());
        QVERIFY2(!check.detail.contains(QByteArray(100, 'x')), "the detail quotes 4 KiB of value");
        return;
    }
    QVERIFY(check.member);
    QCOMPARE(check.member->subnet, *parseSubnetKeyName(key));
    QCOMPARE(check.member->endpoint.toString(), endpoint);
    QCOMPARE(check.member->publicKey, backend == u"wireguard" ? kKey : QString());
}

void TestFlannelLease::againstSelf()
{
    const NetworkConfig c = config(R"({"Network":"10.244.0.0/16","Backend":{"Type":"udp"}})");
    const LeaseCheck other =
        parseLease(u"10.244.7.0-24", R"({"PublicIP":"10.99.0.7","BackendType":"udp"})", c);
    QVERIFY(other.member);
    const Endpoint me{QHostAddress(QStringLiteral("10.99.0.1")), 8285, {}};
    const Cidr mine{QHostAddress(QStringLiteral("10.244.1.0")), 24};
    QCOMPARE(checkAgainstSelf(other, mine, me).reason, BadLease::None);
    QCOMPARE(checkAgainstSelf(other, std::nullopt, me).reason, BadLease::None);
    const Cidr same{QHostAddress(QStringLiteral("10.244.7.0")), 24};
    QCOMPARE(checkAgainstSelf(other, same, me).reason, BadLease::ClaimsOurSubnet);
    const Endpoint sameEndpoint{QHostAddress(QStringLiteral("10.99.0.7")), 8285, {}};
    QCOMPARE(checkAgainstSelf(other, mine, sameEndpoint).reason, BadLease::OurEndpoint);
    const Endpoint otherPort{QHostAddress(QStringLiteral("10.99.0.7")), 8286, {}};
    QCOMPARE(checkAgainstSelf(other, mine, otherPort).reason, BadLease::None);
}

void TestFlannelLease::serializeLease()
{
    LeaseAttrs udp{QHostAddress(QStringLiteral("10.99.0.7")), Backend::Udp, 8285, {}};
    QCOMPARE(
        mesh::serializeLease(udp),
        QByteArray(R"({"BackendData":{"Port":8285},"BackendType":"udp","PublicIP":"10.99.0.7"})"));
    LeaseAttrs wg{QHostAddress(QStringLiteral("10.99.0.8")), Backend::WireGuard, 51000, kKey};
    const QByteArray text = mesh::serializeLease(wg);
    QCOMPARE(text, QByteArray("{\"BackendData\":{\"Port\":51000,\"PublicKey\":\"") +
                       kKey.toLatin1() +
                       "\"},\"BackendType\":\"wireguard\",\"PublicIP\":\"10.99.0.8\"}");
    const NetworkConfig c = config(R"({"Network":"10.244.0.0/16","Backend":{"Type":"wireguard"}})");
    const LeaseCheck back = parseLease(u"10.244.9.0-24", text, c);
    QVERIFY(back.member);
    QCOMPARE(back.member->endpoint.toString(), QStringLiteral("10.99.0.8:51000"));
    QCOMPARE(leasePublicIp(text), QHostAddress(QStringLiteral("10.99.0.8")));
    QVERIFY(!leasePublicIp("{"));
}

void TestFlannelLease::modeMatchesBackend()
{
    QVERIFY(checkModeMatchesBackend(TunnelMode::Plain, Backend::Udp).isEmpty());
    QVERIFY(checkModeMatchesBackend(TunnelMode::WireGuard, Backend::WireGuard).isEmpty());
    const QString a = checkModeMatchesBackend(TunnelMode::Plain, Backend::WireGuard);
    QVERIFY2(a.contains(QLatin1String("\"wireguard\"")) && a.contains(QLatin1String("\"plain\"")),
             qPrintable(a));
    const QString b = checkModeMatchesBackend(TunnelMode::WireGuard, Backend::Udp);
    QVERIFY2(b.contains(QLatin1String("\"udp\"")) &&
                 b.contains(QLatin1String("use mode \"plain\"")),
             qPrintable(b));
}

void TestFlannelLease::chooseSubnet_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QStringList>("taken");
    QTest::addColumn<quint32>("start");
    QTest::addColumn<QString>("expected"); // empty: full

    const QByteArray small = R"({"Network":"10.1.0.0/22","SubnetLen":24})"; // subnets .1 .2 .3
    QTest::newRow("first free from 0") << small << QStringList{} << 0u << "10.1.1.0/24";
    QTest::newRow("start 2") << small << QStringList{} << 2u << "10.1.3.0/24";
    QTest::newRow("start wraps") << small << QStringList{} << 5u << "10.1.3.0/24";
    QTest::newRow("skips taken") << small << QStringList{"10.1.1.0"} << 0u << "10.1.2.0/24";
    QTest::newRow("wraps past end") << small << QStringList{"10.1.3.0"} << 2u << "10.1.1.0/24";
    QTest::newRow("last one") << small << QStringList{"10.1.1.0", "10.1.3.0"} << 0u
                              << "10.1.2.0/24";
    QTest::newRow("full") << small << QStringList{"10.1.1.0", "10.1.2.0", "10.1.3.0"} << 0u << "";
    QTest::newRow("never the network's first subnet")
        << small << QStringList{"10.1.2.0", "10.1.3.0"} << 1u << "10.1.1.0/24";
    QTest::newRow("SubnetMin/Max")
        << QByteArray(R"({"Network":"10.1.0.0/16","SubnetMin":"10.1.9.0","SubnetMax":"10.1.10.0"})")
        << QStringList{"10.1.9.0"} << 0u << "10.1.10.0/24";
}

void TestFlannelLease::chooseSubnet()
{
    QFETCH(QByteArray, json);
    QFETCH(QStringList, taken);
    QFETCH(quint32, start);
    QFETCH(QString, expected);
    const NetworkConfig c = config(json.constData());
    QSet<quint32> set;
    for (const QString& t : taken) {
        set.insert(QHostAddress(t).toIPv4Address());
    }
    const auto chosen = mesh::chooseSubnet(c, set, start);
    if (expected.isEmpty()) {
        QVERIFY(!chosen);
        return;
    }
    QVERIFY(chosen);
    QCOMPARE(chosen->toString(), expected);
}

void TestFlannelLease::tunnelAddress()
{
    QCOMPARE(tunnelAddressOf({QHostAddress(QStringLiteral("10.244.3.0")), 24}).toString(),
             QStringLiteral("10.244.3.1/24"));
    const NetworkConfig c = config(R"({"Network":"10.0.0.0/14","SubnetLen":24})");
    QCOMPARE(subnetCount(c), 1023u);
    QCOMPARE(subnetAt(c, 1022).toString(), QStringLiteral("10.3.255.0/24"));
}

QTEST_GUILESS_MAIN(TestFlannelLease)
#include "tst_flannellease.moc"
