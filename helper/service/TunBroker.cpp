#include "TunBroker.h"

#include "TunDevice.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <mutex>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace peertun {
namespace {

constexpr int kBrokerSocket = 3; // the broker's only fd besides stdin/stdout/stderr

int g_brokerFd = -1;
std::mutex g_brokerMutex;

// The helper's side: one request, one answer (errno as payload, the fd as SCM_RIGHTS).
int openThroughBroker()
{
    const std::lock_guard lock(g_brokerMutex);
    const char request = 'o';
    if (::send(g_brokerFd, &request, 1, MSG_NOSIGNAL) != 1) {
        return errno == EPIPE || errno == ECONNRESET ? -EPERM : -errno;
    }
    int err = 0;
    iovec iov{&err, sizeof err};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))]{};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    do {
        n = ::recvmsg(g_brokerFd, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n != sizeof err) {
        return -EPERM; // the broker is gone
    }
    const cmsghdr* c = CMSG_FIRSTHDR(&msg);
    if (err != 0 || c == nullptr || c->cmsg_type != SCM_RIGHTS) {
        return -(err != 0 ? err : EPERM);
    }
    int fd = -1;
    std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
    return fd;
}

[[noreturn]] void brokerMain(uid_t uid, gid_t gid, pid_t parent)
{
    // Only raw system calls from here on: this is a fork of a process that may hold locks.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    ::close_range(kBrokerSocket + 1, ~0U, 0);
    prctl(PR_SET_NAME, "peertun-tunopen", 0, 0, 0);
    for (int cap = 0; cap <= CAP_LAST_CAP; ++cap) {
        if (cap != CAP_DAC_OVERRIDE && prctl(PR_CAPBSET_READ, cap, 0, 0, 0) > 0 &&
            prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) {
            _exit(1);
        }
    }
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0 || ::setgroups(0, nullptr) != 0 ||
        ::setresgid(gid, gid, gid) != 0 || ::setresuid(uid, uid, uid) != 0 ||
        prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) {
        _exit(1);
    }
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2]{};
    data[CAP_TO_INDEX(CAP_DAC_OVERRIDE)].permitted = CAP_TO_MASK(CAP_DAC_OVERRIDE);
    data[CAP_TO_INDEX(CAP_DAC_OVERRIDE)].effective = CAP_TO_MASK(CAP_DAC_OVERRIDE);
    if (syscall(SYS_capset, &header, data) != 0 ||
        prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 ||
        prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
        _exit(1);
    }
    // After the switch: changing credentials clears the parent-death signal.
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (::getppid() != parent) {
        _exit(0);
    }
    for (;;) {
        char request = 0;
        const ssize_t n = ::read(kBrokerSocket, &request, 1);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n != 1) {
            _exit(0); // the helper closed its end or exited
        }
        const int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
        int err = fd < 0 ? errno : 0;
        iovec iov{&err, sizeof err};
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))]{};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        if (fd >= 0) {
            msg.msg_control = control;
            msg.msg_controllen = sizeof control;
            cmsghdr* c = CMSG_FIRSTHDR(&msg);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(sizeof(int));
            std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
        }
        ::sendmsg(kBrokerSocket, &msg, MSG_NOSIGNAL);
        if (fd >= 0) {
            ::close(fd);
        }
    }
}

} // namespace

bool tunNodeNeedsBroker(uid_t uid, gid_t gid)
{
    struct stat st
    {};
    if (::stat("/dev/net/tun", &st) != 0) {
        return false; // missing: TunDevice says so when a tunnel is wanted
    }
    const mode_t m = st.st_mode;
    const bool byOther = (m & S_IROTH) && (m & S_IWOTH);
    const bool byGroup = st.st_gid == gid && (m & S_IRGRP) && (m & S_IWGRP);
    const bool byOwner = st.st_uid == uid && (m & S_IRUSR) && (m & S_IWUSR);
    return !(byOther || byGroup || byOwner);
}

bool startTunBroker(uid_t uid, gid_t gid, QString* error)
{
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
        *error = QStringLiteral("socketpair: %1").arg(QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    const pid_t parent = ::getpid();
    const pid_t child = ::fork();
    if (child < 0) {
        *error = QStringLiteral("fork: %1").arg(QString::fromLocal8Bit(strerror(errno)));
        ::close(pair[0]);
        ::close(pair[1]);
        return false;
    }
    if (child == 0) {
        if (::dup2(pair[1], kBrokerSocket) != kBrokerSocket) {
            _exit(1);
        }
        brokerMain(uid, gid, parent);
    }
    ::close(pair[1]);
    g_brokerFd = pair[0];
    engine::setTunControlOpener(&openThroughBroker);
    return true;
}

} // namespace peertun
