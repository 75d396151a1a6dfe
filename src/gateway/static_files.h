#pragma once
// The portal's static files (the built web/ app), served by the gateway.

#include <filesystem>
#include <optional>
#include <string_view>

#include "sentinel/gateway/http.h"

namespace sentinel::gateway {

/// The Content-Type for a file name, by extension; application/octet-stream when unknown.
std::string_view content_type_for(const std::filesystem::path& file);

/// Whether an Accept-Encoding header value (RFC 9110 12.5.3) admits gzip: `gzip` (or `x-gzip`)
/// with a non-zero weight, or else `*` with a non-zero weight. A malformed value admits nothing,
/// since the identity encoding is always acceptable.
bool accepts_gzip(std::string_view accept_encoding);

/// The file under `root` that `path` (percent-decoded) names, or root/index.html for a path whose
/// last segment has no extension (a client-side route). nullopt when there is none or the path
/// tries to leave `root` (dot segments, backslashes, NUL, symlinks pointing outside). When the
/// build left a precompressed `<file>.gz` inside `root` and `accept_encoding` admits gzip, its
/// bytes are the body, with `Content-Encoding: gzip` and the original file's Content-Type; either
/// way `Vary: Accept-Encoding` is set whenever that .gz exists, so caches keep both variants.
std::optional<Response> serve_static(const std::filesystem::path& root, std::string_view path,
                                     std::string_view accept_encoding);

}  // namespace sentinel::gateway
