// WireGuard keys as `wg` writes them: 32 bytes in standard base64 with padding (44 characters).
// Errors name the problem, never the key.
#pragma once

#include "SecretKey.h"

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace peertun::keys {

inline constexpr size_t kBase64KeyLen = 44;

// Standard base64 of a public key (or any non-secret 32 bytes).
std::string encodePublicKey(const PublicKey& key);

// Writes the base64 text of a secret key plus a terminating NUL into `out`, so the secret never
// passes through a std::string (which could be copied around and not wiped). Wipe `out` after use.
void encodeSecretKey(std::span<const uint8_t, kKeyLen> key, std::span<char, kBase64KeyLen + 1> out);

// Parses `text` (surrounding whitespace ignored). On failure returns nullopt and sets `error`
// to a sentence like "key must be 44 characters of base64, got 12".
std::optional<PublicKey> parsePublicKey(std::string_view text, std::string* error = nullptr);
// Same rules for a private or preshared key; also rejects an all-zero key.
std::optional<LockedSecretKey> parseSecretKey(std::string_view text, std::string* error = nullptr);

// `wg genkey`: 32 random bytes clamped for X25519.
LockedSecretKey generateKey();
// `wg pubkey`.
PublicKey publicKeyOf(const LockedSecretKey& privateKey);

} // namespace peertun::keys
