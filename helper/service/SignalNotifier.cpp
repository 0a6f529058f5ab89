#include "SignalNotifier.h"

#include <csignal>
#include <sys/signalfd.h>
#include <unistd.h>

namespace peertun {

SignalNotifier::SignalNotifier(std::initializer_list<int> handled)
{
    sigset_t set;
    sigemptyset(&set);
    for (const int s : handled) {
        sigaddset(&set, s);
    }
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    m_fd = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

SignalNotifier::~SignalNotifier()
{
    m_notifier.reset();
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

void SignalNotifier::onSignal(std::function<void(int)> handler)
{
    m_handler = std::move(handler);
    if (m_fd < 0 || m_notifier) {
        return;
    }
    m_notifier = std::make_unique<QSocketNotifier>(m_fd, QSocketNotifier::Read);
    QObject::connect(m_notifier.get(), &QSocketNotifier::activated, [this] {
        signalfd_siginfo info{};
        while (::read(m_fd, &info, sizeof info) == sizeof info) {
            m_handler(int(info.ssi_signo));
        }
    });
}

} // namespace peertun
