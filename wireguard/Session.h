// One set of transport keys ("keypair" in wireguard-go, a "session" in the paper): the keys of a
// completed handshake, its indexes, send counter and receive replay window.
#pragma once

#include "Noise.h"
#include "ReplayWindow.h"
#include "Timers.h"

#include <cstdint>

namespace peertun::wireguard {

// Keys, indexes, created and isInitiator are set before the keypair is installed and never change
// after, so the transport path reads them without a lock; replay and sendCounter are guarded by
// the Device's mutex.
struct Keypair
{
    TransportKeys keys;
    ReplayWindow replay;
    uint64_t sendCounter = 0; // next counter to use
    uint32_t localIndex = 0;  // receiver index the peer puts on messages to us
    uint32_t remoteIndex = 0; // receiver index we put on messages to the peer
    Time created{};
    bool isInitiator = false;

    bool isExpired(Time now) const { return now - created >= kRejectAfterTime; }
    bool canSend(Time now) const { return !isExpired(now) && sendCounter < kRejectAfterMessages; }
    // The paper: the initiator rekeys after REKEY_AFTER_TIME; either side after
    // REKEY_AFTER_MESSAGES.
    bool wantsRekeyOnSend(Time now) const
    {
        return sendCounter >= kRekeyAfterMessages ||
               (isInitiator && now - created >= kRekeyAfterTime);
    }
};

} // namespace peertun::wireguard
