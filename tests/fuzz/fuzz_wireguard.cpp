// WireGuard messages between two in-process devices, A and B, after a real handshake. The
// input is a script of operations (sealing, replaying, flipping bytes, handshaking again, raw
// datagrams). Oracle: what B opens is exactly what A sealed (and the other way round); a
// datagram is never accepted twice; a datagram with any authenticated byte changed, or one
// made of fuzz bytes, never authenticates; the unchanged original still opens afterwards.
#include "Device.h"
#include "Keys.h"
#include "Session.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <sys/socket.h>
#include <vector>

using namespace peertun::wireguard;
using Datagram = std::vector<uint8_t>;

namespace {

struct Reader
{
    const uint8_t* p;
    size_t n;
    bool empty() const { return n == 0; }
    uint8_t byte()
    {
        if (n == 0) {
            return 0;
        }
        --n;
        return *p++;
    }
};

[[noreturn]] void fail(const char* what, ReceiveOutcome o)
{
    std::fprintf(stderr, "%s (outcome %s)\n", what, std::string(receiveOutcomeName(o)).c_str());
    std::abort();
}

LockedSecretKey fixedKey(uint8_t first)
{
    std::array<uint8_t, kKeyLen> bytes{};
    for (size_t i = 0; i < bytes.size(); ++i) {
        bytes[i] = uint8_t(first + i * 7);
    }
    return LockedSecretKey(std::span<const uint8_t, kKeyLen>(bytes));
}

Endpoint endpointV4(uint8_t last, uint16_t port)
{
    Endpoint e;
    e.family = AF_INET;
    e.address = {10, 0, 0, last};
    e.port = port;
    return e;
}

struct Side
{
    Device* device;
    PeerId peer;
    Endpoint self;
};

struct World
{
    Device a{fixedKey(1)};
    Device b{fixedKey(101)};
    Side sa{&a, kNoPeer, endpointV4(1, 51820)};
    Side sb{&b, kNoPeer, endpointV4(2, 51821)};
    Time now = std::chrono::seconds(1000);
    std::set<Datagram> accepted; // every datagram either side accepted (authenticated)

    World()
    {
        PeerConfig toB;
        toB.publicKey = b.publicKey();
        toB.endpoint = sb.self;
        sa.peer = a.addPeer(std::move(toB));
        PeerConfig toA;
        toA.publicKey = a.publicKey();
        sb.peer = b.addPeer(std::move(toA));
    }

    Tai64n wallClock() const { return Tai64n::fromUnix(std::chrono::seconds(1'700'000'000) + now); }

    // Delivers `d` from `from` to `to`; returns the result with the plaintext copied out.
    ReceiveResult deliver(const Side& from, const Side& to, Datagram d, Datagram* plaintext)
    {
        std::array<uint8_t, Device::kReplyBufferSize> reply{};
        const Datagram copy = d;
        ReceiveResult r = to.device->receive(d, from.self, now, reply);
        if (plaintext) {
            plaintext->assign(r.plaintext.begin(), r.plaintext.end());
        }
        if (plaintext && r.replySize) {
            plaintext->assign(reply.begin(), reply.begin() + ptrdiff_t(r.replySize));
        }
        r.plaintext = {};
        if (r.authenticated() && !accepted.insert(copy).second) {
            fail("a datagram was accepted twice", r.outcome);
        }
        return r;
    }

    Datagram seal(const Side& from, const Datagram& payload, SendStatus* status)
    {
        Datagram buf(transportMessageSize(payload.size()));
        std::copy(payload.begin(), payload.end(), buf.begin() + kTransportHeaderSize);
        const SendResult r = from.device->encrypt(from.peer, buf, payload.size(), now);
        *status = r.status;
        buf.resize(r.status == SendStatus::Ok ? r.size : 0);
        return buf;
    }

    Datagram initiation(const Side& from)
    {
        Datagram m(kInitiationSize);
        m.resize(from.device->createInitiation(from.peer, now, wallClock(), m));
        return m;
    }

    // Initiation from `i`, response from `r`, and `i`'s first packet confirming the session.
    // With `mutate`, a changed copy of the response goes first and must be refused.
    bool handshake(const Side& i, const Side& r, Reader* mutate)
    {
        Datagram response;
        const ReceiveResult atR = deliver(i, r, initiation(i), &response);
        if (atR.outcome != ReceiveOutcome::InitiationAccepted) {
            return false;
        }
        if (mutate) {
            Datagram bad = response;
            const size_t pos = mutate->byte() % (kResponseSize - 16); // mac2 is not checked
            bad[pos] ^= uint8_t(mutate->byte() % 255 + 1);
            if (deliver(r, i, bad, nullptr).authenticated()) {
                fail("a changed handshake response authenticated", ReceiveOutcome::Malformed);
            }
        }
        if (deliver(r, i, response, nullptr).outcome != ReceiveOutcome::ResponseAccepted) {
            fail("the handshake response was refused", ReceiveOutcome::Malformed);
        }
        SendStatus status;
        const Datagram confirm = seal(i, Datagram{'h', 'i'}, &status);
        return status == SendStatus::Ok &&
               deliver(i, r, confirm, nullptr).outcome == ReceiveOutcome::TransportData;
    }

    // Seals `payload` at `from` and checks that `to` opens exactly it.
    void roundTrip(const Side& from, const Side& to, const Datagram& payload,
                   std::vector<Datagram>* delivered)
    {
        SendStatus status;
        const Datagram d = seal(from, payload, &status);
        if (status != SendStatus::Ok) {
            return; // B before A confirmed a new session: nothing to check
        }
        Datagram plain;
        const ReceiveResult r = deliver(from, to, d, &plain);
        const ReceiveOutcome want =
            payload.empty() ? ReceiveOutcome::Keepalive : ReceiveOutcome::TransportData;
        if (r.outcome != want) {
            fail("a sealed datagram did not open", r.outcome);
        }
        if (!payload.empty()) {
            // The plaintext is what was sealed plus zero padding.
            if (plain.size() < payload.size() ||
                !std::equal(payload.begin(), payload.end(), plain.begin()) ||
                std::any_of(plain.begin() + ptrdiff_t(payload.size()), plain.end(),
                            [](uint8_t c) { return c != 0; })) {
                fail("the plaintext differs from what was sealed", r.outcome);
            }
        }
        delivered->push_back(d);
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    Reader in{data, size};
    World w;
    if (!w.handshake(w.sa, w.sb, nullptr)) {
        std::abort();
    }
    std::vector<Datagram> toB, toA;
    for (int op = 0; op < 64 && !in.empty(); ++op) {
        w.now += std::chrono::milliseconds(1 + in.byte() % 50);
        const uint8_t kind = in.byte() % 7;
        if (kind == 0 || kind == 1) {
            Datagram payload(in.byte());
            for (uint8_t& c : payload) {
                c = in.byte();
            }
            if (kind == 0) {
                w.roundTrip(w.sa, w.sb, payload, &toB);
            } else {
                w.roundTrip(w.sb, w.sa, payload, &toA);
            }
        } else if (kind == 2) {
            // A replay of anything delivered before, either way.
            const bool ab = in.byte() & 1;
            const std::vector<Datagram>& list = ab ? toB : toA;
            if (!list.empty()) {
                const Datagram& d = list[in.byte() % list.size()];
                const ReceiveResult r =
                    ab ? w.deliver(w.sa, w.sb, d, nullptr) : w.deliver(w.sb, w.sa, d, nullptr);
                if (r.authenticated()) {
                    fail("a replayed datagram was accepted", r.outcome);
                }
            }
        } else if (kind == 3) {
            // A changed byte anywhere in a transport message: refused; the original still opens.
            Datagram payload(in.byte() % 64);
            for (uint8_t& c : payload) {
                c = in.byte();
            }
            SendStatus status;
            const Datagram d = w.seal(w.sa, payload, &status);
            Datagram bad = d;
            const size_t pos = (size_t(in.byte()) << 8 | in.byte()) % bad.size();
            bad[pos] ^= uint8_t(in.byte() % 255 + 1);
            const ReceiveResult r = w.deliver(w.sa, w.sb, bad, nullptr);
            if (r.authenticated()) {
                fail("a changed transport message authenticated", r.outcome);
            }
            Datagram plain;
            const ReceiveResult ok = w.deliver(w.sa, w.sb, d, &plain);
            if (ok.outcome !=
                (payload.empty() ? ReceiveOutcome::Keepalive : ReceiveOutcome::TransportData)) {
                fail("the original did not open after a changed copy was refused", ok.outcome);
            }
            toB.push_back(d);
        } else if (kind == 4) {
            // A changed byte in a handshake initiation (MAC1 covers all but mac2).
            Datagram init = w.initiation(w.sa);
            const size_t pos = in.byte() % (kInitiationSize - 16);
            init[pos] ^= uint8_t(in.byte() % 255 + 1);
            const ReceiveResult r = w.deliver(w.sa, w.sb, init, nullptr);
            if (r.authenticated()) {
                fail("a changed handshake initiation authenticated", r.outcome);
            }
        } else if (kind == 5) {
            // A new handshake, either way round, with a changed response first. Initiations
            // closer than 20 ms apart are refused as a flood, rightly.
            w.now += std::chrono::milliseconds(25);
            const bool fromA = in.byte() & 1;
            const bool ok = fromA ? w.handshake(w.sa, w.sb, &in) : w.handshake(w.sb, w.sa, &in);
            if (!ok) {
                std::abort();
            }
        } else {
            // Fuzz bytes as a datagram (with a plausible type byte now and then).
            Datagram d(in.byte() % 160);
            for (uint8_t& c : d) {
                c = in.byte();
            }
            if (!d.empty() && (d[0] & 0x80)) {
                d[0] = uint8_t(1 + d[0] % 4);
                if (d.size() >= 4) {
                    d[1] = d[2] = d[3] = 0;
                }
            }
            const ReceiveResult r = w.deliver(w.sa, w.sb, d, nullptr);
            if (r.authenticated()) {
                fail("fuzz bytes authenticated", r.outcome);
            }
        }
    }
    return 0;
}
