#include "object_fields.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "sentinel/common/text.h"
#include "strict_json.h"

namespace sentinel::protocol {

namespace json = boost::json;

Error field_error(std::string_view path, std::string_view what) {
  return invalid_argument(fmt::format("{}: {}", path, what), std::string(path));
}

ObjectFields::ObjectFields(json::object& object, std::string path)
    : object_(object), path_(std::move(path)) {}

Status ObjectFields::allow_only(std::initializer_list<std::string_view> allowed) const {
  for (const auto& member : object_) {
    const std::string_view key = member.key();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return wrong(key, "unknown field");
    }
  }
  return ok();
}

bool ObjectFields::has(std::string_view key) const { return object_.contains(key); }

std::string ObjectFields::path_of(std::string_view key) const {
  return append_path_key(path_, key);
}

Error ObjectFields::wrong(std::string_view key, std::string_view what) const {
  return field_error(path_of(key), what);
}

Result<const json::value*> ObjectFields::required(std::string_view key) const {
  const json::value* value = object_.if_contains(key);
  if (value == nullptr) return wrong(key, "required");
  return value;
}

Result<std::int64_t> ObjectFields::integer(std::string_view key, std::int64_t min,
                                           std::int64_t max) const {
  SENTINEL_ASSIGN(value, required(key));
  if (value->is_uint64()) return wrong(key, fmt::format("must be at most {}", max));
  if (!value->is_int64()) return wrong(key, "must be an integer");
  const std::int64_t number = value->get_int64();
  if (number < min) return wrong(key, fmt::format("must be at least {}", min));
  if (number > max) return wrong(key, fmt::format("must be at most {}", max));
  return number;
}

Result<double> ObjectFields::number(std::string_view key, double min) const {
  SENTINEL_ASSIGN(value, required(key));
  if (!value->is_number()) return wrong(key, "must be a number");
  const double number = value->to_number<double>();
  if (!std::isfinite(number)) return wrong(key, "must be finite");
  if (number < min) return wrong(key, fmt::format("must be at least {}", min));
  return number;
}

Result<bool> ObjectFields::boolean(std::string_view key) const {
  SENTINEL_ASSIGN(value, required(key));
  if (!value->is_bool()) return wrong(key, "must be true or false");
  return value->get_bool();
}

Result<std::string> ObjectFields::text(std::string_view key, const TextRule& rule) const {
  SENTINEL_ASSIGN(value, required(key));
  if (!value->is_string()) return wrong(key, "must be a string");
  const json::string& text = value->get_string();
  if (text.empty() && !rule.allow_empty) return wrong(key, "must not be empty");
  if (text.size() > rule.max_bytes) {
    return wrong(key, fmt::format("longer than {} bytes", rule.max_bytes));
  }
  if (has_control_character(text, rule.multi_line ? "\n\r\t" : "")) {
    return wrong(key, "must not contain control characters");
  }
  return std::string(text);
}

Result<std::string_view> ObjectFields::any_text(std::string_view key) const {
  SENTINEL_ASSIGN(value, required(key));
  if (!value->is_string()) return wrong(key, "must be a string");
  return std::string_view(value->get_string());
}

Result<json::object> ObjectFields::take_object(std::string_view key) {
  SENTINEL_ASSIGN(value, required(key));
  if (!value->is_object()) return wrong(key, "must be an object");
  return std::move(object_.at(key).get_object());
}

Result<json::array*> ObjectFields::array(std::string_view key) {
  SENTINEL_ASSIGN(value, required(key));
  if (!value->is_array()) return wrong(key, "must be an array");
  return &object_.at(key).get_array();
}

}  // namespace sentinel::protocol
