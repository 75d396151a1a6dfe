#pragma once
// Parsers of one Sigma rule document into a RuleDraft: the shared attributes (rule_document),
// the `detection:` section (detection_parser) and the `correlation:` section
// (correlation_parser). Each reports every problem it finds to the ProblemSink.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "rule_draft.h"
#include "yaml_documents.h"

namespace sentinel::detection {

/// Parses a whole document (a YAML map); `text` is its source, kept to compare on reload.
RuleDraft parse_rule_document(const YAML::Node& document, std::string text, ProblemSink& sink,
                              FieldTable& fields);

/// Parses `detection:` into the draft's selections, condition and aggregation.
void parse_detection(const YAML::Node& detection, RuleDraft& draft, ProblemSink& sink,
                     FieldTable& fields);

/// Parses `correlation:` into the draft's CorrelationDraft.
void parse_correlation(const YAML::Node& correlation, RuleDraft& draft, ProblemSink& sink);

/// "30s", "5m", "2h", "1d" in milliseconds; nullopt when not such a duration (or over 30 days).
std::optional<std::int64_t> parse_duration(std::string_view text);

/// The scalar text of `node`, or nullopt after reporting that `what` must be a string.
std::optional<std::string> scalar_text(const YAML::Node& node, std::string_view what,
                                       ProblemSink& sink);

/// A string or a list of strings as a list; nullopt after reporting a wrong shape.
std::optional<std::vector<std::string>> string_list(const YAML::Node& node, std::string_view what,
                                                    ProblemSink& sink);

/// The key of a map entry as text ("" for a non-scalar key).
std::string key_text(const YAML::Node& key);

}  // namespace sentinel::detection
