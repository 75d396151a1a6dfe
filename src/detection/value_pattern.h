#pragma once
// Sigma field modifiers and string values turned into vectorscan expressions: wildcards `*` and
// `?` with backslash escapes, contains/startswith/endswith anchoring, windash, base64,
// base64offset, re (with i, m, s) and cased.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiled_rules.h"
#include "sentinel/common/result.h"

namespace sentinel::detection {

/// The modifiers of one `field|mod|mod` key.
struct FieldModifiers {
  enum class Match { kExact, kContains, kStartsWith, kEndsWith };
  enum class Transform { kWindash, kBase64, kBase64Offset };
  Match match = Match::kExact;
  bool match_given = false;           // contains, startswith or endswith was written
  std::vector<Transform> transforms;  // in the order written
  bool re = false, re_caseless = false, re_multiline = false, re_dotall = false;
  bool all = false, cased = false, neq = false;
  bool cidr = false, exists = false, fieldref = false;
  std::optional<NumberOp> number;
};

/// Parses the modifier names after a field name; the error names the first bad one.
Result<FieldModifiers> parse_modifiers(const std::vector<std::string_view>& names);

/// How one string value is matched: a pattern, or (for values such as `''` or `*`) a direct
/// check that needs none.
struct StringMatcher {
  ValueKind kind = ValueKind::kPattern;  // kPattern, kEmpty or kPresent
  std::string expression;
  unsigned flags = 0;
};

/// Compiles one Sigma string value under `modifiers`. The error says what is wrong with it
/// (a regex vectorscan cannot compile, wildcards under base64, too many windash variants).
Result<StringMatcher> compile_string_value(std::string_view value, const FieldModifiers& modifiers);

/// Standard base64 (with padding) of `bytes`.
std::string base64_encode(std::string_view bytes);

}  // namespace sentinel::detection
