#include "FakeUdp.h"

#include "TunnelError.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <poll.h>
#include <sys/eventfd.h>

namespace peertun::engine {

FakeUdp::FakeUdp(int family)
    : m_family(family), m_readable(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
{
    if (!m_readable.valid()) {
        throw TunnelError(TunnelError::Kind::Failed, "cannot create an eventfd");
    }
}

void FakeUdp::updateReadable()
{
    uint64_t v = 1;
    if (m_arrivals.empty() && m_errors.empty()) {
        [[maybe_unused]] const ssize_t r = ::read(m_readable.get(), &v, sizeof v);
    } else {
        [[maybe_unused]] const ssize_t w = ::write(m_readable.get(), &v, sizeof v);
    }
}

void FakeUdp::queueArrival(Arrival a)
{
    queueArrivalAt(std::move(a), IpAddress{});
}

void FakeUdp::queueArrivalAt(Arrival a, const IpAddress& local)
{
    const std::lock_guard lock(m_mutex);
    m_arrivals.push_back({std::move(a), local});
    updateReadable();
}

void FakeUdp::queueError(const UdpEndpoint& offender, int err)
{
    const std::lock_guard lock(m_mutex);
    SocketError e;
    toSockaddr(offender, m_family, &e.offender);
    e.error = err;
    m_errors.push_back(e);
    updateReadable();
}

void FakeUdp::refuseGso(int err)
{
    const std::lock_guard lock(m_mutex);
    m_gsoError = err;
}

void FakeUdp::failSendsTo(const UdpEndpoint& to, int err)
{
    const std::lock_guard lock(m_mutex);
    std::erase_if(m_failing, [&](const auto& f) { return f.first == to; });
    if (err) {
        m_failing.emplace_back(to, err);
    }
}

void FakeUdp::failSendsFrom(const IpAddress& from, int err)
{
    const std::lock_guard lock(m_mutex);
    std::erase_if(m_failingFrom, [&](const auto& f) { return f.first == from; });
    if (err) {
        m_failingFrom.emplace_back(from, err);
    }
}

UdpSource FakeUdp::sourceOf(const IpAddress& a) const
{
    UdpSource s;
    if (a.isUnspecified()) {
        return s;
    }
    s.family = uint16_t(m_family);
    if (m_family == AF_INET6 && a.family == AF_INET) {
        s.address[10] = s.address[11] = 0xff;
        std::memcpy(s.address + 12, a.bytes.data(), 4);
    } else {
        std::memcpy(s.address, a.bytes.data(), size_t(a.byteLength()));
    }
    return s;
}

IpAddress FakeUdp::addressOf(const UdpSource& s)
{
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (s.family == AF_INET) {
        return IpAddress::v4(s.address);
    }
    if (s.family == AF_INET6) {
        return std::memcmp(s.address, kMapped, 12) == 0 ? IpAddress::v4(s.address + 12)
                                                        : IpAddress::v6(s.address);
    }
    return {};
}

std::vector<FakeUdp::Sent> FakeUdp::takeSent()
{
    const std::lock_guard lock(m_mutex);
    return std::exchange(m_sent, {});
}

unsigned FakeUdp::sendmmsgCalls() const
{
    const std::lock_guard lock(m_mutex);
    return m_sendmmsgCalls;
}

int FakeUdp::events(int pollEvents) const
{
    const std::lock_guard lock(m_mutex);
    return m_errors.empty() ? pollEvents : pollEvents | POLLERR;
}

unsigned FakeUdp::recvBatch(UdpRecvBatch& batch)
{
    const std::lock_guard lock(m_mutex);
    unsigned n = 0;
    while (n < UdpRecvBatch::kSlots && !m_arrivals.empty()) {
        const Arrival& a = m_arrivals.front().arrival;
        UdpRecvBatch::Datagram& d = batch.datagrams[n];
        const size_t len = std::min(a.bytes.size(), UdpRecvBatch::kSlotBytes);
        std::copy_n(a.bytes.begin(), len, batch.slot(n)); // may be empty
        d.len = uint32_t(len);
        d.segmentSize = a.groSize ? a.groSize : d.len;
        d.truncated = a.truncated || a.bytes.size() > UdpRecvBatch::kSlotBytes;
        toSockaddr(a.from, m_family, &d.from);
        d.local = sourceOf(m_arrivals.front().local);
        m_arrivals.pop_front();
        ++n;
    }
    updateReadable();
    batch.count = n;
    return n;
}

unsigned FakeUdp::readErrors(SocketError* out, unsigned max)
{
    const std::lock_guard lock(m_mutex);
    unsigned n = 0;
    for (; n < max && !m_errors.empty(); ++n) {
        out[n] = m_errors.front();
        m_errors.pop_front();
    }
    updateReadable();
    return n;
}

int FakeUdp::failureFor(const UdpEndpoint& to, const UdpSource* from) const
{
    for (const auto& [endpoint, err] : m_failing) {
        if (endpoint == to) {
            return err;
        }
    }
    if (from) {
        const IpAddress a = addressOf(*from);
        for (const auto& [address, err] : m_failingFrom) {
            if (address == a) {
                return err;
            }
        }
    }
    return 0;
}

int FakeUdp::sendMessages(const UdpSendBatch& batch, unsigned first, unsigned count)
{
    const std::lock_guard lock(m_mutex);
    ++m_sendmmsgCalls;
    // As sendmmsg: messages go until one fails; that one's error only if it is the first.
    for (unsigned k = 0; k < count; ++k) {
        const UdpSendBatch::Message& m = batch[first + k];
        const UdpEndpoint to = fromSockaddr(m.to);
        int err = failureFor(to, m.source);
        if (!err && m.segmentSize && m_gsoError) {
            err = m_gsoError;
        }
        if (err) {
            return k == 0 ? -err : int(k);
        }
        m_sent.push_back({to, std::vector<uint8_t>(m.data, m.data + m.bytes), m.segmentSize, false,
                          m.source ? addressOf(*m.source) : IpAddress{}});
    }
    return int(count);
}

int FakeUdp::sendDatagram(const UdpSendBatch::Message& m, const uint8_t* data, size_t len)
{
    const std::lock_guard lock(m_mutex);
    const UdpEndpoint to = fromSockaddr(m.to);
    if (const int err = failureFor(to, m.source)) {
        return err;
    }
    m_sent.push_back({to, std::vector<uint8_t>(data, data + len), 0, true,
                      m.source ? addressOf(*m.source) : IpAddress{}});
    return 0;
}

} // namespace peertun::engine
