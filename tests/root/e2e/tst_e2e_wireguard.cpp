// WireGuard mode end to end, as root, in network namespaces made by NetnsLab (names carry the
// PID; removed after every test function, and on interruption):
//   A (peertun --standalone) --veth-- B (Debian's wireguard-go configured with `wg`, or a
//   second peertun)     and     A --veth-- C (a hostile host that only sends junk).
// Checks ping and HTTP both ways, handshake counters, a preshared key, hostile datagrams
// (dropped, counted, never answered), and that traffic flows again within 10 s after either
// side restarts.
#include "NetnsLab.h"
#include "WireGuardGo.h"
#include "Device.h"
#include "Keys.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTest>
#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <thread>
#include <tuple>
#include <unistd.h>

namespace {

constexpr const char* kUnderlayA = "192.168.201.1";
constexpr const char* kUnderlayB = "192.168.201.2";
constexpr const char* kHostileSideA = "192.168.202.1";
constexpr const char* kHostileC = "192.168.202.2";
constexpr const char* kTunnelA = "10.201.0.1";
constexpr const char* kTunnelB = "10.201.0.2";
constexpr uint16_t kPort = 51820;

using peertun::testlab::KeyPair;
using peertun::testlab::LabProcess;
using peertun::testlab::makeKeys;
using peertun::testlab::NetnsLab;
using peertun::testlab::WireGuardGo;
using peertun::testlab::writePrivateFile;

// peertun-helper --standalone in a namespace (one peer, named "other"), restartable.
class Helper
{
public:
    Helper(NetnsLab& lab, QString tunnel) : m_lab(lab), m_tunnel(std::move(tunnel)) {}
    bool start(const QString& ns, const QString& profilePath)
    {
        m_ns = ns;
        m_profile = profilePath;
        m_process = m_lab.start(
            ns, {qEnvironmentVariable("PEERTUN_HELPER"), "--standalone", profilePath}, m_tunnel);
        return m_process && m_process->waitForOutput("tunnel up:", 10000);
    }
    bool restart()
    {
        m_process->stop();
        return start(m_ns, m_profile);
    }
    // The tunnel's counter `key`, or the peer's with `peer` set; -1 if unreadable.
    qint64 stat(const QString& key, bool peer = false)
    {
        const auto s = m_process->readStats(m_tunnel, 1);
        if (!s) {
            return -1;
        }
        return peer ? s->peerCounter("other", key) : s->counter(key);
    }
    std::optional<peertun::testlab::TunnelStats> stats()
    {
        return m_process->readStats(m_tunnel, 1);
    }
    QByteArray output() { return m_process ? m_process->output() : QByteArray(); }

private:
    NetnsLab& m_lab;
    QString m_tunnel;
    QString m_ns, m_profile;
    LabProcess* m_process = nullptr;
};

QString profile(const QString& name, const QString& address, const QString& privateKey,
                const QString& peerEndpoint, const QString& peerSubnet, const QString& peerKey,
                const QString& psk, int keepalive)
{
    const QString host = peerEndpoint.contains(u':') ? "[" + peerEndpoint + "]" : peerEndpoint;
    // An empty peerEndpoint leaves "endpoint" out: the peer connects to us.
    const QString endpoint = peerEndpoint.isEmpty()
                                 ? QString()
                                 : QStringLiteral(R"("endpoint": "%1:%2", )").arg(host).arg(kPort);
    QString peer = QStringLiteral(R"({"name": "other", %1"subnets": ["%2"], "publicKey": "%3")")
                       .arg(endpoint, peerSubnet, peerKey);
    if (!psk.isEmpty()) {
        peer += QStringLiteral(R"(, "presharedKey": "%1")").arg(psk);
    }
    if (keepalive > 0) {
        peer += QStringLiteral(R"(, "persistentKeepalive": %1)").arg(keepalive);
    }
    peer += u'}';
    return QStringLiteral(R"({"version": 1, "name": "%1",
        "interface": {"name": "ptwg0", "address": "%2/24", "listen": ":%3", "privateKey": "%4"},
        "mode": "wireguard", "peers": [%5]})")
        .arg(name, address)
        .arg(kPort)
        .arg(privateKey, peer);
}

// Pings until one reply comes back; returns the milliseconds it took, or -1.
qint64 pingWithin(NetnsLab& lab, const QString& ns, const QString& address, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
        if (lab.run(ns, {"ping", "-c", "1", "-W", "1", "-n", "-q", address}).ok()) {
            return t.elapsed();
        }
    }
    return -1;
}

// HTTP GET through the tunnel: a server on `serverAddress` in `serverNs`, curl from `clientNs`.
bool httpGet(NetnsLab& lab, const QString& serverNs, const QString& serverAddress,
             const QString& clientNs)
{
    const QString token = QStringLiteral("peertun-%1-%2").arg(serverNs).arg(::getpid());
    const QString dir = lab.tempPath("www-" + serverNs);
    if (!QDir().mkpath(dir) || !writePrivateFile(dir + "/index.html", token)) {
        return false;
    }
    LabProcess* server = lab.start(
        serverNs,
        {"python3", "-m", "http.server", "--bind", serverAddress, "--directory", dir, "8088"},
        "http.server");
    if (!server) {
        return false;
    }
    QElapsedTimer t;
    t.start();
    bool ok = false;
    while (!ok && t.elapsed() < 10000) {
        const auto r =
            lab.run(clientNs, {"curl", "-s", "-m", "2", "http://" + serverAddress + ":8088/"});
        ok = r.ok() && r.output.contains(token.toUtf8());
        if (!ok) {
            QTest::qWait(200);
        }
    }
    server->stop();
    return ok;
}

// A socket created inside a namespace (setns applies to the calling thread only, so a short
// thread enters the namespace, makes the socket, and leaves; the socket stays in it).
int socketIn(const QString& ns, int domain, int type, int protocol)
{
    int fd = -1;
    std::thread([&] {
        const int nsFd = ::open(("/var/run/netns/" + ns).toLocal8Bit().constData(), O_RDONLY);
        if (nsFd >= 0 && ::setns(nsFd, CLONE_NEWNET) == 0) {
            fd = ::socket(domain, type | SOCK_CLOEXEC, protocol);
        }
        if (nsFd >= 0) {
            ::close(nsFd);
        }
    }).join();
    return fd;
}

struct FdGuard
{
    int fd;
    ~FdGuard()
    {
        if (fd >= 0) {
            ::close(fd);
        }
    }
};

// The UDP payload of the first datagram seen on `fd` (an AF_PACKET socket in A) from
// `source` to port 51820 that is a WireGuard data message with content.
QByteArray captureDataMessage(int fd, const char* source, int timeoutMs)
{
    in_addr src{};
    ::inet_pton(AF_INET, source, &src);
    QElapsedTimer t;
    t.start();
    uint8_t buffer[2048];
    while (t.elapsed() < timeoutMs) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0) {
            continue;
        }
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n < 28 || (buffer[0] >> 4) != 4 || buffer[9] != IPPROTO_UDP) {
            continue;
        }
        const size_t ihl = size_t(buffer[0] & 0xf) * 4;
        if (std::memcmp(buffer + 12, &src, 4) != 0 || size_t(n) < ihl + 8 + 33) {
            continue;
        }
        const uint16_t dport = uint16_t(buffer[ihl + 2] << 8 | buffer[ihl + 3]);
        const uint8_t* payload = buffer + ihl + 8;
        if (dport == kPort && payload[0] == 4) {
            return QByteArray(reinterpret_cast<const char*>(payload), n - qsizetype(ihl + 8));
        }
    }
    return {};
}

// Sends each datagram from C to A's port; true if nothing at all came back within `waitMs`.
bool sendUnanswered(int fd, const QList<QByteArray>& datagrams, int waitMs)
{
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(kPort);
    ::inet_pton(AF_INET, kHostileSideA, &to.sin_addr);
    for (const QByteArray& d : datagrams) {
        if (::sendto(fd, d.constData(), size_t(d.size()), 0, reinterpret_cast<sockaddr*>(&to),
                     sizeof to) != d.size()) {
            qWarning("sendto: %s", std::strerror(errno));
            return false;
        }
    }
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, waitMs) == 0;
}

// A handshake initiation to A from a key A does not know (valid MAC1: it is addressed to A's
// public key), and one whose MAC1 is for the wrong public key.
QList<QByteArray> foreignInitiations(const QString& publicKeyOfA)
{
    using namespace peertun::wireguard;
    using namespace peertun::keys;
    QList<QByteArray> out;
    const auto keyOfA = parsePublicKey(publicKeyOfA.toStdString());
    for (const bool rightMac : {true, false}) {
        Device stranger(generateKey());
        PeerConfig peer;
        peer.publicKey = rightMac ? *keyOfA : publicKeyOf(generateKey());
        stranger.addPeer(std::move(peer));
        std::array<uint8_t, kInitiationSize> message{};
        const size_t n = stranger.createInitiation(
            0,
            std::chrono::duration_cast<Time>(std::chrono::steady_clock::now().time_since_epoch()),
            message);
        out << QByteArray(reinterpret_cast<const char*>(message.data()), qsizetype(n));
    }
    return out;
}

} // namespace

#define LAB_VERIFY(expr) QVERIFY2((expr), qPrintable(m_lab->lastError()))

class TestE2eWireGuard final : public QObject
{
    Q_OBJECT

    std::unique_ptr<NetnsLab> m_lab;
    std::unique_ptr<WireGuardGo> m_wg;
    QString m_a, m_b, m_c; // namespaces: peertun, the other end, the hostile host

    // wireguard-go in B, configured with `wg` like a user would.
    LabProcess* startWireGuardGo(const KeyPair& keysB, const QString& publicKeyOfA)
    {
        return m_wg->start(*m_lab, m_b, keysB, kPort,
                           {"peer", publicKeyOfA, "endpoint",
                            QString("%1:%2").arg(kUnderlayA).arg(kPort), "allowed-ips",
                            QString(kTunnelA) + "/32"},
                           QString(kTunnelB) + "/24");
    }

    QString writeProfile(const QString& file, const QString& text)
    {
        const QString path = m_lab->tempPath(file);
        return writePrivateFile(path, text) ? path : QString();
    }

private slots:
    void initTestCase()
    {
        if (::geteuid() != 0) {
            QSKIP("needs root: creates network namespaces, TUN devices and veth pairs");
        }
        QVERIFY2(!qEnvironmentVariable("PEERTUN_HELPER").isEmpty(), "PEERTUN_HELPER not set");
        for (const char* tool : {"wireguard-go", "wg", "ping", "curl", "python3"}) {
            QVERIFY2(!QStandardPaths::findExecutable(tool).isEmpty(),
                     qPrintable(QStringLiteral("%1 is not installed").arg(tool)));
        }
    }

    void init()
    {
        m_lab = std::make_unique<NetnsLab>();
        QVERIFY(m_lab->isValid());
        m_wg = std::make_unique<WireGuardGo>(QStringLiteral("ptwg%1").arg(::getpid()));
        m_a = m_lab->addNamespace();
        LAB_VERIFY(!m_a.isEmpty());
        m_b = m_lab->addNamespace();
        LAB_VERIFY(!m_b.isEmpty());
        m_c = m_lab->addNamespace();
        LAB_VERIFY(!m_c.isEmpty());
        LAB_VERIFY(m_lab->addVethPair(m_a, "vab", m_b, "vba"));
        LAB_VERIFY(m_lab->addVethPair(m_a, "vac", m_c, "vca"));
        LAB_VERIFY(m_lab->addAddress(m_a, "vab", QString(kUnderlayA) + "/24"));
        LAB_VERIFY(m_lab->addAddress(m_b, "vba", QString(kUnderlayB) + "/24"));
        LAB_VERIFY(m_lab->addAddress(m_a, "vac", QString(kHostileSideA) + "/24"));
        LAB_VERIFY(m_lab->addAddress(m_c, "vca", QString(kHostileC) + "/24"));
    }

    void cleanup()
    {
        // Stops the processes and deletes the namespaces, whatever the test did.
        const QStringList namespacesLeft = peertun::testlab::tearDownLab(m_lab);
        m_wg.reset();
        LAB_VERIFY_NOTHING_LEFT(namespacesLeft);
    }

    void interopWithWireGuardGo()
    {
        const KeyPair a = makeKeys();
        const KeyPair b = makeKeys();
        const QString path =
            writeProfile("a.json", profile("interop", kTunnelA, a.privateKey, kUnderlayB,
                                           QString(kTunnelB) + "/32", b.publicKey, {}, 0));
        QVERIFY(!path.isEmpty());
        Helper helper(*m_lab, "interop");
        QVERIFY2(helper.start(m_a, path), helper.output().constData());
        QVERIFY2(startWireGuardGo(b, a.publicKey), qPrintable(m_lab->lastError()));

        QVERIFY2(pingWithin(*m_lab, m_a, kTunnelB, 5000) >= 0, helper.output().constData());
        QVERIFY(pingWithin(*m_lab, m_b, kTunnelA, 5000) >= 0);
        // A full-size packet (the MTU is 1500 - 60 here; wireguard-go's is 1420).
        QVERIFY(
            m_lab->runOk(m_a, {"ping", "-c", "1", "-W", "2", "-s", "1392", "-M", "do", kTunnelB}));
        QVERIFY(httpGet(*m_lab, m_b, kTunnelB, m_a));
        QVERIFY(httpGet(*m_lab, m_a, kTunnelA, m_b));

        const auto stats = helper.stats();
        QVERIFY(stats.has_value());
        QCOMPARE(stats->values.value("mode"), QStringLiteral("wireguard"));
        QVERIFY2(stats->counter("handshakes_done") >= 1,
                 qPrintable(stats->values.value("handshakes_done")));
        QCOMPARE(stats->counter("decryption_failures"), 0);
        QVERIFY(stats->peerCounter("other", "rx_packets") > 0);
        QVERIFY(stats->peerCounter("other", "handshakes_done") >= 1);
        QVERIFY(stats->peers.value("other").value("last_handshake_ms_ago") != "never");
        const auto shown = m_lab->run(m_b, {"wg", "show", m_wg->name(), "latest-handshakes"});
        QVERIFY(shown.ok());
        QVERIFY2(!shown.output.trimmed().endsWith("\t0"), shown.output.constData()); // 0 = never

        // Restart of peertun: it handshakes again as soon as it has something to send.
        QVERIFY(helper.restart());
        QVERIFY2(pingWithin(*m_lab, m_a, kTunnelB, 10000) >= 0, helper.output().constData());
        // Restart of wireguard-go, configured afresh: it initiates, peertun answers.
        for (const auto& p : m_lab->processes()) {
            if (p->label() == "wireguard-go") {
                p->stop();
            }
        }
        QVERIFY2(startWireGuardGo(b, a.publicKey), qPrintable(m_lab->lastError()));
        QVERIFY(pingWithin(*m_lab, m_b, kTunnelA, 10000) >= 0);
        QVERIFY(pingWithin(*m_lab, m_a, kTunnelB, 10000) >= 0);
        QVERIFY(helper.stat("handshakes_done") >= 2);
    }

    // Rekey in real time: peertun initiated the session, so after REKEY_AFTER_TIME (120 s) its
    // next packet starts a new handshake, which wireguard-go answers; the old session carries
    // the traffic meanwhile, so a steady ping loses nothing. Slow by nature (about 2 minutes).
    void rekeyAfter120sWithWireGuardGo()
    {
        const KeyPair a = makeKeys();
        const KeyPair b = makeKeys();
        const QString path =
            writeProfile("a.json", profile("rekey", kTunnelA, a.privateKey, kUnderlayB,
                                           QString(kTunnelB) + "/32", b.publicKey, {}, 0));
        QVERIFY(!path.isEmpty());
        Helper helper(*m_lab, "rekey");
        QVERIFY2(helper.start(m_a, path), helper.output().constData());
        QVERIFY2(startWireGuardGo(b, a.publicKey), qPrintable(m_lab->lastError()));
        QVERIFY2(pingWithin(*m_lab, m_a, kTunnelB, 5000) >= 0, helper.output().constData());
        QCOMPARE(helper.stat("handshakes_done"), 1);
        QCOMPARE(helper.stat("initiations_sent", true), 1);
        const auto first = m_lab->run(m_b, {"wg", "show", m_wg->name(), "latest-handshakes"});
        QVERIFY(first.ok());

        LabProcess* ping = m_lab->start(m_a, {"ping", "-i", "0.5", "-W", "1", kTunnelB}, "ping");
        QVERIFY(ping);
        QElapsedTimer t;
        t.start();
        while (helper.stat("handshakes_done") < 2 && t.elapsed() < 150000) {
            QTest::qWait(2000);
        }
        const qint64 rekeyedAfterMs = t.elapsed();
        QVERIFY2(helper.stat("handshakes_done") == 2,
                 qPrintable(QStringLiteral("no rekey within %1 s").arg(rekeyedAfterMs / 1000)));
        QCOMPARE(helper.stat("initiations_sent", true), 2); // peertun, the initiator, rekeyed
        QCOMPARE(helper.stat("handshakes_failed"), 0);
        QTest::qWait(2000); // traffic on the new session
        QVERIFY(ping->sendSignal(SIGINT));
        QVERIFY(ping->waitForExit(3000));
        const QString summary = QString::fromUtf8(ping->output());
        const QRegularExpression counts(
            QStringLiteral("(\\d+) packets transmitted, (\\d+) received"));
        const auto m = counts.match(summary);
        QVERIFY2(m.hasMatch(), qPrintable(summary.right(400)));
        const int sent = m.captured(1).toInt();
        const int received = m.captured(2).toInt();
        QVERIFY2(sent > 200, qPrintable(summary.right(400)));
        QVERIFY2(received >= sent - 1, qPrintable(summary.right(400))); // the last may be in flight
        QCOMPARE(helper.stat("decryption_failures"), 0);
        const auto second = m_lab->run(m_b, {"wg", "show", m_wg->name(), "latest-handshakes"});
        QVERIFY(second.ok());
        QVERIFY2(second.output != first.output, second.output.constData()); // wireguard-go saw it
    }

    void ipv6UnderlayAndDefaultMtu()
    {
        // Over IPv6 the default MTU is the underlay's 1500 minus 80, as WireGuard computes it.
        LAB_VERIFY(m_lab->addAddress(m_a, "vab", "fd00:201::1/64"));
        LAB_VERIFY(m_lab->addAddress(m_b, "vba", "fd00:201::2/64"));
        const KeyPair a = makeKeys();
        const KeyPair b = makeKeys();
        const QString pathA =
            writeProfile("a.json", profile("v6left", kTunnelA, a.privateKey, "fd00:201::2",
                                           QString(kTunnelB) + "/32", b.publicKey, {}, 0));
        const QString pathB =
            writeProfile("b.json", profile("v6right", kTunnelB, b.privateKey, "fd00:201::1",
                                           QString(kTunnelA) + "/32", a.publicKey, {}, 0));
        Helper left(*m_lab, "v6left");
        Helper right(*m_lab, "v6right");
        QVERIFY2(left.start(m_a, pathA), left.output().constData());
        QVERIFY2(right.start(m_b, pathB), right.output().constData());
        QVERIFY2(left.output().contains(" mtu 1420,"), left.output().constData());
        QVERIFY(pingWithin(*m_lab, m_a, kTunnelB, 5000) >= 0);
        QVERIFY(pingWithin(*m_lab, m_b, kTunnelA, 5000) >= 0);
        // A full-size packet crosses in one datagram (DF set, no fragmentation).
        QVERIFY(
            m_lab->runOk(m_a, {"ping", "-c", "1", "-W", "2", "-s", "1392", "-M", "do", kTunnelB}));
        QVERIFY(left.stat("handshakes_done") >= 1);
        // Both modes count inner IP bytes: what one side sent is what the other received
        // (WireGuard's 32 bytes of header and tag, and its padding, are not in tx_bytes).
        QTest::qWait(200); // the last echo reply is counted on both sides
        QVERIFY(left.stat("tx_packets") > 0);
        QCOMPARE(left.stat("tx_packets"), right.stat("rx_packets"));
        QCOMPARE(left.stat("tx_bytes"), right.stat("rx_bytes"));
        QCOMPARE(right.stat("tx_bytes"), left.stat("rx_bytes"));
    }

    void peerWithoutEndpointIsLearned()
    {
        // A "server" profile: A does not know B's endpoint; B knows A's and connects.
        const KeyPair a = makeKeys();
        const KeyPair b = makeKeys();
        const QString pathA =
            writeProfile("a.json", profile("server", kTunnelA, a.privateKey, {},
                                           QString(kTunnelB) + "/32", b.publicKey, {}, 0));
        const QString pathB =
            writeProfile("b.json", profile("client", kTunnelB, b.privateKey, kUnderlayA,
                                           QString(kTunnelA) + "/32", a.publicKey, {}, 0));
        Helper server(*m_lab, "server");
        Helper client(*m_lab, "client");
        QVERIFY2(server.start(m_a, pathA), server.output().constData());
        // No endpoint to take a path MTU from: WireGuard's usual 1420.
        QVERIFY2(server.output().contains(" mtu 1420,"), server.output().constData());
        // A private key others can read is named, as wg-quick does; 0600 is quiet.
        QVERIFY(QFile::setPermissions(pathB, QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                                 QFileDevice::ReadGroup | QFileDevice::ReadOther));
        QVERIFY2(client.start(m_b, pathB), client.output().constData());
        QVERIFY2(client.output().contains("holds a private key and others may read it (mode "
                                          "0644); chmod 600 it"),
                 client.output().constData());
        QVERIFY(!server.output().contains("others may read it"));
        QVERIFY2(pingWithin(*m_lab, m_b, kTunnelA, 5000) >= 0, server.output().constData());
        // The server answers at the endpoint it learned, and can start traffic itself now.
        QVERIFY(pingWithin(*m_lab, m_a, kTunnelB, 5000) >= 0);
        QCOMPARE(server.stat("handshakes_done"), 1);
        QCOMPARE(server.stat("initiations_sent", true), 0);
    }

    void endpointRoams()
    {
        const KeyPair a = makeKeys();
        const KeyPair b = makeKeys();
        const QString pathA =
            writeProfile("a.json", profile("home", kTunnelA, a.privateKey, kUnderlayB,
                                           QString(kTunnelB) + "/32", b.publicKey, {}, 0));
        const QString pathB =
            writeProfile("b.json", profile("roamer", kTunnelB, b.privateKey, kUnderlayA,
                                           QString(kTunnelA) + "/32", a.publicKey, {}, 0));
        Helper home(*m_lab, "home");
        Helper roamer(*m_lab, "roamer");
        QVERIFY2(home.start(m_a, pathA), home.output().constData());
        QVERIFY2(roamer.start(m_b, pathB), roamer.output().constData());
        QVERIFY(pingWithin(*m_lab, m_a, kTunnelB, 5000) >= 0);

        // B moves to another address: the old one goes, and its datagrams come from .3. While
        // .2 was there, B answered A from it (the address A writes to, as WireGuard's sticky
        // sources do); without it, the send from .2 fails and goes again from the route's.
        const QString moved = "192.168.201.3";
        LAB_VERIFY(
            m_lab->runOk(m_b, {"sysctl", "-q", "-w", "net.ipv4.conf.vba.promote_secondaries=1"}));
        LAB_VERIFY(m_lab->addAddress(m_b, "vba", moved + "/24"));
        LAB_VERIFY(m_lab->runOk(
            m_b, {"ip", "route", "replace", "192.168.201.0/24", "dev", "vba", "src", moved}));
        LAB_VERIFY(
            m_lab->runOk(m_b, {"ip", "addr", "del", QString(kUnderlayB) + "/24", "dev", "vba"}));
        QVERIFY(pingWithin(*m_lab, m_b, kTunnelA, 5000) >= 0); // A learns .3 from this
        // A's sending thread must now use the learned endpoint: .2 no longer exists.
        QVERIFY2(pingWithin(*m_lab, m_a, kTunnelB, 5000) >= 0, home.output().constData());
        QCOMPARE(home.stat("handshakes_done"), 1); // the same session throughout
    }

    void twoPeertunsWithPresharedKeyAndHostileTraffic()
    {
        const KeyPair a = makeKeys();
        const KeyPair b = makeKeys();
        const QString psk = makeKeys().privateKey; // any 32 random bytes
        // Persistent keepalive: a restarted side handshakes by itself.
        const QString pathA =
            writeProfile("a.json", profile("left", kTunnelA, a.privateKey, kUnderlayB,
                                           QString(kTunnelB) + "/32", b.publicKey, psk, 3));
        const QString pathB =
            writeProfile("b.json", profile("right", kTunnelB, b.privateKey, kUnderlayA,
                                           QString(kTunnelA) + "/32", a.publicKey, psk, 3));
        Helper left(*m_lab, "left");
        Helper right(*m_lab, "right");
        QVERIFY2(left.start(m_a, pathA), left.output().constData());
        QVERIFY2(right.start(m_b, pathB), right.output().constData());
        QVERIFY2(pingWithin(*m_lab, m_a, kTunnelB, 5000) >= 0, left.output().constData());
        QVERIFY(pingWithin(*m_lab, m_b, kTunnelA, 5000) >= 0);
        QVERIFY(httpGet(*m_lab, m_b, kTunnelB, m_a));
        QVERIFY(httpGet(*m_lab, m_a, kTunnelA, m_b));
        QVERIFY(left.stat("handshakes_done") >= 1);
        QVERIFY(right.stat("handshakes_done") >= 1);

        // Capture a real data message from B to A, to replay it from C.
        const int capture = socketIn(m_a, AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
        const FdGuard captureGuard{capture};
        QVERIFY(capture >= 0);
        std::thread pinger([&] { m_lab->run(m_b, {"ping", "-c", "3", "-i", "0.2", kTunnelA}); });
        const QByteArray data = captureDataMessage(capture, kUnderlayB, 5000);
        pinger.join();
        QVERIFY2(data.size() > 32, "no data message from B captured");

        QByteArray flipped = data;
        flipped[40] = char(flipped[40] ^ 0x10);
        QByteArray random(200, '\0');
        for (qsizetype i = 0; i < random.size(); ++i) {
            random[i] = char((i * 131 + 7) ^ 0x5a);
        }
        const QByteArray shortJunk("\x01\x00\x00\x00hello", 9);
        const QList<QByteArray> initiations = foreignInitiations(a.publicKey);

        const auto before = left.stats();
        QVERIFY(before.has_value());
        const int hostile = socketIn(m_c, AF_INET, SOCK_DGRAM, 0);
        const FdGuard hostileGuard{hostile};
        QVERIFY(hostile >= 0);
        QVERIFY2(sendUnanswered(hostile,
                                {random, shortJunk, data, flipped, initiations[0], initiations[1]},
                                1500),
                 "peertun answered a hostile datagram");
        const auto after = left.stats();
        QVERIFY(after.has_value());
        for (const char* key : {"drop_not_authenticated", "drop_replayed", "replays_rejected",
                                "decryption_failures", "handshakes_failed"}) {
            qInfo("  %s %lld -> %lld", key, before->counter(key), after->counter(key));
        }
        const auto delta = [&](const char* key) {
            return after->counter(key) - before->counter(key);
        };
        QCOMPARE(delta("replays_rejected"), 1);
        QCOMPARE(delta("drop_replayed"), 1);
        QCOMPARE(delta("decryption_failures"), 1);
        QCOMPARE(delta("handshakes_failed"), 1);      // the unknown key; the wrong MAC1 is silent
        QCOMPARE(delta("drop_not_authenticated"), 5); // random, junk, flipped, both initiations
        // Nothing hostile reached the TUN: what A wrote is exactly what B sent. (Not "no rx in
        // the window": B's own late packets, e.g. the HTTP connection's last segments on a busy
        // machine, may land in it.) Wait for B's packets in flight to arrive before comparing.
        QTRY_COMPARE_WITH_TIMEOUT(left.stat("rx_packets"), right.stat("tx_packets"), 2000);
        QVERIFY2(left.output().contains("that failed authentication"), left.output().constData());
        // The endpoint did not roam to C: the tunnel keeps working both ways.
        QVERIFY(pingWithin(*m_lab, m_a, kTunnelB, 3000) >= 0);
        QVERIFY(pingWithin(*m_lab, m_b, kTunnelA, 3000) >= 0);

        // Restart either side: traffic flows again within 10 s without anyone acting.
        QVERIFY(right.restart());
        qint64 ms = pingWithin(*m_lab, m_a, kTunnelB, 10000);
        QVERIFY2(ms >= 0, right.output().constData());
        qInfo("after restarting the right side, traffic flowed again after %lld ms", ms);
        QVERIFY(left.restart());
        ms = pingWithin(*m_lab, m_b, kTunnelA, 10000);
        QVERIFY2(ms >= 0, left.output().constData());
        qInfo("after restarting the left side, traffic flowed again after %lld ms", ms);
        // Keys never reach the log (nor the stats lines) of any process of this test.
        for (const auto& process : m_lab->processes()) {
            const QByteArray output = process->output();
            for (const QString& secret : {a.privateKey, b.privateKey, psk}) {
                QVERIFY2(!output.contains(secret.left(12).toUtf8()), qPrintable(process->label()));
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestE2eWireGuard)
#include "tst_e2e_wireguard.moc"
