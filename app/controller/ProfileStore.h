// The user's profiles on disk: one JSON file per profile under the app's config dir, written
// atomically (QSaveFile) with mode 0600. A file that does not parse stays listed with its
// error and is never overwritten or removed by the app.
#pragma once

#include "Profile.h"

#include <QList>
#include <QObject>
#include <QString>
#include <optional>

namespace peertun {

struct StoredProfile
{
    QString fileName;               // "office.json"
    QString path;                   // absolute
    std::optional<Profile> profile; // set when the file is valid
    QString error;                  // why it is not, for the user
    bool ok() const { return profile.has_value(); }
    QString displayName() const { return profile ? profile->name : fileName; }
};

class ProfileStore : public QObject
{
    Q_OBJECT
public:
    // dir empty: <AppConfigLocation>/profiles.
    explicit ProfileStore(const QString& dir = QString(), QObject* parent = nullptr);

    static QString defaultDirectory();
    QString directory() const { return m_dir; }

    // Re-reads the directory (sorted by file name) and emits changed().
    void reload();
    const QList<StoredProfile>& profiles() const { return m_profiles; }
    const StoredProfile* find(const QString& profileName) const;

    // Writes the profile to "<name>.json". replacing: the name it had before an edit (empty for
    // a new profile); when the name changed, the old file is removed after the new one is
    // written. Refuses to overwrite another profile or any broken file.
    bool save(const Profile& profile, const QString& replacing, QString* error);
    bool remove(const QString& profileName, QString* error);
    // The first free "<base> (copy)", "<base> (copy 2)", ... name.
    QString freeName(const QString& base) const;

    // Export writes exactly the bytes the store writes; import parses with the shared library.
    static bool exportTo(const Profile& profile, const QString& path, QString* error);
    static std::optional<Profile> importFrom(const QString& path, QString* error);
    static QString fileNameFor(const QString& profileName);

    // "Connect when I log in": the names are kept in the profile folder (.connect-at-login,
    // one per line, 0600) and follow renames and deletes. While any profile wants it, an XDG
    // autostart entry starts `peertun --autoconnect`; with none, the entry is removed.
    QStringList connectAtLogin() const;
    bool connectsAtLogin(const QString& profileName) const;
    bool setConnectAtLogin(const QString& profileName, bool on, QString* error);
    // ~/.config/autostart/peertun.desktop (XDG_CONFIG_HOME is honoured).
    static QString autostartEntryPath();

signals:
    void changed();

private:
    static bool writeFile(const QString& path, const QByteArray& bytes, QString* error);
    bool ensureDirectory(QString* error) const;
    QString connectAtLoginPath() const;
    bool writeConnectAtLogin(const QStringList& names, QString* error);
    bool syncAutostartEntry(QString* error) const;
    QString m_dir;
    QList<StoredProfile> m_profiles;
};

} // namespace peertun
