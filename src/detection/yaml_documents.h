#pragma once
// Splits a rule file into its YAML documents and records problems at the line and column of a
// YAML node. Each document is parsed on its own so that a syntax error in one leaves the others
// loadable.

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>
#include <vector>

#include "sentinel/detection/rules.h"

namespace sentinel::detection {

/// One YAML document of a file: its text and the 0-based line of the file it starts on.
struct YamlDocument {
  std::string text;
  int first_line = 0;
};

/// The documents of `text`, split at `---` and `...` lines (YAML forbids those markers inside
/// scalars, so the split is exact). The marker is blanked, keeping columns, so that comments or
/// tags after it still parse.
std::vector<YamlDocument> split_documents(std::string_view text);

/// Collects the problems of one document, translating yaml-cpp marks into file positions.
class ProblemSink {
 public:
  ProblemSink(std::string file, int first_line, std::vector<RuleProblem>& out)
      : file_(std::move(file)), first_line_(first_line), out_(out) {}

  /// A problem at `node` (or, when it has no position, at the fallback position).
  void add(const YAML::Node& node, std::string reason) { add(node.Mark(), std::move(reason)); }
  /// A problem at `mark`, plus `column_offset` (a position inside a scalar).
  void add(const YAML::Mark& mark, std::string reason, int column_offset = 0);
  /// Where problems without a position of their own are reported (the rule's first line).
  void set_fallback(const YAML::Mark& mark) { fallback_ = mark; }

  std::size_t count() const { return count_; }
  const std::string& file() const { return file_; }
  /// The 1-based file line and column of `mark` (the fallback when it has none).
  std::pair<int, int> position(const YAML::Mark& mark) const;

 private:
  std::string file_;
  int first_line_;
  std::vector<RuleProblem>& out_;
  YAML::Mark fallback_;
  std::size_t count_ = 0;
};

}  // namespace sentinel::detection
