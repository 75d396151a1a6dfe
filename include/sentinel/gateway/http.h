#pragma once
// The gateway's request and response values, free of Beast so that services and fuzzers can use
// them without its compile cost.

#include <boost/json/value.hpp>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sentinel/auth/principal.h"
#include "sentinel/common/result.h"

namespace sentinel::gateway {

/// An HTTP request after parsing and authentication. Header names are lower-case.
struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // percent-decoded path, no query
  std::map<std::string, std::string, std::less<>> query;
  std::map<std::string, std::string, std::less<>> headers;
  std::string body;
  std::string remote_address;
  std::string request_id;
  /// Values of the `{name}` segments of the matched route pattern.
  std::map<std::string, std::string, std::less<>> path_params;
  /// Set by the gateway when the route is not public.
  std::optional<auth::Principal> principal;

  std::string_view header(std::string_view name) const;
  std::optional<std::string> cookie(std::string_view name) const;
  std::optional<std::string_view> query_param(std::string_view name) const;
  std::string_view path_param(std::string_view name) const;
  /// The authenticated caller; only valid on non-public routes.
  const auth::Principal& caller() const { return *principal; }
};

/// An HTTP response. The gateway adds security headers and the request id.
struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  static Response json(const boost::json::value& value, int status = 200);
  static Response no_content();
  static Response text(std::string body, std::string content_type = "text/plain; charset=utf-8");
};

/// HTTP status for a canonical error code.
int http_status(ErrorCode code);

/// The JSON error document: {"error": {"code", "message", "field"?}}.
Response error_response(const Error& error);

/// Parses a JSON object body strictly: valid UTF-8, an object, only `allowed` keys (others are an
/// error naming the key). Returns kInvalidArgument with a message saying what is wrong.
Result<boost::json::object> parse_json_object(std::string_view body,
                                              std::initializer_list<std::string_view> allowed);

/// Typed field readers for parsed bodies; each error names the field.
Result<std::string> required_string(const boost::json::object& body, std::string_view key);
Result<std::optional<std::string>> optional_string(const boost::json::object& body,
                                                   std::string_view key);
Result<std::optional<std::int64_t>> optional_integer(const boost::json::object& body,
                                                     std::string_view key);
Result<std::optional<bool>> optional_bool(const boost::json::object& body, std::string_view key);
Result<std::optional<std::vector<std::string>>> optional_string_list(
    const boost::json::object& body, std::string_view key);

/// The query parameter `name` as an integer within [min, max]; nullopt when absent. The error
/// names the parameter.
Result<std::optional<std::int64_t>> integer_query(const Request& request, std::string_view name,
                                                  std::int64_t min, std::int64_t max);

}  // namespace sentinel::gateway
