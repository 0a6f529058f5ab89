// `cmake --install` of the helper puts the bus policy, activation file, polkit action and
// systemd units where dbus-daemon, polkitd and systemd look, whatever the prefix, with the
// helper's real installed path in Exec=/ExecStart=, and systemd itself accepts the units.
// Installs into a DESTDIR; no root needed.
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
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
    void sysusersCreatesTheHelperUser();
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
    // Both units: the helper's own user, two capabilities, a system call filter and bounds.
    const QList<const char*> confinement{"User=peertun",
                                         "AmbientCapabilities=CAP_NET_ADMIN CAP_NET_BIND_SERVICE",
                                         "CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_BIND_SERVICE",
                                         "NoNewPrivileges=yes",
                                         "SystemCallFilter=@system-service",
                                         "SystemCallArchitectures=native",
                                         "LimitCORE=0",
                                         "ProtectSystem=strict",
                                         "ProtectHome=yes",
                                         "PrivateTmp=yes"};
    for (const char* line : confinement) {
        QVERIFY2(unitText.contains("\n" + QByteArray(line) + "\n"), line);
    }
    for (const char* line : {"Type=dbus", "BusName=io.peertun.Helper1"}) {
        QVERIFY2(unitText.contains("\n" + QByteArray(line) + "\n"), line);
    }
    QVERIFY(unitText.contains("\nMemoryMax="));
    QVERIFY(unitText.contains("\nTasksMax="));
    QFile standalone(root.filePath(QStringLiteral(PEERTUN_SYSTEMD_UNIT_DIR).mid(1) +
                                   QStringLiteral("/peertun@.service")));
    QVERIFY(standalone.open(QIODevice::ReadOnly));
    const QByteArray standaloneText = standalone.readAll();
    for (const char* line : confinement) {
        QVERIFY2(standaloneText.contains("\n" + QByteArray(line) + "\n"), line);
    }
    // The profile stays root's: systemd hands the unprivileged helper a copy.
    QVERIFY(standaloneText.contains("\nLoadCredential=profile:/etc/peertun/%i.json\n"));
    QVERIFY(standaloneText.contains("\nExecStart=" + helper.toUtf8() +
                                    " --standalone ${CREDENTIALS_DIRECTORY}/profile\n"));

    QFile sysusers(root.filePath(QStringLiteral(PEERTUN_SYSUSERS_DIR).mid(1) +
                                 QStringLiteral("/peertun-helper.conf")));
    QVERIFY2(sysusers.open(QIODevice::ReadOnly), qPrintable(sysusers.fileName()));
    QVERIFY(sysusers.readAll().contains("\nu peertun - "));
    QVERIFY(QFile::exists(root.filePath("usr/share/polkit-1/rules.d/60-peertun-resolved.rules")));
    QFile busPolicy(root.filePath("usr/share/dbus-1/system.d/io.peertun.Helper1.conf"));
    QVERIFY(busPolicy.open(QIODevice::ReadOnly));
    const QByteArray busPolicyText = busPolicy.readAll();
    QVERIFY(busPolicyText.contains(
        "<policy user=\"peertun\">\n    <allow own=\"io.peertun.Helper1\"/>"));
    QVERIFY(!busPolicyText.contains("user=\"root\""));
    // Every placeholder (@NAME@) was filled in.
    const QRegularExpression placeholder(QStringLiteral("@[A-Z_]+@"));
    for (const QByteArray* text : {&unitText, &standaloneText, &activationText}) {
        QVERIFY2(!placeholder.match(QString::fromUtf8(*text)).hasMatch(), text->constData());
    }
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

// systemd-sysusers, as postinst runs it, on a root of its own (--root): the shipped file makes
// a system user peertun with a group of its own, no home and no login shell.
void TestInstallLayout::sysusersCreatesTheHelperUser()
{
    const QString sysusers = QStandardPaths::findExecutable(QStringLiteral("systemd-sysusers"));
    QVERIFY2(!sysusers.isEmpty(), "systemd-sysusers is not installed (package systemd)");
    QTemporaryDir root;
    QVERIFY(root.isValid());
    QVERIFY(QDir(root.path()).mkpath(QStringLiteral("etc")));
    QProcess run;
    run.setProcessChannelMode(QProcess::MergedChannels);
    run.start(sysusers, {QStringLiteral("--root=") + root.path(),
                         QStringLiteral(PEERTUN_SOURCE_DIR) +
                             QStringLiteral("/packaging/sysusers.d/peertun-helper.conf")});
    QVERIFY(run.waitForFinished(30000));
    const QByteArray output = run.readAll();
    QVERIFY2(run.exitCode() == 0, output.constData());
    QFile passwd(root.filePath(QStringLiteral("etc/passwd")));
    QVERIFY2(passwd.open(QIODevice::ReadOnly), output.constData());
    QByteArray entry;
    for (const QByteArray& line : passwd.readAll().split('\n')) {
        if (line.startsWith("peertun:")) {
            entry = line;
        }
    }
    const QList<QByteArray> f = entry.split(':'); // name:x:uid:gid:gecos:home:shell
    QVERIFY2(f.size() == 7, entry.constData());
    const uint uid = f.at(2).toUInt();
    QVERIFY2(uid > 0 && uid < 1000, entry.constData()); // a system uid
    QCOMPARE(f.at(5), QByteArray("/nonexistent"));
    QCOMPARE(f.at(6), QByteArray("/usr/sbin/nologin"));
    QFile group(root.filePath(QStringLiteral("etc/group")));
    QVERIFY(group.open(QIODevice::ReadOnly));
    const QByteArray groups = group.readAll();
    QVERIFY2(groups.split('\n').contains("peertun:x:" + f.at(3) + ":"), groups.constData());
}

QTEST_GUILESS_MAIN(TestInstallLayout)
#include "tst_install_layout.moc"
