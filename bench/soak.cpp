// bench_soak: the D-Bus helper through a long, unkind day, as figures (never a verdict).
//
// In the harness's world (tests/root/lab/DBusHarness: a private system bus, a real polkitd,
// the bus-activated helper in namespace 1, far sides in namespace 2) it keeps a plain and a
// WireGuard tunnel busy with pings, and meanwhile: restarts both far sides every 60 s,
// deletes the tunnels' routes every 30 s, takes the underlay link down for 2 s every 45 s,
// lets ten clients read stats at 20 Hz each, and connects and disconnects a third tunnel in
// a loop. Every 5 s it samples the helper's resident memory and open fds; at the end it
// prints them over time and what was lost: tunnels (state changes of the two long-lived
// ones to disconnected or failed), log entries written, counters that went backwards, stats
// calls that failed, pings answered.
//
// Usage (root): bench_soak [SECONDS]   (default 600); bench/soak.sh builds and runs it.
// Env: PEERTUN_HELPER, PEERTUNCTL as for the D-Bus tests (the build tree's binaries).
#include "DBusContract.h"
#include "DBusHarness.h"
#include "Keys.h"
#include "Payloads.h"
#include "Profile.h"

#include <QCoreApplication>
#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTimer>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <unistd.h>
#include <vector>

namespace {

using peertun::test::CommandResult;
using peertun::test::DBusHarness;
using peertun::test::kAllowedUser;
namespace dbus = peertun::dbus;

constexpr int kReaders = 10;
constexpr int kReaderIntervalMs = 50; // 20 Hz
constexpr int kSampleSeconds = 5;

struct Side
{
    QString name, ifName, address, endpoint, peerSubnet;
    quint16 listen;
};

QByteArray profileFor(const Side& s, const QString& privateKey, const QString& peerPublicKey)
{
    QString error;
    peertun::Profile p;
    p.name = s.name;
    p.interface.name = s.ifName;
    p.interface.address = peertun::parseCidr(s.address, &error, false).value_or(peertun::Cidr{});
    p.interface.listen.port = s.listen;
    peertun::PeerConfig peer;
    peer.name = QStringLiteral("far");
    peer.endpoint = peertun::parseEndpoint(s.endpoint, &error, false).value_or(peertun::Endpoint{});
    peer.subnets << peertun::parseCidr(s.peerSubnet, &error, true).value_or(peertun::Cidr{});
    if (!privateKey.isEmpty()) {
        p.mode = peertun::TunnelMode::WireGuard;
        p.interface.privateKey = privateKey;
        peer.publicKey = peerPublicKey;
    }
    p.peers << peer;
    return peertun::serializeProfile(p);
}

struct KeyText
{
    QString privateKey, publicKey;
};

KeyText newKeys()
{
    const peertun::keys::LockedSecretKey key = peertun::keys::generateKey();
    char text[peertun::keys::kBase64KeyLen + 1] = {};
    peertun::keys::encodeSecretKey(key.bytes(), text);
    KeyText k{QString::fromLatin1(text), QString::fromStdString(peertun::keys::encodePublicKey(
                                             peertun::keys::publicKeyOf(key)))};
    peertun::keys::wipe(std::span<char>(text));
    return k;
}

qint64 statusKib(uint pid, const char* field)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly)) {
        return -1;
    }
    for (const QByteArray& line : f.readAll().split('\n')) {
        if (line.startsWith(field)) {
            return line.mid(qsizetype(std::strlen(field)))
                .trimmed()
                .split(' ')
                .front()
                .toLongLong();
        }
    }
    return -1;
}

int fdCount(uint pid)
{
    return int(QDir(QStringLiteral("/proc/%1/fd").arg(pid))
                   .entryList(QDir::NoDotAndDotDot | QDir::AllEntries | QDir::System)
                   .size());
}

struct Sample
{
    int t;
    qint64 rssKib;
    int fds;
    int tunnels;
    quint64 logSeq;
};

class Soak : public QObject
{
    Q_OBJECT

public:
    Soak(DBusHarness& h, int seconds) : m_h(h), m_seconds(seconds) {}

    bool start(QString* error)
    {
        const KeyText nearKeys = newKeys(), farKeys = newKeys();
        const QString far = peertun::test::kUnderlayAddress2;
        const QString near = peertun::test::kUnderlayAddress1;
        m_plainFar =
            m_h.writeFile("far-plain.json", profileFor({"far-plain", "ptfarp", "10.244.2.1/24",
                                                        near + ":8401", "10.244.1.0/24", 8402},
                                                       {}, {}));
        m_wgFar = m_h.writeFile("far-wg.json", profileFor({"far-wg", "ptfarw", "10.245.2.1/24",
                                                           near + ":8411", "10.245.1.0/24", 8412},
                                                          farKeys.privateKey, nearKeys.publicKey));
        m_plainNear =
            m_h.writeFile("soak-plain.json", profileFor({"soak-plain", "ptsoakp", "10.244.1.1/24",
                                                         far + ":8402", "10.244.2.0/24", 8401},
                                                        {}, {}));
        m_wgNear =
            m_h.writeFile("soak-wg.json", profileFor({"soak-wg", "ptsoakw", "10.245.1.1/24",
                                                      far + ":8412", "10.245.2.0/24", 8411},
                                                     nearKeys.privateKey, farKeys.publicKey));
        // The churning tunnel has no far side: it only comes and goes.
        m_churn =
            m_h.writeFile("soak-churn.json", profileFor({"soak-churn", "ptsoakc", "10.246.1.1/24",
                                                         far + ":8422", "10.246.2.0/24", 8421},
                                                        {}, {}));
        startFarSides();
        for (const QString& path : {m_plainNear, m_wgNear}) {
            const CommandResult r = m_h.runCtl(kAllowedUser, {"up", path});
            if (r.exitCode != 0) {
                *error = QStringLiteral("up %1: %2").arg(path, r.describe());
                return false;
            }
        }
        m_helperPid = m_h.helperPid();
        if (m_helperPid == 0) {
            *error = QStringLiteral("no helper on the bus after connecting");
            return false;
        }
        const CommandResult veth = DBusHarness::run(
            DBusHarness::ipBinary(), {"-n", m_h.ns1(), "-o", "link", "show", "type", "veth"});
        const QRegularExpressionMatch m =
            QRegularExpression(QStringLiteral("^\\d+: ([^:@]+)")).match(veth.out);
        m_underlay = m.captured(1);

        QDBusConnection root = m_h.bus();
        root.connect(QString(), peertun::dbus::kObjectPath, peertun::dbus::kInterfaceName,
                     QStringLiteral("StateChanged"), this,
                     SLOT(onStateChanged(QString, QString, QString)));
        for (const char* target : {"10.244.2.1", "10.245.2.1"}) {
            auto p = std::make_unique<QProcess>();
            p->start(DBusHarness::ipBinary(),
                     {"netns", "exec", m_h.ns1(), "ping", "-q", "-i", "0.05", "-W", "1", target});
            m_pings.push_back(std::move(p));
        }
        for (int i = 0; i < kReaders; ++i) {
            auto conn = std::make_unique<QDBusConnection>(
                QDBusConnection::connectToBus(m_h.busAddress(), QStringLiteral("soak-%1").arg(i)));
            auto* timer = new QTimer(this);
            timer->setInterval(kReaderIntervalMs);
            connect(timer, &QTimer::timeout, this, [this, c = conn.get(), i] { readStats(*c, i); });
            timer->start();
            m_readers.push_back(std::move(conn));
        }
        m_clock.start();
        auto* tick = new QTimer(this);
        tick->setInterval(1000);
        connect(tick, &QTimer::timeout, this, &Soak::onSecond);
        tick->start();
        sample();
        return true;
    }

    void report()
    {
        for (auto& p : m_pings) {
            ::kill(pid_t(p->processId()), SIGINT); // ping prints its summary on SIGINT only
            p->waitForFinished(3000);
        }
        stopFarSides();
        std::printf("\n%6s %10s %6s %8s %10s\n", "t_s", "rss_kib", "fds", "tunnels", "log_seq");
        for (const Sample& s : m_samples) {
            std::printf("%6d %10lld %6d %8d %10llu\n", s.t, (long long)s.rssKib, s.fds, s.tunnels,
                        (unsigned long long)s.logSeq);
        }
        const auto [minRss, maxRss] = std::minmax_element(
            m_samples.begin(), m_samples.end(),
            [](const Sample& a, const Sample& b) { return a.rssKib < b.rssKib; });
        const auto [minFd, maxFd] =
            std::minmax_element(m_samples.begin(), m_samples.end(),
                                [](const Sample& a, const Sample& b) { return a.fds < b.fds; });
        const Sample& first = m_samples.front();
        const Sample& last = m_samples.back();
        const double minutes = m_clock.elapsed() / 60000.0;
        std::printf("\nsoak: %.1f min\n", minutes);
        std::printf("helper rss_kib: first %lld last %lld min %lld max %lld (last/first %.2f)\n",
                    (long long)first.rssKib, (long long)last.rssKib, (long long)minRss->rssKib,
                    (long long)maxRss->rssKib, double(last.rssKib) / double(first.rssKib));
        std::printf("helper fds: first %d last %d min %d max %d\n", first.fds, last.fds, minFd->fds,
                    maxFd->fds);
        std::printf("tunnels lost: %d (state changes of soak-plain/soak-wg to disconnected or "
                    "failed); helper restarts seen: %d\n",
                    m_tunnelsLost, m_helperRestarts);
        std::printf("log entries written: %llu (%.0f per minute)\n",
                    (unsigned long long)(last.logSeq - first.logSeq),
                    double(last.logSeq - first.logSeq) / std::max(minutes, 0.01));
        std::printf("stats calls: %llu ok, %llu failed; counter regressions: %llu\n",
                    (unsigned long long)m_statsOk, (unsigned long long)m_statsFailed,
                    (unsigned long long)m_regressions);
        std::printf("churn: %d connects ok, %d failed, %d disconnects ok, %d failed\n",
                    m_churnUp[0], m_churnUp[1], m_churnDown[0], m_churnDown[1]);
        std::printf("faults: %d far-side restarts, %d route deletions, %d link flaps\n", m_restarts,
                    m_routeDeletions, m_flaps);
        const char* names[] = {"plain", "wireguard"};
        for (size_t i = 0; i < m_pings.size(); ++i) {
            const QString out = QString::fromLocal8Bit(m_pings[i]->readAllStandardOutput());
            const QRegularExpressionMatch m =
                QRegularExpression(QStringLiteral("(\\d+) packets transmitted, (\\d+) received"))
                    .match(out);
            std::printf("ping through %s: %s sent, %s answered\n", names[i],
                        qPrintable(m.captured(1)), qPrintable(m.captured(2)));
        }
    }

private slots:
    // Called by name from QDBusConnection::connect.
    void onStateChanged(const QString& name, const QString& state, const QString&)
    {
        const auto s = dbus::parseState(state);
        if ((name == QLatin1String("soak-plain") || name == QLatin1String("soak-wg")) &&
            (s == dbus::TunnelState::Disconnected || s == dbus::TunnelState::Failed)) {
            ++m_tunnelsLost;
            std::fprintf(stderr, "soak: %s went %s at %llds\n", qPrintable(name), qPrintable(state),
                         (long long)(m_clock.elapsed() / 1000));
        }
    }

private:
    void startFarSides()
    {
        m_h.startFarSide(m_plainFar);
        m_wgFarProcess = std::make_unique<QProcess>();
        m_wgFarProcess->setStandardOutputFile(QDir(m_h.dir()).filePath("far-wg.log"),
                                              QIODevice::Append);
        m_wgFarProcess->setProcessChannelMode(QProcess::MergedChannels);
        m_wgFarProcess->start(
            DBusHarness::ipBinary(),
            {"netns", "exec", m_h.ns2(), m_h.helperBinary(), "--standalone", m_wgFar});
        m_wgFarProcess->waitForStarted(5000);
    }

    void stopFarSides()
    {
        m_h.stopFarSide();
        if (m_wgFarProcess) {
            m_wgFarProcess->terminate();
            if (!m_wgFarProcess->waitForFinished(5000)) {
                m_wgFarProcess->kill();
                m_wgFarProcess->waitForFinished(2000);
            }
        }
    }

    void readStats(QDBusConnection& c, int i)
    {
        const QString name = (i % 2) ? QStringLiteral("soak-wg") : QStringLiteral("soak-plain");
        QDBusMessage call =
            QDBusMessage::createMethodCall(dbus::kServiceName, dbus::kObjectPath,
                                           dbus::kInterfaceName, QStringLiteral("GetStats"));
        call << name;
        auto* w = new QDBusPendingCallWatcher(c.asyncCall(call, 5000), this);
        connect(w, &QDBusPendingCallWatcher::finished, this,
                [this, name](QDBusPendingCallWatcher* w) {
                    w->deleteLater();
                    QDBusPendingReply<QVariantMap> r = *w;
                    if (r.isError()) {
                        ++m_statsFailed;
                        return;
                    }
                    ++m_statsOk;
                    const dbus::TunnelCounters s = dbus::TunnelCounters::fromVariant(r.value());
                    // Replies of ten connections may arrive out of order, but within a few ms: only
                    // a large step back is a regression (a reset counter, a tunnel silently
                    // rebuilt).
                    auto& seen = m_lastTx[name];
                    if (s.txPackets + 1000 < seen) {
                        ++m_regressions;
                    }
                    seen = std::max(seen, s.txPackets);
                });
    }

    void onSecond()
    {
        const int t = int(m_clock.elapsed() / 1000);
        if (t >= m_seconds) {
            sample();
            QCoreApplication::quit();
            return;
        }
        if (t % 60 == 30) {
            stopFarSides();
            startFarSides();
            ++m_restarts;
        }
        if (t % 30 == 10) {
            for (const char* subnet : {"10.244.2.0/24", "10.245.2.0/24"}) {
                m_h.ipNs1({"route", "del", subnet});
            }
            ++m_routeDeletions;
        }
        if (t % 45 == 20 && !m_underlay.isEmpty()) {
            m_h.ipNs1({"link", "set", m_underlay, "down"});
            QTimer::singleShot(2000, this, [this] {
                m_h.ipNs1({"link", "set", m_underlay, "up"});
            });
            ++m_flaps;
        }
        if (t % 2 == 0 && !m_churnBusy) {
            churn();
        }
        if (t % kSampleSeconds == 0) {
            sample();
        }
    }

    void churn()
    {
        m_churnBusy = true;
        const bool up = !m_churnIsUp;
        std::shared_ptr<QProcess> p(m_h.startCtl(
            kAllowedUser, up ? QStringList{"up", m_churn} : QStringList{"down", "soak-churn"}));
        connect(p.get(), &QProcess::finished, this, [this, p, up](int code) {
            (up ? m_churnUp : m_churnDown)[code == 0 ? 0 : 1]++;
            if (code == 0) {
                m_churnIsUp = up;
            }
            m_churnBusy = false;
        });
    }

    void sample()
    {
        const uint pid = m_h.helperPid();
        if (pid != 0 && pid != m_helperPid) {
            ++m_helperRestarts;
            m_helperPid = pid;
        }
        Sample s{int(m_clock.isValid() ? m_clock.elapsed() / 1000 : 0),
                 pid ? statusKib(pid, "VmRSS:") : -1, pid ? fdCount(pid) : -1, 0, 0};
        QDBusMessage list =
            QDBusMessage::createMethodCall(dbus::kServiceName, dbus::kObjectPath,
                                           dbus::kInterfaceName, QStringLiteral("ListTunnels"));
        const QDBusMessage r = m_h.bus().call(list, QDBus::Block, 5000);
        if (r.type() == QDBusMessage::ReplyMessage && !r.arguments().isEmpty()) {
            s.tunnels = int(qdbus_cast<QVariantMapList>(r.arguments().front()).size());
        }
        // The newest log sequence number: entries written so far (the ring keeps fewer).
        quint64 seq = m_lastLogSeq;
        for (;;) {
            QDBusMessage get =
                QDBusMessage::createMethodCall(dbus::kServiceName, dbus::kObjectPath,
                                               dbus::kInterfaceName, QStringLiteral("GetLog"));
            get << QVariant::fromValue<qulonglong>(seq);
            const QDBusMessage lr = m_h.bus().call(get, QDBus::Block, 5000);
            if (lr.type() != QDBusMessage::ReplyMessage || lr.arguments().isEmpty()) {
                break;
            }
            const auto entries = qdbus_cast<QVariantMapList>(lr.arguments().front());
            if (entries.isEmpty()) {
                break;
            }
            for (const QVariantMap& e : entries) {
                seq = std::max(seq, dbus::LogRecord::fromVariant(e).seq);
            }
        }
        m_lastLogSeq = seq;
        s.logSeq = seq;
        m_samples.push_back(s);
        std::fprintf(stderr, "soak: t=%ds rss=%lld KiB fds=%d tunnels=%d log_seq=%llu\n", s.t,
                     (long long)s.rssKib, s.fds, s.tunnels, (unsigned long long)s.logSeq);
    }

    DBusHarness& m_h;
    const int m_seconds;
    QString m_plainFar, m_wgFar, m_plainNear, m_wgNear, m_churn, m_underlay;
    std::unique_ptr<QProcess> m_wgFarProcess;
    std::vector<std::unique_ptr<QProcess>> m_pings;
    std::vector<std::unique_ptr<QDBusConnection>> m_readers;
    QElapsedTimer m_clock;
    std::vector<Sample> m_samples;
    std::map<QString, quint64> m_lastTx;
    uint m_helperPid = 0;
    quint64 m_lastLogSeq = 0;
    quint64 m_statsOk = 0, m_statsFailed = 0, m_regressions = 0;
    int m_tunnelsLost = 0, m_helperRestarts = 0;
    int m_restarts = 0, m_routeDeletions = 0, m_flaps = 0;
    int m_churnUp[2] = {}, m_churnDown[2] = {};
    bool m_churnBusy = false, m_churnIsUp = false;
};

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    dbus::registerContractTypes();
    if (::geteuid() != 0) {
        std::fprintf(stderr, "bench_soak: needs root (namespaces, a private bus, test users)\n");
        return 2;
    }
    const int seconds = argc > 1 ? std::max(20, std::atoi(argv[1])) : 600;
    DBusHarness harness;
    QString error;
    if (!harness.setUp(&error)) {
        std::fprintf(stderr, "bench_soak: setting up: %s\n", qPrintable(error));
        return 1;
    }
    harness.setHelperIdleExit(0);
    Soak soak(harness, seconds);
    if (!soak.start(&error)) {
        std::fprintf(stderr, "bench_soak: %s\n", qPrintable(error));
        harness.dumpLogs();
        return 1;
    }
    QCoreApplication::exec();
    soak.report();
    return 0;
}

#include "soak.moc"
