#pragma once
// The portal's static files (the built web/ app), served by the gateway.

#include <filesystem>
#include <optional>
#include <string_view>

#include "sentinel/gateway/http.h"

namespace sentinel::gateway {

/// The Content-Type for a file name, by extension; application/octet-stream when unknown.
std::string_view content_type_for(const std::filesystem::path& file);

/// The file under `root` that `path` (percent-decoded) names, or root/index.html for a path whose
/// last segment has no extension (a client-side route). nullopt when there is none or the path
/// tries to leave `root` (dot segments, backslashes, NUL, symlinks pointing outside).
std::optional<Response> serve_static(const std::filesystem::path& root, std::string_view path);

}  // namespace sentinel::gateway
