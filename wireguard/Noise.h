// The WireGuard handshake (Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s as in the whitepaper, section
// 5.4), its MAC1/MAC2 cookie mechanism (5.4.4, 5.4.7) and the transport data format (5.4.6).
// Stateless functions over explicit state; the Device (Device.h) drives them.
#pragma once

#include "Crypto.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>

namespace peertun::wireguard {

// Monotonic time, injected by the caller (any epoch, e.g. steady_clock since boot).
using Time = std::chrono::nanoseconds;

enum class MessageType : uint8_t {
    Initiation = 1,
    Response = 2,
    CookieReply = 3,
    Transport = 4,
};

inline constexpr size_t kInitiationSize = 148;
inline constexpr size_t kResponseSize = 92;
inline constexpr size_t kCookieReplySize = 64;
inline constexpr size_t kTransportHeaderSize = 16;
inline constexpr size_t kTransportMinSize = kTransportHeaderSize + kAeadTagLen; // keepalive
inline constexpr size_t kTransportPadding = 16;

// Byte offsets inside the messages (all integers little-endian).
namespace initiation {
inline constexpr size_t kSender = 4, kEphemeral = 8, kStatic = 40, kTimestamp = 88, kMac1 = 116,
                        kMac2 = 132;
}
namespace response {
inline constexpr size_t kSender = 4, kReceiver = 8, kEphemeral = 12, kEmpty = 44, kMac1 = 60,
                        kMac2 = 76;
}
namespace cookie {
inline constexpr size_t kReceiver = 4, kNonce = 8, kCookie = 32;
}
namespace transport {
inline constexpr size_t kReceiver = 4, kCounter = 8, kPayload = 16;
}

uint32_t readLe32(const uint8_t* p);
uint64_t readLe64(const uint8_t* p);
void writeLe32(uint8_t* p, uint32_t v);
void writeLe64(uint8_t* p, uint64_t v);

// TAI64N label: 8-byte big-endian seconds (2^62 + 10 + Unix seconds), 4-byte big-endian
// nanoseconds. Compared bytewise, so greater means later.
struct Tai64n
{
    std::array<uint8_t, 12> bytes{};

    // Nanoseconds are rounded down to a multiple of 2^24 (~16.8 ms), as wireguard-go does, so
    // the timestamp does not leak fine-grained clock information.
    static Tai64n fromUnix(std::chrono::nanoseconds sinceEpoch);
    static Tai64n now(); // system clock
    bool isAfter(const Tai64n& other) const;
};

// Our side: static key pair and the keys derived from our public key.
class LocalIdentity
{
public:
    explicit LocalIdentity(LockedSecretKey privateKey);

    const LockedSecretKey& privateKey() const { return m_private; }
    const PublicKey& publicKey() const { return m_public; }
    const Hash& mac1Key() const { return m_mac1Key; }     // Hash("mac1----" || our public)
    const Hash& cookieKey() const { return m_cookieKey; } // Hash("cookie--" || our public)

private:
    LockedSecretKey m_private;
    PublicKey m_public{};
    Hash m_mac1Key{}, m_cookieKey{};
};

// A configured peer: its static public key, optional preshared key, and precomputations.
class PeerIdentity
{
public:
    // `presharedKey` may be empty (all zero), as WireGuard treats "no PSK".
    PeerIdentity(const LocalIdentity& local, const PublicKey& publicKey,
                 std::optional<LockedSecretKey> presharedKey);

    const PublicKey& publicKey() const { return m_public; }
    const LockedSecretKey& presharedKey() const { return m_psk; }
    // DH(our static, their static); nullopt-equivalent (false) when their key is low-order.
    bool hasStaticStatic() const { return m_staticStaticValid; }
    const SecretKey& staticStatic() const { return m_staticStatic; }
    const Hash& mac1Key() const { return m_mac1Key; }     // for messages we send to them
    const Hash& cookieKey() const { return m_cookieKey; } // to decrypt their cookie replies

private:
    PublicKey m_public{};
    LockedSecretKey m_psk;
    SecretKey m_staticStatic;
    bool m_staticStaticValid = false;
    Hash m_mac1Key{}, m_cookieKey{};
};

// Handshake transcript state for one peer.
struct HandshakeState
{
    enum class Stage : uint8_t { None, InitiationSent, InitiationReceived };
    Stage stage = Stage::None;
    Hash hash{};
    SecretKey chainingKey;
    SecretKey localEphemeral;
    PublicKey remoteEphemeral{};
    uint32_t localIndex = 0; // 0 = none (indexes we allocate are never 0)
    uint32_t remoteIndex = 0;

    void clear(); // wipes secrets, back to Stage::None
};

// What a responder learns from a valid initiation before it knows which peer sent it.
struct ConsumedInitiation
{
    PublicKey initiatorStatic{};
    Tai64n timestamp;
    uint32_t senderIndex = 0;
    PublicKey ephemeral{};
    Hash hash{};
    SecretKey chainingKey;
};

struct TransportKeys
{
    SecretKey sending, receiving;
};

// Initiator: fills `msg` except mac1/mac2 (see CookieState::addMacs). Generates the ephemeral.
// Returns false if a DH result is zero (peer's static key is low-order).
[[nodiscard]] bool createInitiation(const LocalIdentity& local, const PeerIdentity& peer,
                                    HandshakeState& state, uint32_t localIndex,
                                    const Tai64n& timestamp,
                                    std::span<uint8_t, kInitiationSize> msg);

// Responder: decrypts the initiator's static key and timestamp. MAC1 must be checked before.
[[nodiscard]] bool consumeInitiation(const LocalIdentity& local,
                                     std::span<const uint8_t, kInitiationSize> msg,
                                     ConsumedInitiation& out);

// Responder: `state` must hold the consumed initiation (Stage::InitiationReceived). Writes the
// response (except MACs) and the transport keys; clears `state`.
[[nodiscard]] bool createResponse(const LocalIdentity& local, const PeerIdentity& peer,
                                  HandshakeState& state, uint32_t localIndex,
                                  std::span<uint8_t, kResponseSize> msg, TransportKeys& keys);

// Initiator: checks the response against `state` (Stage::InitiationSent). On success derives
// the transport keys and clears `state`; on failure leaves `state` unchanged.
[[nodiscard]] bool consumeResponse(const LocalIdentity& local, const PeerIdentity& peer,
                                   HandshakeState& state,
                                   std::span<const uint8_t, kResponseSize> msg,
                                   TransportKeys& keys);

// --- MAC1 / MAC2 / cookies ------------------------------------------------------------------

inline constexpr auto kCookieRefreshTime = std::chrono::seconds(120);

// The receiving side of MACs: validates mac1/mac2 on messages sent to us and writes cookie
// replies. The cookie secret rotates every two minutes (injected time).
class CookieChecker
{
public:
    explicit CookieChecker(const LocalIdentity& local);

    // `msg` is a whole initiation or response; `macOffset` its mac1 offset.
    bool checkMac1(std::span<const uint8_t> msg, size_t mac1Offset) const;
    // Valid mac2 means the sender proved it receives at `sourceAddress` (ip bytes || port).
    bool checkMac2(std::span<const uint8_t> msg, size_t mac1Offset, Bytes sourceAddress, Time now);
    // Writes a cookie reply to `msg` (an initiation or response from `sourceAddress`).
    void createCookieReply(std::span<const uint8_t> msg, size_t senderOffset, size_t mac1Offset,
                           Bytes sourceAddress, Time now,
                           std::span<uint8_t, kCookieReplySize> reply);

private:
    Mac cookieFor(Bytes sourceAddress, Time now);

    Hash m_mac1Key{}, m_cookieKey{};
    SecretKey m_secret;
    std::optional<Time> m_secretBorn;
};

// The sending side of MACs for one peer: computes mac1 (and mac2 when we hold a fresh cookie
// from that peer) and accepts their cookie replies.
class CookieState
{
public:
    void addMacs(const PeerIdentity& peer, std::span<uint8_t> msg, size_t mac1Offset, Time now);
    // Accepts a cookie reply if it answers the last message we sent (AD = that mac1).
    bool consumeCookieReply(const PeerIdentity& peer,
                            std::span<const uint8_t, kCookieReplySize> reply, Time now);
    bool hasFreshCookie(Time now) const;

private:
    Mac m_lastMac1{};
    bool m_haveLastMac1 = false;
    Mac m_cookie{};
    std::optional<Time> m_cookieReceived;
};

// --- transport data -------------------------------------------------------------------------

// Size of a transport message carrying `plaintextLen` bytes: header, padding to 16, tag.
// `paddingCap` (e.g. the MTU) limits padding as wireguard-go does; 0 = no cap.
size_t transportMessageSize(size_t plaintextLen, size_t paddingCap = 0);

// Seals in place: `buffer` holds the plaintext at offset 16 (kTransportHeaderSize) and has room
// for transportMessageSize(plaintextLen). Writes header, zero padding, ciphertext and tag.
// Returns the message size, or 0 if the buffer is too small (or libcrypto failed).
size_t sealTransport(std::span<uint8_t> buffer, size_t plaintextLen, uint32_t receiverIndex,
                     uint64_t counter, const SecretKey& key, size_t paddingCap = 0);

// Opens in place: on success the padded plaintext is at [16, size - 16) of `message`; on
// failure the body is wiped.
[[nodiscard]] bool openTransport(std::span<uint8_t> message, const SecretKey& key);

} // namespace peertun::wireguard
