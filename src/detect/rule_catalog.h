#pragma once
// Where rules come from: the built-in pack compiled into the binary (rules/default/) and the
// configured directories. Knows when a directory's files changed, so that the detect service
// re-reads them without a restart.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/detection/rules.h"

namespace sentinel::detect {

/// One file of the built-in pack; `name` is its path under rules/ ("default/ssh.yml").
struct EmbeddedRuleFile {
  std::string_view name;
  std::string_view text;
};

/// Generated at build time by embed_rules.cmake.
std::span<const EmbeddedRuleFile> builtin_rule_pack();

/// Not thread-safe: the detect service owns one and calls it from one thread at a time.
class RuleCatalog {
 public:
  RuleCatalog(std::vector<std::string> directories, bool builtin_pack)
      : directories_(std::move(directories)), builtin_pack_(builtin_pack) {}

  /// Reads every rule file now and compiles them. Files that cannot be read are reported as a
  /// problem of that file; the built-in pack is named "builtin:default/...".
  detection::RuleLoad load();

  /// True when a file in the directories was added, removed or changed (size, mtime) since the
  /// last load().
  bool changed() const;

 private:
  std::string signature() const;

  std::vector<std::string> directories_;
  bool builtin_pack_;
  std::string loaded_signature_;
};

}  // namespace sentinel::detect
