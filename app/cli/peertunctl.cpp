// peertunctl: command-line client of peertun-helper (io.peertun.Helper1 on the system bus).
// Exit 0 on success; on failure the helper's sentence on stderr and a code per error kind.
#include "ExitCode.h"
#include "HelperClient.h"
#include "Keys.h"
#include "MeshCommands.h"
#include "WgQuickImport.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>
#include <cstdio>
#include <functional>

namespace {

using peertun::HelperClient;

using peertun::Exit;
namespace key = peertun::dbus::key;

// The numbers are lib/contract ExitCode.h's (documented in docs/dbus-api.md).
constexpr int exitCode(Exit exit)
{
    return peertun::peertunctlExitCode(exit);
}

// A profile bigger than this is not even sent (the helper's own limit is far lower; sending
// up to this lets the helper be the one that explains).
constexpr qint64 kMaxProfileFileBytes = qint64(16) * 1024 * 1024;

QTextStream& out()
{
    static QTextStream s(stdout);
    return s;
}

QTextStream& err()
{
    static QTextStream s(stderr);
    return s;
}

int fail(const QString& sentence, int code)
{
    err() << "peertunctl: " << sentence << Qt::endl;
    return code;
}

int failWith(const QDBusError& error)
{
    const QString name = error.name();
    int code = exitCode(Exit::Failed);
    if (name == peertun::dbus::kErrorNotAuthorized) {
        code = exitCode(Exit::NotAuthorized);
    } else if (name == peertun::dbus::kErrorInvalidProfile) {
        code = exitCode(Exit::InvalidProfile);
    } else if (name == peertun::dbus::kErrorAlreadyConnected) {
        code = exitCode(Exit::AlreadyConnected);
    } else if (name == peertun::dbus::kErrorNotFound) {
        code = exitCode(Exit::NotFound);
    } else if (name == peertun::dbus::kErrorBusy) {
        code = exitCode(Exit::Busy);
    } else if (name == peertun::dbus::kErrorRateLimited) {
        code = exitCode(Exit::RateLimited);
    } else if (!name.startsWith(QLatin1String("io.peertun.Error."))) {
        code = exitCode(Exit::NoHelper);
        return fail(QStringLiteral("cannot reach peertun-helper on the system bus: %1 (%2)")
                        .arg(error.message(), name),
                    code);
    }
    return fail(QStringLiteral("%1 (%2)").arg(error.message(), name), code);
}

QString formatTime(qlonglong unixMs)
{
    if (unixMs <= 0) {
        return QStringLiteral("never");
    }
    return QDateTime::fromMSecsSinceEpoch(unixMs).toString(QStringLiteral("yyyy-MM-dd hh:mm:ss"));
}

QString formatLogEntry(const QVariantMap& map)
{
    const peertun::dbus::LogRecord e = peertun::dbus::LogRecord::fromVariant(map);
    return QStringLiteral("%1 %2 %3%4")
        .arg(QDateTime::fromMSecsSinceEpoch(e.unixMs).toString(
                 QStringLiteral("yyyy-MM-dd hh:mm:ss.zzz")),
             e.levelText.leftJustified(7),
             e.tunnel.isEmpty() ? QString() : QStringLiteral("[%1] ").arg(e.tunnel), e.text);
}

QString jsonText(const QVariant& v)
{
    return QString::fromUtf8(QJsonDocument::fromVariant(v).toJson(QJsonDocument::Indented));
}

// Parses a subcommand's arguments; prints help or usage errors itself.
// Returns -1 to continue, else an exit code.
int parseSubcommand(QCommandLineParser& parser, const QStringList& args, const QString& syntax,
                    const QString& description, int minPositional, int maxPositional)
{
    parser.setApplicationDescription(description);
    parser.addHelpOption();
    if (!parser.parse(args)) {
        return fail(parser.errorText() +
                        QStringLiteral("; see `%1 --help`").arg(syntax.section(' ', 0, 1)),
                    exitCode(Exit::Usage));
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out() << "usage: " << syntax << "\n\n"
              << description << "\n\n"
              << parser.helpText().section(QLatin1Char('\n'), 2) << Qt::flush;
        return exitCode(Exit::Ok);
    }
    const qsizetype n = parser.positionalArguments().size();
    if (n < minPositional || n > maxPositional) {
        return fail(QStringLiteral("usage: %1").arg(syntax), exitCode(Exit::Usage));
    }
    return -1;
}

int cmdUp(HelperClient& client, const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("PROFILE"),
                                 QStringLiteral("Profile JSON file, or - for standard input. "
                                                "Several profiles are brought up concurrently."),
                                 QStringLiteral("PROFILE..."));
    if (int r = parseSubcommand(parser, args, QStringLiteral("peertunctl up PROFILE.json..."),
                                QStringLiteral("Brings up the tunnel a profile describes. Needs "
                                               "authorization (polkit action io.peertun.control)."),
                                1, 64);
        r >= 0) {
        return r;
    }
    // Read everything first, then send all requests at once and collect the replies.
    QList<QPair<QString, QByteArray>> profiles;
    for (const QString& path : parser.positionalArguments()) {
        QFile file;
        const bool opened = path == QLatin1String("-")
                                ? file.open(stdin, QIODevice::ReadOnly)
                                : (file.setFileName(path), file.open(QIODevice::ReadOnly));
        if (!opened) {
            return fail(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()),
                        exitCode(Exit::Usage));
        }
        const QByteArray json = file.read(kMaxProfileFileBytes + 1);
        if (json.size() > kMaxProfileFileBytes) {
            return fail(QStringLiteral("%1 is larger than %2 bytes; that is not a profile")
                            .arg(path)
                            .arg(kMaxProfileFileBytes),
                        exitCode(Exit::InvalidProfile));
        }
        profiles.append({path, json});
    }
    QList<QDBusPendingReply<QString>> replies;
    for (const auto& [path, json] : profiles) {
        replies.append(client.connectTunnel(QString::fromUtf8(json)));
    }
    int result = exitCode(Exit::Ok);
    for (qsizetype i = 0; i < replies.size(); ++i) {
        replies[i].waitForFinished();
        if (replies[i].isError()) {
            if (profiles.size() > 1) {
                err() << "peertunctl: " << profiles[i].first << ":" << Qt::endl;
            }
            const int code = failWith(replies[i].error());
            result = result == exitCode(Exit::Ok) ? code : result;
        } else {
            out() << replies[i].value() << ": connected" << Qt::endl;
        }
    }
    return result;
}

int cmdSetPeers(HelperClient& client, const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("The running tunnel."));
    parser.addPositionalArgument(QStringLiteral("FILE"),
                                 QStringLiteral("A profile whose peers replace the tunnel's "
                                                "(- for standard input)."));
    if (int r = parseSubcommand(
            parser, args, QStringLiteral("peertunctl set-peers NAME FILE"),
            QStringLiteral("Replaces the peers of a running tunnel without a reconnect: peers "
                           "that stay keep their sessions and counters. FILE is a valid profile "
                           "of the tunnel's mode; only its peers are used. Needs authorization "
                           "(polkit action io.peertun.control)."),
            2, 2);
        r >= 0) {
        return r;
    }
    const QString name = parser.positionalArguments().at(0);
    const QString path = parser.positionalArguments().at(1);
    QFile file;
    const bool opened = path == QLatin1String("-")
                            ? file.open(stdin, QIODevice::ReadOnly)
                            : (file.setFileName(path), file.open(QIODevice::ReadOnly));
    if (!opened) {
        return fail(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()),
                    exitCode(Exit::Usage));
    }
    const QByteArray json = file.read(kMaxProfileFileBytes + 1);
    if (json.size() > kMaxProfileFileBytes) {
        return fail(QStringLiteral("%1 is larger than %2 bytes; that is not a profile")
                        .arg(path)
                        .arg(kMaxProfileFileBytes),
                    exitCode(Exit::InvalidProfile));
    }
    QDBusPendingReply<> reply = client.setPeers(name, QString::fromUtf8(json));
    reply.waitForFinished();
    if (reply.isError()) {
        return failWith(reply.error());
    }
    out() << name << ": peers replaced" << Qt::endl;
    return exitCode(Exit::Ok);
}

int cmdDown(HelperClient& client, const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("The tunnel's name."));
    if (int r = parseSubcommand(parser, args, QStringLiteral("peertunctl down NAME"),
                                QStringLiteral("Tears a tunnel down. Needs authorization (polkit "
                                               "action io.peertun.control)."),
                                1, 1);
        r >= 0) {
        return r;
    }
    const QString name = parser.positionalArguments().at(0);
    QDBusPendingReply<> reply = client.disconnectTunnel(name);
    reply.waitForFinished();
    if (reply.isError()) {
        return failWith(reply.error());
    }
    out() << name << ": disconnected" << Qt::endl;
    return exitCode(Exit::Ok);
}

// What DNS and the kill switch do for this tunnel, in words; empty lines are left out.
QStringList protectionLines(const peertun::dbus::TunnelInfo& t)
{
    QStringList lines;
    if (t.state == peertun::dbus::TunnelState::Blocked) {
        lines << QStringLiteral("Kill switch on: traffic outside the tunnel is blocked (the "
                                "tunnel is down; `peertunctl down %1` lifts it)")
                     .arg(t.name);
        return lines;
    }
    if (!t.dnsServers.isEmpty()) {
        if (t.dnsApplied) {
            QString line = QStringLiteral("DNS: %1").arg(t.dnsServers.join(QStringLiteral(", ")));
            if (!t.dnsDomains.isEmpty()) {
                line +=
                    QStringLiteral(" (domains %1)").arg(t.dnsDomains.join(QStringLiteral(", ")));
            }
            lines << line;
        } else {
            lines << t.dnsStatus;
        }
    }
    if (t.killSwitch) {
        lines << QStringLiteral("Kill switch on: traffic outside the tunnel is blocked");
    }
    return lines;
}

// "vpn.example.net:51820 (10.0.0.9:51820, resolved 14:02:07)", "vpn.example.net:51820
// (resolving: no such host ...)", or the address endpoint as configured.
QString endpointText(const peertun::dbus::PeerInfo& p)
{
    const peertun::dbus::EndpointStatus& e = p.endpointStatus;
    if (e.host.isEmpty()) {
        return p.endpoint;
    }
    if (e.state == peertun::dbus::EndpointStatus::kResolving) {
        return QStringLiteral("%1 (resolving%2)")
            .arg(p.endpoint, e.error.isEmpty() ? QString() : QStringLiteral(": ") + e.error);
    }
    QString text = QStringLiteral("%1 (%2, resolved %3")
                       .arg(p.endpoint, e.address, formatTime(e.resolvedAtUnixMs));
    if (!e.error.isEmpty()) {
        text += QStringLiteral("; last try: ") + e.error;
    }
    return text + u')';
}

// A mesh tunnel whose etcd cannot be reached: since when (its peers stay as last known).
QString storeUnreachableLine(const peertun::dbus::TunnelInfo& t)
{
    return t.storeUnreachableSinceUnixMs > 0
               ? QStringLiteral("coordination store unreachable since %1")
                     .arg(formatTime(t.storeUnreachableSinceUnixMs))
               : QString();
}

// Another user's tunnel shows its name, state and age only (the helper withholds the rest).
constexpr const char* kWithheldText = "another user's tunnel: details withheld (--details asks "
                                      "for authorization)";

void printTunnel(const QVariantMap& map, bool detailed)
{
    const peertun::dbus::TunnelInfo t = peertun::dbus::TunnelInfo::fromVariant(map);
    const QString unreachable = storeUnreachableLine(t);
    if (t.detailsWithheld) {
        if (detailed) {
            out() << "tunnel " << t.name << "\n"
                  << "  state:     " << t.stateText << "\n"
                  << "  since:     " << formatTime(t.sinceUnixMs) << "\n"
                  << "  mode:      " << t.modeText << "\n"
                  << "  " << kWithheldText << "\n";
        } else {
            out() << QStringLiteral("%1 %2 %3 %4")
                         .arg(t.name.leftJustified(16), t.stateText.leftJustified(13),
                              QStringLiteral("-").leftJustified(15 + 1 + 20 + 1 + 22),
                              formatTime(t.sinceUnixMs))
                  << "\n  " << kWithheldText << "\n";
        }
        return;
    }
    if (!detailed) {
        out() << QStringLiteral("%1 %2 %3 %4 %5 %6 %7")
                     .arg(t.name.leftJustified(16), t.stateText.leftJustified(13),
                          t.interface.leftJustified(15), t.address.leftJustified(20),
                          t.listen.leftJustified(22), formatTime(t.sinceUnixMs),
                          QString::number(t.peers.size()))
              << "\n";
        for (const QString& line : protectionLines(t)) {
            out() << "  " << line << "\n";
        }
        if (!unreachable.isEmpty()) {
            out() << "  " << unreachable << "\n";
        }
        return;
    }
    out() << "tunnel " << t.name << "\n"
          << "  state:     " << t.stateText << "\n"
          << "  since:     " << formatTime(t.sinceUnixMs) << "\n"
          << "  interface: " << t.interface << " " << t.address << " mtu " << t.mtu << "\n"
          << "  listen:    " << t.listen << "\n"
          << "  mode:      " << t.modeText << "\n";
    if (t.mesh) {
        out() << "  mesh:      " << t.meshStatus << "\n";
    }
    if (!unreachable.isEmpty()) {
        out() << "  " << unreachable << "\n";
    }
    if (t.ownerUid) {
        out() << "  owner:     uid " << *t.ownerUid << "\n";
    }
    for (const QString& line : protectionLines(t)) {
        out() << "  " << line << "\n";
    }
    for (const peertun::dbus::PeerInfo& p : t.peers) {
        out() << "  peer " << p.name << ": " << endpointText(p) << " subnets "
              << p.subnets.join(QStringLiteral(", "));
        if (!p.publicKey.isEmpty()) {
            out() << " public key " << p.publicKey;
        }
        out() << "\n";
    }
}

int cmdStatus(HelperClient& client, const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("NAME"),
                                 QStringLiteral("Show only this tunnel, in detail."),
                                 QStringLiteral("[NAME]"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    const QCommandLineOption details(
        QStringLiteral("details"),
        QStringLiteral("Also show other users' tunnels in detail (asks polkit for "
                       "io.peertun.read-details, an administrator's password by default)."));
    parser.addOption(json);
    parser.addOption(details);
    if (int r = parseSubcommand(
            parser, args, QStringLiteral("peertunctl status [NAME] [--json] [--details]"),
            QStringLiteral("Lists the tunnels the helper runs: your own in full, other users' "
                           "by name and state only unless --details is given."),
            0, 1);
        r >= 0) {
        return r;
    }
    if (parser.isSet(details)) {
        QDBusPendingReply<> granted = client.authorizeDetails();
        granted.waitForFinished();
        if (granted.isError()) {
            return failWith(granted.error());
        }
    }
    QDBusPendingReply<QVariantMapList> reply = client.listTunnels();
    reply.waitForFinished();
    if (reply.isError()) {
        return failWith(reply.error());
    }
    const QVariantMapList tunnels = HelperClient::toPlain(reply.value());
    if (!parser.positionalArguments().isEmpty()) {
        const QString name = parser.positionalArguments().at(0);
        if (const QVariantMap t = HelperClient::tunnelNamed(tunnels, name); !t.isEmpty()) {
            if (parser.isSet(json)) {
                out() << jsonText(t) << Qt::flush;
            } else {
                printTunnel(t, true);
                out().flush();
            }
            return exitCode(Exit::Ok);
        }
        return fail(QStringLiteral("There is no tunnel named \"%1\".").arg(name),
                    exitCode(Exit::NotFound));
    }
    if (parser.isSet(json)) {
        QVariantList list;
        for (const QVariantMap& t : tunnels) {
            list << t;
        }
        out() << jsonText(list) << Qt::flush;
        return exitCode(Exit::Ok);
    }
    if (tunnels.isEmpty()) {
        out() << "no tunnels" << Qt::endl;
        return exitCode(Exit::Ok);
    }
    out() << QStringLiteral("%1 %2 %3 %4 %5 %6 %7")
                 .arg(QStringLiteral("NAME").leftJustified(16),
                      QStringLiteral("STATE").leftJustified(13),
                      QStringLiteral("INTERFACE").leftJustified(15),
                      QStringLiteral("ADDRESS").leftJustified(20),
                      QStringLiteral("LISTEN").leftJustified(22),
                      QStringLiteral("SINCE").leftJustified(19), QStringLiteral("PEERS"))
          << "\n";
    for (const QVariantMap& t : tunnels) {
        printTunnel(t, false);
    }
    out().flush();
    return exitCode(Exit::Ok);
}

void printStats(const QVariantMap& map)
{
    const peertun::dbus::TunnelCounters s = peertun::dbus::TunnelCounters::fromVariant(map);
    out() << "tunnel " << s.name << "\n"
          << "  tx: " << s.txPackets << " packets, " << s.txBytes << " bytes\n"
          << "  rx: " << s.rxPackets << " packets, " << s.rxBytes << " bytes\n"
          << "  drops: " << s.totalDrops;
    QStringList nonZero;
    for (const auto& [reason, count] : s.drops) {
        if (count != 0) {
            nonZero << QStringLiteral("%1 %2").arg(reason).arg(count);
        }
    }
    if (!nonZero.isEmpty()) {
        out() << " (" << nonZero.join(QStringLiteral(", ")) << ")";
    }
    out() << "\n";
    const bool wireguard = s.handshakesDone + s.handshakesFailed != 0;
    if (wireguard) {
        out() << "  handshakes: " << s.handshakesDone << " done, " << s.handshakesFailed
              << " failed; decryption failures " << s.decryptionFailures << ", replays rejected "
              << s.replaysRejected << "\n";
    }
    for (const peertun::dbus::PeerCounters& p : s.peers) {
        out() << "  peer " << p.name << ": tx " << p.txPackets << " packets/" << p.txBytes
              << " bytes, rx " << p.rxPackets << " packets/" << p.rxBytes << " bytes, send errors "
              << p.sendErrors << ", last received " << formatTime(p.lastRxUnixMs);
        if (p.unreachable != 0) {
            out() << ", unreachable " << p.unreachable;
        }
        if (wireguard) {
            out() << ", last handshake " << formatTime(p.lastHandshakeUnixMs);
        }
        out() << "\n";
    }
    out().flush();
}

int cmdStats(HelperClient& client, const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("The tunnel's name."));
    const QCommandLineOption watch(QStringLiteral("watch"),
                                   QStringLiteral("Keep printing as the counters change, until "
                                                  "the tunnel goes down or Ctrl+C."));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    parser.addOption(watch);
    parser.addOption(json);
    if (int r = parseSubcommand(parser, args,
                                QStringLiteral("peertunctl stats NAME [--watch] [--json]"),
                                QStringLiteral("Shows a tunnel's counters, overall and per peer: "
                                               "of your own tunnels (other users' need "
                                               "io.peertun.read-details)."),
                                1, 1);
        r >= 0) {
        return r;
    }
    const QString name = parser.positionalArguments().at(0);
    const bool asJson = parser.isSet(json);
    auto print = [asJson](const QVariantMap& s) {
        if (asJson) {
            out() << QJsonDocument::fromVariant(s).toJson(QJsonDocument::Compact) << "\n"
                  << Qt::flush;
        } else {
            printStats(s);
        }
    };
    if (parser.isSet(watch)) {
        // Subscribe before the first read so no update falls between the two.
        // The signal carries totals only: read the tunnel's full counters when they change.
        QObject::connect(&client, &HelperClient::statsUpdated, [&](const QVariantMapList& all) {
            for (const QVariantMap& s : all) {
                if (s.value(key::kName).toString() == name) {
                    QDBusPendingReply<QVariantMap> full = client.stats(name);
                    full.waitForFinished();
                    if (!full.isError()) {
                        print(HelperClient::toPlain(full.value()));
                    }
                }
            }
        });
        QObject::connect(&client, &HelperClient::stateChanged,
                         [&](const QString& tunnel, const QString& state, const QString&) {
                             const auto parsed = peertun::dbus::parseState(state);
                             if (tunnel == name &&
                                 (parsed == peertun::dbus::TunnelState::Disconnected ||
                                  parsed == peertun::dbus::TunnelState::Failed)) {
                                 err() << "peertunctl: " << name << " is " << state << Qt::endl;
                                 QCoreApplication::exit(exitCode(Exit::Ok));
                             }
                         });
    }
    QDBusPendingReply<QVariantMap> reply = client.stats(name);
    reply.waitForFinished();
    if (reply.isError()) {
        return failWith(reply.error());
    }
    print(HelperClient::toPlain(reply.value()));
    return parser.isSet(watch) ? QCoreApplication::exec() : exitCode(Exit::Ok);
}

int cmdLog(HelperClient& client, const QStringList& args)
{
    QCommandLineParser parser;
    const QCommandLineOption follow(QStringLiteral("follow"),
                                    QStringLiteral("Keep printing new entries until Ctrl+C."));
    const QCommandLineOption json(QStringLiteral("json"),
                                  QStringLiteral("Print one JSON object per line."));
    parser.addOption(follow);
    parser.addOption(json);
    if (int r = parseSubcommand(parser, args, QStringLiteral("peertunctl log [--follow] [--json]"),
                                QStringLiteral("Prints the helper's recent log: the entries of "
                                               "your own tunnels and requests, and the "
                                               "helper's own."),
                                0, 0);
        r >= 0) {
        return r;
    }
    const bool asJson = parser.isSet(json);
    quint64 lastSeq = 0;
    auto print = [&](const QVariantMap& e) {
        const quint64 seq = e.value(key::kSeq).toULongLong();
        if (seq <= lastSeq) {
            return;
        }
        lastSeq = seq;
        if (asJson) {
            out() << QJsonDocument::fromVariant(e).toJson(QJsonDocument::Compact) << "\n";
        } else {
            out() << formatLogEntry(e) << "\n";
        }
        out().flush();
    };
    // The helper returns at most a few hundred entries per call: page until caught up.
    // Returns false (having printed why) when the helper refused.
    std::function<bool()> catchUp;
    if (parser.isSet(follow)) {
        // The signal carries only the new entry's seq: read what this caller may see.
        QObject::connect(&client, &HelperClient::logEntry, [&](const QVariantMap& e) {
            if (e.value(key::kSeq).toULongLong() > lastSeq) {
                catchUp();
            }
        });
    }
    catchUp = [&] {
        for (;;) {
            QDBusPendingReply<QVariantMapList> page = client.log(lastSeq);
            page.waitForFinished();
            if (page.isError()) {
                return false;
            }
            const QVariantMapList entries = HelperClient::toPlain(page.value());
            for (const QVariantMap& e : entries) {
                print(e);
            }
            if (entries.size() < 500) {
                return true;
            }
        }
    };
    for (;;) {
        QDBusPendingReply<QVariantMapList> reply = client.log(lastSeq);
        reply.waitForFinished();
        if (reply.isError()) {
            return failWith(reply.error());
        }
        const QVariantMapList entries = HelperClient::toPlain(reply.value());
        for (const QVariantMap& e : entries) {
            print(e);
        }
        if (entries.isEmpty()) {
            break;
        }
    }
    return parser.isSet(follow) ? QCoreApplication::exec() : exitCode(Exit::Ok);
}

int cmdVersion(HelperClient& client, const QStringList& args)
{
    QCommandLineParser parser;
    if (int r = parseSubcommand(parser, args, QStringLiteral("peertunctl version"),
                                QStringLiteral("Prints the versions of peertunctl and the helper."),
                                0, 0);
        r >= 0) {
        return r;
    }
    out() << "peertunctl " << QCoreApplication::applicationVersion() << Qt::endl;
    QDBusPendingReply<QString> reply = client.version();
    reply.waitForFinished();
    if (reply.isError()) {
        return failWith(reply.error());
    }
    out() << "peertun-helper " << reply.value() << Qt::endl;
    return exitCode(Exit::Ok);
}

// Local commands: no bus, no helper.

int cmdGenkey(const QStringList& args)
{
    QCommandLineParser parser;
    if (const int rc = parseSubcommand(
            parser, args, QStringLiteral("peertunctl genkey"),
            QStringLiteral("Prints a new WireGuard private key (base64, as `wg genkey`)."), 0, 0);
        rc >= 0) {
        return rc;
    }
    const auto key = peertun::keys::generateKey();
    char text[peertun::keys::kBase64KeyLen + 1] = {};
    peertun::keys::encodeSecretKey(key.bytes(), text);
    std::fputs(text, stdout);
    std::fputc('\n', stdout);
    peertun::keys::wipe(std::span<char>(text));
    return exitCode(Exit::Ok);
}

int cmdPubkey(const QStringList& args)
{
    QCommandLineParser parser;
    if (const int rc = parseSubcommand(
            parser, args, QStringLiteral("peertunctl pubkey"),
            QStringLiteral("Reads a private key on standard input and prints its public key."), 0,
            0);
        rc >= 0) {
        return rc;
    }
    char line[256] = {};
    if (!std::fgets(line, sizeof line, stdin)) {
        return fail(QStringLiteral("no private key on standard input"), exitCode(Exit::Usage));
    }
    std::string_view text(line);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
        text.remove_suffix(1);
    }
    std::string error;
    const auto key = peertun::keys::parseSecretKey(text, &error);
    peertun::keys::wipe(std::span<char>(line));
    if (!key) {
        return fail(QStringLiteral("not a private key: %1").arg(QString::fromStdString(error)),
                    exitCode(Exit::Usage));
    }
    out() << QString::fromStdString(
                 peertun::keys::encodePublicKey(peertun::keys::publicKeyOf(*key)))
          << Qt::endl;
    return exitCode(Exit::Ok);
}

int cmdImportWg(const QStringList& args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("FILE.conf"),
                                 QStringLiteral("wg-quick configuration"));
    const QCommandLineOption noKillSwitch(
        QStringLiteral("no-kill-switch"),
        QStringLiteral("Leave the kill switch off, also for a full tunnel (0.0.0.0/0 or ::/0)."));
    parser.addOption(noKillSwitch);
    if (const int rc =
            parseSubcommand(parser, args, QStringLiteral("peertunctl import-wg FILE.conf"),
                            QStringLiteral("Turns a wg-quick configuration into a peertun profile "
                                           "(printed on standard output). What peertun does not "
                                           "support is reported on standard error."),
                            1, 1);
        rc >= 0) {
        return rc;
    }
    const QString path = parser.positionalArguments().first();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return fail(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()),
                    exitCode(Exit::Usage));
    }
    const QByteArray text = file.read(peertun::kMaxProfileBytes + 1);
    if (text.size() > peertun::kMaxProfileBytes) {
        return fail(QStringLiteral("%1 is larger than 64 KiB").arg(path),
                    exitCode(Exit::InvalidProfile));
    }
    QString name = QFileInfo(path).completeBaseName();
    const auto imported = peertun::importWgQuick(text, name);
    for (const QString& note : imported.notes) {
        err() << "peertunctl: note: " << note << Qt::endl;
    }
    if (!imported.profile) {
        for (const auto& e : imported.errors) {
            err() << "peertunctl: "
                  << (e.field.isEmpty() ? QString() : e.field + QLatin1String(": ")) << e.message
                  << Qt::endl;
        }
        return exitCode(Exit::InvalidProfile);
    }
    peertun::Profile profile = *imported.profile;
    if (!parser.isSet(noKillSwitch) && peertun::proposeKillSwitch(&profile)) {
        err() << "peertunctl: note: this profile sends all traffic through the tunnel, so its "
                 "kill switch is on: while it is up, nothing leaves outside the tunnel "
                 "(--no-kill-switch leaves it off)"
              << Qt::endl;
    }
    out() << QString::fromUtf8(peertun::serializeProfile(profile)) << Qt::flush;
    return exitCode(Exit::Ok);
}

const char kUsage[] = "usage: peertunctl COMMAND [ARGS] (COMMAND --help for details)\n"
                      "\n"
                      "Controls peertun tunnels through peertun-helper on the system bus.\n"
                      "\n"
                      "commands:\n"
                      "  up PROFILE.json...         bring tunnels up (needs authorization)\n"
                      "  down NAME                  take a tunnel down (needs authorization)\n"
                      "  set-peers NAME FILE        replace a running tunnel's peers (needs\n"
                      "                             authorization)\n"
                      "  status [NAME] [--json]     list tunnels\n"
                      "  stats NAME [--watch]       show counters\n"
                      "  log [--follow]             show the helper's log\n"
                      "  version                    show versions (--version: peertunctl's only)\n"
                      "  genkey                     print a new WireGuard private key\n"
                      "  pubkey                     private key on stdin -> public key\n"
                      "  import-wg FILE.conf        wg-quick config -> profile JSON on stdout\n"
                      "  mesh init --etcd URL --network CIDR   write a mesh network's config\n"
                      "  mesh status PROFILE|--etcd URL        list a mesh network's members\n"
                      "\n"
                      "exit codes: 0 ok, 1 failed, 2 usage, 3 not authorized, 4 invalid profile,\n"
                      "5 already connected, 6 not found, 7 busy, 8 helper unreachable,\n"
                      "9 coordination store (etcd) unreachable, 10 rate-limited (refused too\n"
                      "often lately)\n";

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("peertunctl"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PEERTUN_VERSION));
    QStringList args = QCoreApplication::arguments();
    if (args.size() < 2) {
        err() << kUsage << Qt::flush;
        return exitCode(Exit::Usage);
    }
    const QString command = args.at(1);
    if (command == QLatin1String("--help") || command == QLatin1String("-h") ||
        command == QLatin1String("help")) {
        out() << kUsage << Qt::flush;
        return exitCode(Exit::Ok);
    }
    if (command == QLatin1String("--version")) { // no bus: `version` also asks the helper
        out() << "peertunctl " << QCoreApplication::applicationVersion() << Qt::endl;
        return exitCode(Exit::Ok);
    }
    // The subcommand's parser sees "peertunctl COMMAND ARGS...".
    args.removeAt(1);
    args[0] = QStringLiteral("peertunctl ") + command;

    if (command == QLatin1String("genkey")) {
        return cmdGenkey(args);
    }
    if (command == QLatin1String("pubkey")) {
        return cmdPubkey(args);
    }
    if (command == QLatin1String("import-wg")) {
        return cmdImportWg(args);
    }
    if (command == QLatin1String("mesh")) {
        return peertun::cli::cmdMesh(args); // talks to etcd, not to the helper
    }
    HelperClient client;
    const bool wantsHelp =
        args.contains(QLatin1String("--help")) || args.contains(QLatin1String("-h"));
    if (!wantsHelp && !client.connection().isConnected()) {
        return fail(QStringLiteral("cannot connect to the system bus: %1")
                        .arg(client.connection().lastError().message()),
                    exitCode(Exit::NoHelper));
    }
    if (command == QLatin1String("up")) {
        return cmdUp(client, args);
    }
    if (command == QLatin1String("down")) {
        return cmdDown(client, args);
    }
    if (command == QLatin1String("set-peers")) {
        return cmdSetPeers(client, args);
    }
    if (command == QLatin1String("status")) {
        return cmdStatus(client, args);
    }
    if (command == QLatin1String("stats")) {
        return cmdStats(client, args);
    }
    if (command == QLatin1String("log")) {
        return cmdLog(client, args);
    }
    if (command == QLatin1String("version")) {
        return cmdVersion(client, args);
    }
    return fail(QStringLiteral("unknown command \"%1\"; see `peertunctl --help`").arg(command),
                exitCode(Exit::Usage));
}
