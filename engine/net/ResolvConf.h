// The name servers /etc/resolv.conf names, for resolving peer host names when
// systemd-resolved reports none. systemd-resolved's local stubs (127.0.0.53, 127.0.0.54) are
// left out: a query to them would go wherever resolved sends it, not out of the underlay with
// the tunnel's mark, and not at all while a kill switch blocks resolved's own queries.
#pragma once

#include "Net.h"

#include <string>
#include <string_view>
#include <vector>

namespace peertun::engine {

inline constexpr const char* kResolvConfPath = "/etc/resolv.conf";

// "nameserver ADDR" lines in order (IPv4 or IPv6), duplicates, stubs and scoped link-local
// addresses left out; comments ('#', ';'), other keywords and malformed lines are ignored.
std::vector<IpAddress> parseResolvConf(std::string_view text);
// parseResolvConf of the file at `path`; empty if it cannot be read.
std::vector<IpAddress> readResolvConf(const std::string& path = kResolvConfPath);
// systemd-resolved's stub listeners.
bool isResolvedStub(const IpAddress& a);

} // namespace peertun::engine
