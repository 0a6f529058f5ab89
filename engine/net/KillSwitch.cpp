#include "KillSwitch.h"

#include "TunnelError.h"

#include <arpa/inet.h>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <ifaddrs.h>
#include <memory>
#include <mutex>
#include <net/if.h>
#include <netinet/in.h>
#include <nftables/libnftables.h>
#include <set>
#include <sstream>

namespace peertun::engine {
namespace {

const std::string kTableRef = std::string("inet ") + KillSwitch::kTable;
const std::string kCommentPrefix = "peertun kill switch; profile ";

// libnftables contexts are not thread-safe; one at a time, each freshly made.
std::mutex& nftMutex()
{
    static std::mutex m;
    return m;
}

struct NftResult
{
    int rc = 0;
    std::string output;
    std::string error;
};

NftResult runNft(const std::string& commands)
{
    const std::lock_guard lock(nftMutex());
    const std::unique_ptr<nft_ctx, void (*)(nft_ctx*)> ctx(nft_ctx_new(NFT_CTX_DEFAULT),
                                                           nft_ctx_free);
    if (!ctx) {
        throw TunnelError(TunnelError::Kind::Failed, "cannot create a libnftables context");
    }
    nft_ctx_buffer_output(ctx.get());
    nft_ctx_buffer_error(ctx.get());
    NftResult r;
    r.rc = nft_run_cmd_from_buffer(ctx.get(), commands.c_str());
    r.output = nft_ctx_get_output_buffer(ctx.get());
    r.error = nft_ctx_get_error_buffer(ctx.get());
    return r;
}

// The first line of libnftables' error text (it repeats the command and points at it).
std::string firstLine(const std::string& text)
{
    const size_t nl = text.find('\n');
    return nl == std::string::npos ? text : text.substr(0, nl);
}

[[noreturn]] void fail(const std::string& what, const NftResult& r)
{
    const bool denied = r.error.find("Operation not permitted") != std::string::npos;
    throw TunnelError(denied ? TunnelError::Kind::PermissionDenied : TunnelError::Kind::Failed,
                      what + (denied ? " needs root or CAP_NET_ADMIN" : std::string()) + " (" +
                          firstLine(r.error) + ")");
}

std::string hex(uint32_t v)
{
    char text[16];
    std::snprintf(text, sizeof text, "0x%08x", v);
    return text;
}

std::string prefixText(int family, const void* address, int length)
{
    char text[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(family, address, text, sizeof text);
    return std::string(text) + "/" + std::to_string(length);
}

int prefixLength(const uint8_t* mask, size_t bytes)
{
    int n = 0;
    for (size_t i = 0; i < bytes; ++i) {
        n += __builtin_popcount(mask[i]);
    }
    return n;
}

// The connected subnets of every interface but lo and the tunnel: what "the LAN" means here.
// Link-local IPv6 is covered by fe80::/10 as a whole.
std::vector<std::string> connectedSubnets(const std::string& exceptIf)
{
    std::set<std::string> out;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) {
        return {};
    }
    for (const ifaddrs* a = list; a; a = a->ifa_next) {
        if (!a->ifa_addr || !a->ifa_netmask || (a->ifa_flags & IFF_LOOPBACK) ||
            exceptIf == a->ifa_name) {
            continue;
        }
        if (a->ifa_addr->sa_family == AF_INET) {
            auto addr = reinterpret_cast<const sockaddr_in*>(a->ifa_addr)->sin_addr;
            const auto mask = reinterpret_cast<const sockaddr_in*>(a->ifa_netmask)->sin_addr;
            addr.s_addr &= mask.s_addr;
            out.insert("ip " +
                       prefixText(AF_INET, &addr,
                                  prefixLength(reinterpret_cast<const uint8_t*>(&mask), 4)));
        } else if (a->ifa_addr->sa_family == AF_INET6) {
            auto addr = reinterpret_cast<const sockaddr_in6*>(a->ifa_addr)->sin6_addr;
            const auto mask = reinterpret_cast<const sockaddr_in6*>(a->ifa_netmask)->sin6_addr;
            if (IN6_IS_ADDR_LINKLOCAL(&addr)) {
                continue;
            }
            for (int i = 0; i < 16; ++i) {
                addr.s6_addr[i] &= mask.s6_addr[i];
            }
            out.insert("ip6 " + prefixText(AF_INET6, &addr, prefixLength(mask.s6_addr, 16)));
        }
    }
    ::freeifaddrs(list);
    return {out.begin(), out.end()};
}

std::string chainName(const char* hook, const std::string& ifName)
{
    return std::string(hook) + "-" + ifName;
}

// Device names are 1..15 of [A-Za-z0-9_.-] (the profile checks it); nft needs identifiers
// starting with a letter, which "out-"/"fwd-" give. Refuse anything else before it reaches
// the rule text.
void checkDeviceName(const std::string& ifName)
{
    const bool ok = !ifName.empty() && ifName.size() < IFNAMSIZ &&
                    ifName.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                             "0123456789_.-") == std::string::npos;
    if (!ok) {
        throw TunnelError(TunnelError::Kind::InvalidConfig,
                          "the kill switch cannot name the device \"" + ifName + "\"");
    }
}

} // namespace

std::string KillSwitch::encodeOwner(const std::string& name)
{
    std::string out;
    for (const char c : name) {
        const auto u = static_cast<unsigned char>(c);
        std::string piece;
        if (std::isalnum(u) || c == '.' || c == '_' || c == '-') {
            piece = std::string(1, c);
        } else {
            char esc[4];
            std::snprintf(esc, sizeof esc, "%%%02X", u);
            piece = esc;
        }
        if (out.size() + piece.size() > 100) {
            break;
        }
        out += piece;
    }
    return out;
}

std::string KillSwitch::decodeOwner(const std::string& text)
{
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() &&
            std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
            out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

KillSwitch::KillSwitch(KillSwitchConfig config) : m_config(std::move(config))
{
    const std::string& dev = m_config.ifName;
    checkDeviceName(dev);
    if (m_config.mark == 0) {
        throw TunnelError(TunnelError::Kind::InvalidConfig,
                          "the kill switch needs the tunnel's mark");
    }
    if (m_config.allowLan) {
        m_lan = connectedSubnets(dev);
        for (const char* wide : {"ip6 fe80::/10", "ip6 ff02::/16", "ip 224.0.0.0/24"}) {
            m_lan.emplace_back(wide);
        }
    }
    // A leftover of the same device (a killed helper's) is replaced in the same transaction;
    // its mark goes from the set unless it is ours again.
    std::vector<KillSwitchChains> old;
    for (const KillSwitchChains& c : list()) {
        if (c.ifName == dev) {
            old.push_back(c);
        }
    }
    const std::string comment = kCommentPrefix + encodeOwner(m_config.owner);
    std::ostringstream t;
    t << "add table " << kTableRef << "\n"
      << "add set " << kTableRef << " tunnel_ifs { type ifname; }\n"
      << "add set " << kTableRef << " tunnel_marks { type mark; }\n";
    for (const KillSwitchChains& c : old) {
        if (c.mark != 0 && c.mark != m_config.mark) {
            t << "delete element " << kTableRef << " tunnel_marks { " << hex(c.mark) << " }\n";
        }
    }
    t << "add element " << kTableRef << " tunnel_ifs { \"" << dev << "\" }\n"
      << "add element " << kTableRef << " tunnel_marks { " << hex(m_config.mark) << " }\n";
    for (const char* hook : {"output", "forward"}) {
        const std::string chain = chainName(hook[0] == 'o' ? "out" : "fwd", dev);
        t << "add chain " << kTableRef << " " << chain << " { type filter hook " << hook
          << " priority filter; policy drop; comment \"" << comment << "\"; }\n"
          << "flush chain " << kTableRef << " " << chain << "\n";
        const std::string rule = "add rule " + kTableRef + " " + chain + " ";
        if (hook[0] == 'o') {
            t << rule << "oifname \"lo\" accept\n";
        }
        t << rule << "oifname \"" << dev << "\" accept\n" << rule << "oifname @tunnel_ifs accept\n";
        if (hook[0] == 'o') {
            t << rule << "meta mark " << hex(m_config.mark) << " accept\n"
              << rule << "meta mark @tunnel_marks accept\n"
              << rule << "meta nfproto ipv4 udp sport 68 udp dport 67 accept\n"
              << rule << "meta nfproto ipv6 udp sport 546 udp dport 547 accept\n"
              << rule
              << "icmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert } "
                 "ip6 hoplimit 255 accept\n";
        }
        for (const std::string& lan : m_lan) {
            const size_t space = lan.find(' ');
            t << rule << lan.substr(0, space) << " daddr " << lan.substr(space + 1) << " accept\n";
        }
        t << rule << "counter drop\n";
    }
    const NftResult r = runNft(t.str());
    if (r.rc != 0) {
        fail("turning on the kill switch for " + dev, r);
    }
}

KillSwitch::~KillSwitch()
{
    try {
        remove({m_config.ifName, m_config.owner, m_config.mark});
    } catch (const TunnelError&) {
        // Best effort; the chains then stay (fail closed) and a later start removes them.
    }
}

std::vector<KillSwitchChains> KillSwitch::list()
{
    const NftResult r = runNft("list table " + kTableRef);
    if (r.rc != 0) {
        if (r.error.find("No such file or directory") != std::string::npos) {
            return {}; // no table: no kill switch
        }
        fail("reading the kill switch table", r);
    }
    // Text as `nft list` prints it: "chain out-D {", then "comment "..."", rules, "}".
    std::vector<KillSwitchChains> out;
    std::istringstream in(r.output);
    std::string line;
    KillSwitchChains* current = nullptr;
    while (std::getline(in, line)) {
        const size_t start = line.find_first_not_of(" \t");
        if (start == std::string::npos) {
            continue;
        }
        const std::string text = line.substr(start);
        if (text.rfind("chain out-", 0) == 0 && text.size() > 12 && text.back() == '{') {
            out.push_back({text.substr(10, text.size() - 12), {}, 0});
            current = &out.back();
        } else if (text.rfind("chain ", 0) == 0) {
            current = nullptr;
        } else if (current && text.rfind("comment \"" + kCommentPrefix, 0) == 0 &&
                   text.back() == '"') {
            const size_t from = 9 + kCommentPrefix.size();
            current->owner = decodeOwner(text.substr(from, text.size() - from - 1));
        } else if (current && current->mark == 0 && text.rfind("meta mark 0x", 0) == 0) {
            current->mark = uint32_t(std::stoul(text.substr(10), nullptr, 16));
        }
    }
    return out;
}

void KillSwitch::remove(const KillSwitchChains& chains)
{
    checkDeviceName(chains.ifName);
    bool present = false;
    size_t others = 0;
    for (const KillSwitchChains& c : list()) {
        if (c.ifName == chains.ifName) {
            present = true;
        } else {
            ++others;
        }
    }
    if (!present) {
        return;
    }
    std::ostringstream t;
    if (others == 0) {
        t << "delete table " << kTableRef << "\n"; // the last one: nothing of peertun stays
    } else {
        t << "delete chain " << kTableRef << " " << chainName("out", chains.ifName) << "\n"
          << "delete chain " << kTableRef << " " << chainName("fwd", chains.ifName) << "\n"
          << "delete element " << kTableRef << " tunnel_ifs { \"" << chains.ifName << "\" }\n";
        if (chains.mark != 0) {
            t << "delete element " << kTableRef << " tunnel_marks { " << hex(chains.mark) << " }\n";
        }
    }
    const NftResult r = runNft(t.str());
    if (r.rc != 0) {
        fail("turning off the kill switch for " + chains.ifName, r);
    }
}

} // namespace peertun::engine
