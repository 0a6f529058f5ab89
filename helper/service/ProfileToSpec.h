// The bridge from the shared Profile (Qt types) to the engine's TunnelSpec (plain C++).
#pragma once

#include "Profile.h"
#include "Tunnel.h"

namespace peertun {

// `profile` must have passed validation. WireGuard keys are decoded into locked memory
// (throws engine::TunnelError, naming the field but not the key, if one does not decode).
engine::TunnelSpec specFromProfile(const Profile& profile);
// Only the peers (a running tunnel's new peer list; the interface is not looked at). Throws as
// specFromProfile() for a key that does not decode.
std::vector<engine::PeerSpec> peerSpecsFromProfile(const Profile& profile);

// The helper's PEERTUN_CRYPTO_THREADS: threads per direction that share WireGuard mode's crypto
// (1 = the forwarding thread alone). Unset: 0, half the cores. Anything but 1..64 throws
// engine::TunnelError (InvalidConfig) saying so. specFromProfile() sets it on the spec.
unsigned cryptoThreadsFromEnvironment();
// The helper's PEERTUN_FORWARD_THREADS: 1 (one thread forwards both directions) or 2 (a thread
// each). Unset: 0, by the mode and the number of cores. Anything else throws as above.
unsigned forwardThreadsFromEnvironment();

} // namespace peertun
