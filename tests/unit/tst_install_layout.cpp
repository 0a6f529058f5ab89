// `cmake --install` of the helper puts the bus policy, activation file, polkit action and
// systemd units where dbus-daemon, polkitd and systemd look, whatever the prefix, with the
// helper's real installed path in Exec=/ExecStart=, and systemd itself accepts the units.
// Installs into a DESTDIR; no root needed.
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

class TestInstallLayout : public QObject
{
    Q_OBJECT

private slots:
    void installsWhereTheSystemLooks_data();
    void installsWhereTheSystemLooks();
    void systemdAcceptsTheUnits();
};

void TestInstallLayout::installsWhereTheSystemLooks_data()
{
    QTest::addColumn<QString>("prefix");
    QTest::newRow("/usr") << QStringLiteral("/usr");
    QTest::newRow("/opt/peertun") << QStringLiteral("/opt/peertun");
    QTest::newRow("/usr/local") << QStringLiteral("/usr/local");
}

void TestInstallLayout::installsWhereTheSystemLooks()
{
    QFETCH(QString, prefix);
    QTemporaryDir destdir;
    QVERIFY(destdir.isValid());
    QProcess install;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DESTDIR"), destdir.path());
    install.setProcessEnvironment(env);
    install.start(QStringLiteral(PEERTUN_CMAKE_COMMAND),
                  {QStringLiteral("--install"), QStringLiteral(PEERTUN_HELPER_BINARY_DIR),
                   QStringLiteral("--prefix"), prefix});
    QVERIFY(install.waitForFinished(60000));
    QVERIFY2(install.exitCode() == 0, install.readAllStandardError().constData());

    const QDir root(destdir.path());
    const QString helper = prefix + QStringLiteral("/libexec/peertun-helper");
    QVERIFY(QFile::exists(root.filePath(helper.mid(1))));
    QVERIFY(QFile::exists(root.filePath("usr/share/dbus-1/system.d/io.peertun.Helper1.conf")));
    QVERIFY(QFile::exists(root.filePath("usr/share/polkit-1/actions/io.peertun.policy")));
    QVERIFY(QFile::exists(root.filePath("usr/share/dbus-1/interfaces/io.peertun.Helper1.xml")));

    QFile activation(root.filePath("usr/share/dbus-1/system-services/io.peertun.Helper1.service"));
    QVERIFY(activation.open(QIODevice::ReadOnly));
    const QByteArray activationText = activation.readAll();
    QVERIFY2(activationText.contains("\nExec=" + helper.toUtf8() + "\n"),
             activationText.constData());
    QVERIFY(activationText.contains("\nName=io.peertun.Helper1\n"));
    QVERIFY(activationText.contains("\nSystemdService=peertun-helper.service\n"));

    QFile unit(root.filePath(QStringLiteral(PEERTUN_SYSTEMD_UNIT_DIR).mid(1) +
                             QStringLiteral("/peertun-helper.service")));
    QVERIFY2(unit.open(QIODevice::ReadOnly), qPrintable(unit.fileName()));
    const QByteArray unitText = unit.readAll();
    QVERIFY(unitText.contains("\nExecStart=" + helper.toUtf8() + "\n"));
    for (const char* line : {"Type=dbus", "BusName=io.peertun.Helper1", "NoNewPrivileges=yes",
                             "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
                             "CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_BIND_SERVICE"}) {
        QVERIFY2(unitText.contains("\n" + QByteArray(line) + "\n"), line);
    }
    QVERIFY(unitText.contains("@") == false); // every placeholder was filled in
    QVERIFY(activationText.contains("@") == false);
}

namespace {

bool installInto(const QString& destdir, const QString& prefix, QByteArray* error)
{
    QProcess install;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DESTDIR"), destdir);
    install.setProcessEnvironment(env);
    install.start(QStringLiteral(PEERTUN_CMAKE_COMMAND),
                  {QStringLiteral("--install"), QStringLiteral(PEERTUN_HELPER_BINARY_DIR),
                   QStringLiteral("--prefix"), prefix});
    if (!install.waitForFinished(60000) || install.exitCode() != 0) {
        *error = install.readAllStandardError();
        return false;
    }
    return true;
}

} // namespace

// `systemd-analyze verify` parses each unit as systemd would and checks that ExecStart= is an
// executable: a typo in a directive or a value it cannot parse is printed, and fails this.
void TestInstallLayout::systemdAcceptsTheUnits()
{
    const QString analyze = QStandardPaths::findExecutable(QStringLiteral("systemd-analyze"));
    QVERIFY2(!analyze.isEmpty(), "systemd-analyze is not installed (package systemd)");
    QTemporaryDir destdir;
    QVERIFY(destdir.isValid());
    QByteArray error;
    QVERIFY2(installInto(destdir.path(), QStringLiteral("/usr"), &error), error.constData());
    const QString unitDir = destdir.filePath(QStringLiteral(PEERTUN_SYSTEMD_UNIT_DIR).mid(1));
    const QString helper = destdir.filePath(QStringLiteral("usr/libexec/peertun-helper"));

    // The units as installed, with ExecStart= pointing into the DESTDIR where the binary is;
    // the template as an instance (systemd verifies instances, not templates).
    QTemporaryDir units;
    QVERIFY(units.isValid());
    const QList<QPair<QString, QString>> files{
        {QStringLiteral("peertun-helper.service"), QStringLiteral("peertun-helper.service")},
        {QStringLiteral("peertun@.service"), QStringLiteral("peertun@office.service")}};
    QStringList args{QStringLiteral("verify")};
    for (const auto& [installed, checked] : files) {
        QFile in(unitDir + u'/' + installed);
        QVERIFY2(in.open(QIODevice::ReadOnly), qPrintable(in.fileName()));
        QByteArray text = in.readAll();
        QVERIFY2(text.contains("\nExecStart=/usr/libexec/peertun-helper"), text.constData());
        text.replace("\nExecStart=/usr/libexec/peertun-helper", "\nExecStart=" + helper.toUtf8());
        QFile out(units.filePath(checked));
        QVERIFY(out.open(QIODevice::WriteOnly) && out.write(text) == text.size());
        args << out.fileName();
    }
    QProcess verify;
    verify.setProcessChannelMode(QProcess::MergedChannels);
    verify.start(analyze, args);
    QVERIFY(verify.waitForFinished(60000));
    // Outside a booted systemd it may mention missing standard targets; anything about our
    // own files is a finding.
    QByteArray findings;
    for (const QByteArray& line : verify.readAll().split('\n')) {
        if (line.contains("peertun")) {
            findings += line + '\n';
        }
    }
    QVERIFY2(findings.isEmpty(), findings.constData());
    QCOMPARE(verify.exitCode(), 0);
}

QTEST_GUILESS_MAIN(TestInstallLayout)
#include "tst_install_layout.moc"
