// TunDevice, RouteTable and NetlinkWatcher against the real kernel: root only. The whole test
// process moves into a fresh network namespace of its own (unshare(CLONE_NEWNET)), so nothing
// it does is visible outside and everything vanishes when it exits. `ip` children started with
// QProcess inherit that namespace and serve as the independent witness.
#include "PolicyRouting.h"
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
#include <cstddef>
#include <cstring>
#include <net/if.h>
#include <optional>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

using peertun::engine::FullTunnelConfig;
using peertun::engine::IpAddress;
using peertun::engine::IpPrefix;
using peertun::engine::LinkConfig;
using peertun::engine::NetlinkWatcher;
using peertun::engine::PolicyRouting;
using peertun::engine::RouteTable;
using peertun::engine::TunDevice;
using peertun::engine::TunnelError;
using peertun::engine::TunnelMark;

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

// `ip -4|-6 rule show` / `ip -4|-6 route show table T`, one entry per line.
QStringList ipLines(const QStringList& args)
{
    const IpRun r = runIp(args);
    // IPv6 reports an empty table as missing.
    if (r.exitCode != 0 && !r.err.contains("FIB table does not exist")) {
        qWarning() << "ip" << args << "failed:" << r.err;
    }
    QStringList lines;
    for (const QByteArray& line : r.out.split('\n')) {
        if (!line.trimmed().isEmpty()) {
            lines << QString::fromUtf8(line.trimmed()).replace(u'\t', u' ');
        }
    }
    return lines;
}

QStringList rules(int family)
{
    return ipLines({family == AF_INET6 ? "-6" : "-4", "rule", "show"});
}

QStringList tableRoutes(int family, uint32_t table)
{
    return ipLines(
        {family == AF_INET6 ? "-6" : "-4", "route", "show", "table", QString::number(table)});
}

// A fresh namespace's rules: what must be back after a full tunnel is gone.
const QStringList kDefaultRulesV4{"0: from all lookup local", "32766: from all lookup main",
                                  "32767: from all lookup default"};
const QStringList kDefaultRulesV6{"0: from all lookup local", "32766: from all lookup main"};

// The rules a full tunnel adds with table/mark 51820 before the main rule at 32766.
QStringList fullTunnelRules(int family)
{
    QStringList r = family == AF_INET6 ? kDefaultRulesV6 : kDefaultRulesV4;
    r.insert(1, "32764: from all lookup main suppress_prefixlength 0 proto static");
    r.insert(2, "32765: not from all fwmark 0xca6c lookup 51820 proto static");
    return r;
}

QString defaultRouteLine(int family)
{
    return family == AF_INET6 ? "default dev flannel99 proto static metric 1024 pref medium"
                              : "default dev flannel99 proto static scope link";
}

std::vector<int> familiesOf(const QString& which)
{
    std::vector<int> f;
    if (which.contains("4")) {
        f.push_back(AF_INET);
    }
    if (which.contains("6")) {
        f.push_back(AF_INET6);
    }
    return f;
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

    void fullTunnelRulesAndTable_data();
    void fullTunnelRulesAndTable();
    void fullTunnelAvoidsTablesAndPrioritiesInUse();
    void markIsLockedUntilItsRulesExist();
    void fullTunnelDeletionIsSeenAndRestored_data();
    void fullTunnelDeletionIsSeenAndRestored();
    void fullTunnelIgnoresOtherRules();
    void fullTunnelFailureLeavesNothing_data();
    void fullTunnelFailureLeavesNothing();
    void fullTunnelWithoutCapabilityIsPermissionDenied();
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
    QTest::newRow("ipv4 as in the two-host example")
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

void TestNetlink::fullTunnelRulesAndTable_data()
{
    QTest::addColumn<QString>("families");
    QTest::newRow("ipv4") << "4";
    QTest::newRow("ipv6") << "6";
    QTest::newRow("both") << "46";
}

void TestNetlink::fullTunnelRulesAndTable()
{
    QFETCH(QString, families);
    TunDevice tun = TunDevice::create(kTun.toStdString());
    RouteTable table;
    table.configure(makeConfig(tun, "10.244.2.2/24", {}, 1420));
    QCOMPARE(rules(AF_INET), kDefaultRulesV4);
    QCOMPARE(rules(AF_INET6), kDefaultRulesV6);

    {
        const TunnelMark mark = TunnelMark::allocate(tun.name());
        QCOMPARE(mark.value(), 51820u); // a fresh namespace: wg-quick's first choice is free
        QCOMPARE(rules(AF_INET), kDefaultRulesV4); // choosing adds nothing
        PolicyRouting policy(
            FullTunnelConfig{tun.ifindex(), tun.name(), familiesOf(families), mark.value()});
        QCOMPARE(policy.table(), 51820u);
        QCOMPARE(policy.mark(), 51820u);
        QStringList described;
        for (const int family : {AF_INET, AF_INET6}) {
            const bool on = families.contains(family == AF_INET ? "4" : "6");
            QCOMPARE(rules(family), on ? fullTunnelRules(family)
                                       : (family == AF_INET ? kDefaultRulesV4 : kDefaultRulesV6));
            QCOMPARE(tableRoutes(family, 51820),
                     on ? QStringList{defaultRouteLine(family)} : QStringList());
        }
        for (const std::string& line : policy.describe()) {
            described << QString::fromStdString(line);
        }
        QVERIFY2(described.contains(QString("%1 rule 32765: not fwmark 0xca6c lookup 51820")
                                        .arg(families.startsWith("4") ? "IPv4" : "IPv6")),
                 qPrintable(described.join(" | ")));
        QCOMPARE(toQStringList(policy.restore()), QStringList()); // all in place
    }
    // Gone with the object: exactly what it added, the device still there.
    QCOMPARE(rules(AF_INET), kDefaultRulesV4);
    QCOMPARE(rules(AF_INET6), kDefaultRulesV6);
    QCOMPARE(tableRoutes(AF_INET, 51820), QStringList());
    QCOMPARE(tableRoutes(AF_INET6, 51820), QStringList());
    QVERIFY(linkIsUp(kTun));
}

void TestNetlink::fullTunnelAvoidsTablesAndPrioritiesInUse()
{
    TunDevice tun = TunDevice::create(kTun.toStdString());
    RouteTable table;
    table.configure(makeConfig(tun, "10.244.2.2/24", {}, 1420));
    // 51820 holds an IPv6 route, 51821 is a mark in an IPv4 rule, 51822 a rule's table; and
    // someone's rule sits at priority 1000.
    const auto cleanup = qScopeGuard([] {
        runIp({"-6", "route", "del", "blackhole", "fd00:9::/64", "table", "51820"});
        runIp({"rule", "del", "pref", "1000"});
        runIp({"-6", "rule", "del", "pref", "2000"});
    });
    QCOMPARE(runIp({"-6", "route", "add", "blackhole", "fd00:9::/64", "table", "51820"}).exitCode,
             0);
    QCOMPARE(runIp({"rule", "add", "pref", "1000", "fwmark", "51821", "lookup", "100"}).exitCode,
             0);
    QCOMPARE(runIp({"-6", "rule", "add", "pref", "2000", "lookup", "51822"}).exitCode, 0);

    const TunnelMark firstMark = TunnelMark::allocate(tun.name());
    PolicyRouting first(
        FullTunnelConfig{tun.ifindex(), tun.name(), {AF_INET, AF_INET6}, firstMark.value()});
    QCOMPARE(first.table(), 51823u);
    QVERIFY(rules(AF_INET).contains("998: from all lookup main suppress_prefixlength 0 proto "
                                    "static"));
    QVERIFY(rules(AF_INET).contains("999: not from all fwmark 0xca6f lookup 51823 proto static"));
    QVERIFY(rules(AF_INET6).contains("1999: not from all fwmark 0xca6f lookup 51823 proto static"));

    // A second full tunnel takes the next free number, and its rules go before the first's.
    TunDevice tun2 = TunDevice::create("flannel98");
    RouteTable table2;
    table2.configure(makeConfig(tun2, "10.245.2.2/24", {}, 1420));
    {
        const TunnelMark secondMark = TunnelMark::allocate(tun2.name());
        PolicyRouting second(
            FullTunnelConfig{tun2.ifindex(), tun2.name(), {AF_INET}, secondMark.value()});
        QCOMPARE(second.table(), 51824u);
        QVERIFY(rules(AF_INET).contains("997: not from all fwmark 0xca70 lookup 51824 proto "
                                        "static"));
    }
    // Removing the second touched none of the first's (same suppress rule text, other priority).
    QVERIFY(rules(AF_INET).contains("998: from all lookup main suppress_prefixlength 0 proto "
                                    "static"));
    QVERIFY(rules(AF_INET).contains("999: not from all fwmark 0xca6f lookup 51823 proto static"));
    QCOMPARE(rules(AF_INET).filter("suppress_prefixlength").size(), 1);
}

namespace {

// Binds the namespace's mark lock name: a valid fd if it was free.
peertun::engine::Fd bindMarkLock()
{
    peertun::engine::Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    const size_t n = sizeof TunnelMark::kLockName - 1;
    std::memcpy(a.sun_path + 1, TunnelMark::kLockName, n);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&a),
               socklen_t(offsetof(sockaddr_un, sun_path) + 1 + n)) != 0) {
        return peertun::engine::Fd();
    }
    return fd;
}

} // namespace

// Another process choosing at the same moment would pick the same mark until this one's rules
// exist: from allocate() to settled() the namespace's lock is held. A squatter on the lock's
// name (any local user can bind it) delays the choice, never stops it.
void TestNetlink::markIsLockedUntilItsRulesExist()
{
    QVERIFY(bindMarkLock().valid());
    {
        TunnelMark mark = TunnelMark::allocate("flannel99");
        QVERIFY(!bindMarkLock().valid());
        mark.settled();
        QVERIFY(bindMarkLock().valid());
        TunnelMark unsettled = TunnelMark::allocate("flannel99");
        QVERIFY(unsettled.value() != mark.value());
    } // destroyed unsettled: the lock goes with it
    QVERIFY(bindMarkLock().valid());

    const peertun::engine::Fd squatter = bindMarkLock();
    QVERIFY(squatter.valid());
    QElapsedTimer waited;
    waited.start();
    const TunnelMark mark = TunnelMark::allocate("flannel99");
    QVERIFY(mark.value() >= TunnelMark::kFirstTable);
    QVERIFY2(waited.elapsed() >= 1500, "the lock's holder was not waited for");
}

void TestNetlink::fullTunnelDeletionIsSeenAndRestored_data()
{
    QTest::addColumn<QString>("families");
    QTest::addColumn<QStringList>("deletion"); // ip arguments
    QTest::addColumn<QStringList>("expected"); // restore()'s report
    QTest::newRow("ipv4 not-fwmark rule")
        << "4" << QStringList{"-4", "rule", "del", "pref", "32765"}
        << QStringList{"IPv4 rule 32765: not fwmark 0xca6c lookup 51820"};
    QTest::newRow("ipv4 suppress rule")
        << "4" << QStringList{"-4", "rule", "del", "lookup", "main", "suppress_prefixlength", "0"}
        << QStringList{"IPv4 rule 32764: lookup main suppress_prefixlength 0"};
    QTest::newRow("ipv4 table route")
        << "4" << QStringList{"-4", "route", "flush", "table", "51820"}
        << QStringList{"route 0.0.0.0/0 dev flannel99 table 51820"};
    QTest::newRow("ipv4 link down") << "4" << QStringList{"link", "set", kTun, "down"}
                                    << QStringList{"route 0.0.0.0/0 dev flannel99 table 51820"};
    QTest::newRow("ipv6 not-fwmark rule")
        << "6" << QStringList{"-6", "rule", "del", "pref", "32765"}
        << QStringList{"IPv6 rule 32765: not fwmark 0xca6c lookup 51820"};
    QTest::newRow("ipv6 table route")
        << "6" << QStringList{"-6", "route", "del", "default", "dev", kTun, "table", "51820"}
        << QStringList{"route ::/0 dev flannel99 table 51820"};
}

void TestNetlink::fullTunnelDeletionIsSeenAndRestored()
{
    QFETCH(QString, families);
    QFETCH(QStringList, deletion);
    QFETCH(QStringList, expected);
    const int family = familiesOf(families).front();

    TunDevice tun = TunDevice::create(kTun.toStdString());
    const LinkConfig link = makeConfig(tun, "10.244.2.2/24", {}, 1420);
    RouteTable table;
    table.configure(link);
    const TunnelMark mark = TunnelMark::allocate(tun.name());
    PolicyRouting policy(FullTunnelConfig{tun.ifindex(), tun.name(), {family}, mark.value()});
    NetlinkWatcher watcher(tun.ifindex(), policy.table());
    watcher.drain();

    QCOMPARE(runIp(deletion).exitCode, 0);
    QVERIFY(rules(family) != fullTunnelRules(family) ||
            tableRoutes(family, 51820) != QStringList{defaultRouteLine(family)});

    QVERIFY2(waitForRelevantEvent(watcher, 1000), "no event within 1 s for the deletion");
    table.restore(link); // the link first, as the tunnel's guard does
    QCOMPARE(toQStringList(policy.restore()), expected);
    QCOMPARE(rules(family), fullTunnelRules(family));
    QCOMPARE(tableRoutes(family, 51820), QStringList{defaultRouteLine(family)});
    // Its own additions wake the watcher perhaps, but then there is nothing to do.
    watcher.drain();
    QCOMPARE(toQStringList(policy.restore()), QStringList());
}

void TestNetlink::fullTunnelIgnoresOtherRules()
{
    TunDevice tun = TunDevice::create(kTun.toStdString());
    RouteTable table;
    table.configure(makeConfig(tun, "10.244.2.2/24", {}, 1420));
    const TunnelMark mark = TunnelMark::allocate(tun.name());
    PolicyRouting policy(FullTunnelConfig{tun.ifindex(), tun.name(), {AF_INET}, mark.value()});
    NetlinkWatcher watcher(tun.ifindex(), policy.table());
    watcher.drain();

    QCOMPARE(runIp({"rule", "add", "pref", "100", "fwmark", "7", "lookup", "100"}).exitCode, 0);
    QCOMPARE(runIp({"rule", "del", "pref", "100"}).exitCode, 0);
    QVERIFY(!waitForRelevantEvent(watcher, 300));
    QCOMPARE(runIp({"rule", "del", "pref", "32765"}).exitCode, 0);
    QVERIFY(waitForRelevantEvent(watcher, 1000));
}

void TestNetlink::fullTunnelFailureLeavesNothing_data()
{
    QTest::addColumn<QString>("failure");
    QTest::addColumn<QString>("message");
    // IPv4 is fully in place when the IPv6 route fails: the IPv4 rules must go again.
    QTest::newRow("ipv6 disabled on the device")
        << "ipv6"
        << "cannot route all IPv6 traffic through flannel99: adding the route ::/0 dev "
           "flannel99 table 51820 failed: ";
}

void TestNetlink::fullTunnelFailureLeavesNothing()
{
    QFETCH(QString, failure);
    QFETCH(QString, message);
    const auto writeConf = [](const QByteArray& value) {
        QFile f("/proc/sys/net/ipv6/conf/default/disable_ipv6");
        return f.open(QIODevice::WriteOnly) && f.write(value) == value.size();
    };
    QVERIFY(writeConf(failure == "ipv6" ? "1\n" : "0\n"));
    const auto ipv6Back = qScopeGuard([&] { writeConf("0\n"); });
    TunDevice tun = TunDevice::create(kTun.toStdString());
    RouteTable table;
    table.configure(makeConfig(tun, "10.244.2.2/24", {}, 1420));
    try {
        const TunnelMark mark = TunnelMark::allocate(tun.name());
        PolicyRouting policy(
            FullTunnelConfig{tun.ifindex(), tun.name(), {AF_INET, AF_INET6}, mark.value()});
        QFAIL("a full tunnel came up although a step failed");
    } catch (const TunnelError& e) {
        QVERIFY2(QString(e.what()).startsWith(message), e.what());
    }
    QCOMPARE(rules(AF_INET), kDefaultRulesV4);
    QCOMPARE(rules(AF_INET6), kDefaultRulesV6);
    QCOMPARE(tableRoutes(AF_INET, 51820), QStringList());
    QCOMPARE(tableRoutes(AF_INET6, 51820), QStringList());
}

void TestNetlink::fullTunnelWithoutCapabilityIsPermissionDenied()
{
    TunDevice tun = TunDevice::create(kTun.toStdString());
    RouteTable table;
    table.configure(makeConfig(tun, "10.244.2.2/24", {}, 1420));
    const TunnelMark mark = TunnelMark::allocate(tun.name());
    QCOMPARE(::seteuid(65534), 0);
    auto backToRoot = qScopeGuard([] { QCOMPARE(::seteuid(0), 0); });
    try {
        PolicyRouting policy(FullTunnelConfig{tun.ifindex(), tun.name(), {AF_INET}, mark.value()});
        QFAIL("a full tunnel came up without CAP_NET_ADMIN");
    } catch (const TunnelError& e) {
        QCOMPARE(e.kind(), TunnelError::Kind::PermissionDenied);
        QVERIFY2(QString(e.what()).startsWith("routing all traffic through flannel99 needs root "
                                              "or CAP_NET_ADMIN"),
                 e.what());
    }
    backToRoot.dismiss();
    QCOMPARE(::seteuid(0), 0);
    QCOMPARE(rules(AF_INET), kDefaultRulesV4);
    QCOMPARE(tableRoutes(AF_INET, 51820), QStringList());
}

QTEST_GUILESS_MAIN(TestNetlink)
#include "tst_netlink.moc"
