// Who may change tunnels: HelperService asks an Authorizer before every Connect and Disconnect.
// PolkitAuthorizer asks polkit; unit tests give a fake that answers as told.
#pragma once

#include <QString>
#include <cstdint>
#include <functional>

namespace peertun {

class Authorizer
{
public:
    enum class Result {
        Authorized,
        NotAuthorized, // polkit said no (or a challenge nobody answered)
        Unavailable,   // polkit could not be asked or failed
    };
    // `detail` explains NotAuthorized/Unavailable for the error sentence.
    using Callback = std::function<void(Result result, const QString& detail)>;

    virtual ~Authorizer() = default;
    // Starts a check of the caller's unique bus name (as the bus daemon reported it) for an
    // action; `done` runs exactly once, on a later turn of the event loop, unless cancel() came
    // first. Returns an id for cancel().
    virtual uint64_t check(const QString& callerBusName, const QString& actionId,
                           Callback done) = 0;
    // Withdraws a check (e.g. the caller left the bus): `done` is never called.
    virtual void cancel(uint64_t id) = 0;
};

} // namespace peertun
