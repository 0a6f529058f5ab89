// WireGuard key text: base64 as `wg` writes it, errors that name the problem (never the key),
// genkey clamping and pubkey derivation.
#include "Keys.h"

#include <QTest>
#include <string>

using namespace peertun::keys;

class TestWgKeys : public QObject
{
    Q_OBJECT

private slots:
    void parse_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("errorContains");
        // RFC 7748 6.1 Alice's public key in base64
        const QString alice = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";
        QTest::newRow("valid") << alice << true << "";
        QTest::newRow("valid with whitespace") << "  " + alice + "\n" << true << "";
        QTest::newRow("empty") << "" << false << "empty";
        QTest::newRow("too short") << alice.left(43) << false << "44 characters";
        QTest::newRow("too long") << alice + "A" << false << "44 characters";
        QTest::newRow("hex instead of base64")
            << "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a" << false
            << "44 characters";
        QTest::newRow("no padding") << alice.left(43) + "A" << false << "'='";
        QTest::newRow("bad character")
            << QString(alice).replace(5, 1, "-") << false << "not base64 at position 6";
        // 'p' and 'o' differ only in the two spare bits of the last sextet.
        QTest::newRow("non-canonical spare bits")
            << QString(alice).replace(42, 1, "p") << false << "canonical";
    }

    void parse()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        QFETCH(QString, errorContains);
        std::string error;
        const auto key = parsePublicKey(text.toStdString(), &error);
        QCOMPARE(key.has_value(), valid);
        if (valid) {
            QVERIFY(error.empty());
            QCOMPARE(QString::fromStdString(encodePublicKey(*key)), text.trimmed());
        } else {
            QVERIFY2(QString::fromStdString(error).contains(errorContains), error.c_str());
        }
        // The same rules for secret keys, and the error never repeats the input.
        std::string secretError;
        const auto secret = parseSecretKey(text.toStdString(), &secretError);
        QCOMPARE(secret.has_value(), valid);
        if (!valid && text.trimmed().size() > 8) {
            QVERIFY(!QString::fromStdString(secretError).contains(text.trimmed().left(8)));
        }
    }

    void allZeroSecretRejected()
    {
        std::string error;
        const std::string zero = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
        QVERIFY(parsePublicKey(zero).has_value()); // a public key may be anything
        QVERIFY(!parseSecretKey(zero, &error).has_value());
        QVERIFY(QString::fromStdString(error).contains("zero"));
    }

    // `wg pubkey` on RFC 7748 Alice's private key gives Alice's public key.
    void pubkeyOfKnownKey()
    {
        const auto priv = parseSecretKey("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=");
        QVERIFY(priv.has_value());
        QCOMPARE(QString::fromStdString(encodePublicKey(publicKeyOf(*priv))),
                 QString("hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo="));
    }

    void genkeyIsClampedAndRoundTrips()
    {
        const LockedSecretKey a = generateKey();
        const LockedSecretKey b = generateKey();
        QCOMPARE(a.data()[0] & 7, 0);
        QCOMPARE(a.data()[31] & 0xc0, 0x40);
        QVERIFY(!constantTimeEqual(a.bytes(), b.bytes()));

        std::array<char, kBase64KeyLen + 1> text{};
        encodeSecretKey(a.bytes(), text);
        QCOMPARE(std::strlen(text.data()), kBase64KeyLen);
        const auto back = parseSecretKey(std::string_view(text.data(), kBase64KeyLen));
        wipe(std::span<uint8_t>(reinterpret_cast<uint8_t*>(text.data()), text.size()));
        QVERIFY(back.has_value());
        QVERIFY(constantTimeEqual(back->bytes(), a.bytes()));
    }
};

QTEST_APPLESS_MAIN(TestWgKeys)
#include "tst_wg_keys.moc"
