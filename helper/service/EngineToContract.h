// The engine's values in the contract's shapes: counters and log entries as the D-Bus payloads
// (lib/contract Payloads.h) carry them. Used by TunnelManager and by `--standalone`.
#pragma once

#include "Counters.h"
#include "EventLog.h"
#include "Payloads.h"
#include "PeerEndpoints.h"

#include <QStringList>

namespace peertun {

// `peerNames` and `endpoints` in the order of the spec's peers; a missing one is empty.
dbus::TunnelCounters countersFromEngine(const QString& name, const engine::TunnelStats& stats,
                                        const QStringList& peerNames,
                                        const std::vector<engine::PeerEndpointStatus>& endpoints);
dbus::EndpointStatus endpointFromEngine(const engine::PeerEndpointStatus& endpoint);
dbus::LogLevel levelFromEngine(engine::LogLevel level);
dbus::LogRecord recordFromEngine(const engine::LogEntry& entry);

} // namespace peertun
