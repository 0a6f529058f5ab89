#include "PlainEncapsulation.h"

namespace peertun::engine {

Encapsulation::Result PlainEncapsulation::open(const sockaddr* from, uint8_t**, size_t*,
                                               uint32_t* peer)
{
    *peer = m_endpoints.lookup(from);
    if (*peer == PeerTable::kNoPeer) {
        return {Verdict::Drop, DropReason::UnknownSourceEndpoint};
    }
    return {};
}

} // namespace peertun::engine
