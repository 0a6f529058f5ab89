// Thin wrappers over libsodium (X25519, ChaCha20-Poly1305 IETF, XChaCha20-Poly1305, constant-time
// compare, wiping, locked memory) and libb2 (BLAKE2s), plus the HMAC/HKDF constructions that the
// WireGuard whitepaper builds from BLAKE2s. No primitive is implemented here.
#pragma once

#include "SecretKey.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>

namespace peertun::wireguard {

// The key types and the primitives on them live in the shared key library (lib/keys), which
// the app and the CLI link without the protocol; the protocol names them as its own.
using keys::Bytes;
using keys::clampPrivateKey;
using keys::constantTimeEqual;
using keys::derivePublicKey;
using keys::ensureSodium;
using keys::generatePrivateKey;
using keys::isAllZero;
using keys::kKeyLen;
using keys::LockedSecretKey;
using keys::MutableBytes;
using keys::PublicKey;
using keys::randomBytes;
using keys::randomU32;
using keys::randomUniform;
using keys::SecretKey;
using keys::wipe;

inline constexpr size_t kHashLen = 32;    // BLAKE2s-256
inline constexpr size_t kAeadTagLen = 16; // Poly1305
inline constexpr size_t kMacLen = 16;     // BLAKE2s-128 keyed MAC (mac1, mac2, cookies)
inline constexpr size_t kAeadNonceLen = 12;
inline constexpr size_t kXNonceLen = 24;

using Hash = std::array<uint8_t, kHashLen>;
using Mac = std::array<uint8_t, kMacLen>;
using AeadNonce = std::array<uint8_t, kAeadNonceLen>;
using XNonce = std::array<uint8_t, kXNonceLen>;

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

} // namespace peertun::wireguard
