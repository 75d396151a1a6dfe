#include "static_files.h"

#include <fstream>
#include <iterator>
#include <system_error>

namespace sentinel::gateway {
namespace {

namespace fs = std::filesystem;

constexpr std::uintmax_t kMaxFileBytes = 64u << 20;

struct ContentType {
  std::string_view extension;
  std::string_view type;
};

constexpr ContentType kContentTypes[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".gif", "image/gif"},
    {".webp", "image/webp"},
    {".ico", "image/x-icon"},
    {".woff", "font/woff"},
    {".woff2", "font/woff2"},
    {".txt", "text/plain; charset=utf-8"},
    {".webmanifest", "application/manifest+json"},
};

// The relative file path, or nullopt when a segment could step outside the root.
std::optional<fs::path> relative_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return std::nullopt;
  fs::path out;
  std::string_view rest = path.substr(1);
  while (!rest.empty()) {
    const std::size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    if (segment == "." || segment == ".." ||
        segment.find_first_of(std::string_view("\\\0", 2)) != std::string_view::npos) {
      return std::nullopt;
    }
    if (!segment.empty()) out /= fs::path(std::string(segment));
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  return out;
}

bool is_inside(const fs::path& root, const fs::path& file) {
  const auto mismatch = std::mismatch(root.begin(), root.end(), file.begin(), file.end());
  return mismatch.first == root.end();
}

std::optional<Response> read_file(const fs::path& root, const fs::path& file) {
  std::error_code ec;
  const fs::path real = fs::canonical(file, ec);
  if (ec || !is_inside(root, real) || !fs::is_regular_file(real, ec)) return std::nullopt;
  if (fs::file_size(real, ec) > kMaxFileBytes || ec) return std::nullopt;
  std::ifstream in(real, std::ios::binary);
  if (!in) return std::nullopt;
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return Response::text(std::move(body), std::string(content_type_for(real)));
}

}  // namespace

std::string_view content_type_for(const fs::path& file) {
  const std::string extension = file.extension().string();
  for (const ContentType& entry : kContentTypes) {
    if (entry.extension == extension) return entry.type;
  }
  return "application/octet-stream";
}

std::optional<Response> serve_static(const fs::path& root, std::string_view path) {
  const auto relative = relative_path(path);
  if (!relative) return std::nullopt;
  std::error_code ec;
  const fs::path real_root = fs::canonical(root, ec);
  if (ec) return std::nullopt;
  if (!relative->empty()) {
    if (auto response = read_file(real_root, real_root / *relative)) return response;
    if (relative->filename().has_extension()) return std::nullopt;
  }
  return read_file(real_root, real_root / "index.html");
}

}  // namespace sentinel::gateway
