// What the mesh tests through the helper share: pings between the hosts' namespaces.
#pragma once

#include "NetnsLab.h"

#include <QElapsedTimer>
#include <QString>

namespace peertun::testlab {

// `count` echo requests 0.2 s apart, each answered within `wait` seconds.
inline bool pingFrom(NetnsLab& lab, const QString& ns, const QString& to, int count,
                     const char* wait)
{
    return lab
        .run(ns, {QStringLiteral("ping"), QStringLiteral("-c"), QString::number(count),
                  QStringLiteral("-i"), QStringLiteral("0.2"), QStringLiteral("-W"),
                  QString::fromLatin1(wait), to})
        .ok();
}

// Milliseconds until `to` first answers from `ns` (one ping at a time), -1 after `limitMs`.
inline qint64 msUntilReachable(NetnsLab& lab, const QString& ns, const QString& to, int limitMs)
{
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < limitMs) {
        if (pingFrom(lab, ns, to, 1, "0.1")) {
            return t.elapsed();
        }
    }
    return -1;
}

} // namespace peertun::testlab
