// The kill switch: while a tunnel has it on, nothing leaves this host outside the tunnel. One
// nftables table owned by peertun, `inet peertun`, holds per tunnel device D two base chains,
// `out-D` (output hook) and `fwd-D` (forward hook), policy drop, that let through only:
//
//   oifname "lo"; oifname D (and the devices of the other kill-switch tunnels: @tunnel_ifs);
//   meta mark M (the tunnel's own UDP and lookups; other kill-switch tunnels': @tunnel_marks);
//   DHCPv4 (udp 68 -> 67), DHCPv6 (udp 546 -> 547), IPv6 router/neighbour solicitations and
//   advertisements with hop limit 255 (on-link by RFC 4861);
//   with allowLan: the underlay's connected subnets, fe80::/10, ff02::/16, 224.0.0.0/24.
//
// Matching is on the output interface the kernel chose, so a socket bound to the underlay
// device (`ping -I eth0`) is dropped like any other. The rules live in the kernel, not in this
// process: they stay if the helper dies (a dead tunnel's device is gone, so its traffic falls
// to the underlay and is dropped) until someone removes them (KillSwitch::remove, or by hand:
// `nft delete table inet peertun`). Installed through libnftables, the library `nft` uses.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace peertun::engine {

struct KillSwitchConfig
{
    std::string ifName;    // the tunnel device
    uint32_t mark = 0;     // the tunnel's firewall mark
    bool allowLan = false; // let the underlay's connected subnets through
    std::string owner;     // the profile's name, kept in the chains' comment
};

// Per-device chains left in the table (by a helper that was killed, or still in use).
struct KillSwitchChains
{
    std::string ifName;
    std::string owner; // decoded from the comment; empty if unreadable
    uint32_t mark = 0; // 0 if not found
};

class KillSwitch
{
public:
    static constexpr const char* kTable = "peertun"; // family inet

    // Installs the device's chains in one transaction, replacing chains a killed helper left
    // for the same device without a moment in which traffic could pass. Throws TunnelError
    // (PermissionDenied without CAP_NET_ADMIN).
    explicit KillSwitch(KillSwitchConfig config);
    // Removes this device's chains and set elements (the table too when it becomes empty).
    ~KillSwitch();
    KillSwitch(const KillSwitch&) = delete;
    KillSwitch& operator=(const KillSwitch&) = delete;

    const KillSwitchConfig& config() const { return m_config; }
    // The LAN subnets let through (empty without allowLan), for the log.
    const std::vector<std::string>& lanSubnets() const { return m_lan; }

    // What the table holds now. Throws TunnelError if the table cannot be read (not if it is
    // absent: that is an empty list).
    static std::vector<KillSwitchChains> list();
    // Removes one device's chains (no error if they are gone). Throws TunnelError.
    static void remove(const KillSwitchChains& chains);

    // The comment's encoding of a profile name: bytes other than letters, digits and . _ -
    // as %XX, at most 100 bytes (a longer name is cut; then only the device identifies it).
    static std::string encodeOwner(const std::string& name);
    static std::string decodeOwner(const std::string& text);

private:
    KillSwitchConfig m_config;
    std::vector<std::string> m_lan;
};

} // namespace peertun::engine
