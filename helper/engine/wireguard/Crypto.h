// Thin wrappers over libsodium (X25519, ChaCha20-Poly1305 IETF, XChaCha20-Poly1305, constant-time
// compare, wiping, locked memory) and libb2 (BLAKE2s), plus the HMAC/HKDF constructions that the
// WireGuard whitepaper builds from BLAKE2s. No primitive is implemented here.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>

namespace peertun::wireguard {

inline constexpr size_t kKeyLen = 32;     // X25519 keys, ChaCha20 keys, chaining keys
inline constexpr size_t kHashLen = 32;    // BLAKE2s-256
inline constexpr size_t kAeadTagLen = 16; // Poly1305
inline constexpr size_t kMacLen = 16;     // BLAKE2s-128 keyed MAC (mac1, mac2, cookies)
inline constexpr size_t kAeadNonceLen = 12;
inline constexpr size_t kXNonceLen = 24;

using PublicKey = std::array<uint8_t, kKeyLen>;
using Hash = std::array<uint8_t, kHashLen>;
using Mac = std::array<uint8_t, kMacLen>;
using AeadNonce = std::array<uint8_t, kAeadNonceLen>;
using XNonce = std::array<uint8_t, kXNonceLen>;
using Bytes = std::span<const uint8_t>;
using MutableBytes = std::span<uint8_t>;

// Initialises libsodium (idempotent, thread-safe). Every function here calls it.
void ensureSodium();

// 32 bytes of secret material held inline and wiped (sodium_memzero) on destruction and
// before being overwritten. It has no string conversion on purpose.
class SecretKey
{
public:
    SecretKey() = default;
    explicit SecretKey(std::span<const uint8_t, kKeyLen> bytes);
    SecretKey(const SecretKey& other);
    SecretKey& operator=(const SecretKey& other);
    ~SecretKey();

    uint8_t* data() { return m_bytes.data(); }
    const uint8_t* data() const { return m_bytes.data(); }
    std::span<const uint8_t, kKeyLen> bytes() const { return m_bytes; }
    std::span<uint8_t, kKeyLen> mutableBytes() { return m_bytes; }
    bool isZero() const;
    void wipe();

private:
    std::array<uint8_t, kKeyLen> m_bytes{};
};

// A long-lived secret (a static private key, a preshared key) in sodium_malloc'd memory:
// mlock'ed (not swapped), surrounded by guard pages, wiped by sodium_free.
class LockedSecretKey
{
public:
    LockedSecretKey(); // all zero
    explicit LockedSecretKey(std::span<const uint8_t, kKeyLen> bytes);
    LockedSecretKey(const LockedSecretKey& other);
    LockedSecretKey& operator=(const LockedSecretKey& other);
    LockedSecretKey(LockedSecretKey&& other) noexcept;
    LockedSecretKey& operator=(LockedSecretKey&& other) noexcept;
    ~LockedSecretKey();

    const uint8_t* data() const { return m_bytes; }
    uint8_t* data() { return m_bytes; }
    std::span<const uint8_t, kKeyLen> bytes() const
    {
        return std::span<const uint8_t, kKeyLen>(m_bytes, kKeyLen);
    }
    bool isZero() const;

private:
    uint8_t* m_bytes = nullptr;
};

// --- randomness -----------------------------------------------------------------------------
void randomBytes(MutableBytes out);
uint32_t randomU32();
uint32_t randomUniform(uint32_t upperBound); // [0, upperBound)

// --- X25519 ---------------------------------------------------------------------------------
// Clamps as RFC 7748 / `wg genkey` do.
void clampPrivateKey(std::span<uint8_t, kKeyLen> key);
void generatePrivateKey(std::span<uint8_t, kKeyLen> out); // random, clamped
PublicKey derivePublicKey(std::span<const uint8_t, kKeyLen> privateKey);
// DH(priv, pub). Returns false (and leaves `shared` zero) when the result is all zero, i.e. the
// peer sent a low-order point; the protocol must then abort.
[[nodiscard]] bool x25519(SecretKey& shared, std::span<const uint8_t, kKeyLen> privateKey,
                          const PublicKey& publicKey);

// --- AEAD: ChaCha20-Poly1305 (IETF, 96-bit nonce) -------------------------------------------
// `out` holds plaintext.size() + 16 bytes (ciphertext then tag); out.data() may equal
// plaintext.data() for in-place encryption.
void aeadEncrypt(MutableBytes out, Bytes key, const AeadNonce& nonce, Bytes plaintext, Bytes ad);
// `out` holds ciphertextAndTag.size() - 16 bytes; may alias the ciphertext. The tag is checked
// before anything is written, so on failure `out` is untouched.
[[nodiscard]] bool aeadDecrypt(MutableBytes out, Bytes key, const AeadNonce& nonce,
                               Bytes ciphertextAndTag, Bytes ad);
// WireGuard's nonce: 32 zero bits then the 64-bit counter little-endian.
AeadNonce counterNonce(uint64_t counter);

// --- XAEAD: XChaCha20-Poly1305 (192-bit nonce), for cookie replies --------------------------
void xaeadEncrypt(MutableBytes out, Bytes key, const XNonce& nonce, Bytes plaintext, Bytes ad);
[[nodiscard]] bool xaeadDecrypt(MutableBytes out, Bytes key, const XNonce& nonce,
                                Bytes ciphertextAndTag, Bytes ad);

// --- BLAKE2s (libb2) ------------------------------------------------------------------------
// Hash(parts[0] || parts[1] || ...), 32 bytes.
Hash blake2s(std::initializer_list<Bytes> parts);
// Keyed BLAKE2s with 16-byte output: WireGuard's Mac(key, input). Key 1..32 bytes.
Mac keyedBlake2s128(Bytes key, std::initializer_list<Bytes> parts);
// Generic keyed/unkeyed BLAKE2s with any output length 1..32 (for test vectors).
void blake2sRaw(MutableBytes out, Bytes key, Bytes input);

// HMAC-BLAKE2s (RFC 2104 with a 64-byte block), 32-byte output. Key up to 64 bytes.
void hmacBlake2s(std::span<uint8_t, kHashLen> out, Bytes key, std::initializer_list<Bytes> parts);

// HKDF as in the WireGuard paper: t0 = HMAC(C, input); t1 = HMAC(t0, 0x1);
// t2 = HMAC(t0, t1 || 0x2); t3 = HMAC(t0, t2 || 0x3). Outputs may alias the chaining key.
void kdf1(SecretKey& t1, const SecretKey& chainingKey, Bytes input);
void kdf2(SecretKey& t1, SecretKey& t2, const SecretKey& chainingKey, Bytes input);
void kdf3(SecretKey& t1, SecretKey& t2, SecretKey& t3, const SecretKey& chainingKey, Bytes input);

// --- comparisons and wiping -----------------------------------------------------------------
// Constant time for equal sizes; different sizes compare unequal.
bool constantTimeEqual(Bytes a, Bytes b);
bool isAllZero(Bytes a); // constant time
void wipe(MutableBytes bytes);

} // namespace peertun::wireguard
