// A thread that can be told to stop: an eventfd it polls beside its own fds, and a stop() that
// raises it and joins. The forwarding threads, the route guard and the WireGuard timers use
// it, so waking and joining is written once.
#pragma once

#include "Fd.h"

#include <thread>
#include <utility>

namespace peertun::engine {

class StopSignal
{
public:
    static constexpr int kStopped = -1;

    StopSignal(); // throws TunnelError (eventfd)
    int fd() const { return m_fd.get(); }
    void raise() const;
    // Blocks until `fd` has events (readable, or an error queued), the signal is raised, or
    // `timeoutMs` passes (-1: no timeout; an fd of -1 waits for the signal or the timeout
    // only). Returns fd's poll events (0 after a timeout), or kStopped.
    int wait(int fd, int timeoutMs = -1) const;
    // The same for two fds at once: their poll events go to events[0] and events[1]; returns
    // kStopped, or 0 (0 after a timeout too).
    int wait(int fd0, int fd1, int timeoutMs, int events[2]) const;

private:
    Fd m_fd;
};

class WorkerThread
{
public:
    WorkerThread() = default; // throws TunnelError (eventfd)
    ~WorkerThread() { stop(); }
    WorkerThread(const WorkerThread&) = delete;
    WorkerThread& operator=(const WorkerThread&) = delete;

    const StopSignal& stopSignal() const { return m_stop; }
    template <typename Body> void start(Body&& body)
    {
        m_thread = std::thread(std::forward<Body>(body));
    }
    bool running() const { return m_thread.joinable(); }
    // Raises the stop signal and joins; idempotent. The signal stays raised.
    void stop();

private:
    StopSignal m_stop;
    std::thread m_thread;
};

} // namespace peertun::engine
