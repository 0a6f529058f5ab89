// PeerTable: longest-prefix match over all peers' subnets, and exact endpoint match.
#include "PeerTable.h"

#include <QTest>
#include <arpa/inet.h>

using peertun::engine::IpAddress;
using peertun::engine::IpPrefix;
using peertun::engine::PeerTable;
using peertun::engine::UdpEndpoint;

namespace {

IpPrefix prefix(const char* text)
{
    auto p = IpPrefix::parse(text);
    if (!p) {
        qFatal("bad prefix in test: %s", text);
    }
    return *p;
}

UdpEndpoint endpoint(const char* addr, uint16_t port)
{
    return {*IpAddress::parse(addr), port};
}

uint32_t lookup(const PeerTable& t, const char* addr)
{
    const IpAddress a = *IpAddress::parse(addr);
    return t.lookupAddress(a.family, a.bytes.data());
}

} // namespace

class TestPeerTable final : public QObject
{
    Q_OBJECT

private:
    PeerTable m_table;

private slots:
    void initTestCase()
    {
        // peer 0: the far host; peer 1: a /16 with a more specific /24 held by peer 2;
        // peer 3: IPv6; peer 4: a default route for IPv4 (lowest priority).
        m_table.build({{prefix("10.244.3.0/24")},
                       {prefix("10.100.0.0/16")},
                       {prefix("10.100.7.0/24"), prefix("192.168.1.1/32")},
                       {prefix("fd00:244::/64"), prefix("fd00:abcd::/32")},
                       {prefix("0.0.0.0/0")}},
                      {endpoint("10.211.55.123", 8285), endpoint("10.211.55.124", 8285),
                       endpoint("10.211.55.124", 9000), endpoint("fd00:211::123", 8285),
                       endpoint("10.211.55.125", 8285)});
    }

    void lookupAddress_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<uint>("peer");
        QTest::newRow("far host") << "10.244.3.3" << 0u;
        QTest::newRow("network address") << "10.244.3.0" << 0u;
        QTest::newRow("broadcast") << "10.244.3.255" << 0u;
        QTest::newRow("the /16") << "10.100.200.1" << 1u;
        QTest::newRow("more specific /24 wins") << "10.100.7.9" << 2u;
        QTest::newRow("host route") << "192.168.1.1" << 2u;
        QTest::newRow("next to host route: default") << "192.168.1.2" << 4u;
        QTest::newRow("anything else: default") << "8.8.8.8" << 4u;
        QTest::newRow("ipv6 /64") << "fd00:244::3" << 3u;
        QTest::newRow("ipv6 /32") << "fd00:abcd:1::1" << 3u;
        QTest::newRow("ipv6 outside") << "fd00:245::3" << uint(PeerTable::kNoPeer);
        QTest::newRow("ipv6 just below")
            << "fd00:243:ffff:ffff:ffff:ffff:ffff:ffff" << uint(PeerTable::kNoPeer);
    }
    void lookupAddress()
    {
        QFETCH(QString, address);
        QFETCH(uint, peer);
        QCOMPARE(lookup(m_table, address.toLatin1().constData()), peer);
    }

    void noDefaultMeansNoPeer()
    {
        PeerTable t;
        t.build({{prefix("10.244.3.0/24")}}, {endpoint("10.211.55.123", 8285)});
        QCOMPARE(lookup(t, "10.244.2.9"), PeerTable::kNoPeer);
        QCOMPARE(lookup(t, "10.244.4.0"), PeerTable::kNoPeer);
        QCOMPARE(lookup(t, "10.244.3.77"), 0u);
    }

    void lookupEndpoint_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<int>("port");
        QTest::addColumn<bool>("mapped"); // present it as v4-mapped IPv6 (dual-stack socket)
        QTest::addColumn<uint>("peer");
        QTest::newRow("peer 0") << "10.211.55.123" << 8285 << false << 0u;
        QTest::newRow("peer 0 mapped") << "10.211.55.123" << 8285 << true << 0u;
        QTest::newRow("same host other port")
            << "10.211.55.123" << 8286 << false << uint(PeerTable::kNoPeer);
        QTest::newRow("two peers on one host, a") << "10.211.55.124" << 8285 << false << 1u;
        QTest::newRow("two peers on one host, b") << "10.211.55.124" << 9000 << false << 2u;
        QTest::newRow("ipv6 peer") << "fd00:211::123" << 8285 << false << 3u;
        QTest::newRow("stranger") << "10.211.56.5" << 8285 << false << uint(PeerTable::kNoPeer);
    }
    void lookupEndpoint()
    {
        QFETCH(QString, address);
        QFETCH(int, port);
        QFETCH(bool, mapped);
        QFETCH(uint, peer);
        sockaddr_storage ss{};
        const UdpEndpoint ep = endpoint(address.toLatin1().constData(), uint16_t(port));
        peertun::engine::toSockaddr(ep, mapped ? AF_INET6 : ep.address.family, &ss);
        QCOMPARE(m_table.lookupEndpoint(reinterpret_cast<sockaddr*>(&ss)), peer);
    }

    void thousandPeers()
    {
        // 1,000 peers of one prefix length: one level, binary searched.
        std::vector<std::vector<IpPrefix>> subnets;
        std::vector<UdpEndpoint> endpoints;
        for (int i = 0; i < 1000; ++i) {
            const QByteArray net = QByteArray("10.") + QByteArray::number(i / 256) + "." +
                                   QByteArray::number(i % 256) + ".0/24";
            subnets.push_back({prefix(net.constData())});
            const QByteArray host =
                "172.16." + QByteArray::number(i / 256) + "." + QByteArray::number(i % 256);
            endpoints.push_back(endpoint(host.constData(), 8285));
        }
        PeerTable t;
        t.build(subnets, endpoints);
        QCOMPARE(t.prefixLevels(AF_INET), size_t(1));
        for (int i = 0; i < 1000; i += 37) {
            const QByteArray addr = QByteArray("10.") + QByteArray::number(i / 256) + "." +
                                    QByteArray::number(i % 256) + ".42";
            QCOMPARE(lookup(t, addr.constData()), uint(i));
        }
        QCOMPARE(lookup(t, "10.3.232.1"), PeerTable::kNoPeer); // 1000 = 3*256+232: not a peer
    }
};

QTEST_APPLESS_MAIN(TestPeerTable)
#include "tst_peertable.moc"
