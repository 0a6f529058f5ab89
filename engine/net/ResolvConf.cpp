#include "ResolvConf.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace peertun::engine {

bool isResolvedStub(const IpAddress& a)
{
    return a.family == AF_INET && a.bytes[0] == 127 && a.bytes[1] == 0 && a.bytes[2] == 0 &&
           (a.bytes[3] == 53 || a.bytes[3] == 54);
}

std::vector<IpAddress> parseResolvConf(std::string_view text)
{
    std::vector<IpAddress> out;
    std::istringstream in{std::string(text)};
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string keyword, value;
        if (!(words >> keyword) || keyword != "nameserver" || !(words >> value)) {
            continue;
        }
        if (value.find('%') != std::string::npos) {
            continue; // link-local with a scope: c-ares cannot be told the link
        }
        const auto address = IpAddress::parse(value);
        if (!address || isResolvedStub(*address) ||
            std::find(out.begin(), out.end(), *address) != out.end()) {
            continue;
        }
        out.push_back(*address);
    }
    return out;
}

std::vector<IpAddress> readResolvConf(const std::string& path)
{
    std::ifstream file(path);
    if (!file) {
        return {};
    }
    std::ostringstream text;
    text << file.rdbuf();
    return parseResolvConf(text.str());
}

} // namespace peertun::engine
