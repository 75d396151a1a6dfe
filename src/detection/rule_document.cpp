// The attributes every rule shares: title, id, name, status, description, level, tags, our
// `entity` and `dedup`, and the choice between `detection` and `correlation`.

#include <algorithm>
#include <array>
#include <charconv>
#include <set>

#include "rule_parsers.h"
#include "sigma_mapping.h"

namespace sentinel::detection {
namespace {

constexpr std::int64_t kMaxDuration = 30LL * 24 * 3600 * 1000;
// The firewall caps every block at seven days (ADR 0006), escalation included.
constexpr std::int64_t kMaxBlockDuration = 7LL * 24 * 3600 * 1000;

constexpr std::array<std::string_view, 5> kStatuses = {"stable", "test", "experimental",
                                                       "deprecated", "unsupported"};

void parse_logsource(const YAML::Node& logsource, RuleDraft& draft, ProblemSink& sink) {
  if (!logsource) {
    sink.add(YAML::Mark::null_mark(), "a detection rule needs a logsource");
    return;
  }
  if (!logsource.IsMap()) {
    sink.add(logsource, "logsource must be a map of category, product and service");
    return;
  }
  std::string product, category, service;
  for (const auto& entry : logsource) {
    const std::string key = key_text(entry.first);
    std::string* target = key == "product"    ? &product
                          : key == "category" ? &category
                          : key == "service"  ? &service
                                              : nullptr;
    if (target == nullptr && key != "definition") {
      sink.add(entry.first, "unknown logsource key '" + key +
                                "' (expected category, product, service or definition)");
      continue;
    }
    auto value = scalar_text(entry.second, "logsource " + key, sink);
    if (value && target != nullptr) *target = *value;
  }
  auto filter = map_logsource(product, category, service);
  if (!filter) {
    sink.add(logsource, filter.error().message);
    return;
  }
  draft.rule.filter = std::move(*filter);
}

// `response: {block: {field, duration, scope}}`: what the firewall does when the rule fires.
// Strict like the rest of the rule: a block it cannot carry out is a problem of the rule file.
void parse_response(const YAML::Node& response, RuleDraft& draft, ProblemSink& sink,
                    FieldTable& fields) {
  if (!response.IsMap()) {
    sink.add(response, "response must be a map with a block section");
    return;
  }
  for (const auto& entry : response) {
    if (key_text(entry.first) != "block") {
      sink.add(entry.first,
               "unknown response key '" + key_text(entry.first) + "' (expected block)");
    }
  }
  const YAML::Node block = response["block"];
  if (!block) {
    sink.add(response, "response needs a block section");
    return;
  }
  if (!block.IsMap()) {
    sink.add(block, "response block must be a map of field, duration and scope");
    return;
  }
  BlockResponse out;
  bool valid = true;
  for (const auto& entry : block) {
    const std::string key = key_text(entry.first);
    if (key != "field" && key != "duration" && key != "scope") {
      sink.add(entry.first,
               "unknown response block key '" + key + "' (expected field, duration or scope)");
      valid = false;
    }
  }
  if (const YAML::Node field = block["field"]; !field) {
    sink.add(block, "response block needs a field (the event field holding the address)");
    valid = false;
  } else if (auto text_value = scalar_text(field, "response block field", sink)) {
    if (text_value->empty()) {
      sink.add(field, "response block field must not be empty");
      valid = false;
    }
    out.field = std::string(map_field_name(*text_value));
  } else {
    valid = false;
  }
  if (const YAML::Node duration = block["duration"]; !duration) {
    sink.add(block, "response block needs a duration such as 10m");
    valid = false;
  } else if (auto text_value = scalar_text(duration, "response block duration", sink)) {
    const auto parsed = parse_duration(*text_value);
    if (!parsed || *parsed > kMaxBlockDuration) {
      sink.add(duration, "response block duration '" + *text_value +
                             "' is not a duration such as 30s, 10m, 2h or 1d (at most 7d)");
      valid = false;
    } else {
      out.duration_ms = *parsed;
    }
  } else {
    valid = false;
  }
  if (const YAML::Node scope = block["scope"]) {
    if (auto text_value = scalar_text(scope, "response block scope", sink)) {
      if (auto parsed = parse_response_scope(*text_value)) {
        out.scope = *parsed;
      } else {
        sink.add(scope, "unknown response block scope '" + *text_value +
                            "' (expected agent, group or all)");
        valid = false;
      }
    } else {
      valid = false;
    }
  }
  if (!valid) return;
  draft.rule.response_field = fields.intern(out.field);
  draft.rule.response = std::move(out);
}

}  // namespace

std::string key_text(const YAML::Node& key) { return key.IsScalar() ? key.Scalar() : ""; }

std::optional<std::string> scalar_text(const YAML::Node& node, std::string_view what,
                                       ProblemSink& sink) {
  if (!node.IsScalar()) {
    sink.add(node, std::string(what) + " must be a string");
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<std::vector<std::string>> string_list(const YAML::Node& node, std::string_view what,
                                                    ProblemSink& sink) {
  std::vector<std::string> out;
  if (node.IsScalar()) {
    out.push_back(node.Scalar());
    return out;
  }
  if (!node.IsSequence()) {
    sink.add(node, std::string(what) + " must be a string or a list of strings");
    return std::nullopt;
  }
  for (const YAML::Node& item : node) {
    if (!item.IsScalar()) {
      sink.add(item, std::string(what) + " must hold only strings");
      return std::nullopt;
    }
    out.push_back(item.Scalar());
  }
  return out;
}

std::optional<std::int64_t> parse_duration(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  std::int64_t unit = 0;
  switch (text.back()) {
    case 's':
      unit = 1000;
      break;
    case 'm':
      unit = 60 * 1000;
      break;
    case 'h':
      unit = 3600 * 1000;
      break;
    case 'd':
      unit = 24 * 3600 * 1000;
      break;
    default:
      return std::nullopt;
  }
  std::int64_t count = 0;
  const char* end = text.data() + text.size() - 1;
  const auto [stop, error] = std::from_chars(text.data(), end, count);
  if (error != std::errc() || stop != end || count <= 0 || count > kMaxDuration / unit) {
    return std::nullopt;
  }
  return count * unit;
}

RuleDraft parse_rule_document(const YAML::Node& document, std::string text, ProblemSink& sink,
                              FieldTable& fields) {
  RuleDraft draft;
  draft.rule.text = std::move(text);
  draft.info.file = sink.file();
  const std::size_t problems_before = sink.count();
  std::set<std::string> seen;
  for (const auto& entry : document) {
    if (!seen.insert(key_text(entry.first)).second) {
      sink.add(entry.first, "duplicate key '" + key_text(entry.first) + "'");
    }
  }

  const YAML::Node title = document["title"];
  if (!title) {
    sink.add(YAML::Mark::null_mark(), "title is required");
  } else if (auto text_value = scalar_text(title, "title", sink)) {
    if (text_value->empty()) sink.add(title, "title must not be empty");
    draft.info.title = *text_value;
  }
  const YAML::Node id = document["id"];
  if (!id) {
    sink.add(YAML::Mark::null_mark(), "id is required (a UUID names the rule in alerts)");
  } else if (auto text_value = scalar_text(id, "id", sink)) {
    if (text_value->empty()) sink.add(id, "id must not be empty");
    draft.info.id = *text_value;
    draft.id_mark = id.Mark();
  }
  if (const YAML::Node name = document["name"]) {
    if (auto text_value = scalar_text(name, "name", sink)) {
      draft.name = *text_value;
      draft.name_mark = name.Mark();
    }
  }
  if (const YAML::Node status = document["status"]) {
    if (auto text_value = scalar_text(status, "status", sink)) {
      if (std::find(kStatuses.begin(), kStatuses.end(), *text_value) == kStatuses.end()) {
        sink.add(status, "unknown status '" + *text_value +
                             "' (expected stable, test, experimental, deprecated or unsupported)");
      }
    }
  }
  if (const YAML::Node description = document["description"]) {
    if (auto text_value = scalar_text(description, "description", sink)) {
      draft.info.description = *text_value;
    }
  }
  if (const YAML::Node level = document["level"]) {
    if (auto text_value = scalar_text(level, "level", sink)) {
      if (auto severity = parse_severity(*text_value)) {
        draft.info.severity = *severity;
      } else {
        sink.add(level, "unknown level '" + *text_value +
                            "' (expected informational, low, medium, high or critical)");
      }
    }
  }
  if (const YAML::Node tags = document["tags"]) {
    if (auto list = string_list(tags, "tags", sink)) draft.info.tags = std::move(*list);
  }
  if (const YAML::Node entity = document["entity"]) {
    if (auto list = string_list(entity, "entity", sink)) {
      for (const std::string& field : *list) {
        if (field.empty()) sink.add(entity, "entity names an empty field");
        draft.rule.entity_fields.push_back(fields.intern(map_field_name(field)));
      }
    }
  }
  if (const YAML::Node dedup = document["dedup"]) {
    if (auto text_value = scalar_text(dedup, "dedup", sink)) {
      if (auto duration = parse_duration(*text_value)) {
        draft.rule.dedup_ms = *duration;
      } else {
        sink.add(dedup, "dedup '" + *text_value +
                            "' is not a duration such as 30s, 15m, 2h or 1d (at most 30d)");
      }
    }
  }

  if (const YAML::Node response = document["response"]) {
    parse_response(response, draft, sink, fields);
  }

  std::optional<bool> generate;
  if (const YAML::Node node = document["generate"]) {
    if (!node.IsScalar() || (node.Scalar() != "true" && node.Scalar() != "false")) {
      sink.add(node, "generate must be true or false");
    } else {
      generate = node.Scalar() == "true";
    }
  }
  const YAML::Node detection = document["detection"];
  const YAML::Node correlation = document["correlation"];
  if (detection && correlation) {
    sink.add(correlation, "a rule has either detection or correlation, not both");
  } else if (correlation) {
    draft.info.kind = "correlation";
    draft.rule.is_correlation = true;
    parse_correlation(correlation, draft, sink);
    // Sigma: a correlation's `generate` is about the rules it names.
    if (generate && draft.correlation) draft.correlation->generate = *generate;
  } else if (detection) {
    draft.info.kind = "sigma";
    draft.generate = generate;  // our extension: a detection rule decides for itself
    parse_logsource(document["logsource"], draft, sink);
    parse_detection(detection, draft, sink, fields);
  } else {
    sink.add(YAML::Mark::null_mark(), "a rule needs a detection or a correlation section");
  }
  draft.rule.id = draft.info.id;
  draft.rule.title = draft.info.title;
  draft.rule.severity = draft.info.severity;
  draft.rule.tags = draft.info.tags;
  draft.failed = sink.count() != problems_before;
  return draft;
}

}  // namespace sentinel::detection
