#pragma once
// The agent's small state files under its data dir (identity, central config, checkpoints,
// status): whole-file reads and crash-safe replacement.

#include <boost/json/object.hpp>
#include <string>

#include "sentinel/common/result.h"

namespace sentinel::agent {

/// The whole content of `path`; kNotFound when it cannot be opened.
Result<std::string> read_file(const std::string& path);

/// The JSON object stored in `path`; an empty object when the file is missing, and (with a
/// warning naming the file) when it is not a JSON object, so that a damaged state file costs a
/// fresh start rather than the agent.
boost::json::object read_json_object(const std::string& path);

/// Writes `content` to `path` through a temp file, fsync and rename, with `mode`.
Status write_file_atomically(const std::string& path, const std::string& content, int mode);

}  // namespace sentinel::agent
