// WireGuard mode end to end, as root, in network namespaces this test creates (names carry the
// PID) and deletes after every test function, whatever happens:
//   A (peertun --standalone) --veth-- B (Debian's wireguard-go configured with `wg`, or a
//   second peertun)     and     A --veth-- C (a hostile host that only sends junk).
// Checks ping and HTTP both ways, handshake counters, a preshared key, hostile datagrams
// (dropped, counted, never answered), and that traffic flows again within 10 s after either
// side restarts.
#include "wireguard/Device.h"
#include "wireguard/Keys.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QMap>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
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

// Runs a command to completion; returns exit code (-1 if it could not run), output in *out.
int run(const QStringList& argv, QByteArray* out = nullptr, int timeoutMs = 20000)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(argv.first(), argv.mid(1));
    if (!p.waitForStarted(5000)) {
        return -1;
    }
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
        return -1;
    }
    if (out) {
        *out = p.readAll();
    }
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

QStringList inNs(const QString& ns, const QStringList& argv)
{
    return QStringList{"ip", "netns", "exec", ns} + argv;
}

// Network namespaces of this test run, deleted in the destructor (also on a failed QVERIFY,
// since the test functions hold them in members reset by cleanup()).
class Lab
{
public:
    Lab()
    {
        const QString tag = QString::number(::getpid());
        a = "ptwgA" + tag;
        b = "ptwgB" + tag;
        c = "ptwgC" + tag;
        uapi = "ptwg" + tag;
    }
    ~Lab()
    {
        for (const QString& ns : m_created) {
            run({"ip", "netns", "del", ns});
        }
        QFile::remove("/var/run/wireguard/" + uapi + ".sock");
    }
    bool up()
    {
        for (const QString& ns : {a, b, c}) {
            if (run({"ip", "netns", "add", ns}) != 0) {
                return false;
            }
            m_created << ns;
            run(inNs(ns, {"ip", "link", "set", "lo", "up"}));
        }
        const QList<QStringList> steps = {
            {"ip", "link", "add", "vab", "netns", a, "type", "veth", "peer", "name", "vba", "netns",
             b},
            {"ip", "link", "add", "vac", "netns", a, "type", "veth", "peer", "name", "vca", "netns",
             c},
            {"ip", "-n", a, "addr", "add", QString(kUnderlayA) + "/24", "dev", "vab"},
            {"ip", "-n", b, "addr", "add", QString(kUnderlayB) + "/24", "dev", "vba"},
            {"ip", "-n", a, "addr", "add", QString(kHostileSideA) + "/24", "dev", "vac"},
            {"ip", "-n", c, "addr", "add", QString(kHostileC) + "/24", "dev", "vca"},
            {"ip", "-n", a, "link", "set", "vab", "up"},
            {"ip", "-n", b, "link", "set", "vba", "up"},
            {"ip", "-n", a, "link", "set", "vac", "up"},
            {"ip", "-n", c, "link", "set", "vca", "up"},
        };
        for (const QStringList& s : steps) {
            if (run(s) != 0) {
                qWarning() << "failed:" << s;
                return false;
            }
        }
        return true;
    }

    QString a, b, c, uapi;

private:
    QStringList m_created;
};

// A background process (killed in the destructor) whose output is kept.
class Background
{
public:
    ~Background() { stop(); }
    bool start(const QStringList& argv, const QProcessEnvironment& env = {})
    {
        m_output.clear();
        m_process = std::make_unique<QProcess>();
        m_process->setProcessChannelMode(QProcess::MergedChannels);
        if (!env.isEmpty()) {
            m_process->setProcessEnvironment(env);
        }
        m_process->start(argv.first(), argv.mid(1));
        return m_process->waitForStarted(5000);
    }
    void stop()
    {
        if (m_process && m_process->state() != QProcess::NotRunning) {
            m_process->terminate();
            if (!m_process->waitForFinished(5000)) {
                m_process->kill();
                m_process->waitForFinished();
            }
        }
        if (m_process) {
            m_output += m_process->readAll();
        }
        m_process.reset();
    }
    // Waits until the output has a line matching `pattern`; returns it.
    QString waitFor(const QRegularExpression& pattern, int timeoutMs, qsizetype from = 0)
    {
        QElapsedTimer t;
        t.start();
        for (;;) {
            if (m_process) {
                m_output += m_process->readAll();
            }
            const QString text = QString::fromUtf8(m_output.mid(from));
            const auto m = pattern.match(text);
            if (m.hasMatch()) {
                return m.captured(0);
            }
            if (t.elapsed() > timeoutMs || !m_process ||
                m_process->state() == QProcess::NotRunning) {
                return {};
            }
            m_process->waitForReadyRead(100);
        }
    }
    qint64 pid() const { return m_process ? m_process->processId() : 0; }
    qsizetype outputSize()
    {
        if (m_process) {
            m_output += m_process->readAll();
        }
        return m_output.size();
    }
    QByteArray output() const { return m_output; }

private:
    std::unique_ptr<QProcess> m_process;
    QByteArray m_output;
};

struct KeyPair
{
    QString privateKey, publicKey;
};

KeyPair makeKeys()
{
    const auto key = peertun::wireguard::generateKey();
    std::array<char, peertun::wireguard::kBase64KeyLen + 1> text{};
    peertun::wireguard::encodeSecretKey(key.bytes(), text);
    KeyPair k{QString::fromLatin1(text.data()),
              QString::fromStdString(
                  peertun::wireguard::encodePublicKey(peertun::wireguard::publicKeyOf(key)))};
    text.fill(0);
    return k;
}

// peertun-helper --standalone in a namespace, with its stats lines parsed.
class Helper
{
public:
    bool start(const QString& ns, const QString& profilePath)
    {
        m_ns = ns;
        m_profile = profilePath;
        const QString helper = qEnvironmentVariable("PEERTUN_HELPER");
        if (!m_process.start(inNs(ns, {helper, "--standalone", profilePath}))) {
            return false;
        }
        return !m_process.waitFor(QRegularExpression("tunnel up: [^\n]*\n"), 10000).isEmpty();
    }
    bool restart()
    {
        m_process.stop();
        return start(m_ns, m_profile);
    }
    void stop() { m_process.stop(); }
    // key=value pairs of the tunnel line (and, with `peer`, of that peer's line).
    QMap<QString, QString> stats(const QString& peer = {})
    {
        const qsizetype from = m_process.outputSize();
        ::kill(pid_t(m_process.pid()), SIGUSR1);
        const QString pattern =
            peer.isEmpty() ? QStringLiteral("stats tunnel=\\S+ tx_packets[^\n]*\n")
                           : QStringLiteral("stats tunnel=\\S+ peer=%1 [^\n]*\n").arg(peer);
        const QString line = m_process.waitFor(QRegularExpression(pattern), 5000, from);
        QMap<QString, QString> out;
        for (const QString& field : line.trimmed().split(u' ')) {
            const qsizetype eq = field.indexOf(u'=');
            if (eq > 0) {
                out.insert(field.left(eq), field.mid(eq + 1));
            }
        }
        return out;
    }
    quint64 stat(const QString& key, const QString& peer = {})
    {
        return stats(peer).value(key).toULongLong();
    }
    QByteArray output() const { return m_process.output(); }

private:
    Background m_process;
    QString m_ns, m_profile;
};

QString profile(const QString& name, const QString& address, const QString& privateKey,
                const QString& peerEndpoint, const QString& peerSubnet, const QString& peerKey,
                const QString& psk, int keepalive)
{
    const QString host = peerEndpoint.contains(u':') ? "[" + peerEndpoint + "]" : peerEndpoint;
    QString peer = QStringLiteral(R"({"name": "other", "endpoint": "%1:%2", "subnets": ["%3"],
        "publicKey": "%4")")
                       .arg(host)
                       .arg(kPort)
                       .arg(peerSubnet, peerKey);
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

bool writeFile(const QString& path, const QString& text)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        return false;
    }
    f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return f.write(text.toUtf8()) == text.toUtf8().size();
}

// Pings until one reply comes back; returns the milliseconds it took, or -1.
qint64 pingWithin(const QString& ns, const QString& address, int timeoutMs)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < timeoutMs) {
        if (run(inNs(ns, {"ping", "-c", "1", "-W", "1", "-n", "-q", address})) == 0) {
            return t.elapsed();
        }
    }
    return -1;
}

// HTTP GET through the tunnel: a server on `serverAddress` in `serverNs`, curl from `clientNs`.
bool httpGet(const QString& serverNs, const QString& serverAddress, const QString& clientNs,
             const QString& dir)
{
    const QString token = QStringLiteral("peertun-%1-%2").arg(serverNs).arg(::getpid());
    if (!writeFile(dir + "/index.html", token)) {
        return false;
    }
    Background server;
    if (!server.start(inNs(serverNs, {"python3", "-m", "http.server", "--bind", serverAddress,
                                      "--directory", dir, "8088"}))) {
        return false;
    }
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 10000) {
        QByteArray body;
        if (run(inNs(clientNs, {"curl", "-s", "-m", "2", "http://" + serverAddress + ":8088/"}),
                &body) == 0 &&
            body.contains(token.toUtf8())) {
            return true;
        }
        QTest::qWait(200);
    }
    return false;
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

class TestE2eWireGuard final : public QObject
{
    Q_OBJECT

    std::unique_ptr<Lab> m_lab;
    std::unique_ptr<QTemporaryDir> m_dir;

    bool startWireGuardGo(Background& wg, const KeyPair& keysB, const QString& publicKeyOfA)
    {
        QDir().mkpath("/var/run/wireguard");
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("WG_PROCESS_FOREGROUND", "1");
        if (!wg.start(inNs(m_lab->b, {"wireguard-go", m_lab->uapi}), env)) {
            return false;
        }
        QElapsedTimer t;
        t.start();
        while (!QFile::exists("/var/run/wireguard/" + m_lab->uapi + ".sock")) {
            if (t.elapsed() > 10000) {
                return false;
            }
            QTest::qWait(50);
        }
        const QString keyFile = m_dir->path() + "/wgb.key";
        if (!writeFile(keyFile, keysB.privateKey)) {
            return false;
        }
        const QString dev = m_lab->uapi;
        return run(inNs(m_lab->b, {"wg", "set", dev, "listen-port", QString::number(kPort),
                                   "private-key", keyFile, "peer", publicKeyOfA, "endpoint",
                                   QString("%1:%2").arg(kUnderlayA).arg(kPort), "allowed-ips",
                                   QString(kTunnelA) + "/32"})) == 0 &&
               run(inNs(m_lab->b, {"ip", "addr", "add", QString(kTunnelB) + "/24", "dev", dev})) ==
                   0 &&
               run(inNs(m_lab->b, {"ip", "link", "set", dev, "mtu", "1420", "up"})) == 0;
    }

private slots:
    void initTestCase()
    {
        if (::geteuid() != 0) {
            QSKIP("needs root: creates network namespaces, TUN devices and veth pairs");
        }
        QVERIFY2(!qEnvironmentVariable("PEERTUN_HELPER").isEmpty(), "PEERTUN_HELPER not set");
        QVERIFY2(run({"wireguard-go", "--version"}) == 0, "wireguard-go is not installed");
        QVERIFY2(run({"wg", "--version"}) == 0, "wireguard-tools (wg) is not installed");
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_lab = std::make_unique<Lab>();
        QVERIFY2(m_lab->up(), "could not build the namespaces");
    }

    void cleanup()
    {
        m_lab.reset(); // deletes the namespaces, whatever the test did
        m_dir.reset();
    }

    void interopWithWireGuardGo()
    {
        const KeyPair a = makeKeys();
        const KeyPair b = makeKeys();
        const QString path = m_dir->path() + "/a.json";
        QVERIFY(writeFile(path, profile("interop", kTunnelA, a.privateKey, kUnderlayB,
                                        QString(kTunnelB) + "/32", b.publicKey, {}, 0)));
        Helper helper;
        QVERIFY2(helper.start(m_lab->a, path), helper.output().constData());
        Background wg;
        QVERIFY2(startWireGuardGo(wg, b, a.publicKey), wg.output().constData());

        QVERIFY2(pingWithin(m_lab->a, kTunnelB, 5000) >= 0, helper.output().constData());
        QVERIFY(pingWithin(m_lab->b, kTunnelA, 5000) >= 0);
        // A full-size packet (the MTU is 1500 - 60 here; wireguard-go's is 1420).
        QCOMPARE(
            run(inNs(m_lab->a, {"ping", "-c", "1", "-W", "2", "-s", "1392", "-M", "do", kTunnelB})),
            0);
        QVERIFY(httpGet(m_lab->b, kTunnelB, m_lab->a, m_dir->path()));
        QVERIFY(httpGet(m_lab->a, kTunnelA, m_lab->b, m_dir->path()));

        const auto tunnel = helper.stats();
        QCOMPARE(tunnel.value("mode"), QStringLiteral("wireguard"));
        QVERIFY2(tunnel.value("handshakes_done").toULongLong() >= 1,
                 qPrintable(tunnel.value("handshakes_done")));
        QCOMPARE(tunnel.value("decryption_failures"), QStringLiteral("0"));
        const auto peer = helper.stats("other");
        QVERIFY(peer.value("rx_packets").toULongLong() > 0);
        QVERIFY(peer.value("last_handshake_ms_ago") != QStringLiteral("never"));
        QByteArray shown;
        QCOMPARE(run(inNs(m_lab->b, {"wg", "show", m_lab->uapi, "latest-handshakes"}), &shown), 0);
        QVERIFY2(!shown.trimmed().endsWith("\t0"), shown.constData()); // 0 = never

        // Restart of peertun: it handshakes again as soon as it has something to send.
        QVERIFY(helper.restart());
        QVERIFY2(pingWithin(m_lab->a, kTunnelB, 10000) >= 0, helper.output().constData());
        // Restart of wireguard-go, configured afresh.
        wg.stop();
        QFile::remove("/var/run/wireguard/" + m_lab->uapi + ".sock");
        QVERIFY(startWireGuardGo(wg, b, a.publicKey));
        QVERIFY(pingWithin(m_lab->b, kTunnelA, 10000) >= 0);
        QVERIFY(pingWithin(m_lab->a, kTunnelB, 10000) >= 0);
        QVERIFY(helper.stat("handshakes_done") >= 2);
    }

    void ipv6UnderlayAndDefaultMtu()
    {
        // Over IPv6 the default MTU is the underlay's 1500 minus 80, as WireGuard computes it.
        for (const auto& [ns, dev, address] :
             {std::tuple{m_lab->a, "vab", "fd00:201::1/64"}, {m_lab->b, "vba", "fd00:201::2/64"}}) {
            QCOMPARE(run(inNs(ns, {"ip", "addr", "add", address, "dev", dev, "nodad"})), 0);
        }
        const KeyPair a = makeKeys();
        const KeyPair b = makeKeys();
        const QString pathA = m_dir->path() + "/a.json";
        const QString pathB = m_dir->path() + "/b.json";
        QVERIFY(writeFile(pathA, profile("v6left", kTunnelA, a.privateKey, "fd00:201::2",
                                         QString(kTunnelB) + "/32", b.publicKey, {}, 0)));
        QVERIFY(writeFile(pathB, profile("v6right", kTunnelB, b.privateKey, "fd00:201::1",
                                         QString(kTunnelA) + "/32", a.publicKey, {}, 0)));
        Helper left;
        Helper right;
        QVERIFY2(left.start(m_lab->a, pathA), left.output().constData());
        QVERIFY2(right.start(m_lab->b, pathB), right.output().constData());
        QVERIFY2(left.output().contains(" mtu 1420,"), left.output().constData());
        QVERIFY(pingWithin(m_lab->a, kTunnelB, 5000) >= 0);
        QVERIFY(pingWithin(m_lab->b, kTunnelA, 5000) >= 0);
        // A full-size packet crosses in one datagram (DF set, no fragmentation).
        QCOMPARE(
            run(inNs(m_lab->a, {"ping", "-c", "1", "-W", "2", "-s", "1392", "-M", "do", kTunnelB})),
            0);
        QVERIFY(left.stat("handshakes_done") >= 1);
    }

    void twoPeertunsWithPresharedKeyAndHostileTraffic()
    {
        const KeyPair a = makeKeys();
        const KeyPair b = makeKeys();
        const QString psk = makeKeys().privateKey; // any 32 random bytes
        const QString pathA = m_dir->path() + "/a.json";
        const QString pathB = m_dir->path() + "/b.json";
        // Persistent keepalive: a restarted side handshakes by itself.
        QVERIFY(writeFile(pathA, profile("left", kTunnelA, a.privateKey, kUnderlayB,
                                         QString(kTunnelB) + "/32", b.publicKey, psk, 3)));
        QVERIFY(writeFile(pathB, profile("right", kTunnelB, b.privateKey, kUnderlayA,
                                         QString(kTunnelA) + "/32", a.publicKey, psk, 3)));
        Helper left;
        Helper right;
        QVERIFY2(left.start(m_lab->a, pathA), left.output().constData());
        QVERIFY2(right.start(m_lab->b, pathB), right.output().constData());
        QVERIFY2(pingWithin(m_lab->a, kTunnelB, 5000) >= 0, left.output().constData());
        QVERIFY(pingWithin(m_lab->b, kTunnelA, 5000) >= 0);
        QVERIFY(httpGet(m_lab->b, kTunnelB, m_lab->a, m_dir->path()));
        QVERIFY(httpGet(m_lab->a, kTunnelA, m_lab->b, m_dir->path()));
        QVERIFY(left.stat("handshakes_done") >= 1);
        QVERIFY(right.stat("handshakes_done") >= 1);

        // A PSK mismatch must not work: a third profile for B with another PSK would be
        // rejected by A (covered in tst_wg_handshake); here: hostile traffic from C.
        const int capture = socketIn(m_lab->a, AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
        const FdGuard captureGuard{capture};
        QVERIFY(capture >= 0);
        std::thread pinger([&] {
            run(inNs(m_lab->b, {"ping", "-c", "3", "-i", "0.2", kTunnelA}));
        });
        const QByteArray data = captureDataMessage(capture, kUnderlayB, 5000);
        pinger.join();
        QVERIFY2(data.size() > 32, "no data message from B captured");

        QByteArray flipped = data;
        flipped[40] = char(flipped[40] ^ 0x10);
        QByteArray random(200, '\0');
        for (qsizetype i = 0; i < random.size(); ++i) {
            random[i] = char((i * 131 + 7) ^ 0x5a);
        }
        QByteArray shortJunk("\x01\x00\x00\x00hello", 9);
        const QList<QByteArray> initiations = foreignInitiations(a.publicKey);

        const auto before = left.stats();
        const int hostile = socketIn(m_lab->c, AF_INET, SOCK_DGRAM, 0);
        const FdGuard hostileGuard{hostile};
        QVERIFY(hostile >= 0);
        QVERIFY2(sendUnanswered(hostile,
                                {random, shortJunk, data, flipped, initiations[0], initiations[1]},
                                1500),
                 "peertun answered a hostile datagram");
        const auto after = left.stats();
        for (const char* key : {"drop_not_authenticated", "drop_replayed", "replays_rejected",
                                "decryption_failures", "handshakes_failed"}) {
            qInfo("  %s %s -> %s", key, qPrintable(before.value(key)),
                  qPrintable(after.value(key)));
        }
        const auto delta = [&](const char* key) {
            return after.value(key).toLongLong() - before.value(key).toLongLong();
        };
        QCOMPARE(delta("replays_rejected"), 1);
        QCOMPARE(delta("drop_replayed"), 1);
        QCOMPARE(delta("decryption_failures"), 1);
        QCOMPARE(delta("handshakes_failed"), 1);      // the unknown key; the wrong MAC1 is silent
        QCOMPARE(delta("drop_not_authenticated"), 5); // random, junk, flipped, both initiations
        QCOMPARE(delta("rx_packets"), 0);
        // The endpoint did not roam to C: the tunnel keeps working both ways.
        QVERIFY(pingWithin(m_lab->a, kTunnelB, 3000) >= 0);
        QVERIFY(pingWithin(m_lab->b, kTunnelA, 3000) >= 0);

        // Restart either side: traffic flows again within 10 s without anyone acting.
        QVERIFY(right.restart());
        qint64 ms = pingWithin(m_lab->a, kTunnelB, 10000);
        QVERIFY2(ms >= 0, right.output().constData());
        qInfo("after restarting the right side, traffic flowed again after %lld ms", ms);
        QVERIFY(left.restart());
        ms = pingWithin(m_lab->b, kTunnelA, 10000);
        QVERIFY2(ms >= 0, left.output().constData());
        qInfo("after restarting the left side, traffic flowed again after %lld ms", ms);
    }
};

QTEST_GUILESS_MAIN(TestE2eWireGuard)
#include "tst_e2e_wireguard.moc"
