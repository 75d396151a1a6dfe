// Arbitrary bytes as a request body: strict parsing and every typed field reader must answer
// with a value or an Error, never crash, and errors must name a field when they are about one.

#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sentinel/gateway/http.h"

using namespace sentinel;
using namespace sentinel::gateway;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_json_object(
      body, {"username", "password", "totp", "roles", "expires_in_days", "disabled", "name"});
  if (!parsed) {
    if (parsed.error().code != ErrorCode::kInvalidArgument || parsed.error().message.empty()) {
      std::abort();
    }
    (void)error_response(parsed.error());
    return 0;
  }
  const boost::json::object& object = *parsed;
  for (const std::string_view key : {"username", "password", "totp", "name"}) {
    auto value = required_string(object, key);
    if (!value && value.error().field != key) std::abort();
    auto optional = optional_string(object, key);
    if (optional && optional->has_value() != (value.has_value())) std::abort();
  }
  (void)optional_integer(object, "expires_in_days");
  (void)optional_bool(object, "disabled");
  auto roles = optional_string_list(object, "roles");
  if (!roles) (void)error_response(roles.error());
  return 0;
}
