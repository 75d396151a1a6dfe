#include "security_headers.h"

#include <algorithm>

#include "sentinel/common/crypto.h"

namespace sentinel::gateway {
namespace {

constexpr std::size_t kMaxRequestIdLength = 64;
// 12 random bytes are exactly 16 base64url characters, so a batch's encoding cuts into ids.
constexpr std::size_t kRequestIdBytes = 12;
constexpr std::size_t kRequestIdLength = 16;
constexpr std::size_t kRequestIdBatch = 16;

constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

bool is_safe_id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

bool is_acceptable_id(std::string_view client_value) {
  return !client_value.empty() && client_value.size() <= kMaxRequestIdLength &&
         std::all_of(client_value.begin(), client_value.end(), is_safe_id_char);
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

std::string RequestIdSource::next() {
  if (used_ == batch_.size()) {
    batch_ = crypto::random_token(kRequestIdBytes * kRequestIdBatch);
    used_ = 0;
  }
  std::string id = batch_.substr(used_, kRequestIdLength);
  used_ += kRequestIdLength;
  return id;
}

std::string accept_request_id(std::string_view client_value, RequestIdSource& ids) {
  return is_acceptable_id(client_value) ? std::string(client_value) : ids.next();
}

std::string accept_request_id(std::string_view client_value) {
  return is_acceptable_id(client_value) ? std::string(client_value)
                                        : crypto::random_token(kRequestIdBytes);
}

std::array<HeaderView, 7> security_headers(const Response& response, std::string_view path) {
  return {{{"Strict-Transport-Security", "max-age=31536000; includeSubDomains"},
           {"Content-Security-Policy", kContentSecurityPolicy},
           {"X-Content-Type-Options", "nosniff"},
           {"X-Frame-Options", "DENY"},
           {"Referrer-Policy", "no-referrer"},
           {"Cross-Origin-Opener-Policy", "same-origin"},
           {"Cache-Control", cache_control(response, path)}}};
}

}  // namespace sentinel::gateway
