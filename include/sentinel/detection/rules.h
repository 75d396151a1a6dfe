#pragma once
// Loading Sigma rule files into a compiled, immutable rule set (ADR 0004 "Rules"). The loader
// reports every problem with file, line and reason and keeps every rule that loads.

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "sentinel/common/result.h"
#include "sentinel/detection/detection.h"

namespace sentinel::detection {

/// One thing wrong in a rule file. `line` and `column` are 1-based; 0 when unknown.
struct RuleProblem {
  std::string file;
  int line = 0;
  int column = 0;
  std::string reason;
};

/// The text of one rule file and the name it is reported under.
struct RuleSource {
  std::string file;
  std::string text;
};

/// What loading one file gave: how many rules were kept and every problem found.
struct RuleFileReport {
  std::string file;
  std::size_t rules = 0;
  std::vector<RuleProblem> problems;
  bool ok() const { return problems.empty(); }
};

/// A loaded rule as people see it (`GET /api/v1/rules`, `sentinelctl rules`).
struct RuleInfo {
  std::string id, title, description, file;
  std::string kind;  // "sigma" | "correlation"
  Severity severity = Severity::kMedium;
  std::vector<std::string> tags;
};

/// The compiled matchers and windows of a rule set; defined in src/detection, read by Engine.
struct CompiledRules;

/// An immutable, compiled set of rules. Safe to share between threads and engines: each Engine
/// keeps its own scan scratch space and correlation state.
class RuleSet {
 public:
  RuleSet(std::vector<RuleInfo> rules, std::unique_ptr<const CompiledRules> compiled);
  ~RuleSet();
  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;

  /// Every loaded rule, in file order, then document order.
  const std::vector<RuleInfo>& rules() const { return rules_; }

  /// The compiled form, for the Engine.
  const CompiledRules& compiled() const { return *compiled_; }

 private:
  std::vector<RuleInfo> rules_;
  std::unique_ptr<const CompiledRules> compiled_;
};

/// The outcome of a load: the rules that loaded (never null) and one report per source, in the
/// order of the sources.
struct RuleLoad {
  std::shared_ptr<const RuleSet> rules;
  std::vector<RuleFileReport> files;
};

/// Parses and compiles Sigma detection and correlation rules from YAML texts (several documents
/// per text allowed). Never throws; a broken rule is reported and left out, the others are kept.
/// Correlations may refer to rules of any of the sources.
RuleLoad load_rules(const std::vector<RuleSource>& sources);

/// Reads rule files: each path is a file, or a directory searched recursively for `*.yml` and
/// `*.yaml` (sorted by path; names starting with '.' skipped). Fails on the first path that does
/// not exist or cannot be read, naming it. Files over 16 MiB are read only that far, which
/// load_rules then reports.
Result<std::vector<RuleSource>> read_rule_sources(const std::vector<std::string>& paths);

}  // namespace sentinel::detection
