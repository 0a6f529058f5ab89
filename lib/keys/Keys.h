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

// What is wrong with a key's text, for callers that word the error themselves (the profile
// validator, in the user's language). The one set of rules: parsePublicKey and parseSecretKey
// apply it to the trimmed text.
enum class KeyTextProblem {
    None,
    Empty,
    WrongLength,  // `length` characters instead of kBase64KeyLen
    NotBase64,    // a character outside A-Z a-z 0-9 + / = at `position` (1-based)
    NotPadded,    // not 43 characters of base64 and one '=' (not base64 for 32 bytes)
    NotCanonical, // the last character before '=' has spare bits set
    AllZero,      // only checked for secret keys
};
struct KeyTextCheck
{
    KeyTextProblem problem = KeyTextProblem::None;
    size_t length = 0;
    size_t position = 0;
};
// Checks `text` as it is (no trimming); decodes into wiped scratch memory only.
KeyTextCheck checkKeyText(std::string_view text, bool secret);

// `wg genkey`: 32 random bytes clamped for X25519.
LockedSecretKey generateKey();
// `wg pubkey`.
PublicKey publicKeyOf(const LockedSecretKey& privateKey);

} // namespace peertun::keys
