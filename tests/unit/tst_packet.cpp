// checkIpPacket: what the UDP -> TUN path accepts from the network.
#include "Packet.h"

#include <QTest>

using peertun::engine::checkIpPacket;
using peertun::engine::IpHeaderView;
using peertun::engine::PacketCheck;

Q_DECLARE_METATYPE(PacketCheck)

namespace {

QByteArray ipv4(int totalLength, int actualLength, int ihl = 5)
{
    QByteArray p(actualLength, '\0');
    if (actualLength > 0) {
        p[0] = char(0x40 | ihl);
    }
    if (actualLength >= 4) {
        p[2] = char(totalLength >> 8);
        p[3] = char(totalLength & 0xff);
    }
    if (actualLength >= 20) {
        p[12] = 10, p[13] = 0, p[14] = 0, p[15] = 1;
        p[16] = 10, p[17] = 0, p[18] = 0, p[19] = 2;
    }
    return p;
}

QByteArray ipv6(int payloadLength, int actualLength)
{
    QByteArray p(actualLength, '\0');
    if (actualLength > 0) {
        p[0] = char(0x60);
    }
    if (actualLength >= 6) {
        p[4] = char(payloadLength >> 8);
        p[5] = char(payloadLength & 0xff);
    }
    if (actualLength >= 40) {
        p[8] = char(0xfd), p[23] = 2;
        p[24] = char(0xfd), p[39] = 3;
    }
    return p;
}

} // namespace

class TestPacket final : public QObject
{
    Q_OBJECT

private slots:
    void check_data()
    {
        QTest::addColumn<QByteArray>("packet");
        QTest::addColumn<PacketCheck>("expected");
        QTest::newRow("empty") << QByteArray() << PacketCheck::TooShort;
        QTest::newRow("v4 minimal") << ipv4(20, 20) << PacketCheck::Ok;
        QTest::newRow("v4 full size") << ipv4(1472, 1472) << PacketCheck::Ok;
        QTest::newRow("v4 with options") << ipv4(64, 64, 15) << PacketCheck::Ok;
        QTest::newRow("v4 19 bytes") << ipv4(19, 19) << PacketCheck::TooShort;
        QTest::newRow("v4 ihl 4") << ipv4(40, 40, 4) << PacketCheck::BadHeader;
        QTest::newRow("v4 ihl past end") << ipv4(24, 24, 15) << PacketCheck::BadHeader;
        QTest::newRow("v4 length says more") << ipv4(100, 60) << PacketCheck::LengthMismatch;
        QTest::newRow("v4 length says less") << ipv4(40, 60) << PacketCheck::LengthMismatch;
        QTest::newRow("v6 minimal") << ipv6(0, 40) << PacketCheck::Ok;
        QTest::newRow("v6 with payload") << ipv6(1024, 1064) << PacketCheck::Ok;
        QTest::newRow("v6 39 bytes") << ipv6(0, 39) << PacketCheck::TooShort;
        QTest::newRow("v6 length mismatch") << ipv6(100, 60) << PacketCheck::LengthMismatch;
        QTest::newRow("version 5") << QByteArray(40, char(0x50)) << PacketCheck::BadVersion;
        QTest::newRow("version 0") << QByteArray(40, '\0') << PacketCheck::BadVersion;
        // 'G' is 0x47: it reads as IPv4, and the "length" bytes ("T ") give it away.
        QTest::newRow("http text") << QByteArray("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
                                   << PacketCheck::LengthMismatch;
        QTest::newRow("short http text")
            << QByteArray("GET / HTTP/1.1\r\n\r\n") << PacketCheck::TooShort;
    }
    void check()
    {
        QFETCH(QByteArray, packet);
        QFETCH(PacketCheck, expected);
        IpHeaderView view;
        const auto* p = reinterpret_cast<const uint8_t*>(packet.constData());
        QCOMPARE(checkIpPacket(p, size_t(packet.size()), &view), expected);
        if (expected == PacketCheck::Ok) {
            const bool v4 = (packet[0] >> 4) == 4;
            QCOMPARE(view.family, v4 ? AF_INET : AF_INET6);
            QCOMPARE(view.src, p + (v4 ? 12 : 8));
            QCOMPARE(view.dst, p + (v4 ? 16 : 24));
        }
    }
};

QTEST_APPLESS_MAIN(TestPacket)
#include "tst_packet.moc"
