#pragma once
// Helpers shared by the firewall policy tests: parse a document that must be valid, find a
// problem by code and path, print problems when an assertion fails.

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "sentinel/firewall/policy_parser.h"
#include "sentinel/firewall/policy_problem.h"

namespace sentinel::firewall::test {

inline std::string describe(const std::vector<Problem>& problems) {
  std::string text;
  for (const Problem& p : problems) {
    text += (p.severity == Severity::kError ? "error " : "warning ") + p.code + " at " + p.path +
            ": " + p.message + "\n";
  }
  return text;
}

/// Parses a document that has no parse errors (warnings allowed); fails the test otherwise.
inline PolicyDocument parse_valid(std::string_view json) {
  PolicyParse parsed = parse_policy(json);
  EXPECT_TRUE(parsed.ok()) << describe(parsed.problems);
  return parsed.document;
}

/// The problem with this code at this path, if any.
inline std::optional<Problem> find_problem(const std::vector<Problem>& problems,
                                           std::string_view code, std::string_view path) {
  const auto it = std::find_if(problems.begin(), problems.end(),
                               [&](const Problem& p) { return p.code == code && p.path == path; });
  if (it == problems.end()) return std::nullopt;
  return *it;
}

/// Problems with this code.
inline std::vector<Problem> with_code(const std::vector<Problem>& problems, std::string_view code) {
  std::vector<Problem> found;
  for (const Problem& p : problems) {
    if (p.code == code) found.push_back(p);
  }
  return found;
}

}  // namespace sentinel::firewall::test
