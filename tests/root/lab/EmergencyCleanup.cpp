#include "EmergencyCleanup.h"

#include <QByteArray>
#include <algorithm>
#include <array>
#include <atomic>
#include <csignal>
#include <cstring>
#include <sys/mount.h>
#include <unistd.h>

namespace peertun::testlab {
namespace {

constexpr int kMaxPids = 128;
constexpr int kMaxNamespaces = 32;
constexpr int kNameCapacity = 64;
constexpr std::array kCleanupSignals{SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGABRT, SIGSEGV, SIGBUS};

std::array<std::atomic<pid_t>, kMaxPids> g_pids{};
std::array<std::array<char, kNameCapacity>, kMaxNamespaces> g_nsNames{};
std::array<std::atomic<bool>, kMaxNamespaces> g_nsUsed{};
std::array<struct sigaction, 65> g_previousActions{};
std::atomic<bool> g_handlersInstalled{false};

void cleanupFromSignal(int signo)
{
    for (auto& slot : g_pids) {
        const pid_t pid = slot.exchange(0);
        if (pid > 0) {
            ::kill(pid, SIGKILL); // a killed helper's TUN device and routes go with it
        }
    }
    for (int i = 0; i < kMaxNamespaces; ++i) {
        if (!g_nsUsed[i].exchange(false)) {
            continue;
        }
        // What `ip netns del` does: drop the bind mount that keeps the namespace alive.
        char path[sizeof("/run/netns/") + kNameCapacity] = {};
        std::strcpy(path, kNetnsDir);
        std::strncat(path, g_nsNames[i].data(), kNameCapacity - 1);
        ::umount2(path, MNT_DETACH);
        ::unlink(path);
    }
    if (signo == SIGABRT || signo == SIGSEGV || signo == SIGBUS) {
        // A crash or QTest's watchdog: let QTest's handler (if any) report it, then abort.
        ::sigaction(signo, &g_previousActions[signo], nullptr);
    } else {
        // An interrupt: stop for good (QTest's handler would let the run go on after SIGINT).
        struct sigaction defaultAction
        {};
        defaultAction.sa_handler = SIG_DFL;
        sigemptyset(&defaultAction.sa_mask);
        ::sigaction(signo, &defaultAction, nullptr);
        static constexpr char kNote[] = "test lab: interrupted, processes and namespaces removed\n";
        [[maybe_unused]] const auto written = ::write(STDERR_FILENO, kNote, sizeof(kNote) - 1);
    }
    ::raise(signo); // delivered when this handler returns
}

} // namespace

void installCleanupHandlers()
{
    if (g_handlersInstalled.exchange(true)) {
        return;
    }
    for (int signo : kCleanupSignals) {
        struct sigaction action
        {};
        action.sa_handler = cleanupFromSignal;
        sigemptyset(&action.sa_mask);
        ::sigaction(signo, &action, &g_previousActions[signo]);
    }
}

int trackPid(pid_t pid)
{
    for (int i = 0; i < kMaxPids; ++i) {
        pid_t expected = 0;
        if (g_pids[i].compare_exchange_strong(expected, pid)) {
            return i;
        }
    }
    return -1;
}

void untrackPid(int slot)
{
    if (slot >= 0) {
        g_pids[slot].store(0);
    }
}

void trackNamespace(const QString& ns)
{
    const QByteArray name = ns.toLatin1();
    for (int i = 0; i < kMaxNamespaces; ++i) {
        if (!g_nsUsed[i].load()) {
            std::memset(g_nsNames[i].data(), 0, kNameCapacity);
            std::memcpy(g_nsNames[i].data(), name.constData(),
                        std::min<qsizetype>(name.size(), kNameCapacity - 1));
            g_nsUsed[i].store(true);
            return;
        }
    }
}

void untrackNamespace(const QString& ns)
{
    const QByteArray name = ns.toLatin1();
    for (int i = 0; i < kMaxNamespaces; ++i) {
        if (g_nsUsed[i].load() && name == QByteArray(g_nsNames[i].data())) {
            g_nsUsed[i].store(false);
        }
    }
}

} // namespace peertun::testlab
