#include "Worker.h"

#include "TunnelError.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <poll.h>
#include <string>
#include <sys/eventfd.h>

namespace peertun::engine {

StopSignal::StopSignal() : m_fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
{
    if (!m_fd.valid()) {
        throw TunnelError(TunnelError::Kind::Failed,
                          std::string("cannot create an eventfd: ") + std::strerror(errno));
    }
}

void StopSignal::raise() const
{
    const uint64_t one = 1;
    [[maybe_unused]] const ssize_t w = ::write(m_fd.get(), &one, sizeof one);
}

int StopSignal::wait(int fd, int timeoutMs) const
{
    pollfd fds[2] = {{m_fd.get(), POLLIN, 0}, {fd, POLLIN, 0}};
    for (;;) {
        const int ready = ::poll(fds, 2, timeoutMs);
        if (ready < 0) {
            if (errno == EINTR) {
                continue;
            }
            return kStopped; // nothing sensible left to wait for
        }
        return fds[0].revents ? kStopped : fds[1].revents;
    }
}

int StopSignal::wait(int fd0, int fd1, int timeoutMs, int events[2]) const
{
    pollfd fds[3] = {{m_fd.get(), POLLIN, 0}, {fd0, POLLIN, 0}, {fd1, POLLIN, 0}};
    for (;;) {
        const int ready = ::poll(fds, 3, timeoutMs);
        if (ready < 0) {
            if (errno == EINTR) {
                continue;
            }
            return kStopped;
        }
        events[0] = fds[1].revents;
        events[1] = fds[2].revents;
        return fds[0].revents ? kStopped : 0;
    }
}

void WorkerThread::stop()
{
    m_stop.raise();
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

} // namespace peertun::engine
