#include "policy_body.h"

#include <fmt/format.h>

#include <boost/json/serialize.hpp>
#include <charconv>
#include <initializer_list>

#include "policy/json_reader.h"
#include "sentinel/gateway/http.h"

namespace sentinel::firewall {

Result<boost::json::object> read_body(std::string_view body,
                                      std::initializer_list<std::string_view> allowed) {
  SENTINEL_ASSIGN(object, gateway::parse_json_object(body, allowed));
  std::vector<Problem> problems;
  detail::ProblemSink sink(problems);
  if (!detail::read_json(body, sink) && !problems.empty()) {
    const Problem& first = problems.front();
    const std::string field = first.path.substr(0, first.path.find_first_of(".["));
    return invalid_argument(fmt::format("request body: '{}': {}", first.path, first.message),
                            field);
  }
  return object;
}

namespace {

constexpr std::size_t kMaxAgentIds = 10'000;

Result<std::string> document_field(const boost::json::object& body) {
  const boost::json::value* document = body.if_contains("document");
  if (document == nullptr) return invalid_argument("field 'document' is required", "document");
  if (!document->is_object()) {
    return invalid_argument("field 'document' must be a policy document (a JSON object)",
                            "document");
  }
  return boost::json::serialize(*document);
}

std::string text_or_empty(const std::optional<std::string>& text) {
  return text ? *text : std::string();
}

Result<std::optional<std::int64_t>> version_field(const boost::json::object& body,
                                                  std::string_view key, bool required) {
  SENTINEL_ASSIGN(value, gateway::optional_integer(body, key));
  if (!value) {
    if (required)
      return invalid_argument(fmt::format("field '{}' is required", key), std::string(key));
    return value;
  }
  if (*value < 1) {
    return invalid_argument(fmt::format("field '{}' must be a version number (1 or more)", key),
                            std::string(key));
  }
  return value;
}

// If-Match: a version number, optionally quoted as an entity tag.
Result<std::optional<std::int64_t>> if_match_version(std::string_view header) {
  if (header.empty()) return std::optional<std::int64_t>();
  std::string_view text = header;
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    text = text.substr(1, text.size() - 2);
  }
  std::int64_t version = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), version);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || version < 1) {
    return invalid_argument(
        "header If-Match must be the policy version the change is based on (e.g. \"3\")",
        "If-Match");
  }
  return std::optional<std::int64_t>(version);
}

Result<std::optional<std::int64_t>> base_version(const boost::json::object& body,
                                                 std::string_view if_match) {
  SENTINEL_ASSIGN(from_body, version_field(body, "base_version", false));
  SENTINEL_ASSIGN(from_header, if_match_version(if_match));
  if (from_body && from_header && *from_body != *from_header) {
    return invalid_argument(
        fmt::format("field 'base_version' ({}) and header If-Match ({}) disagree", *from_body,
                    *from_header),
        "base_version");
  }
  return from_body ? from_body : from_header;
}

// A field error inside a list entry, named with the entry: "assignments[2].priority".
template <typename T>
Result<T> in_entry(const std::string& entry, Result<T> result) {
  if (result) return result;
  Error error = std::move(result).error();
  error.message = fmt::format("{}: {}", entry, error.message);
  error.field = fmt::format("{}.{}", entry, error.field);
  return error;
}

Result<bool> force_field(const boost::json::object& body) {
  SENTINEL_ASSIGN(force, gateway::optional_bool(body, "force"));
  return force.value_or(false);
}

}  // namespace

Result<NewPolicy> parse_new_policy(std::string_view body) {
  SENTINEL_ASSIGN(fields, read_body(body, {"name", "description", "document", "comment"}));
  NewPolicy policy;
  SENTINEL_ASSIGN(name, gateway::required_string(fields, "name"));
  SENTINEL_ASSIGN(description, gateway::optional_string(fields, "description"));
  SENTINEL_ASSIGN(document, document_field(fields));
  SENTINEL_ASSIGN(comment, gateway::optional_string(fields, "comment"));
  policy.name = std::move(name);
  policy.description = text_or_empty(description);
  policy.document_json = std::move(document);
  policy.comment = text_or_empty(comment);
  return policy;
}

Result<PolicyEdit> parse_policy_edit(std::string_view body, std::string_view if_match) {
  SENTINEL_ASSIGN(fields,
                  read_body(body, {"document", "comment", "name", "description", "base_version"}));
  PolicyEdit edit;
  SENTINEL_ASSIGN(document, document_field(fields));
  SENTINEL_ASSIGN(comment, gateway::optional_string(fields, "comment"));
  SENTINEL_ASSIGN(name, gateway::optional_string(fields, "name"));
  SENTINEL_ASSIGN(description, gateway::optional_string(fields, "description"));
  SENTINEL_ASSIGN(base, base_version(fields, if_match));
  edit.document_json = std::move(document);
  edit.comment = text_or_empty(comment);
  edit.name = std::move(name);
  edit.description = std::move(description);
  edit.base_version = base;
  return edit;
}

Result<PolicyRollback> parse_policy_rollback(std::string_view body, std::string_view if_match) {
  SENTINEL_ASSIGN(fields, read_body(body, {"version", "comment", "base_version"}));
  PolicyRollback rollback;
  SENTINEL_ASSIGN(version, version_field(fields, "version", true));
  SENTINEL_ASSIGN(comment, gateway::optional_string(fields, "comment"));
  SENTINEL_ASSIGN(base, base_version(fields, if_match));
  rollback.version = *version;
  rollback.comment = text_or_empty(comment);
  rollback.base_version = base;
  return rollback;
}

Result<ValidationRequest> parse_validation_request(std::string_view body) {
  SENTINEL_ASSIGN(fields, read_body(body, {"document", "agent_id", "force"}));
  ValidationRequest request;
  SENTINEL_ASSIGN(document, document_field(fields));
  SENTINEL_ASSIGN(agent_id, gateway::optional_string(fields, "agent_id"));
  SENTINEL_ASSIGN(force, force_field(fields));
  if (agent_id && agent_id->empty()) {
    return invalid_argument("field 'agent_id' must not be empty", "agent_id");
  }
  request.document_json = std::move(document);
  request.agent_id = std::move(agent_id);
  request.force = force;
  return request;
}

Result<std::vector<Assignment>> parse_assignments(std::string_view body) {
  SENTINEL_ASSIGN(fields, read_body(body, {"assignments"}));
  const boost::json::value* list = fields.if_contains("assignments");
  if (list == nullptr) {
    return invalid_argument("field 'assignments' is required (an empty list removes them all)",
                            "assignments");
  }
  if (!list->is_array()) {
    return invalid_argument("field 'assignments' must be a list", "assignments");
  }
  std::vector<Assignment> out;
  for (std::size_t i = 0; i < list->get_array().size(); ++i) {
    const boost::json::value& item = list->get_array()[i];
    const std::string field = fmt::format("assignments[{}]", i);
    if (!item.is_object()) {
      return invalid_argument(fmt::format("{} must be an object with 'group' or 'agent_id'", field),
                              field);
    }
    const boost::json::object& entry = item.get_object();
    for (const auto& [key, value] : entry) {
      if (key != "group" && key != "agent_id" && key != "priority") {
        return invalid_argument(fmt::format("{}: unknown field {}", field,
                                            boost::json::serialize(boost::json::value(key))),
                                fmt::format("{}.{}", field, std::string_view(key)));
      }
    }
    SENTINEL_ASSIGN(group, in_entry(field, gateway::optional_string(entry, "group")));
    SENTINEL_ASSIGN(agent_id, in_entry(field, gateway::optional_string(entry, "agent_id")));
    SENTINEL_ASSIGN(priority, in_entry(field, gateway::optional_integer(entry, "priority")));
    if (group.has_value() == agent_id.has_value()) {
      return invalid_argument(fmt::format("{} needs exactly one of 'group' and 'agent_id'", field),
                              field);
    }
    Assignment assignment;
    assignment.target = group ? AssignmentTarget::kGroup : AssignmentTarget::kAgent;
    assignment.value = group ? std::move(*group) : std::move(*agent_id);
    if (assignment.value.empty()) {
      return invalid_argument(
          fmt::format("{}.{} must not be empty", field, group ? "group" : "agent_id"),
          fmt::format("{}.{}", field, group ? "group" : "agent_id"));
    }
    assignment.priority = priority.value_or(0);
    out.push_back(std::move(assignment));
  }
  return out;
}

Result<ApplyRequest> parse_apply_request(std::string_view body) {
  ApplyRequest request;
  // An empty body means "every agent": the CLI's plain `firewall apply`.
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return request;
  SENTINEL_ASSIGN(fields, read_body(body, {"policy_id", "agent_ids", "force"}));
  SENTINEL_ASSIGN(policy_id, gateway::optional_integer(fields, "policy_id"));
  if (policy_id && *policy_id < 1) {
    return invalid_argument("field 'policy_id' must be a policy id", "policy_id");
  }
  SENTINEL_ASSIGN(agent_ids, gateway::optional_string_list(fields, "agent_ids"));
  if (agent_ids) {
    if (agent_ids->size() > kMaxAgentIds) {
      return invalid_argument(
          fmt::format("field 'agent_ids' names more than {} agents", kMaxAgentIds), "agent_ids");
    }
    for (const std::string& id : *agent_ids) {
      if (id.empty()) return invalid_argument("field 'agent_ids' holds an empty id", "agent_ids");
    }
    request.agent_ids = std::move(*agent_ids);
  }
  SENTINEL_ASSIGN(force, force_field(fields));
  request.policy_id = policy_id;
  request.force = force;
  return request;
}

}  // namespace sentinel::firewall
