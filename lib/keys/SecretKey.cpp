#include "SecretKey.h"

#include <cstring>
#include <new>
#include <sodium.h>
#include <stdexcept>

namespace peertun::keys {
void ensureSodium()
{
    // sodium_init() is itself thread-safe and idempotent; the static makes repeat calls free.
    static const bool ok = sodium_init() >= 0;
    if (!ok) {
        throw std::runtime_error("libsodium failed to initialise");
    }
}

// --- SecretKey --------------------------------------------------------------------------------

SecretKey::SecretKey(std::span<const uint8_t, kKeyLen> bytes)
{
    std::memcpy(m_bytes.data(), bytes.data(), kKeyLen);
}

SecretKey::SecretKey(const SecretKey& other) : m_bytes(other.m_bytes) {}

SecretKey& SecretKey::operator=(const SecretKey& other)
{
    if (this != &other) {
        std::memcpy(m_bytes.data(), other.m_bytes.data(), kKeyLen);
    }
    return *this;
}

SecretKey::~SecretKey()
{
    wipe();
}

bool SecretKey::isZero() const
{
    return isAllZero(m_bytes);
}

void SecretKey::wipe()
{
    sodium_memzero(m_bytes.data(), m_bytes.size());
}

// --- LockedSecretKey --------------------------------------------------------------------------

namespace {
uint8_t* allocateLocked()
{
    ensureSodium();
    auto* p = static_cast<uint8_t*>(sodium_malloc(kKeyLen));
    if (!p) {
        throw std::bad_alloc();
    }
    sodium_memzero(p, kKeyLen);
    return p;
}
} // namespace

LockedSecretKey::LockedSecretKey() : m_bytes(allocateLocked()) {}

LockedSecretKey::LockedSecretKey(std::span<const uint8_t, kKeyLen> bytes)
    : m_bytes(allocateLocked())
{
    std::memcpy(m_bytes, bytes.data(), kKeyLen);
}

LockedSecretKey::LockedSecretKey(const LockedSecretKey& other) : LockedSecretKey(other.bytes()) {}

LockedSecretKey& LockedSecretKey::operator=(const LockedSecretKey& other)
{
    if (this != &other) {
        if (!m_bytes) { // moved-from
            m_bytes = allocateLocked();
        }
        std::memcpy(m_bytes, other.m_bytes, kKeyLen);
    }
    return *this;
}

// A moved-from key holds nothing; it may only be destroyed or assigned to.
LockedSecretKey::LockedSecretKey(LockedSecretKey&& other) noexcept : m_bytes(other.m_bytes)
{
    other.m_bytes = nullptr;
}

LockedSecretKey& LockedSecretKey::operator=(LockedSecretKey&& other) noexcept
{
    if (this != &other) {
        sodium_free(m_bytes);
        m_bytes = other.m_bytes;
        other.m_bytes = nullptr;
    }
    return *this;
}

LockedSecretKey::~LockedSecretKey()
{
    sodium_free(m_bytes); // wipes, unlocks; null is fine
}

bool LockedSecretKey::isZero() const
{
    return !m_bytes || isAllZero(bytes());
}

// --- randomness -------------------------------------------------------------------------------

void randomBytes(MutableBytes out)
{
    if (out.empty()) {
        return; // an empty span may have no data pointer; libsodium's is declared non-null
    }
    ensureSodium();
    randombytes_buf(out.data(), out.size());
}

uint32_t randomU32()
{
    ensureSodium();
    return randombytes_random();
}

uint32_t randomUniform(uint32_t upperBound)
{
    ensureSodium();
    return randombytes_uniform(upperBound);
}

// --- X25519 -----------------------------------------------------------------------------------

void clampPrivateKey(std::span<uint8_t, kKeyLen> key)
{
    key[0] &= 248;
    key[31] = static_cast<uint8_t>((key[31] & 127) | 64);
}

void generatePrivateKey(std::span<uint8_t, kKeyLen> out)
{
    randomBytes(out);
    clampPrivateKey(out);
}

PublicKey derivePublicKey(std::span<const uint8_t, kKeyLen> privateKey)
{
    ensureSodium();
    PublicKey pub{};
    if (crypto_scalarmult_base(pub.data(), privateKey.data()) != 0) {
        pub.fill(0); // only for a zero-equivalent scalar; callers treat a zero key as invalid
    }
    return pub;
}

// --- comparisons ------------------------------------------------------------------------------

bool constantTimeEqual(Bytes a, Bytes b)
{
    ensureSodium();
    if (a.size() != b.size()) {
        return false;
    }
    if (a.empty()) {
        return true;
    }
    return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool isAllZero(Bytes a)
{
    ensureSodium();
    return sodium_is_zero(a.data(), a.size()) == 1;
}

void wipe(MutableBytes bytes)
{
    sodium_memzero(bytes.data(), bytes.size());
}

void wipe(std::span<char> text)
{
    sodium_memzero(text.data(), text.size());
}

} // namespace peertun::keys
