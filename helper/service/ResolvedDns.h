// A tunnel's DNS through systemd-resolved's D-Bus API (org.freedesktop.resolve1.Manager), the
// way resolvectl sets a link: SetLinkDNS, SetLinkDomains, SetLinkDefaultRoute; RevertLink on
// the way out. Blocking calls with short timeouts on the system bus, so it works the same in
// the D-Bus helper and in --standalone (which runs no D-Bus service of its own).
#pragma once

#include "Profile.h"

#include <QDBusConnection>
#include <QList>
#include <QString>

namespace peertun {

class ResolvedLink
{
public:
    // What ListTunnels, the log and the CLI say when resolved cannot be reached.
    static QString notRunningText();

    // Applies `dns` to the link. A full tunnel (`defaultRoute`) also gets the routing-only
    // domain "~." and the DNS default route, so every name goes to the tunnel's servers, and
    // other links lose their own "~." until this link is reverted (they would share the
    // queries otherwise). Never throws: the outcome is in applied() / problem().
    ResolvedLink(int ifindex, const QString& ifName, const DnsConfig& dns, bool defaultRoute);
    // RevertLink, and the other links' "~." back.
    ~ResolvedLink();
    ResolvedLink(const ResolvedLink&) = delete;
    ResolvedLink& operator=(const ResolvedLink&) = delete;

    bool applied() const { return m_applied; }
    // Empty when applied; else one sentence starting "DNS not applied: ".
    QString problem() const { return m_problem; }
    // One line for the log: what was set.
    QString summary() const;
    // After a network change: resolved may have dropped the link's servers (a link flap) or
    // come up since connect. Applies them again if so; returns a line for the log when it
    // did (or failed to), empty when all was in place.
    QString reapplyIfLost();

private:
    struct RoutingDomain
    {
        int ifindex;
        QString domain;
        bool routingOnly;
    };

    bool apply(QString* problem);
    bool linkHasServers();
    bool call(const QString& method, const QVariantList& args, QString* error);
    void takeOverRootDomain();

    QDBusConnection m_bus;
    int m_ifindex;
    QString m_ifName;
    DnsConfig m_dns;
    bool m_defaultRoute;
    bool m_applied = false;
    bool m_notRunning = false; // the last failed call found no resolved on the bus
    QString m_problem;
    // Other links' domain lists as they were before we took "~." from them.
    QList<QPair<int, QList<RoutingDomain>>> m_taken;
};

} // namespace peertun
