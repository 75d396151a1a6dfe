#pragma once
// A rule as parsed from one YAML document, before the rule set is linked (correlation
// references resolved) and its patterns compiled.

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "compiled_rules.h"

namespace sentinel::detection {

/// Field names interned to FieldIds, shared by every rule of a load.
class FieldTable {
 public:
  /// The id of `name` (already mapped from Sigma names by the caller), added when new.
  FieldId intern(std::string_view name);
  std::vector<std::string> take_names() { return std::move(names_); }
  auto take_ids() { return std::move(ids_); }

 private:
  std::vector<std::string> names_;
  std::unordered_map<std::string, FieldId, TransparentHash, std::equal_to<>> ids_;
};

/// A vectorscan pattern a rule needs; ValueTest::slot indexes the rule's list until linking.
struct PatternUse {
  FieldId field = kNoField;
  std::string expression;
  unsigned flags = 0;
  YAML::Mark mark;
};

/// A reference from a correlation to another rule, by id or name.
struct RuleReference {
  std::string name;
  YAML::Mark mark;
};

/// The `correlation:` section of a correlation rule.
struct CorrelationDraft {
  WindowKind kind = WindowKind::kEventCount;
  std::vector<RuleReference> rules;
  std::vector<std::string> group_by;
  std::int64_t span_ms = 0;
  std::size_t threshold = 0;  // 0: every referenced rule (temporal types without a condition)
  std::string value_field;    // value_count: `condition.field`
  // alias -> (rule id or name -> field)
  std::map<std::string, std::map<std::string, std::string>> aliases;
  bool generate = false;
  YAML::Mark mark;  // the `correlation:` key, for problems found while linking
};

/// One parsed rule document.
struct RuleDraft {
  std::size_t source = 0;  // index of its file in the load
  int first_line = 0;      // of its document in the file
  RuleInfo info;
  std::string name;  // Sigma `name`, for references
  YAML::Mark id_mark;
  YAML::Mark name_mark;
  CompiledRule rule;                 // ValueTest::slot indexes `patterns` until linking
  std::vector<PatternUse> patterns;  // detection rules
  std::optional<CorrelationDraft> correlation;
  std::optional<bool> generate;  // a detection rule's own `generate:` (our extension)
  bool failed = false;           // a problem was reported; kept only for what references it
};

}  // namespace sentinel::detection
