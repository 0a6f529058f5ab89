// A small etcd v3 client over etcd's JSON gateway (/v3/kv/range, /v3/kv/txn, /v3/lease/*,
// /v3/watch as a streaming response), with Qt Network: every call has a timeout, fails over
// to the next endpoint when one does not answer, and may use TLS and a user name. Only what
// the mesh agent and `peertunctl mesh` need. docs/mesh.md says why not gRPC.
#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QSet>
#include <QSslConfiguration>
#include <QString>
#include <QUrl>
#include <functional>
#include <memory>

class QNetworkAccessManager;
class QNetworkReply;
class QJsonObject;

namespace peertun {
struct MeshConfig;
}

namespace peertun::mesh {

struct EtcdSettings
{
    QList<QUrl> endpoints;
    QString caFile;
    QString certFile;
    QString keyFile;
    QString username;
    QString password;
    int timeoutMs = 3000; // per request and endpoint

    static EtcdSettings fromMesh(const MeshConfig& mesh);
};

struct EtcdKv
{
    QByteArray key;
    QByteArray value;
    qint64 createRevision = 0;
    qint64 modRevision = 0;
    qint64 lease = 0;
};

struct EtcdEvent
{
    bool deleted = false;
    EtcdKv kv;
};

class EtcdClient;

// One watch stream (POST /v3/watch): a JSON object per line as etcd sends them. Ends with
// failed() (stream broken, etcd gone) or compacted() (start revision no longer kept).
class EtcdWatch : public QObject
{
    Q_OBJECT
public:
    ~EtcdWatch() override;

signals:
    void created(qint64 revision);
    void events(const QList<peertun::mesh::EtcdEvent>& events, qint64 revision);
    void compacted(qint64 compactRevision);
    void failed(const QString& error);

private:
    friend class EtcdClient;
    explicit EtcdWatch(QObject* parent) : QObject(parent) {}
    void onData();
    void onFinished();
    void handleLine(const QByteArray& line);

    QNetworkReply* m_reply = nullptr;
    QByteArray m_buffer;
    QString m_endpoint;
    bool m_done = false;
};

class EtcdClient : public QObject
{
    Q_OBJECT
public:
    explicit EtcdClient(EtcdSettings settings, QObject* parent = nullptr);
    ~EtcdClient() override;

    // Empty, or why the TLS files could not be used (then every call fails with it).
    const QString& setupError() const { return m_setupError; }
    QUrl currentEndpoint() const;

    template <class T> using Callback = std::function<void(const QString& error, const T& result)>;

    struct Range
    {
        QList<EtcdKv> kvs;
        qint64 revision = 0; // the store's revision when it answered
    };
    struct Txn
    {
        bool succeeded = false;
        qint64 revision = 0;
    };
    struct Lease
    {
        qint64 id = 0;
        qint64 ttl = 0;
    };

    // All keys in [key, rangeEnd); rangeEnd empty: just `key`.
    void range(const QByteArray& key, const QByteArray& rangeEnd, Callback<Range> done);
    void put(const QByteArray& key, const QByteArray& value, qint64 lease, Callback<qint64> done);
    // Puts only if the key's mod revision is `expectedModRevision`; 0: only if it is absent.
    void putIf(const QByteArray& key, const QByteArray& value, qint64 lease,
               qint64 expectedModRevision, Callback<Txn> done);
    void leaseGrant(qint64 ttlSeconds, Callback<Lease> done);
    // The lease's new TTL; 0 when it has expired.
    void leaseKeepAlive(qint64 id, Callback<qint64> done);
    void leaseRevoke(qint64 id, Callback<bool> done);
    // Remaining seconds; -1 when the lease is gone.
    void leaseTimeToLive(qint64 id, Callback<qint64> done);
    // Watches [key, rangeEnd) from `startRevision`. The caller owns the object.
    EtcdWatch* watch(const QByteArray& key, const QByteArray& rangeEnd, qint64 startRevision);

    // The range end that covers every key starting with `prefix`.
    static QByteArray prefixEnd(const QByteArray& prefix);

private:
    struct Pending;
    void call(const QString& path, const QJsonObject& body,
              std::function<void(const QString&, const QJsonObject&)> done);
    void send(std::shared_ptr<Pending> p);
    void finish(const std::shared_ptr<Pending>& p, QNetworkReply* reply, int endpoint);
    void authenticate(std::function<void(const QString&)> done);
    QNetworkReply* post(int endpoint, const QString& path, const QByteArray& body, bool streaming);

    EtcdSettings m_settings;
    QNetworkAccessManager* m_nam;
    QSslConfiguration m_ssl;
    QString m_setupError;
    QByteArray m_token;
    int m_current = 0;
    QSet<QNetworkReply*> m_replies;
};

} // namespace peertun::mesh
