// The underlay watcher's logic without netlink sockets: hand-built rtnetlink messages, what
// counts as a change of the underlay and how it reads in the log, and the debounce that makes
// one network change of a burst.
#include "UnderlayChange.h"

#include <QTest>
#include <arpa/inet.h>
#include <cstring>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <vector>

using peertun::engine::Debouncer;
using peertun::engine::UnderlayFilter;
using peertun::engine::UnderlayParser;

namespace {

constexpr int kOwnIfindex = 9;
constexpr uint32_t kOwnTable = 51820;

// One netlink message: header, fixed part, attributes.
class Message
{
public:
    Message(uint16_t type, uint16_t flags, const void* fixed, size_t fixedLen)
        : m_buf(NLMSG_LENGTH(fixedLen))
    {
        auto* h = reinterpret_cast<nlmsghdr*>(m_buf.data());
        h->nlmsg_type = type;
        h->nlmsg_flags = flags;
        std::memcpy(NLMSG_DATA(h), fixed, fixedLen);
        m_buf.resize(NLMSG_ALIGN(m_buf.size()));
        sync();
    }
    Message& attr(uint16_t type, const void* data, size_t len)
    {
        const size_t at = m_buf.size();
        m_buf.resize(at + RTA_SPACE(len));
        auto* a = reinterpret_cast<rtattr*>(m_buf.data() + at);
        a->rta_type = type;
        a->rta_len = uint16_t(RTA_LENGTH(len));
        std::memcpy(RTA_DATA(a), data, len);
        sync();
        return *this;
    }
    Message& u32(uint16_t type, uint32_t v) { return attr(type, &v, sizeof v); }
    Message& ip(uint16_t type, const char* text)
    {
        uint8_t bytes[16] = {};
        const bool v6 = std::strchr(text, ':') != nullptr;
        inet_pton(v6 ? AF_INET6 : AF_INET, text, bytes);
        return attr(type, bytes, v6 ? 16 : 4);
    }
    Message& name(const char* n) { return attr(IFLA_IFNAME, n, std::strlen(n) + 1); }
    Message& truncate(size_t len)
    {
        m_buf.resize(len);
        reinterpret_cast<nlmsghdr*>(m_buf.data())->nlmsg_len = uint32_t(len);
        return *this;
    }
    QByteArray bytes() const
    {
        return QByteArray(reinterpret_cast<const char*>(m_buf.data()), qsizetype(m_buf.size()));
    }

private:
    void sync() { reinterpret_cast<nlmsghdr*>(m_buf.data())->nlmsg_len = uint32_t(m_buf.size()); }
    std::vector<uint8_t> m_buf; // 4-byte aligned by vector's allocator
};

Message route(uint16_t type, uint16_t flags, int family, int dstLen, uint32_t table = RT_TABLE_MAIN,
              uint8_t rtType = RTN_UNICAST, unsigned rtFlags = 0)
{
    rtmsg rt{};
    rt.rtm_family = uint8_t(family);
    rt.rtm_dst_len = uint8_t(dstLen);
    rt.rtm_table = uint8_t(table < 256 ? table : RT_TABLE_UNSPEC);
    rt.rtm_type = rtType;
    rt.rtm_flags = rtFlags;
    Message m(type, flags, &rt, sizeof rt);
    m.u32(RTA_TABLE, table);
    return m;
}

Message address(uint16_t type, int family, int ifindex)
{
    ifaddrmsg a{};
    a.ifa_family = uint8_t(family);
    a.ifa_index = uint32_t(ifindex);
    a.ifa_prefixlen = family == AF_INET ? 24 : 64;
    return Message(type, 0, &a, sizeof a);
}

Message link(uint16_t type, int ifindex, unsigned flags)
{
    ifinfomsg i{};
    i.ifi_index = ifindex;
    i.ifi_flags = flags;
    return Message(type, 0, &i, sizeof i);
}

constexpr unsigned kUp =
    IFF_UP | IFF_RUNNING | 0x10000u; // and IFF_LOWER_UP (linux/if.h clashes with net/if.h)

UnderlayParser parser()
{
    UnderlayParser p(UnderlayFilter{kOwnIfindex, kOwnTable}, [](int ifindex) {
        switch (ifindex) {
        case 2:
            return std::string("eth0");
        case 4:
            return std::string("veth0");
        default:
            return std::string();
        }
    });
    p.seedLink(3, kUp, "eth1");
    p.seedLink(4, kUp, "veth0");
    p.seedLink(kOwnIfindex, kUp, "pt0");
    p.seedAddress(3, "2001:db8::7");
    return p;
}

} // namespace

class TestUnderlayChange : public QObject
{
    Q_OBJECT

private slots:
    void describe_data()
    {
        QTest::addColumn<QByteArray>("message");
        QTest::addColumn<QString>("expected"); // empty: not an underlay change

        QTest::newRow("default route replaced") << route(RTM_NEWROUTE, NLM_F_REPLACE, AF_INET, 0)
                                                       .ip(RTA_GATEWAY, "10.1.0.1")
                                                       .u32(RTA_OIF, 3)
                                                       .bytes()
                                                << "default route via 10.1.0.1 dev eth1 replaced";
        QTest::newRow("default route added")
            << route(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, AF_INET, 0)
                   .ip(RTA_GATEWAY, "10.2.0.1")
                   .u32(RTA_OIF, 4)
                   .bytes()
            << "default route via 10.2.0.1 dev veth0 added";
        QTest::newRow("default route gone") << route(RTM_DELROUTE, 0, AF_INET, 0)
                                                   .ip(RTA_GATEWAY, "10.1.0.1")
                                                   .u32(RTA_OIF, 3)
                                                   .bytes()
                                            << "default route via 10.1.0.1 dev eth1 gone";
        QTest::newRow("subnet route") << route(RTM_NEWROUTE, NLM_F_CREATE, AF_INET, 24)
                                             .ip(RTA_DST, "192.168.5.0")
                                             .u32(RTA_OIF, 4)
                                             .bytes()
                                      << "route 192.168.5.0/24 dev veth0 added";
        QTest::newRow("IPv6 default route") << route(RTM_NEWROUTE, NLM_F_CREATE, AF_INET6, 0)
                                                   .ip(RTA_GATEWAY, "fe80::1")
                                                   .u32(RTA_OIF, 3)
                                                   .bytes()
                                            << "default route via fe80::1 dev eth1 added";
        QTest::newRow("other table")
            << route(RTM_DELROUTE, 0, AF_INET, 0, 100).u32(RTA_OIF, 2).bytes()
            << "default route dev eth0 table 100 gone";
        QTest::newRow("link that is gone: its index")
            << route(RTM_DELROUTE, 0, AF_INET, 16).ip(RTA_DST, "10.7.0.0").u32(RTA_OIF, 42).bytes()
            << "route 10.7.0.0/16 dev #42 gone";
        QTest::newRow("own device's route") << route(RTM_DELROUTE, 0, AF_INET, 24)
                                                   .ip(RTA_DST, "10.244.3.0")
                                                   .u32(RTA_OIF, kOwnIfindex)
                                                   .bytes()
                                            << QString();
        QTest::newRow("own table")
            << route(RTM_NEWROUTE, NLM_F_CREATE, AF_INET, 0, kOwnTable).u32(RTA_OIF, 3).bytes()
            << QString();
        QTest::newRow("local table")
            << route(RTM_NEWROUTE, NLM_F_CREATE, AF_INET, 32, RT_TABLE_LOCAL, RTN_LOCAL)
                   .ip(RTA_DST, "10.1.0.2")
                   .u32(RTA_OIF, 3)
                   .bytes()
            << QString();
        QTest::newRow("broadcast route in main")
            << route(RTM_NEWROUTE, NLM_F_CREATE, AF_INET, 32, RT_TABLE_MAIN, RTN_BROADCAST)
                   .ip(RTA_DST, "10.1.0.255")
                   .u32(RTA_OIF, 3)
                   .bytes()
            << QString();
        QTest::newRow("cloned route")
            << route(RTM_NEWROUTE, 0, AF_INET6, 128, RT_TABLE_MAIN, RTN_UNICAST, RTM_F_CLONED)
                   .ip(RTA_DST, "2001:db8::9")
                   .u32(RTA_OIF, 3)
                   .bytes()
            << QString();
        QTest::newRow("route without its destination")
            << route(RTM_NEWROUTE, 0, AF_INET, 24).u32(RTA_OIF, 3).bytes() << QString();

        QTest::newRow("IPv4 address gone") << address(RTM_DELADDR, AF_INET, 4)
                                                  .ip(IFA_ADDRESS, "10.0.0.2")
                                                  .ip(IFA_LOCAL, "10.0.0.2")
                                                  .bytes()
                                           << "address 10.0.0.2 on veth0 gone";
        QTest::newRow("point-to-point: the local address") << address(RTM_NEWADDR, AF_INET, 3)
                                                                  .ip(IFA_ADDRESS, "10.9.9.1")
                                                                  .ip(IFA_LOCAL, "10.9.9.2")
                                                                  .bytes()
                                                           << "address 10.9.9.2 on eth1 added";
        QTest::newRow("IPv6 address added")
            << address(RTM_NEWADDR, AF_INET6, 3).ip(IFA_ADDRESS, "2001:db8::2").bytes()
            << "address 2001:db8::2 on eth1 added";
        QTest::newRow("IPv6 address announced again (lifetime, end of DAD)")
            << address(RTM_NEWADDR, AF_INET6, 3).ip(IFA_ADDRESS, "2001:db8::7").bytes()
            << QString();
        QTest::newRow("known IPv6 address gone")
            << address(RTM_DELADDR, AF_INET6, 3).ip(IFA_ADDRESS, "2001:db8::7").bytes()
            << "address 2001:db8::7 on eth1 gone";
        QTest::newRow("IPv6 link-local address")
            << address(RTM_NEWADDR, AF_INET6, 3).ip(IFA_ADDRESS, "fe80::1").bytes() << QString();
        QTest::newRow("IPv6 link-local route")
            << route(RTM_DELROUTE, 0, AF_INET6, 64).ip(RTA_DST, "fe80::").u32(RTA_OIF, 3).bytes()
            << QString();
        QTest::newRow("own device's address")
            << address(RTM_DELADDR, AF_INET, kOwnIfindex).ip(IFA_LOCAL, "10.244.2.2").bytes()
            << QString();
        QTest::newRow("address without one")
            << address(RTM_NEWADDR, AF_INET, 3).bytes() << QString();

        QTest::newRow("link down") << link(RTM_NEWLINK, 3, IFF_UP).bytes() << "link eth1 down";
        QTest::newRow("link unchanged (statistics)")
            << link(RTM_NEWLINK, 3, kUp).name("eth1").bytes() << QString();
        QTest::newRow("link added, up")
            << link(RTM_NEWLINK, 7, kUp).name("veth5").bytes() << "link veth5 added (up)";
        QTest::newRow("link added, down")
            << link(RTM_NEWLINK, 8, 0).name("veth6").bytes() << "link veth6 added";
        QTest::newRow("link gone")
            << link(RTM_DELLINK, 4, 0).name("veth0").bytes() << "link veth0 gone";
        QTest::newRow("own link") << link(RTM_NEWLINK, kOwnIfindex, 0).bytes() << QString();

        QTest::newRow("truncated route")
            << route(RTM_NEWROUTE, 0, AF_INET, 0).truncate(NLMSG_HDRLEN + 4).bytes() << QString();
        QTest::newRow("truncated attribute") << route(RTM_NEWROUTE, 0, AF_INET, 24)
                                                    .ip(RTA_DST, "10.1.0.0")
                                                    .truncate(NLMSG_LENGTH(sizeof(rtmsg)) + 8 + 6)
                                                    .bytes()
                                             << QString();
        rtmsg neigh{};
        QTest::newRow("neighbour message")
            << Message(RTM_NEWNEIGH, 0, &neigh, sizeof neigh).bytes() << QString();
    }

    void describe()
    {
        QFETCH(QByteArray, message);
        QFETCH(QString, expected);
        // Aligned storage for the header, as the kernel's buffer is.
        std::vector<uint32_t> storage((size_t(message.size()) + 3) / 4);
        std::memcpy(storage.data(), message.constData(), size_t(message.size()));
        UnderlayParser p = parser();
        const auto what = p.parse(reinterpret_cast<const nlmsghdr*>(storage.data()));
        QCOMPARE(what ? QString::fromStdString(*what) : QString(), expected);
    }

    void linkStateIsRemembered()
    {
        UnderlayParser p = parser();
        const auto parse = [&p](const Message& m) {
            const QByteArray b = m.bytes();
            std::vector<uint32_t> storage((size_t(b.size()) + 3) / 4);
            std::memcpy(storage.data(), b.constData(), size_t(b.size()));
            const auto what = p.parse(reinterpret_cast<const nlmsghdr*>(storage.data()));
            return what ? QString::fromStdString(*what) : QString();
        };
        QCOMPARE(parse(link(RTM_NEWLINK, 3, IFF_UP)), QStringLiteral("link eth1 down"));
        QCOMPARE(parse(link(RTM_NEWLINK, 3, IFF_UP)), QString()); // still down: nothing new
        QCOMPARE(parse(link(RTM_NEWLINK, 3, kUp)), QStringLiteral("link eth1 up"));
        QCOMPARE(parse(link(RTM_DELLINK, 3, 0)), QStringLiteral("link eth1 gone"));
        QCOMPARE(parse(link(RTM_NEWLINK, 3, kUp).name("eth1")),
                 QStringLiteral("link eth1 added (up)"));
        // An address is new once: again is an update; after it went, new again.
        const auto addr = [](uint16_t type) {
            return address(type, AF_INET, 3).ip(IFA_LOCAL, "10.91.2.2");
        };
        QCOMPARE(parse(addr(RTM_NEWADDR)), QStringLiteral("address 10.91.2.2 on eth1 added"));
        QCOMPARE(parse(addr(RTM_NEWADDR)), QString());
        QCOMPARE(parse(addr(RTM_DELADDR)), QStringLiteral("address 10.91.2.2 on eth1 gone"));
        QCOMPARE(parse(addr(RTM_NEWADDR)), QStringLiteral("address 10.91.2.2 on eth1 added"));
        // A link that goes takes its addresses' memory (and its name) with it.
        QCOMPARE(parse(link(RTM_DELLINK, 3, 0)), QStringLiteral("link eth1 gone"));
        QCOMPARE(parse(addr(RTM_NEWADDR)), QStringLiteral("address 10.91.2.2 on #3 added"));
    }

    void burstBecomesOneChange()
    {
        using namespace std::chrono_literals;
        Debouncer d; // 300 ms quiet, at most 2 s
        const auto t0 = Debouncer::Clock::time_point{} + 1h;
        QVERIFY(!d.pending());
        QVERIFY(!d.deadline());
        QVERIFY(!d.take(t0));
        d.note(t0, "address 10.1.0.2 on veth0 gone");
        d.note(t0 + 100ms, "default route via 10.1.0.1 dev veth0 gone");
        d.note(t0 + 200ms, "address 10.1.0.2 on veth0 gone"); // a repeat: listed once
        QVERIFY(d.pending());
        QCOMPARE(*d.deadline(), t0 + 500ms);
        QVERIFY(!d.take(t0 + 499ms));
        const auto what = d.take(t0 + 500ms);
        QVERIFY(what);
        QCOMPARE(QString::fromStdString(*what),
                 QStringLiteral("default route via 10.1.0.1 dev veth0 gone; address 10.1.0.2 "
                                "on veth0 gone"));
        QVERIFY(!d.pending());
        QVERIFY(!d.take(t0 + 10s));

        // Where the traffic goes first, link-local noise last.
        d.note(t0, "route fe80::/64 dev vab gone");
        d.note(t0, "address fe80::1 on vab gone");
        d.note(t0, "link vab gone");
        d.note(t0, "route 10.91.2.0/24 dev vae added");
        d.note(t0, "address 10.91.2.2 on vae added");
        d.note(t0, "default route via 10.91.2.1 dev vae added");
        const auto ordered = d.take(t0 + 1s);
        QVERIFY(ordered);
        QCOMPARE(QString::fromStdString(*ordered),
                 QStringLiteral("default route via 10.91.2.1 dev vae added; address 10.91.2.2 on "
                                "vae added; link vab gone; route 10.91.2.0/24 dev vae added and 2 "
                                "more"));
    }

    void flappingLinkIsHandledWithin2s()
    {
        using namespace std::chrono_literals;
        Debouncer d;
        const auto t0 = Debouncer::Clock::time_point{} + 1h;
        std::optional<std::string> what;
        auto t = t0;
        for (int i = 0; !what && i < 100; ++i, t += 200ms) {
            d.note(t, i % 2 ? "link eth1 up" : "link eth1 down");
            what = d.take(t);
        }
        QVERIFY(what);
        QCOMPARE(t - 200ms, t0 + 2000ms); // due at first + 2 s, though never quiet
    }

    void longBurstIsCounted()
    {
        using namespace std::chrono_literals;
        Debouncer d;
        const auto t0 = Debouncer::Clock::time_point{} + 1h;
        for (int i = 0; i < 7; ++i) {
            d.note(t0, "route 10.0." + std::to_string(i) + ".0/24 dev eth1 gone");
        }
        d.note(t0, "default route via 10.2.0.1 dev eth1 added"); // last, yet listed first
        const auto what = d.take(t0 + 1s);
        QVERIFY(what);
        QCOMPARE(QString::fromStdString(*what),
                 QStringLiteral("default route via 10.2.0.1 dev eth1 added; route 10.0.0.0/24 dev "
                                "eth1 gone; route 10.0.1.0/24 dev eth1 gone; route 10.0.2.0/24 "
                                "dev eth1 gone and 4 more"));
    }
};

QTEST_GUILESS_MAIN(TestUnderlayChange)
#include "tst_underlaychange.moc"
