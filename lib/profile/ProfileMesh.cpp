// The "mesh" section of a profile: where the etcd cluster is and how to talk to it. What the
// cluster holds (flannel's network config and subnet leases) is read by lib/mesh.
#include "Profile.h"
#include "ProfileText.h"

#include <QCoreApplication>
#include <QDir>
#include <QUrl>
#include <algorithm>

namespace peertun {

using profile_detail::indexPath;
using profile_detail::joinPath;
using profile_detail::quoted;

namespace {

constexpr qsizetype kMaxEtcdEndpoints = 16;
constexpr qsizetype kMaxPrefixChars = 256;

QString checkFile(const QString& path, const QString& field)
{
    if (!QDir::isAbsolutePath(path)) {
        return QCoreApplication::translate("peertun::Profile",
                                           "%1 must be an absolute file path, but it is %2.")
            .arg(field, quoted(path));
    }
    for (const QChar c : path) {
        if (c.category() == QChar::Other_Control) {
            return QCoreApplication::translate("peertun::Profile",
                                               "%1 contains a control character.")
                .arg(field);
        }
    }
    return {};
}

} // namespace

QString checkEtcdUrl(const QString& text, const QString& field)
{
    if (text.isEmpty()) {
        return QCoreApplication::translate(
                   "peertun::Profile",
                   "%1 is empty; give an etcd endpoint such as \"http://10.0.0.1:2379\".")
            .arg(field);
    }
    const QUrl url(text, QUrl::StrictMode);
    if (!text.contains(QLatin1String("://"))) {
        return QCoreApplication::translate(
                   "peertun::Profile",
                   "%1 must start with http:// or https://, like \"http://10.0.0.1:2379\".")
            .arg(quoted(text));
    }
    if (!url.isValid()) {
        return QCoreApplication::translate("peertun::Profile", "%1 is not a valid URL: %2.")
            .arg(quoted(text), url.errorString());
    }
    const QString scheme = url.scheme();
    if (scheme != u"http" && scheme != u"https") {
        return QCoreApplication::translate(
                   "peertun::Profile",
                   "%1 must start with http:// or https://, like \"http://10.0.0.1:2379\".")
            .arg(quoted(text));
    }
    if (!url.userInfo().isEmpty()) {
        return QCoreApplication::translate(
                   "peertun::Profile",
                   "%1 has a user name or password in it; use mesh.username and mesh.password "
                   "instead.")
            .arg(field);
    }
    if ((!url.path().isEmpty() && url.path() != u"/") || url.hasQuery() || url.hasFragment()) {
        return QCoreApplication::translate(
                   "peertun::Profile",
                   "%1 has a path, query or fragment; an etcd endpoint is only scheme, address and "
                   "port, like \"http://10.0.0.1:2379\".")
            .arg(quoted(text));
    }
    QHostAddress host;
    if (url.host().isEmpty() || !host.setAddress(url.host())) {
        return QCoreApplication::translate(
                   "peertun::Profile",
                   "%1 does not name an IP address; host names are not accepted for etcd "
                   "endpoints, so give an IPv4 or IPv6 address (with TLS, one that etcd's "
                   "certificate names).")
            .arg(quoted(text));
    }
    if (url.port() == 0) {
        return QCoreApplication::translate("peertun::Profile",
                                           "%1 has port 0; etcd's client port is usually 2379.")
            .arg(quoted(text));
    }
    return {};
}

QString checkMeshPrefix(const QString& prefix)
{
    if (!prefix.startsWith(u'/')) {
        return QCoreApplication::translate("peertun::Profile",
                                           "The mesh prefix %1 must start with '/', like \"%2\".")
            .arg(quoted(prefix), QString::fromLatin1(kDefaultMeshPrefix));
    }
    if (prefix.size() > 1 && prefix.endsWith(u'/')) {
        return QCoreApplication::translate("peertun::Profile",
                                           "The mesh prefix %1 must not end with '/'.")
            .arg(quoted(prefix));
    }
    if (prefix.size() > kMaxPrefixChars) {
        return QCoreApplication::translate(
                   "peertun::Profile",
                   "The mesh prefix is %1 characters long; at most %2 are allowed.")
            .arg(prefix.size())
            .arg(kMaxPrefixChars);
    }
    for (const QChar c : prefix) {
        if (c.unicode() <= 0x20 || c.unicode() >= 0x7f) {
            return QCoreApplication::translate(
                       "peertun::Profile",
                       "The mesh prefix %1 may hold only printable ASCII without spaces.")
                .arg(quoted(prefix));
        }
    }
    return {};
}

QList<ProfileError> validateMeshConfig(const MeshConfig& mesh)
{
    QList<ProfileError> errors;
    const QString etcdField = QStringLiteral("mesh.etcd");
    if (mesh.etcd.isEmpty()) {
        errors.append({etcdField, QCoreApplication::translate(
                                      "peertun::Profile",
                                      "mesh.etcd lists no etcd endpoint; give at least one, such "
                                      "as \"http://10.0.0.1:2379\".")});
    } else if (mesh.etcd.size() > kMaxEtcdEndpoints) {
        errors.append({etcdField, QCoreApplication::translate(
                                      "peertun::Profile",
                                      "mesh.etcd lists %1 endpoints; at most %2 are allowed.")
                                      .arg(mesh.etcd.size())
                                      .arg(kMaxEtcdEndpoints)});
    }
    bool anyHttp = false;
    for (qsizetype i = 0; i < mesh.etcd.size() && i < kMaxEtcdEndpoints; ++i) {
        const QString field = indexPath(etcdField, i);
        if (const QString why = checkEtcdUrl(mesh.etcd[i], field); !why.isEmpty()) {
            errors.append({field, why});
            continue;
        }
        anyHttp = anyHttp || mesh.etcd[i].startsWith(QLatin1String("http:"));
        for (qsizetype k = 0; k < i; ++k) {
            if (QUrl(mesh.etcd[k]) == QUrl(mesh.etcd[i])) {
                errors.append({field, QCoreApplication::translate(
                                          "peertun::Profile",
                                          "mesh.etcd[%1] and mesh.etcd[%2] are the same endpoint.")
                                          .arg(k)
                                          .arg(i)});
                break;
            }
        }
    }
    if (const QString why = checkMeshPrefix(mesh.prefix); !why.isEmpty()) {
        errors.append({QStringLiteral("mesh.prefix"), why});
    }
    if (mesh.leaseTtl < kMinMeshLeaseTtl || mesh.leaseTtl > kMaxMeshLeaseTtl) {
        errors.append({QStringLiteral("mesh.leaseTtl"),
                       QCoreApplication::translate(
                           "peertun::Profile",
                           "mesh.leaseTtl is %1 seconds; it must be %2 to %3 (a keep-alive goes "
                           "every third of it, and one that times out must leave time for the "
                           "next).")
                           .arg(mesh.leaseTtl)
                           .arg(kMinMeshLeaseTtl)
                           .arg(kMaxMeshLeaseTtl)});
    }
    const struct
    {
        const char* key;
        const QString& value;
    } files[] = {{"caFile", mesh.caFile}, {"certFile", mesh.certFile}, {"keyFile", mesh.keyFile}};
    bool anyTls = false;
    for (const auto& f : files) {
        if (f.value.isEmpty()) {
            continue;
        }
        anyTls = true;
        const QString field = joinPath(QStringLiteral("mesh"), QString::fromLatin1(f.key));
        if (const QString why = checkFile(f.value, field); !why.isEmpty()) {
            errors.append({field, why});
        }
    }
    if (mesh.certFile.isEmpty() != mesh.keyFile.isEmpty()) {
        const QString missing = mesh.certFile.isEmpty() ? QStringLiteral("mesh.certFile")
                                                        : QStringLiteral("mesh.keyFile");
        errors.append({missing, QCoreApplication::translate(
                                    "peertun::Profile",
                                    "mesh.certFile and mesh.keyFile go together: a client "
                                    "certificate needs its private key; give both or neither.")});
    }
    if (anyTls && anyHttp) {
        errors.append({etcdField, QCoreApplication::translate(
                                      "peertun::Profile",
                                      "TLS files are given but an endpoint in mesh.etcd uses "
                                      "http://; use https:// for every endpoint.")});
    }
    if (!mesh.password.isEmpty() && mesh.username.isEmpty()) {
        errors.append({QStringLiteral("mesh.username"),
                       QCoreApplication::translate(
                           "peertun::Profile", "mesh.password is given without mesh.username.")});
    }
    const bool badUsername =
        mesh.username.size() > 128 || std::any_of(mesh.username.begin(), mesh.username.end(),
                                                  [](QChar c) { return c.unicode() < 0x20; });
    if (badUsername) {
        errors.append(
            {QStringLiteral("mesh.username"),
             QCoreApplication::translate(
                 "peertun::Profile", "mesh.username must be at most 128 characters without control "
                                     "characters.")});
    }
    return errors;
}

} // namespace peertun
