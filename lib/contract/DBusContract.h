// Names and types of the io.peertun.Helper1 contract (lib/contract/io.peertun.Helper1.xml),
// shared by the helper's generated adaptor and the clients' generated proxy. The payloads
// (keys, states, value types) are in Payloads.h.
#pragma once

#include "Payloads.h"

#include <QDBusMetaType>
#include <QList>
#include <QString>
#include <QVariantMap>

// The XML annotates aa{sv} as this type; the generated code names it without a namespace.
using QVariantMapList = QList<QVariantMap>;

namespace peertun::dbus {

inline const QString kServiceName = QStringLiteral("io.peertun.Helper1");
inline const QString kObjectPath = QStringLiteral("/io/peertun/Helper1");
inline const QString kInterfaceName = QStringLiteral("io.peertun.Helper1");
// polkit actions (helper/data/io.peertun.policy; AccessPolicy decides which a call needs).
// Connect, and Disconnect/SetPeers of the caller's own tunnels.
inline const QString kControlAction = QStringLiteral("io.peertun.control");
// Connect (or SetPeers) of a full tunnel (a peer with 0.0.0.0/0 or ::/0) or a listen port
// below 1024.
inline const QString kPrivilegedAction = QStringLiteral("io.peertun.control-privileged");
// Disconnect or SetPeers of another user's tunnel.
inline const QString kControlOthersAction = QStringLiteral("io.peertun.control-others");
// The details (peers, keys, endpoints, per-peer counters, log) of other users' tunnels.
inline const QString kReadAction = QStringLiteral("io.peertun.read-details");

// Named errors. Every reply carrying one also carries a full sentence.
inline const QString kErrorNotAuthorized = QStringLiteral("io.peertun.Error.NotAuthorized");
inline const QString kErrorInvalidProfile = QStringLiteral("io.peertun.Error.InvalidProfile");
inline const QString kErrorAlreadyConnected = QStringLiteral("io.peertun.Error.AlreadyConnected");
inline const QString kErrorNotFound = QStringLiteral("io.peertun.Error.NotFound");
inline const QString kErrorBusy = QStringLiteral("io.peertun.Error.Busy");
// polkit refused this uid too often lately; the helper does not ask it again for a while.
inline const QString kErrorRateLimited = QStringLiteral("io.peertun.Error.RateLimited");
inline const QString kErrorFailed = QStringLiteral("io.peertun.Error.Failed");

// Registers the contract's types with QtDBus; call once at start, before any bus traffic
// (also avoids Qt 6.4's sporadic "invalid type" warning).
inline void registerContractTypes()
{
    qDBusRegisterMetaType<QVariantMap>();
    qDBusRegisterMetaType<QVariantMapList>();
    // Signals are matched by the type names in their signatures: make the alias known too.
    qRegisterMetaType<QVariantMapList>("QVariantMapList");
    qDBusRegisterMetaType<QMap<QString, QString>>();
}

} // namespace peertun::dbus
