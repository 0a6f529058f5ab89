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

QString stateText(const QString& state)
{
    if (state == QLatin1String("connecting")) {
        return Format::tr("connecting");
    }
    if (state == QLatin1String("connected")) {
        return Format::tr("connected");
    }
    if (state == QLatin1String("disconnecting")) {
        return Format::tr("disconnecting");
    }
    if (state == QLatin1String("failed")) {
        return Format::tr("failed");
    }
    return Format::tr("disconnected");
}

} // namespace peertun
