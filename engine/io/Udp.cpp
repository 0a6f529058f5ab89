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
            // Again from the route's address. If that fails the same way, the source was not
            // the cause: it stays.
            const UdpSource* source = m.source;
            m.source = nullptr;
            const int again = sendDatagram(m, m.data + at, len);
            if (again == err) {
                m.source = source;
            } else {
                m.sourceRejected = true;
            }
            err = again;
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
    // A message sent again without its source: which, from where, and the first error.
    unsigned retried = n;
    const UdpSource* retriedFrom = nullptr;
    int retriedError = 0;
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
                // The local address it was to leave from may be gone: again from the route's.
                retried = off;
                retriedFrom = m.source;
                retriedError = err;
                m.source = nullptr;
                m.sourceRejected = true;
                continue;
            }
            if (retried == off && err == retriedError) {
                // The same error without the source (EINVAL may be a refused GSO): not the
                // source's fault, it stays.
                m.source = retriedFrom;
                m.sourceRejected = false;
            }
            retried = n;
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
