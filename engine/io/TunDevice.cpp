#include "TunDevice.h"

#include "TunnelError.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

namespace peertun::engine {

namespace {

[[noreturn]] void throwBusy(const std::string& name)
{
    throw TunnelError(TunnelError::Kind::Busy, "network device " + name + " already exists");
}

[[noreturn]] void throwNoPermission()
{
    throw TunnelError(TunnelError::Kind::PermissionDenied,
                      "creating a TUN device needs root or CAP_NET_ADMIN");
}

int openTunControl()
{
    const int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    return fd >= 0 ? fd : -errno;
}

std::atomic<TunControlOpener> g_opener{&openTunControl};

} // namespace

void setTunControlOpener(TunControlOpener opener)
{
    g_opener.store(opener ? opener : &openTunControl);
}

TunDevice TunDevice::create(const std::string& name, bool vnetHeader)
{
    // The kernel's own rules for device names (dev_valid_name), checked here to say why.
    const bool badChar = name.find_first_of("/: \t\n\v\f\r") != std::string::npos;
    if (name.empty() || name.size() >= IFNAMSIZ || badChar || name == "." || name == "..") {
        throw TunnelError(TunnelError::Kind::InvalidConfig,
                          "invalid network device name \"" + name +
                              "\" (1 to 15 bytes, no '/', ':' or whitespace)");
    }
    // TUNSETIFF would attach to an existing persistent TUN device of that name instead of
    // failing, so refuse any existing device up front.
    if (::if_nametoindex(name.c_str()) != 0) {
        throwBusy(name);
    }

    const int opened = g_opener.load()();
    Fd fd(opened >= 0 ? opened : -1);
    if (!fd.valid()) {
        const int err = -opened;
        if (err == EPERM || err == EACCES) {
            throwNoPermission();
        }
        if (err == ENOENT || err == ENODEV || err == ENXIO) {
            throw TunnelError(TunnelError::Kind::Failed,
                              "/dev/net/tun is missing: this kernel has no TUN driver loaded "
                              "(try: modprobe tun)");
        }
        throw TunnelError(TunnelError::Kind::Failed,
                          std::string("cannot open /dev/net/tun: ") + std::strerror(err));
    }

    ifreq ifr{};
    ifr.ifr_flags = IFF_TUN | IFF_NO_PI | (vnetHeader ? IFF_VNET_HDR : 0);
    std::memcpy(ifr.ifr_name, name.data(), name.size());
    if (::ioctl(fd.get(), TUNSETIFF, &ifr) < 0) {
        const int err = errno;
        if (err == EPERM || err == EACCES) {
            throwNoPermission();
        }
        if (err == EBUSY || err == EEXIST) {
            throwBusy(name); // created by someone else between the check and here
        }
        if (err == EINVAL && ::if_nametoindex(name.c_str()) != 0) {
            throwBusy(name); // a non-TUN device of that name appeared meanwhile
        }
        throw TunnelError(TunnelError::kindFromErrno(err),
                          "cannot create TUN device " + name + ": " + std::strerror(err));
    }

    std::string actualName(ifr.ifr_name, ::strnlen(ifr.ifr_name, IFNAMSIZ));
    const unsigned ifindex = ::if_nametoindex(actualName.c_str());
    if (ifindex == 0) {
        throw TunnelError(TunnelError::Kind::Failed, "TUN device " + actualName +
                                                         " was created but has no interface "
                                                         "index: " +
                                                         std::strerror(errno));
    }
    return TunDevice(std::move(fd), std::move(actualName), static_cast<int>(ifindex), vnetHeader);
}

bool TunDevice::enableOffloads()
{
    if (!m_vnetHeader) {
        return false;
    }
    const unsigned offloads = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN;
    return ::ioctl(m_fd.get(), TUNSETOFFLOAD, offloads) == 0;
}

void TunDevice::readBatch(TunReadBatch& batch)
{
    batch.clear();
    while (uint8_t* to = batch.room()) {
        const ssize_t r = ::read(m_fd.get(), to, TunReadBatch::kMaxRead);
        if (r < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno != EAGAIN) {
                batch.error = errno;
            }
            return;
        }
        batch.add(size_t(r));
    }
}

int TunDevice::write(const iovec* iov, unsigned count)
{
    return ::writev(m_fd.get(), iov, int(count)) < 0 ? errno : 0;
}

} // namespace peertun::engine
