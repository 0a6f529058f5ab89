// Private to the profile library: how bad values are quoted inside error messages.
#pragma once

#include <QString>

namespace peertun::profile_detail {

// The value in double quotes, with control characters escaped (\n, \u001b, ...) and long
// values shortened, so a hostile profile cannot put terminal escapes or megabytes into a log.
QString quoted(const QString& value);

// "peers[2].subnets[0]"-style paths.
QString joinPath(const QString& parent, const QString& key);
QString indexPath(const QString& parent, qsizetype index);

// "plain, wireguard", for the unknown-mode message.
QString supportedModesText();

} // namespace peertun::profile_detail
