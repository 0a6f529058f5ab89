// The engine's plain address types: parsing, printing, prefix arithmetic, socket addresses.
#include "Net.h"

#include <QtTest>
#include <arpa/inet.h>
#include <cstring>

using peertun::engine::fromSockaddr;
using peertun::engine::IpAddress;
using peertun::engine::IpPrefix;
using peertun::engine::toSockaddr;
using peertun::engine::UdpEndpoint;

namespace {

IpAddress addr(const char* text)
{
    return IpAddress::parse(text).value();
}

} // namespace

class TestNet : public QObject
{
    Q_OBJECT

private slots:
    void parseAddress_data();
    void parseAddress();
    void parsePrefix_data();
    void parsePrefix();
    void network_data();
    void network();
    void contains_data();
    void contains();
    void endpointToString_data();
    void endpointToString();
    void sockaddrRoundTrip_data();
    void sockaddrRoundTrip();
    void v4MappedComesBackAsIpv4();
    void ipv6EndpointOnIpv4SocketIsRefused();
};

void TestNet::parseAddress_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("family");
    QTest::addColumn<QString>("printed"); // empty: invalid
    QTest::newRow("ipv4") << "10.244.2.2" << AF_INET << "10.244.2.2";
    QTest::newRow("ipv6") << "fd00:244::2" << AF_INET6 << "fd00:244::2";
    QTest::newRow("ipv6 long form") << "fd00:0244:0:0:0:0:0:0002" << AF_INET6 << "fd00:244::2";
    QTest::newRow("v4-mapped stays ipv6") << "::ffff:10.0.0.1" << AF_INET6 << "::ffff:10.0.0.1";
    QTest::newRow("empty") << "" << AF_UNSPEC << "";
    QTest::newRow("short ipv4") << "10.244.2" << AF_UNSPEC << "";
    QTest::newRow("octet too big") << "10.244.2.256" << AF_UNSPEC << "";
    QTest::newRow("with prefix") << "10.244.2.2/24" << AF_UNSPEC << "";
    QTest::newRow("trailing space") << "10.244.2.2 " << AF_UNSPEC << "";
    QTest::newRow("bad ipv6") << "fd00:::1" << AF_UNSPEC << "";
    QTest::newRow("name") << "localhost" << AF_UNSPEC << "";
}

void TestNet::parseAddress()
{
    QFETCH(QString, text);
    QFETCH(int, family);
    QFETCH(QString, printed);
    const auto a = IpAddress::parse(text.toStdString());
    QCOMPARE(a.has_value(), family != AF_UNSPEC);
    if (a) {
        QCOMPARE(a->family, family);
        QCOMPARE(QString::fromStdString(a->toString()), printed);
        QCOMPARE(a->byteLength(), family == AF_INET ? 4 : 16);
    }
}

void TestNet::parsePrefix_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<int>("length");
    QTest::newRow("ipv4 /24") << "10.244.3.0/24" << true << 24;
    QTest::newRow("host bits kept") << "10.244.2.2/24" << true << 24;
    QTest::newRow("ipv4 /0") << "0.0.0.0/0" << true << 0;
    QTest::newRow("ipv4 /32") << "10.0.0.1/32" << true << 32;
    QTest::newRow("ipv6 /64") << "fd00:244::/64" << true << 64;
    QTest::newRow("ipv6 /128") << "fd00::1/128" << true << 128;
    QTest::newRow("no length") << "10.244.3.0" << false << 0;
    QTest::newRow("empty length") << "10.244.3.0/" << false << 0;
    QTest::newRow("ipv4 /33") << "10.244.3.0/33" << false << 0;
    QTest::newRow("ipv6 /129") << "fd00::/129" << false << 0;
    QTest::newRow("negative") << "10.244.3.0/-1" << false << 0;
    QTest::newRow("plus sign") << "10.244.3.0/+24" << false << 0;
    QTest::newRow("trailing junk") << "10.244.3.0/24x" << false << 0;
    QTest::newRow("leading zeros too long") << "10.244.3.0/0024" << false << 0;
    QTest::newRow("two slashes") << "10.244.3.0/24/8" << false << 0;
    QTest::newRow("bad address") << "10.244.3/24" << false << 0;
}

void TestNet::parsePrefix()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(int, length);
    const auto p = IpPrefix::parse(text.toStdString());
    QCOMPARE(p.has_value(), valid);
    if (p) {
        QCOMPARE(p->length, length);
        QCOMPARE(QString::fromStdString(p->toString()), text);
    }
}

void TestNet::network_data()
{
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<QString>("network");
    QTest::newRow("/24") << "10.244.2.2/24"
                         << "10.244.2.0/24";
    QTest::newRow("/20 mid-byte") << "10.244.255.255/20"
                                  << "10.244.240.0/20";
    QTest::newRow("/0") << "10.244.2.2/0"
                        << "0.0.0.0/0";
    QTest::newRow("/32") << "10.244.2.2/32"
                         << "10.244.2.2/32";
    QTest::newRow("ipv6 /64") << "fd00:244::2/64"
                              << "fd00:244::/64";
    QTest::newRow("ipv6 /52") << "fd00:244:0:ffff::1/52"
                              << "fd00:244:0:f000::/52";
}

void TestNet::network()
{
    QFETCH(QString, prefix);
    QFETCH(QString, network);
    const IpPrefix p = IpPrefix::parse(prefix.toStdString()).value();
    QCOMPARE(QString::fromStdString(p.network().toString()), network);
}

void TestNet::contains_data()
{
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<QString>("address");
    QTest::addColumn<bool>("inside");
    QTest::newRow("inside /24") << "10.244.3.0/24"
                                << "10.244.3.3" << true;
    QTest::newRow("outside /24") << "10.244.3.0/24"
                                 << "10.244.4.3" << false;
    QTest::newRow("host bits in prefix ignored") << "10.244.3.9/24"
                                                 << "10.244.3.200" << true;
    QTest::newRow("/20 edge in") << "10.244.240.0/20"
                                 << "10.244.255.1" << true;
    QTest::newRow("/20 edge out") << "10.244.240.0/20"
                                  << "10.244.239.255" << false;
    QTest::newRow("/0 takes all ipv4") << "0.0.0.0/0"
                                       << "192.0.2.1" << true;
    QTest::newRow("/32 exact") << "10.0.0.1/32"
                               << "10.0.0.1" << true;
    QTest::newRow("/32 other") << "10.0.0.1/32"
                               << "10.0.0.2" << false;
    QTest::newRow("ipv6 in") << "fd00:244::/64"
                             << "fd00:244::3" << true;
    QTest::newRow("ipv6 out") << "fd00:244::/64"
                              << "fd00:245::3" << false;
    QTest::newRow("family differs") << "0.0.0.0/0"
                                    << "::1" << false;
    QTest::newRow("v4-mapped is not ipv4") << "10.0.0.0/8"
                                           << "::ffff:10.0.0.1" << false;
}

void TestNet::contains()
{
    QFETCH(QString, prefix);
    QFETCH(QString, address);
    QFETCH(bool, inside);
    const IpPrefix p = IpPrefix::parse(prefix.toStdString()).value();
    QCOMPARE(p.contains(addr(address.toUtf8().constData())), inside);
}

void TestNet::endpointToString_data()
{
    QTest::addColumn<QString>("address"); // empty: any
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("text");
    QTest::newRow("ipv4") << "10.211.55.123" << 8285 << "10.211.55.123:8285";
    QTest::newRow("ipv6") << "fd00::1" << 8285 << "[fd00::1]:8285";
    QTest::newRow("any") << "" << 8285 << ":8285";
}

void TestNet::endpointToString()
{
    QFETCH(QString, address);
    QFETCH(int, port);
    QFETCH(QString, text);
    UdpEndpoint ep;
    if (!address.isEmpty()) {
        ep.address = addr(address.toUtf8().constData());
    }
    ep.port = static_cast<uint16_t>(port);
    QCOMPARE(QString::fromStdString(ep.toString()), text);
}

void TestNet::sockaddrRoundTrip_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<int>("socketFamily");
    QTest::addColumn<int>("expectedLength");
    QTest::newRow("ipv4 on ipv4 socket") << "10.211.55.123" << AF_INET << int(sizeof(sockaddr_in));
    QTest::newRow("ipv4 on ipv6 socket (v4-mapped)")
        << "10.211.55.123" << AF_INET6 << int(sizeof(sockaddr_in6));
    QTest::newRow("ipv6 on ipv6 socket") << "fd00::3" << AF_INET6 << int(sizeof(sockaddr_in6));
}

void TestNet::sockaddrRoundTrip()
{
    QFETCH(QString, address);
    QFETCH(int, socketFamily);
    QFETCH(int, expectedLength);
    const UdpEndpoint ep{addr(address.toUtf8().constData()), 8285};
    sockaddr_storage ss;
    QCOMPARE(int(toSockaddr(ep, socketFamily, &ss)), expectedLength);
    QCOMPARE(int(ss.ss_family), socketFamily);
    const UdpEndpoint back = fromSockaddr(reinterpret_cast<const sockaddr*>(&ss));
    QVERIFY(back == ep);
}

void TestNet::v4MappedComesBackAsIpv4()
{
    sockaddr_in6 sin6{};
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(8285);
    QCOMPARE(inet_pton(AF_INET6, "::ffff:10.211.55.122", &sin6.sin6_addr), 1);
    const UdpEndpoint ep = fromSockaddr(reinterpret_cast<const sockaddr*>(&sin6));
    QCOMPARE(ep.address.family, AF_INET);
    QCOMPARE(QString::fromStdString(ep.toString()), QString("10.211.55.122:8285"));

    // And the wildcard for a listen endpoint without an address.
    sockaddr_storage ss;
    QCOMPARE(int(toSockaddr(UdpEndpoint{{}, 8285}, AF_INET6, &ss)), int(sizeof(sockaddr_in6)));
    const auto* any = reinterpret_cast<const sockaddr_in6*>(&ss);
    QVERIFY(IN6_IS_ADDR_UNSPECIFIED(&any->sin6_addr));
    QCOMPARE(ntohs(any->sin6_port), uint16_t(8285));
}

void TestNet::ipv6EndpointOnIpv4SocketIsRefused()
{
    sockaddr_storage ss;
    QCOMPARE(int(toSockaddr(UdpEndpoint{addr("fd00::3"), 8285}, AF_INET, &ss)), 0);
}

QTEST_APPLESS_MAIN(TestNet)
#include "tst_net.moc"
