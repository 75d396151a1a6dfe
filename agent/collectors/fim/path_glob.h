#pragma once
// Glob patterns on full paths, for the monitor's excludes. Matching runs the pattern as a small
// automaton over the path, so that no pattern can make it backtrack exponentially.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sentinel/common/result.h"

namespace sentinel::agent::fim {

/// One compiled pattern. `*` matches any run of characters other than "/", `?` one character
/// other than "/", `[abc]`, `[a-z]` and `[!a-z]` (or `[^a-z]`) one character of (or not of) a
/// set, never "/"; `**` any run of characters including "/"; `**/` also matches nothing, so
/// that "/etc/**/*.swp" matches "/etc/a.swp"; `\c` matches c. Immutable, thread-safe.
class PathGlob {
 public:
  /// kInvalidArgument for an unterminated class or a trailing backslash.
  static Result<PathGlob> compile(std::string_view pattern);

  /// Whether the whole of `path` matches.
  bool matches(std::string_view path) const;
  /// Whether every path below directory `dir` matches ("/var/cache/**" and "/var/cache"), so
  /// that a walk need not enter it.
  bool matches_everything_below(std::string_view dir) const;

  const std::string& pattern() const { return pattern_; }

 private:
  enum class Kind : std::uint8_t { kLiteral, kAnyOne, kClass, kStar, kDoubleStar, kDirectories };
  struct Token {
    Kind kind = Kind::kLiteral;
    char literal = 0;
    bool negated = false;
    std::vector<bool> set;  // 256 entries for kClass
  };

  PathGlob() = default;
  /// The states reachable after `text` from the start (one flag per token position).
  std::vector<char> run(std::string_view text) const;
  void close_over_empty(std::vector<char>& states) const;

  std::string pattern_;
  std::vector<Token> tokens_;
};

/// The excludes of a configuration. Immutable, thread-safe.
class ExcludeList {
 public:
  ExcludeList() = default;
  explicit ExcludeList(std::vector<PathGlob> globs) : globs_(std::move(globs)) {}

  /// Compiles every pattern; kInvalidArgument naming the first bad one.
  static Result<ExcludeList> compile(const std::vector<std::string>& patterns);

  /// Whether some pattern matches `path`.
  bool excludes(std::string_view path) const;
  /// Whether `dir` itself or everything below it is excluded: a walk does not enter it.
  bool excludes_below(std::string_view dir) const;
  /// The first pattern that matches `path`, or nullptr.
  const PathGlob* match(std::string_view path) const;

 private:
  std::vector<PathGlob> globs_;
};

}  // namespace sentinel::agent::fim
