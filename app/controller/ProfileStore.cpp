#include "ProfileStore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTextStream>

namespace peertun {

namespace {
constexpr QFileDevice::Permissions kOwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
constexpr QFileDevice::Permissions kOwnerDir = kOwnerOnly | QFileDevice::ExeOwner;
const QString kSuffix = QStringLiteral(".json");
} // namespace

ProfileStore::ProfileStore(const QString& dir, QObject* parent)
    : QObject(parent), m_dir(dir.isEmpty() ? defaultDirectory() : dir)
{}

QString ProfileStore::defaultDirectory()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation) +
           QStringLiteral("/profiles");
}

QString ProfileStore::fileNameFor(const QString& profileName)
{
    return profileName + kSuffix;
}

void ProfileStore::reload()
{
    m_profiles.clear();
    const QDir dir(m_dir);
    const QStringList names =
        dir.entryList({QStringLiteral("*.json")}, QDir::Files | QDir::Hidden, QDir::Name);
    for (const QString& name : names) {
        StoredProfile stored;
        stored.fileName = name;
        stored.path = dir.absoluteFilePath(name);
        QFile file(stored.path);
        if (file.size() > kMaxProfileBytes) {
            stored.error = tr("The file is larger than %1 KiB.").arg(kMaxProfileBytes / 1024);
        } else if (!file.open(QIODevice::ReadOnly)) {
            stored.error = tr("The file cannot be read: %1").arg(file.errorString());
        } else {
            const ProfileParseResult result = parseProfile(file.readAll());
            if (result.ok()) {
                stored.profile = result.profile;
                if (fileNameFor(result.profile->name) != name) {
                    // Still usable; saving it again moves it to the matching name.
                    stored.error = tr("The file name does not match the profile name \"%1\".")
                                       .arg(result.profile->name);
                }
            } else {
                stored.error = result.errorText();
            }
        }
        m_profiles << stored;
    }
    emit changed();
}

const StoredProfile* ProfileStore::find(const QString& profileName) const
{
    for (const StoredProfile& p : m_profiles) {
        if (p.profile && p.profile->name == profileName) {
            return &p;
        }
    }
    return nullptr;
}

bool ProfileStore::ensureDirectory(QString* error) const
{
    QDir dir(m_dir);
    if (dir.exists()) {
        return true;
    }
    if (!dir.mkpath(QStringLiteral(".")) || !QFile::setPermissions(m_dir, kOwnerDir)) {
        *error = tr("Cannot create the profile folder %1.").arg(m_dir);
        return false;
    }
    return true;
}

bool ProfileStore::writeFile(const QString& path, const QByteArray& bytes, QString* error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    // On the temporary file, before any byte is in it and before it gets its final name.
    file.setPermissions(kOwnerOnly);
    file.write(bytes);
    if (!file.commit()) {
        *error = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

bool ProfileStore::save(const Profile& profile, const QString& replacing, QString* error)
{
    const QList<ProfileError> problems = validateProfile(profile);
    if (!problems.isEmpty()) {
        ProfileParseResult r;
        r.errors = problems;
        *error = r.errorText();
        return false;
    }
    if (!ensureDirectory(error)) {
        return false;
    }
    const QString fileName = fileNameFor(profile.name);
    const QString path = QDir(m_dir).absoluteFilePath(fileName);
    for (const StoredProfile& existing : std::as_const(m_profiles)) {
        if (existing.fileName != fileName) {
            continue;
        }
        if (!existing.ok()) {
            *error = tr("%1 could not be read and is kept as it is; fix or remove that file "
                        "first, or choose another name.")
                         .arg(existing.path);
            return false;
        }
        if (existing.profile->name != replacing) {
            *error = tr("A profile named \"%1\" already exists.").arg(profile.name);
            return false;
        }
    }
    if (QFile::exists(path) && find(profile.name) == nullptr) {
        // Appeared since the last reload: do not clobber what we have not read.
        *error = tr("%1 already exists.").arg(path);
        reload();
        return false;
    }
    if (!writeFile(path, serializeProfile(profile), error)) {
        return false;
    }
    if (!replacing.isEmpty() && replacing != profile.name) {
        if (const StoredProfile* old = find(replacing)) {
            QFile::remove(old->path);
        }
        QStringList names = connectAtLogin();
        if (const qsizetype i = names.indexOf(replacing); i >= 0) {
            names[i] = profile.name;
            writeConnectAtLogin(names, error);
        }
    }
    reload();
    return true;
}

bool ProfileStore::remove(const QString& profileName, QString* error)
{
    const StoredProfile* stored = find(profileName);
    if (stored == nullptr) {
        *error = tr("There is no profile named \"%1\".").arg(profileName);
        return false;
    }
    if (!QFile::remove(stored->path)) {
        *error = tr("Cannot remove %1.").arg(stored->path);
        return false;
    }
    if (connectsAtLogin(profileName)) {
        QStringList names = connectAtLogin();
        names.removeAll(profileName);
        writeConnectAtLogin(names, error);
    }
    reload();
    return true;
}

QString ProfileStore::connectAtLoginPath() const
{
    return QDir(m_dir).absoluteFilePath(QStringLiteral(".connect-at-login"));
}

QStringList ProfileStore::connectAtLogin() const
{
    QFile file(connectAtLoginPath());
    if (file.size() > kMaxProfileBytes || !file.open(QIODevice::ReadOnly)) {
        return {};
    }
    QStringList names;
    for (const QByteArray& line : file.readAll().split('\n')) {
        const QString name = QString::fromUtf8(line).trimmed();
        if (!name.isEmpty() && !names.contains(name)) {
            names << name;
        }
    }
    return names;
}

bool ProfileStore::connectsAtLogin(const QString& profileName) const
{
    return connectAtLogin().contains(profileName);
}

bool ProfileStore::setConnectAtLogin(const QString& profileName, bool on, QString* error)
{
    QStringList names = connectAtLogin();
    if (names.contains(profileName) == on) {
        return syncAutostartEntry(error);
    }
    if (on) {
        names << profileName;
    } else {
        names.removeAll(profileName);
    }
    return ensureDirectory(error) && writeConnectAtLogin(names, error);
}

bool ProfileStore::writeConnectAtLogin(const QStringList& names, QString* error)
{
    QByteArray bytes;
    for (const QString& name : names) {
        bytes += name.toUtf8() + '\n';
    }
    if (names.isEmpty()) {
        QFile::remove(connectAtLoginPath());
    } else if (!writeFile(connectAtLoginPath(), bytes, error)) {
        return false;
    }
    return syncAutostartEntry(error);
}

QString ProfileStore::autostartEntryPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation) +
           QStringLiteral("/autostart/peertun.desktop");
}

bool ProfileStore::syncAutostartEntry(QString* error) const
{
    const QString path = autostartEntryPath();
    if (connectAtLogin().isEmpty()) {
        if (QFile::exists(path) && !QFile::remove(path)) {
            *error = tr("Cannot remove %1.").arg(path);
            return false;
        }
        return true;
    }
    if (!QDir().mkpath(QFileInfo(path).absolutePath())) {
        *error = tr("Cannot create the folder of %1.").arg(path);
        return false;
    }
    // A non-default profile folder goes on the command line, quoted as the spec asks.
    QString exec = QStringLiteral("peertun --autoconnect");
    if (m_dir != defaultDirectory()) {
        QString quoted = m_dir;
        quoted.replace(QLatin1Char('\\'), QStringLiteral("\\\\"))
            .replace(QLatin1Char('"'), QStringLiteral("\\\""))
            .replace(QLatin1Char('$'), QStringLiteral("\\$"))
            .replace(QLatin1Char('`'), QStringLiteral("\\`"))
            .replace(QLatin1Char('%'), QStringLiteral("%%"));
        exec += QStringLiteral(" --profiles-dir \"%1\"").arg(quoted);
    }
    QByteArray entry;
    QTextStream out(&entry);
    out << "[Desktop Entry]\n"
        << "Type=Application\n"
        << "Name=peertun\n"
        << "Comment=" << tr("Connects the tunnels marked \"Connect when I log in\"") << "\n"
        << "Exec=" << exec << "\n"
        << "Icon=io.peertun.Peertun\n"
        << "NoDisplay=true\n"
        << "X-GNOME-Autostart-enabled=true\n";
    out.flush();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(entry) != entry.size() || !file.commit()) {
        *error = tr("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

QString ProfileStore::freeName(const QString& base) const
{
    const auto taken = [this](const QString& name) {
        for (const StoredProfile& p : m_profiles) {
            if (p.fileName == fileNameFor(name) || (p.profile && p.profile->name == name)) {
                return true;
            }
        }
        return false;
    };
    if (!taken(base)) {
        return base;
    }
    for (int i = 1;; ++i) {
        QString candidate =
            i == 1 ? tr("%1 (copy)").arg(base) : tr("%1 (copy %2)").arg(base).arg(i);
        if (!taken(candidate)) {
            return candidate;
        }
    }
}

bool ProfileStore::exportTo(const Profile& profile, const QString& path, QString* error)
{
    return writeFile(path, serializeProfile(profile), error);
}

std::optional<Profile> ProfileStore::importFrom(const QString& path, QString* error)
{
    QFile file(path);
    if (file.size() > kMaxProfileBytes) {
        *error = tr("%1 is larger than %2 KiB.").arg(path).arg(kMaxProfileBytes / 1024);
        return std::nullopt;
    }
    if (!file.open(QIODevice::ReadOnly)) {
        *error = tr("Cannot read %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    const ProfileParseResult result = parseProfile(file.readAll());
    if (!result.ok()) {
        *error = result.errorText();
        return std::nullopt;
    }
    return result.profile;
}

} // namespace peertun
