// Profiles for the D-Bus tests, built as values and serialized by the shared profile library
// (so the tests follow the real JSON schema), plus a way to spoil one field for bad-input rows.
#pragma once

#include "Profile.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <functional>

namespace peertun::test {

struct TunnelParams
{
    QString name;
    QString ifName;
    QString address; // this side's tunnel address, e.g. "10.244.1.1/24"
    quint16 listenPort;
    QString peerEndpoint; // e.g. "10.211.55.123:8302"
    QString peerSubnet;   // e.g. "10.244.2.0/24"
    // Set both for WireGuard mode; empty for plain mode.
    QString privateKey = {};
    QString peerPublicKey = {};
};

inline Profile makeProfile(const TunnelParams& p)
{
    QString error;
    Profile profile;
    profile.name = p.name;
    profile.interface.name = p.ifName;
    profile.interface.address = parseCidr(p.address, &error, false).value_or(Cidr{});
    profile.interface.listen.port = p.listenPort;
    PeerConfig peer;
    peer.name = QStringLiteral("far");
    peer.endpoint = parseEndpoint(p.peerEndpoint, &error, false).value_or(Endpoint{});
    peer.subnets << parseCidr(p.peerSubnet, &error, true).value_or(Cidr{});
    if (!p.privateKey.isEmpty()) {
        profile.mode = TunnelMode::WireGuard;
        profile.interface.privateKey = p.privateKey;
        peer.publicKey = p.peerPublicKey;
    }
    profile.peers << peer;
    return profile;
}

inline QByteArray profileJson(const TunnelParams& p)
{
    return serializeProfile(makeProfile(p));
}

// Replaces the value at a path such as "interface.address" or "peers[0].endpoint" (the same
// paths the validator names in its errors).
inline QByteArray withField(const QByteArray& json, const QString& path, const QJsonValue& value)
{
    QJsonObject root = QJsonDocument::fromJson(json).object();
    const QStringList parts = path.split(QLatin1Char('.'));
    // Recursive descent over objects and "key[index]" array steps.
    std::function<QJsonValue(QJsonValue, int)> set = [&](QJsonValue node, int i) -> QJsonValue {
        if (i == parts.size()) {
            return value;
        }
        static const QRegularExpression indexed(QStringLiteral("^(\\w+)\\[(\\d+)\\]$"));
        const QRegularExpressionMatch m = indexed.match(parts[i]);
        QJsonObject obj = node.toObject();
        if (m.hasMatch()) {
            QJsonArray array = obj.value(m.captured(1)).toArray();
            const int index = m.captured(2).toInt();
            while (array.size() <= index) {
                array.append(QJsonValue());
            }
            array[index] = set(array.at(index), i + 1);
            obj.insert(m.captured(1), array);
        } else {
            obj.insert(parts[i], set(obj.value(parts[i]), i + 1));
        }
        return obj;
    };
    return QJsonDocument(set(root, 0).toObject()).toJson(QJsonDocument::Compact);
}

} // namespace peertun::test
