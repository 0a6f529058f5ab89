#include "TransportCipher.h"

#include <cstring>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdexcept>

namespace peertun::wireguard {
namespace {

// One cipher context per thread, made on the thread's first call. It remembers the key and
// direction it was last set up with: consecutive packets of one session then set only the
// nonce, which skips most of libcrypto's per-call setup. The remembered copy of the key is
// wiped when the thread ends (the context's own copy is freed by libcrypto, which wipes it).
class ThreadCipher
{
public:
    ThreadCipher() : m_ctx(EVP_CIPHER_CTX_new())
    {
        if (!m_ctx ||
            EVP_CipherInit_ex(m_ctx, EVP_chacha20_poly1305(), nullptr, nullptr, nullptr, -1) != 1) {
            EVP_CIPHER_CTX_free(m_ctx);
            throw std::runtime_error("libcrypto has no ChaCha20-Poly1305");
        }
    }
    ~ThreadCipher()
    {
        OPENSSL_cleanse(m_key, sizeof m_key);
        EVP_CIPHER_CTX_free(m_ctx);
    }
    ThreadCipher(const ThreadCipher&) = delete;
    ThreadCipher& operator=(const ThreadCipher&) = delete;

    // Sets key (if it differs from the last one), nonce and direction; false if libcrypto fails.
    bool begin(const SecretKey& key, const AeadNonce& nonce, int encrypt)
    {
        static_assert(sizeof m_key == kKeyLen);
        const bool sameKey =
            m_keyed && m_encrypt == encrypt && CRYPTO_memcmp(m_key, key.data(), kKeyLen) == 0;
        if (EVP_CipherInit_ex(m_ctx, nullptr, nullptr, sameKey ? nullptr : key.data(), nonce.data(),
                              encrypt) != 1) {
            m_keyed = false;
            return false;
        }
        if (!sameKey) {
            std::memcpy(m_key, key.data(), kKeyLen);
            m_encrypt = encrypt;
            m_keyed = true;
        }
        return true;
    }
    EVP_CIPHER_CTX* get() const { return m_ctx; }

private:
    EVP_CIPHER_CTX* m_ctx;
    uint8_t m_key[32] = {};
    int m_encrypt = -1;
    bool m_keyed = false;
};

ThreadCipher& threadCipher()
{
    thread_local ThreadCipher cipher;
    return cipher;
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
    ThreadCipher& cipher = threadCipher();
    EVP_CIPHER_CTX* c = cipher.get();
    int out = 0;
    uint8_t* p = buffer.data();
    const bool ok =
        cipher.begin(key, counterNonce(counter), 1) &&
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
    ThreadCipher& cipher = threadCipher();
    EVP_CIPHER_CTX* c = cipher.get();
    int out = 0;
    uint8_t* p = buffer.data();
    // libcrypto decrypts before it checks the tag: on failure the plaintext must go.
    const bool ok = cipher.begin(key, counterNonce(counter), 0) &&
                    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, int(kAeadTagLen), p + len) == 1 &&
                    (len == 0 || EVP_CipherUpdate(c, p, &out, p, int(len)) == 1) &&
                    EVP_CipherFinal_ex(c, p + len, &out) == 1;
    if (!ok) {
        wipe(buffer);
    }
    return ok;
}

} // namespace peertun::wireguard
