// AccessPolicy: which polkit actions each call needs for each caller, as a table (the caller's
// uid, the tunnel's owner, the request), and when a profile counts as privileged.
#include "AccessPolicy.h"
#include "DBusContract.h"
#include "GuiTestProfiles.h"

#include <QTest>

using namespace peertun;

Q_DECLARE_METATYPE(std::optional<uint32_t>)
Q_DECLARE_METATYPE(peertun::Access)

class TestAccessPolicy : public QObject
{
    Q_OBJECT

private slots:
    void decision_data();
    void decision();
    void privilegedProfiles_data();
    void privilegedProfiles();
};

namespace {
constexpr uint32_t kOwner = 1000;
constexpr uint32_t kOther = 1001;
const std::optional<uint32_t> kNoTunnel = std::nullopt;
} // namespace

void TestAccessPolicy::decision_data()
{
    QTest::addColumn<uint32_t>("caller");
    QTest::addColumn<std::optional<uint32_t>>("owner");
    QTest::addColumn<Access>("access");
    QTest::addColumn<bool>("privileged");
    QTest::addColumn<QStringList>("actions"); // empty: allowed without polkit

    const QStringList control{dbus::kControlAction};
    const QStringList privileged{dbus::kPrivilegedAction};
    const QStringList others{dbus::kControlOthersAction};
    const QStringList read{dbus::kReadAction};
    const std::optional<uint32_t> owner = kOwner;
    const std::optional<uint32_t> root = 0u;

    QTest::newRow("connect") << kOwner << kNoTunnel << Access::Connect << false << control;
    QTest::newRow("connect full tunnel or low port")
        << kOwner << kNoTunnel << Access::Connect << true << privileged;
    QTest::newRow("root connects full tunnel")
        << 0u << kNoTunnel << Access::Connect << true << QStringList();
    QTest::newRow("disconnect own") << kOwner << owner << Access::Disconnect << false << control;
    QTest::newRow("disconnect another's")
        << kOther << owner << Access::Disconnect << false << others;
    QTest::newRow("disconnect root's")
        << kOther << root << Access::Disconnect << false << others;
    QTest::newRow("disconnect unknown name")
        << kOther << kNoTunnel << Access::Disconnect << false << control;
    QTest::newRow("root disconnects another's")
        << 0u << owner << Access::Disconnect << false << QStringList();
    QTest::newRow("set peers own") << kOwner << owner << Access::SetPeers << false << control;
    QTest::newRow("set peers own, now a full tunnel")
        << kOwner << owner << Access::SetPeers << true << privileged;
    QTest::newRow("set peers another's") << kOther << owner << Access::SetPeers << false << others;
    QTest::newRow("set peers another's, now a full tunnel")
        << kOther << owner << Access::SetPeers << true
        << QStringList{dbus::kControlOthersAction, dbus::kPrivilegedAction};
    QTest::newRow("read own") << kOwner << owner << Access::ReadDetails << false << QStringList();
    QTest::newRow("read another's") << kOther << owner << Access::ReadDetails << false << read;
    QTest::newRow("read all (no one tunnel)")
        << kOwner << kNoTunnel << Access::ReadDetails << false << read;
    QTest::newRow("root reads another's")
        << 0u << owner << Access::ReadDetails << false << QStringList();
}

void TestAccessPolicy::decision()
{
    QFETCH(uint32_t, caller);
    QFETCH(std::optional<uint32_t>, owner);
    QFETCH(Access, access);
    QFETCH(bool, privileged);
    QFETCH(QStringList, actions);
    const AccessDecision d = decideAccess(AccessRequest{caller, owner, access, privileged});
    QCOMPARE(d.actions, actions);
    QCOMPARE(d.withoutPolkit(), actions.isEmpty());
}

void TestAccessPolicy::privilegedProfiles_data()
{
    QTest::addColumn<QString>("subnet"); // replaces the first peer's first subnet
    QTest::addColumn<int>("listenPort");
    QTest::addColumn<bool>("everything");
    QTest::addColumn<bool>("lowPort");
    QTest::newRow("office") << QString() << 8285 << false << false;
    QTest::newRow("IPv4 default route") << "0.0.0.0/0" << 8285 << true << false;
    QTest::newRow("IPv6 default route") << "::/0" << 8285 << true << false;
    QTest::newRow("half of IPv4") << "0.0.0.0/1" << 8285 << false << false;
    QTest::newRow("port 1023") << QString() << 1023 << false << true;
    QTest::newRow("port 1024") << QString() << 1024 << false << false;
    QTest::newRow("random port") << QString() << 0 << false << false;
}

void TestAccessPolicy::privilegedProfiles()
{
    QFETCH(QString, subnet);
    QFETCH(int, listenPort);
    QFETCH(bool, everything);
    QFETCH(bool, lowPort);
    Profile p = test::officeProfile();
    if (!subnet.isEmpty()) {
        const QStringList parts = subnet.split(u'/');
        p.peers[0].subnets[0] = Cidr{QHostAddress(parts[0]), parts[1].toInt()};
    }
    p.interface.listen.port = quint16(listenPort);
    QCOMPARE(routesEverything(p), everything);
    QCOMPARE(listensOnPrivilegedPort(p), lowPort);
}

QTEST_GUILESS_MAIN(TestAccessPolicy)
#include "tst_accesspolicy.moc"
