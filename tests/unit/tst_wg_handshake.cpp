// Two in-process WireGuard devices talk to each other: handshakes with and without preshared
// key, transport both ways, and everything that must be refused (tampering, replays, wrong keys,
// missing MAC1), cookies under load, rekey and timers with injected time.
#include "Device.h"
#include "Keys.h"
#include "Session.h"

#include <QSet>
#include <QTest>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <new>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <vector>

// Counts heap allocations so a test can prove the transport path makes none.
static std::atomic<long> g_allocations{0};
void* operator new(std::size_t n)
{
    ++g_allocations;
    if (void* p = std::malloc(n ? n : 1)) {
        return p;
    }
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept
{
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept
{
    std::free(p);
}

using namespace peertun::wireguard;
using namespace peertun::keys;
using namespace std::chrono_literals;
using Datagram = std::vector<uint8_t>;

Q_DECLARE_METATYPE(ReceiveOutcome)

namespace {

Endpoint endpointV4(uint8_t last, uint16_t port)
{
    Endpoint e;
    e.family = AF_INET;
    e.address = {10, 0, 0, last};
    e.port = port;
    return e;
}

Tai64n wallClock(Time t)
{
    return Tai64n::fromUnix(std::chrono::seconds(1'700'000'000) + t);
}

LockedSecretKey randomPsk()
{
    LockedSecretKey k;
    randomBytes(std::span<uint8_t>(k.data(), kKeyLen));
    return k;
}

struct Received
{
    ReceiveResult result;
    Datagram reply;
    std::string plaintext;
};

Received deliver(Device& to, Datagram msg, const Endpoint& from, Time now)
{
    std::array<uint8_t, Device::kReplyBufferSize> reply{};
    Received out;
    out.result = to.receive(msg, from, now, reply);
    out.reply.assign(reply.begin(), reply.begin() + out.result.replySize);
    out.plaintext.assign(reinterpret_cast<const char*>(out.result.plaintext.data()),
                         out.result.plaintext.size());
    out.result.plaintext = {}; // points into the local copy of msg
    return out;
}

Datagram seal(Device& from, PeerId peer, const std::string& payload, Time now,
              SendResult* result = nullptr)
{
    Datagram buf(transportMessageSize(payload.size()));
    std::memcpy(buf.data() + kTransportHeaderSize, payload.data(), payload.size());
    const SendResult r = from.encrypt(peer, buf, payload.size(), now);
    if (result) {
        *result = r;
    }
    buf.resize(r.status == SendStatus::Ok ? r.size : 0);
    return buf;
}

Datagram makeInitiation(Device& from, PeerId peer, Time now)
{
    Datagram m(kInitiationSize);
    m.resize(from.createInitiation(peer, now, wallClock(now), m));
    return m;
}

// Two devices, A (initiator in most tests) and B, each knowing the other.
struct Pair
{
    Device a{generateKey()};
    Device b{generateKey()};
    PeerId aToB = kNoPeer, bToA = kNoPeer;
    Endpoint epA = endpointV4(1, 51820), epB = endpointV4(2, 51821);

    explicit Pair(bool withPsk, Time keepaliveA = Time::zero())
    {
        std::optional<LockedSecretKey> psk;
        if (withPsk) {
            psk = randomPsk();
        }
        PeerConfig toB;
        toB.publicKey = b.publicKey();
        toB.presharedKey = psk;
        toB.endpoint = epB;
        toB.persistentKeepalive = keepaliveA;
        aToB = a.addPeer(std::move(toB));
        PeerConfig toA;
        toA.publicKey = a.publicKey();
        toA.presharedKey = psk;
        bToA = b.addPeer(std::move(toA));
    }

    // Initiation A->B, response B->A. Returns the response outcome at A.
    ReceiveOutcome handshake(Time now)
    {
        const Received atB = deliver(b, makeInitiation(a, aToB, now), epA, now);
        if (atB.result.outcome != ReceiveOutcome::InitiationAccepted) {
            return atB.result.outcome;
        }
        return deliver(a, atB.reply, epB, now).result.outcome;
    }

    // Handshake plus A's first packet, which confirms the session to B.
    bool connect(Time now)
    {
        if (handshake(now) != ReceiveOutcome::ResponseAccepted) {
            return false;
        }
        return deliver(b, seal(a, aToB, "confirm", now), epA, now).result.outcome ==
               ReceiveOutcome::TransportData;
    }
};

} // namespace

class TestWgHandshake : public QObject
{
    Q_OBJECT

private slots:
    void handshakeAndTransport_data()
    {
        QTest::addColumn<bool>("withPsk");
        QTest::newRow("no preshared key") << false;
        QTest::newRow("preshared key") << true;
    }

    void handshakeAndTransport()
    {
        QFETCH(bool, withPsk);
        Pair p(withPsk);
        const Time t0 = 1000s;

        // Nothing to send with yet: the caller is told to handshake.
        SendResult noSession;
        seal(p.a, p.aToB, "early", t0, &noSession);
        QCOMPARE(noSession.status, SendStatus::NoSession);
        QVERIFY(noSession.actions & SendInitiation);

        const Datagram init = makeInitiation(p.a, p.aToB, t0);
        QCOMPARE(init.size(), kInitiationSize);
        QCOMPARE(init[0], uint8_t(1));
        const Received atB = deliver(p.b, init, p.epA, t0);
        QCOMPARE(atB.result.outcome, ReceiveOutcome::InitiationAccepted);
        QCOMPARE(atB.result.peer, p.bToA);
        QCOMPARE(atB.reply.size(), kResponseSize);
        QCOMPARE(atB.reply[0], uint8_t(2));
        QVERIFY(atB.result.endpointChanged);
        QCOMPARE(p.b.endpoint(p.bToA), p.epA); // B learned where A is

        // The responder must not send before the initiator confirmed the session, and must not
        // start a crossing handshake of its own meanwhile: it queues and waits.
        QVERIFY(!p.b.hasSession(p.bToA, t0));
        SendResult responderEarly;
        seal(p.b, p.bToA, "queued at B", t0, &responderEarly);
        QCOMPARE(responderEarly.status, SendStatus::NoSession);
        QCOMPARE(responderEarly.actions & SendInitiation, 0u);

        const Received atA = deliver(p.a, atB.reply, p.epB, t0);
        QCOMPARE(atA.result.outcome, ReceiveOutcome::ResponseAccepted);
        QVERIFY(atA.result.actions & SessionReady);
        QVERIFY(p.a.hasSession(p.aToB, t0));
        QCOMPARE(p.a.lastHandshake(p.aToB), std::optional<Time>(t0));

        // A -> B
        const std::string hello = "hello over wireguard";
        SendResult sent;
        const Datagram data = seal(p.a, p.aToB, hello, t0 + 1ms, &sent);
        QCOMPARE(sent.status, SendStatus::Ok);
        QCOMPARE(data[0], uint8_t(4));
        QCOMPARE(data.size() % 16, size_t(0)); // padded
        QCOMPARE(data.size(), kTransportHeaderSize + 32 + kAeadTagLen);
        const Received got = deliver(p.b, data, p.epA, t0 + 1ms);
        QCOMPARE(got.result.outcome, ReceiveOutcome::TransportData);
        QVERIFY(got.result.actions & SessionReady); // B's session is confirmed now
        QCOMPARE(got.plaintext.substr(0, hello.size()), hello);
        QCOMPARE(got.plaintext.size(), size_t(32));
        QCOMPARE(got.plaintext.substr(hello.size()), std::string(32 - hello.size(), '\0'));
        QVERIFY(p.b.hasSession(p.bToA, t0 + 1ms));
        QCOMPARE(p.b.lastHandshake(p.bToA), std::optional<Time>(t0 + 1ms));

        // B -> A, several packets, and a keepalive
        for (int i = 0; i < 5; ++i) {
            const std::string reply = "reply " + std::to_string(i);
            const Received back = deliver(p.a, seal(p.b, p.bToA, reply, t0 + 2ms), p.epB, t0 + 2ms);
            QCOMPARE(back.result.outcome, ReceiveOutcome::TransportData);
            QCOMPARE(back.plaintext.substr(0, reply.size()), reply);
        }
        const Datagram keepalive = seal(p.b, p.bToA, "", t0 + 3ms);
        QCOMPARE(keepalive.size(), kTransportMinSize);
        QCOMPARE(deliver(p.a, keepalive, p.epB, t0 + 3ms).result.outcome,
                 ReceiveOutcome::Keepalive);
    }

    void presharedKeyMismatchFails()
    {
        Device a{generateKey()}, b{generateKey()};
        PeerConfig toB, toA;
        toB.publicKey = b.publicKey();
        toB.presharedKey = randomPsk();
        toA.publicKey = a.publicKey();
        toA.presharedKey = randomPsk();
        const PeerId aToB = a.addPeer(std::move(toB));
        b.addPeer(std::move(toA));
        const Time t = 10s;
        // The PSK only enters the response: B accepts, A cannot decrypt.
        const Received atB = deliver(b, makeInitiation(a, aToB, t), endpointV4(1, 1), t);
        QCOMPARE(atB.result.outcome, ReceiveOutcome::InitiationAccepted);
        QCOMPARE(deliver(a, atB.reply, endpointV4(2, 2), t).result.outcome,
                 ReceiveOutcome::HandshakeFailed);
        QVERIFY(!a.hasSession(aToB, t));
    }

    void flippedBitRejected_data()
    {
        QTest::addColumn<int>("byteIndex");
        QTest::addColumn<ReceiveOutcome>("outcome");
        QTest::newRow("type") << 0 << ReceiveOutcome::Malformed;
        QTest::newRow("reserved") << 2 << ReceiveOutcome::Malformed;
        QTest::newRow("receiver index") << 5 << ReceiveOutcome::UnknownIndex;
        QTest::newRow("counter") << 8 << ReceiveOutcome::DecryptionFailed;
        QTest::newRow("ciphertext") << 20 << ReceiveOutcome::DecryptionFailed;
        QTest::newRow("tag") << -1 << ReceiveOutcome::DecryptionFailed;
    }

    void flippedBitRejected()
    {
        QFETCH(int, byteIndex);
        QFETCH(ReceiveOutcome, outcome);
        Pair p(false);
        const Time t = 50s;
        QVERIFY(p.connect(t));
        const Datagram good = seal(p.a, p.aToB, "payload payload payload", t);
        Datagram bad = good;
        bad[byteIndex >= 0 ? size_t(byteIndex) : bad.size() - 1] ^= 0x01;
        const Endpoint attacker = endpointV4(66, 6666);
        const Received r = deliver(p.b, bad, attacker, t);
        QCOMPARE(r.result.outcome, outcome);
        QVERIFY(!r.result.authenticated());
        QCOMPARE(r.result.replySize, size_t(0));
        QVERIFY(!r.result.endpointChanged);
        QCOMPARE(p.b.endpoint(p.bToA), p.epA); // no roaming on forged packets
        // The forged copy did not burn the counter: the genuine packet still gets through.
        QCOMPARE(deliver(p.b, good, p.epA, t).result.outcome, ReceiveOutcome::TransportData);
    }

    void replayedDataRejected()
    {
        Pair p(true);
        const Time t = 50s;
        QVERIFY(p.connect(t));
        const Datagram first = seal(p.a, p.aToB, "one", t);
        const Datagram second = seal(p.a, p.aToB, "two", t);
        QCOMPARE(deliver(p.b, second, p.epA, t).result.outcome, ReceiveOutcome::TransportData);
        QCOMPARE(deliver(p.b, first, p.epA, t).result.outcome, ReceiveOutcome::TransportData);
        QCOMPARE(deliver(p.b, first, p.epA, t).result.outcome, ReceiveOutcome::ReplayedCounter);
        QCOMPARE(deliver(p.b, second, endpointV4(9, 9), t).result.outcome,
                 ReceiveOutcome::ReplayedCounter);
        QCOMPARE(p.b.endpoint(p.bToA), p.epA); // a replay from elsewhere does not move the peer
    }

    void replayedInitiationRejected()
    {
        Pair p(false);
        const Time t = 100s;
        const Datagram init = makeInitiation(p.a, p.aToB, t);
        QCOMPARE(deliver(p.b, init, p.epA, t).result.outcome, ReceiveOutcome::InitiationAccepted);
        // The same message again, later: its timestamp is not newer.
        const Received again = deliver(p.b, init, endpointV4(66, 1), t + 1s);
        QCOMPARE(again.result.outcome, ReceiveOutcome::ReplayedInitiation);
        QCOMPARE(again.result.replySize, size_t(0));
        QCOMPARE(p.b.endpoint(p.bToA), p.epA);

        // A fresh initiation with an older wall clock is refused too; a newer one is fine.
        Datagram older(kInitiationSize);
        QCOMPARE(p.a.createInitiation(p.aToB, t + 6s, wallClock(t - 10s), older), kInitiationSize);
        QCOMPARE(deliver(p.b, older, p.epA, t + 6s).result.outcome,
                 ReceiveOutcome::ReplayedInitiation);
        QCOMPARE(deliver(p.b, makeInitiation(p.a, p.aToB, t + 12s), p.epA, t + 12s).result.outcome,
                 ReceiveOutcome::InitiationAccepted);
    }

    void initiationFloodDropped()
    {
        Pair p(false);
        const Time t = 100s;
        Datagram first(kInitiationSize), second(kInitiationSize);
        QCOMPARE(p.a.createInitiation(p.aToB, t, wallClock(t), first), kInitiationSize);
        QCOMPARE(p.a.createInitiation(p.aToB, t, wallClock(t + 1s), second), kInitiationSize);
        QCOMPARE(deliver(p.b, first, p.epA, t).result.outcome, ReceiveOutcome::InitiationAccepted);
        QCOMPARE(deliver(p.b, second, p.epA, t + 5ms).result.outcome,
                 ReceiveOutcome::InitiationFlood);
    }

    void wrongStaticKeyRejected()
    {
        Pair p(false);
        const Time t = 10s;
        // C is not B's peer but knows B's public key: MAC1 passes, the handshake does not.
        Device c{generateKey()};
        PeerConfig toB;
        toB.publicKey = p.b.publicKey();
        const PeerId cToB = c.addPeer(std::move(toB));
        const Received r = deliver(p.b, makeInitiation(c, cToB, t), endpointV4(3, 3), t);
        QCOMPARE(r.result.outcome, ReceiveOutcome::UnknownPeer);
        QCOMPARE(r.result.replySize, size_t(0));

        // A believes B has another public key: its message is not addressed to B at all.
        Device a2{generateKey()};
        PeerConfig wrong;
        wrong.publicKey = publicKeyOf(generateKey());
        const PeerId a2ToWrong = a2.addPeer(std::move(wrong));
        const Received r2 = deliver(p.b, makeInitiation(a2, a2ToWrong, t), endpointV4(4, 4), t);
        QCOMPARE(r2.result.outcome, ReceiveOutcome::InvalidMac1);
        QCOMPARE(r2.result.replySize, size_t(0));

        // A response with a valid MAC1 (its key is public: Hash("mac1----" || A's public key))
        // but made without B's keys must fail the handshake, and not disturb the real one.
        Pair q(false);
        const Received atB = deliver(q.b, makeInitiation(q.a, q.aToB, t), q.epA, t);
        QCOMPARE(atB.result.outcome, ReceiveOutcome::InitiationAccepted);
        Datagram forged = atB.reply;
        const PublicKey otherEphemeral = publicKeyOf(generateKey());
        std::memcpy(forged.data() + response::kEphemeral, otherEphemeral.data(), kKeyLen);
        QCOMPARE(deliver(q.a, forged, q.epB, t).result.outcome, ReceiveOutcome::InvalidMac1);
        const char label[] = "mac1----";
        const Hash mac1Key =
            blake2s({Bytes(reinterpret_cast<const uint8_t*>(label), 8), q.a.publicKey()});
        const Mac mac1 = keyedBlake2s128(mac1Key, {Bytes(forged).first(response::kMac1)});
        std::memcpy(forged.data() + response::kMac1, mac1.data(), kMacLen);
        const Received atA = deliver(q.a, forged, endpointV4(66, 6), t);
        QCOMPARE(atA.result.outcome, ReceiveOutcome::HandshakeFailed);
        QVERIFY(!atA.result.endpointChanged);
        QCOMPARE(deliver(q.a, atB.reply, q.epB, t).result.outcome,
                 ReceiveOutcome::ResponseAccepted);
    }

    void lowOrderPeerKeyRefused()
    {
        Device a{generateKey()};
        PeerConfig bad;
        bad.publicKey = {}; // all zero: DH would be zero
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, a.addPeer(std::move(bad)));
        PeerConfig self;
        self.publicKey = a.publicKey();
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, a.addPeer(std::move(self)));
    }

    void mac1MissingOrInvalidIgnored_data()
    {
        QTest::addColumn<int>("variant");
        QTest::addColumn<ReceiveOutcome>("outcome");
        QTest::newRow("mac1 zeroed") << 0 << ReceiveOutcome::InvalidMac1;
        QTest::newRow("mac1 bit flipped") << 1 << ReceiveOutcome::InvalidMac1;
        QTest::newRow("body bit flipped") << 2 << ReceiveOutcome::InvalidMac1;
        QTest::newRow("random bytes") << 3 << ReceiveOutcome::InvalidMac1;
        QTest::newRow("truncated") << 4 << ReceiveOutcome::Malformed;
        QTest::newRow("too short for a type") << 5 << ReceiveOutcome::Malformed;
        QTest::newRow("unknown type") << 6 << ReceiveOutcome::Malformed;
    }

    void mac1MissingOrInvalidIgnored()
    {
        QFETCH(int, variant);
        QFETCH(ReceiveOutcome, outcome);
        Pair p(false);
        const Time t = 10s;
        Datagram m = makeInitiation(p.a, p.aToB, t);
        switch (variant) {
        case 0:
            std::fill(m.begin() + initiation::kMac1, m.begin() + initiation::kMac2, 0);
            break;
        case 1:
            m[initiation::kMac1 + 3] ^= 0x10;
            break;
        case 2:
            m[initiation::kStatic + 1] ^= 0x01;
            break;
        case 3:
            randomBytes(m);
            m[0] = 1, m[1] = m[2] = m[3] = 0;
            break;
        case 4:
            m.pop_back();
            break;
        case 5:
            m.resize(3);
            break;
        case 6:
            m[0] = 7;
            break;
        }
        for (bool underLoad : {false, true}) { // no cookie reply for a bad MAC1 either
            p.b.setUnderLoad(underLoad);
            const Received r = deliver(p.b, m, endpointV4(77, 7), t);
            QCOMPARE(r.result.outcome, outcome);
            QCOMPARE(r.result.replySize, size_t(0));
            QCOMPARE(r.result.peer, kNoPeer);
        }
        p.b.setUnderLoad(false);
        // No state change: B learned no endpoint, and the real handshake is unaffected.
        QVERIFY(!p.b.endpoint(p.bToA).isSet());
        QCOMPARE(p.handshake(t + 1s), ReceiveOutcome::ResponseAccepted);
    }

    void cookieReplyUnderLoad()
    {
        Pair p(false);
        Time t = 10s;
        p.b.setUnderLoad(true);

        const Datagram first = makeInitiation(p.a, p.aToB, t);
        const Received cookieReply = deliver(p.b, first, p.epA, t);
        QCOMPARE(cookieReply.result.outcome, ReceiveOutcome::CookieReplySent);
        QCOMPARE(cookieReply.reply.size(), kCookieReplySize);
        QCOMPARE(cookieReply.reply[0], uint8_t(3));
        QVERIFY(!p.b.endpoint(p.bToA).isSet()); // not processed

        // A cookie reply is bound to the message it answers: replaying it later fails.
        QCOMPARE(deliver(p.a, cookieReply.reply, p.epB, t).result.outcome,
                 ReceiveOutcome::CookieReplyAccepted);
        QCOMPARE(deliver(p.a, cookieReply.reply, p.epB, t).result.outcome,
                 ReceiveOutcome::InvalidCookieReply);

        // The retransmission (timer-driven) carries mac2 and is accepted under load.
        t += 6s;
        QVERIFY(p.a.onTimer(p.aToB, t) & SendInitiation);
        const Datagram retry = makeInitiation(p.a, p.aToB, t);
        QVERIFY(std::any_of(retry.begin() + initiation::kMac2, retry.end(),
                            [](uint8_t b) { return b != 0; }));
        // From another source address the cookie does not fit: another cookie reply.
        QCOMPARE(deliver(p.b, retry, endpointV4(99, 51820), t).result.outcome,
                 ReceiveOutcome::CookieReplySent);
        const Received atB = deliver(p.b, retry, p.epA, t);
        QCOMPARE(atB.result.outcome, ReceiveOutcome::InitiationAccepted);
        QCOMPARE(deliver(p.a, atB.reply, p.epB, t).result.outcome,
                 ReceiveOutcome::ResponseAccepted);

        // Cookies expire after two minutes: without a fresh one, under load means a reply again.
        t += 130s;
        QCOMPARE(deliver(p.b, makeInitiation(p.a, p.aToB, t), p.epA, t).result.outcome,
                 ReceiveOutcome::CookieReplySent);
    }

    // Under load, even messages with a valid cookie are limited per source address.
    void handshakesRateLimitedUnderLoad()
    {
        Pair p(false);
        Time t = 10s;
        p.b.setUnderLoad(true);
        const Received cookie = deliver(p.b, makeInitiation(p.a, p.aToB, t), p.epA, t);
        QCOMPARE(cookie.result.outcome, ReceiveOutcome::CookieReplySent);
        QCOMPARE(deliver(p.a, cookie.reply, p.epB, t).result.outcome,
                 ReceiveOutcome::CookieReplyAccepted);
        std::vector<ReceiveOutcome> outcomes;
        for (int i = 0; i < 6; ++i) {
            Datagram m(kInitiationSize);
            QCOMPARE(p.a.createInitiation(p.aToB, t, wallClock(t + Time(i * 1s)), m),
                     kInitiationSize);
            outcomes.push_back(deliver(p.b, m, p.epA, t).result.outcome);
        }
        // The first passes the limiter and is accepted; the next four pass the limiter but are
        // floods (20 ms rule); the sixth is over the burst.
        QCOMPARE(outcomes.front(), ReceiveOutcome::InitiationAccepted);
        for (int i = 1; i < 5; ++i) {
            QCOMPARE(outcomes[i], ReceiveOutcome::InitiationFlood);
        }
        QCOMPARE(outcomes.back(), ReceiveOutcome::RateLimited);
        // Not under load: no limit.
        p.b.setUnderLoad(false);
        QCOMPARE(deliver(p.b, makeInitiation(p.a, p.aToB, t + 1s), p.epA, t + 1s).result.outcome,
                 ReceiveOutcome::InitiationAccepted);
    }

    void cookieReplyForResponseUnderLoad()
    {
        // The initiator may be the loaded one: it answers B's response with a cookie.
        Pair p(false);
        const Time t = 10s;
        p.a.setUnderLoad(true);
        const Received atB = deliver(p.b, makeInitiation(p.a, p.aToB, t), p.epA, t);
        QCOMPARE(atB.result.outcome, ReceiveOutcome::InitiationAccepted);
        const Received atA = deliver(p.a, atB.reply, p.epB, t);
        QCOMPARE(atA.result.outcome, ReceiveOutcome::CookieReplySent);
        QCOMPARE(deliver(p.b, atA.reply, p.epA, t).result.outcome,
                 ReceiveOutcome::CookieReplyAccepted);
    }

    void rekeyAfterTime()
    {
        Pair p(true);
        const Time t0 = 1000s;
        QVERIFY(p.connect(t0));

        // Before REKEY_AFTER_TIME nothing asks for a handshake.
        SendResult early;
        seal(p.a, p.aToB, "x", t0 + 119s, &early);
        QCOMPARE(early.status, SendStatus::Ok);
        QVERIFY(!(early.actions & SendInitiation));
        // The responder never rekeys on time (only the initiator does), avoiding thundering
        // herds of simultaneous handshakes.
        SendResult bSend;
        const Datagram fromB = seal(p.b, p.bToA, "y", t0 + 121s, &bSend);
        QCOMPARE(bSend.status, SendStatus::Ok);
        QVERIFY(!(bSend.actions & SendInitiation));

        // After 120 s the initiator's next send asks for a new handshake, still sending.
        SendResult late;
        const Datagram oldSession = seal(p.a, p.aToB, "old keys", t0 + 121s, &late);
        QCOMPARE(late.status, SendStatus::Ok);
        QVERIFY(late.actions & SendInitiation);
        const uint32_t oldIndex = readLe32(&oldSession[transport::kReceiver]);

        const Time t1 = t0 + 121s;
        QCOMPARE(p.handshake(t1), ReceiveOutcome::ResponseAccepted);
        const Datagram newSession = seal(p.a, p.aToB, "new keys", t1);
        QVERIFY(readLe32(&newSession[transport::kReceiver]) != oldIndex);
        QCOMPARE(deliver(p.b, newSession, p.epA, t1).result.outcome, ReceiveOutcome::TransportData);
        // A packet of the old session still in flight is accepted (previous keypair).
        QCOMPARE(deliver(p.b, oldSession, p.epA, t1).result.outcome, ReceiveOutcome::TransportData);
        QCOMPARE(deliver(p.a, fromB, p.epB, t1).result.outcome, ReceiveOutcome::TransportData);
        QCOMPARE(p.a.lastHandshake(p.aToB), std::optional<Time>(t1));

        // The new session does not ask again right away.
        SendResult after;
        seal(p.a, p.aToB, "z", t1 + 1s, &after);
        QVERIFY(!(after.actions & SendInitiation));
    }

    void rejectAfterTime()
    {
        Pair p(false);
        const Time t0 = 1000s;
        QVERIFY(p.connect(t0));
        const Datagram late = seal(p.a, p.aToB, "late", t0 + 179s);
        QVERIFY(!late.empty());
        // After REJECT_AFTER_TIME the keys are neither used nor accepted.
        SendResult r;
        seal(p.a, p.aToB, "too late", t0 + 180s, &r);
        QCOMPARE(r.status, SendStatus::NoSession);
        QVERIFY(r.actions & SendInitiation);
        QCOMPARE(deliver(p.b, late, p.epA, t0 + 180s).result.outcome,
                 ReceiveOutcome::KeypairExpired);
    }

    void receivingInitiatorRekeysBeforeReject()
    {
        Pair p(false);
        const Time t0 = 1000s;
        QVERIFY(p.connect(t0));
        const Received early = deliver(p.a, seal(p.b, p.bToA, "b", t0 + 100s), p.epB, t0 + 100s);
        QVERIFY(!(early.result.actions & SendInitiation));
        const Received late = deliver(p.a, seal(p.b, p.bToA, "b", t0 + 166s), p.epB, t0 + 166s);
        QCOMPARE(late.result.outcome, ReceiveOutcome::TransportData);
        QVERIFY(late.result.actions & SendInitiation);
        // Asked once, not on every packet.
        const Received again = deliver(p.a, seal(p.b, p.bToA, "b", t0 + 167s), p.epB, t0 + 167s);
        QVERIFY(!(again.result.actions & SendInitiation));
    }

    void handshakeRetransmitAndGiveUp()
    {
        Pair p(false);
        Time t = 100s;
        SendResult r;
        seal(p.a, p.aToB, "queued", t, &r);
        QVERIFY(r.actions & SendInitiation);
        QCOMPARE(makeInitiation(p.a, p.aToB, t).size(), kInitiationSize);
        // No second initiation within REKEY_TIMEOUT just because more data comes.
        seal(p.a, p.aToB, "queued 2", t + 1s, &r);
        QVERIFY(!(r.actions & SendInitiation));
        QCOMPARE(p.a.onTimer(p.aToB, t + 4s) & SendInitiation, 0u);

        int retries = 0;
        bool gaveUp = false;
        for (Time now = t + 1s; now < t + 200s && !gaveUp; now += 100ms) {
            const PeerActions a = p.a.onTimer(p.aToB, now);
            if (a & SendInitiation) {
                ++retries;
                QVERIFY(makeInitiation(p.a, p.aToB, now).size() == kInitiationSize);
            }
            if (a & DropQueued) {
                gaveUp = true;
                QVERIFY(now >= t + kRekeyAttemptTime);
                QVERIFY(now <= t + kRekeyAttemptTime + kRekeyTimeout + kRekeyTimeoutJitterMax);
            }
        }
        QVERIFY(gaveUp);
        // Every REKEY_TIMEOUT (+ up to 1/3 s jitter) within REKEY_ATTEMPT_TIME.
        QVERIFY2(retries >= 16 && retries <= 18, qPrintable(QString::number(retries)));
    }

    void passiveAndPersistentKeepalive()
    {
        Pair p(false, 25s); // A has persistent keepalive 25 s
        Time t = 100s;
        // Persistent keepalive starts by itself (NAT traversal before any traffic); B has none.
        QVERIFY(p.a.onTimer(p.aToB, t) & SendKeepalive);
        QCOMPARE(p.a.onTimer(p.aToB, t + 1ms) & SendKeepalive, 0u);
        QCOMPARE(p.b.onTimer(p.bToA, t) & SendKeepalive, 0u);
        QVERIFY(p.connect(t));
        // B received data and has nothing to send: a keepalive after KEEPALIVE_TIMEOUT.
        QCOMPARE(p.b.onTimer(p.bToA, t + 9s) & SendKeepalive, 0u);
        QVERIFY(p.b.onTimer(p.bToA, t + 10s) & SendKeepalive);
        // If B answered in time, no keepalive is due.
        QVERIFY(deliver(p.b, seal(p.a, p.aToB, "d", t + 11s), p.epA, t + 11s).result.outcome ==
                ReceiveOutcome::TransportData);
        seal(p.b, p.bToA, "answer", t + 12s);
        QCOMPARE(p.b.onTimer(p.bToA, t + 30s) & SendKeepalive, 0u);

        // A: persistent keepalive 25 s after the last packet it sent or received.
        QCOMPARE(p.a.onTimer(p.aToB, t + 11s + 24s) & SendKeepalive, 0u);
        QVERIFY(p.a.onTimer(p.aToB, t + 11s + 25s) & SendKeepalive);
        QVERIFY(p.a.nextDeadline().has_value());
    }

    void newHandshakeWhenPeerGoesSilent()
    {
        Pair p(false);
        Time t = 100s;
        QVERIFY(p.connect(t));
        // B's answer to the confirmation clears A's "expecting a reply" deadline.
        QCOMPARE(deliver(p.a, seal(p.b, p.bToA, "", t), p.epB, t).result.outcome,
                 ReceiveOutcome::Keepalive);
        // A sends data, hears nothing for KEEPALIVE + REKEY_TIMEOUT: it handshakes again.
        seal(p.a, p.aToB, "anyone there?", t + 1s);
        QCOMPARE(p.a.onTimer(p.aToB, t + 15s) & SendInitiation, 0u);
        QVERIFY(p.a.onTimer(p.aToB, t + 16s) & SendInitiation);
    }

    void keysZeroedAfterThreeRejectTimes()
    {
        Pair p(false);
        const Time t = 100s;
        QVERIFY(p.connect(t));
        const Datagram stale = seal(p.a, p.aToB, "x", t + 1s);
        QCOMPARE(p.a.onTimer(p.aToB, t + 539s) & KeysZeroed, 0u);
        QVERIFY(p.a.onTimer(p.aToB, t + 540s) & KeysZeroed);
        QVERIFY(p.b.onTimer(p.bToA, t + 540s) & KeysZeroed);
        QVERIFY(!p.a.hasSession(p.aToB, t + 540s));
        QCOMPARE(deliver(p.b, stale, p.epA, t + 540s).result.outcome, ReceiveOutcome::UnknownIndex);
        // And a new handshake works from scratch.
        QVERIFY(p.connect(t + 541s));
    }

    void endpointRoaming()
    {
        Pair p(false);
        const Time t = 100s;
        QVERIFY(p.connect(t));
        QCOMPARE(p.b.endpoint(p.bToA), p.epA);
        Endpoint moved;
        moved.family = AF_INET6;
        moved.address = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42};
        moved.port = 40000;
        const Received r = deliver(p.b, seal(p.a, p.aToB, "from elsewhere", t + 1s), moved, t + 1s);
        QCOMPARE(r.result.outcome, ReceiveOutcome::TransportData);
        QVERIFY(r.result.endpointChanged);
        QCOMPARE(p.b.endpoint(p.bToA), moved);
        // Same endpoint again: no change reported.
        QVERIFY(!deliver(p.b, seal(p.a, p.aToB, "again", t + 2s), moved, t + 2s)
                     .result.endpointChanged);
    }

    // Transport encrypt/decrypt work in the caller's buffers: no heap allocation at all.
    void transportPathDoesNotAllocate()
    {
        Pair p(true);
        const Time t = 100s;
        const long beforeHandshake = g_allocations.load();
        QVERIFY(p.connect(t));
        QVERIFY(g_allocations.load() > beforeHandshake); // the counter does count
        std::array<uint8_t, 1600> buf{};
        std::array<uint8_t, Device::kReplyBufferSize> reply{};
        int delivered = 0;
        const long before = g_allocations.load();
        for (int i = 0; i < 1000; ++i) {
            const size_t len = 1 + size_t(i) % 1400;
            std::memset(buf.data() + kTransportHeaderSize, i & 0xff, len);
            const SendResult s = p.a.encrypt(p.aToB, buf, len, t + 1s);
            if (s.status != SendStatus::Ok) {
                break;
            }
            const ReceiveResult r =
                p.b.receive(std::span<uint8_t>(buf.data(), s.size), p.epA, t + 1s, reply);
            if (r.outcome == ReceiveOutcome::TransportData && r.plaintext.size() >= len &&
                r.plaintext[len - 1] == uint8_t(i & 0xff)) {
                ++delivered;
            }
            const SendResult back = p.b.encrypt(p.bToA, buf, 0, t + 1s);
            if (back.status == SendStatus::Ok &&
                p.a.receive(std::span<uint8_t>(buf.data(), back.size), p.epB, t + 1s, reply)
                        .outcome == ReceiveOutcome::Keepalive) {
                ++delivered;
            }
        }
        const long allocations = g_allocations.load() - before;
        QCOMPARE(delivered, 2000);
        QCOMPARE(allocations, 0L);
    }

    // A sending thread, a receiving thread per side, and handshakes from a third thread, all at
    // once on the same devices (the engine's TX/RX threads will do this). Run it under
    // ThreadSanitizer too (see docs/wireguard.md).
    void concurrentTrafficWithRekeys()
    {
        struct Channel
        {
            std::mutex mutex;
            std::deque<Datagram> queue;
            void push(Datagram d)
            {
                std::lock_guard lock(mutex);
                queue.push_back(std::move(d));
            }
            bool pop(Datagram& d)
            {
                std::lock_guard lock(mutex);
                if (queue.empty()) {
                    return false;
                }
                d = std::move(queue.front());
                queue.pop_front();
                return true;
            }
            size_t size()
            {
                std::lock_guard lock(mutex);
                return queue.size();
            }
            // Waits for the next datagram; false once the producer is done and all is drained.
            bool popUntilDone(Datagram& d, const std::atomic<bool>& producerDone)
            {
                for (;;) {
                    const bool done = producerDone.load(); // read before the last look
                    if (pop(d)) {
                        return true;
                    }
                    if (done) {
                        return false;
                    }
                    std::this_thread::yield();
                }
            }
        };
        Pair p(true);
        const Time t0 = 100s;
        QVERIFY(p.connect(t0));
        std::atomic<int64_t> clock{(t0 + 1s).count()};
        const auto now = [&] { return Time(clock.load()); };
        Channel toB, toA;
        constexpr int kPackets = 20000;
        std::atomic<bool> senderDone{false}, bDone{false};
        std::atomic<int> atB{0}, atBFailures{0}, atA{0}, atARotatedAway{0}, atAFailures{0};

        std::thread senderA([&] {
            for (int i = 0; i < kPackets; ++i) {
                while (toB.size() > 256) { // keep the backlog network-like, not unbounded
                    std::this_thread::yield();
                }
                toB.push(seal(p.a, p.aToB, "packet " + std::to_string(i), now()));
            }
            senderDone = true;
        });
        std::thread receiverB([&] {
            Datagram d;
            while (toB.popUntilDone(d, senderDone)) {
                const Received r = deliver(p.b, d, p.epA, now());
                if (r.result.outcome == ReceiveOutcome::TransportData) {
                    ++atB;
                    toA.push(seal(p.b, p.bToA, "ack", now()));
                } else {
                    ++atBFailures;
                }
            }
            bDone = true;
        });
        std::thread receiverA([&] {
            Datagram d;
            while (toA.popUntilDone(d, bDone)) {
                const auto outcome = deliver(p.a, d, p.epB, now()).result.outcome;
                if (outcome == ReceiveOutcome::TransportData) {
                    ++atA;
                } else if (outcome == ReceiveOutcome::UnknownIndex) {
                    ++atARotatedAway; // B's reply sealed just before a rotation: expected
                } else {
                    ++atAFailures;
                }
            }
        });
        // Rekey three times while traffic flows; before the next one, wait until B switched to
        // the new session (as on a real network, where rekeys are minutes apart).
        int rekeys = 0;
        for (int i = 0; i < 3 && !senderDone; ++i) {
            clock += std::chrono::nanoseconds(6s).count();
            const Time rekeyAt = now();
            if (p.handshake(rekeyAt) != ReceiveOutcome::ResponseAccepted) {
                break;
            }
            ++rekeys;
            while (!(p.b.lastHandshake(p.bToA) >= rekeyAt) && !bDone) {
                std::this_thread::sleep_for(100us);
            }
        }
        senderA.join();
        receiverB.join();
        receiverA.join();
        QVERIFY2(rekeys >= 2, qPrintable(QString::number(rekeys)));
        QCOMPARE(atBFailures.load(), 0);
        QCOMPARE(atB.load(), kPackets);
        QCOMPARE(atAFailures.load(), 0);
        QCOMPARE(atA.load() + atARotatedAway.load(), kPackets);
        QVERIFY(atA.load() > kPackets / 2);
    }

    // The message and time limits of one keypair (counters near 2^60 / 2^64 cannot be reached
    // by sending, so they are set directly).
    void keypairLimits_data()
    {
        QTest::addColumn<quint64>("sendCounter");
        QTest::addColumn<bool>("initiator");
        QTest::addColumn<int>("ageSeconds");
        QTest::addColumn<bool>("canSend");
        QTest::addColumn<bool>("wantsRekey");
        const quint64 rekey = kRekeyAfterMessages, reject = kRejectAfterMessages;
        QTest::newRow("fresh") << quint64(0) << true << 0 << true << false;
        QTest::newRow("initiator at 119 s") << quint64(5) << true << 119 << true << false;
        QTest::newRow("initiator at 120 s") << quint64(5) << true << 120 << true << true;
        QTest::newRow("responder at 120 s") << quint64(5) << false << 120 << true << false;
        QTest::newRow("just below rekey messages") << rekey - 1 << false << 1 << true << false;
        QTest::newRow("rekey messages (responder too)") << rekey << false << 1 << true << true;
        QTest::newRow("last usable counter") << reject - 1 << true << 1 << true << true;
        QTest::newRow("reject messages") << reject << true << 1 << false << true;
        QTest::newRow("reject time") << quint64(0) << false << 180 << false << false;
    }

    void keypairLimits()
    {
        QFETCH(quint64, sendCounter);
        QFETCH(bool, initiator);
        QFETCH(int, ageSeconds);
        QFETCH(bool, canSend);
        QFETCH(bool, wantsRekey);
        Keypair k;
        k.sendCounter = sendCounter;
        k.isInitiator = initiator;
        k.created = 1000s;
        const Time now = k.created + std::chrono::seconds(ageSeconds);
        QCOMPARE(k.canSend(now), canSend);
        QCOMPARE(k.wantsRekeyOnSend(now), wantsRekey);
    }

    // Counters and logs key on these names: every outcome has its own.
    void outcomeNamesAreDistinct()
    {
        QSet<QString> names;
        const int last = int(ReceiveOutcome::ReplayedCounter);
        for (int i = 0; i <= last; ++i) {
            const auto name = receiveOutcomeName(ReceiveOutcome(i));
            QVERIFY(name != "unknown");
            names.insert(QString::fromLatin1(name.data(), qsizetype(name.size())));
        }
        QCOMPARE(names.size(), last + 1);
    }

    void simultaneousInitiationsConverge()
    {
        Pair p(false);
        const Time t = 100s;
        const Datagram fromA = makeInitiation(p.a, p.aToB, t);
        const Datagram fromB = makeInitiation(p.b, p.bToA, t);
        const Received atB = deliver(p.b, fromA, p.epA, t);
        const Received atA = deliver(p.a, fromB, p.epB, t);
        QCOMPARE(atB.result.outcome, ReceiveOutcome::InitiationAccepted);
        QCOMPARE(atA.result.outcome, ReceiveOutcome::InitiationAccepted);
        // Each side's own initiation was superseded; the responses find no pending handshake.
        QCOMPARE(deliver(p.a, atB.reply, p.epB, t).result.outcome, ReceiveOutcome::UnknownIndex);
        QCOMPARE(deliver(p.b, atA.reply, p.epA, t).result.outcome, ReceiveOutcome::UnknownIndex);
        // The retransmit timer resolves it.
        Time now = t;
        for (int i = 0; i < 100 && !(p.a.hasSession(p.aToB, now) && p.b.hasSession(p.bToA, now));
             ++i) {
            now += 100ms;
            if (p.a.onTimer(p.aToB, now) & SendInitiation) {
                QVERIFY(p.connect(now));
                break;
            }
        }
        QVERIFY(p.a.hasSession(p.aToB, now));
        QVERIFY(p.b.hasSession(p.bToA, now));
    }
};

QTEST_APPLESS_MAIN(TestWgHandshake)
#include "tst_wg_handshake.moc"
