#pragma once
// The agent refuses a data dir or config that someone else could change: its keys, spool and
// settings would then be theirs.

#include <string>

#include "sentinel/common/result.h"

namespace sentinel::agent {

/// Ok when `path` (a file or directory, symlinks resolved) and every directory above it up to
/// "/" can be changed only by this user or root: none is owned by another user, the path is
/// not group- or world-writable, and no parent is group- or world-writable without the sticky
/// bit. Otherwise kPermissionDenied saying what and how to fix it (e.g. "chmod 700 DIR");
/// kNotFound when it does not exist.
Status check_private_path(const std::string& path);

}  // namespace sentinel::agent
