#include "Udp.h"

#include <algorithm>
#include <cerrno>

namespace peertun::engine {

void Udp::sendOneByOne(UdpSendBatch::Message& m)
{
    m.sent = 0;
    m.error = 0;
    for (uint32_t s = 0, at = 0; s < m.segments; ++s) {
        const size_t len = std::min<size_t>(m.segmentSize, m.bytes - at);
        int err = sendDatagram(m, m.data + at, len);
        if (err != 0 && m.source && sourceGone(err)) {
            m.source = nullptr; // gone from this host: the route's address from now on
            m.sourceRejected = true;
            err = sendDatagram(m, m.data + at, len);
        }
        if (err == 0) {
            ++m.sent;
        }
        at += uint32_t(len);
    }
}

void Udp::sendBatch(UdpSendBatch& batch)
{
    const unsigned n = batch.size();
    unsigned off = 0;
    while (off < n) {
        unsigned end = n;
        if (!m_gso) {
            // Without GSO (the kernel refused it once), a grouped message goes out one
            // datagram at a time; the grouping itself is the same either way.
            if (batch[off].segmentSize) {
                sendOneByOne(batch[off++]);
                continue;
            }
            for (end = off; end < n && !batch[end].segmentSize; ++end) {
            }
        }
        const int sent = sendMessages(batch, off, end - off);
        if (sent < 0) {
            const int err = -sent;
            if (err == EINTR) {
                continue;
            }
            UdpSendBatch::Message& m = batch[off];
            if (m.source && sourceGone(err)) {
                // The local address it was to leave from is gone: again from the route's
                // (EINVAL may also have been a refused GSO; the second try tells).
                m.source = nullptr;
                m.sourceRejected = true;
                continue;
            }
            if (m.segmentSize && (err == EINVAL || err == EIO || err == EMSGSIZE)) {
                // The kernel or the path refuses UDP GSO (e.g. an MTU larger than the
                // underlay): from now on, datagram by datagram.
                m_gso = false;
                batch.gsoRefused = err;
                sendOneByOne(batch[off++]);
                continue;
            }
            // ENETUNREACH, EHOSTUNREACH, ECONNREFUSED, ...: the message is lost, go on.
            m.sent = 0;
            m.error = err;
            ++off;
            continue;
        }
        for (unsigned i = off; i < off + unsigned(sent); ++i) {
            batch[i].sent = batch[i].segments;
            batch[i].error = 0;
        }
        off += unsigned(sent);
    }
}

} // namespace peertun::engine
