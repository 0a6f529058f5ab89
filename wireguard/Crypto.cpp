#include "Crypto.h"

#include <blake2.h>
#include <cstring>
#include <new>
#include <sodium.h>
#include <stdexcept>

namespace peertun::wireguard {

bool x25519(SecretKey& shared, std::span<const uint8_t, kKeyLen> privateKey,
            const PublicKey& publicKey)
{
    ensureSodium();
    // libsodium already returns -1 for an all-zero result; the explicit check keeps the rule
    // visible and independent of the library version.
    if (crypto_scalarmult(shared.data(), privateKey.data(), publicKey.data()) != 0 ||
        shared.isZero()) {
        shared.wipe();
        return false;
    }
    return true;
}

// --- AEAD -------------------------------------------------------------------------------------

AeadNonce counterNonce(uint64_t counter)
{
    AeadNonce n{};
    for (int i = 0; i < 8; ++i) {
        n[4 + i] = static_cast<uint8_t>(counter >> (8 * i));
    }
    return n;
}

void aeadEncrypt(MutableBytes out, Bytes key, const AeadNonce& nonce, Bytes plaintext, Bytes ad)
{
    ensureSodium();
    if (key.size() != kKeyLen || out.size() != plaintext.size() + kAeadTagLen) {
        throw std::invalid_argument("aeadEncrypt: bad sizes");
    }
    crypto_aead_chacha20poly1305_ietf_encrypt_detached(
        out.data(), out.data() + plaintext.size(), nullptr, plaintext.data(), plaintext.size(),
        ad.data(), ad.size(), nullptr, nonce.data(), key.data());
}

bool aeadDecrypt(MutableBytes out, Bytes key, const AeadNonce& nonce, Bytes ciphertextAndTag,
                 Bytes ad)
{
    ensureSodium();
    if (key.size() != kKeyLen || ciphertextAndTag.size() < kAeadTagLen ||
        out.size() != ciphertextAndTag.size() - kAeadTagLen) {
        return false;
    }
    const size_t clen = ciphertextAndTag.size() - kAeadTagLen;
    // libsodium verifies the tag before writing any plaintext, so a failed call leaves an
    // aliased buffer untouched.
    return crypto_aead_chacha20poly1305_ietf_decrypt_detached(
               out.data(), nullptr, ciphertextAndTag.data(), clen, ciphertextAndTag.data() + clen,
               ad.data(), ad.size(), nonce.data(), key.data()) == 0;
}

void xaeadEncrypt(MutableBytes out, Bytes key, const XNonce& nonce, Bytes plaintext, Bytes ad)
{
    ensureSodium();
    if (key.size() != kKeyLen || out.size() != plaintext.size() + kAeadTagLen) {
        throw std::invalid_argument("xaeadEncrypt: bad sizes");
    }
    crypto_aead_xchacha20poly1305_ietf_encrypt_detached(
        out.data(), out.data() + plaintext.size(), nullptr, plaintext.data(), plaintext.size(),
        ad.data(), ad.size(), nullptr, nonce.data(), key.data());
}

bool xaeadDecrypt(MutableBytes out, Bytes key, const XNonce& nonce, Bytes ciphertextAndTag,
                  Bytes ad)
{
    ensureSodium();
    if (key.size() != kKeyLen || ciphertextAndTag.size() < kAeadTagLen ||
        out.size() != ciphertextAndTag.size() - kAeadTagLen) {
        return false;
    }
    const size_t clen = ciphertextAndTag.size() - kAeadTagLen;
    return crypto_aead_xchacha20poly1305_ietf_decrypt_detached(
               out.data(), nullptr, ciphertextAndTag.data(), clen, ciphertextAndTag.data() + clen,
               ad.data(), ad.size(), nonce.data(), key.data()) == 0;
}

// --- BLAKE2s ----------------------------------------------------------------------------------

namespace {
void checkB2(int rc)
{
    if (rc != 0) {
        throw std::runtime_error("libb2 blake2s call failed");
    }
}

// Key ^ pad, the HMAC block. Key longer than a block is hashed first (RFC 2104).
void hmacBlock(std::array<uint8_t, BLAKE2S_BLOCKBYTES>& block, Bytes key, uint8_t pad)
{
    block.fill(0);
    if (key.size() > block.size()) {
        Hash k = blake2s({key});
        std::memcpy(block.data(), k.data(), k.size());
        sodium_memzero(k.data(), k.size());
    } else {
        std::memcpy(block.data(), key.data(), key.size());
    }
    for (auto& b : block) {
        b ^= pad;
    }
}
} // namespace

Hash blake2s(std::initializer_list<Bytes> parts)
{
    blake2s_state s;
    checkB2(blake2s_init(&s, kHashLen));
    for (Bytes p : parts) {
        checkB2(blake2s_update(&s, p.data(), p.size()));
    }
    Hash out{};
    checkB2(blake2s_final(&s, out.data(), out.size()));
    sodium_memzero(&s, sizeof s);
    return out;
}

Mac keyedBlake2s128(Bytes key, std::initializer_list<Bytes> parts)
{
    if (key.empty() || key.size() > BLAKE2S_KEYBYTES) {
        throw std::invalid_argument("keyedBlake2s128: bad key size");
    }
    blake2s_state s;
    checkB2(blake2s_init_key(&s, kMacLen, key.data(), key.size()));
    for (Bytes p : parts) {
        checkB2(blake2s_update(&s, p.data(), p.size()));
    }
    Mac out{};
    checkB2(blake2s_final(&s, out.data(), out.size()));
    sodium_memzero(&s, sizeof s);
    return out;
}

void blake2sRaw(MutableBytes out, Bytes key, Bytes input)
{
    if (out.empty() || out.size() > BLAKE2S_OUTBYTES || key.size() > BLAKE2S_KEYBYTES) {
        throw std::invalid_argument("blake2sRaw: bad sizes");
    }
    checkB2(::blake2s(out.data(), input.data(), key.empty() ? nullptr : key.data(), out.size(),
                      input.size(), key.size()));
}

void hmacBlake2s(std::span<uint8_t, kHashLen> out, Bytes key, std::initializer_list<Bytes> parts)
{
    std::array<uint8_t, BLAKE2S_BLOCKBYTES> block{};
    Hash inner{};
    blake2s_state s;

    hmacBlock(block, key, 0x36);
    checkB2(blake2s_init(&s, kHashLen));
    checkB2(blake2s_update(&s, block.data(), block.size()));
    for (Bytes p : parts) {
        checkB2(blake2s_update(&s, p.data(), p.size()));
    }
    checkB2(blake2s_final(&s, inner.data(), inner.size()));

    hmacBlock(block, key, 0x5c);
    checkB2(blake2s_init(&s, kHashLen));
    checkB2(blake2s_update(&s, block.data(), block.size()));
    checkB2(blake2s_update(&s, inner.data(), inner.size()));
    checkB2(blake2s_final(&s, out.data(), out.size()));

    sodium_memzero(block.data(), block.size());
    sodium_memzero(inner.data(), inner.size());
    sodium_memzero(&s, sizeof s);
}

namespace {
// Shared body of Kdf1/2/3; writes up to three outputs (null = not wanted).
void kdf(SecretKey* t1, SecretKey* t2, SecretKey* t3, const SecretKey& chainingKey, Bytes input)
{
    SecretKey t0, a, b, c;
    const uint8_t one = 1, two = 2, three = 3;
    hmacBlake2s(t0.mutableBytes(), chainingKey.bytes(), {input});
    hmacBlake2s(a.mutableBytes(), t0.bytes(), {Bytes(&one, 1)});
    if (t2) {
        hmacBlake2s(b.mutableBytes(), t0.bytes(), {a.bytes(), Bytes(&two, 1)});
    }
    if (t3) {
        hmacBlake2s(c.mutableBytes(), t0.bytes(), {b.bytes(), Bytes(&three, 1)});
    }
    // Assign last: outputs may alias the chaining key.
    *t1 = a;
    if (t2) {
        *t2 = b;
    }
    if (t3) {
        *t3 = c;
    }
}
} // namespace

void kdf1(SecretKey& t1, const SecretKey& chainingKey, Bytes input)
{
    kdf(&t1, nullptr, nullptr, chainingKey, input);
}

void kdf2(SecretKey& t1, SecretKey& t2, const SecretKey& chainingKey, Bytes input)
{
    kdf(&t1, &t2, nullptr, chainingKey, input);
}

void kdf3(SecretKey& t1, SecretKey& t2, SecretKey& t3, const SecretKey& chainingKey, Bytes input)
{
    kdf(&t1, &t2, &t3, chainingKey, input);
}

} // namespace peertun::wireguard
