// Fork-join over a few threads for the crypto of one batch: the calling thread cuts [0, n) into
// contiguous chunks, keeps the first and hands the rest to the pool's threads, then waits for
// them. Order is the caller's business: it sends the batch in order after run() returns, as
// wireguard-go's sequential sender does. A job costs one atomic bump and, if a thread sleeps,
// one futex wake; nothing is allocated and no lock is taken per job.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

namespace peertun::engine {

class WorkerPool
{
public:
    // Below this many items a job runs on the calling thread alone: waking a thread costs
    // more than a few packets' crypto.
    static constexpr size_t kMinParallel = 8;
    static constexpr unsigned kMaxThreads = 64;

    // `threads` counts the caller: 1 makes no thread at all. 0 means defaultThreads(cores).
    explicit WorkerPool(unsigned threads); // throws std::system_error if no thread can be made
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    unsigned threads() const { return unsigned(m_workers.size()) + 1; }

    // Calls fn(i) for every i in [0, n) and returns when all calls are done. One caller at a
    // time per pool.
    template <typename F> void run(size_t n, F& fn)
    {
        runErased(n, &fn, [](void* f, size_t begin, size_t end) {
            for (size_t i = begin; i < end; ++i) {
                (*static_cast<F*>(f))(i);
            }
        });
    }

    // Half of `cores` (a pool per direction), at least 1, at most kMaxThreads.
    static unsigned defaultThreads(unsigned cores);
    static unsigned resolve(unsigned threads); // 0 -> defaultThreads(cores), capped at kMaxThreads

private:
    using Call = void (*)(void*, size_t, size_t);
    void runErased(size_t n, void* ctx, Call call);
    void workerLoop(unsigned index);
    static void chunk(size_t n, unsigned parts, unsigned part, size_t* begin, size_t* end);

    std::vector<std::thread> m_workers;
    // Job word: a sequence number (high 24 bits) and how many parts it has (low 8 bits). The
    // job fields below are written before the word is published.
    std::atomic<uint32_t> m_job{0};
    std::atomic<uint32_t> m_pending{0}; // parts still running on pool threads
    std::atomic<bool> m_stop{false};
    void* m_ctx = nullptr;
    Call m_call = nullptr;
    size_t m_n = 0;
};

} // namespace peertun::engine
