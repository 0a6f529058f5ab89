// Where the agent meets the tunnel: the static profile a mesh profile amounts to at one moment
// (the tunnel address from this host's subnet, one peer per member). The service layer hands
// it to the engine, and hands it again, as a new peer list, whenever the member set changes.
#pragma once

#include "FlannelLease.h"

#include <QStringList>

namespace peertun::mesh {

struct ResolvedProfile
{
    std::optional<Profile> profile; // set when it validates
    QList<ProfileError> errors;     // validateProfile's, when it does not
    QStringList dropped;            // members left out, each with the reason
};

// `meshProfile` must have a "mesh" section; the result has none, an interface.address (the
// subnet's first host address) and the members as peers, named by their subnets. A member
// whose endpoint or key an earlier member (by subnet) already has is left out: the engine
// could not tell their packets apart. With no members the result has no peers (the profile
// validator's "no peers" does not apply: the tunnel comes up alone and takes peers as hosts
// join).
ResolvedProfile resolveMeshProfile(const Profile& meshProfile, const Cidr& subnet,
                                   const QList<Member>& members);

} // namespace peertun::mesh
