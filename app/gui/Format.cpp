#include "Format.h"

#include <QCoreApplication>
#include <QLocale>
#include <cmath>

namespace peertun {

namespace {
// Gives these free functions a translation context ("Format").
class Format
{
    Q_DECLARE_TR_FUNCTIONS(Format)
};
} // namespace

QString formatBytes(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

QString formatRate(double bytesPerSecond)
{
    return Format::tr("%1/s").arg(formatBytes(qint64(std::llround(bytesPerSecond))));
}

QString formatAge(qint64 unixMs, qint64 nowMs)
{
    if (unixMs <= 0) {
        return Format::tr("never");
    }
    const qint64 seconds = std::max<qint64>(0, (nowMs - unixMs) / 1000);
    if (seconds < 120) {
        return Format::tr("%n s ago", nullptr, int(seconds));
    }
    if (seconds < 7200) {
        return Format::tr("%n min ago", nullptr, int(seconds / 60));
    }
    return Format::tr("%n h ago", nullptr, int(seconds / 3600));
}

QString stateText(dbus::TunnelState state)
{
    switch (state) {
    case dbus::TunnelState::Connecting:
        return Format::tr("connecting");
    case dbus::TunnelState::Connected:
        return Format::tr("connected");
    case dbus::TunnelState::Disconnecting:
        return Format::tr("disconnecting");
    case dbus::TunnelState::Failed:
        return Format::tr("failed");
    case dbus::TunnelState::Blocked:
        return Format::tr("blocked");
    case dbus::TunnelState::Disconnected:
        break;
    }
    return Format::tr("disconnected");
}

} // namespace peertun
