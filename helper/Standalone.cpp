#include "Standalone.h"

#include "ProfileToSpec.h"
#include "ResolvedDns.h"
#include "SignalNotifier.h"
#include "TunnelError.h"

#include <QCoreApplication>
#include <QFile>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <memory>
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

int exitCodeFor(engine::TunnelError::Kind kind)
{
    switch (kind) {
    case engine::TunnelError::Kind::Busy:
    case engine::TunnelError::Kind::AddressInUse:
        return ExitBusy;
    case engine::TunnelError::Kind::PermissionDenied:
        return ExitPermission;
    case engine::TunnelError::Kind::InvalidConfig:
        return ExitUsage;
    case engine::TunnelError::Kind::Failed:
        break;
    }
    return ExitFailed;
}

int64_t nowMs()
{
    timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// The format the e2e tests and scripts parse: one line per tunnel, one per peer.
void printStats(const engine::Tunnel& tunnel)
{
    const engine::TunnelStats s = tunnel.stats();
    const engine::TunnelSpec& spec = tunnel.spec();
    std::string line = "stats tunnel=" + spec.name + " tx_packets=" + std::to_string(s.txPackets) +
                       " tx_bytes=" + std::to_string(s.txBytes) +
                       " rx_packets=" + std::to_string(s.rxPackets) +
                       " rx_bytes=" + std::to_string(s.rxBytes);
    for (size_t r = 0; r < engine::kDropReasonCount; ++r) {
        std::string name(engine::dropReasonName(engine::DropReason(r)));
        for (char& c : name) {
            c = c == '-' ? '_' : c;
        }
        line += " drop_" + name + "=" + std::to_string(s.drops[r]);
    }
    const bool wg = spec.mode == engine::TunnelMode::WireGuard;
    line += std::string(" mode=") + (wg ? "wireguard" : "plain");
    if (wg) {
        line += " handshakes_done=" + std::to_string(s.handshakesDone) +
                " handshakes_failed=" + std::to_string(s.handshakesFailed) +
                " decryption_failures=" + std::to_string(s.decryptionFailures) +
                " replays_rejected=" + std::to_string(s.replaysRejected);
    }
    writeLine(line);
    const int64_t now = nowMs();
    const std::vector<engine::PeerEndpointStatus> endpoints = tunnel.endpoints();
    for (size_t i = 0; i < s.peers.size(); ++i) {
        const engine::PeerStats& p = s.peers[i];
        // The address in use ("none" while a name has not resolved, or a WireGuard peer has
        // not called yet) and, for a host name, the name and whether it is still resolving.
        std::string where;
        if (i < endpoints.size()) {
            const engine::PeerEndpointStatus& e = endpoints[i];
            where = " endpoint=" + (e.address.port != 0 ? e.address.toString() : "none");
            if (!e.host.empty()) {
                where += " endpoint_host=" + e.host + " resolving=" + (e.resolving ? "1" : "0") +
                         " resolved_ms_ago=" +
                         (e.resolvedAtUnixMs ? std::to_string(now - e.resolvedAtUnixMs)
                                             : std::string("never"));
            }
        }
        writeLine("stats tunnel=" + spec.name + " peer=" + spec.peers[i].name + " tx_packets=" +
                  std::to_string(p.txPackets) + " tx_bytes=" + std::to_string(p.txBytes) +
                  " rx_packets=" + std::to_string(p.rxPackets) + " rx_bytes=" +
                  std::to_string(p.rxBytes) + " send_errors=" + std::to_string(p.sendErrors) +
                  " unreachable=" + std::to_string(p.unreachable) + " last_rx_ms_ago=" +
                  (p.lastRxUnixMs ? std::to_string(now - p.lastRxUnixMs) : std::string("never")) +
                  (wg ? " handshakes_done=" + std::to_string(p.handshakesDone) +
                            " initiations_sent=" + std::to_string(p.initiationsSent) +
                            " last_handshake_ms_ago=" +
                            (p.lastHandshakeUnixMs ? std::to_string(now - p.lastHandshakeUnixMs)
                                                   : std::string("never"))
                      : std::string()) +
                  where);
    }
}

// Best effort: overwrite the profile text and the key strings (the parser's temporary copies
// are freed, not wiped; the locked copies in the engine are what stays).
void wipeKeyText(QByteArray& json, Profile& profile)
{
    std::fill(json.begin(), json.end(), '\0');
    const auto wipe = [](QString& s) {
        std::fill(s.begin(), s.end(), QChar(u'\0'));
        s.clear();
    };
    wipe(profile.interface.privateKey);
    for (PeerConfig& peer : profile.peers) {
        wipe(peer.presharedKey);
    }
}

} // namespace

int runStandalone(const QString& profilePath)
{
    // Before any thread exists, so the forwarding threads never take them.
    SignalNotifier handled({SIGINT, SIGTERM, SIGUSR1});
    if (!handled.valid()) {
        fail(QStringLiteral("cannot create a signalfd."));
        return ExitFailed;
    }

    QFile file(profilePath);
    if (!file.open(QIODevice::ReadOnly)) {
        fail(QStringLiteral("cannot read profile %1: %2.").arg(profilePath, file.errorString()));
        return ExitUsage;
    }
    // Read one byte past the limit so the parser can say "too big" without reading a huge file.
    QByteArray json = file.read(kMaxProfileBytes + 1);
    ProfileParseResult parsed = parseProfile(json);
    if (!parsed.ok()) {
        fail(QStringLiteral("invalid profile %1: %2").arg(profilePath, parsed.errorText()));
        return ExitUsage;
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

    engine::EventLog log;
    log.setListener([](const engine::LogEntry& e) {
        std::string line = std::string("peertun-helper: [") + engine::logLevelName(e.level) + "] ";
        if (!e.tunnel.empty()) {
            line += e.tunnel + ": ";
        }
        writeLine(line + e.text);
    });

    std::unique_ptr<engine::Tunnel> tunnel;
    try {
        engine::TunnelSpec spec = specFromProfile(*parsed.profile);
        // The keys now live only in the spec's locked memory: wipe the text copies.
        wipeKeyText(json, *parsed.profile);
        tunnel = std::make_unique<engine::Tunnel>(std::move(spec), log);
    } catch (const engine::TunnelError& e) {
        wipeKeyText(json, *parsed.profile);
        fail(QString::fromStdString(e.what()) + QLatin1Char('.'));
        return exitCodeFor(e.kind());
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

    handled.onSignal([&](int signal) {
        if (signal == SIGUSR1) {
            printStats(*tunnel);
        } else {
            QCoreApplication::quit();
        }
    });
    QCoreApplication::exec();
    dns.reset();
    tunnel.reset(); // joins the threads, removes routes and the device
    return ExitOk;
}

} // namespace peertun
