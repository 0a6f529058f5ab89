// WireGuard key material shared by every binary: the 32-byte key types, wiping, locked memory,
// randomness and the X25519 operations that make a key pair (libsodium). No Qt, no protocol.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace peertun::keys {

inline constexpr size_t kKeyLen = 32; // X25519 keys, ChaCha20 keys, chaining keys

using PublicKey = std::array<uint8_t, kKeyLen>;
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

// --- X25519 key pairs ---------------------------------------------------------------------
// Clamps as RFC 7748 / `wg genkey` do.
void clampPrivateKey(std::span<uint8_t, kKeyLen> key);
void generatePrivateKey(std::span<uint8_t, kKeyLen> out); // random, clamped
PublicKey derivePublicKey(std::span<const uint8_t, kKeyLen> privateKey);
// --- comparisons and wiping -----------------------------------------------------------------
// Constant time for equal sizes; different sizes compare unequal.
bool constantTimeEqual(Bytes a, Bytes b);
bool isAllZero(Bytes a); // constant time
void wipe(MutableBytes bytes);
// The same for text that held a key (a base64 buffer, a line read from stdin).
void wipe(std::span<char> text);

} // namespace peertun::keys
