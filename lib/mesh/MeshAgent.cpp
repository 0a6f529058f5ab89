#include "MeshAgent.h"

#include <QLoggingCategory>
#include <QRandomGenerator>
#include <algorithm>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace peertun::mesh {

Q_LOGGING_CATEGORY(lcMesh, "peertun.mesh")

namespace {

constexpr int kMaxRaceLosses = 16;
// Bad leases: at most this many log lines a minute, the rest summed up.
constexpr int kLogsPerWindow = 10;
constexpr qint64 kLogWindowMs = 60'000;

QString timeText(const QDateTime& t)
{
    return t.toString(QStringLiteral("yyyy-MM-dd hh:mm:ss"));
}

} // namespace

MeshAgentSettings meshAgentSettings(const Profile& profile, const QHostAddress& publicIp,
                                    const QString& publicKey)
{
    MeshAgentSettings s;
    if (profile.mesh) {
        s.etcd = EtcdSettings::fromMesh(*profile.mesh);
        s.prefix = profile.mesh->prefix;
        s.leaseTtlSeconds = profile.mesh->leaseTtl;
    }
    s.mode = profile.mode;
    const QHostAddress& listen = profile.interface.listen.host;
    const bool specific = !listen.isNull() && listen != QHostAddress(QHostAddress::AnyIPv4) &&
                          listen != QHostAddress(QHostAddress::AnyIPv6);
    s.self = Endpoint{specific ? listen : publicIp, profile.interface.listen.port, {}};
    s.publicKey = publicKey;
    return s;
}

std::optional<QHostAddress> sourceAddressTowards(const QHostAddress& destination)
{
    // connect() on a UDP socket only picks the route and source address.
    const bool v6 = destination.protocol() == QAbstractSocket::IPv6Protocol;
    const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return std::nullopt;
    }
    std::optional<QHostAddress> result;
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (v6) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(9);
        const Q_IPV6ADDR bytes = destination.toIPv6Address();
        std::copy(std::begin(bytes.c), std::end(bytes.c), a->sin6_addr.s6_addr);
        len = sizeof(*a);
    } else {
        auto* a = reinterpret_cast<sockaddr_in*>(&ss);
        a->sin_family = AF_INET;
        a->sin_port = htons(9);
        a->sin_addr.s_addr = htonl(destination.toIPv4Address());
        len = sizeof(*a);
    }
    if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0) {
        sockaddr_storage local{};
        socklen_t localLen = sizeof(local);
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &localLen) == 0) {
            QHostAddress a(reinterpret_cast<sockaddr*>(&local));
            if (!a.isNull()) {
                result = a;
            }
        }
    }
    ::close(fd);
    return result;
}

MeshAgent::MeshAgent(MeshAgentSettings settings, QObject* parent)
    : QObject(parent), m_settings(std::move(settings)),
      m_client(new EtcdClient(m_settings.etcd, this)), m_backoffMs(m_settings.retryMinMs)
{
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, [this] {
        // Resync from the start: the config, our lease, the list, the watch.
        readConfig(restart());
    });
    connect(&m_keepaliveTimer, &QTimer::timeout, this, &MeshAgent::keepAlive);
    m_recomputeTimer.setSingleShot(true);
    m_recomputeTimer.setInterval(0); // one pass per burst of watch events
    connect(&m_recomputeTimer, &QTimer::timeout, this, &MeshAgent::recompute);
}

MeshAgent::~MeshAgent() = default;

void MeshAgent::dropWatch()
{
    // Often called from one of the watch's own signals: delete it once that has returned.
    if (m_watch) {
        m_watch->disconnect(this);
        m_watch.release()->deleteLater();
    }
}

quint64 MeshAgent::restart()
{
    dropWatch();
    m_keepaliveTimer.stop();
    m_keepaliveInFlight = false;
    return ++m_gen;
}

QByteArray MeshAgent::subnetsPrefix() const
{
    return (m_settings.prefix + QStringLiteral("/subnets/")).toUtf8();
}

QByteArray MeshAgent::ownValue() const
{
    LeaseAttrs attrs;
    attrs.publicIp = m_settings.self.host;
    attrs.port = m_settings.self.port;
    attrs.backend = m_config ? m_config->backend : backendForMode(m_settings.mode);
    attrs.publicKey = m_settings.publicKey;
    return serializeLease(attrs);
}

QString MeshAgent::ownKeyName() const
{
    return m_subnet ? subnetKeyName(*m_subnet) : QString();
}

QString MeshAgent::statusText() const
{
    QString text;
    switch (m_state) {
    case State::Idle:
        text = QStringLiteral("not started");
        break;
    case State::Joining:
        text = QStringLiteral("joining");
        break;
    case State::Running:
        text = QStringLiteral("running: subnet %1, %2 members")
                   .arg(m_subnet ? m_subnet->toString() : QString())
                   .arg(m_members.size());
        if (!m_badCounts.isEmpty()) {
            // The counts, so that D-Bus and SIGUSR1 show what the rate-limited log left out.
            QStringList counts;
            for (auto it = m_badCounts.cbegin(); it != m_badCounts.cend(); ++it) {
                counts << QStringLiteral("%1 %2").arg(it.key()).arg(it.value());
            }
            text += QStringLiteral("; ignored leases: %1").arg(counts.join(QStringLiteral(", ")));
        }
        break;
    case State::Stopped:
        return m_lastError.isEmpty() ? QStringLiteral("stopped")
                                     : QStringLiteral("stopped: %1").arg(m_lastError);
    }
    if (!m_reachable) {
        text += QStringLiteral("; coordination store %1 since %2 (%3)")
                    .arg(m_lastError.contains(QLatin1String(" answered HTTP "))
                             ? QStringLiteral("refuses requests")
                             : QStringLiteral("unreachable"),
                         timeText(m_unreachableSince), m_lastError);
    } else if (m_state == State::Joining && !m_lastError.isEmpty()) {
        text += QStringLiteral(" (%1)").arg(m_lastError);
    }
    return text;
}

void MeshAgent::start()
{
    if (m_state != State::Idle) {
        return;
    }
    m_state = State::Joining;
    if (m_settings.mode == TunnelMode::WireGuard && m_settings.publicKey.isEmpty()) {
        fatal(QStringLiteral("a WireGuard mesh member needs its public key"));
        return;
    }
    readConfig(restart());
}

void MeshAgent::readConfig(quint64 gen)
{
    const QByteArray key = (m_settings.prefix + QStringLiteral("/config")).toUtf8();
    m_client->range(key, {}, [this, gen, key](const QString& error, const EtcdClient::Range& r) {
        if (gen != m_gen) {
            return;
        }
        if (!error.isEmpty()) {
            fault(error);
            return;
        }
        markReachable();
        if (r.kvs.isEmpty()) {
            // flannel waits for its config too: an operator may write it any moment.
            const QString why = QStringLiteral("etcd has no network config at %1; write one with "
                                               "`peertunctl mesh init`")
                                    .arg(QString::fromUtf8(key));
            if (m_lastError != why) {
                qCWarning(lcMesh).noquote() << why;
            }
            m_lastError = why;
            m_retryTimer.start(m_settings.retryMaxMs);
            return;
        }
        const ConfigParse parsed = parseNetworkConfig(r.kvs.first().value);
        if (!parsed.config) {
            fatal(QStringLiteral("the network config at %1 is unusable: %2")
                      .arg(QString::fromUtf8(key), parsed.error));
            return;
        }
        if (const QString why = checkModeMatchesBackend(m_settings.mode, parsed.config->backend);
            !why.isEmpty()) {
            fatal(why);
            return;
        }
        if (m_config && *m_config != *parsed.config) {
            fatal(QStringLiteral("the network config at %1 changed while this host was a member "
                                 "(now %2); reconnect to join the new network")
                      .arg(QString::fromUtf8(key), QString::fromUtf8(r.kvs.first().value)));
            return;
        }
        m_config = parsed.config;
        acquire(gen);
    });
}

void MeshAgent::acquire(quint64 gen)
{
    if (m_leaseId == 0) {
        m_client->leaseGrant(m_settings.leaseTtlSeconds,
                             [this, gen](const QString& error, const EtcdClient::Lease& l) {
                                 if (gen != m_gen) {
                                     return;
                                 }
                                 if (!error.isEmpty()) {
                                     fault(error);
                                     return;
                                 }
                                 m_leaseId = l.id;
                                 acquire(gen);
                             });
        return;
    }
    const QByteArray prefix = subnetsPrefix();
    m_client->range(
        prefix, EtcdClient::prefixEnd(prefix),
        [this, gen, prefix](const QString& error, const EtcdClient::Range& r) {
            if (gen != m_gen) {
                return;
            }
            if (!error.isEmpty()) {
                fault(error);
                return;
            }
            QSet<quint32> taken;
            std::optional<EtcdKv> own;
            std::optional<std::pair<Cidr, qint64>> reclaim;
            for (const EtcdKv& kv : r.kvs) {
                const QString name = QString::fromUtf8(kv.key.mid(prefix.size()));
                if (const auto s = parseSubnetKeyName(name)) {
                    taken.insert(s->address.toIPv4Address());
                }
                if (m_subnet && name == ownKeyName()) {
                    own = kv;
                }
                if (!m_subnet && !reclaim) {
                    // flannel: a lease that names our PublicIP is ours from an earlier run;
                    // the port too here, as two tunnels of one host may share a PublicIP.
                    const LeaseCheck c = parseLease(name, kv.value, *m_config);
                    if (c.member && c.member->endpoint == m_settings.self) {
                        reclaim = std::pair{c.member->subnet, kv.modRevision};
                    }
                }
            }
            if (m_subnet) {
                // We held a subnet before (lease expired or store lost): that one or none.
                if (!own) {
                    tryPut(gen, *m_subnet, 0);
                } else if (own->lease == m_leaseId) {
                    won(gen, *m_subnet);
                } else if (leasePublicIp(own->value) == m_settings.self.host) {
                    tryPut(gen, *m_subnet, own->modRevision);
                } else {
                    fatal(QStringLiteral(
                              "this host's lease on %1 expired while it was cut off from etcd, and "
                              "another host (%2) has taken the subnet since; peertun never takes "
                              "another host's subnet, so the mesh stops here: reconnect to join "
                              "with a new subnet")
                              .arg(m_subnet->toString(),
                                   leasePublicIp(own->value).value_or(QHostAddress()).toString()));
                }
                return;
            }
            if (reclaim) {
                qCInfo(lcMesh).noquote()
                    << QStringLiteral("taking back subnet %1, whose lease names "
                                      "this host's PublicIP %2")
                           .arg(reclaim->first.toString(), m_settings.self.host.toString());
                tryPut(gen, reclaim->first, reclaim->second);
                return;
            }
            const quint32 start =
                m_settings.searchStart.value_or(QRandomGenerator::global()->generate());
            const auto subnet = chooseSubnet(*m_config, taken, start);
            if (!subnet) {
                fatal(QStringLiteral("the network %1 is full: all %2 subnets of /%3 are leased")
                          .arg(m_config->network.toString())
                          .arg(subnetCount(*m_config))
                          .arg(m_config->subnetLen));
                return;
            }
            tryPut(gen, *subnet, 0);
        });
}

void MeshAgent::tryPut(quint64 gen, const Cidr& subnet, qint64 expectedModRevision)
{
    const QByteArray key = subnetsPrefix() + subnetKeyName(subnet).toUtf8();
    m_client->putIf(
        key, ownValue(), m_leaseId, expectedModRevision,
        [this, gen, subnet](const QString& error, const EtcdClient::Txn& t) {
            if (gen != m_gen) {
                return;
            }
            if (!error.isEmpty()) {
                if (error.contains(QLatin1String("requested lease not found"))) {
                    m_leaseId = 0; // it expired while we were away: get a new one
                    acquire(gen);
                    return;
                }
                fault(error);
                return;
            }
            markReachable();
            if (t.succeeded) {
                won(gen, subnet);
                return;
            }
            // Someone else wrote the key between our list and our transaction.
            if (++m_raceLosses > kMaxRaceLosses) {
                fatal(QStringLiteral("lost the race for a free subnet %1 times in a row; the "
                                     "network is too busy or nearly full")
                          .arg(kMaxRaceLosses));
                return;
            }
            qCInfo(lcMesh).noquote() << QStringLiteral("another host took %1 first; choosing again")
                                            .arg(subnet.toString());
            acquire(gen);
        });
}

void MeshAgent::won(quint64 gen, const Cidr& subnet)
{
    m_raceLosses = 0;
    m_subnet = subnet;
    m_state = State::Running;
    m_keepaliveTimer.start(std::max(500, m_settings.leaseTtlSeconds * 1000 / 3));
    syncMembers(gen); // joined() follows the member list
}

void MeshAgent::syncMembers(quint64 gen)
{
    const QByteArray prefix = subnetsPrefix();
    m_client->range(prefix, EtcdClient::prefixEnd(prefix),
                    [this, gen, prefix](const QString& error, const EtcdClient::Range& r) {
                        if (gen != m_gen) {
                            return;
                        }
                        if (!error.isEmpty()) {
                            fault(error);
                            return;
                        }
                        markReachable();
                        m_leases.clear();
                        const QString own = ownKeyName();
                        for (const EtcdKv& kv : r.kvs) {
                            const QString name = QString::fromUtf8(kv.key.mid(prefix.size()));
                            if (name != own) {
                                m_leases.insert(name, kv);
                            }
                        }
                        recompute();
                        if (!m_joinAnnounced) {
                            // Only now, with every member known: the others learn our lease
                            // from their watch at once and may start a WireGuard handshake as
                            // soon as our tunnel is up; one that came before our peers would
                            // be dropped and retried only after REKEY_TIMEOUT (5 s).
                            m_joinAnnounced = true;
                            qCInfo(lcMesh).noquote()
                                << QStringLiteral("joined %1 with subnet %2 (lease %3, TTL %4 s)")
                                       .arg(m_config->network.toString(), m_subnet->toString())
                                       .arg(m_leaseId)
                                       .arg(m_settings.leaseTtlSeconds);
                            emit joined(*m_subnet);
                        }
                        startWatch(gen, r.revision + 1);
                    });
}

void MeshAgent::startWatch(quint64 gen, qint64 fromRevision)
{
    const QByteArray prefix = subnetsPrefix();
    dropWatch();
    m_watch.reset(m_client->watch(prefix, EtcdClient::prefixEnd(prefix), fromRevision));
    EtcdWatch* w = m_watch.get();
    connect(w, &EtcdWatch::events, this, &MeshAgent::onEvents);
    connect(w, &EtcdWatch::compacted, this, [this, gen](qint64 compactRevision) {
        if (gen != m_gen) {
            return;
        }
        qCInfo(lcMesh).noquote() << QStringLiteral("the watch fell behind compaction (revision "
                                                   "%1); listing again")
                                        .arg(compactRevision);
        syncMembers(gen);
    });
    connect(w, &EtcdWatch::failed, this, [this, gen](const QString& error) {
        if (gen == m_gen) {
            fault(error);
        }
    });
}

void MeshAgent::onEvents(const QList<EtcdEvent>& events)
{
    const QByteArray prefix = subnetsPrefix();
    const QString own = ownKeyName();
    for (const EtcdEvent& e : events) {
        const QString name = QString::fromUtf8(e.kv.key.mid(prefix.size()));
        if (name == own) {
            if (e.deleted) {
                leaseLost(QStringLiteral("the lease key of %1 was deleted").arg(own));
                return;
            }
            if (e.kv.lease != m_leaseId) {
                reassert(e.kv);
            }
            continue;
        }
        if (e.deleted) {
            m_leases.remove(name);
            m_badSeen.remove(name);
        } else {
            m_leases.insert(name, e.kv);
        }
    }
    m_recomputeTimer.start();
}

void MeshAgent::reassert(const EtcdKv& intruder)
{
    // Someone wrote over our key while our lease holds the subnet: the subnet stays ours, so
    // the write is a bad lease, and our value goes back (unless the key changed again since).
    const QString own = ownKeyName();
    const auto ip = leasePublicIp(intruder.value);
    noteBad(own, intruder,
            {std::nullopt, BadLease::ClaimsOurSubnet,
             QStringLiteral("it overwrote this host's lease on %1 (PublicIP %2); putting ours back")
                 .arg(m_subnet->toString(), ip ? ip->toString() : QStringLiteral("unreadable"))});
    const quint64 gen = m_gen;
    m_client->putIf(subnetsPrefix() + own.toUtf8(), ownValue(), m_leaseId, intruder.modRevision,
                    [this, gen](const QString& error, const EtcdClient::Txn&) {
                        if (gen == m_gen && !error.isEmpty()) {
                            fault(error);
                        }
                    });
}

void MeshAgent::keepAlive()
{
    if (m_keepaliveInFlight || m_leaseId == 0) {
        return;
    }
    m_keepaliveInFlight = true;
    const quint64 gen = m_gen;
    m_client->leaseKeepAlive(m_leaseId, [this, gen](const QString& error, qint64 ttl) {
        if (gen != m_gen) {
            return;
        }
        m_keepaliveInFlight = false;
        if (!error.isEmpty()) {
            fault(error);
        } else if (ttl <= 0) {
            leaseLost(QStringLiteral("lease %1 expired").arg(m_leaseId));
        } else {
            markReachable();
        }
    });
}

void MeshAgent::leaseLost(const QString& why)
{
    qCWarning(lcMesh).noquote() << why
                                << QStringLiteral("; taking %1 back if it is still free")
                                       .arg(m_subnet ? m_subnet->toString() : QString());
    const quint64 gen = restart();
    m_leaseId = 0;
    m_state = State::Joining;
    acquire(gen); // the same subnet, or a clear stop
}

void MeshAgent::fault(const QString& error)
{
    m_lastError = error;
    if (m_reachable) {
        m_reachable = false;
        m_unreachableSince = QDateTime::currentDateTime();
        // An etcd that answers but refuses (authentication, permissions) is not usable either,
        // but the words should not send anyone looking for a network fault.
        const bool refused = error.contains(QLatin1String(" answered HTTP "));
        qCWarning(lcMesh).noquote() << QStringLiteral("coordination store %1 since %2: %3; keeping "
                                                      "the %4 known members")
                                           .arg(refused ? QStringLiteral("refuses requests")
                                                        : QStringLiteral("unreachable"))
                                           .arg(timeText(m_unreachableSince), error)
                                           .arg(m_members.size());
        emit reachabilityChanged(false);
    }
    restart();
    m_retryTimer.start(m_backoffMs);
    m_backoffMs = std::min(m_settings.retryMaxMs, m_backoffMs * 2);
}

void MeshAgent::markReachable()
{
    m_backoffMs = m_settings.retryMinMs;
    if (!m_reachable) {
        m_reachable = true;
        qCInfo(lcMesh).noquote() << QStringLiteral("coordination store reachable again (cut off "
                                                   "since %1)")
                                        .arg(timeText(m_unreachableSince));
        m_lastError.clear();
        emit reachabilityChanged(true);
    }
}

void MeshAgent::fatal(const QString& error)
{
    restart();
    m_retryTimer.stop();
    m_state = State::Stopped;
    m_lastError = error;
    qCCritical(lcMesh).noquote() << QStringLiteral("mesh agent stopped:") << error;
    if (m_leaseId != 0) {
        m_client->leaseRevoke(m_leaseId, [](const QString&, bool) {});
        m_leaseId = 0;
    }
    emit stopped(error);
}

void MeshAgent::leave()
{
    restart();
    m_retryTimer.stop();
    m_state = State::Stopped;
    if (m_leaseId == 0) {
        QMetaObject::invokeMethod(this, &MeshAgent::left, Qt::QueuedConnection);
        return;
    }
    const qint64 id = m_leaseId;
    m_leaseId = 0;
    m_client->leaseRevoke(id, [this, id](const QString& error, bool) {
        if (!error.isEmpty()) {
            qCWarning(lcMesh).noquote()
                << QStringLiteral("could not revoke lease %1 (it expires by itself): %2")
                       .arg(id)
                       .arg(error);
        }
        emit left();
    });
}

void MeshAgent::recompute()
{
    if (!m_config) {
        return;
    }
    QList<Member> members;
    members.reserve(m_leases.size());
    for (auto it = m_leases.cbegin(); it != m_leases.cend(); ++it) {
        const LeaseCheck check =
            checkAgainstSelf(parseLease(it.key(), it->value, *m_config), m_subnet, m_settings.self);
        if (!check.member) {
            noteBad(it.key(), *it, check);
            continue;
        }
        Member m = *check.member;
        m.leaseId = it->lease;
        members.append(m);
    }
    std::sort(members.begin(), members.end(), [](const Member& a, const Member& b) {
        return a.subnet.address.toIPv4Address() < b.subnet.address.toIPv4Address();
    });
    if (members != m_members) {
        m_members = std::move(members);
        emit membersChanged(m_members);
    }
}

void MeshAgent::noteBad(const QString& keyName, const EtcdKv& kv, const LeaseCheck& check)
{
    if (m_badSeen.value(keyName, -1) == kv.modRevision) {
        return; // this very value is counted already
    }
    m_badSeen.insert(keyName, kv.modRevision);
    const QString reason = badLeaseName(check.reason);
    ++m_badCounts[reason];
    emit badLease(keyName, reason, check.detail);
    if (!m_logWindow.isValid() || m_logWindow.elapsed() > kLogWindowMs) {
        if (m_logsSuppressed > 0) {
            qCWarning(lcMesh).noquote()
                << QStringLiteral("%1 more bad leases were ignored without a log line")
                       .arg(m_logsSuppressed);
        }
        m_logWindow.start();
        m_logsInWindow = 0;
        m_logsSuppressed = 0;
    }
    if (++m_logsInWindow <= kLogsPerWindow) {
        // The whole key: one helper may run several meshes.
        qCWarning(lcMesh).noquote()
            << QStringLiteral("ignoring the lease %1%2 (%3): %4")
                   .arg(QString::fromUtf8(subnetsPrefix()), keyName.left(64), reason, check.detail);
    } else {
        ++m_logsSuppressed;
    }
}

} // namespace peertun::mesh
