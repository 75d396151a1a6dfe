#pragma once
// One document checked for the service: parsed, validated, and in the canonical form that is
// stored, hashed and compiled; and the message that sums up a refusal.

#include <string>
#include <string_view>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/firewall/policy.h"
#include "sentinel/firewall/policy_problem.h"
#include "sentinel/firewall/policy_validator.h"

namespace sentinel::firewall {

/// The parsed document, its canonical JSON and SHA-256 (meaningful only without errors), and
/// every problem: the parser's, then the validator's.
struct CheckedDocument {
  PolicyDocument document;
  std::string canonical_json;
  std::string sha256;
  std::vector<Problem> problems;
  bool ok() const { return !has_errors(problems); }
};

/// Parses and validates `json` in `context`. When the text does not parse, the cut-off check is
/// left out (the rules the parser refused are missing). Pure.
CheckedDocument check_document(std::string_view json, const ValidationContext& context);

/// "SUBJECT has N errors: PATH (rule "ID"): message; ...": counts the errors among `problems`
/// and names the first five (and says how many more).
std::string errors_summary(std::string_view subject, const std::vector<Problem>& problems);

/// kInvalidArgument, reason "invalid_policy", field "document": errors_summary of "the policy".
Error invalid_policy(const std::vector<Problem>& problems);

/// The warnings among `problems`.
std::vector<Problem> warnings_of(const std::vector<Problem>& problems);

}  // namespace sentinel::firewall
