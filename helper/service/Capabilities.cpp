#include "Capabilities.h"

#include "TunBroker.h"

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace peertun {
namespace {

// capset/capget through the raw syscalls, so the helper needs no libcap.
bool getCaps(__user_cap_data_struct data[2])
{
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    return syscall(SYS_capget, &header, data) == 0;
}

bool setCaps(__user_cap_data_struct data[2])
{
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    return syscall(SYS_capset, &header, data) == 0;
}

void setBit(__user_cap_data_struct data[2], uint32_t __user_cap_data_struct::*set, int cap)
{
    data[CAP_TO_INDEX(cap)].*set |= CAP_TO_MASK(cap);
}

void clearBit(__user_cap_data_struct data[2], uint32_t __user_cap_data_struct::*set, int cap)
{
    data[CAP_TO_INDEX(cap)].*set &= ~CAP_TO_MASK(cap);
}

bool hasBit(const __user_cap_data_struct data[2], uint32_t __user_cap_data_struct::*set, int cap)
{
    return (data[CAP_TO_INDEX(cap)].*set & CAP_TO_MASK(cap)) != 0;
}

QString errnoText(const char* what)
{
    return QStringLiteral("%1: %2").arg(QLatin1String(what),
                                        QString::fromLocal8Bit(strerror(errno)));
}

// Capabilities are per thread and setresuid() is emulated across threads by glibc: both
// must happen before any other thread exists.
int threadCount()
{
    DIR* dir = ::opendir("/proc/self/task");
    if (dir == nullptr) {
        return -1;
    }
    int n = 0;
    while (const dirent* entry = ::readdir(dir)) {
        n += entry->d_name[0] != '.';
    }
    ::closedir(dir);
    return n;
}

// peertun, or nobody/nogroup when the package's user is missing (a build tree).
bool lookUpTarget(PrivilegeDrop* target, QString* error)
{
    if (const passwd* pw = ::getpwnam(kHelperUser)) {
        if (pw->pw_uid == 0 || pw->pw_gid == 0) {
            *error = QStringLiteral("the system user %1 has uid or gid 0; refusing to run as it")
                         .arg(QLatin1String(kHelperUser));
            return false;
        }
        *target = {QString::fromLatin1(kHelperUser), pw->pw_uid, pw->pw_gid, QString()};
        return true;
    }
    const passwd* nobody = ::getpwnam("nobody");
    if (nobody == nullptr || nobody->pw_uid == 0) {
        *error = QStringLiteral("neither the system user %1 nor nobody exists; refusing to run "
                                "as root")
                     .arg(QLatin1String(kHelperUser));
        return false;
    }
    const group* nogroup = ::getgrnam("nogroup");
    *target = {QStringLiteral("nobody"), nobody->pw_uid, nogroup ? nogroup->gr_gid : nobody->pw_gid,
               QStringLiteral("the system user %1 does not exist (the package creates it); "
                              "running as nobody instead")
                   .arg(QLatin1String(kHelperUser))};
    return true;
}

} // namespace

bool dropPrivileges(PrivilegeDrop* result, QString* error)
{
    if (threadCount() != 1) {
        *error = QStringLiteral("privileges must be dropped before any thread starts");
        return false;
    }
    __user_cap_data_struct current[2]{};
    if (!getCaps(current)) {
        *error = errnoText("capget");
        return false;
    }
    // Keep only what we have now of the two we need (a helper run without privileges
    // simply ends up with none and fails later with a clear PermissionDenied).
    __user_cap_data_struct wanted[2]{};
    for (int cap : {CAP_NET_ADMIN, CAP_NET_BIND_SERVICE}) {
        if (hasBit(current, &__user_cap_data_struct::permitted, cap)) {
            setBit(wanted, &__user_cap_data_struct::permitted, cap);
        }
    }
    if (hasBit(wanted, &__user_cap_data_struct::permitted, CAP_NET_ADMIN)) {
        setBit(wanted, &__user_cap_data_struct::effective, CAP_NET_ADMIN);
    }

    // Bounding set first, while CAP_SETPCAP is still there (root).
    for (int cap = 0; cap <= CAP_LAST_CAP; ++cap) {
        if (cap == CAP_NET_ADMIN || cap == CAP_NET_BIND_SERVICE) {
            continue;
        }
        // Without CAP_SETPCAP (started unprivileged, e.g. by systemd as peertun) the bounding
        // set cannot shrink; the unit's CapabilityBoundingSet= did that already.
        if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) > 0 && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 &&
            errno != EINVAL &&
            !(errno == EPERM &&
              !hasBit(current, &__user_cap_data_struct::effective, CAP_SETPCAP))) {
            *error = errnoText("PR_CAPBSET_DROP");
            return false;
        }
    }

    if (::geteuid() == 0 || ::getuid() == 0) {
        PrivilegeDrop target;
        if (!lookUpTarget(&target, error)) {
            return false;
        }
        if (tunNodeNeedsBroker(target.uid, target.gid) &&
            !startTunBroker(target.uid, target.gid, error)) {
            return false;
        }
        // Permitted capabilities survive the uid change only with KEEPCAPS; the effective
        // set is cleared by it and set again below.
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) {
            *error = errnoText("PR_SET_KEEPCAPS");
            return false;
        }
        if (::setgroups(0, nullptr) != 0) {
            *error = errnoText("setgroups");
            return false;
        }
        if (::setresgid(target.gid, target.gid, target.gid) != 0) {
            *error = errnoText("setresgid");
            return false;
        }
        if (::setresuid(target.uid, target.uid, target.uid) != 0) {
            *error = errnoText("setresuid");
            return false;
        }
        if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) {
            *error = errnoText("PR_SET_KEEPCAPS");
            return false;
        }
        *result = target;
    } else {
        const passwd* pw = ::getpwuid(::geteuid());
        *result = {pw ? QString::fromLocal8Bit(pw->pw_name) : QString::number(::geteuid()),
                   ::geteuid(), ::getegid(), QString()};
    }
    // A uid 0 that survived would mean the switch silently failed.
    uid_t ruid = 0, euid = 0, suid = 0;
    if (::getresuid(&ruid, &euid, &suid) != 0 || ruid == 0 || euid == 0 || suid == 0) {
        *error = QStringLiteral("still uid 0 after switching to %1").arg(result->user);
        return false;
    }

    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
        *error = errnoText("PR_CAP_AMBIENT_CLEAR_ALL");
        return false;
    }
    if (!setCaps(wanted)) {
        *error = errnoText("capset");
        return false;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        *error = errnoText("PR_SET_NO_NEW_PRIVS");
        return false;
    }
    // No core dumps and no ptrace by other processes of the same user: the keys are in memory.
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
        *error = errnoText("PR_SET_DUMPABLE");
        return false;
    }
    return true;
}

ScopedBindServiceCapability::ScopedBindServiceCapability(bool needed)
{
    if (!needed) {
        return;
    }
    __user_cap_data_struct data[2]{};
    if (!getCaps(data) || !hasBit(data, &__user_cap_data_struct::permitted, CAP_NET_BIND_SERVICE)) {
        return;
    }
    setBit(data, &__user_cap_data_struct::effective, CAP_NET_BIND_SERVICE);
    m_raised = setCaps(data);
}

ScopedBindServiceCapability::~ScopedBindServiceCapability()
{
    if (!m_raised) {
        return;
    }
    __user_cap_data_struct data[2]{};
    if (getCaps(data)) {
        clearBit(data, &__user_cap_data_struct::effective, CAP_NET_BIND_SERVICE);
        setCaps(data);
    }
}

} // namespace peertun
