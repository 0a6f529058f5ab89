// Manual interop probe: speaks peertun's WireGuard core over a real UDP socket to a real
// WireGuard peer (Debian's wireguard-go), carrying ICMP echo inside the tunnel. Driven by
// wg_interop.sh inside network namespaces it creates; not part of the test suite (the engine
// integration owns the real interop test).
//
//   wg_interop_probe initiate KEYFILE PEERPUB PSKFILE|- PEERIP PEERPORT LOCALPORT OURTUNIP
//   PEERTUNIP
//     handshake as initiator, ping PEERTUNIP through the tunnel, expect echo replies
//   wg_interop_probe respond KEYFILE PEERPUB PSKFILE|- LOCALPORT OURTUNIP COUNT
//     wait for the peer's handshake, answer COUNT echo requests to OURTUNIP
//   wg_interop_probe respond-under-load ...same...
//     as respond, but "under load": the first initiation gets a cookie reply, and only the
//     peer's retry carrying a valid mac2 is accepted
#include "Device.h"
#include "Keys.h"

#include <arpa/inet.h>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <netinet/in.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

using namespace peertun::wireguard;
using namespace peertun::keys;

namespace {

Time monotonicNow()
{
    return std::chrono::duration_cast<Time>(std::chrono::steady_clock::now().time_since_epoch());
}

Endpoint fromSockaddr(const sockaddr_in& sa)
{
    Endpoint e;
    e.family = AF_INET;
    std::memcpy(e.address.data(), &sa.sin_addr, 4);
    e.port = ntohs(sa.sin_port);
    return e;
}

sockaddr_in toSockaddr(const Endpoint& e)
{
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    std::memcpy(&sa.sin_addr, e.address.data(), 4);
    sa.sin_port = htons(e.port);
    return sa;
}

std::string readFirstLine(const char* path)
{
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

uint16_t checksum(const uint8_t* p, size_t n)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < n; i += 2) {
        sum += uint32_t(p[i]) << 8 | p[i + 1];
    }
    if (n & 1) {
        sum += uint32_t(p[n - 1]) << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return static_cast<uint16_t>(~sum);
}

// IPv4 + ICMP echo (type 8 request, 0 reply) with a 16-byte payload; returns its length.
size_t buildEcho(uint8_t* p, in_addr src, in_addr dst, uint8_t type, uint16_t id, uint16_t seq)
{
    const size_t icmpLen = 8 + 16, total = 20 + icmpLen;
    std::memset(p, 0, total);
    p[0] = 0x45;
    p[2] = uint8_t(total >> 8), p[3] = uint8_t(total);
    p[8] = 64, p[9] = 1; // TTL, ICMP
    std::memcpy(p + 12, &src, 4);
    std::memcpy(p + 16, &dst, 4);
    const uint16_t ipSum = checksum(p, 20);
    p[10] = uint8_t(ipSum >> 8), p[11] = uint8_t(ipSum);
    uint8_t* icmp = p + 20;
    icmp[0] = type;
    icmp[4] = uint8_t(id >> 8), icmp[5] = uint8_t(id);
    icmp[6] = uint8_t(seq >> 8), icmp[7] = uint8_t(seq);
    std::memcpy(icmp + 8, "peertun-wg-probe", 16);
    const uint16_t icmpSum = checksum(icmp, icmpLen);
    icmp[2] = uint8_t(icmpSum >> 8), icmp[3] = uint8_t(icmpSum);
    return total;
}

struct Probe
{
    int fd = -1;
    Device dev;
    PeerId peer = kNoPeer;

    Probe(LockedSecretKey key, uint16_t localPort) : dev(std::move(key))
    {
        fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(localPort);
        if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
            std::perror("socket/bind");
            std::exit(2);
        }
    }
    ~Probe() { ::close(fd); }

    void sendTo(const Endpoint& e, const uint8_t* p, size_t n)
    {
        const sockaddr_in sa = toSockaddr(e);
        if (sendto(fd, p, n, 0, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) < 0) {
            std::perror("sendto");
        }
    }

    // Encrypts and sends an inner packet already placed at buf + 16.
    bool sendInner(uint8_t* buf, size_t cap, size_t len)
    {
        const SendResult r = dev.encrypt(peer, std::span<uint8_t>(buf, cap), len, monotonicNow());
        if (r.status != SendStatus::Ok) {
            std::printf("encrypt: no session\n");
            return false;
        }
        sendTo(dev.endpoint(peer), buf, r.size);
        return true;
    }

    // Waits up to `ms` for one datagram and hands it to the device.
    bool receiveOne(int ms, uint8_t* buf, size_t cap, ReceiveResult& r)
    {
        pollfd pfd{fd, POLLIN, 0};
        if (poll(&pfd, 1, ms) <= 0) {
            return false;
        }
        sockaddr_in from{};
        socklen_t fromLen = sizeof from;
        const ssize_t n = recvfrom(fd, buf, cap, 0, reinterpret_cast<sockaddr*>(&from), &fromLen);
        if (n < 0) {
            return false;
        }
        std::array<uint8_t, Device::kReplyBufferSize> reply{};
        const Endpoint src = fromSockaddr(from);
        r = dev.receive(std::span<uint8_t>(buf, size_t(n)), src, monotonicNow(), reply);
        std::printf("  <- %zd bytes type %u: %s\n", n, unsigned(buf[0]),
                    std::string(receiveOutcomeName(r.outcome)).c_str());
        if (r.replySize) {
            sendTo(src, reply.data(), r.replySize);
        }
        return true;
    }
};

LockedSecretKey loadSecret(const char* path, const char* what)
{
    std::string error;
    auto key = parseSecretKey(readFirstLine(path), &error);
    if (!key) {
        std::fprintf(stderr, "%s: %s\n", what, error.c_str());
        std::exit(2);
    }
    return std::move(*key);
}

PeerConfig peerConfig(const char* pub, const char* pskPath)
{
    std::string error;
    const auto key = parsePublicKey(pub, &error);
    if (!key) {
        std::fprintf(stderr, "peer public key: %s\n", error.c_str());
        std::exit(2);
    }
    PeerConfig c;
    c.publicKey = *key;
    if (std::strcmp(pskPath, "-") != 0) {
        c.presharedKey = loadSecret(pskPath, "preshared key");
    }
    return c;
}

int initiate(char** argv)
{
    Probe probe(loadSecret(argv[2], "private key"), uint16_t(std::atoi(argv[7])));
    PeerConfig c = peerConfig(argv[3], argv[4]);
    sockaddr_in peerSa{};
    peerSa.sin_family = AF_INET;
    inet_pton(AF_INET, argv[5], &peerSa.sin_addr);
    peerSa.sin_port = htons(uint16_t(std::atoi(argv[6])));
    c.endpoint = fromSockaddr(peerSa);
    probe.peer = probe.dev.addPeer(std::move(c));
    in_addr ourTun{}, peerTun{};
    inet_pton(AF_INET, argv[8], &ourTun);
    inet_pton(AF_INET, argv[9], &peerTun);

    uint8_t buf[2048];
    const size_t n = probe.dev.createInitiation(probe.peer, monotonicNow(), buf);
    std::printf("-> initiation (%zu bytes)\n", n);
    probe.sendTo(probe.dev.endpoint(probe.peer), buf, n);

    bool session = false;
    int replies = 0;
    uint16_t seq = 0;
    const Time deadline = monotonicNow() + std::chrono::seconds(10);
    while (monotonicNow() < deadline && replies < 3) {
        ReceiveResult r;
        if (!probe.receiveOne(500, buf, sizeof buf, r)) {
            if (session && seq < 6) { // resend an echo request
                const size_t len = buildEcho(buf + 16, ourTun, peerTun, 8, 0x7077, ++seq);
                probe.sendInner(buf, sizeof buf, len);
            }
            continue;
        }
        if (r.outcome == ReceiveOutcome::ResponseAccepted) {
            session = true;
            std::printf("handshake complete as initiator\n");
            for (int i = 0; i < 3; ++i) {
                const size_t len = buildEcho(buf + 16, ourTun, peerTun, 8, 0x7077, ++seq);
                std::printf("-> echo request %u\n", seq);
                probe.sendInner(buf, sizeof buf, len);
            }
        } else if (r.outcome == ReceiveOutcome::TransportData) {
            const uint8_t* ip = r.plaintext.data();
            if (r.plaintext.size() >= 28 && ip[9] == 1 && ip[20] == 0 &&
                std::memcmp(ip + 12, &peerTun, 4) == 0) {
                ++replies;
                std::printf("echo reply %u decrypted from the real peer\n",
                            unsigned(ip[26] << 8 | ip[27]));
            }
        }
    }
    std::printf(replies >= 3 ? "INITIATOR OK\n" : "INITIATOR FAILED\n");
    return replies >= 3 ? 0 : 1;
}

int respond(char** argv, bool underLoad)
{
    Probe probe(loadSecret(argv[2], "private key"), uint16_t(std::atoi(argv[5])));
    probe.dev.setUnderLoad(underLoad);
    int cookiesSent = 0;
    probe.peer = probe.dev.addPeer(peerConfig(argv[3], argv[4]));
    in_addr ourTun{};
    inet_pton(AF_INET, argv[6], &ourTun);
    const int want = std::atoi(argv[7]);

    uint8_t buf[2048];
    int answered = 0;
    bool handshook = false;
    const Time deadline = monotonicNow() + std::chrono::seconds(25);
    while (monotonicNow() < deadline && answered < want) {
        ReceiveResult r;
        if (!probe.receiveOne(500, buf, sizeof buf, r)) {
            continue;
        }
        if (r.outcome == ReceiveOutcome::CookieReplySent) {
            ++cookiesSent;
            std::printf("under load: cookie reply sent\n");
        }
        if (r.outcome == ReceiveOutcome::InitiationAccepted) {
            handshook = true;
            if (underLoad) {
                std::printf("initiation carried a valid mac2 from our cookie\n");
            }
            std::printf("initiation from the real peer accepted, response sent\n");
        }
        if (r.outcome != ReceiveOutcome::TransportData) {
            continue;
        }
        const uint8_t* ip = r.plaintext.data();
        if (r.plaintext.size() < 28 || ip[9] != 1 || ip[20] != 8 ||
            std::memcmp(ip + 16, &ourTun, 4) != 0) {
            continue;
        }
        in_addr src{};
        std::memcpy(&src, ip + 12, 4);
        const uint16_t id = uint16_t(ip[24] << 8 | ip[25]), seq = uint16_t(ip[26] << 8 | ip[27]);
        const size_t ipLen = size_t(ip[2] << 8 | ip[3]);
        // Echo back the request's own payload so ping accepts the reply.
        uint8_t inner[1500];
        std::memcpy(inner, ip, ipLen);
        std::memcpy(inner + 12, &ourTun, 4);
        std::memcpy(inner + 16, &src, 4);
        inner[10] = inner[11] = 0;
        const uint16_t ipSum = checksum(inner, 20);
        inner[10] = uint8_t(ipSum >> 8), inner[11] = uint8_t(ipSum);
        inner[20] = 0; // echo reply
        inner[22] = inner[23] = 0;
        const uint16_t icmpSum = checksum(inner + 20, ipLen - 20);
        inner[22] = uint8_t(icmpSum >> 8), inner[23] = uint8_t(icmpSum);
        std::memcpy(buf + 16, inner, ipLen);
        if (probe.sendInner(buf, sizeof buf, ipLen)) {
            ++answered;
            std::printf("-> echo reply id %u seq %u\n", id, seq);
        }
    }
    const bool ok = handshook && answered >= want && (!underLoad || cookiesSent > 0);
    std::printf(ok ? "RESPONDER OK\n" : "RESPONDER FAILED\n");
    return ok ? 0 : 1;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc == 10 && std::strcmp(argv[1], "initiate") == 0) {
        return initiate(argv);
    }
    if (argc == 8 && std::strcmp(argv[1], "respond") == 0) {
        return respond(argv, false);
    }
    if (argc == 8 && std::strcmp(argv[1], "respond-under-load") == 0) {
        return respond(argv, true);
    }
    std::fprintf(stderr, "usage: see the comment at the top of wg_interop_probe.cpp\n");
    return 2;
}
