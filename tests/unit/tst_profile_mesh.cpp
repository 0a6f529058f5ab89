// Mesh profiles: the "mesh" section instead of "peers", without interface.address, and every
// way to get it wrong with its named error.
#include "Profile.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace peertun;

namespace {

// JSON written with single quotes (moc misreads "//" inside raw strings).
QByteArray j(const char* text)
{
    return QByteArray(text).replace('\'', '"');
}

const QByteArray kMeshPlain =
    j("{\n"
      "    'version': 1,\n"
      "    'name': 'mesh host',\n"
      "    'interface': {'name': 'ptmesh0', 'listen': ':8285'},\n"
      "    'mode': 'plain',\n"
      "    'mesh': {'etcd': ['http://10.0.0.1:2379', 'http://10.0.0.2:2379']}\n"
      "}");

const QByteArray kMeshWireGuard =
    j("{\n"
      "    'version': 1,\n"
      "    'name': 'wg mesh',\n"
      "    'interface': {'name': 'ptmesh1', 'listen': '10.99.0.5:51820',\n"
      "                  'privateKey': 'oK56DE9Ue9zK76rAc8pBl6opph+1v36lm7cXXsQKrQM='},\n"
      "    'mode': 'wireguard',\n"
      "    'mesh': {'etcd': ['https://[fd00::1]:2379'], 'prefix': '/coreos.com/network',\n"
      "             'caFile': '/etc/peertun/ca.pem', 'certFile': '/etc/peertun/host.pem',\n"
      "             'keyFile': '/etc/peertun/host-key.pem', 'username': 'host5', 'password': "
      "'s3cret'}\n"
      "}");

// kMeshPlain with `patch` merged into the top level (null removes a key) or into "mesh".
QByteArray patched(const QByteArray& base, const QJsonObject& top, const QJsonObject& mesh = {})
{
    QJsonObject o = QJsonDocument::fromJson(base).object();
    for (auto it = top.begin(); it != top.end(); ++it) {
        if (it->isNull()) {
            o.remove(it.key());
        } else {
            o.insert(it.key(), *it);
        }
    }
    QJsonObject m = o.value(QStringLiteral("mesh")).toObject();
    for (auto it = mesh.begin(); it != mesh.end(); ++it) {
        if (it->isNull()) {
            m.remove(it.key());
        } else {
            m.insert(it.key(), *it);
        }
    }
    if (!mesh.isEmpty()) {
        o.insert(QStringLiteral("mesh"), m);
    }
    return QJsonDocument(o).toJson();
}

QJsonObject obj(const char* json)
{
    return QJsonDocument::fromJson(j(json)).object();
}

} // namespace

class TestProfileMesh : public QObject
{
    Q_OBJECT
private slots:
    void valid();
    void roundTrip();
    void invalid_data();
    void invalid();
    void etcdUrls_data();
    void etcdUrls();
};

void TestProfileMesh::valid()
{
    const ProfileParseResult plain = parseProfile(kMeshPlain);
    QVERIFY2(plain.ok(), qPrintable(plain.errorText()));
    QVERIFY(plain.profile->mesh);
    QCOMPARE(plain.profile->mesh->etcd.size(), 2);
    QCOMPARE(plain.profile->mesh->prefix, QStringLiteral("/peertun/network"));
    QCOMPARE(plain.profile->mesh->leaseTtl, 30);
    QVERIFY(plain.profile->peers.isEmpty());
    QVERIFY(plain.profile->interface.address.address.isNull());

    const ProfileParseResult wg = parseProfile(kMeshWireGuard);
    QVERIFY2(wg.ok(), qPrintable(wg.errorText()));
    QCOMPARE(wg.profile->mesh->prefix, QStringLiteral("/coreos.com/network"));
    QCOMPARE(wg.profile->mesh->keyFile, QStringLiteral("/etc/peertun/host-key.pem"));
    QCOMPARE(wg.profile->mesh->username, QStringLiteral("host5"));
}

void TestProfileMesh::roundTrip()
{
    const QByteArray shortLease = patched(kMeshPlain, {}, obj("{'leaseTtl': 10}"));
    QCOMPARE(parseProfile(shortLease).profile->mesh->leaseTtl, 10);
    for (const QByteArray& doc : {kMeshPlain, kMeshWireGuard, shortLease}) {
        const ProfileParseResult first = parseProfile(doc);
        QVERIFY(first.ok());
        const QByteArray text = serializeProfile(*first.profile);
        QVERIFY2(!text.contains("\"address\""), text.constData());
        QVERIFY2(!text.contains("\"peers\""), text.constData());
        const ProfileParseResult second = parseProfile(text);
        QVERIFY2(second.ok(), qPrintable(second.errorText() + QString::fromUtf8(text)));
        QCOMPARE(*second.profile, *first.profile);
    }
}

void TestProfileMesh::invalid_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("message");

    QTest::newRow("peers and mesh")
        << patched(kMeshPlain, obj("{'peers': [{'name': 'b', 'endpoint': '10.0.0.2:8285',\n"
                                   "            'subnets': ['10.244.2.0/24']}]}"))
        << "peers"
        << "either \"peers\" or \"mesh\"";
    QTest::newRow("address given")
        << patched(kMeshPlain, obj("{'interface': {'name': 'ptmesh0',\n"
                                   "            'address': '10.244.1.1/24'}}"))
        << "interface.address"
        << "leave interface.address out";
    QTest::newRow("mesh not an object") << patched(kMeshPlain, obj("{'mesh': []}")) << "mesh"
                                        << "must be an object";
    QTest::newRow("no etcd key") << patched(kMeshPlain, {}, obj("{'etcd': null, 'prefix': '/a'}"))
                                 << "mesh.etcd"
                                 << "missing";
    QTest::newRow("empty etcd") << patched(kMeshPlain, {}, obj("{'etcd': []}")) << "mesh.etcd"
                                << "no etcd endpoint";
    QTest::newRow("etcd not strings")
        << patched(kMeshPlain, {}, obj("{'etcd': [2379]}")) << "mesh.etcd[0]"
        << "must be a string";
    QTest::newRow("bad URL") << patched(kMeshPlain, {}, obj("{'etcd': ['10.0.0.1:2379']}"))
                             << "mesh.etcd[0]"
                             << "http://";
    QTest::newRow("host name") << patched(kMeshPlain, {}, obj("{'etcd': ['http://etcd.lan:2379']}"))
                               << "mesh.etcd[0]"
                               << "host names are not accepted";
    QTest::newRow("duplicate endpoint")
        << patched(kMeshPlain, {},
                   obj("{'etcd': ['http://10.0.0.1:2379', 'http://10.0.0.1:2379']}"))
        << "mesh.etcd[1]"
        << "same endpoint";
    QTest::newRow("unknown key") << patched(kMeshPlain, {}, obj("{'endpoints': []}"))
                                 << "mesh.endpoints"
                                 << "unknown";
    QTest::newRow("prefix relative")
        << patched(kMeshPlain, {}, obj("{'prefix': 'peertun'}")) << "mesh.prefix"
        << "must start with '/'";
    QTest::newRow("prefix trailing slash")
        << patched(kMeshPlain, {}, obj("{'prefix': '/peertun/'}")) << "mesh.prefix"
        << "must not end";
    QTest::newRow("prefix with space")
        << patched(kMeshPlain, {}, obj("{'prefix': '/a b'}")) << "mesh.prefix"
        << "printable ASCII";
    QTest::newRow("relative caFile")
        << patched(kMeshPlain, {}, obj("{'etcd': ['https://10.0.0.1:2379'], 'caFile': 'ca.pem'}"))
        << "mesh.caFile"
        << "absolute";
    QTest::newRow("cert without key")
        << patched(kMeshPlain, {}, obj("{'etcd': ['https://10.0.0.1:2379'], 'certFile': '/c.pem'}"))
        << "mesh.keyFile"
        << "go together";
    QTest::newRow("TLS over http")
        << patched(kMeshPlain, {}, obj("{'caFile': '/ca.pem'}")) << "mesh.etcd"
        << "use https://";
    QTest::newRow("lease TTL too short")
        << patched(kMeshPlain, {}, obj("{'leaseTtl': 9}")) << "mesh.leaseTtl"
        << "must be 10 to 86400";
    QTest::newRow("lease TTL too long")
        << patched(kMeshPlain, {}, obj("{'leaseTtl': 86401}")) << "mesh.leaseTtl"
        << "must be 10 to 86400";
    QTest::newRow("lease TTL not a number")
        << patched(kMeshPlain, {}, obj("{'leaseTtl': '30s'}")) << "mesh.leaseTtl"
        << "a whole number";
    QTest::newRow("lease TTL fractional")
        << patched(kMeshPlain, {}, obj("{'leaseTtl': 12.5}")) << "mesh.leaseTtl"
        << "a whole number";
    QTest::newRow("password alone")
        << patched(kMeshPlain, {}, obj("{'password': 'x'}")) << "mesh.username"
        << "without mesh.username";
    QTest::newRow("wireguard mesh without listen port")
        << patched(kMeshPlain,
                   obj("{'mode': 'wireguard', 'interface': {'name': 'ptmesh0', "
                       "'privateKey': 'oK56DE9Ue9zK76rAc8pBl6opph+1v36lm7cXXsQKrQM='}}"))
        << "interface.listen"
        << "fixed listen port";
    QTest::newRow("no peers and no mesh") << patched(kMeshPlain, obj("{'mesh': null}")) << "peers"
                                          << "missing";
}

void TestProfileMesh::invalid()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, field);
    QFETCH(QString, message);
    const ProfileParseResult r = parseProfile(json);
    QVERIFY(!r.ok());
    bool found = false;
    for (const ProfileError& e : r.errors) {
        found = found || (e.field == field && e.message.contains(message));
    }
    QVERIFY2(found, qPrintable(r.errorText()));
}

void TestProfileMesh::etcdUrls_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("error"); // empty: accepted
    QTest::newRow("http") << "http://10.0.0.1:2379"
                          << "";
    QTest::newRow("https no port") << "https://10.0.0.1"
                                   << "";
    QTest::newRow("IPv6") << "http://[fd00::1]:2379"
                          << "";
    QTest::newRow("trailing slash") << "http://10.0.0.1:2379/"
                                    << "";
    QTest::newRow("empty") << ""
                           << "is empty";
    QTest::newRow("ftp") << "ftp://10.0.0.1"
                         << "http://";
    QTest::newRow("path") << "http://10.0.0.1:2379/v3"
                          << "path";
    QTest::newRow("query") << "http://10.0.0.1:2379?x=1"
                           << "path, query";
    QTest::newRow("user info") << "http://root:pw@10.0.0.1:2379"
                               << "mesh.username";
    QTest::newRow("port 0") << "http://10.0.0.1:0"
                            << "port 0";
    QTest::newRow("port too big") << "http://10.0.0.1:99999"
                                  << "not a valid URL";
    QTest::newRow("no host") << "http://:2379"
                             << "does not name an IP address";
}

void TestProfileMesh::etcdUrls()
{
    QFETCH(QString, url);
    QFETCH(QString, error);
    const QString why = checkEtcdUrl(url, QStringLiteral("mesh.etcd[0]"));
    if (error.isEmpty()) {
        QVERIFY2(why.isEmpty(), qPrintable(why));
    } else {
        QVERIFY2(why.contains(error), qPrintable(why));
    }
}

QTEST_GUILESS_MAIN(TestProfileMesh)
#include "tst_profile_mesh.moc"
