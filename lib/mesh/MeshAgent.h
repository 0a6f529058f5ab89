// One host's membership of a mesh (docs/mesh.md): reads the network config from etcd, takes
// a subnet lease as flannel does, keeps it alive, and turns every other host's lease into a
// Member, emitting the set whenever it changes. It only coordinates: what a member set means
// for a running tunnel (its peers) is the service layer's business.
#pragma once

#include "EtcdClient.h"
#include "FlannelLease.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QMap>
#include <QObject>
#include <QTimer>
#include <memory>
#include <optional>

namespace peertun::mesh {

struct MeshAgentSettings
{
    EtcdSettings etcd;
    QString prefix = QString::fromLatin1(kDefaultMeshPrefix);
    TunnelMode mode = TunnelMode::Plain;
    Endpoint self;     // this host's PublicIP and port, as the others reach it
    QString publicKey; // WireGuard mode: this host's public key
    int leaseTtlSeconds = 30;
    int retryMinMs = 250;  // backoff after a failed call, doubling
    int retryMaxMs = 4000; // up to this
    // Where the search for a free subnet starts (an index into the network's subnets); random
    // when unset. Tests set it to make two hosts race for one subnet.
    std::optional<quint32> searchStart;
};

// The settings a mesh profile gives: its etcd endpoints, prefix and mode, and the endpoint
// others reach this host on: interface.listen's address when it names one, else `publicIp`
// (the caller finds the source address towards etcd with sourceAddressTowards()).
MeshAgentSettings meshAgentSettings(const Profile& profile, const QHostAddress& publicIp,
                                    const QString& publicKey);
// The local address the kernel would send from towards `destination` (no packet is sent).
std::optional<QHostAddress> sourceAddressTowards(const QHostAddress& destination);

class MeshAgent : public QObject
{
    Q_OBJECT
public:
    enum class State { Idle, Joining, Running, Stopped };

    explicit MeshAgent(MeshAgentSettings settings, QObject* parent = nullptr);
    ~MeshAgent() override;

    void start();
    // Revokes the lease (the others see this host go at once), then emits left().
    void leave();

    State state() const { return m_state; }
    bool isReachable() const { return m_reachable; }
    QDateTime unreachableSince() const { return m_unreachableSince; }
    const QString& lastError() const { return m_lastError; }
    // One line for people: "running: ...", "coordination store unreachable since ...", ...
    QString statusText() const;

    const std::optional<NetworkConfig>& networkConfig() const { return m_config; }
    const std::optional<Cidr>& subnet() const { return m_subnet; }
    qint64 leaseId() const { return m_leaseId; }
    // The other hosts, ordered by subnet.
    const QList<Member>& members() const { return m_members; }
    // Ignored leases by reason name ("malformed", ...), each counted once per value.
    const QMap<QString, int>& badLeaseCounts() const { return m_badCounts; }

signals:
    // Once: the subnet is ours and members() holds every other host known at that moment.
    void joined(const peertun::Cidr& subnet);
    void membersChanged(const QList<peertun::mesh::Member>& members);
    void reachabilityChanged(bool reachable);
    void badLease(const QString& key, const QString& reason, const QString& detail);
    // A fault the agent cannot mend by retrying; it has stopped.
    void stopped(const QString& error);
    void left();

private:
    void readConfig(quint64 gen);
    void acquire(quint64 gen);
    void tryPut(quint64 gen, const Cidr& subnet, qint64 expectedModRevision);
    void won(quint64 gen, const Cidr& subnet);
    void syncMembers(quint64 gen);
    void startWatch(quint64 gen, qint64 fromRevision);
    void onEvents(const QList<EtcdEvent>& events);
    void keepAlive();
    void reassert(const EtcdKv& intruder);
    void leaseLost(const QString& why);
    void fault(const QString& error);
    void fatal(const QString& error);
    void markReachable();
    void recompute();
    void noteBad(const QString& keyName, const EtcdKv& kv, const LeaseCheck& check);
    quint64 restart(); // invalidates every call in flight; returns the new generation
    void dropWatch();
    QByteArray subnetsPrefix() const;
    QString ownKeyName() const;
    QByteArray ownValue() const; // our lease's JSON

    MeshAgentSettings m_settings;
    EtcdClient* m_client;
    std::unique_ptr<EtcdWatch> m_watch;
    QTimer m_keepaliveTimer;
    QTimer m_retryTimer;
    QTimer m_recomputeTimer;
    State m_state = State::Idle;
    quint64 m_gen = 0;
    int m_backoffMs = 0;
    int m_raceLosses = 0;
    bool m_keepaliveInFlight = false;

    std::optional<NetworkConfig> m_config;
    std::optional<Cidr> m_subnet;
    bool m_joinAnnounced = false; // joined() is emitted once, after the first member list
    qint64 m_leaseId = 0;
    bool m_reachable = true;
    QDateTime m_unreachableSince;
    QString m_lastError;

    QHash<QString, EtcdKv> m_leases; // every key under <prefix>/subnets/ but ours
    QList<Member> m_members;
    QHash<QString, qint64> m_badSeen; // key name -> mod revision already counted
    QMap<QString, int> m_badCounts;
    QElapsedTimer m_logWindow;
    int m_logsInWindow = 0;
    int m_logsSuppressed = 0;
};

} // namespace peertun::mesh
