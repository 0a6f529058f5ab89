// ChaCha20-Poly1305 (IETF) of transport messages through OpenSSL's libcrypto: on current x86
// its AVX2/AVX-512 code takes about a third less CPU per packet than libsodium's, and transport
// crypto is most of WireGuard mode's cost. Handshakes and cookies keep using Crypto.h (libsodium):
// there the call count, not the speed, matters. Each thread gets one cipher context, made on
// its first call and freed when the thread ends, so the per-packet path allocates nothing.
#pragma once

#include "Crypto.h"

#include <cstdint>

namespace peertun::wireguard {

// Encrypts buffer[0, plainLen) in place and writes the 16-byte tag after it; the buffer holds
// plainLen + kAeadTagLen bytes. No additional data (transport messages have none). Returns
// false only if libcrypto fails (then the buffer is wiped: nothing half-encrypted goes out).
[[nodiscard]] bool transportEncrypt(MutableBytes buffer, size_t plainLen, const SecretKey& key,
                                    uint64_t counter);
// Decrypts ciphertext-then-tag in place: on success buffer[0, size - 16) is the plaintext. On
// failure (forged, truncated, wrong key) returns false and wipes the buffer, so no
// unauthenticated plaintext is left behind.
[[nodiscard]] bool transportDecrypt(MutableBytes buffer, const SecretKey& key, uint64_t counter);

} // namespace peertun::wireguard
