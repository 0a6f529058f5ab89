// The WireGuard crypto wrappers against published test vectors (RFC 7748, RFC 8439, RFC 7693,
// BLAKE2 reference KAT) and the HMAC/HKDF constructions against their definitions.
#include "Crypto.h"

#include <QByteArray>
#include <QTest>
#include <array>
#include <cstring>
#include <vector>

using namespace peertun::wireguard;
using namespace peertun::keys;

namespace {

std::vector<uint8_t> hex(const char* text)
{
    const QByteArray raw = QByteArray::fromHex(QByteArray(text));
    return std::vector<uint8_t>(raw.begin(), raw.end());
}

template <size_t N> std::array<uint8_t, N> hexArray(const char* text)
{
    const auto v = hex(text);
    std::array<uint8_t, N> a{};
    if (v.size() != N) {
        qFatal("test vector has wrong length");
    }
    std::memcpy(a.data(), v.data(), N);
    return a;
}

QByteArray toHex(Bytes b)
{
    return QByteArray(reinterpret_cast<const char*>(b.data()), qsizetype(b.size())).toHex();
}

Bytes asBytes(const char* s)
{
    return {reinterpret_cast<const uint8_t*>(s), std::strlen(s)};
}

} // namespace

class TestWgCrypto : public QObject
{
    Q_OBJECT

private slots:
    void x25519Vectors_data()
    {
        QTest::addColumn<QByteArray>("scalar");
        QTest::addColumn<QByteArray>("u");
        QTest::addColumn<QByteArray>("expected");
        // RFC 7748 section 5.2
        QTest::newRow("rfc7748-5.2-1")
            << QByteArray("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4")
            << QByteArray("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c")
            << QByteArray("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
        QTest::newRow("rfc7748-5.2-2")
            << QByteArray("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d")
            << QByteArray("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493")
            << QByteArray("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957");
        // RFC 7748 section 6.1: public keys from the base point, and the shared secret both ways
        const QByteArray base("0900000000000000000000000000000000000000000000000000000000000000");
        const QByteArray alicePriv(
            "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        const QByteArray alicePub(
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        const QByteArray bobPriv(
            "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        const QByteArray bobPub("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        const QByteArray shared("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
        QTest::newRow("rfc7748-6.1-alice-public") << alicePriv << base << alicePub;
        QTest::newRow("rfc7748-6.1-bob-public") << bobPriv << base << bobPub;
        QTest::newRow("rfc7748-6.1-alice-shared") << alicePriv << bobPub << shared;
        QTest::newRow("rfc7748-6.1-bob-shared") << bobPriv << alicePub << shared;
    }

    void x25519Vectors()
    {
        QFETCH(QByteArray, scalar);
        QFETCH(QByteArray, u);
        QFETCH(QByteArray, expected);
        const auto k = hexArray<32>(scalar.constData());
        const auto point = hexArray<32>(u.constData());
        SecretKey shared;
        QVERIFY(x25519(shared, k, point));
        QCOMPARE(toHex(shared.bytes()), expected);
    }

    void x25519PublicKeyMatchesBasePoint()
    {
        const auto alicePriv =
            hexArray<32>("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        QCOMPARE(toHex(derivePublicKey(alicePriv)),
                 QByteArray("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"));
    }

    // RFC 7748 section 5.2, iterated: k = X25519(k, u), u = old k.
    void x25519Iterated_data()
    {
        QTest::addColumn<int>("iterations");
        QTest::addColumn<QByteArray>("expected");
        QTest::newRow("1")
            << 1 << QByteArray("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079");
        QTest::newRow("1000")
            << 1000
            << QByteArray("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51");
    }

    void x25519Iterated()
    {
        QFETCH(int, iterations);
        QFETCH(QByteArray, expected);
        std::array<uint8_t, 32> k{}, u{};
        k[0] = 9;
        u[0] = 9;
        for (int i = 0; i < iterations; ++i) {
            SecretKey out;
            QVERIFY(x25519(out, k, u));
            u = k;
            std::memcpy(k.data(), out.data(), 32);
        }
        QCOMPARE(toHex(k), expected);
    }

    // Low-order points give an all-zero shared secret, which the protocol must refuse.
    void x25519RejectsLowOrderPoints_data()
    {
        QTest::addColumn<QByteArray>("u");
        QTest::newRow("zero") << QByteArray(64, '0');
        QTest::newRow("one") << QByteArray("01") + QByteArray(62, '0');
        QTest::newRow("order-8") << QByteArray(
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800");
        QTest::newRow("p-minus-1")
            << QByteArray("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");
    }

    void x25519RejectsLowOrderPoints()
    {
        QFETCH(QByteArray, u);
        std::array<uint8_t, 32> priv{};
        generatePrivateKey(priv);
        SecretKey shared;
        QVERIFY(!x25519(shared, priv, hexArray<32>(u.constData())));
        QVERIFY(shared.isZero());
    }

    void generatedKeysAreClamped()
    {
        for (int i = 0; i < 32; ++i) {
            std::array<uint8_t, 32> k{};
            generatePrivateKey(k);
            QCOMPARE(k[0] & 7, 0);
            QCOMPARE(k[31] & 0x80, 0);
            QCOMPARE(k[31] & 0x40, 0x40);
        }
    }

    // RFC 8439 section 2.8.2.
    void chachaPolyRfc8439()
    {
        const auto key =
            hexArray<32>("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
        const auto nonce = hexArray<12>("070000004041424344454647");
        const auto ad = hex("50515253c0c1c2c3c4c5c6c7");
        const Bytes plain = asBytes("Ladies and Gentlemen of the class of '99: If I could offer "
                                    "you only one tip for the future, sunscreen would be it.");
        const QByteArray expectedCipher(
            "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca967128"
            "2fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab"
            "324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116");
        const QByteArray expectedTag("1ae10b594f09e26a7e902ecbd0600691");

        std::vector<uint8_t> sealed(plain.size() + kAeadTagLen);
        aeadEncrypt(sealed, key, nonce, plain, ad);
        QCOMPARE(toHex(Bytes(sealed).first(plain.size())), expectedCipher);
        QCOMPARE(toHex(Bytes(sealed).last(kAeadTagLen)), expectedTag);

        std::vector<uint8_t> opened(plain.size());
        QVERIFY(aeadDecrypt(opened, key, nonce, sealed, ad));
        QVERIFY(std::equal(opened.begin(), opened.end(), plain.begin()));

        // In place, as the transport path does it.
        std::vector<uint8_t> buf(plain.begin(), plain.end());
        buf.resize(plain.size() + kAeadTagLen);
        aeadEncrypt(buf, key, nonce, Bytes(buf).first(plain.size()), ad);
        QVERIFY(buf == sealed);
        QVERIFY(aeadDecrypt(MutableBytes(buf).first(plain.size()), key, nonce, buf, ad));
        QVERIFY(std::equal(plain.begin(), plain.end(), buf.begin()));
    }

    void chachaPolyRejectsTampering_data()
    {
        QTest::addColumn<int>("what"); // 0 ciphertext, 1 tag, 2 ad, 3 nonce, 4 key
        QTest::newRow("ciphertext") << 0;
        QTest::newRow("tag") << 1;
        QTest::newRow("ad") << 2;
        QTest::newRow("nonce") << 3;
        QTest::newRow("key") << 4;
    }

    void chachaPolyRejectsTampering()
    {
        QFETCH(int, what);
        std::array<uint8_t, 32> key{};
        randomBytes(key);
        AeadNonce nonce = counterNonce(42);
        std::vector<uint8_t> ad = {1, 2, 3};
        const std::vector<uint8_t> plain(100, 0x5a);
        std::vector<uint8_t> sealed(plain.size() + kAeadTagLen);
        aeadEncrypt(sealed, key, nonce, plain, ad);
        switch (what) {
        case 0:
            sealed[10] ^= 1;
            break;
        case 1:
            sealed.back() ^= 0x80;
            break;
        case 2:
            ad[0] ^= 1;
            break;
        case 3:
            nonce = counterNonce(43);
            break;
        case 4:
            key[0] ^= 1;
            break;
        }
        std::vector<uint8_t> out(plain.size());
        QVERIFY(!aeadDecrypt(out, key, nonce, sealed, ad));
    }

    void counterNonceLayout()
    {
        QCOMPARE(toHex(counterNonce(0x0102030405060708ull)),
                 QByteArray("000000000807060504030201"));
    }

    void xchachaRoundTripAndTamper()
    {
        std::array<uint8_t, 32> key{};
        randomBytes(key);
        XNonce nonce{};
        randomBytes(nonce);
        const std::array<uint8_t, 16> cookie = {1, 2,  3,  4,  5,  6,  7,  8,
                                                9, 10, 11, 12, 13, 14, 15, 16};
        const std::array<uint8_t, 16> ad{};
        std::array<uint8_t, 32> sealed{};
        xaeadEncrypt(sealed, key, nonce, cookie, ad);
        std::array<uint8_t, 16> opened{};
        QVERIFY(xaeadDecrypt(opened, key, nonce, sealed, ad));
        QCOMPARE(opened, cookie);
        nonce[23] ^= 1;
        QVERIFY(!xaeadDecrypt(opened, key, nonce, sealed, ad));
    }

    void blake2sVectors_data()
    {
        QTest::addColumn<QByteArray>("key");
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("expected");
        const QByteArray kat_key(
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        // RFC 7693 appendix B
        QTest::newRow("rfc7693-abc")
            << QByteArray() << QByteArray("616263")
            << QByteArray("508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
        QTest::newRow("empty")
            << QByteArray() << QByteArray()
            << QByteArray("69217a3079908094e11121d042354a7c1f55b6482ca1a51e1b250dfd1ed0eef9");
        // BLAKE2 reference blake2s-kat.txt (keyed): key 00..1f, input empty and 00
        QTest::newRow("kat-keyed-empty")
            << kat_key << QByteArray()
            << QByteArray("48a8997da407876b3d79c0d92325ad3b89cbb754d86ab71aee047ad345fd2c49");
        QTest::newRow("kat-keyed-00")
            << kat_key << QByteArray("00")
            << QByteArray("40d15fee7c328830166ac3f918650f807e7e01e177258cdc0a39b11f598066f1");
        // WireGuard's initial chaining key: Hash("Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s")
        QTest::newRow("wireguard-construction")
            << QByteArray() << QByteArray("Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s").toHex()
            << QByteArray("60e26daef327efc02ec335e2a025d2d016eb4206f87277f52d38d1988b78cd36");
    }

    void blake2sVectors()
    {
        QFETCH(QByteArray, key);
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, expected);
        const auto k = hex(key.constData());
        const auto in = hex(input.constData());
        std::array<uint8_t, 32> out{};
        blake2sRaw(out, k, in);
        QCOMPARE(toHex(out), expected);
        if (k.empty()) { // the incremental hash agrees, also when the input is split
            QCOMPARE(
                toHex(blake2s({Bytes(in).first(in.size() / 2), Bytes(in).subspan(in.size() / 2)})),
                expected);
        }
    }

    // WireGuard's initial hash: Hash(Ci || "WireGuard v1 zx2c4 Jason@zx2c4.com").
    void wireguardInitialHash()
    {
        const Hash ck = blake2s({asBytes("Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s")});
        const Hash h = blake2s({ck, asBytes("WireGuard v1 zx2c4 Jason@zx2c4.com")});
        QCOMPARE(toHex(h),
                 QByteArray("2211b361081ac566691243db458ad5322d9c6c662293e8b70ee19c65ba079ef3"));
    }

    void keyedMac128MatchesRawBlake2s()
    {
        const auto key = hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
        const auto in = hex("00010203");
        std::array<uint8_t, 16> raw{};
        blake2sRaw(raw, key, in);
        QCOMPARE(toHex(keyedBlake2s128(key, {Bytes(in).first(1), Bytes(in).subspan(1)})),
                 toHex(raw));
    }

    // HMAC per RFC 2104 over BLAKE2s (64-byte block), recomputed from the definition.
    void hmacMatchesDefinition_data()
    {
        QTest::addColumn<int>("keyLen");
        QTest::addColumn<int>("dataLen");
        QTest::newRow("32-byte key") << 32 << 100;
        QTest::newRow("short key") << 5 << 0;
        QTest::newRow("block-size key") << 64 << 64;
        QTest::newRow("long key (hashed first)") << 100 << 10;
    }

    void hmacMatchesDefinition()
    {
        QFETCH(int, keyLen);
        QFETCH(int, dataLen);
        std::vector<uint8_t> key(keyLen), data(dataLen);
        for (int i = 0; i < keyLen; ++i) {
            key[i] = uint8_t(i * 7 + 1);
        }
        for (int i = 0; i < dataLen; ++i) {
            data[i] = uint8_t(i * 13 + 5);
        }

        std::array<uint8_t, 64> k0{};
        if (key.size() > 64) {
            const Hash hk = blake2s({key});
            std::memcpy(k0.data(), hk.data(), hk.size());
        } else {
            std::memcpy(k0.data(), key.data(), key.size());
        }
        std::array<uint8_t, 64> ipad{}, opad{};
        for (size_t i = 0; i < 64; ++i) {
            ipad[i] = k0[i] ^ 0x36;
            opad[i] = k0[i] ^ 0x5c;
        }
        const Hash inner = blake2s({ipad, data});
        const Hash expected = blake2s({opad, inner});

        std::array<uint8_t, 32> got{};
        hmacBlake2s(got, key, {data});
        QCOMPARE(toHex(got), toHex(expected));
        // A different key or message gives a different MAC.
        key[0] ^= 1;
        std::array<uint8_t, 32> other{};
        hmacBlake2s(other, key, {data});
        QVERIFY(toHex(other) != toHex(got));
    }

    // Kdf1/2/3 as the WireGuard paper defines them, and safe when an output is the chaining key.
    void kdfMatchesDefinition()
    {
        SecretKey ck;
        for (int i = 0; i < 32; ++i) {
            ck.data()[i] = uint8_t(200 - i);
        }
        const auto input = hex("deadbeef00112233");

        std::array<uint8_t, 32> t0{}, t1{}, t2{}, t3{};
        hmacBlake2s(t0, ck.bytes(), {input});
        const uint8_t one = 1, two = 2, three = 3;
        hmacBlake2s(t1, t0, {Bytes(&one, 1)});
        hmacBlake2s(t2, t0, {t1, Bytes(&two, 1)});
        hmacBlake2s(t3, t0, {t2, Bytes(&three, 1)});

        SecretKey a1, b1, b2, c1, c2, c3;
        kdf1(a1, ck, input);
        kdf2(b1, b2, ck, input);
        kdf3(c1, c2, c3, ck, input);
        QCOMPARE(toHex(a1.bytes()), toHex(t1));
        QCOMPARE(toHex(b1.bytes()), toHex(t1));
        QCOMPARE(toHex(b2.bytes()), toHex(t2));
        QCOMPARE(toHex(c1.bytes()), toHex(t1));
        QCOMPARE(toHex(c2.bytes()), toHex(t2));
        QCOMPARE(toHex(c3.bytes()), toHex(t3));

        SecretKey aliased = ck;
        SecretKey second;
        kdf2(aliased, second, aliased, input); // C = Kdf2(C, x).first
        QCOMPARE(toHex(aliased.bytes()), toHex(t1));
        QCOMPARE(toHex(second.bytes()), toHex(t2));
    }

    void constantTimeEqual_data()
    {
        QTest::addColumn<QByteArray>("a");
        QTest::addColumn<QByteArray>("b");
        QTest::addColumn<bool>("equal");
        QTest::newRow("same") << QByteArray("00ff10") << QByteArray("00ff10") << true;
        QTest::newRow("last byte") << QByteArray("00ff10") << QByteArray("00ff11") << false;
        QTest::newRow("first byte") << QByteArray("01ff10") << QByteArray("00ff10") << false;
        QTest::newRow("length") << QByteArray("00ff") << QByteArray("00ff10") << false;
        QTest::newRow("both empty") << QByteArray() << QByteArray() << true;
    }

    void constantTimeEqual()
    {
        QFETCH(QByteArray, a);
        QFETCH(QByteArray, b);
        QFETCH(bool, equal);
        QCOMPARE(peertun::wireguard::constantTimeEqual(hex(a.constData()), hex(b.constData())),
                 equal);
    }

    void secretKeyWipes()
    {
        SecretKey k;
        randomBytes(k.mutableBytes());
        k.data()[0] |= 1; // certainly non-zero
        QVERIFY(!k.isZero());
        SecretKey copy = k;
        QVERIFY(peertun::wireguard::constantTimeEqual(copy.bytes(), k.bytes()));
        k.wipe();
        QVERIFY(k.isZero());
        QVERIFY(!copy.isZero());

        LockedSecretKey locked(copy.bytes());
        QVERIFY(!locked.isZero());
        LockedSecretKey moved = std::move(locked);
        QVERIFY(peertun::wireguard::constantTimeEqual(moved.bytes(), copy.bytes()));
        locked = moved; // a moved-from key can be assigned again
        QVERIFY(peertun::wireguard::constantTimeEqual(locked.bytes(), copy.bytes()));
    }
};

QTEST_APPLESS_MAIN(TestWgCrypto)
#include "tst_wg_crypto.moc"
