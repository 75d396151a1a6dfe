// Arbitrary method and path bytes against a realistic route table: matching must never crash, a
// found route must fit the path, and the request target parser must accept or refuse cleanly.

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "../../src/gateway/target.h"
#include "sentinel/gateway/router.h"

using namespace sentinel;
using namespace sentinel::gateway;

namespace {

const Router& table() {
  static const Router router = [] {
    Router r;
    const Handler handler = [](Request&) -> Result<Response> { return Response::no_content(); };
    const char* routes[][2] = {
        {"POST", "/api/v1/auth/login"},
        {"POST", "/api/v1/auth/logout"},
        {"GET", "/api/v1/auth/me"},
        {"POST", "/api/v1/auth/totp/setup"},
        {"GET", "/api/v1/users"},
        {"POST", "/api/v1/users"},
        {"GET", "/api/v1/users/{id}"},
        {"PATCH", "/api/v1/users/{id}"},
        {"DELETE", "/api/v1/users/{id}"},
        {"GET", "/api/v1/tokens"},
        {"DELETE", "/api/v1/tokens/{id}"},
        {"GET", "/api/v1/agents/{id}/packages"},
        {"POST", "/api/v1/agents/{id}/revoke"},
        {"GET", "/api/v1/scans/{id}/results"},
        {"GET", "/healthz"},
        {"GET", "/"},
    };
    for (const auto& [method, pattern] : routes) {
      if (!r.add({method, pattern, "users:read", "fuzz", handler})) std::abort();
    }
    return r;
  }();
  return router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t space = input.find(' ');
  const std::string_view method = space == std::string_view::npos ? "GET" : input.substr(0, space);
  const std::string_view target = space == std::string_view::npos ? input : input.substr(space + 1);

  const RouteMatch raw = table().match(method, target);
  if (raw.kind == RouteMatch::Kind::kFound &&
      (raw.route == nullptr || raw.route->method != method)) {
    std::abort();
  }
  if (raw.kind == RouteMatch::Kind::kMethodNotAllowed && raw.allowed_methods.empty()) std::abort();

  Request request;
  if (!parse_target(target, request)) return 0;
  const RouteMatch decoded = table().match(method, request.path);
  if (decoded.kind == RouteMatch::Kind::kFound) {
    for (const auto& [name, value] : decoded.params) {
      if (value.empty() || value.find('/') != std::string::npos) std::abort();
    }
  }
  return 0;
}
