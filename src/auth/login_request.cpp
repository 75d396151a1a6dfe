#include "sentinel/auth/login_request.h"

#include "sentinel/gateway/http.h"

namespace sentinel::auth {

Result<LoginRequest> parse_login_request(std::string_view body) {
  SENTINEL_ASSIGN(object, gateway::parse_json_object(body, {"username", "password", "totp"}));
  SENTINEL_ASSIGN(username, gateway::required_string(object, "username"));
  SENTINEL_ASSIGN(password, gateway::required_string(object, "password"));
  SENTINEL_ASSIGN(totp, gateway::optional_string(object, "totp"));
  LoginRequest request;
  request.username = std::move(username);
  request.password = Secret(std::move(password));
  if (totp) request.totp = Secret(std::move(*totp));
  return request;
}

}  // namespace sentinel::auth
