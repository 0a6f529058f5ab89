// TunDevice, RouteTable and NetlinkWatcher against the real kernel: root only. The whole test
// process moves into a fresh network namespace of its own (unshare(CLONE_NEWNET)), so nothing
// it does is visible outside and everything vanishes when it exits. `ip` children started with
// QProcess inherit that namespace and serve as the independent witness.
#include "RouteTable.h"
#include "TunDevice.h"
#include "TunnelError.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QScopeGuard>
#include <QtTest>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <net/if.h>
#include <optional>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

using peertun::engine::IpAddress;
using peertun::engine::IpPrefix;
using peertun::engine::LinkConfig;
using peertun::engine::NetlinkWatcher;
using peertun::engine::RouteTable;
using peertun::engine::TunDevice;
using peertun::engine::TunnelError;

Q_DECLARE_METATYPE(TunnelError::Kind)

namespace {

const QString kTun = QStringLiteral("flannel99");

struct IpRun
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

IpRun runIp(const QStringList& args)
{
    QProcess p;
    p.start(QStringLiteral("ip"), args);
    IpRun r;
    if (!p.waitForStarted(5000) || !p.waitForFinished(10000)) {
        r.err = "ip did not run: " + p.errorString().toUtf8();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

// `ip -j ARGS` as JSON; an empty array if ip failed (the caller's checks then fail).
QJsonArray ipJson(const QStringList& args)
{
    const IpRun r = runIp(QStringList{QStringLiteral("-j")} + args);
    if (r.exitCode != 0) {
        qWarning() << "ip" << args << "failed:" << r.err;
        return {};
    }
    return QJsonDocument::fromJson(r.out).array();
}

QJsonObject linkInfo(const QString& dev)
{
    const QJsonArray a = ipJson({"link", "show", "dev", dev});
    return a.isEmpty() ? QJsonObject() : a.first().toObject();
}

bool linkIsUp(const QString& dev)
{
    return linkInfo(dev).value("flags").toArray().contains(QJsonValue("UP"));
}

bool hasAddress(const QString& dev, const QString& cidr)
{
    const QJsonArray a = ipJson({"addr", "show", "dev", dev});
    if (a.isEmpty()) {
        return false;
    }
    for (const QJsonValue& v : a.first().toObject().value("addr_info").toArray()) {
        const QJsonObject o = v.toObject();
        if (o.value("local").toString() + "/" + QString::number(o.value("prefixlen").toInt()) ==
            cidr) {
            return true;
        }
    }
    return false;
}

// The route to `dst` through `dev` as peertun adds it (protocol static); empty if absent.
QJsonObject staticRoute(const QString& dev, const QString& dst)
{
    const QString family = dst.contains(':') ? QStringLiteral("-6") : QStringLiteral("-4");
    for (const QJsonValue& v : ipJson({family, "route", "show", "dev", dev})) {
        const QJsonObject o = v.toObject();
        if (o.value("dst").toString() == dst && o.value("protocol").toString() == "static") {
            return o;
        }
    }
    return {};
}

LinkConfig makeConfig(const TunDevice& tun, const QString& address, const QStringList& routes,
                      int mtu)
{
    LinkConfig link;
    link.ifindex = tun.ifindex();
    link.ifName = tun.name();
    link.mtu = mtu;
    link.address = IpPrefix::parse(address.toStdString()).value();
    for (const QString& r : routes) {
        link.routes.push_back(IpPrefix::parse(r.toStdString()).value());
    }
    return link;
}

// Another network device in our namespace. A veth pair, not a dummy: these kernels have veth
// built in but no dummy driver. Deleting `name` deletes its peer too.
int addOtherDevice(const QString& name)
{
    return runIp({"link", "add", name, "type", "veth", "peer", "name", name + "p"}).exitCode;
}

QStringList toQStringList(const std::vector<std::string>& v)
{
    QStringList out;
    for (const auto& s : v) {
        out << QString::fromStdString(s);
    }
    return out;
}

// Polls the watcher's fd until drain() reports something of its device, up to `timeoutMs`.
bool waitForRelevantEvent(NetlinkWatcher& watcher, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    for (;;) {
        const int left = timeoutMs - static_cast<int>(timer.elapsed());
        if (left <= 0) {
            return false;
        }
        pollfd pfd{watcher.fd(), POLLIN, 0};
        if (::poll(&pfd, 1, left) > 0 && watcher.drain()) {
            return true;
        }
    }
}

} // namespace

class TestNetlink : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void createAndConfigure_data();
    void createAndConfigure();
    void sameNameIsBusy();
    void badNameIsInvalid_data();
    void badNameIsInvalid();
    void addressOnAnotherInterfaceIsAddressInUse_data();
    void addressOnAnotherInterfaceIsAddressInUse();
    void invalidLinkConfig_data();
    void invalidLinkConfig();
    void ipv6DisabledIsExplained();
    void withoutCapabilityIsPermissionDenied();
    void missingDevNetTunIsFailed();
    void deletedRouteIsSeenAndRestored_data();
    void deletedRouteIsSeenAndRestored();
    void linkDownIsRestored_data();
    void linkDownIsRestored();
    void otherDevicesDoNotWakeTheWatcher();
    void deconfigureRemovesRoutesAndAddress();
    void closingTheDeviceRemovesIt();
};

void TestNetlink::initTestCase()
{
    if (::geteuid() != 0) {
        QSKIP("needs root: creates TUN devices and a network namespace (runs as root in CI)");
    }
    if (::unshare(CLONE_NEWNET) != 0) {
        if (errno == EPERM) {
            QSKIP("unshare(CLONE_NEWNET) is not permitted here (container without "
                  "CAP_SYS_ADMIN?)");
        }
        QFAIL(qPrintable(QString("unshare(CLONE_NEWNET): %1").arg(std::strerror(errno))));
    }
    // A fresh namespace holds nothing but a down loopback: proof we are isolated.
    const QJsonArray links = ipJson({"link", "show"});
    QCOMPARE(links.size(), 1);
    QCOMPARE(links.first().toObject().value("ifname").toString(), QString("lo"));
    QCOMPARE(runIp({"link", "set", "lo", "up"}).exitCode, 0);
}

void TestNetlink::createAndConfigure_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<QStringList>("routes");
    QTest::addColumn<int>("mtu");
    QTest::newRow("ipv4 as in the seed")
        << "10.244.2.2/24" << QStringList{"10.244.3.0/24", "10.244.4.0/24"} << 1472;
    QTest::newRow("ipv4 host bits in a route are cleared")
        << "10.244.2.2/24" << QStringList{"10.244.3.7/24"} << 1400;
    QTest::newRow("ipv6") << "fd00:244::2/64" << QStringList{"fd00:244:3::/64", "fd00:245::/48"}
                          << 1452;
}

void TestNetlink::createAndConfigure()
{
    QFETCH(QString, address);
    QFETCH(QStringList, routes);
    QFETCH(int, mtu);

    TunDevice tun = TunDevice::create(kTun.toStdString());
    QCOMPARE(QString::fromStdString(tun.name()), kTun);
    QVERIFY(tun.fd() >= 0);
    QCOMPARE(tun.ifindex(), static_cast<int>(::if_nametoindex(kTun.toUtf8().constData())));
    QVERIFY(!tun.hasVnetHeader());
    QVERIFY(::fcntl(tun.fd(), F_GETFL) & O_NONBLOCK);
    QVERIFY(::fcntl(tun.fd(), F_GETFD) & FD_CLOEXEC);

    const LinkConfig link = makeConfig(tun, address, routes, mtu);
    RouteTable table;
    table.configure(link);

    const QJsonObject info = linkInfo(kTun);
    QCOMPARE(info.value("mtu").toInt(), mtu);
    QCOMPARE(info.value("ifindex").toInt(), tun.ifindex());
    QVERIFY(linkIsUp(kTun));
    QVERIFY(hasAddress(kTun, address));
    for (const IpPrefix& r : link.routes) {
        const QString dst = QString::fromStdString(r.network().toString());
        const QJsonObject route = staticRoute(kTun, dst);
        QVERIFY2(!route.isEmpty(), qPrintable("no route " + dst));
        if (r.address.family == AF_INET) {
            QCOMPARE(route.value("scope").toString(), QString("link"));
        }
    }

    // The address is on our device only: not "in use elsewhere", but found when we ask
    // from another interface's point of view.
    const IpAddress host = link.address.address;
    QVERIFY(!table.interfaceWithAddress(host, tun.ifindex()).has_value());
    QCOMPARE(QString::fromStdString(table.interfaceWithAddress(host, 0).value_or("<none>")), kTun);

    // Everything was in place: restore has nothing to do.
    QCOMPARE(toQStringList(table.restore(link)), QStringList());
}

void TestNetlink::sameNameIsBusy()
{
    TunDevice first = TunDevice::create(kTun.toStdString());
    try {
        TunDevice::create(kTun.toStdString());
        QFAIL("a second TUN device with the same name was created");
    } catch (const TunnelError& e) {
        QCOMPARE(e.kind(), TunnelError::Kind::Busy);
        QCOMPARE(QString(e.what()), QString("network device flannel99 already exists"));
    }
    // Not only TUN devices: any device of that name.
    try {
        TunDevice::create("lo");
        QFAIL("a TUN device named lo was created");
    } catch (const TunnelError& e) {
        QCOMPARE(e.kind(), TunnelError::Kind::Busy);
        QCOMPARE(QString(e.what()), QString("network device lo already exists"));
    }
    QCOMPARE(static_cast<int>(::if_nametoindex(kTun.toUtf8().constData())), first.ifindex());
}

void TestNetlink::badNameIsInvalid_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("empty") << "";
    QTest::newRow("16 bytes") << "abcdefghijklmnop";
    QTest::newRow("slash") << "a/b";
    QTest::newRow("space") << "a b";
    QTest::newRow("colon") << "a:b";
    QTest::newRow("dot") << ".";
}

void TestNetlink::badNameIsInvalid()
{
    QFETCH(QString, name);
    try {
        TunDevice::create(name.toStdString());
        QFAIL("a TUN device with an invalid name was created");
    } catch (const TunnelError& e) {
        QCOMPARE(e.kind(), TunnelError::Kind::InvalidConfig);
    }
}

void TestNetlink::addressOnAnotherInterfaceIsAddressInUse_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<QString>("expected");
    QTest::newRow("ipv4") << "10.244.2.2/24"
                          << "address 10.244.2.2 is already assigned to d0";
    QTest::newRow("ipv6") << "fd00:244::2/64"
                          << "address fd00:244::2 is already assigned to d0";
}

void TestNetlink::addressOnAnotherInterfaceIsAddressInUse()
{
    QFETCH(QString, address);
    QFETCH(QString, expected);

    QCOMPARE(addOtherDevice("d0"), 0);
    const auto removeDummy = qScopeGuard([] { runIp({"link", "del", "d0"}); });
    QCOMPARE(runIp({"addr", "add", address, "dev", "d0", "nodad"}).exitCode, 0);

    TunDevice tun = TunDevice::create(kTun.toStdString());
    RouteTable table;
    const LinkConfig link = makeConfig(tun, address, {}, 1472);
    try {
        table.configure(link);
        QFAIL("configure() took an address that another interface holds");
    } catch (const TunnelError& e) {
        QCOMPARE(e.kind(), TunnelError::Kind::AddressInUse);
        QCOMPARE(QString(e.what()), expected);
    }
    QVERIFY(!hasAddress(kTun, address));
}

void TestNetlink::invalidLinkConfig_data()
{
    QTest::addColumn<QString>("address"); // empty: none
    QTest::addColumn<QStringList>("routes");
    QTest::addColumn<int>("mtu");
    QTest::newRow("no address") << "" << QStringList{"10.244.3.0/24"} << 1472;
    QTest::newRow("mtu too small") << "10.244.2.2/24" << QStringList{} << 67;
    QTest::newRow("mtu too big") << "10.244.2.2/24" << QStringList{} << 65536;
    QTest::newRow("ipv6 below 1280") << "fd00:244::2/64" << QStringList{} << 1279;
    QTest::newRow("ipv6 route below 1280") << "10.244.2.2/24" << QStringList{"fd00::/64"} << 1200;
}

void TestNetlink::invalidLinkConfig()
{
    QFETCH(QString, address);
    QFETCH(QStringList, routes);
    QFETCH(int, mtu);
    TunDevice tun = TunDevice::create(kTun.toStdString());
    LinkConfig link = makeConfig(tun, "10.244.2.2/24", routes, mtu);
    if (address.isEmpty()) {
        link.address = {};
    } else {
        link.address = IpPrefix::parse(address.toStdString()).value();
    }
    RouteTable table;
    try {
        table.configure(link);
        QFAIL("configure() accepted an impossible link configuration");
    } catch (const TunnelError& e) {
        QCOMPARE(e.kind(), TunnelError::Kind::InvalidConfig);
    }
    QVERIFY(!linkIsUp(kTun)); // refused before touching the device
}

void TestNetlink::ipv6DisabledIsExplained()
{
    const QString conf = QStringLiteral("/proc/sys/net/ipv6/conf/default/disable_ipv6");
    const auto writeConf = [&](const QByteArray& value) {
        QFile f(conf);
        return f.open(QIODevice::WriteOnly) && f.write(value) == value.size();
    };
    QVERIFY(writeConf("1\n"));
    const auto ipv6Back = qScopeGuard([&] { writeConf("0\n"); });
    TunDevice tun = TunDevice::create(kTun.toStdString());
    RouteTable table;
    try {
        table.configure(makeConfig(tun, "fd00:244::2/64", {"fd00:244:3::/64"}, 1452));
        QFAIL("configure() put an IPv6 address on a device without IPv6");
    } catch (const TunnelError& e) {
        QCOMPARE(e.kind(), TunnelError::Kind::Failed);
        QVERIFY2(QString(e.what()).contains("IPv6 is disabled"), e.what());
    }
}

void TestNetlink::withoutCapabilityIsPermissionDenied()
{
    TunDevice tun = TunDevice::create(kTun.toStdString()); // as root
    RouteTable table;                                      // socket opened as root
    const LinkConfig link = makeConfig(tun, "10.244.2.2/24", {"10.244.3.0/24"}, 1472);

    // Effective uid nobody: the effective capabilities are gone until seteuid(0).
    QCOMPARE(::seteuid(65534), 0);
    auto backToRoot = qScopeGuard([] { QCOMPARE(::seteuid(0), 0); });

    try {
        TunDevice::create("pt-noperm");
        QFAIL("created a TUN device without CAP_NET_ADMIN");
    } catch (const TunnelError& e) {
        QCOMPARE(e.kind(), TunnelError::Kind::PermissionDenied);
        QCOMPARE(QString(e.what()), QString("creating a TUN device needs root or CAP_NET_ADMIN"));
    }
    try {
        table.configure(link);
        QFAIL("configured a link without CAP_NET_ADMIN");
    } catch (const TunnelError& e) {
        QCOMPARE(e.kind(), TunnelError::Kind::PermissionDenied);
        QVERIFY2(QString(e.what()).startsWith("configuring flannel99 needs root or CAP_NET_ADMIN"),
                 e.what());
    }
    backToRoot.dismiss();
    QCOMPARE(::seteuid(0), 0);
    QVERIFY(!hasAddress(kTun, "10.244.2.2/24"));
}

void TestNetlink::missingDevNetTunIsFailed()
{
    // In a child with a private mount namespace, hide /dev/net under an empty tmpfs.
    enum : int { kOk = 0, kWrongKind = 1, kWrongText = 2, kNoThrow = 3, kNoSetup = 4 };
    const pid_t pid = ::fork();
    QVERIFY(pid >= 0);
    if (pid == 0) {
        if (::unshare(CLONE_NEWNS) != 0 ||
            ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
            ::mount("tmpfs", "/dev/net", "tmpfs", 0, nullptr) != 0) {
            ::_exit(kNoSetup);
        }
        try {
            TunDevice::create("pt-notun");
        } catch (const TunnelError& e) {
            if (e.kind() != TunnelError::Kind::Failed) {
                ::_exit(kWrongKind);
            }
            ::_exit(std::strstr(e.what(), "/dev/net/tun is missing") ? kOk : kWrongText);
        }
        ::_exit(kNoThrow);
    }
    int status = 0;
    QCOMPARE(::waitpid(pid, &status, 0), pid);
    QVERIFY(WIFEXITED(status));
    if (WEXITSTATUS(status) == kNoSetup) {
        QSKIP("cannot make a private mount namespace here to hide /dev/net/tun");
    }
    QCOMPARE(WEXITSTATUS(status), int(kOk));
}

void TestNetlink::deletedRouteIsSeenAndRestored_data()
{
    QTest::addColumn<QString>("address");
    QTest::addColumn<QStringList>("routes");
    QTest::newRow("ipv4") << "10.244.2.2/24" << QStringList{"10.244.3.0/24", "10.244.4.0/24"};
    QTest::newRow("ipv6") << "fd00:244::2/64" << QStringList{"fd00:244:3::/64", "fd00:245::/48"};
}

void TestNetlink::deletedRouteIsSeenAndRestored()
{
    QFETCH(QString, address);
    QFETCH(QStringList, routes);

    TunDevice tun = TunDevice::create(kTun.toStdString());
    const LinkConfig link = makeConfig(tun, address, routes, 1452);
    RouteTable table;
    table.configure(link);
    NetlinkWatcher watcher(tun.ifindex());
    watcher.drain(); // whatever came before

    const QString victim = routes.first();
    QCOMPARE(runIp({"route", "del", victim, "dev", kTun}).exitCode, 0);
    QVERIFY(staticRoute(kTun, victim).isEmpty());

    QVERIFY2(waitForRelevantEvent(watcher, 1000), "no event within 1 s for a deleted route");
    QCOMPARE(toQStringList(table.restore(link)), QStringList{"route " + victim + " dev " + kTun});
    QVERIFY(!staticRoute(kTun, victim).isEmpty());
    QCOMPARE(toQStringList(table.restore(link)), QStringList());

    // The restore's own RTM_NEWROUTE must not start another round that does anything.
    watcher.drain();
    QCOMPARE(toQStringList(table.restore(link)), QStringList());
}

void TestNetlink::linkDownIsRestored_data()
{
    QTest::addColumn<bool>("ipv6Off");
    QTest::addColumn<QString>("address");
    QTest::addColumn<QStringList>("routes");
    QTest::addColumn<QStringList>("expected");
    const QStringList v4Routes{"10.244.3.0/24", "10.244.4.0/24"};
    // IPv4: the address survives a link down, the routes are flushed without RTM_DELROUTE.
    const QStringList v4Expected{"link flannel99 up", "route 10.244.3.0/24 dev flannel99",
                                 "route 10.244.4.0/24 dev flannel99"};
    QTest::newRow("ipv4") << false << "10.244.2.2/24" << v4Routes << v4Expected;
    // Without IPv6 on the device no link-local address goes away: RTM_NEWLINK is the only sign.
    QTest::newRow("ipv4, link event only") << true << "10.244.2.2/24" << v4Routes << v4Expected;
    // IPv6 (keep_addr_on_down = 0): the address goes too.
    QTest::newRow("ipv6") << false << "fd00:244::2/64" << QStringList{"fd00:244:3::/64"}
                          << QStringList{"link flannel99 up",
                                         "address fd00:244::2/64 dev flannel99",
                                         "route fd00:244:3::/64 dev flannel99"};
}

void TestNetlink::linkDownIsRestored()
{
    QFETCH(bool, ipv6Off);
    QFETCH(QString, address);
    QFETCH(QStringList, routes);
    QFETCH(QStringList, expected);

    // Pin the IPv6 behaviour the table expects (the kernel default), and switch IPv6 off for
    // devices created from here on if asked; /proc/sys/net is our namespace's.
    const auto writeConf = [](const QString& path, const QByteArray& value) {
        QFile f(path);
        return f.open(QIODevice::WriteOnly) && f.write(value) == value.size();
    };
    for (const char* conf : {"all", "default"}) {
        QVERIFY(
            writeConf(QString("/proc/sys/net/ipv6/conf/%1/keep_addr_on_down").arg(conf), "0\n"));
    }
    const QString disableIpv6 = QStringLiteral("/proc/sys/net/ipv6/conf/default/disable_ipv6");
    QVERIFY(writeConf(disableIpv6, ipv6Off ? "1\n" : "0\n"));
    const auto ipv6Back = qScopeGuard([&] { writeConf(disableIpv6, "0\n"); });

    TunDevice tun = TunDevice::create(kTun.toStdString());
    const LinkConfig link = makeConfig(tun, address, routes, 1452);
    RouteTable table;
    table.configure(link);
    NetlinkWatcher watcher(tun.ifindex());
    watcher.drain();

    QCOMPARE(runIp({"link", "set", "dev", kTun, "down"}).exitCode, 0);
    QVERIFY(!linkIsUp(kTun));
    for (const QString& r : routes) {
        QVERIFY(staticRoute(kTun, r).isEmpty());
    }

    QVERIFY2(waitForRelevantEvent(watcher, 1000), "no event within 1 s for a link going down");
    QCOMPARE(toQStringList(table.restore(link)), expected);
    QVERIFY(linkIsUp(kTun));
    QVERIFY(hasAddress(kTun, address));
    for (const QString& r : routes) {
        QVERIFY2(!staticRoute(kTun, r).isEmpty(), qPrintable("route not back: " + r));
    }
    QCOMPARE(toQStringList(table.restore(link)), QStringList());
    watcher.drain();
    QCOMPARE(toQStringList(table.restore(link)), QStringList());
}

void TestNetlink::otherDevicesDoNotWakeTheWatcher()
{
    TunDevice tun = TunDevice::create(kTun.toStdString());
    const LinkConfig link = makeConfig(tun, "10.244.2.2/24", {"10.244.3.0/24"}, 1472);
    RouteTable table;
    table.configure(link);
    NetlinkWatcher watcher(tun.ifindex());
    watcher.drain();

    // Another device comes, gets a route, loses it, goes: none of it concerns our tunnel.
    QCOMPARE(addOtherDevice("d1"), 0);
    auto removeDummy = qScopeGuard([] { runIp({"link", "del", "d1"}); });
    QCOMPARE(runIp({"link", "set", "d1", "up"}).exitCode, 0);
    QCOMPARE(runIp({"route", "add", "10.99.0.0/16", "dev", "d1"}).exitCode, 0);
    QCOMPARE(runIp({"route", "del", "10.99.0.0/16", "dev", "d1"}).exitCode, 0);
    removeDummy.dismiss();
    QCOMPARE(runIp({"link", "del", "d1"}).exitCode, 0);

    QVERIFY(!waitForRelevantEvent(watcher, 300));

    // ...while the same on our device does.
    QCOMPARE(runIp({"route", "del", "10.244.3.0/24", "dev", kTun}).exitCode, 0);
    QVERIFY(waitForRelevantEvent(watcher, 1000));
}

void TestNetlink::deconfigureRemovesRoutesAndAddress()
{
    TunDevice tun = TunDevice::create(kTun.toStdString());
    const LinkConfig link =
        makeConfig(tun, "10.244.2.2/24", {"10.244.3.0/24", "10.244.4.0/24"}, 1472);
    RouteTable table;
    table.configure(link);
    QVERIFY(!staticRoute(kTun, "10.244.3.0/24").isEmpty());

    // One route already gone: the rest is still removed, nothing thrown.
    QCOMPARE(runIp({"route", "del", "10.244.4.0/24", "dev", kTun}).exitCode, 0);
    table.deconfigure(link);
    QVERIFY(staticRoute(kTun, "10.244.3.0/24").isEmpty());
    QVERIFY(!hasAddress(kTun, "10.244.2.2/24"));
    table.deconfigure(link); // again: all "not found", still quiet
}

void TestNetlink::closingTheDeviceRemovesIt()
{
    {
        TunDevice tun = TunDevice::create(kTun.toStdString());
        RouteTable table;
        table.configure(makeConfig(tun, "10.244.2.2/24", {"10.244.3.0/24"}, 1472));
        QVERIFY(::if_nametoindex(kTun.toUtf8().constData()) != 0);
    }
    QTRY_COMPARE_WITH_TIMEOUT(::if_nametoindex(kTun.toUtf8().constData()), 0u, 2000);
    const IpRun routes = runIp({"-4", "route", "show", "10.244.3.0/24"});
    QCOMPARE(routes.exitCode, 0);
    QCOMPARE(routes.out.trimmed(), QByteArray());
    // And the name is free again.
    TunDevice again = TunDevice::create(kTun.toStdString());
    QVERIFY(again.ifindex() > 0);
}

QTEST_GUILESS_MAIN(TestNetlink)
#include "tst_netlink.moc"
