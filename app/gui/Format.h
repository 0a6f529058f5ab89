// How numbers look in the app: sizes and rates in the user's locale, ages of packets.
#pragma once

#include "Payloads.h"

#include <QString>

namespace peertun {

QString formatBytes(qint64 bytes);
QString formatRate(double bytesPerSecond);
// "never", "3 s ago", "2 min ago" from a Unix time in ms (0 = never).
QString formatAge(qint64 unixMs, qint64 nowMs);
// The state names of the contract, for people.
QString stateText(dbus::TunnelState state);

} // namespace peertun
