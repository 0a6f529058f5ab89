// A fresh WireGuard key pair as base64 text, for tests that write profiles (the private key's
// bytes are wiped from the stack after encoding).
#pragma once

#include "Keys.h"

#include <QString>
#include <array>

namespace peertun::testlab {

struct KeyPair
{
    QString privateKey, publicKey;
};

inline KeyPair makeKeys()
{
    const auto key = peertun::keys::generateKey();
    std::array<char, peertun::keys::kBase64KeyLen + 1> text{};
    peertun::keys::encodeSecretKey(key.bytes(), text);
    KeyPair k{
        QString::fromLatin1(text.data()),
        QString::fromStdString(peertun::keys::encodePublicKey(peertun::keys::publicKeyOf(key)))};
    text.fill(0);
    return k;
}

} // namespace peertun::testlab
