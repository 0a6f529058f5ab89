// End-to-end: a running tunnel's peers change under traffic. Three namespaces: host A, the
// hub, with a veth to B and one to C, each running `peertun-helper --standalone`. A starts
// with B only; while a steady ping (every 20 ms) and an iperf3 stream run from A to B, A's
// profile gets C added, then C changed (another subnet, a keepalive), then C removed, each
// applied with SIGHUP (Tunnel::setPeers). B, the peer that stays, must not lose one ping
// reply; C is reachable while it is a peer; once removed, A's packets to it and its packets
// to A are dropped and counted. Both modes. Nothing outside the namespaces is touched.
#include "Keys.h"
#include "NetnsLab.h"

#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTest>
#include <array>
#include <csignal>
#include <unistd.h>

using peertun::testlab::CommandResult;
using peertun::testlab::LabProcess;
using peertun::testlab::NetnsLab;
using peertun::testlab::TunnelStats;

#define CHECKED(call)                                                                              \
    do {                                                                                           \
        call;                                                                                      \
        if (QTest::currentTestFailed())                                                            \
            return;                                                                                \
    } while (false)

#define LAB_VERIFY(expr) QVERIFY2((expr), qPrintable(m_lab->lastError()))

namespace {

constexpr int kPort = 8285;
constexpr int kPings = 250; // 5 s at 20 ms
constexpr QFileDevice::Permissions kReadable = QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                               QFileDevice::ReadGroup | QFileDevice::ReadOther;

struct Host
{
    QString name;     // profile and peer name
    QString ns;       // its namespace
    QString address;  // tunnel address, with prefix
    QString subnet;   // what it owns inside the tunnel
    QString underlay; // the address the others reach it at (on their veth)
    QString privateKey;
    QString publicKey;
};

QString keyText(const peertun::keys::LockedSecretKey& key)
{
    std::array<char, peertun::keys::kBase64KeyLen + 1> out{};
    peertun::keys::encodeSecretKey(key.bytes(), out);
    return QString::fromLatin1(out.data());
}

QJsonObject peerJson(const Host& h, bool wireguard, const QString& towards,
                     const QStringList& extraSubnets = {}, int keepalive = 0)
{
    QJsonArray subnets{h.subnet};
    for (const QString& s : extraSubnets) {
        subnets.append(s);
    }
    QJsonObject peer{
        {QStringLiteral("name"), h.name},
        {QStringLiteral("endpoint"), QStringLiteral("%1:%2").arg(towards).arg(kPort)},
        {QStringLiteral("subnets"), subnets},
    };
    if (wireguard) {
        peer.insert(QStringLiteral("publicKey"), h.publicKey);
        if (keepalive > 0) {
            peer.insert(QStringLiteral("persistentKeepalive"), keepalive);
        }
    }
    return peer;
}

QByteArray profileJson(const Host& self, bool wireguard, const QJsonArray& peers)
{
    QJsonObject iface{
        {QStringLiteral("name"), QStringLiteral("ptlive0")},
        {QStringLiteral("address"), self.address},
        {QStringLiteral("listen"), QStringLiteral(":%1").arg(kPort)},
    };
    if (wireguard) {
        iface.insert(QStringLiteral("privateKey"), self.privateKey);
    }
    return QJsonDocument(QJsonObject{
                             {QStringLiteral("version"), 1},
                             {QStringLiteral("name"), self.name},
                             {QStringLiteral("mode"),
                              wireguard ? QStringLiteral("wireguard") : QStringLiteral("plain")},
                             {QStringLiteral("interface"), iface},
                             {QStringLiteral("peers"), peers},
                         })
        .toJson();
}

} // namespace

class TstE2eLivePeers : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void peersChangeUnderTraffic_data();
    void peersChangeUnderTraffic();

private:
    void setUpHosts(bool wireguard);
    void startHelper(const Host& h, const QByteArray& profile, LabProcess** out);
    // Rewrites A's profile, sends SIGHUP and waits for the change to be logged.
    void applyToA(const QJsonArray& peers, const QByteArray& logged);
    void ping(const QString& ns, const QString& target, bool expectReplies);
    void stats(LabProcess* helper, const QString& tunnel, int peers, TunnelStats* out);

    QString m_helperBinary;
    std::unique_ptr<NetnsLab> m_lab;
    bool m_wireguard = false;
    Host m_a, m_b, m_c;
    QString m_profileA;
    LabProcess* m_helperA = nullptr;
    LabProcess* m_helperB = nullptr;
    LabProcess* m_helperC = nullptr;
};

void TstE2eLivePeers::initTestCase()
{
    if (::geteuid() != 0) {
        QSKIP("needs root: creates network namespaces, veth pairs and TUN devices");
    }
    QVERIFY2(QFile::exists(QStringLiteral("/dev/net/tun")), "/dev/net/tun is missing");
    m_helperBinary = qEnvironmentVariable("PEERTUN_HELPER");
    QVERIFY2(!m_helperBinary.isEmpty(), "PEERTUN_HELPER is not set (run the test through ctest)");
    for (const char* tool : {"ip", "ping", "iperf3"}) {
        QVERIFY2(!QStandardPaths::findExecutable(QString::fromLatin1(tool)).isEmpty(), tool);
    }
}

void TstE2eLivePeers::init()
{
    m_lab = std::make_unique<NetnsLab>();
    QVERIFY(m_lab->isValid());
    m_helperA = m_helperB = m_helperC = nullptr;
}

void TstE2eLivePeers::cleanup()
{
    LAB_VERIFY_NOTHING_LEFT(peertun::testlab::tearDownLab(m_lab, 6000));
}

void TstE2eLivePeers::setUpHosts(bool wireguard)
{
    m_wireguard = wireguard;
    m_a = {QStringLiteral("a"),
           m_lab->addNamespace(),
           QStringLiteral("10.244.1.1/16"),
           QStringLiteral("10.244.1.0/24"),
           {},
           {},
           {}};
    m_b = {QStringLiteral("b"),
           m_lab->addNamespace(),
           QStringLiteral("10.244.2.1/16"),
           QStringLiteral("10.244.2.0/24"),
           QStringLiteral("10.211.55.2"),
           {},
           {}};
    m_c = {QStringLiteral("c"),
           m_lab->addNamespace(),
           QStringLiteral("10.244.3.1/16"),
           QStringLiteral("10.244.3.0/24"),
           QStringLiteral("10.211.57.2"),
           {},
           {}};
    LAB_VERIFY(!m_a.ns.isEmpty() && !m_b.ns.isEmpty() && !m_c.ns.isEmpty());
    LAB_VERIFY(m_lab->addVethPair(m_a.ns, QStringLiteral("vb"), m_b.ns, QStringLiteral("va")));
    LAB_VERIFY(m_lab->addVethPair(m_a.ns, QStringLiteral("vc"), m_c.ns, QStringLiteral("va")));
    LAB_VERIFY(m_lab->addAddress(m_a.ns, QStringLiteral("vb"), QStringLiteral("10.211.55.1/24")));
    LAB_VERIFY(m_lab->addAddress(m_b.ns, QStringLiteral("va"), QStringLiteral("10.211.55.2/24")));
    LAB_VERIFY(m_lab->addAddress(m_a.ns, QStringLiteral("vc"), QStringLiteral("10.211.57.1/24")));
    LAB_VERIFY(m_lab->addAddress(m_c.ns, QStringLiteral("va"), QStringLiteral("10.211.57.2/24")));
    for (Host* h : {&m_a, &m_b, &m_c}) {
        const peertun::keys::LockedSecretKey key = peertun::keys::generateKey();
        h->privateKey = keyText(key);
        h->publicKey =
            QString::fromStdString(peertun::keys::encodePublicKey(peertun::keys::publicKeyOf(key)));
    }
    CHECKED(ping(m_a.ns, QStringLiteral("10.211.55.2"), true));
    CHECKED(ping(m_a.ns, QStringLiteral("10.211.57.2"), true));

    m_profileA =
        m_lab->writeFile(QStringLiteral("a.json"),
                         profileJson(m_a, wireguard, {peerJson(m_b, wireguard, m_b.underlay)}));
    LAB_VERIFY(!m_profileA.isEmpty());
    // A's helper reads its profile again on SIGHUP as its own user (it drops root once
    // started): the lab's folder and the file must let it.
    QVERIFY(QFile::setPermissions(QFileInfo(m_profileA).path(),
                                  QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                      QFileDevice::ExeOwner | QFileDevice::ExeGroup |
                                      QFileDevice::ExeOther));
    QVERIFY(QFile::setPermissions(m_profileA, kReadable));
    CHECKED(startHelper(m_a, {}, &m_helperA));
    CHECKED(startHelper(
        m_b, profileJson(m_b, wireguard, {peerJson(m_a, wireguard, QStringLiteral("10.211.55.1"))}),
        &m_helperB));
    // C's keepalive makes it call A every second in WireGuard mode, also after its removal.
    CHECKED(startHelper(m_c,
                        profileJson(m_c, wireguard,
                                    {peerJson(m_a, wireguard, QStringLiteral("10.211.57.1"), {},
                                              wireguard ? 1 : 0)}),
                        &m_helperC));
}

void TstE2eLivePeers::startHelper(const Host& h, const QByteArray& profile, LabProcess** out)
{
    const QString path = profile.isEmpty()
                             ? m_profileA
                             : m_lab->writeFile(h.name + QStringLiteral(".json"), profile);
    LAB_VERIFY(!path.isEmpty());
    LabProcess* helper = m_lab->start(h.ns, {m_helperBinary, QStringLiteral("--standalone"), path},
                                      QStringLiteral("peertun-helper %1").arg(h.name));
    LAB_VERIFY(helper);
    *out = helper;
    QVERIFY2(helper->waitForOutput("tunnel up", 10000), helper->output().constData());
}

void TstE2eLivePeers::applyToA(const QJsonArray& peers, const QByteArray& logged)
{
    const qsizetype from = m_helperA->output().size();
    const QString path =
        m_lab->writeFile(QStringLiteral("a.json"), profileJson(m_a, m_wireguard, peers));
    QVERIFY(!path.isEmpty());
    QVERIFY(QFile::setPermissions(path, kReadable));
    QVERIFY(m_helperA->sendSignal(SIGHUP));
    QVERIFY2(m_helperA->waitForOutput(logged, 5000, from),
             m_helperA->output().mid(from).constData());
}

void TstE2eLivePeers::ping(const QString& ns, const QString& target, bool expectReplies)
{
    const CommandResult r =
        m_lab->run(ns, {QStringLiteral("ping"), QStringLiteral("-c"), QStringLiteral("3"),
                        QStringLiteral("-i"), QStringLiteral("0.2"), QStringLiteral("-W"),
                        QStringLiteral("1"), target});
    if (expectReplies) {
        QVERIFY2(r.ok(), qPrintable(ns + QStringLiteral(" -> ") + target + QStringLiteral(": ") +
                                    QString::fromUtf8(r.output)));
    } else {
        QVERIFY2(r.finished && r.exitCode != 0,
                 qPrintable(ns + QStringLiteral(" -> ") + target + QStringLiteral(" answered: ") +
                            QString::fromUtf8(r.output)));
    }
}

void TstE2eLivePeers::stats(LabProcess* helper, const QString& tunnel, int peers, TunnelStats* out)
{
    const auto s = helper->readStats(tunnel, peers);
    QVERIFY2(s.has_value(), helper->output().right(2000).constData());
    *out = *s;
}

void TstE2eLivePeers::peersChangeUnderTraffic_data()
{
    QTest::addColumn<bool>("wireguard");
    QTest::newRow("plain") << false;
    QTest::newRow("wireguard") << true;
}

void TstE2eLivePeers::peersChangeUnderTraffic()
{
    QFETCH(bool, wireguard);
    QElapsedTimer took;
    took.start();
    CHECKED(setUpHosts(wireguard));
    const QString bHost = QStringLiteral("10.244.2.1");
    const QString cHost = QStringLiteral("10.244.3.1");
    CHECKED(ping(m_a.ns, bHost, true)); // also the WireGuard handshake, before the clock runs

    // The steady traffic to B, the peer that stays.
    LAB_VERIFY(m_lab->start(m_b.ns,
                            {QStringLiteral("iperf3"), QStringLiteral("-s"), QStringLiteral("-1")},
                            QStringLiteral("iperf3 server")));
    QTest::qWait(200);
    LabProcess* steady =
        m_lab->start(m_a.ns,
                     {QStringLiteral("ping"), QStringLiteral("-c"), QString::number(kPings),
                      QStringLiteral("-i"), QStringLiteral("0.02"), QStringLiteral("-W"),
                      QStringLiteral("1"), bHost},
                     QStringLiteral("steady ping to b"));
    LabProcess* stream =
        m_lab->start(m_a.ns,
                     {QStringLiteral("iperf3"), QStringLiteral("-c"), bHost, QStringLiteral("-t"),
                      QStringLiteral("4"), QStringLiteral("-b"), QStringLiteral("200M")},
                     QStringLiteral("iperf3 stream to b"));
    LAB_VERIFY(steady && stream);
    QTest::qWait(300);

    // C joins: reachable at once.
    const QJsonObject b = peerJson(m_b, wireguard, m_b.underlay);
    CHECKED(applyToA({b, peerJson(m_c, wireguard, m_c.underlay)}, "peers changed: 1 added"));
    CHECKED(ping(m_a.ns, cHost, true));
    CHECKED(ping(m_c.ns, QStringLiteral("10.244.1.1"), true));

    // C changes: one more subnet (its route follows), a keepalive in WireGuard mode.
    CHECKED(
        applyToA({b, peerJson(m_c, wireguard, m_c.underlay, {QStringLiteral("10.244.33.0/24")}, 5)},
                 "0 added, 0 removed, 1 changed"));
    const CommandResult route =
        m_lab->ip({QStringLiteral("-n"), m_a.ns, QStringLiteral("route"), QStringLiteral("show"),
                   QStringLiteral("10.244.33.0/24")});
    QVERIFY2(route.ok() && route.output.contains("dev ptlive0"), route.output.constData());
    CHECKED(ping(m_a.ns, cHost, true)); // C's session and counters went on

    // C goes: its route goes, A's packets to it and its packets to A are dropped and counted.
    CHECKED(applyToA({b}, "0 added, 1 removed, 0 changed"));
    const CommandResult gone =
        m_lab->ip({QStringLiteral("-n"), m_a.ns, QStringLiteral("route"), QStringLiteral("show"),
                   QStringLiteral("10.244.33.0/24")});
    QVERIFY2(gone.ok() && gone.output.trimmed().isEmpty(), gone.output.constData());
    TunnelStats before;
    CHECKED(stats(m_helperA, QStringLiteral("a"), 1, &before));
    CHECKED(ping(m_a.ns, cHost, false));
    CHECKED(ping(m_c.ns, QStringLiteral("10.244.1.1"), false));
    TunnelStats after;
    CHECKED(stats(m_helperA, QStringLiteral("a"), 1, &after));
    const QString noPeer = QStringLiteral("drop_no_peer_for_destination");
    QVERIFY2(after.counter(noPeer) >= before.counter(noPeer) + 3,
             qPrintable(QStringLiteral("%1: %2 -> %3")
                            .arg(noPeer)
                            .arg(before.counter(noPeer))
                            .arg(after.counter(noPeer))));
    const QString stranger = wireguard ? QStringLiteral("drop_not_authenticated")
                                       : QStringLiteral("drop_unknown_source_endpoint");
    QVERIFY2(after.counter(stranger) >= before.counter(stranger) + 3,
             qPrintable(QStringLiteral("%1: %2 -> %3")
                            .arg(stranger)
                            .arg(before.counter(stranger))
                            .arg(after.counter(stranger))));
    QVERIFY(after.peers.contains(QStringLiteral("b")));
    QVERIFY(!after.peers.contains(QStringLiteral("c")));

    // B lost nothing: every ping answered, the stream ran through.
    QVERIFY(steady->waitForExit(15000));
    const QByteArray out = steady->output();
    const QRegularExpression summary(QStringLiteral("(\\d+) packets transmitted, (\\d+) received"));
    const QRegularExpressionMatch m = summary.match(QString::fromUtf8(out));
    QVERIFY2(m.hasMatch(), out.constData());
    QCOMPARE(m.captured(1).toInt(), kPings);
    QCOMPARE(m.captured(2).toInt(), kPings);
    QVERIFY(stream->waitForExit(15000));
    QVERIFY2(stream->exitedNormally() && stream->exitCode() == 0, stream->output().constData());
    QVERIFY2(stream->output().contains("receiver"), stream->output().constData());
    qInfo("%s: %d of %d pings to the unchanged peer answered across three changes; %lld ms",
          wireguard ? "wireguard" : "plain", m.captured(2).toInt(), kPings,
          (long long)took.elapsed());
}

QTEST_GUILESS_MAIN(TstE2eLivePeers)
#include "tst_e2e_livepeers.moc"
