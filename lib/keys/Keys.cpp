#include "Keys.h"

#include <cstring>
#include <sodium.h>

namespace peertun::keys {

namespace {

std::string_view trim(std::string_view s)
{
    const auto isSpace = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!s.empty() && isSpace(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && isSpace(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

bool isBase64Char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
           c == '/';
}

// The rules of checkKeyText, decoding into `out` (32 bytes; wiped when the text is refused).
KeyTextCheck decodeChecked(std::string_view text, uint8_t* out)
{
    KeyTextCheck check;
    check.length = text.size();
    if (text.empty()) {
        check.problem = KeyTextProblem::Empty;
        return check;
    }
    if (text.size() != kBase64KeyLen) {
        check.problem = KeyTextProblem::WrongLength;
        return check;
    }
    for (size_t i = 0; i < kBase64KeyLen; ++i) {
        if (!isBase64Char(text[i]) && text[i] != '=') {
            check.problem = KeyTextProblem::NotBase64;
            check.position = i + 1;
            return check;
        }
    }
    if (text[kBase64KeyLen - 1] != '=' ||
        text.substr(0, kBase64KeyLen - 1).find('=') != std::string_view::npos) {
        check.problem = KeyTextProblem::NotPadded;
        return check;
    }
    ensureSodium();
    size_t len = 0;
    const char* end = nullptr;
    if (sodium_base642bin(out, kKeyLen, text.data(), text.size(), nullptr, &len, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        len != kKeyLen || end != text.data() + text.size()) {
        // The only remaining way to fail: the last character carries non-zero spare bits.
        sodium_memzero(out, kKeyLen);
        check.problem = KeyTextProblem::NotCanonical;
    }
    return check;
}

// Decodes into `out` (32 bytes). Checks shape first so the error says what is wrong.
bool decodeKey(std::string_view text, uint8_t* out, std::string* error)
{
    const KeyTextCheck check = decodeChecked(trim(text), out);
    std::string message;
    switch (check.problem) {
    case KeyTextProblem::None:
        return true;
    case KeyTextProblem::Empty:
        message = "key is empty";
        break;
    case KeyTextProblem::WrongLength:
        message = "key must be " + std::to_string(kBase64KeyLen) +
                  " characters of base64 (32 bytes), got " + std::to_string(check.length);
        break;
    case KeyTextProblem::NotBase64:
        message = "key contains a character that is not base64 at position " +
                  std::to_string(check.position);
        break;
    case KeyTextProblem::NotPadded:
        message = "key must be 43 characters of base64 and end with '=' (32 bytes)";
        break;
    case KeyTextProblem::NotCanonical:
        message = "key is not canonical base64 (the last character before '=' is wrong)";
        break;
    case KeyTextProblem::AllZero:
        message = "key is all zeros";
        break;
    }
    if (error) {
        *error = std::move(message);
    }
    return false;
}

} // namespace

std::string encodePublicKey(const PublicKey& key)
{
    std::array<char, kBase64KeyLen + 1> buf{};
    encodeSecretKey(key, buf); // same encoding; a public key needs no wiping
    return std::string(buf.data(), kBase64KeyLen);
}

void encodeSecretKey(std::span<const uint8_t, kKeyLen> key, std::span<char, kBase64KeyLen + 1> out)
{
    ensureSodium();
    sodium_bin2base64(out.data(), out.size(), key.data(), key.size(),
                      sodium_base64_VARIANT_ORIGINAL);
}

std::optional<PublicKey> parsePublicKey(std::string_view text, std::string* error)
{
    PublicKey key{};
    if (!decodeKey(text, key.data(), error)) {
        return std::nullopt;
    }
    return key;
}

std::optional<LockedSecretKey> parseSecretKey(std::string_view text, std::string* error)
{
    LockedSecretKey key;
    if (!decodeKey(text, key.data(), error)) {
        return std::nullopt;
    }
    if (key.isZero()) {
        if (error) {
            *error = "key is all zeros";
        }
        return std::nullopt;
    }
    return key;
}

KeyTextCheck checkKeyText(std::string_view text, bool secret)
{
    std::array<uint8_t, kKeyLen> scratch{};
    KeyTextCheck check = decodeChecked(text, scratch.data());
    if (check.problem == KeyTextProblem::None && secret &&
        sodium_is_zero(scratch.data(), scratch.size()) == 1) {
        check.problem = KeyTextProblem::AllZero;
    }
    sodium_memzero(scratch.data(), scratch.size());
    return check;
}

LockedSecretKey generateKey()
{
    LockedSecretKey key;
    generatePrivateKey(std::span<uint8_t, kKeyLen>(key.data(), kKeyLen));
    return key;
}

PublicKey publicKeyOf(const LockedSecretKey& privateKey)
{
    return derivePublicKey(privateKey.bytes());
}

} // namespace peertun::keys
