#include "sentinel/gateway/http.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <charconv>

#include "sentinel/common/text.h"
#include "utf8.h"

namespace sentinel::gateway {
namespace {

// ASCII only, as header names are; std::tolower would consult the locale for every character.
std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Error wrong_type(std::string_view key, std::string_view expected) {
  return invalid_argument(fmt::format("field '{}' must be {}", key, expected), std::string(key));
}

// A present, non-null value of `key`, or nullptr. An explicit null counts as absent.
const boost::json::value* field(const boost::json::object& body, std::string_view key) {
  const boost::json::value* value = body.if_contains(key);
  return value == nullptr || value->is_null() ? nullptr : value;
}

}  // namespace

std::string_view Request::header(std::string_view name) const {
  const auto it = headers.find(lower(name));
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

std::optional<std::string> Request::cookie(std::string_view name) const {
  std::string_view rest = header("cookie");
  while (!rest.empty()) {
    const std::size_t end = rest.find(';');
    const std::string_view pair = trim_blanks(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    const std::size_t equals = pair.find('=');
    if (equals == std::string_view::npos || trim_blanks(pair.substr(0, equals)) != name) continue;
    std::string_view value = trim_blanks(pair.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    return std::string(value);
  }
  return std::nullopt;
}

std::optional<std::string_view> Request::query_param(std::string_view name) const {
  const auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return std::string_view(it->second);
}

std::string_view Request::path_param(std::string_view name) const {
  const auto it = path_params.find(name);
  return it == path_params.end() ? std::string_view() : std::string_view(it->second);
}

Response Response::json(const boost::json::value& value, int status) {
  Response response;
  response.status = status;
  response.body = boost::json::serialize(value);
  return response;
}

Response Response::no_content() {
  Response response;
  response.status = 204;
  response.content_type.clear();
  return response;
}

Response Response::text(std::string body, std::string content_type) {
  Response response;
  response.content_type = std::move(content_type);
  response.body = std::move(body);
  return response;
}

int http_status(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kUnauthenticated:
      return 401;
    case ErrorCode::kPermissionDenied:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kPayloadTooLarge:
      return 413;
    case ErrorCode::kRateLimited:
      return 429;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

Response error_response(const Error& error) {
  boost::json::object detail;
  detail["code"] = error.client_code();
  detail["message"] = error.message;
  if (!error.field.empty()) detail["field"] = error.field;
  boost::json::object document;
  document["error"] = std::move(detail);
  return Response::json(document, http_status(error.code));
}

Result<boost::json::object> parse_json_object(std::string_view body,
                                              std::initializer_list<std::string_view> allowed) {
  if (const auto offset = first_invalid_utf8(body)) {
    return invalid_argument(fmt::format("request body is not valid UTF-8 (byte {})", *offset));
  }
  if (trim_blanks(body).empty())
    return invalid_argument("request body must be a JSON object, got nothing");
  boost::system::error_code ec;
  boost::json::parse_options options;
  options.max_depth = 16;
  boost::json::value value = boost::json::parse(body, ec, {}, options);
  if (ec) return invalid_argument(fmt::format("request body is not valid JSON: {}", ec.message()));
  if (!value.is_object()) return invalid_argument("request body must be a JSON object");
  for (const auto& entry : value.get_object()) {
    const std::string_view key = entry.key();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      // The key is valid UTF-8 here; quote it as JSON so control characters stay readable.
      return invalid_argument(
          fmt::format("unknown field {}", boost::json::serialize(boost::json::string(key))),
          std::string(key));
    }
  }
  return std::move(value.get_object());
}

Result<std::string> required_string(const boost::json::object& body, std::string_view key) {
  const boost::json::value* value = field(body, key);
  if (value == nullptr) {
    return invalid_argument(fmt::format("field '{}' is required", key), std::string(key));
  }
  if (!value->is_string()) return wrong_type(key, "a string");
  return std::string(value->get_string());
}

Result<std::optional<std::string>> optional_string(const boost::json::object& body,
                                                   std::string_view key) {
  const boost::json::value* value = field(body, key);
  if (value == nullptr) return std::optional<std::string>();
  if (!value->is_string()) return wrong_type(key, "a string");
  return std::optional<std::string>(std::string(value->get_string()));
}

Result<std::optional<std::int64_t>> optional_integer(const boost::json::object& body,
                                                     std::string_view key) {
  const boost::json::value* value = field(body, key);
  if (value == nullptr) return std::optional<std::int64_t>();
  if (value->is_int64()) return std::optional<std::int64_t>(value->get_int64());
  if (value->is_uint64())
    return invalid_argument(fmt::format("field '{}' is too large", key), std::string(key));
  return wrong_type(key, "an integer");
}

Result<std::optional<bool>> optional_bool(const boost::json::object& body, std::string_view key) {
  const boost::json::value* value = field(body, key);
  if (value == nullptr) return std::optional<bool>();
  if (!value->is_bool()) return wrong_type(key, "true or false");
  return std::optional<bool>(value->get_bool());
}

Result<std::optional<std::vector<std::string>>> optional_string_list(
    const boost::json::object& body, std::string_view key) {
  const boost::json::value* value = field(body, key);
  if (value == nullptr) return std::optional<std::vector<std::string>>();
  if (!value->is_array()) return wrong_type(key, "a list of strings");
  std::vector<std::string> items;
  items.reserve(value->get_array().size());
  for (const boost::json::value& item : value->get_array()) {
    if (!item.is_string()) return wrong_type(key, "a list of strings");
    items.emplace_back(item.get_string());
  }
  return std::optional<std::vector<std::string>>(std::move(items));
}

Result<std::optional<std::int64_t>> integer_query(const Request& request, std::string_view name,
                                                  std::int64_t min, std::int64_t max) {
  const auto text = request.query_param(name);
  if (!text) return std::optional<std::int64_t>{};
  std::int64_t value = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (text->empty() || ec != std::errc() || ptr != end) {
    return invalid_argument(fmt::format("query parameter '{}' must be an integer", name),
                            std::string(name));
  }
  if (value < min || value > max) {
    return invalid_argument(
        fmt::format("query parameter '{}' must be between {} and {}", name, min, max),
        std::string(name));
  }
  return std::optional<std::int64_t>(value);
}

}  // namespace sentinel::gateway
