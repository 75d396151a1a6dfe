#include "security_headers.h"

#include <algorithm>

#include "sentinel/common/crypto.h"

namespace sentinel::gateway {
namespace {

constexpr std::size_t kMaxRequestIdLength = 64;

constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

bool is_safe_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

bool is_portal_file(std::string_view path) {
  return path.substr(0, 5) != "/api/" && path != "/api" && path != "/healthz" &&
         path != "/readyz" && path != "/metrics";
}

/// Vite names every file under /assets/ after a hash of its content, so a found one never changes.
bool is_fingerprinted_asset(std::string_view path) { return path.substr(0, 8) == "/assets/"; }

std::string_view cache_control(const Response& response, std::string_view path) {
  if (!is_portal_file(path)) return "no-store";
  if (response.status == 200 && is_fingerprinted_asset(path)) {
    return "public, max-age=31536000, immutable";
  }
  return "no-cache";
}

}  // namespace

std::string accept_request_id(std::string_view client_value) {
  if (!client_value.empty() && client_value.size() <= kMaxRequestIdLength &&
      std::all_of(client_value.begin(), client_value.end(), is_safe_id_char)) {
    return std::string(client_value);
  }
  return crypto::random_token(12);
}

void add_security_headers(Response& response, std::string_view path) {
  auto& headers = response.headers;
  headers.emplace_back("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  headers.emplace_back("Content-Security-Policy", std::string(kContentSecurityPolicy));
  headers.emplace_back("X-Content-Type-Options", "nosniff");
  headers.emplace_back("X-Frame-Options", "DENY");
  headers.emplace_back("Referrer-Policy", "no-referrer");
  headers.emplace_back("Cross-Origin-Opener-Policy", "same-origin");
  headers.emplace_back("Cache-Control", std::string(cache_control(response, path)));
}

}  // namespace sentinel::gateway
