#pragma once
// The strict JSON parser of policy documents. Unknown keys, wrong types, out-of-range values
// and bad syntax are each a problem with its JSON path; all are collected, not just the first.
// Checks that need the whole document (references, duplicate ids, shadowing) are the
// validator's (`policy_validator.h`).

#include <cstddef>
#include <string_view>
#include <vector>

#include "sentinel/firewall/policy.h"
#include "sentinel/firewall/policy_problem.h"

namespace sentinel::firewall {

/// Limits that keep hostile documents cheap to refuse.
inline constexpr std::size_t kMaxPolicyBytes = 4 * 1024 * 1024;
inline constexpr std::size_t kMaxRulesPerChain = 2000;
inline constexpr std::size_t kMaxSetEntries = 20000;
inline constexpr std::size_t kMaxObjects = 2000;

/// The parsed document and everything wrong with the text. Rules and objects with errors are
/// left out of `document`, so only a result without errors is a faithful copy of the text.
struct PolicyParse {
  PolicyDocument document;
  std::vector<Problem> problems;
  bool ok() const { return !has_errors(problems); }
};

/// Parses a policy document. Pure and thread-safe.
PolicyParse parse_policy(std::string_view json);

/// The canonical JSON of a document (the shape parse_policy reads; keys in a fixed order).
/// parse_policy(serialize(d)).document == d for every document without errors.
boost::json::value to_json(const PolicyDocument& document);

}  // namespace sentinel::firewall
