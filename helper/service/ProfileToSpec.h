// The bridge from the shared Profile (Qt types) to the engine's TunnelSpec (plain C++).
#pragma once

#include "Profile.h"
#include "Tunnel.h"

namespace peertun {

// `profile` must have passed validation. WireGuard keys are decoded into locked memory
// (throws engine::TunnelError, naming the field but not the key, if one does not decode).
engine::TunnelSpec specFromProfile(const Profile& profile);

} // namespace peertun
