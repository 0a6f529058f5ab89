// UdpSocket's system calls on a real socket: the UDP_SEGMENT control message sendBatch
// builds, the UDP_GRO one recvBatch parses, the IP_RECVERR entries readErrors takes, and
// wait(). Over loopback in a network namespace of the test's own (a user namespace makes
// that possible without root), so no packet reaches the host's network.
#include "UdpSocket.h"

#include <QTest>
#include <cerrno>
#include <cstring>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <vector>

using namespace peertun::engine;

namespace {

std::string g_namespaceError; // empty: the test runs in a network namespace of its own

// Before QCoreApplication and QTest start threads: a user namespace needs a single thread.
void enterOwnNetworkNamespace()
{
    if (::unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0 && ::unshare(CLONE_NEWNET) != 0) {
        g_namespaceError = std::string("cannot make a network namespace (no user namespaces "
                                       "for unprivileged users here, and not root): ") +
                           std::strerror(errno);
        return;
    }
    Fd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    ifreq ifr{};
    std::strcpy(ifr.ifr_name, "lo");
    if (!s.valid() || ::ioctl(s.get(), SIOCGIFFLAGS, &ifr) != 0) {
        g_namespaceError = std::string("cannot read lo's flags: ") + std::strerror(errno);
        return;
    }
    ifr.ifr_flags |= IFF_UP;
    if (::ioctl(s.get(), SIOCSIFFLAGS, &ifr) != 0) {
        g_namespaceError = std::string("cannot bring lo up: ") + std::strerror(errno);
    }
}

// Whether `fd` has anything (data or an error) within `ms`: so a missing packet fails the
// test instead of blocking it in wait().
bool readyWithin(int fd, int ms)
{
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, ms) == 1;
}

const UdpEndpoint kAny{*IpAddress::parse("127.0.0.1"), 0};

std::vector<uint8_t> pattern(size_t len, uint8_t seed)
{
    std::vector<uint8_t> v(len);
    for (size_t i = 0; i < len; ++i) {
        v[i] = uint8_t(i * 31 + seed);
    }
    return v;
}

// A plain socket without UDP_GRO, so each datagram arrives on its own.
struct PlainReceiver
{
    PlainReceiver() : fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0))
    {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), len) == 0 &&
            ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len) == 0) {
            endpoint = {*IpAddress::parse("127.0.0.1"), ntohs(a.sin_port)};
        }
    }
    // The next datagram, waiting up to a second; empty if none came.
    std::vector<uint8_t> next()
    {
        pollfd p{fd.get(), POLLIN, 0};
        std::vector<uint8_t> buf(70000);
        if (::poll(&p, 1, 1000) != 1) {
            return {};
        }
        const ssize_t n = ::recv(fd.get(), buf.data(), buf.size(), MSG_DONTWAIT);
        buf.resize(n > 0 ? size_t(n) : 0);
        return buf;
    }
    Fd fd;
    UdpEndpoint endpoint;
};

} // namespace

class TestUdpSocket final : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        if (!g_namespaceError.empty()) {
            QSKIP(g_namespaceError.c_str());
        }
    }

    // Equal-size datagrams back to back go out as one UDP_SEGMENT message and arrive cut.
    void sendBatchSegments_data()
    {
        QTest::addColumn<int>("count");
        QTest::addColumn<int>("size");
        QTest::addColumn<int>("last");
        QTest::newRow("one") << 1 << 700 << 700;
        QTest::newRow("six, short last") << 6 << 1000 << 300;
        QTest::newRow("forty of 1400") << 40 << 1400 << 1400;
    }
    void sendBatchSegments()
    {
        QFETCH(int, count);
        QFETCH(int, size);
        QFETCH(int, last);
        PlainReceiver rx;
        QVERIFY(rx.endpoint.port != 0);
        UdpSocket tx = UdpSocket::bind(kAny, {});
        sockaddr_storage to{};
        const socklen_t toLen = toSockaddr(rx.endpoint, tx.family(), &to);

        std::vector<std::vector<uint8_t>> datagrams;
        std::vector<uint8_t> wire;
        for (int i = 0; i < count; ++i) {
            datagrams.push_back(pattern(size_t(i + 1 == count ? last : size), uint8_t(i)));
            wire.insert(wire.end(), datagrams.back().begin(), datagrams.back().end());
        }
        UdpSendBatch batch;
        size_t at = 0;
        for (const auto& d : datagrams) {
            QVERIFY(batch.add(0, reinterpret_cast<const sockaddr*>(&to), toLen, wire.data() + at,
                              d.size(), uint32_t(d.size())));
            at += d.size();
        }
        QCOMPARE(batch.size(), 1u);
        QCOMPARE(batch[0].segmentSize, uint16_t(count > 1 ? size : 0));
        tx.sendBatch(batch);
        QCOMPARE(batch[0].sent, uint32_t(count));
        QCOMPARE(batch[0].error, 0);
        QVERIFY(tx.segmentationOffload());
        for (const auto& d : datagrams) {
            QVERIFY(rx.next() == d); // cut by the kernel where the control message said
        }
    }

    // Datagrams that arrive as one GRO train say their size in the UDP_GRO control message.
    void recvBatchReportsGroSize()
    {
        UdpSocket rx = UdpSocket::bind(kAny, {});
        UdpSocket tx = UdpSocket::bind(kAny, {});
        sockaddr_storage to{};
        const socklen_t toLen = toSockaddr(rx.localEndpoint(), tx.family(), &to);
        const std::vector<uint8_t> wire = pattern(5 * 1200 + 500, 7);
        UdpSendBatch batch;
        for (size_t at = 0; at < wire.size(); at += 1200) {
            const size_t len = std::min<size_t>(1200, wire.size() - at);
            QVERIFY(batch.add(0, reinterpret_cast<const sockaddr*>(&to), toLen, wire.data() + at,
                              len, uint32_t(len)));
        }
        tx.sendBatch(batch);
        QCOMPARE(batch[0].sent, 6u);

        QVERIFY(readyWithin(rx.fd(), 2000));
        StopSignal stop;
        QVERIFY(rx.wait(stop) & POLLIN);
        UdpRecvBatch in;
        std::vector<uint8_t> got;
        unsigned trains = 0;
        while (got.size() < wire.size()) {
            const unsigned n = rx.recvBatch(in);
            if (n == 0) {
                QVERIFY(readyWithin(rx.fd(), 2000));
                continue;
            }
            for (unsigned i = 0; i < n; ++i) {
                const UdpRecvBatch::Datagram& d = in.datagrams[i];
                QVERIFY(!d.truncated);
                QCOMPARE(fromSockaddr(reinterpret_cast<const sockaddr*>(&d.from)),
                         tx.localEndpoint());
                // One datagram says its own length; a train the size of all but its last.
                QCOMPARE(d.segmentSize, d.len > 1200 ? 1200u : d.len);
                trains += d.len > 1200;
                got.insert(got.end(), in.slot(i), in.slot(i) + d.len);
            }
        }
        QVERIFY(got == wire);
        // Loopback hands a UDP_SEGMENT send to a UDP_GRO socket as it was sent.
        QCOMPARE(trains, 1u);
    }

    // An ICMP port unreachable is queued (IP_RECVERR) and read as an error for that peer.
    void readErrorsNamesTheOffender()
    {
        UdpEndpoint closed;
        {
            PlainReceiver gone; // a port that was just in use and is closed now
            closed = gone.endpoint;
        }
        UdpSocket s = UdpSocket::bind(kAny, {});
        sockaddr_storage to{};
        const socklen_t toLen = toSockaddr(closed, s.family(), &to);
        const std::vector<uint8_t> payload = pattern(100, 1);
        UdpSendBatch batch;
        QVERIFY(batch.add(0, reinterpret_cast<const sockaddr*>(&to), toLen, payload.data(),
                          payload.size(), 100));
        s.sendBatch(batch);

        QVERIFY(readyWithin(s.fd(), 2000));
        StopSignal stop;
        QVERIFY(s.wait(stop) & POLLERR);
        SocketError errors[8];
        const unsigned n = s.readErrors(errors, 8);
        QCOMPARE(n, 1u);
        QCOMPARE(errors[0].error, ECONNREFUSED);
        QCOMPARE(fromSockaddr(reinterpret_cast<const sockaddr*>(&errors[0].offender)), closed);
        QCOMPARE(s.readErrors(errors, 8), 0u);
    }

    // On a wildcard address each datagram says which local address it came to, and an answer
    // sent from that address leaves from it, not from the route's (127.0.0.1 for all of
    // 127/8 on lo). A source the host does not have is refused by the kernel: the message
    // goes again without it. IPv4 on a dual-stack socket comes v4-mapped.
    void wildcardLearnsAndSendsFromLocalAddress_data()
    {
        QTest::addColumn<bool>("dualStack");
        QTest::newRow("0.0.0.0") << false;
        QTest::newRow("dual-stack ::") << true;
    }
    void wildcardLearnsAndSendsFromLocalAddress()
    {
        QFETCH(bool, dualStack);
        UdpSocket server = UdpSocket::bind({IpAddress{}, 0}, {}, dualStack);
        QVERIFY(server.wildcard());
        QVERIFY(server.reportsLocalAddresses());
        QCOMPARE(server.family(), dualStack ? AF_INET6 : AF_INET);
        // A client at 127.0.0.3 writes to the server's second address.
        Fd client(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
        sockaddr_in c{};
        c.sin_family = AF_INET;
        c.sin_addr.s_addr = htonl(0x7f000003);
        QCOMPARE(::bind(client.get(), reinterpret_cast<sockaddr*>(&c), sizeof c), 0);
        socklen_t cLen = sizeof c;
        QCOMPARE(::getsockname(client.get(), reinterpret_cast<sockaddr*>(&c), &cLen), 0);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(server.localEndpoint().port);
        to.sin_addr.s_addr = htonl(0x7f000002);
        const std::vector<uint8_t> hello = pattern(100, 3);
        QCOMPARE(::sendto(client.get(), hello.data(), hello.size(), 0,
                          reinterpret_cast<sockaddr*>(&to), sizeof to),
                 ssize_t(hello.size()));
        QVERIFY(readyWithin(server.fd(), 2000));
        UdpRecvBatch in;
        QCOMPARE(server.recvBatch(in), 1u);
        const UdpSource local = in.datagrams[0].local;
        QCOMPARE(int(local.family), server.family());
        const uint8_t want[4] = {127, 0, 0, 2};
        QVERIFY(std::memcmp(dualStack ? local.address + 12 : local.address, want, 4) == 0);
        QVERIFY(local.ifindex > 0); // lo

        // Answers: from the learned address, from none (the route's), from one that is gone.
        UdpSource gone = local;
        const uint8_t absent[4] = {10, 99, 99, 99};
        std::memcpy(dualStack ? gone.address + 12 : gone.address, absent, 4);
        const UdpSource* sources[3] = {&local, nullptr, &gone};
        const char* expected[3] = {"127.0.0.2", "127.0.0.1", "127.0.0.1"};
        for (int k = 0; k < 3; ++k) {
            sockaddr_storage back{};
            const socklen_t backLen =
                toSockaddr(fromSockaddr(reinterpret_cast<const sockaddr*>(&in.datagrams[0].from)),
                           server.family(), &back);
            const std::vector<uint8_t> reply = pattern(2 * 500, uint8_t(k));
            UdpSendBatch batch;
            for (int d = 0; d < 2; ++d) { // two datagrams: UDP_SEGMENT and the source together
                QVERIFY(batch.add(0, reinterpret_cast<const sockaddr*>(&back), backLen,
                                  reply.data() + d * 500, 500, 500, sources[k]));
            }
            server.sendBatch(batch);
            QCOMPARE(batch.size(), 1u);
            QCOMPARE(batch[0].sent, 2u);
            QCOMPARE(batch[0].error, 0);
            QCOMPARE(batch[0].sourceRejected, k == 2);
            for (int d = 0; d < 2; ++d) {
                QVERIFY(readyWithin(client.get(), 2000));
                sockaddr_in from{};
                socklen_t fromLen = sizeof from;
                uint8_t buf[2000];
                const ssize_t n = ::recvfrom(client.get(), buf, sizeof buf, MSG_DONTWAIT,
                                             reinterpret_cast<sockaddr*>(&from), &fromLen);
                QCOMPARE(n, ssize_t(500));
                QCOMPARE(fromSockaddr(reinterpret_cast<sockaddr*>(&from)).address.toString(),
                         std::string(expected[k]));
            }
            // One datagram outside the batches (WireGuard's handshakes), from the same source.
            QCOMPARE(server.sendOne(reinterpret_cast<const sockaddr*>(&back), backLen, reply.data(),
                                    64, sources[k], 0),
                     0);
            QVERIFY(readyWithin(client.get(), 2000));
            sockaddr_in from{};
            socklen_t fromLen = sizeof from;
            uint8_t buf[100];
            QCOMPARE(::recvfrom(client.get(), buf, sizeof buf, MSG_DONTWAIT,
                                reinterpret_cast<sockaddr*>(&from), &fromLen),
                     ssize_t(64));
            QCOMPARE(fromSockaddr(reinterpret_cast<sockaddr*>(&from)).address.toString(),
                     std::string(expected[k]));
        }
    }

    // A bound socket asks for none of it.
    void boundSocketReportsNoLocalAddress()
    {
        UdpSocket server = UdpSocket::bind(kAny, {});
        QVERIFY(!server.wildcard());
        QVERIFY(!server.reportsLocalAddresses());
        PlainReceiver client;
        sockaddr_storage to{};
        const socklen_t toLen = toSockaddr(server.localEndpoint(), AF_INET, &to);
        const std::vector<uint8_t> hello = pattern(100, 4);
        QCOMPARE(::sendto(client.fd.get(), hello.data(), hello.size(), 0,
                          reinterpret_cast<sockaddr*>(&to), toLen),
                 ssize_t(hello.size()));
        QVERIFY(readyWithin(server.fd(), 2000));
        UdpRecvBatch in;
        QCOMPARE(server.recvBatch(in), 1u);
        QCOMPARE(int(in.datagrams[0].local.family), AF_UNSPEC);
    }

    void waitReturnsWhenStopped()
    {
        UdpSocket s = UdpSocket::bind(kAny, {});
        StopSignal stop;
        stop.raise();
        QCOMPARE(s.wait(stop), StopSignal::kStopped);
    }
};

int main(int argc, char** argv)
{
    enterOwnNetworkNamespace();
    TestUdpSocket test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_udpsocket.moc"
