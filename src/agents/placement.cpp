#include "placement.h"

#include <fmt/format.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>

#include "sentinel/common/text.h"

namespace sentinel::agents {
namespace {

constexpr std::size_t kMaxGroup = 64;
constexpr std::size_t kMaxKey = 63;
constexpr std::size_t kMaxValueCharacters = 255;

std::size_t utf8_characters(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](unsigned char c) { return (c & 0xc0) != 0x80; }));
}

}  // namespace

Status check_group(std::string_view group, std::string_view field) {
  const bool valid =
      group.size() <= kMaxGroup && std::all_of(group.begin(), group.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '_' || c == '.' || c == '-';
      });
  if (!valid) {
    return invalid_argument("A group name has up to 64 letters, digits, '_', '.' or '-'.",
                            std::string(field));
  }
  return ok();
}

Status check_label_key(std::string_view key, std::string_view field) {
  const bool valid =
      !key.empty() && key.size() <= kMaxKey &&
      std::all_of(key.begin(), key.end(), [](unsigned char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
      });
  if (!valid) {
    return invalid_argument(fmt::format("label key {} must be 1 to 63 of a-z, 0-9, '_', '.', '-'",
                                        boost::json::serialize(boost::json::string(key))),
                            std::string(field));
  }
  return ok();
}

Status check_label_value(std::string_view key, std::string_view value, std::string_view field) {
  if (utf8_characters(value) > kMaxValueCharacters) {
    return invalid_argument(fmt::format("label '{}': the value is longer than 255 characters", key),
                            std::string(field));
  }
  if (has_control_character(value)) {
    return invalid_argument(fmt::format("label '{}': the value has control characters", key),
                            std::string(field));
  }
  return ok();
}

Status check_labels(const AgentLabels& labels, std::string_view field) {
  if (labels.size() > kMaxLabels) {
    return invalid_argument(fmt::format("at most {} labels", kMaxLabels), std::string(field));
  }
  for (const auto& [key, value] : labels) {
    SENTINEL_TRY(check_label_key(key, field));
    SENTINEL_TRY(check_label_value(key, value, field));
  }
  return ok();
}

boost::json::object labels_json(const AgentLabels& labels) {
  boost::json::object out;
  for (const auto& [key, value] : labels) out[key] = value;
  return out;
}

std::string labels_to_text(const AgentLabels& labels) {
  return boost::json::serialize(labels_json(labels));
}

AgentLabels labels_from_text(std::string_view text) {
  AgentLabels out;
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(text, ec);
  if (ec || !parsed.is_object()) return out;
  for (const auto& entry : parsed.get_object()) {
    if (entry.value().is_string()) {
      out.emplace(std::string(entry.key()), std::string(entry.value().get_string()));
    }
  }
  return out;
}

Status read_labels_field(const boost::json::object& body, AgentLabels& set,
                         std::vector<std::string>* removed) {
  const boost::json::value* field = body.if_contains("labels");
  if (field == nullptr || field->is_null()) return ok();
  if (!field->is_object()) {
    return invalid_argument("field 'labels' must be an object of strings", "labels");
  }
  if (field->get_object().size() > kMaxLabels) {
    return invalid_argument(fmt::format("at most {} labels", kMaxLabels), "labels");
  }
  for (const auto& entry : field->get_object()) {
    const std::string key(entry.key());
    SENTINEL_TRY(check_label_key(key));
    if (entry.value().is_null() && removed != nullptr) {
      removed->push_back(key);
      continue;
    }
    if (!entry.value().is_string()) {
      return invalid_argument(fmt::format("label '{}' must be a string{}", key,
                                          removed != nullptr ? " (or null to remove it)" : ""),
                              "labels");
    }
    const std::string value(entry.value().get_string());
    SENTINEL_TRY(check_label_value(key, value));
    set[key] = value;
  }
  return ok();
}

}  // namespace sentinel::agents
