#include "Standalone.h"

#include "Capabilities.h"
#include "Clock.h"
#include "EngineToContract.h"
#include "ExitCode.h"
#include "MeshRunner.h"
#include "ProfileToSpec.h"
#include "ResolvedDns.h"
#include "SignalNotifier.h"
#include "SleepWatcher.h"
#include "TunnelError.h"

#include <QCoreApplication>
#include <QDBusConnection>
#include <QFile>
#include <QFileInfo>
#include <QTimer>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>

namespace peertun {
namespace {

// One write() per line so lines from the forwarding threads never interleave.
void writeLine(const std::string& line)
{
    const std::string out = line + "\n";
    [[maybe_unused]] const ssize_t w = ::write(STDERR_FILENO, out.data(), out.size());
}

void fail(const QString& sentence)
{
    writeLine("peertun-helper: " + sentence.toStdString());
}

Exit exitFor(engine::TunnelError::Kind kind)
{
    switch (kind) {
    case engine::TunnelError::Kind::Busy:
    case engine::TunnelError::Kind::AddressInUse:
        return Exit::Busy;
    case engine::TunnelError::Kind::PermissionDenied:
        return Exit::NotPermitted;
    case engine::TunnelError::Kind::InvalidConfig:
        return Exit::InvalidProfile;
    case engine::TunnelError::Kind::Failed:
        break;
    }
    return Exit::Failed;
}

// The format the e2e tests and scripts parse: one line per tunnel, one per peer, `key=value`
// with the contract's counter names in their line spelling (dbus::lineName).
void printStats(const engine::Tunnel& tunnel)
{
    namespace key = dbus::key;
    const engine::TunnelSpec& spec = tunnel.spec();
    QStringList peerNames;
    for (const engine::PeerSpec& peer : spec.peers) {
        peerNames << QString::fromStdString(peer.name);
    }
    const dbus::TunnelCounters s = countersFromEngine(
        QString::fromStdString(spec.name), tunnel.stats(), peerNames, tunnel.endpoints());
    const auto field = [](const QString& k, quint64 v) {
        return " " + dbus::lineName(k).toStdString() + "=" + std::to_string(v);
    };
    const int64_t now = engine::unixMs();
    const auto age = [now](const QString& k, qint64 unixMs) {
        return " " + dbus::lineName(k).toStdString() + "=" +
               (unixMs ? std::to_string(now - unixMs) : std::string("never"));
    };
    std::string line = "stats tunnel=" + spec.name + field(key::kTxPackets, s.txPackets) +
                       field(key::kTxBytes, s.txBytes) + field(key::kRxPackets, s.rxPackets) +
                       field(key::kRxBytes, s.rxBytes);
    for (const auto& [reason, count] : s.drops) {
        line += " " + dbus::dropLineName(reason).toStdString() + "=" + std::to_string(count);
    }
    line += age(key::kNetworkChangedUnixMs, s.networkChangedUnixMs);
    const bool wg = spec.mode == engine::TunnelMode::WireGuard;
    line += " " + key::kMode.toStdString() + "=" +
            dbus::modeName(wg ? dbus::Mode::WireGuard : dbus::Mode::Plain).toStdString();
    if (wg) {
        line += field(key::kHandshakesDone, s.handshakesDone) +
                field(key::kHandshakesFailed, s.handshakesFailed) +
                field(key::kDecryptionFailures, s.decryptionFailures) +
                field(key::kReplaysRejected, s.replaysRejected);
    }
    writeLine(line);
    for (const dbus::PeerCounters& p : s.peers) {
        // The address in use ("none" while a name has not resolved, or a WireGuard peer has
        // not called yet) and, for a host name, the name and whether it is still resolving.
        const dbus::EndpointStatus& e = p.endpointStatus;
        std::string where = " " + dbus::lineName(key::kEndpoint).toStdString() + "=" +
                            (e.address.isEmpty() ? std::string("none") : e.address.toStdString());
        if (!e.host.isEmpty()) {
            where += " " + dbus::lineName(key::kEndpointHost).toStdString() + "=" +
                     e.host.toStdString() +
                     " resolving=" + (e.state == dbus::EndpointStatus::kResolving ? "1" : "0") +
                     age(key::kResolvedAtUnixMs, e.resolvedAtUnixMs);
        }
        writeLine("stats tunnel=" + spec.name + " peer=" + p.name.toStdString() +
                  field(key::kTxPackets, p.txPackets) + field(key::kTxBytes, p.txBytes) +
                  field(key::kRxPackets, p.rxPackets) + field(key::kRxBytes, p.rxBytes) +
                  field(key::kSendErrors, p.sendErrors) + field(key::kUnreachable, p.unreachable) +
                  age(key::kLastRxUnixMs, p.lastRxUnixMs) +
                  (wg ? field(key::kHandshakesDone, p.handshakesDone) +
                            field(key::kInitiationsSent, p.initiationsSent) +
                            age(key::kLastHandshakeUnixMs, p.lastHandshakeUnixMs)
                      : std::string()) +
                  where);
    }
}

// Best effort: overwrite the profile text and the key strings (the parser's temporary copies
// are freed, not wiped; the locked copies in the engine are what stays).
void wipeKeyText(QByteArray& json, Profile& profile)
{
    std::fill(json.begin(), json.end(), '\0');
    wipeSecrets(profile);
}

// SIGHUP: the profile file is read again and its peers replace the running ones (nothing
// else of it is applied: the rest takes a restart). A bad file changes nothing.
void reloadPeers(const QString& profilePath, engine::Tunnel& tunnel, TunnelMode mode,
                 engine::EventLog& log)
{
    const std::string name = tunnel.spec().name;
    QFile file(profilePath);
    if (!file.open(QIODevice::ReadOnly)) {
        // The helper dropped root after the first read: the file must be readable by its user.
        log.add(engine::LogLevel::Error, name,
                "SIGHUP: cannot read " + profilePath.toStdString() + ": " +
                    file.errorString().toStdString() + " (the helper runs as uid " +
                    std::to_string(::getuid()) +
                    " now: let it read the file, e.g. its group and mode 0640); the peers stay "
                    "as they are");
        return;
    }
    QByteArray json = file.read(kMaxProfileBytes + 1);
    ProfileParseResult parsed = parseProfile(json);
    if (!parsed.ok()) {
        std::fill(json.begin(), json.end(), '\0');
        log.add(engine::LogLevel::Error, name,
                "SIGHUP: " + profilePath.toStdString() + " is not valid: " +
                    parsed.errorText().toStdString() + "; the peers stay as they are");
        return;
    }
    Profile& profile = *parsed.profile;
    try {
        if (profile.mesh || profile.mode != mode) {
            throw engine::TunnelError(engine::TunnelError::Kind::InvalidConfig,
                                      "its mode changed (or it became a mesh profile), which "
                                      "takes a restart");
        }
        std::vector<engine::PeerSpec> peers = peerSpecsFromProfile(profile);
        wipeKeyText(json, profile);
        tunnel.setPeers(std::move(peers));
    } catch (const engine::TunnelError& e) {
        wipeKeyText(json, profile);
        log.add(engine::LogLevel::Error, name,
                "SIGHUP: the peers of " + profilePath.toStdString() +
                    " cannot be applied: " + e.what() + "; the peers stay as they are");
    }
}

// A mesh profile: the agent takes a lease, the tunnel comes up with its address, and every
// change of the member set becomes the tunnel's peer list. SIGTERM/SIGINT revoke the lease
// before the tunnel goes.
int runMesh(Profile profile, SignalNotifier& handled, engine::EventLog& log)
{
    const std::string name = profile.name.toStdString();
    MeshRunner runner(profile);
    wipeSecrets(profile); // the runner holds the one copy it needs
    QString error;
    if (!runner.prepare(&error)) {
        fail(QStringLiteral("mesh profile %1: %2.").arg(profile.name, error));
        return standaloneExitCode(Exit::InvalidProfile);
    }
    std::unique_ptr<engine::Tunnel> tunnel;
    int exit = standaloneExitCode(Exit::Ok);
    bool leaving = false;
    auto stop = [&](int code) {
        if (leaving) {
            return;
        }
        leaving = true;
        exit = code;
        runner.leave();
    };
    QObject::connect(&runner, &MeshRunner::left, [] { QCoreApplication::quit(); });
    QObject::connect(&runner, &MeshRunner::failed, [&](const QString& why) {
        fail(QStringLiteral("mesh %1: %2").arg(profile.name, why));
        stop(standaloneExitCode(Exit::Failed));
    });
    QObject::connect(&runner, &MeshRunner::resolved, [&](const Profile& resolved, bool first) {
        if (leaving) {
            return;
        }
        try {
            if (first) {
                tunnel = std::make_unique<engine::Tunnel>(specFromProfile(resolved), log);
            } else if (tunnel) {
                tunnel->setPeers(peerSpecsFromProfile(resolved));
            }
        } catch (const engine::TunnelError& e) {
            if (first) {
                fail(QString::fromStdString(e.what()) + QLatin1Char('.'));
                stop(standaloneExitCode(exitFor(e.kind())));
            } else {
                log.add(engine::LogLevel::Error, name,
                        std::string("the mesh's new members cannot be applied: ") + e.what());
            }
        }
    });
    handled.onSignal([&](int signal) {
        if (signal == SIGUSR1) {
            if (tunnel) {
                printStats(*tunnel);
            }
            if (runner.agent()) {
                writeLine("mesh tunnel=" + name + " " + runner.agent()->statusText().toStdString());
            }
        } else if (signal == SIGHUP) {
            log.add(engine::LogLevel::Info, name,
                    "SIGHUP: a mesh tunnel's peers come from etcd; nothing to reload");
        } else {
            stop(standaloneExitCode(Exit::Ok));
        }
    });
    log.add(engine::LogLevel::Info, name,
            "joining the mesh at " + profile.mesh->etcd.join(QStringLiteral(", ")).toStdString());
    runner.start();
    QCoreApplication::exec();
    tunnel.reset(); // after the lease is gone: the others stop sending first
    return exit;
}

// Whether connecting to the system bus can work at all: an address is given, or the default
// socket exists.
bool systemBusMayExist()
{
    return !qEnvironmentVariableIsEmpty("DBUS_SYSTEM_BUS_ADDRESS") ||
           QFileInfo::exists(QStringLiteral("/run/dbus/system_bus_socket")) ||
           QFileInfo::exists(QStringLiteral("/var/run/dbus/system_bus_socket"));
}

} // namespace

int runStandalone(const QString& profilePath)
{
    // Before any thread exists, so the forwarding threads never take them.
    SignalNotifier handled({SIGINT, SIGTERM, SIGUSR1, SIGHUP});
    if (!handled.valid()) {
        fail(QStringLiteral("cannot create a signalfd."));
        return standaloneExitCode(Exit::Failed);
    }

    QFile file(profilePath);
    if (!file.open(QIODevice::ReadOnly)) {
        fail(QStringLiteral("cannot read profile %1: %2.").arg(profilePath, file.errorString()));
        return standaloneExitCode(Exit::Usage);
    }
    // Read one byte past the limit so the parser can say "too big" without reading a huge file.
    QByteArray json = file.read(kMaxProfileBytes + 1);
    ProfileParseResult parsed = parseProfile(json);
    if (!parsed.ok()) {
        fail(QStringLiteral("invalid profile %1: %2").arg(profilePath, parsed.errorText()));
        return standaloneExitCode(Exit::InvalidProfile);
    }
    // As wg-quick does: a private key others can read is worth a word (not a refusal: the
    // admin may have reasons, and the tunnel is wanted).
    struct stat st
    {};
    if (parsed.profile->mode == TunnelMode::WireGuard && ::fstat(file.handle(), &st) == 0 &&
        (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", unsigned(st.st_mode & 07777));
        writeLine("peertun-helper: [warning] " + profilePath.toStdString() +
                  " holds a private key and others may read it (mode " + mode + "); chmod 600 it");
    }

    // Root was needed only to read the profile (root's own, mode 0600); from here on the helper
    // runs as its own user with CAP_NET_ADMIN and CAP_NET_BIND_SERVICE. Nothing has started a
    // thread yet.
    PrivilegeDrop privileges;
    QString privilegeError;
    if (!dropPrivileges(&privileges, &privilegeError)) {
        wipeKeyText(json, *parsed.profile);
        fail(QStringLiteral("cannot drop privileges: %1.").arg(privilegeError));
        return standaloneExitCode(Exit::NotPermitted);
    }
    file.close();

    engine::EventLog log;
    log.setListener([](const engine::LogEntry& e) {
        std::string line = std::string("peertun-helper: [") + engine::logLevelName(e.level) + "] ";
        if (!e.tunnel.empty()) {
            line += e.tunnel + ": ";
        }
        writeLine(line + e.text);
    });

    log.add(engine::LogLevel::Info, std::string(),
            "running as " + privileges.user.toStdString() + " (uid " +
                std::to_string(privileges.uid) +
                ") with CAP_NET_ADMIN and CAP_NET_BIND_SERVICE only");
    if (!privileges.warning.isEmpty()) {
        log.add(engine::LogLevel::Warning, std::string(), privileges.warning.toStdString());
    }
    if (parsed.profile->mesh) {
        std::fill(json.begin(), json.end(), '\0');
        return runMesh(std::move(*parsed.profile), handled, log);
    }

    std::unique_ptr<engine::Tunnel> tunnel;
    try {
        engine::TunnelSpec spec = specFromProfile(*parsed.profile);
        // The keys now live only in the spec's locked memory: wipe the text copies.
        wipeKeyText(json, *parsed.profile);
        const uint16_t port = parsed.profile->interface.listen.port;
        ScopedBindServiceCapability bindCap(port != 0 && port < 1024);
        tunnel = std::make_unique<engine::Tunnel>(std::move(spec), log);
    } catch (const engine::TunnelError& e) {
        wipeKeyText(json, *parsed.profile);
        fail(QString::fromStdString(e.what()) + QLatin1Char('.'));
        return standaloneExitCode(exitFor(e.kind()));
    }

    // DNS after the device exists (resolved needs the link); reverted before it goes.
    std::unique_ptr<ResolvedLink> dns;
    const DnsConfig& dnsConfig = parsed.profile->interface.dns;
    if (!dnsConfig.servers.isEmpty()) {
        dns = std::make_unique<ResolvedLink>(tunnel->ifindex(), parsed.profile->interface.name,
                                             dnsConfig, tunnel->carriesDefaultRoute());
        if (dns->applied()) {
            log.add(engine::LogLevel::Info, tunnel->spec().name, dns->summary().toStdString());
        } else {
            log.add(engine::LogLevel::Warning, tunnel->spec().name, dns->problem().toStdString());
        }
    }

    const TunnelMode mode = parsed.profile->mode;
    // A resume from suspend counts as a network change. Without a system bus (a server, a
    // test's namespace) there is nothing to watch: one debug line, no warning, and no QtDBus
    // thread started for nothing.
    std::optional<SleepWatcher> sleep;
    if (systemBusMayExist()) {
        sleep.emplace(QDBusConnection::systemBus());
        QObject::connect(&*sleep, &SleepWatcher::resumed,
                         [&tunnel] { tunnel->underlayChanged("resume from suspend"); });
        qDebug("peertun-helper: %s", qPrintable(sleep->describe()));
    } else {
        qDebug("peertun-helper: no system bus: resume from suspend is not watched");
    }
    // After a network change the link's DNS may have been dropped by resolved (a link flap).
    int64_t networkChangeSeen = 0;
    QTimer dnsKeeper;
    if (dns) {
        QObject::connect(&dnsKeeper, &QTimer::timeout, [&] {
            const int64_t changed = tunnel->stats().networkChangedUnixMs;
            if (changed == networkChangeSeen) {
                return;
            }
            networkChangeSeen = changed;
            const QString what = dns->reapplyIfLost();
            if (!what.isEmpty()) {
                log.add(dns->applied() ? engine::LogLevel::Info : engine::LogLevel::Warning,
                        tunnel->spec().name, what.toStdString());
            }
        });
        dnsKeeper.start(500);
    }
    handled.onSignal([&](int signal) {
        if (signal == SIGUSR1) {
            printStats(*tunnel);
        } else if (signal == SIGHUP) {
            reloadPeers(profilePath, *tunnel, mode, log);
        } else {
            QCoreApplication::quit();
        }
    });
    QCoreApplication::exec();
    dns.reset();
    tunnel.reset(); // joins the threads, removes routes and the device
    return standaloneExitCode(Exit::Ok);
}

} // namespace peertun
