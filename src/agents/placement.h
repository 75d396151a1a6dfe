#pragma once
// An agent's placement: its group and labels. The rules for both, and their stored form.

#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/agents/agent_registry.h"
#include "sentinel/common/result.h"

namespace sentinel::agents {

inline constexpr std::size_t kMaxLabels = 32;

/// A group name: empty (no group) or 1..64 of letters, digits, '_', '.', '-'.
Status check_group(std::string_view group, std::string_view field = "group");
/// A label key: [a-z0-9_.-]{1,63}.
Status check_label_key(std::string_view key, std::string_view field = "labels");
/// A label value: at most 255 characters, no control characters.
Status check_label_value(std::string_view key, std::string_view value,
                         std::string_view field = "labels");
/// Every key and value, and at most kMaxLabels of them.
Status check_labels(const AgentLabels& labels, std::string_view field = "labels");

/// The stored form: a JSON object with sorted keys.
std::string labels_to_text(const AgentLabels& labels);
/// The stored form back; an unreadable column gives no labels rather than failing a listing.
AgentLabels labels_from_text(std::string_view text);
boost::json::object labels_json(const AgentLabels& labels);

/// Reads the optional "labels" field of a request body, an object of strings (checked), into
/// `set`. When `removed` is given a null value names a label to remove; otherwise it is an error.
Status read_labels_field(const boost::json::object& body, AgentLabels& set,
                         std::vector<std::string>* removed);

}  // namespace sentinel::agents
