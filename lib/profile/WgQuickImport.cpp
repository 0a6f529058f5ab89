#include "WgQuickImport.h"

#include <QCoreApplication>

namespace peertun {
namespace {

enum class Section { None, Interface, Peer };

QStringList splitList(const QString& value)
{
    QStringList out;
    for (const QString& part : value.split(QLatin1Char(','))) {
        const QString t = part.trimmed();
        if (!t.isEmpty()) {
            out << t;
        }
    }
    return out;
}

} // namespace

WgQuickImport importWgQuick(const QByteArray& text, const QString& name)
{
    WgQuickImport r;
    Profile& p = r.draft;
    p.name = name;
    p.mode = TunnelMode::WireGuard;
    p.interface.name = checkInterfaceName(name).isEmpty() ? name : QStringLiteral("wg0");
    if (p.interface.name != name) {
        r.notes << QCoreApplication::translate(
                       "peertun::Profile",
                       "The name \"%1\" is not a valid device name; the device is called wg0.")
                       .arg(name.left(32));
    }
    p.interface.listen = Endpoint{QHostAddress(), 0, {}}; // no ListenPort: random, as wg-quick
    bool listenSeen = false;
    Section section = Section::None;
    QList<Cidr> extraAddresses;

    const QList<QByteArray> lines = text.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        QString line = QString::fromUtf8(lines[i]);
        if (const qsizetype hash = line.indexOf(QLatin1Char('#')); hash >= 0) {
            line.truncate(hash);
        }
        line = line.trimmed();
        if (line.isEmpty()) {
            continue;
        }
        const QString where = QCoreApplication::translate("peertun::Profile", "line %1").arg(i + 1);
        if (line.startsWith(QLatin1Char('['))) {
            const QString s = line.toLower();
            if (s == QLatin1String("[interface]")) {
                section = Section::Interface;
            } else if (s == QLatin1String("[peer]")) {
                section = Section::Peer;
                PeerConfig peer;
                peer.name = QStringLiteral("peer-%1").arg(p.peers.size() + 1);
                peer.endpoint = Endpoint{QHostAddress(), 0, {}}; // learned from its handshake
                p.peers << peer;
            } else {
                r.errors << ProfileError{
                    where, QCoreApplication::translate("peertun::Profile", "Unknown section %1.")
                               .arg(line.left(40))};
                section = Section::None;
            }
            continue;
        }
        const qsizetype eq = line.indexOf(QLatin1Char('='));
        if (eq <= 0) {
            r.errors << ProfileError{where, QCoreApplication::translate(
                                                "peertun::Profile", "Expected \"Key = Value\".")};
            continue;
        }
        const QString key = line.left(eq).trimmed().toLower();
        const QString value = line.mid(eq + 1).trimmed();
        if (section == Section::None) {
            r.errors << ProfileError{
                where, QCoreApplication::translate("peertun::Profile",
                                                   "A key outside [Interface] or [Peer].")};
            continue;
        }
        if (section == Section::Interface) {
            if (key == QLatin1String("privatekey")) {
                p.interface.privateKey = value;
            } else if (key == QLatin1String("listenport")) {
                bool ok = false;
                const int port = value.toInt(&ok);
                if (!ok || port < 1 || port > 65535) {
                    r.errors << ProfileError{
                        where, QCoreApplication::translate(
                                   "peertun::Profile", "ListenPort must be 1-65535, not \"%1\".")
                                   .arg(value.left(16))};
                } else {
                    p.interface.listen.port = quint16(port);
                    listenSeen = true;
                }
            } else if (key == QLatin1String("address")) {
                for (const QString& a : splitList(value)) {
                    QString error;
                    const auto cidr = parseCidr(a, &error, false);
                    if (!cidr) {
                        r.errors << ProfileError{
                            where, QCoreApplication::translate("peertun::Profile", "Address %1: %2")
                                       .arg(a.left(50), error)};
                    } else if (p.interface.address.address.isNull()) {
                        p.interface.address = *cidr;
                    } else {
                        extraAddresses << *cidr;
                    }
                }
            } else if (key == QLatin1String("mtu")) {
                bool ok = false;
                const int mtu = value.toInt(&ok);
                if (!ok) {
                    r.errors << ProfileError{
                        where, QCoreApplication::translate("peertun::Profile",
                                                           "MTU must be a number, not \"%1\".")
                                   .arg(value.left(16))};
                } else {
                    p.interface.mtu = mtu;
                }
            } else if (key == QLatin1String("dns")) {
                // wg-quick's own rule: addresses are servers, anything else a search domain.
                QStringList problems;
                const DnsConfig dns = parseDnsList(value, &problems);
                p.interface.dns.servers << dns.servers;
                p.interface.dns.domains << dns.domains;
                for (const QString& problem : problems) {
                    r.errors << ProfileError{where, problem};
                }
            } else {
                // Table, PreUp/PostUp/PreDown/PostDown, SaveConfig, FwMark and the rest.
                r.notes << QCoreApplication::translate(
                               "peertun::Profile",
                               "%1 (%2) is not supported by peertun and was not imported.")
                               .arg(line.left(eq).trimmed(), where);
            }
            continue;
        }
        PeerConfig& peer = p.peers.last();
        if (key == QLatin1String("publickey")) {
            peer.publicKey = value;
        } else if (key == QLatin1String("presharedkey")) {
            peer.presharedKey = value;
        } else if (key == QLatin1String("endpoint")) {
            QString error;
            if (const auto ep = parseEndpoint(value, &error, false)) {
                peer.endpoint = *ep;
            } else {
                r.notes << QCoreApplication::translate(
                               "peertun::Profile",
                               "Endpoint %1 of %2 was not imported (%3); the peer's address "
                               "will be learned when it connects.")
                               .arg(value.left(80), peer.name, error);
            }
        } else if (key == QLatin1String("allowedips")) {
            for (const QString& a : splitList(value)) {
                QString error;
                const auto cidr = parseCidr(a, &error, false);
                if (!cidr) {
                    r.errors << ProfileError{
                        where, QCoreApplication::translate("peertun::Profile", "AllowedIPs %1: %2")
                                   .arg(a.left(50), error)};
                } else {
                    peer.subnets << cidr->network(); // wg masks host bits the same way
                }
            }
        } else if (key == QLatin1String("persistentkeepalive")) {
            bool ok = false;
            const int seconds = value.compare(QLatin1String("off"), Qt::CaseInsensitive) == 0
                                    ? 0
                                    : value.toInt(&ok);
            if (!ok && seconds != 0) {
                r.errors << ProfileError{
                    where, QCoreApplication::translate(
                               "peertun::Profile",
                               "PersistentKeepalive must be seconds or \"off\", not \"%1\".")
                               .arg(value.left(16))};
            } else {
                peer.persistentKeepalive = seconds;
            }
        } else {
            r.notes << QCoreApplication::translate(
                           "peertun::Profile",
                           "%1 (%2) is not supported by peertun and was not imported.")
                           .arg(line.left(eq).trimmed(), where);
        }
    }

    for (const Cidr& extra : extraAddresses) {
        r.notes << QCoreApplication::translate(
                       "peertun::Profile",
                       "Address %1 was not imported: a peertun profile has one tunnel address.")
                       .arg(extra.toString());
    }
    if (!listenSeen) {
        r.notes << QCoreApplication::translate(
            "peertun::Profile",
            "No ListenPort: the tunnel listens on a random free UDP port, as wg-quick does.");
    }
    // One address family per profile: AllowedIPs of the other family are reported.
    const auto family = p.interface.address.address.protocol();
    for (PeerConfig& peer : p.peers) {
        QList<Cidr> kept;
        for (const Cidr& c : peer.subnets) {
            if (c.address.protocol() == family) {
                kept << c;
            } else {
                r.notes << QCoreApplication::translate(
                               "peertun::Profile",
                               "AllowedIPs %1 of %2 was not imported: the tunnel "
                               "address is of the other IP family.")
                               .arg(c.toString(), peer.name);
            }
        }
        peer.subnets = kept;
    }
    for (ProfileError& e : r.errors) {
        e.origin = ProfileError::Origin::Syntax; // found while reading the lines
    }
    if (r.errors.isEmpty()) {
        r.errors = validateProfile(p);
        if (r.errors.isEmpty()) {
            r.profile = p;
        }
    }
    return r;
}

} // namespace peertun
