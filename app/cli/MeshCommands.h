// `peertunctl mesh init|status`: talks to etcd directly (no helper, no root).
#pragma once

#include <QStringList>

namespace peertun::cli {

// args[0] is "peertunctl mesh", the rest the subcommand and its options. Returns the exit code.
int cmdMesh(const QStringList& args);

} // namespace peertun::cli
