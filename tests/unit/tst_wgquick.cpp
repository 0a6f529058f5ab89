// importWgQuick: wg-quick configurations into profiles; what is not carried over is reported.
#include "WgQuickImport.h"

#include <QTest>

using peertun::importWgQuick;
using peertun::TunnelMode;

namespace {

// Throw-away keys made with wg genkey / wg pubkey / wg genpsk for this test only.
const char kPrivate[] = "aBy4JGXWUWH/M1bspC9wiHhBXR9v+2aP5VPKplXFIVw=";
const char kPeerPublic[] = "G++urO4Rrc3etDK5kSLX4dUUfJTkerYXTFSKupLMSy0=";
const char kPsk[] = "PoQhBn4j274rynloAJ4LPiccbQatchyA85HH3zZ/exg=";

QByteArray config(const QByteArray& interfaceExtra, const QByteArray& peerExtra)
{
    return QByteArray("# exported by a phone app\n[Interface]\nPrivateKey = ") + kPrivate +
           "\nAddress = 10.244.2.2/24\n" + interfaceExtra + "\n[Peer]\nPublicKey = " + kPeerPublic +
           "\nAllowedIPs = 10.244.3.0/24\n" + peerExtra + "\n";
}

} // namespace

class TestWgQuick final : public QObject
{
    Q_OBJECT

private slots:
    void fullConfig()
    {
        const auto r =
            importWgQuick(config("ListenPort = 51821\nMTU = 1380\n",
                                 QByteArray("PresharedKey = ") + kPsk +
                                     "\nEndpoint = 10.211.55.123:51820\nPersistentKeepalive = 25"),
                          QStringLiteral("office"));
        QVERIFY2(r.profile.has_value(),
                 qPrintable(r.errors.isEmpty() ? QString() : r.errors.first().message));
        const auto& p = *r.profile;
        QCOMPARE(p.mode, TunnelMode::WireGuard);
        QCOMPARE(p.name, QStringLiteral("office"));
        QCOMPARE(p.interface.name, QStringLiteral("office"));
        QCOMPARE(p.interface.address.toString(), QStringLiteral("10.244.2.2/24"));
        QCOMPARE(p.interface.listen.port, quint16(51821));
        QCOMPARE(p.interface.mtu, std::optional<int>(1380));
        QCOMPARE(p.interface.privateKey, QString::fromLatin1(kPrivate));
        QCOMPARE(p.peers.size(), 1);
        QCOMPARE(p.peers[0].publicKey, QString::fromLatin1(kPeerPublic));
        QCOMPARE(p.peers[0].presharedKey, QString::fromLatin1(kPsk));
        QCOMPARE(p.peers[0].endpoint.toString(), QStringLiteral("10.211.55.123:51820"));
        QCOMPARE(p.peers[0].subnets.size(), 1);
        QCOMPARE(p.peers[0].persistentKeepalive, std::optional<int>(25));
        QVERIFY2(r.notes.isEmpty(), qPrintable(r.notes.join(QLatin1Char(' '))));
    }

    void reportsWhatIsNotCarriedOver_data()
    {
        QTest::addColumn<QByteArray>("interfaceExtra");
        QTest::addColumn<QByteArray>("peerExtra");
        QTest::addColumn<QString>("note"); // substring of one note
        QTest::addColumn<bool>("valid");   // the profile still validates
        QTest::newRow("PostUp") << QByteArray("ListenPort = 1\nPostUp = iptables -A FORWARD")
                                << QByteArray() << "PostUp" << true;
        QTest::newRow("Table") << QByteArray("ListenPort = 1\nTable = off") << QByteArray()
                               << "Table" << true;
        QTest::newRow("second address")
            << QByteArray("ListenPort = 1\nAddress = fd00::2/64") << QByteArray()
            << "Address fd00::2/64 was not imported" << true;
        QTest::newRow("no listen port")
            << QByteArray() << QByteArray() << "a random free UDP port" << true;
        QTest::newRow("bad host name endpoint")
            << QByteArray("ListenPort = 1") << QByteArray("Endpoint = vpn_1.example.com:51820")
            << "it contains '_'" << true;
        QTest::newRow("other family allowed ips")
            << QByteArray("ListenPort = 1") << QByteArray("AllowedIPs = ::/0") << "AllowedIPs ::/0"
            << true;
        QTest::newRow("unknown peer key")
            << QByteArray("ListenPort = 1") << QByteArray("Foo = bar") << "Foo" << true;
    }
    void reportsWhatIsNotCarriedOver()
    {
        QFETCH(QByteArray, interfaceExtra);
        QFETCH(QByteArray, peerExtra);
        QFETCH(QString, note);
        QFETCH(bool, valid);
        const auto r =
            importWgQuick(config(interfaceExtra, peerExtra), QStringLiteral("wg-office"));
        QCOMPARE(r.profile.has_value(), valid);
        bool found = false;
        for (const QString& n : r.notes) {
            found = found || n.contains(note);
        }
        QVERIFY2(found, qPrintable(r.notes.join(QLatin1String(" | "))));
    }

    // A provider's file names its server: the name is kept (the helper resolves it), and the
    // profile written from it names it too. No ListenPort: a random port, "listen" left out.
    void keepsEndpointNames_data()
    {
        QTest::addColumn<QByteArray>("endpoint");
        QTest::addColumn<QString>("hostName");
        QTest::addColumn<QString>("written");
        QTest::newRow("name") << QByteArray("vpn.example.net:51820") << "vpn.example.net"
                              << "vpn.example.net:51820";
        QTest::newRow("name in capitals")
            << QByteArray("VPN.Example.NET:443") << "vpn.example.net" << "vpn.example.net:443";
        QTest::newRow("ipv4 literal") << QByteArray("192.0.2.1:51820") << "" << "192.0.2.1:51820";
        QTest::newRow("ipv6 literal")
            << QByteArray("[2001:db8::1]:51820") << "" << "[2001:db8::1]:51820";
    }
    void keepsEndpointNames()
    {
        QFETCH(QByteArray, endpoint);
        QFETCH(QString, hostName);
        QFETCH(QString, written);
        const auto r = importWgQuick(config(QByteArray(), "Endpoint = " + endpoint),
                                     QStringLiteral("provider"));
        QVERIFY2(r.profile.has_value(),
                 qPrintable(r.errors.isEmpty() ? QString() : r.errors.first().message));
        const auto& peer = r.profile->peers[0];
        QCOMPARE(peer.endpoint.hostName, hostName);
        QCOMPARE(peer.endpoint.toString(), written);
        for (const QString& n : r.notes) {
            QVERIFY2(!n.contains(QStringLiteral("Endpoint")), qPrintable(n));
        }
        QCOMPARE(r.profile->interface.listen.port, quint16(0));
        const QByteArray json = peertun::serializeProfile(*r.profile);
        QVERIFY2(json.contains("\"endpoint\": \"" + written.toUtf8() + "\""), json.constData());
        QVERIFY(!json.contains("\"listen\""));
        const auto again = peertun::parseProfile(json);
        QVERIFY2(again.ok(), qPrintable(again.errorText()));
        QVERIFY(*again.profile == *r.profile);
    }

    // What phone and laptop apps export: everything through the tunnel, both families.
    void phoneFullTunnel_data()
    {
        QTest::addColumn<QByteArray>("address");
        QTest::addColumn<QString>("kept");    // the default route imported
        QTest::addColumn<QString>("dropped"); // the other family's, reported in a note
        QTest::newRow("ipv4 first") << QByteArray("10.66.0.2/32, fd00:66::2/128") << "0.0.0.0/0"
                                    << "::/0";
        QTest::newRow("ipv6 first") << QByteArray("fd00:66::2/128, 10.66.0.2/32") << "::/0"
                                    << "0.0.0.0/0";
    }
    void phoneFullTunnel()
    {
        QFETCH(QByteArray, address);
        QFETCH(QString, kept);
        QFETCH(QString, dropped);
        const QByteArray text = QByteArray("[Interface]\nPrivateKey = ") + kPrivate +
                                "\nAddress = " + address +
                                "\nDNS = 1.1.1.1\n\n[Peer]\nPublicKey = " + kPeerPublic +
                                "\nAllowedIPs = 0.0.0.0/0, ::/0\nEndpoint = 192.0.2.1:51820\n"
                                "PersistentKeepalive = 25\n";
        const auto r = importWgQuick(text, QStringLiteral("phone"));
        QVERIFY2(r.profile.has_value(),
                 qPrintable(r.errors.isEmpty() ? QString() : r.errors.first().message));
        QCOMPARE(r.profile->peers.size(), 1);
        QCOMPARE(r.profile->peers[0].subnets.size(), 1);
        QCOMPARE(r.profile->peers[0].subnets[0].toString(), kept);
        const QString notes = r.notes.join(QLatin1String(" | "));
        QVERIFY2(notes.contains(QStringLiteral("AllowedIPs %1").arg(dropped)), qPrintable(notes));
        QCOMPARE(r.profile->interface.dns.servers, QList<QHostAddress>{QHostAddress("1.1.1.1")});
    }

    // The hub style: the tunnel's whole network behind the one peer (a road warrior's config).
    void hubNetworkBehindThePeer()
    {
        const QByteArray text = QByteArray("[Interface]\nPrivateKey = ") + kPrivate +
                                "\nAddress = 10.0.0.2/24\n[Peer]\nPublicKey = " + kPeerPublic +
                                "\nAllowedIPs = 10.0.0.0/24\nEndpoint = 192.0.2.1:51820\n";
        const auto r = importWgQuick(text, QStringLiteral("laptop"));
        QVERIFY2(r.profile.has_value(),
                 qPrintable(r.errors.isEmpty() ? QString() : r.errors.first().message));
        QCOMPARE(r.profile->peers[0].subnets[0].toString(), QStringLiteral("10.0.0.0/24"));
        QVERIFY(validateProfile(*r.profile).isEmpty());
    }

    // The /1 halves some configs use instead of a default route: refused, saying what to write.
    void splitDefaultRouteIsRefused()
    {
        const QByteArray text = QByteArray("[Interface]\nPrivateKey = ") + kPrivate +
                                "\nAddress = 10.66.0.2/32\n[Peer]\nPublicKey = " + kPeerPublic +
                                "\nAllowedIPs = 0.0.0.0/1, 128.0.0.0/1\n"
                                "Endpoint = 192.0.2.1:51820\n";
        const auto r = importWgQuick(text, QStringLiteral("phone"));
        QVERIFY(!r.profile.has_value());
        QCOMPARE(r.errors.size(), 2);
        for (const auto& e : r.errors) {
            QVERIFY2(e.message.contains(QStringLiteral("write 0.0.0.0/0 instead")),
                     qPrintable(e.message));
        }
    }

    void rejects_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("field");
        QTest::newRow("bad private key")
            << QByteArray(
                   "[Interface]\nPrivateKey = nope\nAddress = 10.0.0.1/24\n[Peer]\nPublicKey = ") +
                   kPeerPublic + "\nAllowedIPs = 10.0.1.0/24\n"
            << "interface.privateKey";
        QTest::newRow("bad public key")
            << QByteArray("[Interface]\nPrivateKey = ") + kPrivate +
                   "\nAddress = 10.0.0.1/24\n[Peer]\nPublicKey = abc\nAllowedIPs = 10.0.1.0/24\n"
            << "peers[0].publicKey";
        QTest::newRow("no peer") << QByteArray("[Interface]\nPrivateKey = ") + kPrivate +
                                        "\nAddress = 10.0.0.1/24\n"
                                 << "peers";
        QTest::newRow("garbage line") << QByteArray("[Interface]\nthis is not ini\n") << "line 2";
        QTest::newRow("unknown section") << QByteArray("[Nope]\n") << "line 1";
        QTest::newRow("port 70000") << QByteArray("[Interface]\nListenPort = 70000\n") << "line 2";
        QTest::newRow("bad address")
            << QByteArray("[Interface]\nAddress = 10.0.0.300/24\n") << "line 2";
    }
    void rejects()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, field);
        const auto r = importWgQuick(text, QStringLiteral("x"));
        QVERIFY(!r.profile.has_value());
        bool found = false;
        for (const auto& e : r.errors) {
            found = found || e.field == field;
            QVERIFY(!e.message.contains(QString::fromLatin1(kPrivate))); // secrets never echoed
        }
        QVERIFY2(found,
                 qPrintable(r.errors.isEmpty() ? QStringLiteral("no errors")
                                               : r.errors.first().field + QLatin1String(": ") +
                                                     r.errors.first().message));
    }
};

QTEST_APPLESS_MAIN(TestWgQuick)
#include "tst_wgquick.moc"
