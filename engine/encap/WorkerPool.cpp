#include "WorkerPool.h"

#include <algorithm>

namespace peertun::engine {

unsigned WorkerPool::defaultThreads(unsigned cores)
{
    // Half the cores: a tunnel has a pool per direction, and under load both are busy at
    // once. On 2 cores that is no pool thread at all: handing chunks to a thread that has no
    // core of its own costs more (wake-ups, yields) than the crypto it takes over.
    return std::min(std::max(1u, cores / 2), kMaxThreads);
}

unsigned WorkerPool::resolve(unsigned threads)
{
    return threads == 0 ? defaultThreads(std::thread::hardware_concurrency())
                        : std::min(threads, kMaxThreads);
}

WorkerPool::WorkerPool(unsigned threads)
{
    const unsigned n = resolve(threads);
    m_workers.reserve(n - 1);
    try {
        for (unsigned i = 0; i + 1 < n; ++i) {
            m_workers.emplace_back([this, i] { workerLoop(i); });
        }
    } catch (...) {
        m_stop.store(true);
        m_job.fetch_add(1u << 8);
        m_job.notify_all();
        for (auto& t : m_workers) {
            t.join();
        }
        throw;
    }
}

WorkerPool::~WorkerPool()
{
    m_stop.store(true, std::memory_order_release);
    m_job.fetch_add(1u << 8, std::memory_order_release);
    m_job.notify_all();
    for (auto& t : m_workers) {
        t.join();
    }
}

void WorkerPool::chunk(size_t n, unsigned parts, unsigned part, size_t* begin, size_t* end)
{
    *begin = n * part / parts;
    *end = n * (part + 1) / parts;
}

void WorkerPool::runErased(size_t n, void* ctx, Call call)
{
    const unsigned parts =
        n < kMinParallel ? 1u : unsigned(std::min<size_t>(threads(), n / (kMinParallel / 2)));
    if (parts <= 1) {
        call(ctx, 0, n);
        return;
    }
    m_ctx = ctx;
    m_call = call;
    m_n = n;
    m_pending.store(parts - 1, std::memory_order_relaxed);
    const uint32_t seq = (m_job.load(std::memory_order_relaxed) >> 8) + 1;
    m_job.store(seq << 8 | parts, std::memory_order_release);
    m_job.notify_all();
    size_t begin = 0;
    size_t end = 0;
    chunk(n, parts, 0, &begin, &end);
    call(ctx, begin, end);
    // The other parts are about as long as ours: spin briefly before sleeping.
    for (int spin = 0; spin < 256; ++spin) {
        if (m_pending.load(std::memory_order_acquire) == 0) {
            return;
        }
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }
    for (uint32_t left; (left = m_pending.load(std::memory_order_acquire)) != 0;) {
        m_pending.wait(left, std::memory_order_acquire);
    }
}

void WorkerPool::workerLoop(unsigned index)
{
    // No job is published before the constructor returns: the word starts at 0. (Reading it
    // here instead could miss the destructor's wake-up of a thread that starts late.)
    uint32_t seen = 0;
    for (;;) {
        uint32_t job;
        while ((job = m_job.load(std::memory_order_acquire)) == seen) {
            m_job.wait(seen, std::memory_order_acquire);
        }
        seen = job;
        if (m_stop.load(std::memory_order_acquire)) {
            return;
        }
        const unsigned parts = job & 0xff;
        const unsigned part = index + 1; // part 0 is the caller's
        if (part >= parts) {
            continue; // not needed for this job: it reads no job field
        }
        size_t begin = 0;
        size_t end = 0;
        chunk(m_n, parts, part, &begin, &end);
        m_call(m_ctx, begin, end);
        if (m_pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            m_pending.notify_one();
        }
    }
}

} // namespace peertun::engine
