#include "MeshCommands.h"

#include "EtcdClient.h"
#include "ExitCode.h"
#include "FlannelLease.h"
#include "Profile.h"

#include <QCommandLineParser>
#include <QEventLoop>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

namespace peertun::cli {

namespace {

using mesh::EtcdClient;

QTextStream& out()
{
    static QTextStream s(stdout);
    return s;
}

int fail(const QString& sentence, int code)
{
    QTextStream(stderr) << "peertunctl: " << sentence << Qt::endl;
    return code;
}

// Runs one asynchronous etcd call to its end.
template <class T, class Start> std::pair<QString, T> await(Start start)
{
    QEventLoop loop;
    bool done = false;
    std::pair<QString, T> result;
    start([&](const QString& error, const T& value) {
        result = {error, value};
        done = true;
        loop.quit();
    });
    if (!done) {
        loop.exec();
    }
    return result;
}

struct Connection
{
    MeshConfig mesh;
    TunnelMode mode = TunnelMode::Plain;
    bool haveProfile = false;
};

void addConnectionOptions(QCommandLineParser& parser)
{
    parser.addOption({QStringLiteral("etcd"),
                      QStringLiteral("etcd endpoint, e.g. http://10.0.0.1:2379 (repeat it or "
                                     "separate with commas for several)."),
                      QStringLiteral("URL")});
    parser.addOption(
        {QStringLiteral("prefix"),
         QStringLiteral("Key prefix (default %1).").arg(QString::fromLatin1(kDefaultMeshPrefix)),
         QStringLiteral("PREFIX")});
    parser.addOption({QStringLiteral("ca-file"), QStringLiteral("TLS: trusted CA (PEM)."),
                      QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("cert-file"), QStringLiteral("TLS: client certificate (PEM)."),
                      QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("key-file"), QStringLiteral("TLS: its private key (PEM)."),
                      QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("username"),
                      QStringLiteral("etcd user; the password is read from the environment "
                                     "variable PEERTUN_ETCD_PASSWORD."),
                      QStringLiteral("NAME")});
}

// From the options (and a profile's "mesh" section when given); nullopt after printing why.
std::optional<Connection> connectionFrom(const QCommandLineParser& parser, const QString& profile,
                                         int* code)
{
    Connection c;
    c.mesh = MeshConfig{};
    if (!profile.isEmpty()) {
        QFile file(profile);
        if (!file.open(QIODevice::ReadOnly)) {
            *code = fail(QStringLiteral("cannot read %1: %2").arg(profile, file.errorString()),
                         peertunctlExitCode(Exit::Usage));
            return std::nullopt;
        }
        const ProfileParseResult parsed = parseProfile(file.read(kMaxProfileBytes + 1));
        if (!parsed.ok()) {
            *code =
                fail(QStringLiteral("%1: %2").arg(profile, parsed.errorText()), peertunctlExitCode(Exit::InvalidProfile));
            return std::nullopt;
        }
        if (!parsed.profile->mesh) {
            *code = fail(QStringLiteral("%1 is not a mesh profile (it has no \"mesh\" section)")
                             .arg(profile),
                         peertunctlExitCode(Exit::InvalidProfile));
            return std::nullopt;
        }
        c.mesh = *parsed.profile->mesh;
        c.mode = parsed.profile->mode;
        c.haveProfile = true;
    }
    if (parser.isSet(QStringLiteral("etcd"))) {
        c.mesh.etcd.clear();
        for (const QString& v : parser.values(QStringLiteral("etcd"))) {
            c.mesh.etcd += v.split(u',', Qt::SkipEmptyParts);
        }
    }
    const struct
    {
        const char* option;
        QString* field;
    } strings[] = {{"prefix", &c.mesh.prefix},
                   {"ca-file", &c.mesh.caFile},
                   {"cert-file", &c.mesh.certFile},
                   {"key-file", &c.mesh.keyFile},
                   {"username", &c.mesh.username}};
    for (const auto& s : strings) {
        if (parser.isSet(QLatin1String(s.option))) {
            *s.field = parser.value(QLatin1String(s.option));
        }
    }
    if (!c.mesh.username.isEmpty()) {
        c.mesh.password = qEnvironmentVariable("PEERTUN_ETCD_PASSWORD");
    }
    if (c.mesh.etcd.isEmpty()) {
        *code = fail(QStringLiteral("give --etcd URL or a mesh profile"), peertunctlExitCode(Exit::Usage));
        return std::nullopt;
    }
    // The same checks as a profile's, with the same words.
    for (const ProfileError& e : validateMeshConfig(c.mesh)) {
        *code = fail(QStringLiteral("%1: %2").arg(e.field, e.message), peertunctlExitCode(Exit::Usage));
        return std::nullopt;
    }
    return c;
}

int cmdInit(const QStringList& args)
{
    QCommandLineParser parser;
    addConnectionOptions(parser);
    parser.addOption({QStringLiteral("network"),
                      QStringLiteral("The overlay network, e.g. 10.244.0.0/16."),
                      QStringLiteral("CIDR")});
    parser.addOption({QStringLiteral("subnet-len"),
                      QStringLiteral("Prefix length of each host's subnet (default 24)."),
                      QStringLiteral("N"), QStringLiteral("24")});
    parser.addOption({QStringLiteral("backend"),
                      QStringLiteral("wireguard (profiles of mode wireguard) or udp (mode plain, "
                                     "flannel's UDP backend); default wireguard."),
                      QStringLiteral("TYPE"), QStringLiteral("wireguard")});
    parser.addOption({QStringLiteral("force"),
                      QStringLiteral("Replace a different config (members must rejoin).")});
    parser.setApplicationDescription(
        QStringLiteral("Writes the mesh network's config (flannel's format) to etcd. Needs no "
                       "helper and no root."));
    parser.addHelpOption();
    const QString syntax = QStringLiteral("peertunctl mesh init --etcd URL --network CIDR "
                                          "[--subnet-len 24] [--backend wireguard|udp] "
                                          "[--prefix P]");
    if (!parser.parse(args)) {
        return fail(parser.errorText() + QStringLiteral("; usage: ") + syntax, peertunctlExitCode(Exit::Usage));
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out() << "usage: " << syntax << "\n\n" << parser.helpText().section(u'\n', 2) << Qt::flush;
        return peertunctlExitCode(Exit::Ok);
    }
    if (!parser.positionalArguments().isEmpty() || !parser.isSet(QStringLiteral("network"))) {
        return fail(QStringLiteral("usage: ") + syntax, peertunctlExitCode(Exit::Usage));
    }
    int code = peertunctlExitCode(Exit::Ok);
    const auto conn = connectionFrom(parser, {}, &code);
    if (!conn) {
        return code;
    }
    bool lenOk = false;
    const int subnetLen = parser.value(QStringLiteral("subnet-len")).toInt(&lenOk);
    if (!lenOk) {
        return fail(QStringLiteral("--subnet-len must be a number"), peertunctlExitCode(Exit::Usage));
    }
    const mesh::ConfigParse config =
        mesh::makeNetworkConfig(parser.value(QStringLiteral("network")), subnetLen,
                                parser.value(QStringLiteral("backend")));
    if (!config.config) {
        return fail(config.error, peertunctlExitCode(Exit::Usage));
    }
    const QByteArray value = mesh::serializeNetworkConfig(*config.config);
    const QByteArray key = (conn->mesh.prefix + QStringLiteral("/config")).toUtf8();
    EtcdClient client(mesh::EtcdSettings::fromMesh(conn->mesh));
    const auto [rangeError, existing] =
        await<EtcdClient::Range>([&](auto done) { client.range(key, {}, std::move(done)); });
    if (!rangeError.isEmpty()) {
        return fail(rangeError, peertunctlExitCode(Exit::StoreUnreachable));
    }
    qint64 expected = 0;
    if (!existing.kvs.isEmpty()) {
        const mesh::ConfigParse old = mesh::parseNetworkConfig(existing.kvs.first().value);
        if (old.config && *old.config == *config.config) {
            out() << "the config at " << key << " is already " << value << Qt::endl;
            return peertunctlExitCode(Exit::Ok);
        }
        if (!parser.isSet(QStringLiteral("force"))) {
            return fail(QStringLiteral("%1 already holds a different config (%2); members would "
                                       "have to rejoin, so it is left alone unless you give "
                                       "--force")
                            .arg(QString::fromUtf8(key),
                                 QString::fromUtf8(existing.kvs.first().value.left(200))),
                        peertunctlExitCode(Exit::Failed));
        }
        expected = existing.kvs.first().modRevision;
    }
    const auto [putError, txn] = await<EtcdClient::Txn>(
        [&](auto done) { client.putIf(key, value, 0, expected, std::move(done)); });
    if (!putError.isEmpty()) {
        return fail(putError, peertunctlExitCode(Exit::StoreUnreachable));
    }
    if (!txn.succeeded) {
        return fail(QStringLiteral("%1 changed while this command ran; run it again")
                        .arg(QString::fromUtf8(key)),
                    peertunctlExitCode(Exit::Failed));
    }
    out() << "wrote " << key << " = " << value << Qt::endl;
    return peertunctlExitCode(Exit::Ok);
}

int cmdStatus(const QStringList& args)
{
    QCommandLineParser parser;
    addConnectionOptions(parser);
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print JSON.")});
    parser.addPositionalArgument(QStringLiteral("PROFILE"),
                                 QStringLiteral("A mesh profile (JSON file) naming the etcd "
                                                "endpoints; or give --etcd."),
                                 QStringLiteral("[PROFILE]"));
    parser.setApplicationDescription(
        QStringLiteral("Lists the members of a mesh network from etcd: subnet, PublicIP:Port, "
                       "key, lease TTL; and the leases that are ignored, with the reason."));
    parser.addHelpOption();
    const QString syntax =
        QStringLiteral("peertunctl mesh status PROFILE.json|--etcd URL [--prefix P] [--json]");
    if (!parser.parse(args)) {
        return fail(parser.errorText() + QStringLiteral("; usage: ") + syntax, peertunctlExitCode(Exit::Usage));
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out() << "usage: " << syntax << "\n\n" << parser.helpText().section(u'\n', 2) << Qt::flush;
        return peertunctlExitCode(Exit::Ok);
    }
    if (parser.positionalArguments().size() > 1) {
        return fail(QStringLiteral("usage: ") + syntax, peertunctlExitCode(Exit::Usage));
    }
    int code = peertunctlExitCode(Exit::Ok);
    const auto conn = connectionFrom(parser, parser.positionalArguments().value(0), &code);
    if (!conn) {
        return code;
    }
    EtcdClient client(mesh::EtcdSettings::fromMesh(conn->mesh));
    const QByteArray configKey = (conn->mesh.prefix + QStringLiteral("/config")).toUtf8();
    const auto [configError, configRange] =
        await<EtcdClient::Range>([&](auto done) { client.range(configKey, {}, std::move(done)); });
    if (!configError.isEmpty()) {
        return fail(QStringLiteral("coordination store unreachable: %1").arg(configError),
                    peertunctlExitCode(Exit::StoreUnreachable));
    }
    if (configRange.kvs.isEmpty()) {
        return fail(QStringLiteral("etcd has no network config at %1; write one with `peertunctl "
                                   "mesh init`")
                        .arg(QString::fromUtf8(configKey)),
                    peertunctlExitCode(Exit::NotFound));
    }
    const mesh::ConfigParse config = mesh::parseNetworkConfig(configRange.kvs.first().value);
    if (!config.config) {
        return fail(QStringLiteral("%1: %2").arg(QString::fromUtf8(configKey), config.error),
                    peertunctlExitCode(Exit::Failed));
    }
    const QByteArray prefix = (conn->mesh.prefix + QStringLiteral("/subnets/")).toUtf8();
    const auto [listError, list] = await<EtcdClient::Range>(
        [&](auto done) { client.range(prefix, EtcdClient::prefixEnd(prefix), std::move(done)); });
    if (!listError.isEmpty()) {
        return fail(QStringLiteral("coordination store unreachable: %1").arg(listError),
                    peertunctlExitCode(Exit::StoreUnreachable));
    }
    QHash<qint64, qint64> ttls;
    QJsonArray members;
    QJsonArray ignored;
    for (const mesh::EtcdKv& kv : list.kvs) {
        const QString name = QString::fromUtf8(kv.key.mid(prefix.size()));
        const mesh::LeaseCheck check = mesh::parseLease(name, kv.value, *config.config);
        if (!check.member) {
            ignored.append(QJsonObject{{QStringLiteral("key"), QString::fromUtf8(kv.key)},
                                       {QStringLiteral("reason"), mesh::badLeaseName(check.reason)},
                                       {QStringLiteral("detail"), check.detail}});
            continue;
        }
        qint64 ttl = -1;
        if (kv.lease != 0) {
            if (!ttls.contains(kv.lease)) {
                const auto [e, t] = await<qint64>(
                    [&](auto done) { client.leaseTimeToLive(kv.lease, std::move(done)); });
                ttls.insert(kv.lease, e.isEmpty() ? t : -1);
            }
            ttl = ttls.value(kv.lease);
        }
        QJsonObject m{{QStringLiteral("subnet"), check.member->subnet.toString()},
                      {QStringLiteral("endpoint"), check.member->endpoint.toString()},
                      {QStringLiteral("leaseTtl"), ttl}};
        if (!check.member->publicKey.isEmpty()) {
            m.insert(QStringLiteral("publicKey"), check.member->publicKey);
        }
        members.append(m);
    }
    const mesh::NetworkConfig& c = *config.config;
    if (conn->haveProfile) {
        if (const QString why = mesh::checkModeMatchesBackend(conn->mode, c.backend);
            !why.isEmpty()) {
            QTextStream(stderr) << "peertunctl: warning: " << why << Qt::endl;
        }
    }
    if (parser.isSet(QStringLiteral("json"))) {
        const QJsonObject doc{{QStringLiteral("network"), c.network.toString()},
                              {QStringLiteral("subnetLen"), c.subnetLen},
                              {QStringLiteral("backend"), mesh::backendName(c.backend)},
                              {QStringLiteral("revision"), QString::number(list.revision)},
                              {QStringLiteral("members"), members},
                              {QStringLiteral("ignored"), ignored}};
        out() << QJsonDocument(doc).toJson(QJsonDocument::Indented) << Qt::flush;
        return peertunctlExitCode(Exit::Ok);
    }
    out() << "network " << c.network.toString() << ", /" << c.subnetLen << " subnets, backend "
          << mesh::backendName(c.backend) << " (" << configKey << ")\n";
    out() << QStringLiteral("%1 %2 %3 %4\n")
                 .arg(QStringLiteral("SUBNET").leftJustified(18),
                      QStringLiteral("ENDPOINT").leftJustified(22),
                      QStringLiteral("TTL").leftJustified(8), QStringLiteral("KEY"));
    for (const QJsonValue v : members) {
        const QJsonObject m = v.toObject();
        const qint64 ttl = m.value(QStringLiteral("leaseTtl")).toInteger();
        out() << QStringLiteral("%1 %2 %3 %4\n")
                     .arg(m.value(QStringLiteral("subnet")).toString().leftJustified(18),
                          m.value(QStringLiteral("endpoint")).toString().leftJustified(22),
                          (ttl < 0 ? QStringLiteral("none") : QStringLiteral("%1 s").arg(ttl))
                              .leftJustified(8),
                          m.value(QStringLiteral("publicKey")).toString(QStringLiteral("-")));
    }
    for (const QJsonValue v : ignored) {
        const QJsonObject i = v.toObject();
        out() << "ignored " << i.value(QStringLiteral("key")).toString().left(120) << " ("
              << i.value(QStringLiteral("reason")).toString()
              << "): " << i.value(QStringLiteral("detail")).toString() << "\n";
    }
    out() << members.size() << (members.size() == 1 ? " member" : " members") << Qt::endl;
    return peertunctlExitCode(Exit::Ok);
}

} // namespace

int cmdMesh(const QStringList& args)
{
    const QString usage =
        QStringLiteral("usage: peertunctl mesh init|status ... (mesh init --help, mesh status "
                       "--help)");
    if (args.size() < 2) {
        return fail(usage, peertunctlExitCode(Exit::Usage));
    }
    const QString sub = args.at(1);
    QStringList rest = args;
    rest.removeAt(1);
    rest[0] = QStringLiteral("peertunctl mesh ") + sub;
    if (sub == u"init") {
        return cmdInit(rest);
    }
    if (sub == u"status") {
        return cmdStatus(rest);
    }
    if (sub == u"--help" || sub == u"-h" || sub == u"help") {
        out() << usage << "\n" << Qt::flush;
        return peertunctlExitCode(Exit::Ok);
    }
    return fail(QStringLiteral("unknown mesh command \"%1\"; %2").arg(sub, usage), peertunctlExitCode(Exit::Usage));
}

} // namespace peertun::cli
