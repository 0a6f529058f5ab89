// parseResolvConf: which servers peer host names are asked, when systemd-resolved reports none.
#include "ResolvConf.h"

#include <QStringList>
#include <QTest>

using peertun::engine::IpAddress;
using peertun::engine::parseResolvConf;

class TestResolvConf final : public QObject
{
    Q_OBJECT

private slots:
    void parses_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QStringList>("servers");
        QTest::newRow("one") << QByteArray("nameserver 192.0.2.53\n") << QStringList{"192.0.2.53"};
        QTest::newRow("order kept, options ignored")
            << QByteArray("search example.test\noptions edns0 trust-ad\nnameserver 192.0.2.1\n"
                          "nameserver 2001:db8::53\nnameserver 192.0.2.2\n")
            << QStringList{"192.0.2.1", "2001:db8::53", "192.0.2.2"};
        // systemd-resolved's stubs would send the query wherever resolved does, unmarked.
        QTest::newRow("resolved stub only") << QByteArray(
            "# This is /run/systemd/resolve/stub-resolv.conf\nnameserver 127.0.0.53\n"
            "options edns0 trust-ad\nsearch .\n")
                                             << QStringList{};
        QTest::newRow("resolved proxy stub") << QByteArray("nameserver 127.0.0.54\n")
                                             << QStringList{};
        QTest::newRow("stub and a real server")
            << QByteArray("nameserver 127.0.0.53\nnameserver 10.0.0.1\n") << QStringList{"10.0.0.1"};
        QTest::newRow("a local resolver that is not the stub")
            << QByteArray("nameserver 127.0.0.1\n") << QStringList{"127.0.0.1"};
        QTest::newRow("comments") << QByteArray("#nameserver 192.0.2.9\n; nameserver 192.0.2.8\n"
                                                "nameserver 192.0.2.7 # the office\n")
                                  << QStringList{"192.0.2.7"};
        QTest::newRow("duplicates") << QByteArray("nameserver 192.0.2.1\nnameserver 192.0.2.1\n")
                                    << QStringList{"192.0.2.1"};
        QTest::newRow("scoped link-local left out")
            << QByteArray("nameserver fe80::1%eth0\nnameserver 192.0.2.1\n")
            << QStringList{"192.0.2.1"};
        QTest::newRow("malformed lines")
            << QByteArray("nameserver\nnameserver vpn.example.test\nnameserver 300.1.1.1\n"
                          "nameservers 192.0.2.5\nNAMESERVER 192.0.2.6\n\tnameserver 192.0.2.4\n")
            << QStringList{"192.0.2.4"};
        QTest::newRow("no newline at the end") << QByteArray("nameserver 192.0.2.3")
                                               << QStringList{"192.0.2.3"};
        QTest::newRow("empty") << QByteArray() << QStringList{};
    }
    void parses()
    {
        QFETCH(QByteArray, text);
        QFETCH(QStringList, servers);
        QStringList got;
        for (const IpAddress& a : parseResolvConf(std::string_view(text.constData(), size_t(text.size())))) {
            got << QString::fromStdString(a.toString());
        }
        QCOMPARE(got, servers);
    }

    void missingFileIsNoServers()
    {
        QVERIFY(peertun::engine::readResolvConf("/nonexistent/resolv.conf").empty());
    }
};

QTEST_APPLESS_MAIN(TestResolvConf)
#include "tst_resolvconf.moc"
