#include "Noise.h"

#include "TransportCipher.h"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace peertun::wireguard {

namespace {

constexpr std::string_view kConstruction = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
constexpr std::string_view kIdentifier = "WireGuard v1 zx2c4 Jason@zx2c4.com";
constexpr std::string_view kLabelMac1 = "mac1----";
constexpr std::string_view kLabelCookie = "cookie--";

Bytes asBytes(std::string_view s)
{
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Ci = Hash(Construction); Hi = Hash(Ci || Identifier): the same for every handshake.
struct InitialState
{
    SecretKey chainingKey;
    Hash hash{};
    InitialState()
    {
        const Hash c = blake2s({asBytes(kConstruction)});
        chainingKey = SecretKey(std::span<const uint8_t, kKeyLen>(c));
        hash = blake2s({c, asBytes(kIdentifier)});
    }
};

const InitialState& initialState()
{
    static const InitialState s;
    return s;
}

void mixHash(Hash& h, Bytes data)
{
    h = blake2s({h, data});
}

PublicKey publicKeyAt(const uint8_t* p)
{
    PublicKey k;
    std::memcpy(k.data(), p, kKeyLen);
    return k;
}

} // namespace

uint32_t readLe32(const uint8_t* p)
{
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

uint64_t readLe64(const uint8_t* p)
{
    return uint64_t(readLe32(p)) | uint64_t(readLe32(p + 4)) << 32;
}

void writeLe32(uint8_t* p, uint32_t v)
{
    for (int i = 0; i < 4; ++i) {
        p[i] = static_cast<uint8_t>(v >> (8 * i));
    }
}

void writeLe64(uint8_t* p, uint64_t v)
{
    for (int i = 0; i < 8; ++i) {
        p[i] = static_cast<uint8_t>(v >> (8 * i));
    }
}

// --- TAI64N -----------------------------------------------------------------------------------

Tai64n Tai64n::fromUnix(std::chrono::nanoseconds sinceEpoch)
{
    constexpr uint64_t kBase = (uint64_t{1} << 62) + 10;
    constexpr uint32_t kWhitenerMask = (1u << 24) - 1;
    const auto secs = std::chrono::floor<std::chrono::seconds>(sinceEpoch);
    const uint64_t s = kBase + static_cast<uint64_t>(secs.count());
    const uint32_t ns = static_cast<uint32_t>((sinceEpoch - secs).count()) & ~kWhitenerMask;
    Tai64n t;
    for (int i = 0; i < 8; ++i) {
        t.bytes[i] = static_cast<uint8_t>(s >> (56 - 8 * i));
    }
    for (int i = 0; i < 4; ++i) {
        t.bytes[8 + i] = static_cast<uint8_t>(ns >> (24 - 8 * i));
    }
    return t;
}

Tai64n Tai64n::now()
{
    return fromUnix(std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::system_clock::now().time_since_epoch()));
}

bool Tai64n::isAfter(const Tai64n& other) const
{
    return std::memcmp(bytes.data(), other.bytes.data(), bytes.size()) > 0;
}

// --- identities -------------------------------------------------------------------------------

LocalIdentity::LocalIdentity(LockedSecretKey privateKey)
    : m_private(std::move(privateKey)), m_public(derivePublicKey(m_private.bytes())),
      m_mac1Key(blake2s({asBytes(kLabelMac1), m_public})),
      m_cookieKey(blake2s({asBytes(kLabelCookie), m_public}))
{}

PeerIdentity::PeerIdentity(const LocalIdentity& local, const PublicKey& publicKey,
                           std::optional<LockedSecretKey> presharedKey)
    : m_public(publicKey), m_mac1Key(blake2s({asBytes(kLabelMac1), publicKey})),
      m_cookieKey(blake2s({asBytes(kLabelCookie), publicKey}))
{
    if (presharedKey) {
        m_psk = std::move(*presharedKey);
    }
    m_staticStaticValid = x25519(m_staticStatic, local.privateKey().bytes(), publicKey);
}

void HandshakeState::clear()
{
    stage = Stage::None;
    wipe(hash);
    chainingKey.wipe();
    localEphemeral.wipe();
    remoteEphemeral.fill(0);
    localIndex = 0;
    remoteIndex = 0;
}

// --- handshake --------------------------------------------------------------------------------

bool createInitiation(const LocalIdentity& local, const PeerIdentity& peer, HandshakeState& state,
                      uint32_t localIndex, const Tai64n& timestamp,
                      std::span<uint8_t, kInitiationSize> msg)
{
    state.clear();
    if (!peer.hasStaticStatic()) {
        return false;
    }
    std::fill(msg.begin(), msg.end(), 0);
    msg[0] = static_cast<uint8_t>(MessageType::Initiation);
    writeLe32(&msg[initiation::kSender], localIndex);

    SecretKey& ck = state.chainingKey;
    Hash& h = state.hash;
    ck = initialState().chainingKey;
    h = initialState().hash;
    mixHash(h, peer.publicKey());

    generatePrivateKey(state.localEphemeral.mutableBytes());
    const PublicKey ephemeral = derivePublicKey(state.localEphemeral.bytes());
    std::memcpy(&msg[initiation::kEphemeral], ephemeral.data(), kKeyLen);
    kdf1(ck, ck, ephemeral);
    mixHash(h, ephemeral);

    SecretKey dh, key;
    if (!x25519(dh, state.localEphemeral.bytes(), peer.publicKey())) {
        state.clear();
        return false;
    }
    kdf2(ck, key, ck, dh.bytes());
    auto encStatic = msg.subspan(initiation::kStatic, kKeyLen + kAeadTagLen);
    aeadEncrypt(encStatic, key.bytes(), counterNonce(0), local.publicKey(), h);
    mixHash(h, encStatic);

    kdf2(ck, key, ck, peer.staticStatic().bytes());
    auto encTimestamp = msg.subspan(initiation::kTimestamp, timestamp.bytes.size() + kAeadTagLen);
    aeadEncrypt(encTimestamp, key.bytes(), counterNonce(0), timestamp.bytes, h);
    mixHash(h, encTimestamp);

    state.localIndex = localIndex;
    state.stage = HandshakeState::Stage::InitiationSent;
    return true;
}

bool consumeInitiation(const LocalIdentity& local, std::span<const uint8_t, kInitiationSize> msg,
                       ConsumedInitiation& out)
{
    SecretKey ck = initialState().chainingKey;
    Hash h = initialState().hash;
    mixHash(h, local.publicKey());

    const PublicKey ephemeral = publicKeyAt(&msg[initiation::kEphemeral]);
    kdf1(ck, ck, ephemeral);
    mixHash(h, ephemeral);

    SecretKey dh, key;
    if (!x25519(dh, local.privateKey().bytes(), ephemeral)) {
        return false;
    }
    kdf2(ck, key, ck, dh.bytes());
    PublicKey initiatorStatic{};
    auto encStatic = msg.subspan(initiation::kStatic, kKeyLen + kAeadTagLen);
    if (!aeadDecrypt(initiatorStatic, key.bytes(), counterNonce(0), encStatic, h)) {
        return false;
    }
    mixHash(h, encStatic);

    if (!x25519(dh, local.privateKey().bytes(), initiatorStatic)) {
        return false;
    }
    kdf2(ck, key, ck, dh.bytes());
    Tai64n timestamp;
    auto encTimestamp = msg.subspan(initiation::kTimestamp, timestamp.bytes.size() + kAeadTagLen);
    if (!aeadDecrypt(timestamp.bytes, key.bytes(), counterNonce(0), encTimestamp, h)) {
        return false;
    }
    mixHash(h, encTimestamp);

    out.initiatorStatic = initiatorStatic;
    out.timestamp = timestamp;
    out.senderIndex = readLe32(&msg[initiation::kSender]);
    out.ephemeral = ephemeral;
    out.hash = h;
    out.chainingKey = ck;
    return true;
}

bool createResponse(const LocalIdentity& /*local*/, const PeerIdentity& peer, HandshakeState& state,
                    uint32_t localIndex, std::span<uint8_t, kResponseSize> msg, TransportKeys& keys)
{
    if (state.stage != HandshakeState::Stage::InitiationReceived) {
        return false;
    }
    std::fill(msg.begin(), msg.end(), 0);
    msg[0] = static_cast<uint8_t>(MessageType::Response);
    writeLe32(&msg[response::kSender], localIndex);
    writeLe32(&msg[response::kReceiver], state.remoteIndex);

    SecretKey& ck = state.chainingKey;
    Hash& h = state.hash;
    generatePrivateKey(state.localEphemeral.mutableBytes());
    const PublicKey ephemeral = derivePublicKey(state.localEphemeral.bytes());
    std::memcpy(&msg[response::kEphemeral], ephemeral.data(), kKeyLen);
    kdf1(ck, ck, ephemeral);
    mixHash(h, ephemeral);

    SecretKey dh;
    if (!x25519(dh, state.localEphemeral.bytes(), state.remoteEphemeral)) {
        state.clear();
        return false;
    }
    kdf1(ck, ck, dh.bytes());
    if (!x25519(dh, state.localEphemeral.bytes(), peer.publicKey())) {
        state.clear();
        return false;
    }
    kdf1(ck, ck, dh.bytes());

    SecretKey tau, key;
    kdf3(ck, tau, key, ck, peer.presharedKey().bytes());
    mixHash(h, tau.bytes());
    auto encEmpty = msg.subspan(response::kEmpty, kAeadTagLen);
    aeadEncrypt(encEmpty, key.bytes(), counterNonce(0), {}, h);
    mixHash(h, encEmpty);

    // (T_send_i, T_recv_i) = Kdf2(C, empty); the responder uses them the other way round.
    kdf2(keys.receiving, keys.sending, ck, {});
    state.clear();
    return true;
}

bool consumeResponse(const LocalIdentity& local, const PeerIdentity& peer, HandshakeState& state,
                     std::span<const uint8_t, kResponseSize> msg, TransportKeys& keys)
{
    if (state.stage != HandshakeState::Stage::InitiationSent) {
        return false;
    }
    // Work on copies: a forged response must not disturb the pending handshake.
    SecretKey ck = state.chainingKey;
    Hash h = state.hash;

    const PublicKey ephemeral = publicKeyAt(&msg[response::kEphemeral]);
    kdf1(ck, ck, ephemeral);
    mixHash(h, ephemeral);

    SecretKey dh;
    if (!x25519(dh, state.localEphemeral.bytes(), ephemeral)) {
        return false;
    }
    kdf1(ck, ck, dh.bytes());
    if (!x25519(dh, local.privateKey().bytes(), ephemeral)) {
        return false;
    }
    kdf1(ck, ck, dh.bytes());

    SecretKey tau, key;
    kdf3(ck, tau, key, ck, peer.presharedKey().bytes());
    mixHash(h, tau.bytes());
    std::array<uint8_t, 0> nothing{};
    if (!aeadDecrypt(nothing, key.bytes(), counterNonce(0),
                     msg.subspan(response::kEmpty, kAeadTagLen), h)) {
        return false;
    }

    kdf2(keys.sending, keys.receiving, ck, {});
    wipe(h);
    state.clear();
    return true;
}

// --- cookies ----------------------------------------------------------------------------------

CookieChecker::CookieChecker(const LocalIdentity& local)
    : m_mac1Key(local.mac1Key()), m_cookieKey(local.cookieKey())
{}

bool CookieChecker::checkMac1(std::span<const uint8_t> msg, size_t mac1Offset) const
{
    if (msg.size() < mac1Offset + 2 * kMacLen) {
        return false;
    }
    const Mac expected = keyedBlake2s128(m_mac1Key, {msg.first(mac1Offset)});
    return constantTimeEqual(expected, msg.subspan(mac1Offset, kMacLen));
}

Mac CookieChecker::cookieFor(Bytes sourceAddress, Time now)
{
    if (!m_secretBorn || now - *m_secretBorn >= kCookieRefreshTime) {
        randomBytes(m_secret.mutableBytes());
        m_secretBorn = now;
    }
    return keyedBlake2s128(m_secret.bytes(), {sourceAddress});
}

bool CookieChecker::checkMac2(std::span<const uint8_t> msg, size_t mac1Offset, Bytes sourceAddress,
                              Time now)
{
    const size_t mac2Offset = mac1Offset + kMacLen;
    if (msg.size() < mac2Offset + kMacLen) {
        return false;
    }
    Mac cookie = cookieFor(sourceAddress, now);
    const Mac expected = keyedBlake2s128(cookie, {msg.first(mac2Offset)});
    wipe(cookie);
    return constantTimeEqual(expected, msg.subspan(mac2Offset, kMacLen));
}

void CookieChecker::createCookieReply(std::span<const uint8_t> msg, size_t senderOffset,
                                      size_t mac1Offset, Bytes sourceAddress, Time now,
                                      std::span<uint8_t, kCookieReplySize> reply)
{
    std::fill(reply.begin(), reply.end(), 0);
    reply[0] = static_cast<uint8_t>(MessageType::CookieReply);
    std::memcpy(&reply[cookie::kReceiver], &msg[senderOffset], 4);
    XNonce nonce;
    randomBytes(nonce);
    std::memcpy(&reply[cookie::kNonce], nonce.data(), nonce.size());
    Mac value = cookieFor(sourceAddress, now);
    xaeadEncrypt(reply.subspan(cookie::kCookie, kMacLen + kAeadTagLen), m_cookieKey, nonce, value,
                 msg.subspan(mac1Offset, kMacLen));
    wipe(value);
}

void CookieState::addMacs(const PeerIdentity& peer, std::span<uint8_t> msg, size_t mac1Offset,
                          Time now)
{
    const Mac mac1 = keyedBlake2s128(peer.mac1Key(), {msg.first(mac1Offset)});
    std::memcpy(&msg[mac1Offset], mac1.data(), kMacLen);
    m_lastMac1 = mac1;
    m_haveLastMac1 = true;
    const size_t mac2Offset = mac1Offset + kMacLen;
    if (hasFreshCookie(now)) {
        const Mac mac2 = keyedBlake2s128(m_cookie, {msg.first(mac2Offset)});
        std::memcpy(&msg[mac2Offset], mac2.data(), kMacLen);
    } else {
        std::memset(&msg[mac2Offset], 0, kMacLen);
    }
}

bool CookieState::consumeCookieReply(const PeerIdentity& peer,
                                     std::span<const uint8_t, kCookieReplySize> reply, Time now)
{
    if (!m_haveLastMac1) {
        return false;
    }
    XNonce nonce;
    std::memcpy(nonce.data(), &reply[cookie::kNonce], nonce.size());
    Mac value{};
    if (!xaeadDecrypt(value, peer.cookieKey(), nonce,
                      reply.subspan(cookie::kCookie, kMacLen + kAeadTagLen), m_lastMac1)) {
        return false;
    }
    m_cookie = value;
    m_cookieReceived = now;
    // One reply per message sent: a replayed cookie reply is not accepted twice.
    m_haveLastMac1 = false;
    return true;
}

bool CookieState::hasFreshCookie(Time now) const
{
    return m_cookieReceived && now - *m_cookieReceived < kCookieRefreshTime;
}

// --- transport --------------------------------------------------------------------------------

size_t transportMessageSize(size_t plaintextLen, size_t paddingCap)
{
    size_t padded = (plaintextLen + kTransportPadding - 1) & ~(kTransportPadding - 1);
    if (paddingCap && padded > paddingCap) {
        padded = std::max(plaintextLen, paddingCap);
    }
    return kTransportHeaderSize + padded + kAeadTagLen;
}

size_t sealTransport(std::span<uint8_t> buffer, size_t plaintextLen, uint32_t receiverIndex,
                     uint64_t counter, const SecretKey& key, size_t paddingCap)
{
    const size_t size = transportMessageSize(plaintextLen, paddingCap);
    if (buffer.size() < size) {
        return 0;
    }
    const size_t padded = size - kTransportHeaderSize - kAeadTagLen;
    buffer[0] = static_cast<uint8_t>(MessageType::Transport);
    buffer[1] = buffer[2] = buffer[3] = 0;
    writeLe32(&buffer[transport::kReceiver], receiverIndex);
    writeLe64(&buffer[transport::kCounter], counter);
    std::memset(&buffer[kTransportHeaderSize + plaintextLen], 0, padded - plaintextLen);
    if (!transportEncrypt(buffer.subspan(kTransportHeaderSize, padded + kAeadTagLen), padded, key,
                          counter)) {
        return 0;
    }
    return size;
}

bool openTransport(std::span<uint8_t> message, const SecretKey& key)
{
    if (message.size() < kTransportMinSize) {
        return false;
    }
    const uint64_t counter = readLe64(&message[transport::kCounter]);
    auto body = message.subspan(kTransportHeaderSize);
    return transportDecrypt(body, key, counter);
}

} // namespace peertun::wireguard
