// Exit codes of peertunctl and of `peertun-helper --standalone`, in one table. Both tools name
// a failure the same way (Exit::Busy, ...); the number is the one each tool has documented
// (README, docs/dbus-api.md) and that scripts and peertun@.service rely on: the unit does not
// restart after 2 (invalid profile) or 4 (not permitted). Where the two columns differ, the
// numbers were published before the tools shared this table and stay as they are.
#pragma once

namespace peertun {

enum class Exit {
    Ok,
    Failed,           // a runtime failure; io.peertun.Error.Failed; anything unexpected
    Usage,            // bad arguments, an unreadable file
    InvalidProfile,   // the profile does not parse or validate
    NotAuthorized,    // polkit said no (peertunctl)
    NotPermitted,     // not root / no CAP_NET_ADMIN (--standalone)
    AlreadyConnected, // a tunnel of that name is up (peertunctl)
    NotFound,         // no tunnel of that name (peertunctl)
    Busy,             // device name, UDP port or address in use; the helper's limits
    NoHelper,         // the helper cannot be reached on the bus (peertunctl)
    StoreUnreachable, // the mesh's etcd cannot be reached (peertunctl mesh)
    RateLimited,      // polkit refused this uid too often lately (peertunctl)
};

struct ExitCodeRow
{
    Exit exit;
    int peertunctl;
    int standalone; // -1: --standalone never ends this way
};

inline constexpr ExitCodeRow kExitCodes[] = {
    {Exit::Ok, 0, 0},
    {Exit::Failed, 1, 1},
    {Exit::Usage, 2, 2},
    {Exit::InvalidProfile, 4, 2},
    {Exit::NotAuthorized, 3, -1},
    {Exit::NotPermitted, 1, 4},
    {Exit::AlreadyConnected, 5, -1},
    {Exit::NotFound, 6, -1},
    {Exit::Busy, 7, 3},
    {Exit::NoHelper, 8, -1},
    {Exit::StoreUnreachable, 9, -1},
    {Exit::RateLimited, 10, -1},
};

constexpr int peertunctlExitCode(Exit exit)
{
    for (const ExitCodeRow& row : kExitCodes) {
        if (row.exit == exit) {
            return row.peertunctl;
        }
    }
    return 1;
}

constexpr int standaloneExitCode(Exit exit)
{
    for (const ExitCodeRow& row : kExitCodes) {
        if (row.exit == exit) {
            return row.standalone < 0 ? 1 : row.standalone;
        }
    }
    return 1;
}

} // namespace peertun
