#include <boost/json/parse.hpp>

#include "client/api_client.h"

namespace sentinel::client {

std::string HttpReply::header(std::string_view name) const {
  const auto found = headers.find(std::string(name));
  return found == headers.end() ? std::string() : found->second;
}

Result<boost::json::value> HttpReply::json() const {
  boost::system::error_code ec;
  boost::json::value value = boost::json::parse(body, ec);
  if (ec) {
    return invalid_argument("the server's reply (HTTP " + std::to_string(status) +
                            ") is not JSON: " + ec.message());
  }
  return value;
}

std::optional<ApiError> HttpReply::api_error() const {
  auto parsed = json();
  if (!parsed || !parsed->is_object()) return std::nullopt;
  const auto* error = parsed->as_object().if_contains("error");
  if (error == nullptr || !error->is_object()) return std::nullopt;
  const auto& fields = error->as_object();
  auto text = [&fields](std::string_view key) {
    const auto* value = fields.if_contains(key);
    return value != nullptr && value->is_string() ? std::string(value->as_string()) : std::string();
  };
  return ApiError{text("code"), text("message"), text("field")};
}

}  // namespace sentinel::client
