// The profile's DNS and kill-switch fields: JSON shape, limits, named errors, canonical
// serialization, and the wg-quick "DNS =" line (servers and domains in one list).
#include "Profile.h"
#include "WgQuickImport.h"

#include <QTest>

using namespace peertun;

namespace {

const char kPrivate[] = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";
const char kPeerPublic[] = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";

// A WireGuard client profile with `interfaceExtra` (JSON members, leading comma) added to
// "interface" and `endpoint` (empty: none) on its one full-tunnel peer.
QByteArray document(const QByteArray& interfaceExtra,
                    const QByteArray& endpoint = "192.0.2.1:51820")
{
    return QByteArray(R"({"version": 1, "name": "laptop", "mode": "wireguard",
  "interface": {"name": "pt0", "address": "10.66.0.2/32", "listen": ":51821",
                "privateKey": ")") +
           kPrivate + "\"" + interfaceExtra + R"(},
  "peers": [{"name": "vpn", "subnets": ["0.0.0.0/0"], "publicKey": ")" +
           kPeerPublic + "\"" +
           (endpoint.isEmpty() ? QByteArray() : ", \"endpoint\": \"" + endpoint + "\"") + "}]}";
}

QString listOf(int n, const QString& pattern)
{
    QStringList items;
    for (int i = 0; i < n; ++i) {
        items << QStringLiteral("\"%1\"").arg(pattern.arg(i + 1));
    }
    return items.join(QStringLiteral(", "));
}

QString describe(const QList<ProfileError>& errors)
{
    QStringList lines;
    for (const ProfileError& e : errors) {
        lines << QStringLiteral("[%1] %2").arg(e.field, e.message);
    }
    return lines.join(u'\n');
}

} // namespace

class TestProfileDns : public QObject
{
    Q_OBJECT
private slots:
    void rejectsBadInput_data()
    {
        QTest::addColumn<QByteArray>("extra");
        QTest::addColumn<QByteArray>("endpoint");
        QTest::addColumn<QString>("field");
        QTest::addColumn<QString>("message");
        const QByteArray ep = "192.0.2.1:51820";
        QTest::newRow("dns not an object")
            << QByteArray(R"(, "dns": "10.2.0.1")") << ep << "interface.dns"
            << "must be an object";
        QTest::newRow("unknown dns key")
            << QByteArray(R"(, "dns": {"servers": ["10.2.0.1"], "search": ["a.b"]})") << ep
            << "interface.dns.search"
            << "is unknown";
        QTest::newRow("server is a name") << QByteArray(R"(, "dns": {"servers": ["dns.example"]})")
                                          << ep << "interface.dns.servers[0]"
                                          << "\"dns.example\" is not an IPv4 or IPv6 address";
        QTest::newRow("server with port") << QByteArray(R"(, "dns": {"servers": ["10.2.0.1:53"]})")
                                          << ep << "interface.dns.servers[0]"
                                          << "not a valid IPv6 address";
        QTest::newRow("server with scope")
            << QByteArray(R"(, "dns": {"servers": ["fe80::1%eth0"]})") << ep
            << "interface.dns.servers[0]"
            << "scope ID";
        QTest::newRow("server not a string")
            << QByteArray(R"(, "dns": {"servers": [53]})") << ep << "interface.dns.servers[0]"
            << "must be a string";
        QTest::newRow("server unspecified") << QByteArray(R"(, "dns": {"servers": ["0.0.0.0"]})")
                                            << ep << "interface.dns.servers[0]"
                                            << "unspecified address";
        QTest::newRow("server multicast") << QByteArray(R"(, "dns": {"servers": ["ff02::fb"]})")
                                          << ep << "interface.dns.servers[0]"
                                          << "multicast";
        QTest::newRow("server twice")
            << QByteArray(R"(, "dns": {"servers": ["10.2.0.1", "10.2.0.1"]})") << ep
            << "interface.dns.servers[1]"
            << "listed twice";
        QTest::newRow("nine servers") << (", \"dns\": {\"servers\": [" +
                                          listOf(9, QStringLiteral("10.2.0.%1")).toLatin1() + "]}")
                                      << ep << "interface.dns.servers"
                                      << "lists 9 servers; at most 8";
        QTest::newRow("33 domains") << (", \"dns\": {\"servers\": [\"10.2.0.1\"], \"domains\": [" +
                                        listOf(33, QStringLiteral("d%1.example")).toLatin1() + "]}")
                                    << ep << "interface.dns.domains"
                                    << "lists 33 domains; at most 32";
        QTest::newRow("domain with underscore")
            << QByteArray(R"(, "dns": {"servers": ["10.2.0.1"], "domains": ["my_lan.example"]})")
            << ep << "interface.dns.domains[0]"
            << "other than letters, digits";
        QTest::newRow("domain label too long")
            << (R"(, "dns": {"servers": ["10.2.0.1"], "domains": [")" + QByteArray(64, 'a') +
                R"(.example"]})")
            << ep << "interface.dns.domains[0]"
            << "label of 64 characters; at most 63";
        QTest::newRow("domain too long")
            << (R"(, "dns": {"servers": ["10.2.0.1"], "domains": [")" +
                (QByteArray(60, 'a') + '.').repeated(5) + R"(example"]})")
            << ep << "interface.dns.domains[0]"
            << "at most 253";
        QTest::newRow("domain empty label")
            << QByteArray(R"(, "dns": {"servers": ["10.2.0.1"], "domains": ["corp..example"]})")
            << ep << "interface.dns.domains[0]"
            << "empty label";
        QTest::newRow("domain leading hyphen")
            << QByteArray(R"(, "dns": {"servers": ["10.2.0.1"], "domains": ["-corp.example"]})")
            << ep << "interface.dns.domains[0]"
            << "starts or ends with '-'";
        QTest::newRow("domain empty")
            << QByteArray(R"(, "dns": {"servers": ["10.2.0.1"], "domains": [""]})") << ep
            << "interface.dns.domains[0]"
            << "is empty";
        QTest::newRow("domain numeric")
            << QByteArray(R"(, "dns": {"servers": ["10.2.0.1"], "domains": ["10.2.0.300"]})") << ep
            << "interface.dns.domains[0]"
            << "ends in a number";
        QTest::newRow("domain twice")
            << QByteArray(
                   R"(, "dns": {"servers": ["10.2.0.1"], "domains": ["a.example", "a.example"]})")
            << ep << "interface.dns.domains[1]"
            << "listed twice";
        QTest::newRow("domains without server")
            << QByteArray(R"(, "dns": {"domains": ["corp.example"]})") << ep
            << "interface.dns.servers"
            << "no server";
        QTest::newRow("killSwitch not a boolean")
            << QByteArray(R"(, "killSwitch": "yes")") << ep << "interface.killSwitch"
            << "true or false";
        QTest::newRow("allowLan not a boolean")
            << QByteArray(R"(, "allowLan": 1)") << ep << "interface.allowLan"
            << "true or false";
        QTest::newRow("kill switch without endpoints")
            << QByteArray(R"(, "killSwitch": true)") << QByteArray() << "interface.killSwitch"
            << "no peer has an endpoint";
    }
    void rejectsBadInput()
    {
        QFETCH(QByteArray, extra);
        QFETCH(QByteArray, endpoint);
        QFETCH(QString, field);
        QFETCH(QString, message);
        const ProfileParseResult r = parseProfile(document(extra, endpoint));
        QVERIFY(!r.ok());
        bool found = false;
        for (const ProfileError& e : r.errors) {
            QVERIFY2(e.message.endsWith(u'.'), qPrintable(e.message));
            found = found || (e.field == field && e.message.contains(message));
        }
        QVERIFY2(found, qPrintable(QStringLiteral("want [%1] containing %2, got:\n%3")
                                       .arg(field, message, describe(r.errors))));
        QCOMPARE(r.errors.size(), 1); // the one problem, nothing reported twice
    }

    void acceptsGoodInput_data()
    {
        QTest::addColumn<QByteArray>("extra");
        QTest::addColumn<QStringList>("servers");
        QTest::addColumn<QStringList>("domains");
        QTest::addColumn<bool>("killSwitch");
        QTest::addColumn<bool>("allowLan");
        QTest::newRow("none") << QByteArray() << QStringList() << QStringList() << false << false;
        QTest::newRow("one server") << QByteArray(R"(, "dns": {"servers": ["10.2.0.1"]})")
                                    << QStringList{"10.2.0.1"} << QStringList() << false << false;
        QTest::newRow("both families and domains")
            << QByteArray(
                   R"(, "dns": {"servers": ["10.2.0.1", "fd00:2::1"], "domains": ["corp.example", "~lab.example", "xn--bcher-kva.example."]})")
            << QStringList{"10.2.0.1", "fd00:2::1"}
            << QStringList{"corp.example", "~lab.example", "xn--bcher-kva.example."} << false
            << false;
        QTest::newRow("routing-only root")
            << QByteArray(R"(, "dns": {"servers": ["10.2.0.1"], "domains": ["~."]})")
            << QStringList{"10.2.0.1"} << QStringList{"~."} << false << false;
        QTest::newRow("eight servers, 32 domains")
            << (", \"dns\": {\"servers\": [" + listOf(8, QStringLiteral("10.2.0.%1")).toLatin1() +
                "], \"domains\": [" + listOf(32, QStringLiteral("d%1.example")).toLatin1() + "]}")
            << QStringList{"10.2.0.1", "10.2.0.2", "10.2.0.3", "10.2.0.4",
                           "10.2.0.5", "10.2.0.6", "10.2.0.7", "10.2.0.8"}
            <<
            [] {
                QStringList d;
                for (int i = 1; i <= 32; ++i)
                    d << QStringLiteral("d%1.example").arg(i);
                return d;
            }()
            << false << false;
        QTest::newRow("empty dns object")
            << QByteArray(R"(, "dns": {})") << QStringList() << QStringList() << false << false;
        QTest::newRow("kill switch") << QByteArray(R"(, "killSwitch": true)") << QStringList()
                                     << QStringList() << true << false;
        QTest::newRow("kill switch and LAN")
            << QByteArray(R"(, "killSwitch": true, "allowLan": true)") << QStringList()
            << QStringList() << true << true;
        QTest::newRow("kill switch off") << QByteArray(R"(, "killSwitch": false)") << QStringList()
                                         << QStringList() << false << false;
    }
    // A provider's profile names its server: that is an endpoint for the kill switch too.
    void killSwitchWithAHostNameEndpoint()
    {
        const ProfileParseResult r =
            parseProfile(document(R"(, "killSwitch": true)", "vpn.example.net:51820"));
        QVERIFY2(r.ok(), qPrintable(describe(r.errors)));
        QVERIFY(r.profile->interface.killSwitch);
        QCOMPARE(r.profile->peers[0].endpoint.hostName, QStringLiteral("vpn.example.net"));
    }
    void acceptsGoodInput()
    {
        QFETCH(QByteArray, extra);
        QFETCH(QStringList, servers);
        QFETCH(QStringList, domains);
        QFETCH(bool, killSwitch);
        QFETCH(bool, allowLan);
        const ProfileParseResult r = parseProfile(document(extra));
        QVERIFY2(r.ok(), qPrintable(describe(r.errors)));
        const InterfaceConfig& itf = r.profile->interface;
        QStringList got;
        for (const QHostAddress& a : itf.dns.servers)
            got << a.toString();
        QCOMPARE(got, servers);
        QCOMPARE(itf.dns.domains, domains);
        QCOMPARE(itf.killSwitch, killSwitch);
        QCOMPARE(itf.allowLan, allowLan);
        // Canonical form round-trips to the same profile and is stable.
        const QByteArray canonical = serializeProfile(*r.profile);
        const ProfileParseResult again = parseProfile(canonical);
        QVERIFY2(again.ok(), canonical.constData());
        QCOMPARE(*again.profile, *r.profile);
        QCOMPARE(serializeProfile(*again.profile), canonical);
        QCOMPARE(canonical.contains("\"killSwitch\""), killSwitch); // defaults are not written
        QCOMPARE(canonical.contains("\"dns\""), !servers.isEmpty());
    }

    void parsesWgQuickDnsLine_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QStringList>("servers");
        QTest::addColumn<QStringList>("domains");
        QTest::addColumn<QStringList>("errors"); // substrings, one per error
        QTest::newRow("one server")
            << "10.2.0.1" << QStringList{"10.2.0.1"} << QStringList() << QStringList();
        QTest::newRow("servers and domains")
            << "10.2.0.1, fd00:2::1, corp.example,lab.example"
            << QStringList{"10.2.0.1", "fd00:2::1"} << QStringList{"corp.example", "lab.example"}
            << QStringList();
        QTest::newRow("blanks as separators")
            << " 10.2.0.1  corp.example " << QStringList{"10.2.0.1"} << QStringList{"corp.example"}
            << QStringList();
        QTest::newRow("neither") << "10.2.0.1, bad_name!, 10.2.0.300.1" << QStringList{"10.2.0.1"}
                                 << QStringList()
                                 << QStringList{
                                        "\"bad_name!\" is neither an IP address nor a domain name",
                                        "\"10.2.0.300.1\" is neither"};
        QTest::newRow("empty") << "" << QStringList() << QStringList() << QStringList();
    }
    void parsesWgQuickDnsLine()
    {
        QFETCH(QString, line);
        QFETCH(QStringList, servers);
        QFETCH(QStringList, domains);
        QFETCH(QStringList, errors);
        QStringList problems;
        const DnsConfig dns = parseDnsList(line, &problems);
        QStringList got;
        for (const QHostAddress& a : dns.servers)
            got << a.toString();
        QCOMPARE(got, servers);
        QCOMPARE(dns.domains, domains);
        QCOMPARE(problems.size(), errors.size());
        for (int i = 0; i < errors.size(); ++i)
            QVERIFY2(problems[i].contains(errors[i]), qPrintable(problems[i]));
    }

    void importsDnsFromWgQuick()
    {
        const QByteArray text = QByteArray("[Interface]\nPrivateKey = ") + kPrivate +
                                "\nAddress = 10.66.0.2/32\nListenPort = 51821\n"
                                "DNS = 10.2.0.1, fd00:2::1, corp.example\n\n[Peer]\nPublicKey = " +
                                kPeerPublic +
                                "\nAllowedIPs = 0.0.0.0/0\nEndpoint = 192.0.2.1:51820\n";
        const WgQuickImport r = importWgQuick(text, QStringLiteral("provider"));
        QVERIFY2(r.profile.has_value(), qPrintable(describe(r.errors)));
        QCOMPARE(r.profile->interface.dns.servers,
                 (QList<QHostAddress>{QHostAddress("10.2.0.1"), QHostAddress("fd00:2::1")}));
        QCOMPARE(r.profile->interface.dns.domains, QStringList{"corp.example"});
        for (const QString& note : r.notes)
            QVERIFY2(!note.contains(QStringLiteral("DNS")), qPrintable(note)); // carried over
        QVERIFY(!r.profile->interface.killSwitch); // never turned on behind the user's back
    }

    void refusesBadWgQuickDnsEntries()
    {
        const QByteArray text = QByteArray("[Interface]\nPrivateKey = ") + kPrivate +
                                "\nAddress = 10.66.0.2/32\nDNS = 10.2.0.1, not a*domain\n\n[Peer]\n"
                                "PublicKey = " +
                                kPeerPublic +
                                "\nAllowedIPs = 0.0.0.0/0\nEndpoint = 192.0.2.1:51820\n";
        const WgQuickImport r = importWgQuick(text, QStringLiteral("provider"));
        QVERIFY(!r.profile.has_value());
        QCOMPARE(r.errors.size(), 1);
        QCOMPARE(r.errors[0].field, QStringLiteral("line 4"));
        QVERIFY2(r.errors[0].message.contains(QStringLiteral("\"a*domain\" is neither")),
                 qPrintable(r.errors[0].message));
    }
};

QTEST_GUILESS_MAIN(TestProfileDns)
#include "tst_profile_dns.moc"
