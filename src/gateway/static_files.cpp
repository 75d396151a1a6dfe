#include "static_files.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iterator>
#include <system_error>

#include "sentinel/common/text.h"

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

// `file` with symlinks resolved, when that is a regular file inside `root`.
std::optional<fs::path> resolve_inside(const fs::path& root, const fs::path& file) {
  std::error_code ec;
  const fs::path real = fs::canonical(file, ec);
  if (ec || !is_inside(root, real) || !fs::is_regular_file(real, ec) || ec) return std::nullopt;
  return real;
}

std::optional<std::string> read_body(const fs::path& real) {
  std::error_code ec;
  if (fs::file_size(real, ec) > kMaxFileBytes || ec) return std::nullopt;
  std::ifstream in(real, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::optional<Response> read_file(const fs::path& root, const fs::path& file, bool gzip_accepted) {
  const auto real = resolve_inside(root, file);
  if (!real) return std::nullopt;
  Response response = Response::text({}, std::string(content_type_for(*real)));
  fs::path compressed_name = file;
  compressed_name += ".gz";
  if (const auto compressed = resolve_inside(root, compressed_name)) {
    response.headers.emplace_back("Vary", "Accept-Encoding");
    if (gzip_accepted) {
      if (auto body = read_body(*compressed)) {
        response.body = std::move(*body);
        response.headers.emplace_back("Content-Encoding", "gzip");
        return response;
      }
    }
  }
  auto body = read_body(*real);
  if (!body) return std::nullopt;
  response.body = std::move(*body);
  return response;
}

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// RFC 9110 12.4.2: "0" ["." 0*3DIGIT] / "1" ["." 0*3"0"], as thousandths.
std::optional<int> parse_qvalue(std::string_view text) {
  if (text.empty() || (text[0] != '0' && text[0] != '1')) return std::nullopt;
  const int whole = text[0] - '0';
  if (text.size() == 1) return whole * 1000;
  if (text[1] != '.' || text.size() > 5) return std::nullopt;
  int thousandths = 0;
  int scale = 100;
  for (const char c : text.substr(2)) {
    if (c < '0' || c > '9') return std::nullopt;
    thousandths += (c - '0') * scale;
    scale /= 10;
  }
  if (whole == 1 && thousandths != 0) return std::nullopt;
  return whole * 1000 + thousandths;
}

// One list element "coding [OWS ; OWS q=qvalue]": the coding and its weight, nullopt when
// malformed.
std::optional<std::pair<std::string_view, int>> parse_coding(std::string_view element) {
  const std::size_t semicolon = element.find(';');
  const std::string_view coding = trim_blanks(element.substr(0, semicolon));
  if (coding.empty() || !std::all_of(coding.begin(), coding.end(), is_token_char)) {
    return std::nullopt;
  }
  if (semicolon == std::string_view::npos) return std::pair{coding, 1000};
  const std::string_view weight = trim_blanks(element.substr(semicolon + 1));
  if (weight.size() < 2 || (weight[0] != 'q' && weight[0] != 'Q') || weight[1] != '=') {
    return std::nullopt;
  }
  const auto q = parse_qvalue(weight.substr(2));
  if (!q) return std::nullopt;
  return std::pair{coding, *q};
}

}  // namespace

std::string_view content_type_for(const fs::path& file) {
  const std::string extension = file.extension().string();
  for (const ContentType& entry : kContentTypes) {
    if (entry.extension == extension) return entry.type;
  }
  return "application/octet-stream";
}

bool accepts_gzip(std::string_view accept_encoding) {
  std::optional<int> gzip_weight;
  std::optional<int> any_weight;
  std::string_view rest = accept_encoding;
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::string_view element = trim_blanks(rest.substr(0, comma));
    // Empty list elements are allowed by the list syntax (RFC 9110 5.6.1).
    if (!element.empty()) {
      const auto coding = parse_coding(element);
      if (!coding) return false;
      if (equals_ignoring_case(coding->first, "gzip") ||
          equals_ignoring_case(coding->first, "x-gzip")) {
        gzip_weight = std::min(gzip_weight.value_or(1000), coding->second);
      } else if (coding->first == "*") {
        any_weight = coding->second;
      }
    }
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  if (gzip_weight) return *gzip_weight > 0;
  return any_weight.value_or(0) > 0;
}

std::optional<Response> serve_static(const fs::path& root, std::string_view path,
                                     std::string_view accept_encoding) {
  const bool gzip_accepted = accepts_gzip(accept_encoding);
  const auto relative = relative_path(path);
  if (!relative) return std::nullopt;
  std::error_code ec;
  const fs::path real_root = fs::canonical(root, ec);
  if (ec) return std::nullopt;
  if (!relative->empty()) {
    if (auto response = read_file(real_root, real_root / *relative, gzip_accepted)) {
      return response;
    }
    if (relative->filename().has_extension()) return std::nullopt;
  }
  return read_file(real_root, real_root / "index.html", gzip_accepted);
}

}  // namespace sentinel::gateway
