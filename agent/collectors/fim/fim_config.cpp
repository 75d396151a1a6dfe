#include "agent/collectors/fim/fim_config.h"

#include <climits>
#include <set>

#include "agent/collectors/fim/path_glob.h"

namespace sentinel::agent::fim {
namespace {

/// Collects problems so that a user sees all of them at once.
class Problems {
 public:
  void add(std::string field, std::string message) {
    if (first_field_.empty()) first_field_ = field;
    if (!text_.empty()) text_ += '\n';
    text_ += field + ": " + message;
  }
  Status status() const {
    if (text_.empty()) return ok();
    return invalid_argument(text_, first_field_);
  }

 private:
  std::string text_;
  std::string first_field_;
};

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

// Why `path` cannot be watched, or empty when it can.
std::string path_problem(std::string_view path) {
  if (path.empty()) return "must not be empty";
  if (path.find('\0') != std::string_view::npos) return "must not contain a NUL character";
  if (path.front() != '/') return quoted(path) + " must be an absolute path";
  if (path.size() >= PATH_MAX) return "is longer than " + std::to_string(PATH_MAX - 1) + " bytes";
  std::string_view rest = path.substr(1);
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  while (!rest.empty()) {
    const std::size_t slash = rest.find('/');
    const std::string_view component = rest.substr(0, slash);
    if (component.empty()) return quoted(path) + " has an empty component (\"//\")";
    if (component == "." || component == "..") {
      return quoted(path) + " must not contain \".\" or \"..\" components";
    }
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return {};
}

}  // namespace

std::string normalize_path(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

Status validate_config(const FimConfig& config) {
  Problems problems;
  if (config.paths.empty()) problems.add("fim.paths", "must name at least one file or directory");
  std::set<std::string> seen;
  for (std::size_t i = 0; i < config.paths.size(); ++i) {
    const std::string field = "fim.paths[" + std::to_string(i) + "]";
    const std::string problem = path_problem(config.paths[i]);
    if (!problem.empty()) {
      problems.add(field, problem);
      continue;
    }
    if (!seen.insert(normalize_path(config.paths[i])).second) {
      problems.add(field, quoted(config.paths[i]) + " is listed twice");
    }
  }
  std::vector<PathGlob> globs;
  for (std::size_t i = 0; i < config.excludes.size(); ++i) {
    const std::string field = "fim.excludes[" + std::to_string(i) + "]";
    const std::string& pattern = config.excludes[i];
    if (pattern.empty()) {
      problems.add(field, "must not be empty");
      continue;
    }
    // A pattern must be able to match a path, which starts with "/": `*` never matches one.
    if (pattern.front() != '/' && !pattern.starts_with("**")) {
      problems.add(field, quoted(pattern) +
                              " must match full paths: start it with \"/\" (or \"**/\" for any "
                              "directory)");
      continue;
    }
    auto glob = PathGlob::compile(pattern);
    if (!glob) {
      problems.add(field, glob.error().message);
      continue;
    }
    globs.push_back(std::move(*glob));
  }
  // A watched path that an exclude removes is a contradiction the user should resolve.
  const ExcludeList excludes(std::move(globs));
  for (std::size_t i = 0; i < config.paths.size(); ++i) {
    if (!path_problem(config.paths[i]).empty()) continue;
    const std::string path = normalize_path(config.paths[i]);
    if (const PathGlob* glob = excludes.match(path)) {
      problems.add("fim.paths[" + std::to_string(i) + "]",
                   quoted(path) + " is excluded by " + quoted(glob->pattern()));
    }
  }
  if (config.full_check_interval_s < kMinFullCheckIntervalS ||
      config.full_check_interval_s > kMaxFullCheckIntervalS) {
    problems.add("fim.full_check_interval_s",
                 "must be between " + std::to_string(kMinFullCheckIntervalS) + " and " +
                     std::to_string(kMaxFullCheckIntervalS) + " seconds, not " +
                     std::to_string(config.full_check_interval_s));
  }
  if (config.window_ms < kMinWindowMs || config.window_ms > kMaxWindowMs) {
    problems.add("fim.window_ms", "must be between " + std::to_string(kMinWindowMs) + " and " +
                                      std::to_string(kMaxWindowMs) + " ms, not " +
                                      std::to_string(config.window_ms));
  }
  if (config.batch_threshold < 1) problems.add("fim.batch_threshold", "must be at least 1");
  if (config.hash_threads < 1 || config.hash_threads > kMaxHashThreads) {
    problems.add("fim.hash_threads", "must be between 1 and " + std::to_string(kMaxHashThreads) +
                                         ", not " + std::to_string(config.hash_threads));
  }
  return problems.status();
}

}  // namespace sentinel::agent::fim
