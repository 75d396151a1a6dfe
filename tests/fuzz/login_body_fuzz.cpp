// Runs the login body parser on arbitrary bytes: it must answer with a value or an error, never
// crash, and a parsed request must hold exactly what the body said.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sentinel/auth/login_request.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto request = sentinel::auth::parse_login_request(body);
  if (request) {
    // Both strings came out of the body, so neither can be longer than it.
    if (request->username.size() > size || request->password.reveal().size() > size) std::abort();
  } else if (request.error().code != sentinel::ErrorCode::kInvalidArgument) {
    std::abort();
  }
  return 0;
}
