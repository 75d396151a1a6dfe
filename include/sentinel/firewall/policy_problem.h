#pragma once
// What the parser and the validator report about a policy: every problem at once, each naming
// the JSON path and, when it concerns a rule, the rule's id and index (ADR 0006 "Validation").
// The check of a feed definition reports in the same form, the path naming the field.

#include <boost/json/value.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace sentinel::firewall {

/// Errors refuse the policy; warnings are shown next to the rule and let it through.
enum class Severity { kError, kWarning };

/// One thing wrong with a policy.
struct Problem {
  Severity severity = Severity::kError;
  std::string code;     // machine-readable kind: "unknown_key", "shadowed", "cut_off", ...
  std::string path;     // JSON path, e.g. "chains.input.rules[3].ports[0]"
  std::string rule_id;  // the rule concerned, when known
  std::optional<std::size_t> rule_index;
  std::string message;  // for people; names the rule and the values at fault
};

/// True when any problem is an error.
bool has_errors(const std::vector<Problem>& problems);

/// {"severity","code","path","rule_id","rule_index","message"} (absent fields omitted).
boost::json::value to_json(const Problem& problem);
boost::json::value to_json(const std::vector<Problem>& problems);

}  // namespace sentinel::firewall
