// ProfileStore: one file per profile, atomic 0600 writes, byte-identical round trips, broken
// files listed with their error and never overwritten or removed.
#include "GuiTestProfiles.h"
#include "ProfileStore.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <sys/stat.h>

using namespace peertun;
using namespace peertun::test;

namespace {

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<unreadable>");
}

void writeRaw(const QString& path, const QByteArray& bytes)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(bytes);
}

mode_t modeOf(const QString& path)
{
    struct stat st
    {};
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? (st.st_mode & 07777) : 0;
}

} // namespace

class TestProfileStore : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void savesOneFilePerProfileWithMode0600();
    void saveReloadExportImportAreByteIdentical();
    void brokenFilesAreListedAndNeverOverwritten_data();
    void brokenFilesAreListedAndNeverOverwritten();
    void refusesToClobberAnotherProfile();
    void renameMovesTheFile();
    void removeAndFreeNames();
    void invalidProfileIsNotSaved();
    void importReportsTheValidatorsError();
    void connectAtLoginWritesAndRemovesTheAutostartEntry();
    void connectAtLoginFollowsRenameAndDelete();

private:
    std::unique_ptr<QTemporaryDir> m_tmp;
    QString dir() const { return m_tmp->path() + QStringLiteral("/profiles"); }
};

void TestProfileStore::init()
{
    m_tmp = std::make_unique<QTemporaryDir>();
    QVERIFY(m_tmp->isValid());
    // The autostart entry goes under XDG_CONFIG_HOME: never the real one of whoever runs this.
    qputenv("XDG_CONFIG_HOME", QFile::encodeName(m_tmp->path() + "/config"));
}

void TestProfileStore::savesOneFilePerProfileWithMode0600()
{
    ProfileStore store(dir());
    store.reload();
    QVERIFY(store.profiles().isEmpty());
    QSignalSpy changed(&store, &ProfileStore::changed);
    QString error;
    QVERIFY2(store.save(officeProfile(), QString(), &error), qPrintable(error));
    QVERIFY2(store.save(officeProfile(QStringLiteral("home")), QString(), &error),
             qPrintable(error));
    QVERIFY(changed.size() >= 2);
    QCOMPARE(store.profiles().size(), 2);
    QCOMPARE(store.profiles().at(0).fileName, QStringLiteral("home.json"));
    QCOMPARE(store.profiles().at(1).fileName, QStringLiteral("office.json"));
    QCOMPARE(modeOf(dir() + "/office.json"), mode_t(0600));
    QCOMPARE(modeOf(dir()), mode_t(0700));
    QVERIFY(store.find(QStringLiteral("office")) != nullptr);
    QCOMPARE(*store.find(QStringLiteral("office"))->profile, officeProfile());
}

void TestProfileStore::saveReloadExportImportAreByteIdentical()
{
    QString error;
    {
        ProfileStore store(dir());
        store.reload();
        QVERIFY(store.save(officeProfile(), QString(), &error));
    }
    const QByteArray saved = readAll(dir() + "/office.json");
    QCOMPARE(saved, serializeProfile(officeProfile()));

    ProfileStore reloaded(dir());
    reloaded.reload();
    QCOMPARE(reloaded.profiles().size(), 1);
    QVERIFY(reloaded.profiles().at(0).ok());
    QVERIFY(reloaded.profiles().at(0).error.isEmpty());
    const Profile loaded = *reloaded.profiles().at(0).profile;
    QCOMPARE(loaded, officeProfile());

    const QString exported = m_tmp->path() + "/exported.json";
    QVERIFY2(ProfileStore::exportTo(loaded, exported, &error), qPrintable(error));
    QCOMPARE(readAll(exported), saved);

    const std::optional<Profile> imported = ProfileStore::importFrom(exported, &error);
    QVERIFY2(imported.has_value(), qPrintable(error));
    QCOMPARE(*imported, officeProfile());
    // Saving the imported profile again (replacing itself) leaves the same bytes.
    QVERIFY2(reloaded.save(*imported, QStringLiteral("office"), &error), qPrintable(error));
    QCOMPARE(readAll(dir() + "/office.json"), saved);
}

void TestProfileStore::brokenFilesAreListedAndNeverOverwritten_data()
{
    QTest::addColumn<QByteArray>("contents");
    QTest::addColumn<QString>("expectedError");
    QTest::newRow("malformed JSON") << QByteArray("{\"version\": 1,") << "line";
    QTest::newRow("empty file") << QByteArray() << "";
    QTest::newRow("invalid address")
        << serializeProfile(officeProfile()).replace("10.244.2.2/24", "10.244.2.2/33")
        << "interface.address";
    QTest::newRow("too big") << QByteArray(kMaxProfileBytes + 1, ' ') << "KiB";
}

void TestProfileStore::brokenFilesAreListedAndNeverOverwritten()
{
    QFETCH(QByteArray, contents);
    QFETCH(QString, expectedError);
    QVERIFY(QDir().mkpath(dir()));
    const QString path = dir() + "/office.json";
    writeRaw(path, contents);

    ProfileStore store(dir());
    store.reload();
    QCOMPARE(store.profiles().size(), 1);
    const StoredProfile& broken = store.profiles().at(0);
    QVERIFY(!broken.ok());
    QCOMPARE(broken.displayName(), QStringLiteral("office.json"));
    QVERIFY(!broken.error.isEmpty());
    QVERIFY2(broken.error.contains(expectedError), qPrintable(broken.error));

    // Saving a profile of the same name must not touch the broken file.
    QString error;
    QVERIFY(!store.save(officeProfile(), QString(), &error));
    QVERIFY2(error.contains(path), qPrintable(error));
    QVERIFY(!store.save(officeProfile(), QStringLiteral("office"), &error));
    QCOMPARE(readAll(path), contents);
    // A different name is fine and the broken file stays listed.
    QVERIFY2(store.save(officeProfile(QStringLiteral("office2")), QString(), &error),
             qPrintable(error));
    QCOMPARE(store.profiles().size(), 2);
    QCOMPARE(readAll(path), contents);
    // remove() works by profile name; the broken file has none.
    QVERIFY(!store.remove(QStringLiteral("office"), &error));
    QVERIFY(QFile::exists(path));
}

void TestProfileStore::refusesToClobberAnotherProfile()
{
    ProfileStore store(dir());
    store.reload();
    QString error;
    QVERIFY(store.save(officeProfile(), QString(), &error));
    Profile other = officeProfile();
    other.interface.name = QStringLiteral("pt7");
    QVERIFY(!store.save(other, QString(), &error)); // new profile, name taken
    QVERIFY2(error.contains(QStringLiteral("already exists")), qPrintable(error));
    QCOMPARE(readAll(dir() + "/office.json"), serializeProfile(officeProfile()));
    QVERIFY2(store.save(other, QStringLiteral("office"), &error), qPrintable(error)); // an edit
    QCOMPARE(readAll(dir() + "/office.json"), serializeProfile(other));

    // A file that appeared behind the store's back is not clobbered either.
    writeRaw(dir() + "/late.json", "not mine");
    QVERIFY(!store.save(officeProfile(QStringLiteral("late")), QString(), &error));
    QCOMPARE(readAll(dir() + "/late.json"), QByteArray("not mine"));
}

void TestProfileStore::renameMovesTheFile()
{
    ProfileStore store(dir());
    store.reload();
    QString error;
    QVERIFY(store.save(officeProfile(), QString(), &error));
    QVERIFY2(store.save(officeProfile(QStringLiteral("work")), QStringLiteral("office"), &error),
             qPrintable(error));
    QVERIFY(!QFile::exists(dir() + "/office.json"));
    QVERIFY(QFile::exists(dir() + "/work.json"));
    QCOMPARE(store.profiles().size(), 1);
    QCOMPARE(modeOf(dir() + "/work.json"), mode_t(0600));
}

void TestProfileStore::removeAndFreeNames()
{
    ProfileStore store(dir());
    store.reload();
    QString error;
    QVERIFY(store.save(officeProfile(), QString(), &error));
    QCOMPARE(store.freeName(QStringLiteral("home")), QStringLiteral("home"));
    QCOMPARE(store.freeName(QStringLiteral("office")), QStringLiteral("office (copy)"));
    QVERIFY(store.save(officeProfile(QStringLiteral("office (copy)")), QString(), &error));
    QCOMPARE(store.freeName(QStringLiteral("office")), QStringLiteral("office (copy 2)"));
    QVERIFY2(store.remove(QStringLiteral("office"), &error), qPrintable(error));
    QVERIFY(!QFile::exists(dir() + "/office.json"));
    QCOMPARE(store.profiles().size(), 1);
    QVERIFY(!store.remove(QStringLiteral("office"), &error));
}

void TestProfileStore::invalidProfileIsNotSaved()
{
    ProfileStore store(dir());
    store.reload();
    Profile bad = officeProfile();
    bad.peers.clear();
    QString error;
    QVERIFY(!store.save(bad, QString(), &error));
    QVERIFY2(error.contains(QStringLiteral("peers")), qPrintable(error));
    QVERIFY(!QFile::exists(dir() + "/office.json"));
}

void TestProfileStore::importReportsTheValidatorsError()
{
    const QString path = m_tmp->path() + "/in.json";
    writeRaw(path, serializeProfile(officeProfile()).replace("10.211.55.123:8285", "host_2:8285"));
    QString error;
    QVERIFY(!ProfileStore::importFrom(path, &error).has_value());
    QVERIFY2(error.contains(QStringLiteral("peers[0].endpoint")), qPrintable(error));
    QVERIFY(!ProfileStore::importFrom(m_tmp->path() + "/missing.json", &error).has_value());
    QVERIFY(!error.isEmpty());
}

void TestProfileStore::connectAtLoginWritesAndRemovesTheAutostartEntry()
{
    ProfileStore store(dir());
    QString error;
    QVERIFY(store.save(officeProfile(), QString(), &error));
    QVERIFY(store.save(officeProfile(QStringLiteral("home")), QString(), &error));
    const QString entry = ProfileStore::autostartEntryPath();
    QVERIFY2(entry.startsWith(m_tmp->path() + "/config/autostart/"), qPrintable(entry));
    QVERIFY(!QFile::exists(entry));

    QVERIFY2(store.setConnectAtLogin(QStringLiteral("office"), true, &error), qPrintable(error));
    QVERIFY2(store.setConnectAtLogin(QStringLiteral("home"), true, &error), qPrintable(error));
    QCOMPARE(store.connectAtLogin(), QStringList({"office", "home"}));
    QVERIFY(QFile::exists(entry));
    const QByteArray text = readAll(entry);
    QVERIFY2(text.startsWith("[Desktop Entry]\n"), text.constData());
    QVERIFY2(text.contains("\nType=Application\n"), text.constData());
    // The store's folder is not the default one here, so it goes on the command line.
    const QByteArray exec =
        "\nExec=peertun --autoconnect --profiles-dir \"" + dir().toUtf8() + "\"\n";
    QVERIFY2(text.contains(exec), text.constData());
    QCOMPARE(QFile::permissions(dir() + "/.connect-at-login") &
                 (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteOther),
             QFileDevice::Permissions());

    // Still wanted while one profile is marked; gone with the last one.
    QVERIFY(store.setConnectAtLogin(QStringLiteral("office"), false, &error));
    QVERIFY(QFile::exists(entry));
    QVERIFY(store.setConnectAtLogin(QStringLiteral("home"), false, &error));
    QVERIFY(!QFile::exists(entry));
    QVERIFY(store.connectAtLogin().isEmpty());
    QVERIFY(!QFile::exists(dir() + "/.connect-at-login"));
    // The flag file is not a profile.
    store.reload();
    QCOMPARE(store.profiles().size(), 2);
}

void TestProfileStore::connectAtLoginFollowsRenameAndDelete()
{
    ProfileStore store(dir());
    QString error;
    QVERIFY(store.save(officeProfile(), QString(), &error));
    QVERIFY(store.setConnectAtLogin(QStringLiteral("office"), true, &error));
    QVERIFY2(store.save(officeProfile(QStringLiteral("work")), QStringLiteral("office"), &error),
             qPrintable(error));
    QCOMPARE(store.connectAtLogin(), QStringList({"work"}));
    QVERIFY(store.connectsAtLogin(QStringLiteral("work")));
    QVERIFY(!store.connectsAtLogin(QStringLiteral("office")));
    QVERIFY(QFile::exists(ProfileStore::autostartEntryPath()));
    QVERIFY(store.remove(QStringLiteral("work"), &error));
    QVERIFY(store.connectAtLogin().isEmpty());
    QVERIFY(!QFile::exists(ProfileStore::autostartEntryPath()));
}

QTEST_GUILESS_MAIN(TestProfileStore)
#include "tst_profilestore.moc"
