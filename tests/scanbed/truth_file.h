#pragma once
// The bed's ground truth as JSON: every host with its open ports and services, and the hostile
// addresses. Scanners' results are scored against it (recall, precision, service agreement).

#include <filesystem>
#include <string>

#include "sentinel/common/result.h"
#include "tests/scanbed/bed_plan.h"

namespace sentinel::scanbed {

/// The truth document of `plan` (format in tests/scanbed/README.md). Pure.
std::string truth_json(const BedPlan& plan);

/// Writes `text` to `path` atomically (temporary file, fsync, rename): a reader that sees the
/// file sees all of it.
Status write_file_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace sentinel::scanbed
