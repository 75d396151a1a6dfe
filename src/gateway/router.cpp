#include "sentinel/gateway/router.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

#include "sentinel/common/text.h"

namespace sentinel::gateway {
namespace {

constexpr std::size_t kMaxSegments = 64;

// Splits "/a/b/c" into {"a","b","c"}. nullopt when the path is not absolute, has an empty segment
// ("//", a trailing "/"), a dot segment or a control character: such paths never name a route.
std::optional<std::vector<std::string_view>> split_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return std::nullopt;
  std::vector<std::string_view> segments;
  if (path == "/") return segments;
  std::string_view rest = path.substr(1);
  for (;;) {
    const std::size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    if (segment.empty() || segment == "." || segment == ".." || segments.size() == kMaxSegments ||
        has_control_character(segment)) {
      return std::nullopt;
    }
    segments.push_back(segment);
    if (slash == std::string_view::npos) return segments;
    rest = rest.substr(slash + 1);
  }
}

bool is_parameter(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

Status validate_segment(std::string_view segment, std::vector<std::string_view>& names) {
  if (!is_parameter(segment)) {
    if (segment.find_first_of("{}") != std::string_view::npos) {
      return invalid_argument(fmt::format("malformed segment '{}'", segment));
    }
    return ok();
  }
  const std::string_view name = segment.substr(1, segment.size() - 2);
  if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char)) {
    return invalid_argument(fmt::format("malformed parameter '{}'", segment));
  }
  if (std::find(names.begin(), names.end(), name) != names.end()) {
    return invalid_argument(fmt::format("duplicate parameter '{}'", name));
  }
  names.push_back(name);
  return ok();
}

// The pattern with every parameter name erased: "/users/{id}" and "/users/{user}" are the same.
std::string shape(std::string_view pattern) {
  std::string out;
  const auto segments = split_path(pattern);
  for (const std::string_view segment : *segments) {
    out += is_parameter(segment) ? "/{}" : fmt::format("/{}", segment);
  }
  return out;
}

// Binds `segments` to `pattern`. The score ranks literal segments earlier in the path above
// parameters, so that "/users/me" wins over "/users/{id}": one bit per segment, the first segment
// the most significant (at most kMaxSegments = 64 of them), set for a literal.
std::optional<std::uint64_t> bind(const std::vector<std::string>& pattern,
                                  const std::vector<std::string_view>& segments) {
  static_assert(kMaxSegments <= 64);
  if (pattern.size() != segments.size()) return std::nullopt;
  std::uint64_t score = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (is_parameter(pattern[i])) continue;
    if (pattern[i] != segments[i]) return std::nullopt;
    score |= std::uint64_t{1} << (63 - i);
  }
  return score;
}

}  // namespace

Status Router::add(Route route) {
  if (route.method.empty() || !std::all_of(route.method.begin(), route.method.end(),
                                           [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return invalid_argument(
        fmt::format("route method '{}' must be upper-case letters", route.method));
  }
  if (!route.handler)
    return invalid_argument(fmt::format("route {} {} has no handler", route.method, route.pattern));
  const auto segments = split_path(route.pattern);
  if (!segments)
    return invalid_argument(fmt::format("malformed route pattern '{}'", route.pattern));
  std::vector<std::string_view> names;
  for (const std::string_view segment : *segments) {
    if (Status status = validate_segment(segment, names); !status) {
      return invalid_argument(
          fmt::format("route pattern '{}': {}", route.pattern, status.error().message));
    }
  }
  const std::string new_shape = shape(route.pattern);
  for (const Route& existing : routes_) {
    if (existing.method == route.method && shape(existing.pattern) == new_shape) {
      return invalid_argument(fmt::format("route {} {} conflicts with {}", route.method,
                                          route.pattern, existing.pattern));
    }
  }
  segments_.emplace_back(segments->begin(), segments->end());
  routes_.push_back(std::move(route));
  return ok();
}

RouteMatch Router::match(std::string_view method, std::string_view path) const {
  RouteMatch result;
  const auto segments = split_path(path);
  if (!segments) return result;
  std::uint64_t best_score = 0;
  std::size_t best = 0;
  for (std::size_t index = 0; index < routes_.size(); ++index) {
    const Route& route = routes_[index];
    const auto score = bind(segments_[index], *segments);
    if (!score) continue;
    if (route.method != method) {
      if (std::find(result.allowed_methods.begin(), result.allowed_methods.end(), route.method) ==
          result.allowed_methods.end()) {
        result.allowed_methods.push_back(route.method);
      }
      continue;
    }
    if (result.route != nullptr && *score <= best_score) continue;
    result.route = &route;
    best = index;
    best_score = *score;
  }
  if (result.route == nullptr) {
    if (!result.allowed_methods.empty()) {
      result.kind = RouteMatch::Kind::kMethodNotAllowed;
      std::sort(result.allowed_methods.begin(), result.allowed_methods.end());
    }
    return result;
  }
  result.kind = RouteMatch::Kind::kFound;
  result.allowed_methods.clear();
  const std::vector<std::string>& pattern = segments_[best];
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (is_parameter(pattern[i])) {
      result.params.emplace(pattern[i].substr(1, pattern[i].size() - 2), (*segments)[i]);
    }
  }
  return result;
}

}  // namespace sentinel::gateway
