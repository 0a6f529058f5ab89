// The bridge from the shared Profile (Qt types) to the engine's TunnelSpec (plain C++).
#pragma once

#include "Profile.h"
#include "Tunnel.h"

namespace peertun {

// `profile` must have passed validation.
engine::TunnelSpec specFromProfile(const Profile& profile);

} // namespace peertun
