#pragma once
// Sigma conditions: `and`, `or`, `not`, parentheses, `1 of X*`, `all of X*`, `1 of them`,
// `all of them`, and the Sigma 1.0 aggregation `| count([field]) [by F[, G]] > N`.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiled_rules.h"

namespace sentinel::detection {

/// Counts that fire a window: at most this many (keeps per-key memory bounded).
inline constexpr std::size_t kMaxThreshold = 10000;

/// `| count(field) by a, b > N`: fire at `threshold` events (or distinct `count_field` values).
struct Aggregation {
  std::string count_field;  // empty: count()
  std::vector<std::string> group_by;
  std::size_t threshold = 1;
};

/// A parsed condition: the index of its root among the nodes it appended.
struct ParsedCondition {
  std::uint32_t root = 0;
  std::optional<Aggregation> aggregation;
};

/// Why a condition did not parse, and where (0-based offset into its text).
struct ConditionError {
  std::size_t offset = 0;
  std::string message;
};

/// Parses `text` against the rule's selection names, appending nodes to `nodes`. `allow_pipe`
/// is false for the members of a condition list, where an aggregation is not allowed.
bool parse_condition(std::string_view text, const std::vector<std::string>& selections,
                     bool allow_pipe, std::vector<ConditionNode>& nodes, ParsedCondition& out,
                     ConditionError& error);

/// True when `name` matches `pattern`, where `*` stands for any run of characters.
bool glob_match(std::string_view pattern, std::string_view name);

}  // namespace sentinel::detection
