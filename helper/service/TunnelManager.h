// The D-Bus helper's tunnels: owns one engine::Tunnel per name, the shared event log, and the
// periodic counter snapshots. Lives on the main thread; knows nothing of D-Bus messages or
// authorization (HelperService does that) but speaks the contract's value shapes (a{sv}).
#pragma once

#include "DBusContract.h"
#include "MeshRunner.h"
#include "Profile.h"
#include "ResolvedDns.h"
#include "RunningTunnel.h"

#include <QObject>
#include <QTimer>
#include <map>
#include <memory>
#include <optional>

namespace peertun {

// Who reads: a uid, and whether it sees every tunnel's details (root, or a connection
// polkit allowed io.peertun.read-details). Others see the details of their own tunnels only,
// and of other tunnels just name, state, mode and since when.
struct TunnelViewer
{
    uint32_t uid = 0;
    bool seesAll = true;
    bool mayRead(uint32_t ownerUid) const { return seesAll || uid == ownerUid; }
};

class TunnelManager : public QObject
{
    Q_OBJECT
public:
    // A hostile local caller may fill these up but never get past them.
    static constexpr int kMaxTunnels = 16;
    static constexpr size_t kLogCapacity = 2000;
    static constexpr size_t kMaxLogEntriesPerCall = 500;
    static constexpr int kStatsIntervalMs = 500; // StatsUpdated at most twice a second

    // A named D-Bus error and its sentence.
    struct Failure
    {
        QString errorName;
        QString message;
    };

    // `factory` brings tunnels up; by default engine::Tunnel (tests pass a fake).
    explicit TunnelManager(TunnelFactory factory = {}, QObject* parent = nullptr);
    ~TunnelManager() override;

    using Viewer = TunnelViewer;
    // Log entries of a name everyone may read: a kill switch a killed helper left. Its owner
    // is unknown, and the block it keeps holds every local user's traffic.
    static constexpr uint32_t kEveryone = UINT32_MAX;

    // Brings up the tunnel of a validated profile, owned by `ownerUid` (the caller's uid).
    // `reason` (e.g. "requested by uid 1000") goes into the tunnel's log and stateChanged.
    std::optional<Failure> connectTunnel(const Profile& profile, const QString& reason,
                                         uint32_t ownerUid = 0);
    std::optional<Failure> disconnectTunnel(const QString& name, const QString& reason);
    // Replaces the peers of a running tunnel with those of `profile` (validated, of the
    // tunnel's mode; nothing else of it is used). Emits peersChanged.
    std::optional<Failure> setPeers(const QString& name, const Profile& profile,
                                    const QString& reason);
    // Tears every tunnel down (helper exit).
    void disconnectAll(const QString& reason);

    int tunnelCount() const { return int(m_tunnels.size()); }
    // The owner of a running tunnel; nullopt for an unknown name and for a leftover kill
    // switch (no owner: anyone allowed to control tunnels may lift it, and anyone sees it).
    std::optional<uint32_t> ownerOf(const QString& name) const;
    QVariantMapList tunnels(const Viewer& viewer = {}) const;
    std::optional<QVariantMap> stats(const QString& name) const;
    // The entries `viewer` may read: helper-wide ones without a subject, those about its own
    // uid, and those of tunnels it owned when they were written (a name may change hands).
    QVariantMapList logSince(quint64 afterSeq, const Viewer& viewer = {}) const;
    // `subjectUid`: the uid a security event is about (that uid may read the entry).
    void log(engine::LogLevel level, const QString& tunnel, const QString& text,
             std::optional<uint32_t> subjectUid = std::nullopt);
    // A change of the network no netlink event tells of (resume from suspend): every tunnel
    // handles it as its underlay watcher handles one it saw.
    void underlayChanged(const QString& reason);

signals:
    void stateChanged(const QString& name, const QString& state, const QString& reason);
    void peersChanged(const QString& name);
    void statsUpdated(const QVariantMapList& stats);
    void logEntry(const QVariantMap& entry);

private:
    struct Entry
    {
        Profile profile;
        uint32_t ownerUid = 0;
        std::unique_ptr<RunningTunnel> tunnel;
        std::unique_ptr<ResolvedLink> dns; // declared after tunnel: reverted before it goes
        std::unique_ptr<MeshRunner> mesh;  // a mesh profile's agent; null for a static one
        dbus::TunnelState state = dbus::TunnelState::Connecting;
        qint64 sinceUnixMs = 0;
        engine::TunnelStats lastPublished;
        int64_t networkChangeSeen = 0; // the tunnel's networkChangedUnixMs last acted on
        qint64 storeUnreachablePublished = 0;
    };

    // Brings up the tunnel of a static profile into `entry` (states and log on failure).
    std::optional<Failure> bringUp(const QString& name, const Profile& profile, Entry& entry);
    void connected(const QString& name);
    // A mesh profile: the agent joins; the tunnel comes up once the lease is taken.
    std::optional<Failure> joinMesh(const Profile& profile);
    void dropMesh(const QString& name);
    void publishStatsIfChanged();
    // After a network change: the link's DNS back in systemd-resolved if it was dropped.
    void keepDns(const QString& name, Entry& entry, const engine::TunnelStats& stats);
    void setState(const QString& name, dbus::TunnelState state, const QString& reason);
    // Kill-switch chains a killed helper left: found at start, kept (traffic stays blocked)
    // until that profile is connected again or disconnected.
    void adoptLeftoverKillSwitches();
    std::optional<engine::LeftoverKillSwitch> takeLeftover(const QString& nameOrDevice);
    // A mesh tunnel's etcd: since when it cannot be reached (Unix ms), 0 = reachable.
    static qint64 storeUnreachableSince(const Entry& entry);
    static QVariantMap statsToVariant(const QString& name, const Entry& entry,
                                      const engine::TunnelStats& stats);

    // Who owned a tunnel name from which log entry on: entries of that name from `fromSeq`
    // up to the next record's belong to `uid`. Pruned with the ring.
    struct Ownership
    {
        QString name;
        uint32_t uid = 0;
        uint64_t fromSeq = 0;
    };
    void recordOwner(const QString& name, uint32_t uid);
    bool ownedAt(const QString& name, uint64_t seq, uint32_t uid) const;

    TunnelFactory m_factory;
    std::vector<Ownership> m_ownerships; // in fromSeq order
    engine::EventLog m_log{kLogCapacity};
    std::map<QString, Entry> m_tunnels;
    std::vector<engine::LeftoverKillSwitch> m_leftovers;
    QTimer m_statsTimer;
};

} // namespace peertun
