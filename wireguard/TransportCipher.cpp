#include "TransportCipher.h"

#include <memory>
#include <openssl/evp.h>
#include <stdexcept>

namespace peertun::wireguard {
namespace {

struct CtxDeleter
{
    void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

// The cipher is fetched once per process, the context once per thread; a context carries no
// key between calls that matters (each call sets key and nonce).
EVP_CIPHER_CTX* threadContext()
{
    thread_local std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter> ctx;
    if (!ctx) {
        ctx.reset(EVP_CIPHER_CTX_new());
        if (!ctx || EVP_CipherInit_ex(ctx.get(), EVP_chacha20_poly1305(), nullptr, nullptr, nullptr,
                                      -1) != 1) {
            throw std::runtime_error("libcrypto has no ChaCha20-Poly1305");
        }
    }
    return ctx.get();
}

bool fits(size_t n)
{
    return n <= size_t(INT32_MAX);
}

} // namespace

bool transportEncrypt(MutableBytes buffer, size_t plainLen, const SecretKey& key, uint64_t counter)
{
    if (buffer.size() != plainLen + kAeadTagLen || !fits(plainLen)) {
        return false;
    }
    EVP_CIPHER_CTX* c = threadContext();
    const AeadNonce nonce = counterNonce(counter);
    int out = 0;
    uint8_t* p = buffer.data();
    const bool ok =
        EVP_CipherInit_ex(c, nullptr, nullptr, key.data(), nonce.data(), 1) == 1 &&
        (plainLen == 0 || EVP_CipherUpdate(c, p, &out, p, int(plainLen)) == 1) &&
        EVP_CipherFinal_ex(c, p + plainLen, &out) == 1 &&
        EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, int(kAeadTagLen), p + plainLen) == 1;
    if (!ok) {
        wipe(buffer);
    }
    return ok;
}

bool transportDecrypt(MutableBytes buffer, const SecretKey& key, uint64_t counter)
{
    if (buffer.size() < kAeadTagLen || !fits(buffer.size())) {
        wipe(buffer);
        return false;
    }
    const size_t len = buffer.size() - kAeadTagLen;
    EVP_CIPHER_CTX* c = threadContext();
    const AeadNonce nonce = counterNonce(counter);
    int out = 0;
    uint8_t* p = buffer.data();
    // libcrypto decrypts before it checks the tag: on failure the plaintext must go.
    const bool ok = EVP_CipherInit_ex(c, nullptr, nullptr, key.data(), nonce.data(), 0) == 1 &&
                    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, int(kAeadTagLen), p + len) == 1 &&
                    (len == 0 || EVP_CipherUpdate(c, p, &out, p, int(len)) == 1) &&
                    EVP_CipherFinal_ex(c, p + len, &out) == 1;
    if (!ok) {
        wipe(buffer);
    }
    return ok;
}

} // namespace peertun::wireguard
