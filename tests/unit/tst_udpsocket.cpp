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
