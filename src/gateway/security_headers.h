#pragma once
// Headers every gateway response carries, and the request id policy.

#include <array>
#include <string>
#include <string_view>

#include "response_head.h"
#include "sentinel/gateway/http.h"

namespace sentinel::gateway {

/// New random request ids (16 base64url characters, 96 bits), drawn from the OS CSPRNG in batches
/// so that a busy connection does not pay a system call per request. Not thread-safe: one per
/// connection.
class RequestIdSource {
 public:
  std::string next();

 private:
  std::string batch_;  // base64url of kBatch ids' worth of random bytes
  std::size_t used_ = 0;
};

/// The client's X-Request-Id when it is 1-64 characters of [A-Za-z0-9._-], else a new random id
/// from `ids`.
std::string accept_request_id(std::string_view client_value, RequestIdSource& ids);
/// As above, with a one-off source.
std::string accept_request_id(std::string_view client_value);

/// The headers every response carries: HSTS, CSP, nosniff, frame, referrer and opener policies, and
/// Cache-Control (no-store for the API and built-in endpoints, no-cache for portal files, a year
/// for fingerprinted assets) for `response` to a request for `path`. Static strings: nothing is
/// built per response.
std::array<HeaderView, 7> security_headers(const Response& response, std::string_view path);

}  // namespace sentinel::gateway
