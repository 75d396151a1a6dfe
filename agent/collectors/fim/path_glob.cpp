#include "agent/collectors/fim/path_glob.h"

namespace sentinel::agent::fim {

Result<PathGlob> PathGlob::compile(std::string_view pattern) {
  PathGlob glob;
  glob.pattern_ = std::string(pattern);
  std::size_t i = 0;
  while (i < pattern.size()) {
    const char c = pattern[i];
    Token token;
    if (c == '\\') {
      if (i + 1 == pattern.size()) {
        return invalid_argument("pattern \"" + glob.pattern_ + "\" ends with a lone backslash");
      }
      token.literal = pattern[i + 1];
      i += 2;
    } else if (c == '*') {
      std::size_t end = i;
      while (end < pattern.size() && pattern[end] == '*') ++end;
      if (end - i == 1) {
        token.kind = Kind::kStar;
      } else if (end < pattern.size() && pattern[end] == '/' && (i == 0 || pattern[i - 1] == '/')) {
        token.kind = Kind::kDirectories;  // "**/": zero or more whole directories
        ++end;
      } else {
        token.kind = Kind::kDoubleStar;
      }
      i = end;
    } else if (c == '?') {
      token.kind = Kind::kAnyOne;
      ++i;
    } else if (c == '[') {
      token.kind = Kind::kClass;
      token.set.assign(256, false);
      std::size_t j = i + 1;
      if (j < pattern.size() && (pattern[j] == '!' || pattern[j] == '^')) {
        token.negated = true;
        ++j;
      }
      bool closed = false;
      bool first = true;
      while (j < pattern.size()) {
        if (pattern[j] == ']' && !first) {
          closed = true;
          break;
        }
        first = false;
        auto low = static_cast<unsigned char>(pattern[j]);
        if (pattern[j] == '\\' && j + 1 < pattern.size()) low = pattern[++j];
        unsigned char high = low;
        if (j + 2 < pattern.size() && pattern[j + 1] == '-' && pattern[j + 2] != ']') {
          high = static_cast<unsigned char>(pattern[j + 2]);
          j += 2;
        }
        for (unsigned value = low; value <= high; ++value) token.set[value] = true;
        ++j;
      }
      if (!closed) {
        return invalid_argument("pattern \"" + glob.pattern_ + "\" has a '[' without its ']'");
      }
      i = j + 1;
    } else {
      token.literal = c;
      ++i;
    }
    glob.tokens_.push_back(std::move(token));
  }
  return glob;
}

void PathGlob::close_over_empty(std::vector<char>& states) const {
  // Ascending, so that a chain of stars is closed over in one pass.
  for (std::size_t i = 0; i < tokens_.size(); ++i) {
    const Kind kind = tokens_[i].kind;
    if (states[i] != 0 &&
        (kind == Kind::kStar || kind == Kind::kDoubleStar || kind == Kind::kDirectories)) {
      states[i + 1] = 1;
    }
  }
}

std::vector<char> PathGlob::run(std::string_view text) const {
  std::vector<char> states(tokens_.size() + 1, 0);
  std::vector<char> next(tokens_.size() + 1, 0);
  states[0] = 1;
  close_over_empty(states);
  for (const char c : text) {
    std::fill(next.begin(), next.end(), 0);
    bool any = false;
    for (std::size_t i = 0; i < tokens_.size(); ++i) {
      if (states[i] == 0) continue;
      const Token& token = tokens_[i];
      switch (token.kind) {
        case Kind::kLiteral:
          if (c == token.literal) next[i + 1] = 1;
          break;
        case Kind::kAnyOne:
          if (c != '/') next[i + 1] = 1;
          break;
        case Kind::kClass:
          if (c != '/' && token.set[static_cast<unsigned char>(c)] != token.negated) {
            next[i + 1] = 1;
          }
          break;
        case Kind::kStar:
          if (c != '/') next[i] = 1;
          break;
        case Kind::kDoubleStar:
          next[i] = 1;
          break;
        case Kind::kDirectories:
          next[i] = 1;
          if (c == '/') next[i + 1] = 1;
          break;
      }
    }
    for (const char state : next) any = any || state != 0;
    states.swap(next);
    if (!any) break;
    close_over_empty(states);
  }
  return states;
}

bool PathGlob::matches(std::string_view path) const { return run(path).back() != 0; }

bool PathGlob::matches_everything_below(std::string_view dir) const {
  std::string prefix(dir);
  if (prefix.empty() || prefix.back() != '/') prefix.push_back('/');
  const std::vector<char> states = run(prefix);
  // Everything below matches when the automaton can sit on a run of "**" up to the end.
  for (std::size_t i = 0; i < tokens_.size(); ++i) {
    if (states[i] == 0) continue;
    bool rest_matches_all = true;
    for (std::size_t j = i; j < tokens_.size(); ++j) {
      rest_matches_all = rest_matches_all && tokens_[j].kind == Kind::kDoubleStar;
    }
    if (rest_matches_all) return true;
  }
  return false;
}

Result<ExcludeList> ExcludeList::compile(const std::vector<std::string>& patterns) {
  std::vector<PathGlob> globs;
  globs.reserve(patterns.size());
  for (const std::string& pattern : patterns) {
    SENTINEL_ASSIGN(glob, PathGlob::compile(pattern));
    globs.push_back(std::move(glob));
  }
  return ExcludeList(std::move(globs));
}

bool ExcludeList::excludes(std::string_view path) const { return match(path) != nullptr; }

bool ExcludeList::excludes_below(std::string_view dir) const {
  for (const PathGlob& glob : globs_) {
    if (glob.matches(dir) || glob.matches_everything_below(dir)) return true;
  }
  return false;
}

const PathGlob* ExcludeList::match(std::string_view path) const {
  for (const PathGlob& glob : globs_) {
    if (glob.matches(path)) return &glob;
  }
  return nullptr;
}

}  // namespace sentinel::agent::fim
