// peertunctl genkey / pubkey / import-wg, run as a user would, checked against `wg` itself.
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

namespace {

QByteArray run(const QString& program, const QStringList& args, const QByteArray& input, int* code,
               QByteArray* errors = nullptr)
{
    QProcess p;
    p.start(program, args);
    p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(10000)) {
        qFatal("%s did not finish", qPrintable(program));
    }
    *code = p.exitCode();
    if (errors) {
        *errors = p.readAllStandardError();
    }
    return p.readAllStandardOutput().trimmed();
}

} // namespace

class TestCliKeys final : public QObject
{
    Q_OBJECT

private slots:
    void genkeyAndPubkeyAgreeWithWg()
    {
        const QString wg = QStandardPaths::findExecutable(QStringLiteral("wg"));
        if (wg.isEmpty()) {
            QSKIP("wireguard-tools (wg) is not installed; scripts/deps.sh installs it");
        }
        int code = -1;
        const QByteArray key =
            run(QStringLiteral(PEERTUNCTL), {QStringLiteral("genkey")}, {}, &code);
        QCOMPARE(code, 0);
        QCOMPARE(key.size(), 44);
        const QByteArray ours =
            run(QStringLiteral(PEERTUNCTL), {QStringLiteral("pubkey")}, key + '\n', &code);
        QCOMPARE(code, 0);
        const QByteArray theirs = run(wg, {QStringLiteral("pubkey")}, key + '\n', &code);
        QCOMPARE(code, 0);
        QCOMPARE(ours, theirs);
        // And a key made by wg is read the same way.
        const QByteArray wgKey = run(wg, {QStringLiteral("genkey")}, {}, &code);
        QCOMPARE(run(QStringLiteral(PEERTUNCTL), {QStringLiteral("pubkey")}, wgKey + '\n', &code),
                 run(wg, {QStringLiteral("pubkey")}, wgKey + '\n', &code));
    }

    void pubkeyRejectsGarbageWithoutEchoingIt()
    {
        int code = -1;
        QByteArray errors;
        run(QStringLiteral(PEERTUNCTL), {QStringLiteral("pubkey")}, "not-a-key-but-a-secret\n",
            &code, &errors);
        QCOMPARE(code, 2);
        QVERIFY(errors.contains("not a private key"));
        QVERIFY(!errors.contains("not-a-key-but-a-secret"));
    }

    void importWgPrintsAProfileAndReportsTheRest()
    {
        int code = -1;
        const QByteArray key =
            run(QStringLiteral(PEERTUNCTL), {QStringLiteral("genkey")}, {}, &code);
        const QByteArray peerKey =
            run(QStringLiteral(PEERTUNCTL), {QStringLiteral("genkey")}, {}, &code);
        const QByteArray peerPub =
            run(QStringLiteral(PEERTUNCTL), {QStringLiteral("pubkey")}, peerKey, &code);
        QTemporaryDir dir;
        QFile conf(dir.filePath(QStringLiteral("wg-office.conf")));
        QVERIFY(conf.open(QIODevice::WriteOnly));
        conf.write("[Interface]\nPrivateKey = " + key +
                   "\nAddress = 10.9.0.2/24\nListenPort = 51821\nDNS = 1.1.1.1\nTable = off\n"
                   "[Peer]\nPublicKey = " +
                   peerPub + "\nEndpoint = 10.211.55.123:51820\nAllowedIPs = 10.9.1.0/24\n");
        conf.close();
        QByteArray errors;
        const QByteArray json =
            run(QStringLiteral(PEERTUNCTL), {QStringLiteral("import-wg"), conf.fileName()}, {},
                &code, &errors);
        QCOMPARE(code, 0);
        QVERIFY(json.contains("\"mode\": \"wireguard\""));
        QVERIFY(json.contains("\"name\": \"wg-office\""));
        QVERIFY(json.contains(peerPub));
        QVERIFY(json.contains("\"dns\": { \"servers\": [\"1.1.1.1\"]")); // carried over
        QVERIFY(errors.contains("Table (line 6) is not supported"));
        QVERIFY(!json.contains("killSwitch")); // not a full tunnel
    }

    // A full tunnel is printed with its kill switch on and a note saying so, unless
    // --no-kill-switch.
    void importWgTurnsTheKillSwitchOnForAFullTunnel_data()
    {
        QTest::addColumn<bool>("optOut");
        QTest::newRow("default") << false;
        QTest::newRow("--no-kill-switch") << true;
    }
    void importWgTurnsTheKillSwitchOnForAFullTunnel()
    {
        QFETCH(bool, optOut);
        int code = -1;
        const QByteArray key =
            run(QStringLiteral(PEERTUNCTL), {QStringLiteral("genkey")}, {}, &code);
        const QByteArray peerPub =
            run(QStringLiteral(PEERTUNCTL), {QStringLiteral("pubkey")},
                run(QStringLiteral(PEERTUNCTL), {QStringLiteral("genkey")}, {}, &code), &code);
        QTemporaryDir dir;
        QFile conf(dir.filePath(QStringLiteral("provider.conf")));
        QVERIFY(conf.open(QIODevice::WriteOnly));
        conf.write("[Interface]\nPrivateKey = " + key + "\nAddress = 10.66.0.2/32\n[Peer]\n" +
                   "PublicKey = " + peerPub +
                   "\nEndpoint = 192.0.2.1:51820\nAllowedIPs = 0.0.0.0/0\n");
        conf.close();
        QStringList args{QStringLiteral("import-wg"), conf.fileName()};
        if (optOut) {
            args << QStringLiteral("--no-kill-switch");
        }
        QByteArray errors;
        const QByteArray json = run(QStringLiteral(PEERTUNCTL), args, {}, &code, &errors);
        QCOMPARE(code, 0);
        QCOMPARE(json.contains("\"killSwitch\": true"), !optOut);
        QCOMPARE(errors.contains("its kill switch is on"), !optOut);
    }
};

QTEST_GUILESS_MAIN(TestCliKeys)
#include "tst_cli_keys.moc"
