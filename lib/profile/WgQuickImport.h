// Turns a wg-quick configuration (the [Interface]/[Peer] INI that `wg-quick` and most
// WireGuard apps export) into a peertun profile in WireGuard mode. What peertun does not
// support (Table, PostUp, ...) is reported, never silently dropped.
#pragma once

#include "Profile.h"

#include <QStringList>

namespace peertun {

struct WgQuickImport
{
    Profile draft;                  // everything understood, valid or not
    std::optional<Profile> profile; // set when `draft` passes validateProfile
    QStringList notes;              // one sentence per key or value not carried over
    QList<ProfileError> errors;     // syntax errors ("line N") and the validator's errors
};

// `name` becomes the profile's name and, as wg-quick does with the file name, the device name.
WgQuickImport importWgQuick(const QByteArray& text, const QString& name);

} // namespace peertun
