#include "FakeTun.h"

#include "TunnelError.h"

#include <algorithm>
#include <cstring>
#include <sys/eventfd.h>

namespace peertun::engine {

FakeTun::FakeTun() : m_readable(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
{
    if (!m_readable.valid()) {
        throw TunnelError(TunnelError::Kind::Failed, "cannot create an eventfd");
    }
}

void FakeTun::queueRead(std::vector<uint8_t> read)
{
    const std::lock_guard lock(m_mutex);
    m_reads.push_back(std::move(read));
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t w = ::write(m_readable.get(), &one, sizeof one);
}

void FakeTun::failWrites(int err)
{
    const std::lock_guard lock(m_mutex);
    m_writeError = err;
}

std::vector<FakeTun::Written> FakeTun::takeWrites()
{
    const std::lock_guard lock(m_mutex);
    return std::exchange(m_writes, {});
}

size_t FakeTun::pendingReads() const
{
    const std::lock_guard lock(m_mutex);
    return m_reads.size();
}

void FakeTun::readBatch(TunReadBatch& batch)
{
    const std::lock_guard lock(m_mutex);
    batch.clear();
    while (!m_reads.empty()) {
        uint8_t* to = batch.room();
        if (!to) {
            return;
        }
        const std::vector<uint8_t>& r = m_reads.front();
        const size_t len = std::min(r.size(), TunReadBatch::kMaxRead);
        std::copy_n(r.begin(), len, to); // an empty read has no data() to copy from
        batch.add(len);
        m_reads.pop_front();
    }
    uint64_t count = 0; // nothing left: not readable any more
    [[maybe_unused]] const ssize_t r = ::read(m_readable.get(), &count, sizeof count);
}

int FakeTun::write(const iovec* iov, unsigned count)
{
    const std::lock_guard lock(m_mutex);
    if (m_writeError) {
        return std::exchange(m_writeError, 0);
    }
    Written w;
    for (unsigned i = 0; i < count; ++i) {
        const auto* p = static_cast<const uint8_t*>(iov[i].iov_base);
        std::vector<uint8_t>& to = i == 0 ? w.header : w.packet;
        to.insert(to.end(), p, p + iov[i].iov_len);
    }
    m_writes.push_back(std::move(w));
    return 0;
}

} // namespace peertun::engine
