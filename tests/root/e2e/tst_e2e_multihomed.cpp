// A host with two addresses on its underlay that listens on a wildcard address: its peer names
// the second (secondary) one as the endpoint, while the route towards the peer picks the first.
// The helper must answer from the address the peer wrote to: a plain-mode peer drops datagrams
// from any other address as an unknown endpoint, a WireGuard peer would roam to it. Both modes,
// the real helper (--standalone) on both sides, in namespaces this test makes:
//   host: vh 10.77.0.1/24 and 10.77.0.2/24 (secondary), listen 0.0.0.0:8285
//   peer: vp 10.77.0.9/24, listen 10.77.0.9:8285, endpoint of the host 10.77.0.2:8285
#include "NetnsLab.h"
#include "TestKeys.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <memory>
#include <unistd.h>

using peertun::testlab::CommandResult;
using peertun::testlab::KeyPair;
using peertun::testlab::LabProcess;
using peertun::testlab::makeKeys;
using peertun::testlab::NetnsLab;

#define LAB_VERIFY(expr) QVERIFY2((expr), qPrintable(m_lab->lastError()))

namespace {

constexpr int kPort = 8285;
const QString kPrimary = QStringLiteral("10.77.0.1");
const QString kSecondary = QStringLiteral("10.77.0.2");
const QString kPeerUnderlay = QStringLiteral("10.77.0.9");
const QString kHostTunnel = QStringLiteral("10.246.1.1");
const QString kPeerTunnel = QStringLiteral("10.246.2.1");

struct Side
{
    QString name, address, listen, peerName, peerEndpoint, peerSubnet;
    QString privateKey, peerPublicKey; // WireGuard only
};

QByteArray profileJson(const Side& s, bool wireguard)
{
    QJsonObject iface{
        {QStringLiteral("name"), QStringLiteral("ptmh0")},
        {QStringLiteral("address"), s.address},
        {QStringLiteral("listen"), s.listen},
    };
    QJsonObject peer{
        {QStringLiteral("name"), s.peerName},
        {QStringLiteral("endpoint"), s.peerEndpoint},
        {QStringLiteral("subnets"), QJsonArray{s.peerSubnet}},
    };
    if (wireguard) {
        iface.insert(QStringLiteral("privateKey"), s.privateKey);
        peer.insert(QStringLiteral("publicKey"), s.peerPublicKey);
    }
    const QJsonObject doc{
        {QStringLiteral("version"), 1},
        {QStringLiteral("name"), s.name},
        {QStringLiteral("interface"), iface},
        {QStringLiteral("mode"), wireguard ? QStringLiteral("wireguard") : QStringLiteral("plain")},
        {QStringLiteral("peers"), QJsonArray{peer}},
    };
    return QJsonDocument(doc).toJson();
}

} // namespace

class TstE2eMultihomed : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        if (::geteuid() != 0) {
            QSKIP("needs root: creates network namespaces, veth pairs and TUN devices");
        }
        QVERIFY2(QFile::exists(QStringLiteral("/dev/net/tun")), "/dev/net/tun is missing");
        m_helperBinary = qEnvironmentVariable("PEERTUN_HELPER");
        QVERIFY2(!m_helperBinary.isEmpty(), "PEERTUN_HELPER is not set (run through ctest)");
        QVERIFY2(QFileInfo(m_helperBinary).isExecutable(), qPrintable(m_helperBinary));
    }

    void init()
    {
        m_lab = std::make_unique<NetnsLab>();
        QVERIFY(m_lab->isValid());
    }

    void cleanup() { LAB_VERIFY_NOTHING_LEFT(peertun::testlab::tearDownLab(m_lab)); }

    void answersLeaveFromTheAddressThePeerWroteTo_data()
    {
        QTest::addColumn<bool>("wireguard");
        QTest::newRow("plain") << false;
        QTest::newRow("wireguard") << true;
    }
    void answersLeaveFromTheAddressThePeerWroteTo()
    {
        QFETCH(bool, wireguard);
        const QString host = m_lab->addNamespace();
        LAB_VERIFY(!host.isEmpty());
        const QString peer = m_lab->addNamespace();
        LAB_VERIFY(!peer.isEmpty());
        LAB_VERIFY(m_lab->addVethPair(host, QStringLiteral("vh"), peer, QStringLiteral("vp")));
        LAB_VERIFY(m_lab->addAddress(host, QStringLiteral("vh"), kPrimary + QStringLiteral("/24")));
        LAB_VERIFY(
            m_lab->addAddress(host, QStringLiteral("vh"), kSecondary + QStringLiteral("/24")));
        LAB_VERIFY(
            m_lab->addAddress(peer, QStringLiteral("vp"), kPeerUnderlay + QStringLiteral("/24")));
        // The route towards the peer picks the first address: that is what is to be beaten.
        const CommandResult route =
            m_lab->run(host, {QStringLiteral("ip"), QStringLiteral("-4"), QStringLiteral("route"),
                              QStringLiteral("get"), kPeerUnderlay});
        QVERIFY2(route.ok() && route.output.contains(("src " + kPrimary).toLatin1()),
                 route.output.constData());

        const KeyPair hostKeys = makeKeys();
        const KeyPair peerKeys = makeKeys();
        Side h{QStringLiteral("multihomed"),
               kHostTunnel + QStringLiteral("/24"),
               QStringLiteral("0.0.0.0:%1").arg(kPort),
               QStringLiteral("peer"),
               QStringLiteral("%1:%2").arg(kPeerUnderlay).arg(kPort),
               kPeerTunnel + QStringLiteral("/32"),
               hostKeys.privateKey,
               peerKeys.publicKey};
        Side p{QStringLiteral("remote"),
               kPeerTunnel + QStringLiteral("/24"),
               QStringLiteral("%1:%2").arg(kPeerUnderlay).arg(kPort),
               QStringLiteral("host"),
               QStringLiteral("%1:%2").arg(kSecondary).arg(kPort),
               kHostTunnel + QStringLiteral("/32"),
               peerKeys.privateKey,
               hostKeys.publicKey};
        LabProcess* hostHelper = startHelper(host, h, wireguard);
        QVERIFY(hostHelper);
        LabProcess* peerHelper = startHelper(peer, p, wireguard);
        QVERIFY(peerHelper);

        // The peer speaks first (before that the host knows no better than the route), then
        // the host: both ways through the tunnel.
        QVERIFY(ping(peer, kHostTunnel));
        QVERIFY(ping(host, kPeerTunnel));

        const auto stats = peerHelper->readStats(p.name, 1);
        QVERIFY2(stats, peerHelper->output().constData());
        QCOMPARE(stats->counter(QStringLiteral("drop_unknown_source_endpoint")), 0);
        QVERIFY(stats->peerCounter(QStringLiteral("host"), QStringLiteral("rx_packets")) >= 6);
        // A WireGuard peer roams to wherever authenticated datagrams come from: it stays put.
        QCOMPARE(stats->peers.value(QStringLiteral("host")).value(QStringLiteral("endpoint")),
                 QStringLiteral("%1:%2").arg(kSecondary).arg(kPort));
        const auto hostStats = hostHelper->readStats(h.name, 1);
        QVERIFY2(hostStats, hostHelper->output().constData());
        QCOMPARE(hostStats->peerCounter(QStringLiteral("peer"), QStringLiteral("send_errors")), 0);
    }

private:
    LabProcess* startHelper(const QString& ns, const Side& side, bool wireguard)
    {
        const QString path =
            m_lab->writeFile(side.name + QStringLiteral(".json"), profileJson(side, wireguard));
        if (path.isEmpty()) {
            qWarning("%s", qPrintable(m_lab->lastError()));
            return nullptr;
        }
        QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        LabProcess* helper =
            m_lab->start(ns, {m_helperBinary, QStringLiteral("--standalone"), path},
                         QStringLiteral("peertun-helper (%1)").arg(side.name));
        if (!helper || !helper->waitForOutput("tunnel up", 10000)) {
            qWarning("helper %s did not come up: %s", qPrintable(side.name),
                     helper ? helper->output().constData() : qPrintable(m_lab->lastError()));
            return nullptr;
        }
        return helper;
    }

    bool ping(const QString& ns, const QString& target)
    {
        // Three replies within five seconds, 0.2 s apart.
        const CommandResult r =
            m_lab->run(ns,
                       {QStringLiteral("ping"), QStringLiteral("-n"), QStringLiteral("-c"),
                        QStringLiteral("3"), QStringLiteral("-i"), QStringLiteral("0.2"),
                        QStringLiteral("-w"), QStringLiteral("5"), target},
                       15000);
        if (!r.ok()) {
            qWarning("ping %s from %s failed: %s", qPrintable(target), qPrintable(ns),
                     r.output.constData());
        }
        return r.ok();
    }

    QString m_helperBinary;
    std::unique_ptr<NetnsLab> m_lab;
};

QTEST_GUILESS_MAIN(TstE2eMultihomed)
#include "tst_e2e_multihomed.moc"
