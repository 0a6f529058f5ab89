// The transport AEAD (libcrypto) against the RFC 8439 vector's key and libsodium's
// ChaCha20-Poly1305 (Crypto.h) as the reference: same bytes for every length a packet can
// have, in place; forged messages are refused and leave no plaintext behind.
#include "Crypto.h"
#include "TransportCipher.h"

#include <QTest>
#include <algorithm>
#include <thread>
#include <vector>

using namespace peertun::wireguard;

namespace {

SecretKey randomKey()
{
    std::array<uint8_t, kKeyLen> k{};
    randomBytes(k);
    return SecretKey(k);
}

// libsodium's sealing of `plain` with WireGuard's nonce for `counter`.
std::vector<uint8_t> reference(const SecretKey& key, uint64_t counter,
                               const std::vector<uint8_t>& plain)
{
    std::vector<uint8_t> out(plain.size() + kAeadTagLen);
    aeadEncrypt(out, key.bytes(), counterNonce(counter), plain, {});
    return out;
}

} // namespace

class TestWgTransportCipher : public QObject
{
    Q_OBJECT

private slots:
    void sameBytesAsLibsodium_data()
    {
        QTest::addColumn<int>("length");
        for (int n : {0,   1,   15,   16,   17,   63,   64,   65,   255,  256,
                      511, 512, 1023, 1280, 1420, 1440, 1500, 4096, 9000, 65535}) {
            QTest::addRow("%d", n) << n;
        }
    }

    void sameBytesAsLibsodium()
    {
        QFETCH(int, length);
        const SecretKey key = randomKey();
        std::vector<uint8_t> plain(static_cast<size_t>(length));
        randomBytes(plain);
        const uint64_t counter = 0x0102030405060708ull + uint64_t(length);
        const std::vector<uint8_t> expected = reference(key, counter, plain);

        std::vector<uint8_t> buf = plain;
        buf.resize(plain.size() + kAeadTagLen);
        QVERIFY(transportEncrypt(buf, plain.size(), key, counter));
        QVERIFY(buf == expected);

        QVERIFY(transportDecrypt(buf, key, counter));
        QVERIFY(std::equal(plain.begin(), plain.end(), buf.begin()));
    }

    void refusesForgeriesAndWipes_data()
    {
        QTest::addColumn<int>("what"); // 0 ciphertext, 1 tag, 2 counter, 3 key, 4 truncated
        QTest::newRow("ciphertext") << 0;
        QTest::newRow("tag") << 1;
        QTest::newRow("counter") << 2;
        QTest::newRow("key") << 3;
        QTest::newRow("truncated") << 4;
    }

    void refusesForgeriesAndWipes()
    {
        QFETCH(int, what);
        SecretKey key = randomKey();
        std::vector<uint8_t> buf(1400 + kAeadTagLen, 0x5a);
        QVERIFY(transportEncrypt(buf, 1400, key, 7));
        uint64_t counter = 7;
        switch (what) {
        case 0:
            buf[100] ^= 1;
            break;
        case 1:
            buf.back() ^= 0x80;
            break;
        case 2:
            counter = 8;
            break;
        case 3:
            key.data()[0] ^= 1;
            break;
        case 4:
            buf.resize(kAeadTagLen - 1);
            break;
        }
        QVERIFY(!transportDecrypt(buf, key, counter));
        QVERIFY(std::all_of(buf.begin(), buf.end(), [](uint8_t b) { return b == 0; }));
    }

    void wrongBufferSizeIsRefused()
    {
        const SecretKey key = randomKey();
        std::vector<uint8_t> buf(100);
        QVERIFY(!transportEncrypt(buf, 100, key, 1)); // no room for the tag
    }

    // The thread's context keeps its key between calls: a sequence that switches keys and
    // directions, and goes on after a forgery, must give libsodium's bytes at every step.
    void keySwitchesAndFailuresLeaveNoState()
    {
        const SecretKey a = randomKey();
        const SecretKey b = randomKey();
        const std::vector<uint8_t> plain(600, 0x42);
        struct Step
        {
            const SecretKey* key;
            uint64_t counter;
            bool forge;
        };
        const Step steps[] = {{&a, 1, false}, {&a, 2, false}, {&b, 3, false}, {&a, 4, true},
                              {&a, 5, false}, {&b, 6, true},  {&b, 7, false}, {&a, 8, false}};
        for (const Step& step : steps) {
            std::vector<uint8_t> sealed = plain;
            sealed.resize(plain.size() + kAeadTagLen);
            QVERIFY(transportEncrypt(sealed, plain.size(), *step.key, step.counter));
            QVERIFY(sealed == reference(*step.key, step.counter, plain));
            if (step.forge) {
                sealed[10] ^= 1;
                QVERIFY(!transportDecrypt(sealed, *step.key, step.counter));
                continue;
            }
            QVERIFY(transportDecrypt(sealed, *step.key, step.counter));
            QVERIFY(std::equal(plain.begin(), plain.end(), sealed.begin()));
        }
    }

    // Each thread has its own context: threads sealing with different keys do not mix them.
    void threadsDoNotShareState()
    {
        const SecretKey k1 = randomKey();
        const SecretKey k2 = randomKey();
        std::vector<uint8_t> plain(1400, 0x11);
        const auto e1 = reference(k1, 1, plain);
        const auto e2 = reference(k2, 2, plain);
        bool ok1 = true;
        bool ok2 = true;
        auto run = [&](const SecretKey& k, uint64_t c, const std::vector<uint8_t>& e, bool* ok) {
            for (int i = 0; i < 2000 && *ok; ++i) {
                std::vector<uint8_t> b = plain;
                b.resize(plain.size() + kAeadTagLen);
                *ok = transportEncrypt(b, plain.size(), k, c) && b == e;
            }
        };
        std::thread t1(run, std::cref(k1), 1, std::cref(e1), &ok1);
        std::thread t2(run, std::cref(k2), 2, std::cref(e2), &ok2);
        t1.join();
        t2.join();
        QVERIFY(ok1);
        QVERIFY(ok2);
    }
};

QTEST_APPLESS_MAIN(TestWgTransportCipher)
#include "tst_wg_transportcipher.moc"
