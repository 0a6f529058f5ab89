#include "EtcdClient.h"

#include "Profile.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSslCertificate>
#include <QSslKey>

namespace peertun::mesh {

namespace {

// Bounds on what etcd may send: a range reply of a large mesh is a few MiB at most.
constexpr qint64 kMaxReplyBytes = qint64(64) * 1024 * 1024;
constexpr qsizetype kMaxWatchLine = qsizetype(16) * 1024 * 1024;

// etcd's JSON writes int64 as strings ("revision": "12").
qint64 num(const QJsonValue& v)
{
    return v.isString() ? v.toString().toLongLong() : qint64(v.toDouble());
}

QString b64(const QByteArray& bytes)
{
    return QString::fromLatin1(bytes.toBase64());
}

QByteArray unb64(const QJsonValue& v)
{
    return QByteArray::fromBase64(v.toString().toLatin1());
}

EtcdKv kvFrom(const QJsonObject& o)
{
    EtcdKv kv;
    kv.key = unb64(o.value(QStringLiteral("key")));
    kv.value = unb64(o.value(QStringLiteral("value")));
    kv.createRevision = num(o.value(QStringLiteral("create_revision")));
    kv.modRevision = num(o.value(QStringLiteral("mod_revision")));
    kv.lease = num(o.value(QStringLiteral("lease")));
    return kv;
}

qint64 headerRevision(const QJsonObject& o)
{
    return num(o.value(QStringLiteral("header")).toObject().value(QStringLiteral("revision")));
}

// gRPC codes in the gateway's error body worth another endpoint: Unavailable, DeadlineExceeded.
bool retryableCode(int code)
{
    return code == 14 || code == 4;
}

} // namespace

EtcdSettings EtcdSettings::fromMesh(const MeshConfig& mesh)
{
    EtcdSettings s;
    for (const QString& url : mesh.etcd) {
        s.endpoints.append(QUrl(url));
    }
    s.caFile = mesh.caFile;
    s.certFile = mesh.certFile;
    s.keyFile = mesh.keyFile;
    s.username = mesh.username;
    s.password = mesh.password;
    return s;
}

struct EtcdClient::Pending
{
    QString path;
    QByteArray body;
    std::function<void(const QString&, const QJsonObject&)> done;
    int triesLeft = 0;
    QStringList errors;
    bool authRetried = false;
};

EtcdClient::EtcdClient(EtcdSettings settings, QObject* parent)
    : QObject(parent), m_settings(std::move(settings)), m_nam(new QNetworkAccessManager(this))
{
    m_nam->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
    m_ssl = QSslConfiguration::defaultConfiguration();
    if (!m_settings.caFile.isEmpty()) {
        const auto cas = QSslCertificate::fromPath(m_settings.caFile, QSsl::Pem);
        if (cas.isEmpty()) {
            m_setupError = QStringLiteral("no PEM certificate could be read from caFile %1")
                               .arg(m_settings.caFile);
        }
        m_ssl.setCaCertificates(cas);
    }
    if (!m_settings.certFile.isEmpty()) {
        const auto certs = QSslCertificate::fromPath(m_settings.certFile, QSsl::Pem);
        QFile keyFile(m_settings.keyFile);
        QByteArray pem;
        if (keyFile.open(QIODevice::ReadOnly)) {
            pem = keyFile.read(1024 * 1024);
        }
        QSslKey key(pem, QSsl::Rsa);
        if (key.isNull()) {
            key = QSslKey(pem, QSsl::Ec);
        }
        pem.fill('\0');
        if (certs.isEmpty()) {
            m_setupError = QStringLiteral("no PEM certificate could be read from certFile %1")
                               .arg(m_settings.certFile);
        } else if (key.isNull()) {
            m_setupError = QStringLiteral("no RSA or EC private key could be read from keyFile %1")
                               .arg(m_settings.keyFile);
        } else {
            m_ssl.setLocalCertificate(certs.first());
            m_ssl.setPrivateKey(key);
        }
    }
    if (m_settings.endpoints.isEmpty()) {
        m_setupError = QStringLiteral("no etcd endpoint is configured");
    }
}

EtcdClient::~EtcdClient()
{
    // No callback may run once the client is gone.
    for (QNetworkReply* reply : std::as_const(m_replies)) {
        disconnect(reply, nullptr, this, nullptr);
        reply->abort();
        delete reply;
    }
}

QUrl EtcdClient::currentEndpoint() const
{
    return m_settings.endpoints.value(m_current);
}

QByteArray EtcdClient::prefixEnd(const QByteArray& prefix)
{
    QByteArray end = prefix;
    for (qsizetype i = end.size() - 1; i >= 0; --i) {
        if (quint8(end[i]) < 0xff) {
            end[i] = char(quint8(end[i]) + 1);
            return end.left(i + 1);
        }
    }
    return QByteArray(1, '\0'); // every key
}

QNetworkReply* EtcdClient::post(int endpoint, const QString& path, const QByteArray& body,
                                bool streaming)
{
    QUrl url = m_settings.endpoints.value(endpoint);
    url.setPath(path);
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    if (!streaming) {
        request.setTransferTimeout(m_settings.timeoutMs);
    }
    if (!m_token.isEmpty()) {
        request.setRawHeader(QByteArrayLiteral("Authorization"), m_token);
    }
    if (url.scheme() == u"https") {
        request.setSslConfiguration(m_ssl);
    }
    QNetworkReply* reply = m_nam->post(request, body);
    m_replies.insert(reply);
    connect(reply, &QNetworkReply::downloadProgress, this, [reply](qint64 received, qint64) {
        if (received > kMaxReplyBytes && reply->isRunning()) {
            reply->abort();
        }
    });
    return reply;
}

void EtcdClient::call(const QString& path, const QJsonObject& body,
                      std::function<void(const QString&, const QJsonObject&)> done)
{
    auto p = std::make_shared<Pending>();
    p->path = path;
    p->body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    p->done = std::move(done);
    p->triesLeft = int(m_settings.endpoints.size());
    if (!m_setupError.isEmpty()) {
        // Reported from the event loop, as every other outcome.
        QMetaObject::invokeMethod(
            this, [this, p] { p->done(m_setupError, {}); }, Qt::QueuedConnection);
        return;
    }
    if (!m_settings.username.isEmpty() && m_token.isEmpty() && path != u"/v3/auth/authenticate") {
        authenticate([this, p](const QString& error) {
            if (!error.isEmpty()) {
                p->done(error, {});
            } else {
                send(p);
            }
        });
        return;
    }
    send(p);
}

void EtcdClient::send(std::shared_ptr<Pending> p)
{
    const int endpoint = m_current;
    QNetworkReply* reply = post(endpoint, p->path, p->body, false);
    connect(reply, &QNetworkReply::finished, this,
            [this, p, reply, endpoint] { finish(p, reply, endpoint); });
}

void EtcdClient::finish(const std::shared_ptr<Pending>& p, QNetworkReply* reply, int endpoint)
{
    m_replies.remove(reply);
    reply->deleteLater();
    const QString where = m_settings.endpoints.value(endpoint).toString();
    const QByteArray data = reply->isOpen() ? reply->readAll() : QByteArray();
    const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    const QJsonObject o = QJsonDocument::fromJson(data).object();
    QString error;
    bool tryNext = false;
    if (!status.isValid()) {
        // No HTTP answer at all: refused, unreachable, timed out, TLS failed.
        error = QStringLiteral("etcd at %1 did not answer: %2").arg(where, reply->errorString());
        tryNext = true;
    } else if (status.toInt() != 200 || o.contains(QStringLiteral("error"))) {
        const int code = o.value(QStringLiteral("code")).toInt();
        const QString message = o.value(QStringLiteral("message")).toString();
        error = QStringLiteral("etcd at %1 answered HTTP %2: %3")
                    .arg(where)
                    .arg(status.toInt())
                    .arg(message.isEmpty() ? QString::fromUtf8(data.left(200)) : message);
        if (code == 16 && !m_settings.username.isEmpty() && !p->authRetried) {
            // The token expired: authenticate again once.
            p->authRetried = true;
            m_token.clear();
            authenticate([this, p](const QString& authError) {
                if (!authError.isEmpty()) {
                    p->done(authError, {});
                } else {
                    send(p);
                }
            });
            return;
        }
        tryNext = retryableCode(code) || (status.toInt() >= 500 && message.isEmpty());
    } else if (o.isEmpty() && !data.trimmed().startsWith('{')) {
        error = QStringLiteral("etcd at %1 sent a reply that is not JSON").arg(where);
        tryNext = true;
    }
    if (error.isEmpty()) {
        p->done({}, o);
        return;
    }
    p->errors.append(error);
    if (tryNext && --p->triesLeft > 0) {
        m_current = (endpoint + 1) % int(m_settings.endpoints.size());
        send(p);
        return;
    }
    if (tryNext) {
        m_current = (endpoint + 1) % int(m_settings.endpoints.size());
    }
    p->done(p->errors.join(QStringLiteral("; ")), o);
}

void EtcdClient::authenticate(std::function<void(const QString&)> done)
{
    auto p = std::make_shared<Pending>();
    p->path = QStringLiteral("/v3/auth/authenticate");
    p->body = QJsonDocument(QJsonObject{{QStringLiteral("name"), m_settings.username},
                                        {QStringLiteral("password"), m_settings.password}})
                  .toJson(QJsonDocument::Compact);
    p->triesLeft = int(m_settings.endpoints.size());
    p->authRetried = true;
    p->done = [this, done = std::move(done)](const QString& error, const QJsonObject& o) {
        if (error.isEmpty()) {
            m_token = o.value(QStringLiteral("token")).toString().toUtf8();
        }
        done(error.isEmpty() && m_token.isEmpty()
                 ? QStringLiteral("etcd gave no token for user %1").arg(m_settings.username)
                 : error);
    };
    send(p);
}

void EtcdClient::range(const QByteArray& key, const QByteArray& rangeEnd, Callback<Range> done)
{
    QJsonObject body{{QStringLiteral("key"), b64(key)}};
    if (!rangeEnd.isEmpty()) {
        body.insert(QStringLiteral("range_end"), b64(rangeEnd));
    }
    call(QStringLiteral("/v3/kv/range"), body,
         [done = std::move(done)](const QString& error, const QJsonObject& o) {
             Range r;
             if (error.isEmpty()) {
                 r.revision = headerRevision(o);
                 for (const QJsonValue v : o.value(QStringLiteral("kvs")).toArray()) {
                     r.kvs.append(kvFrom(v.toObject()));
                 }
             }
             done(error, r);
         });
}

void EtcdClient::put(const QByteArray& key, const QByteArray& value, qint64 lease,
                     Callback<qint64> done)
{
    QJsonObject body{{QStringLiteral("key"), b64(key)}, {QStringLiteral("value"), b64(value)}};
    if (lease != 0) {
        body.insert(QStringLiteral("lease"), QString::number(lease));
    }
    call(QStringLiteral("/v3/kv/put"), body,
         [done = std::move(done)](const QString& error, const QJsonObject& o) {
             done(error, headerRevision(o));
         });
}

void EtcdClient::putIf(const QByteArray& key, const QByteArray& value, qint64 lease,
                       qint64 expectedModRevision, Callback<Txn> done)
{
    QJsonObject compare{{QStringLiteral("key"), b64(key)}, {QStringLiteral("result"), "EQUAL"}};
    if (expectedModRevision == 0) {
        compare.insert(QStringLiteral("target"), QStringLiteral("CREATE"));
        compare.insert(QStringLiteral("create_revision"), QStringLiteral("0"));
    } else {
        compare.insert(QStringLiteral("target"), QStringLiteral("MOD"));
        compare.insert(QStringLiteral("mod_revision"), QString::number(expectedModRevision));
    }
    QJsonObject put{{QStringLiteral("key"), b64(key)}, {QStringLiteral("value"), b64(value)}};
    if (lease != 0) {
        put.insert(QStringLiteral("lease"), QString::number(lease));
    }
    const QJsonObject body{
        {QStringLiteral("compare"), QJsonArray{compare}},
        {QStringLiteral("success"), QJsonArray{QJsonObject{{QStringLiteral("request_put"), put}}}}};
    call(QStringLiteral("/v3/kv/txn"), body,
         [done = std::move(done)](const QString& error, const QJsonObject& o) {
             done(error, Txn{o.value(QStringLiteral("succeeded")).toBool(), headerRevision(o)});
         });
}

void EtcdClient::leaseGrant(qint64 ttlSeconds, Callback<Lease> done)
{
    call(QStringLiteral("/v3/lease/grant"), {{QStringLiteral("TTL"), QString::number(ttlSeconds)}},
         [done = std::move(done)](const QString& error, const QJsonObject& o) {
             Lease l{num(o.value(QStringLiteral("ID"))), num(o.value(QStringLiteral("TTL")))};
             done(error.isEmpty() && l.id == 0 ? QStringLiteral("etcd granted no lease") : error,
                  l);
         });
}

void EtcdClient::leaseKeepAlive(qint64 id, Callback<qint64> done)
{
    // The gateway maps the keep-alive stream onto one request: one ping, one answer.
    call(QStringLiteral("/v3/lease/keepalive"), {{QStringLiteral("ID"), QString::number(id)}},
         [done = std::move(done)](const QString& error, const QJsonObject& o) {
             done(error,
                  num(o.value(QStringLiteral("result")).toObject().value(QStringLiteral("TTL"))));
         });
}

void EtcdClient::leaseRevoke(qint64 id, Callback<bool> done)
{
    call(QStringLiteral("/v3/lease/revoke"), {{QStringLiteral("ID"), QString::number(id)}},
         [done = std::move(done)](const QString& error, const QJsonObject& o) {
             // Already gone counts as revoked (code 5: NotFound).
             const bool gone = o.value(QStringLiteral("code")).toInt() == 5;
             done(gone ? QString() : error, true);
         });
}

void EtcdClient::leaseTimeToLive(qint64 id, Callback<qint64> done)
{
    call(QStringLiteral("/v3/lease/timetolive"), {{QStringLiteral("ID"), QString::number(id)}},
         [done = std::move(done)](const QString& error, const QJsonObject& o) {
             done(error, num(o.value(QStringLiteral("TTL"))));
         });
}

EtcdWatch* EtcdClient::watch(const QByteArray& key, const QByteArray& rangeEnd,
                             qint64 startRevision)
{
    auto* w = new EtcdWatch(this);
    w->m_endpoint = currentEndpoint().toString();
    if (!m_setupError.isEmpty()) {
        QMetaObject::invokeMethod(
            w, [w, e = m_setupError] { emit w->failed(e); }, Qt::QueuedConnection);
        w->m_done = true;
        return w;
    }
    QJsonObject create{{QStringLiteral("key"), b64(key)},
                       {QStringLiteral("start_revision"), QString::number(startRevision)}};
    if (!rangeEnd.isEmpty()) {
        create.insert(QStringLiteral("range_end"), b64(rangeEnd));
    }
    const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("create_request"), create}})
                                .toJson(QJsonDocument::Compact);
    w->m_reply = post(m_current, QStringLiteral("/v3/watch"), body, true);
    m_replies.remove(w->m_reply); // the watch owns it from here
    w->m_reply->setParent(w);
    disconnect(w->m_reply, nullptr, this, nullptr);
    connect(w->m_reply, &QNetworkReply::readyRead, w, &EtcdWatch::onData);
    connect(w->m_reply, &QNetworkReply::finished, w, &EtcdWatch::onFinished);
    return w;
}

EtcdWatch::~EtcdWatch()
{
    if (m_reply) {
        disconnect(m_reply, nullptr, this, nullptr);
        m_reply->abort();
    }
}

void EtcdWatch::onData()
{
    if (!m_reply->isOpen()) {
        return;
    }
    m_buffer += m_reply->readAll();
    qsizetype start = 0;
    for (qsizetype nl; !m_done && (nl = m_buffer.indexOf('\n', start)) >= 0; start = nl + 1) {
        handleLine(m_buffer.mid(start, nl - start));
    }
    m_buffer.remove(0, start);
    if (!m_done && m_buffer.size() > kMaxWatchLine) {
        m_done = true;
        emit failed(QStringLiteral("etcd at %1 sent a watch message over 16 MiB").arg(m_endpoint));
    }
}

void EtcdWatch::handleLine(const QByteArray& line)
{
    if (line.trimmed().isEmpty()) {
        return;
    }
    const QJsonObject o = QJsonDocument::fromJson(line).object();
    if (o.contains(QStringLiteral("error"))) {
        m_done = true;
        const QJsonObject e = o.value(QStringLiteral("error")).toObject();
        emit failed(QStringLiteral("etcd at %1 ended the watch: %2")
                        .arg(m_endpoint, e.value(QStringLiteral("message")).toString()));
        return;
    }
    const QJsonObject r = o.value(QStringLiteral("result")).toObject();
    if (r.isEmpty()) {
        m_done = true;
        emit failed(
            QStringLiteral("etcd at %1 sent a watch message that is not JSON").arg(m_endpoint));
        return;
    }
    const qint64 revision = headerRevision(r);
    if (r.value(QStringLiteral("canceled")).toBool()) {
        m_done = true;
        const qint64 compact = num(r.value(QStringLiteral("compact_revision")));
        if (compact > 0) {
            emit compacted(compact);
        } else {
            emit failed(QStringLiteral("etcd at %1 canceled the watch: %2")
                            .arg(m_endpoint, r.value(QStringLiteral("cancel_reason")).toString()));
        }
        return;
    }
    if (r.value(QStringLiteral("created")).toBool()) {
        emit created(revision);
    }
    const QJsonArray list = r.value(QStringLiteral("events")).toArray();
    if (list.isEmpty()) {
        return;
    }
    QList<EtcdEvent> out;
    out.reserve(list.size());
    for (const QJsonValue v : list) {
        const QJsonObject e = v.toObject();
        out.append({e.value(QStringLiteral("type")).toString() == u"DELETE",
                    kvFrom(e.value(QStringLiteral("kv")).toObject())});
    }
    emit events(out, revision);
}

void EtcdWatch::onFinished()
{
    if (!m_done) {
        onData(); // what arrived with the end of the stream
    }
    if (m_done) {
        return;
    }
    m_done = true;
    // A stream that ends without a network error is etcd closing it (a shutdown): Qt's
    // errorString() would say "Unknown error".
    const QString why = m_reply->error() == QNetworkReply::NoError
                            ? QStringLiteral("etcd closed it")
                            : m_reply->errorString();
    emit failed(QStringLiteral("the watch stream from etcd at %1 ended: %2").arg(m_endpoint, why));
}

} // namespace peertun::mesh
