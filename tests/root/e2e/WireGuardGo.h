// Shared by the WireGuard end-to-end tests: key pairs, and Debian's wireguard-go as the other
// end, configured with `wg` the way a user would.
#pragma once

#include "NetnsLab.h"
#include "TestKeys.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QStringList>
#include <QTest>
#include <array>

namespace peertun::testlab {

// A file only its owner may read (profiles and key files hold private keys).
inline bool writePrivateFile(const QString& path, const QString& text)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        return false;
    }
    f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return f.write(text.toUtf8()) == text.toUtf8().size();
}

// wireguard-go's interface in one namespace. Its UAPI socket outlives a killed wireguard-go,
// so the destructor removes it.
class WireGuardGo
{
public:
    explicit WireGuardGo(QString name) : m_name(std::move(name)) {}
    ~WireGuardGo() { QFile::remove(uapiPath()); }
    WireGuardGo(const WireGuardGo&) = delete;
    WireGuardGo& operator=(const WireGuardGo&) = delete;

    const QString& name() const { return m_name; }
    QString uapiPath() const { return "/var/run/wireguard/" + m_name + ".sock"; }

    // Starts it in `ns` and configures it: `wg set NAME listen-port PORT private-key FILE`
    // followed by `peerArgs` (peer KEY [endpoint E] allowed-ips ...), then the address and
    // MTU 1420 on the interface. nullptr (and lab.lastError()) on failure.
    LabProcess* start(NetnsLab& lab, const QString& ns, const KeyPair& keys, int port,
                      const QStringList& peerArgs, const QString& addressWithPrefix)
    {
        QDir().mkpath("/var/run/wireguard");
        QFile::remove(uapiPath());
        LabProcess* wg = lab.start(ns, {"env", "WG_PROCESS_FOREGROUND=1", "wireguard-go", m_name},
                                   "wireguard-go");
        if (!wg) {
            return nullptr;
        }
        QElapsedTimer t;
        t.start();
        while (!QFile::exists(uapiPath())) {
            if (t.elapsed() > 10000) {
                return nullptr;
            }
            QTest::qWait(50);
        }
        const QString keyFile = lab.tempPath(m_name + ".key");
        const bool ok = writePrivateFile(keyFile, keys.privateKey) &&
                        lab.runOk(ns, QStringList{"wg", "set", m_name, "listen-port",
                                                  QString::number(port), "private-key", keyFile} +
                                          peerArgs) &&
                        lab.addAddress(ns, m_name, addressWithPrefix) &&
                        lab.runOk(ns, {"ip", "link", "set", m_name, "mtu", "1420", "up"});
        return ok ? wg : nullptr;
    }

private:
    QString m_name;
};

} // namespace peertun::testlab
