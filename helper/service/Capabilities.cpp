#include "Capabilities.h"

#include <cerrno>
#include <cstring>
#include <linux/capability.h>
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

} // namespace

bool dropCapabilities(QString* error)
{
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

    // Bounding set first: dropping from it needs CAP_SETPCAP, which goes with capset below.
    for (int cap = 0; cap <= CAP_LAST_CAP; ++cap) {
        if (cap == CAP_NET_ADMIN || cap == CAP_NET_BIND_SERVICE) {
            continue;
        }
        // Without CAP_SETPCAP (helper run unprivileged) the bounding set cannot shrink, but
        // then there is nothing to protect either; no_new_privs below still applies.
        if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) > 0 && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 &&
            errno != EINVAL &&
            !(errno == EPERM &&
              !hasBit(current, &__user_cap_data_struct::effective, CAP_SETPCAP))) {
            *error = errnoText("PR_CAPBSET_DROP");
            return false;
        }
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
