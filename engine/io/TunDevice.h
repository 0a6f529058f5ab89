// A TUN device (IFF_TUN | IFF_NO_PI, not persistent): it and its routes vanish with the fd,
// so a crashed helper leaves nothing behind.
#pragma once

#include "Fd.h"
#include "Tun.h"

#include <string>

namespace peertun::engine {

// Where a fresh /dev/net/tun control fd comes from: open() by default; a helper that gave up
// root installs one that asks a broker (when the node is root's alone, as without udev).
// Returns the fd, or -errno. Called only when a device is created, never per packet.
using TunControlOpener = int (*)();
void setTunControlOpener(TunControlOpener opener);

class TunDevice final : public Tun
{
public:
    // Opens /dev/net/tun and attaches `name`. Throws TunnelError: Busy if a device of that
    // name exists, PermissionDenied without CAP_NET_ADMIN, Failed otherwise. The fd is
    // non-blocking and close-on-exec. `vnetHeader` reserves the seam for IFF_VNET_HDR offloads.
    static TunDevice create(const std::string& name, bool vnetHeader = false);

    // Lets the kernel hand over TCP segments of up to 64 KiB with partial checksums
    // (TUNSETOFFLOAD: CSUM, TSO4, TSO6, TSO_ECN) and accept the same on writes. Needs the
    // virtio header. False if the kernel refuses; the device then works without offloads.
    bool enableOffloads();

    int fd() const { return m_fd.get(); }
    const std::string& name() const { return m_name; }
    int ifindex() const { return m_ifindex; }
    bool hasVnetHeader() const { return m_vnetHeader; }

    int pollFd() const override { return m_fd.get(); }
    void readBatch(TunReadBatch& batch) override;
    int write(const iovec* iov, unsigned count) override;

private:
    TunDevice(Fd fd, std::string name, int ifindex, bool vnet)
        : m_fd(std::move(fd)), m_name(std::move(name)), m_ifindex(ifindex), m_vnetHeader(vnet)
    {}
    Fd m_fd;
    std::string m_name;
    int m_ifindex = 0;
    bool m_vnetHeader = false;
};

} // namespace peertun::engine
